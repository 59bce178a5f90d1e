"""Benchmark inputs: the example page, and long articles built from the benchmark's reference texts."""

from __future__ import annotations

import html
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kyiv-independent.html"
SHARED = ROOT.parent / "shared" / "data" / "extraction-dev" / "ground-truth.json"


def long_article(words: int, folder: Path) -> Path:
    """An HTML article of about ``words`` words of distinct English news prose.

    Paragraphs come from the reference bodies of the extraction benchmark (English pages
    only), so no two segments repeat and the segment cache cannot flatter a cold render.
    """
    truth = json.loads(SHARED.read_text(encoding="utf-8"))
    paragraphs: list[str] = []
    count = 0
    for page in sorted(truth.values(), key=lambda p: p["url"]):
        body = page["articleBody"]
        if not body.isascii():
            continue
        for para in body.split("\n"):
            para = " ".join(para.split())
            if len(para.split()) < 12:
                continue
            paragraphs.append(para)
            count += len(para.split())
            if count >= words:
                break
        if count >= words:
            break
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
