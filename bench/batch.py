"""Batch throughput: 20 articles through `narrate feed build` with 1 worker and with 2.

Each run builds a fresh feed (cold segment cache, new output folder) from 20 distinct
articles of about 500 words (the extraction benchmark's English reference texts, bench/
_articles.py); reports articles per minute for each worker count (median of N interleaved
runs), the CPU seconds and how many cores were busy on average, and the ratio. One worker
already encodes each MP3 on both cores while it synthesizes, so the second worker can only
fill what the first leaves idle: the ratio is at most 2 / (cores one worker keeps busy).

Usage: python bench/batch.py [--runs 3] [--articles 20]
"""

from __future__ import annotations

import argparse
import html
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _articles import _english_paragraphs
from _installed import byte_compile

ROOT = Path(__file__).resolve().parent.parent


def _articles(folder: Path, count: int) -> list[Path]:
    paragraphs = _english_paragraphs()
    per = max(1, len(paragraphs) // count)
    pages = []
    for i in range(count):
        chunk = paragraphs[i * per : (i + 1) * per] or paragraphs[:per]
        body = "\n".join(f"<p>{html.escape(p)}</p>" for p in chunk)
        page = folder / f"story-{i:02d}.html"
        page.write_text(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Story {i}'
            f"</title></head><body><article><h1>Story number {i}</h1>{body}</article>"
            "</body></html>",
            encoding="utf-8",
        )
        pages.append(page)
    return pages


def _config(folder: Path, pages: list[Path]) -> Path:
    listed = ",\n".join(f'    "{p.name}"' for p in pages)
    config = folder / "narrate.toml"
    config.write_text(
        f"""[podcast]
title = "Batch bench"
description = "Throughput measurement"
author = "bench"
email = "bench@example.com"
language = "en"
category = "News"
artwork = "{ROOT / "examples" / "cover.png"}"
base_url = "https://example.com/"
output = "public"

[sources]
articles = [
{listed}
]

[render]
artwork_from_page = false
""",
        encoding="utf-8",
    )
    return config


def build(workers: int, count: int) -> tuple[float, float]:
    """Wall and CPU seconds (children included) of one feed build."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        config = _config(work, _articles(work, count))
        env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"))
        narrate_bin = str(Path(sys.executable).parent / "narrate")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([narrate_bin, "feed", "build", str(config), "--workers", str(workers),
                        "--quiet"], check=True, env=env, capture_output=True)  # fmt: skip
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--articles", type=int, default=20)
    args = parser.parse_args()
    byte_compile()
    walls: dict[int, list[float]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.runs):  # interleaved, so that other load falls on both alike
        for workers in (1, 2):
            wall, cpu = build(workers, args.articles)
            walls[workers].append(wall)
            cpus[workers].append(cpu)
    print(f"machine: {os.cpu_count()} cores; {args.runs} runs; medians (min-max)")
    medians = {}
    for workers in (1, 2):
        times = walls[workers]
        medians[workers] = statistics.median(times)
        cores = statistics.median(c / w for c, w in zip(cpus[workers], times, strict=True))
        print(f"{workers} worker(s): {medians[workers]:6.1f} s "
              f"(min-max {min(times):.1f}-{max(times):.1f}), "
              f"{args.articles / medians[workers] * 60:5.1f} articles/min, "
              f"{statistics.median(cpus[workers]):5.1f} CPU s, {cores:.2f} cores busy")  # fmt: skip
    print(f"throughput ratio 2 workers / 1 worker: {medians[1] / medians[2]:.2f} (target >= 1.8)")


if __name__ == "__main__":
    main()
