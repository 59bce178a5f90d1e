"""Stage 2: an HTML page → the readable article (metadata and body blocks).

What a listener hears is only as good as what the cleaner keeps, so the body is chosen by
agreement between independent methods and then read out of narrate's own parse of the page:

1. **Parse** the page once with lxml (:mod:`._dom`).
2. **Ask the methods** (:mod:`._methods`), each on the original page: trafilatura,
   readability-lxml and the publisher's JSON-LD ``articleBody``. Their texts are opinions,
   never printed.
3. **Prune** what is never spoken wherever it is (scripts, players, figures and captions,
   images and their alt text, forms, hidden elements) and read the page into blocks:
   paragraphs, headings, list items, quotations, table rows.
4. **Vote** (:mod:`._select`): a block is voted for by a method that holds most of its
   word 4-grams. The article's container is the deepest element holding 90% of the voted
   words; inside it, elements named as furniture (share bars, related cards, newsletter
   boxes, bylines, captions ...) are removed unless they hold 40% of the voted words (then
   they are the article's own wrapper), and the page is read again.
5. **Keep** the blocks from the first voted one to the last, except those a rule recognises
   as furniture by its form (:mod:`._rules`): unvoted, the headline again, all link,
   labels ("Advertisement", "Read more: ..."), captions with credits, bare addresses,
   calls to action at the edges, agency credit lines.

On the 91 dev pages of the article-extraction benchmark this scores F1 0.98 against
trafilatura's 0.96 (``bench/extraction.py``; ``bench/README.md`` has the table). Metadata
comes from :mod:`narrate.metadata` (JSON-LD, OpenGraph, meta tags, the page); the text tells
the language when the page declares none or plainly declares the wrong one (:mod:`._language`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup
from lxml.html import HtmlElement

from ..errors import ExtractionError
from ..metadata import Metadata, extract_metadata
from ..model import Article, Block, Page
from . import _dom, _methods, _rules, _select
from ._language import resolve_language

__all__ = ["CleanSettings", "clean"]

_MIN_WORDS = 20  # less than this is a teaser or an error page, not an article to narrate
# The container is the deepest element holding this share of the voted words: 0.9 leaves
# room for a stray voted line elsewhere (a footer both methods kept) without climbing to
# <body>.
_CONTAINER_SHARE = 0.9
# Furniture by class or tag inside the container is kept when it holds this share of the
# voted words: then it is the article's own wrapper, whatever its name (one dev page keeps
# its story in "l-sidebar-fixed l-article-body-segment").
_FURNITURE_SHARE = 0.4
# Han, kana and hangul runs: Japanese and Chinese write no spaces between words, so their
# length in characters, halved, stands in for a word count.
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")

Verdict = tuple[_dom.DomBlock, str | None]


@dataclass(frozen=True)
class CleanSettings:
    """Knobs for the cleaner."""

    min_words: int = _MIN_WORDS


def _opinions(page: Page, root: HtmlElement) -> dict[str, _select.Opinion]:
    """Each method's text, prepared for voting (methods that found nothing abstain)."""
    texts = {
        "trafilatura": _methods.trafilatura_text(page.html, page.url),
        "readability": _methods.readability_text(root),
        "json_ld": _methods.json_ld_text(root),
    }
    return {name: _select.Opinion.of(text) for name, text in texts.items() if text.strip()}


def _trace(page: Page, root: HtmlElement, meta: Metadata) -> list[Verdict]:
    """Every block of the article's container with the rule that dropped it (None: kept).

    ``root`` is consumed: it is pruned in place.
    """
    opinions = _opinions(page, root)
    _dom.prune_unspoken(root)
    blocks = _dom.linearize(root)
    _select.vote(blocks, opinions)
    mass = _select.voted_mass(blocks)
    if not mass:
        return []
    box = _select.container(mass, _CONTAINER_SHARE)
    total = mass[box]
    _dom.drop(
        [
            element
            for element in _dom.boilerplate_elements(box)
            if mass.get(element, 0) < _FURNITURE_SHARE * total
        ]
    )
    blocks = _dom.linearize(box)
    _select.vote(blocks, opinions)
    voted = [b for b in blocks if _select.is_voted(b)]
    if not voted:
        return []
    first, last = voted[0].index, voted[-1].index
    titles = _rules.title_tokens(meta.title)
    verdicts: list[Verdict] = []
    for block in blocks:
        if not first <= block.index <= last:
            verdicts.append((block, "outside"))
            continue
        context = _rules.Context(
            title_tokens=titles, position=block.index - first, count=last - first + 1
        )
        verdicts.append((block, _rules.furniture(block, context)))
    return verdicts


def _body_blocks(page: Page, root: HtmlElement, meta: Metadata) -> list[Block]:
    kept: list[Block] = []
    for block, reason in _trace(page, root, meta):
        if reason is None:
            text = _rules.shorten_raw_links(_rules.drop_more_link(block.text))
            if text:
                kept.append(Block(block.kind, text, block.level))
    return kept


def _word_count(blocks: list[Block]) -> int:
    words = 0
    for block in blocks:
        words += len(block.text.split())
        words += sum(len(run) for run in _CJK_RUN.findall(block.text)) // 2
    return words


def clean(page: Page, settings: CleanSettings | None = None) -> Article:
    """Extract the article from ``page``; raise :class:`ExtractionError` if there is none.

    >>> page = Page(html="<html><head><title>T</title></head><body><article>"
    ...             + "<p>" + "Words of the story go here. " * 10 + "</p></article></body></html>",
    ...             source="example.html")
    >>> clean(page).blocks[0].kind
    'paragraph'
    """
    settings = settings or CleanSettings()
    root = _dom.parse(page.html)
    if root is None:
        raise ExtractionError(
            f"No article found in {page.source}: it holds no HTML document. "
            "Check that it is a web page."
        )
    meta = extract_metadata(BeautifulSoup(_dom.metadata_skeleton(root), "lxml"), page.url)
    blocks = _body_blocks(page, root, meta)
    words = _word_count(blocks)
    if words < settings.min_words:
        raise ExtractionError(
            f"No article found in {page.source}: it has no body text to narrate "
            f"({words} words found). Check that it is an article page, not an index or a paywall."
        )
    return Article(
        title=meta.title or blocks[0].text,
        blocks=tuple(blocks),
        authors=meta.authors,
        published=meta.published,
        # The declared language unless the text plainly is another (a German story under a
        # template's lang="en"); a page that declares none is told by its text.
        language=resolve_language(meta.language, [meta.title or "", *(b.text for b in blocks)]),
        site_name=meta.site_name,
        canonical_url=meta.canonical_url or page.url,
        image_url=meta.image_url,
        description=meta.description,
    )
