"""What re-rendering costs after a one-paragraph edit, with the segment cache.

Renders the example with a fresh cache, changes one paragraph, renders again; reports the
second render's time as a fraction of the first, and how many segments and MP3 parts the
second one made anew. Two ways, medians of N cycles each with a new cache:

* in a worker: both renders in one long-lived process, as ``narrate feed build`` workers and
  the service's workers run them;
* from the command line: each render a fresh ``narrate article`` process (start-up included).

Usage: python bench/rerender.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _articles import EXAMPLE
from _installed import byte_compile

import narrate
from narrate.allocator import keep_freed_memory
from narrate.spares import kept_between_renders

EDIT = (
    "Trump's team has pressured Kyiv to make concessions to Russia",
    "Trump's team has pressed Kyiv hard to make concessions to Moscow",
)


def _edited(folder: Path) -> Path:
    page = folder / "edited.html"
    page.write_text(EXAMPLE.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
    return page


def in_worker(folder: Path) -> tuple[float, float, narrate.Episode]:
    config = narrate.Config(cache_dir=str(folder / "cache"), artwork_from_page=False)
    # Workers are narrate commands (narrate worker, narrate feed build): tuned as they are.
    keep_freed_memory()
    # As narrate's queue workers and feed builds run renders: see narrate/spares.py.
    with kept_between_renders():
        start = time.perf_counter()
        narrate.render(str(EXAMPLE), folder / "a.mp3", config)
        first = time.perf_counter() - start
        start = time.perf_counter()
        episode = narrate.render(str(_edited(folder)), folder / "b.mp3", config)
        return first, time.perf_counter() - start, episode


def from_cli(folder: Path) -> tuple[float, float]:
    narrate_bin = str(Path(sys.executable).parent / "narrate")
    env = dict(os.environ, NARRATE_CACHE_DIR=str(folder / "cache"),
               NARRATE_ARTWORK_FROM_PAGE="false")  # fmt: skip
    times = []
    for page, out in ((EXAMPLE, "a.mp3"), (_edited(folder), "b.mp3")):
        start = time.perf_counter()
        subprocess.run([narrate_bin, "article", str(page), "-o", str(folder / out), "--json"],
                       capture_output=True, check=True, env=env)  # fmt: skip
        times.append(time.perf_counter() - start)
    return times[0], times[1]


def _line(name: str, pairs: list[tuple[float, float]]) -> str:
    firsts = [a for a, _ in pairs]
    seconds = [b for _, b in pairs]
    fractions = [b / a for a, b in pairs]
    return (f"{name:<14} first {statistics.median(firsts):6.3f} s  after the edit "
            f"{statistics.median(seconds):6.3f} s  fraction {statistics.median(fractions):.3f} "
            f"(min-max {min(fractions):.3f}-{max(fractions):.3f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    byte_compile()
    worker: list[tuple[float, float]] = []
    cli: list[tuple[float, float]] = []
    episode = None
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            first, second, episode = in_worker(Path(folder))
            worker.append((first, second))
        with tempfile.TemporaryDirectory() as folder:
            cli.append(from_cli(Path(folder)))
    print(f"machine: {os.cpu_count()} cores; {args.runs} cycles; target fraction <= 0.15")
    print(_line("in a worker", worker))
    print(_line("command line", cli))
    assert episode is not None
    print(f"after the edit: {episode.synthesized} of {episode.segment_count} segments "
          f"synthesized, {episode.reused} reused from the cache")  # fmt: skip
    print(json.dumps({"synthesized": episode.synthesized, "reused": episode.reused}))


if __name__ == "__main__":
    main()
