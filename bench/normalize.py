"""Time the normalizer on a 5,000-word news article full of numbers, dates, money and acronyms.

Usage::

    .venv/bin/python bench/normalize.py            # en, 5,000 words, 21 runs
    .venv/bin/python bench/normalize.py --lang uk --words 20000 --runs 11

Prints the median time of ``normalize_text`` on the whole article, of ``normalize`` on the
article cut into sentence segments (what the pipeline does), and of a trivial baseline pass
(``re.sub(r"\\s+", " ", text)``) over the same text, with the ratio to the baseline. Times are
CPU time of this process (``time.process_time``), so that other work on a shared machine does
not count; the wall-clock median is printed beside it. The target (issue 4) is under 50 ms for
5,000 words.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable

from narrate.model import Segment
from narrate.normalize import normalize, normalize_text

# Sentences in the style of wire copy, dense with what the normalizer rewrites.
_SENTENCES = {
    "en": (
        "Russia launched 472 drones and 48 missiles overnight on Feb. 24, 2022, the Air Force "
        "said.",
        "The U.S. has provided more than $65.9 billion in military aid since 2022.",
        "Ukraine's GDP grew by 5.3% in 2023, according to the NBU.",
        "At 7:05 a.m., air raid sirens sounded across Kyiv, and at 14:30 GMT the IAEA said the "
        "ZNPP had lost power for the 8th time.",
        "Lt. Col. Oleksandr Petrenko, 34, told AFP the 47th Brigade had held since the 1990s.",
        "Temperatures dropped to -15°C in Kharkiv, where winds reached 60 km/h.",
        "The 2014-2022 period saw more than 14,000 deaths; Shakhtar won 3-1 on May 5.",
        "The EU approved €50 billion and the U.K. pledged £3bn (about UAH 40,000 per person).",
        "Charles III met Pope Leo XIV after World War II commemorations — see example.com.",
        "Read more at kyivindependent.com or follow @KyivIndependent and #StandWithUkraine.",
        "Dr. Maria Ivanova of the WHO said about 1/3 of hospitals lack power...",
        "NATO and UNESCO officials arrived on 24 February 2025 at 9 a.m. local time.",
    ),
    "uk": (
        "5 травня 2025 року росіяни запустили 472 дрони та 48 ракет.",
        "О 14:30 НБУ підвищив облікову ставку до 15,5%.",
        "Уряд виділив 40 000 грн на кожну родину, загалом 5 млн гривень.",
        "У 2023 році ВВП зріс на 5,3%, а з 2014 по 2022 рік загинули 14 000 людей.",
        "Бригада отримала $1,2 млрд допомоги 05.05.2025 о 9:05.",
    ),
    "ru": (
        "5 мая 2025 года Россия запустила 472 беспилотника и 48 ракет.",
        "В 14:30 ЦБ повысил ключевую ставку до 21%.",
        "Правительство выделило 40 000 руб. на семью, всего 5 млн рублей.",
        "В 2023 году ВВП вырос на 5,3%, а с 2014 по 2022 год погибли 14 000 человек.",
        "Армия получила $1,2 млрд помощи 05.05.2025 в 9:05.",
    ),
}
_BASELINE = re.compile(r"\s+")


def build_article(lang: str, words: int) -> list[str]:
    """Sentences repeated until the article has ``words`` words."""
    sentences: list[str] = []
    count = 0
    pool = _SENTENCES[lang]
    while count < words:
        sentence = pool[len(sentences) % len(pool)]
        sentences.append(sentence)
        count += len(sentence.split())
    return sentences


def median_ms(func: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median CPU and wall time of ``func`` in milliseconds, after one warm-up call."""
    func()
    cpu, wall = [], []
    for _ in range(runs):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        func()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


def main() -> None:
    """Parse arguments, build the article, print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", default="en", choices=sorted(_SENTENCES))
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    sentences = build_article(args.lang, args.words)
    text = " ".join(sentences)
    segments = [Segment(i, s) for i, s in enumerate(sentences)]
    n_words = len(text.split())

    baseline, baseline_wall = median_ms(lambda: _BASELINE.sub(" ", text), args.runs)
    whole, whole_wall = median_ms(lambda: normalize_text(text, language=args.lang), args.runs)
    per_segment, per_segment_wall = median_ms(
        lambda: normalize(segments, language=args.lang), args.runs
    )
    changes = len(normalize_text(text, language=args.lang).changes)

    print(f"article: {n_words} words, {len(segments)} sentences, {changes} normalizations")
    print("median of", args.runs, "runs     CPU ms   wall ms   CPU / baseline")
    print(f"baseline (whitespace only) {baseline:8.2f}  {baseline_wall:8.2f}")
    for name, cpu, wall in (
        ("normalize_text (one text)", whole, whole_wall),
        (f"normalize ({len(segments)} segments)", per_segment, per_segment_wall),
    ):
        print(f"{name:26} {cpu:8.2f}  {wall:8.2f}  {cpu / max(baseline, 1e-3):8.0f}x")
    verdict = "meets" if max(whole, per_segment) < 50 else "MISSES"
    print(f"target < 50 ms for 5,000 words: {verdict}")


if __name__ == "__main__":
    main()
