"""Benchmark inputs: the example page, and long articles from the benchmark's reference texts."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kyiv-independent.html"
SHARED = ROOT.parent / "shared" / "data" / "extraction-dev" / "ground-truth.json"


def _english_paragraphs() -> list[str]:
    truth = json.loads(SHARED.read_text(encoding="utf-8"))
    paragraphs = []
    for page in sorted(truth.values(), key=lambda p: p["url"]):
        body = page["articleBody"]
        if body.isascii():
            paragraphs += [" ".join(p.split()) for p in body.split("\n") if len(p.split()) >= 12]
    return paragraphs


def long_article(words: int, folder: Path) -> Path:
    """An HTML article of about ``words`` words of English news prose, no sentence repeated.

    Paragraphs come from the reference bodies of the extraction benchmark (English pages, about
    5,000 words). Longer articles go round again with every sentence marked "(take N)", so no
    two segments are the same and neither the segment cache nor a render's own spool can
    flatter a cold render.
    """
    source = _english_paragraphs()
    paragraphs: list[str] = []
    count = 0
    take = 1
    while count < words:
        for para in source:
            if take > 1:
                para = re.sub(r"([.!?])(\s|$)", rf" (take {take})\1\2", para)
            paragraphs.append(para)
            count += len(para.split())
            if count >= words:
                break
        take += 1
    body_html = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>A long read of {count} words</title>
<meta name="author" content="Bench Writer"></head>
<body><article><h1>A long read of {count} words</h1>
{body_html}
</article></body></html>"""
    path = folder / f"long-{words}.html"
    path.write_text(page, encoding="utf-8")
    return path
