"""How long `narrate --help` takes, against starting Python itself (medians of 15 runs).

Usage: python bench/startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from _installed import byte_compile


def _median(command: list[str], runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    byte_compile()
    narrate_bin = str(Path(sys.executable).parent / "narrate")
    python = _median([sys.executable, "-c", "pass"])
    help_time = _median([narrate_bin, "--help"])
    imported = _median([sys.executable, "-c", "import narrate"])
    print(f"python -c pass   {python * 1000:6.0f} ms")
    print(f"import narrate   {imported * 1000:6.0f} ms")
    print(
        f"narrate --help   {help_time * 1000:6.0f} ms (target <= 300 ms; "
        f"{help_time / python:.1f}x bare Python)"
    )


if __name__ == "__main__":
    main()
