"""Score narrate's cleaner against trafilatura and readability-lxml on an extraction benchmark.

Usage::

    .venv/bin/python bench/extraction.py ../shared/data/extraction-dev
    .venv/bin/python bench/extraction.py DIR --half a --only narrate --worst 10

``DIR`` holds ``html/<page_id>.html.gz`` and ``ground-truth.json`` (``{page_id: {"articleBody",
"url"}}``), the layout of Zyte's article-extraction-benchmark. The scoring rule is in
``bench/_scoring.py``. narrate is scored on exactly what ``narrate clean --body`` prints:
``clean(Page(...)).body_text()``; a page on which ``clean`` raises ``ExtractionError`` counts as
an empty output.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _scoring import (
    BOOTSTRAP_SAMPLES,
    PageScore,
    bootstrap_f1,
    bootstrap_indices,
    corpus_score,
    score_page,
    stdev,
)

Extractor = Callable[[str, str], str]


@dataclass(frozen=True)
class BenchPage:
    """One benchmark page: its id, HTML, final URL and reference body."""

    page_id: str
    html: str
    url: str
    reference: str


@dataclass(frozen=True)
class Run:
    """One extractor's outputs, scores and timings on every page, in page order."""

    name: str
    outputs: list[str]
    scores: list[PageScore]
    ms: list[float]
    cpu_ms: list[float]


def load_pages(folder: Path, half: str | None = None) -> list[BenchPage]:
    """The folder's pages sorted by id; ``half`` "a"/"b" keeps the even/odd positions."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for position, page_id in enumerate(sorted(truth)):
        if (half == "a" and position % 2) or (half == "b" and not position % 2):
            continue
        raw = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        pages.append(
            BenchPage(
                page_id=page_id,
                html=raw.decode("utf-8", errors="replace"),
                url=entry.get("url", ""),
                reference=entry.get("articleBody", ""),
            )
        )
    return pages


def narrate_extractor(html: str, url: str) -> str:
    """narrate's cleaner: exactly what ``narrate clean --body`` prints."""
    from narrate.clean import clean
    from narrate.errors import ExtractionError
    from narrate.model import Page

    try:
        return clean(Page(html=html, source=url or "page.html", url=url or None)).body_text()
    except ExtractionError:
        return ""


def trafilatura_extractor(html: str, url: str) -> str:
    """trafilatura with the settings the issue names (its plain-text output)."""
    import trafilatura

    text = trafilatura.extract(html, url=url or None, favor_precision=False, include_comments=False)
    return text or ""


_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "br",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dd",
        "dt",
    ]
)


def readability_extractor(html: str, url: str) -> str:
    """readability-lxml's summary as text, a line per block (as html_text would give)."""
    import lxml.html
    from readability import Document

    summary = Document(html, url=url or None).summary(html_partial=True)
    if not summary.strip():
        return ""
    root = lxml.html.fromstring(summary)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    return "\n".join(line.strip() for line in root.text_content().splitlines() if line.strip())


EXTRACTORS: dict[str, Extractor] = {
    "narrate": narrate_extractor,
    "trafilatura": trafilatura_extractor,
    "readability": readability_extractor,
}


def run_extractors(names: list[str], pages: list[BenchPage]) -> list[Run]:
    """Run the extractors over every page, timing each call.

    The extractors take turns on each page, so that load from other processes on the machine
    falls on all of them alike; one warm-up call each first (imports and caches are not a
    page's cost). Wall-clock and CPU time are both kept: on a shared machine the CPU time is
    the steadier of the two.
    """
    runs = [Run(name, [], [], [], []) for name in names]
    for name in names:
        EXTRACTORS[name](pages[0].html, pages[0].url)
    for page in pages:
        for run in runs:
            extract = EXTRACTORS[run.name]
            start, cpu_start = time.perf_counter(), time.process_time()
            output = extract(page.html, page.url)
            run.ms.append((time.perf_counter() - start) * 1000)
            run.cpu_ms.append((time.process_time() - cpu_start) * 1000)
            run.outputs.append(output)
            run.scores.append(score_page(output, page.reference))
    return runs


def _table(runs: list[Run], resamples: list[list[int]]) -> list[str]:
    header = (
        f"{'extractor':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'± sd':>6} "
        f"{'accuracy':>8} {'F1<0.5':>6} {'empty':>5} {'median ms':>9} {'cpu ms':>6}"
    )
    lines = [header, "-" * len(header)]
    for run in runs:
        corpus = corpus_score(run.scores)
        sd = stdev(bootstrap_f1(run.scores, resamples))
        low = sum(1 for s in run.scores if not s.empty_reference and s.f1 < 0.5)
        empty = sum(1 for s in run.scores if s.empty_prediction)
        lines.append(
            f"{run.name:<12} {corpus.precision:>9.3f} {corpus.recall:>7.3f} {corpus.f1:>6.3f} "
            f"{sd:>6.3f} {corpus.accuracy:>8.3f} {low:>6d} {empty:>5d} "
            f"{statistics.median(run.ms):>9.1f} {statistics.median(run.cpu_ms):>6.1f}"
        )
    return lines


def _paired(a: Run, b: Run, resamples: list[list[int]]) -> str:
    diffs = [
        x - y
        for x, y in zip(
            bootstrap_f1(a.scores, resamples), bootstrap_f1(b.scores, resamples), strict=True
        )
    ]
    point = corpus_score(a.scores).f1 - corpus_score(b.scores).f1
    return f"paired F1 difference {a.name} - {b.name}: {point:+.4f} ± {stdev(diffs):.4f} (sd)"


def _worst(run: Run, pages: list[BenchPage], count: int) -> list[str]:
    ranked = sorted(range(len(pages)), key=lambda i: run.scores[i].f1)[:count]
    return [
        f"  {run.scores[i].f1:.3f}  P={run.scores[i].precision:.3f} "
        f"R={run.scores[i].recall:.3f}  {pages[i].page_id[:12]}  {pages[i].url}"
        for i in ranked
    ]


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the extractors and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="benchmark folder (html/, ground-truth.json)")
    parser.add_argument("--half", choices=["a", "b"], help="score only even (a) or odd (b) pages")
    parser.add_argument(
        "--only", action="append", choices=list(EXTRACTORS), help="run only these extractors"
    )
    parser.add_argument("--worst", type=int, default=0, help="list narrate's N worst pages")
    parser.add_argument("--dump", type=Path, help="write every output and score as JSON here")
    args = parser.parse_args(argv)

    pages = load_pages(args.folder, args.half)
    names = args.only or list(EXTRACTORS)
    runs = run_extractors(names, pages)
    resamples = bootstrap_indices(len(pages))

    print(f"{len(pages)} pages from {args.folder}" + (f" (half {args.half})" if args.half else ""))
    print("\n".join(_table(runs, resamples)))
    by_name = {run.name: run for run in runs}
    if "narrate" in by_name and "trafilatura" in by_name:
        print(_paired(by_name["narrate"], by_name["trafilatura"], resamples))
    print(f"(F1 sd and the paired difference: {BOOTSTRAP_SAMPLES} bootstrap resamples, fixed seed)")
    for run in runs:
        if args.worst:
            print(f"{run.name}: worst pages")
            print("\n".join(_worst(run, pages, args.worst)))
    if args.dump:
        dump = {
            run.name: {
                page.page_id: {"output": out, "f1": score.f1, "exact": score.exact}
                for page, out, score in zip(pages, run.outputs, run.scores, strict=True)
            }
            for run in runs
        }
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
