"""narrate against the tools it is built from, one after the other.

Baseline: libespeak-ng writes a WAV of the article's plain text (bench/_espeak_wav.py, in its
own process, as the espeak-ng CLI would), then ffmpeg encodes it with its default libmp3lame
settings at the same format (-ar 44100 -ac 1 -b:a 64k). narrate: ``narrate article page.html``
from HTML to the finished, tagged, levelled MP3 with transcripts, with a cold segment cache.
Both in fresh processes; medians of 5 interleaved runs; ratio = narrate / baseline.

Usage: python bench/render.py [--runs 5] [--words 10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _articles import EXAMPLE, long_article
from _installed import byte_compile

BENCH = Path(__file__).resolve().parent


def _ffmpeg() -> str:
    from narrate.audio import ffmpeg_path

    return ffmpeg_path()


CPU: list[float] = []  # CPU seconds of the last timed command, children included


def _timed(command: list[str], env: dict[str, str] | None = None) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def baseline(text_file: Path, work: Path) -> float:
    wav, mp3 = work / "base.wav", work / "base.mp3"
    synth = _timed([sys.executable, str(BENCH / "_espeak_wav.py"), str(text_file), str(wav)])
    encode = _timed([_ffmpeg(), "-nostdin", "-y", "-loglevel", "error", "-i", str(wav),
                     "-ar", "44100", "-ac", "1", "-b:a", "64k", str(mp3)])  # fmt: skip
    return synth + encode


def run_narrate(page: Path, work: Path, env: dict[str, str]) -> float:
    narrate_bin = str(Path(sys.executable).parent / "narrate")
    return _timed([narrate_bin, "article", str(page), "-o", str(work / "n.mp3"), "--quiet"], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--words", type=int, default=10_000)
    args = parser.parse_args()
    byte_compile()
    import narrate

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        cases = {"example": EXAMPLE, f"{args.words} words": long_article(args.words, work)}
        print(f"machine: {os.cpu_count()} cores; runs: {args.runs}; medians (min-max) in s")
        print(f"{'case':<14} {'audio':>8} {'baseline':>20} {'narrate':>20} {'ratio':>6}")
        for name, page in cases.items():
            article = narrate.extract(str(page), narrate.Config())
            text_file = work / "plain.txt"
            text_file.write_text(article.title + "\n\n" + article.body_text(), encoding="utf-8")
            env = dict(os.environ, NARRATE_CACHE="false", NARRATE_ARTWORK_FROM_PAGE="false")
            base_times, narrate_times, base_cpu, narrate_cpu = [], [], [], []
            for _ in range(args.runs):
                CPU.clear()
                base_times.append(baseline(text_file, work))
                base_cpu.append(sum(CPU))
                CPU.clear()
                narrate_times.append(run_narrate(page, work, env))
                narrate_cpu.append(sum(CPU))
            from mutagen.mp3 import MP3

            audio = MP3(str(work / "n.mp3")).info.length
            b, n = statistics.median(base_times), statistics.median(narrate_times)
            print(f"{name:<14} {audio / 60:>6.1f}m "
                  f"{b:>7.2f} ({min(base_times):.2f}-{max(base_times):.2f}) "
                  f"{n:>7.2f} ({min(narrate_times):.2f}-{max(narrate_times):.2f}) "
                  f"{n / b:>6.2f}")  # fmt: skip
            print(
                f"{'':<14} {'cpu s':>8} {statistics.median(base_cpu):>20.2f} "
                f"{statistics.median(narrate_cpu):>20.2f} "
                f"{statistics.median(narrate_cpu) / statistics.median(base_cpu):>6.2f}"
            )


if __name__ == "__main__":
    main()
