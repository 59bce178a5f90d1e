"""Peak memory of a two-hour narration: audio must stream, not pile up.

Renders an article of about 18,000 words (bench/_articles.py) with a cold cache in a fresh
process and reports that process's peak resident set size (ru_maxrss), next to the peak of a
process that only imports narrate's stages (the floor no streaming can go under).

Usage: python bench/memory.py [--words 18000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _articles import long_article
from _installed import byte_compile

_CHILD = """
import resource, sys
from narrate.cli import main
sys.argv = ["narrate", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""

_FLOOR = """
import resource, sys
import narrate.clean, narrate.encode, narrate.master, narrate.engines.espeak, numpy, mutagen
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _peak_mb(code: str, args: list[str], env: dict[str, str]) -> float:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                            env=env, check=True)  # fmt: skip
    line = [x for x in result.stderr.splitlines() if x.startswith("PEAK_KB")][-1]
    return int(line.split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=18_000)
    args = parser.parse_args()
    byte_compile()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        page = long_article(args.words, work)
        env = dict(os.environ, NARRATE_CACHE="false", NARRATE_ARTWORK_FROM_PAGE="false")
        out = work / "long.mp3"
        peak = _peak_mb(_CHILD, ["article", str(page), "-o", str(out), "--quiet"], env)
        floor = _peak_mb(_FLOOR, [], env)
        from mutagen.mp3 import MP3

        minutes = MP3(str(out)).info.length / 60
        print(f"{args.words} words, {minutes:.0f} minutes of audio")
        print(f"peak RSS of the render: {peak:.0f} MB (target <= 200 MB)")
        print(f"peak RSS of importing the stages: {floor:.0f} MB; ratio {peak / floor:.2f}")


if __name__ == "__main__":
    main()
