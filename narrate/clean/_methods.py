"""Independent opinions on what the article text is, one function per method.

Each method reads the whole page, before narrate prunes anything, so that their mistakes stay
independent of narrate's; each returns plain text, or ``""`` when it finds nothing. The
cleaner prints none of them: they are votes on its own blocks (see ``_select``).

* :func:`trafilatura_text`: trafilatura's main-content heuristics (the strongest single
  extractor on the article-extraction benchmark: F1 0.962 on the dev pages).
* :func:`readability_text`: readability-lxml, Mozilla Readability's text-density scoring
  (F1 0.954), which fails on different pages than trafilatura.
* :func:`json_ld_text`: schema.org ``articleBody`` from JSON-LD, what the publisher itself
  says the article is, when it gives it (rare, and sometimes a truncated teaser).
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import re
from typing import Any

from lxml.html import HtmlElement

_log = logging.getLogger(__name__)
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


def trafilatura_text(html: str, url: str | None) -> str:
    """The article text according to trafilatura (``""`` when it finds none)."""
    import trafilatura

    try:
        text = trafilatura.extract(
            html,
            url=url,
            include_comments=False,
            include_tables=True,
            favor_precision=False,
            # Skips trafilatura's own second opinion (its readability and jusText fallbacks):
            # narrate compares methods itself, and it halves the time (12 ms instead of 20 ms
            # a page on the dev pages).
            fast=True,
            with_metadata=False,
            deduplicate=False,
        )
    except Exception as exc:  # a third-party parser on arbitrary input: a vote is optional
        _log.debug("trafilatura failed: %s", exc)
        return ""
    return text or ""


def readability_text(root: HtmlElement) -> str:
    """The article text according to readability-lxml (``""`` when it finds none).

    ``root`` is narrate's parse of the page, which readability copies before each pass.
    """
    import lxml.html

    try:
        summary = _readability_document(root).summary(html_partial=True)
        if not summary.strip():
            return ""
        tree = lxml.html.fromstring(summary)
    except Exception as exc:  # a third-party parser on arbitrary input: a vote is optional
        _log.debug("readability failed: %s", exc)
        return ""
    return " ".join(tree.itertext())


def _readability_document(root: HtmlElement) -> Any:
    return _readability_class()(root)


@functools.cache
def _readability_class() -> Any:
    """readability's Document, subclassed once (imported when first used)."""
    from readability import Document  # type: ignore[import-untyped]

    class _Parsed(Document):  # type: ignore[misc]
        """readability on narrate's own parse.

        readability-lxml parses the page again and runs lxml_html_clean over it, which took
        12 of its 19 ms a page on the dev pages; the cleaner's only effect on the text is to
        remove scripts, styles, links and comments, which this copy does directly.
        """

        def _parse(self, input: HtmlElement) -> HtmlElement:
            doc = copy.deepcopy(input)
            for element in doc.xpath("//script|//style|//link|//noscript|//template|//*[@hidden]"):
                element.drop_tree()
            for element in doc.xpath("//*[@style]"):
                if _DISPLAY_NONE.search(element.get("style") or ""):
                    element.drop_tree()
            return doc

    return _Parsed


def json_ld_text(root: HtmlElement) -> str:
    """The longest schema.org ``articleBody`` in the page's JSON-LD, as plain text."""
    bodies: list[str] = []
    for script in root.iterfind(".//script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data: object = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            continue
        _collect_bodies(data, bodies, 0)
    if not bodies:
        return ""
    body = max(bodies, key=len)
    if "<" in body:  # some CMSes put the HTML of the body there
        import lxml.html
        from lxml import etree

        try:
            body = " ".join(lxml.html.fromstring(body).itertext())
        except (ValueError, etree.ParserError):
            return ""
    return body


def _collect_bodies(value: object, out: list[str], depth: int) -> None:
    if depth > 20:
        return
    if isinstance(value, list):
        for item in value:
            _collect_bodies(item, out, depth + 1)
    elif isinstance(value, dict):
        body = value.get("articleBody")
        if isinstance(body, str) and body.strip():
            out.append(body)
        for item in value.values():
            if isinstance(item, (dict, list)):
                _collect_bodies(item, out, depth + 1)
