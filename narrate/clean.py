"""Stage 2: an HTML page → the readable article (metadata and body blocks).

The body comes from trafilatura, whose XML output keeps headings, quotations and lists, run on
a copy of the page from which beautifulsoup4 has first removed what is never spoken: figures
and captions, player widgets, newsletter forms, related-story cards, author boxes, share bars.
Metadata comes from :mod:`narrate.metadata` (JSON-LD, OpenGraph, meta tags, the page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from .errors import ExtractionError
from .metadata import Metadata, extract_metadata
from .model import Article, Block, BlockKind, Page

# Elements whose content is never part of the spoken article.
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "video",
    "audio",
    "figure",
    "figcaption",
    "picture",
    "img",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "nav",
    "aside",
    "footer",
    "dialog",
)

# Class or id words that mark boilerplate on real sites. Matched against whole words of the
# class/id (split on - and _), so "share" matches "share-bar" but not "shareholder".
_BOILERPLATE_WORDS = frozenset(
    [
        "newsletter",
        "newsletters",
        "subscribe",
        "subscription",
        "signup",
        "sign-up",
        "related",
        "recommended",
        "recommend",
        "popular",
        "trending",
        "share",
        "sharing",
        "social",
        "sharebar",
        "author-box",
        "authorbox",
        "bio",
        "byline-box",
        "promo",
        "promotion",
        "advert",
        "advertisement",
        "ad",
        "ads",
        "adslot",
        "sponsor",
        "sponsored",
        "outbrain",
        "taboola",
        "breadcrumb",
        "breadcrumbs",
        "tags",
        "tag-list",
        "taglist",
        "comments",
        "comment",
        "cookie",
        "cookies",
        "consent",
        "paywall",
        "player",
        "audio-player",
        "podcast-player",
        "listen",
        "caption",
        "credit",
        "credits",
        "bookmark",
        "kg-bookmark-card",
        "card-list",
        "more-news",
        "most-popular",
        "editors-picks",
        "read-more",
        "readmore",
        "also-read",
        "sidebar",
        "widget",
        "toolbar",
        "modal",
        "popup",
        "banner",
        "skip",
        "skip-link",
        "visually-hidden",
        "sr-only",
        "screen-reader-text",
    ]
)

# Whole lines that are furniture, not prose, in any block.
_LABEL_LINES = re.compile(
    r"""^(
        this\ audio\ is\ (created|generated)\ with\ ai(\ assistance)?\.?
      | listen\ to\ (this\ )?(article|story)(\ \d+\ min(utes?)?)?\.?
      | (\d+\ min(ute)?s?\ (read|listen))
      | advertisement | sponsored(\ content)? | ad
      | (read\ more|related|see\ also|also\ read|more\ news|most\ popular)\b.{0,60}
      | (sign\ up|subscribe)\b.{0,80}
      | share(\ this(\ article|\ story)?)?(\ on\ \w+)?
      | (photo|image|illustration|video)(\ credit)?:.{0,120}
      | \*?\ ?indicates\ required
      | (https?://|www\.)\S+
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

_MIN_WORDS = 20  # less than this is a teaser or an error page, not an article to narrate


@dataclass(frozen=True)
class CleanSettings:
    """Knobs for the cleaner."""

    min_words: int = _MIN_WORDS


def _words_of(node: Tag) -> set[str]:
    words: set[str] = set()
    for attr in ("class", "id"):
        value = node.get(attr)
        values = value if isinstance(value, list) else [value] if value else []
        for item in values:
            item = item.lower()
            words.add(item)
            words.update(re.split(r"[-_\s]+", item))
    return words


def _paragraph_chars(node: Tag) -> int:
    return sum(len(p.get_text(" ", strip=True)) for p in node.find_all("p"))


def _strip_unspoken(soup: BeautifulSoup) -> None:
    """Remove, in place, every element whose content a listener should never hear."""
    for node in soup.find_all(_DROP_TAGS):
        node.decompose()
    hidden = soup.select(
        '[hidden], [aria-hidden="true"], [style*="display:none"], [style*="display: none"]'
    )
    for node in hidden:
        if not node.decomposed:
            node.decompose()
    body = soup.body or soup
    total = max(1, _paragraph_chars(body))
    for node in body.find_all(True):
        if node.decomposed or not isinstance(node, Tag) or node.name in ("html", "body", "main"):
            continue
        # A wrapper holding most of the prose is the article itself, whatever its class.
        if _words_of(node) & _BOILERPLATE_WORDS and _paragraph_chars(node) < 0.4 * total:
            node.decompose()


def _block_text(element: object) -> str:
    from lxml import etree

    assert isinstance(element, etree._Element)
    return " ".join("".join(element.itertext()).split())


def _blocks_from_xml(xml: str) -> list[Block]:
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find(".//main")
    if main is None:
        return []
    blocks: list[Block] = []

    def add(kind: BlockKind, element: etree._Element, level: int = 0) -> None:
        text = _block_text(element)
        if text and not _LABEL_LINES.match(text):
            blocks.append(Block(kind, text, level))

    for element in main:
        tag = element.tag
        if tag == "head":
            rend = str(element.get("rend", "h2"))
            level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2
            add("heading", element, level)
        elif tag == "p":
            add("paragraph", element)
        elif tag == "quote":
            paragraphs = element.findall("p")
            for part in paragraphs or [element]:
                add("quote", part)
        elif tag == "list":
            for item in element.iter("item"):
                add("list_item", item)
    return blocks


def _drop_furniture(blocks: list[Block], meta: Metadata) -> list[Block]:
    """Drop a repeated headline, a byline or a dateline that trafilatura kept as prose."""
    title = (meta.title or "").strip().lower()
    authors = {a.lower() for a in meta.authors}
    out = []
    for block in blocks:
        low = block.text.lower().strip(" .")
        if title and low == title.strip(" ."):
            continue
        if low.removeprefix("by ").removeprefix("author: ").strip() in authors:
            continue
        out.append(block)
    return out


def _trafilatura_blocks(html: str, url: str | None) -> list[Block]:
    import trafilatura

    xml = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
    )
    return _blocks_from_xml(xml) if xml else []


def clean(page: Page, settings: CleanSettings | None = None) -> Article:
    """Extract the article from ``page``; raise :class:`ExtractionError` if there is none.

    >>> page = Page(html="<html><head><title>T</title></head><body><article>"
    ...             + "<p>" + "Words of the story go here. " * 10 + "</p></article></body></html>",
    ...             source="example.html")
    >>> clean(page).blocks[0].kind
    'paragraph'
    """
    settings = settings or CleanSettings()
    soup = BeautifulSoup(page.html, "lxml")
    meta = extract_metadata(soup, page.url)
    _strip_unspoken(soup)
    blocks = _drop_furniture(_trafilatura_blocks(str(soup), page.url), meta)
    words = sum(len(b.text.split()) for b in blocks)
    if words < settings.min_words:
        raise ExtractionError(
            f"No article found in {page.source}: it has no body text to narrate "
            f"({words} words found). Check that it is an article page, not an index or a paywall."
        )
    title = meta.title or blocks[0].text
    return Article(
        title=title,
        blocks=tuple(blocks),
        authors=meta.authors,
        published=meta.published,
        language=meta.language,
        site_name=meta.site_name,
        canonical_url=meta.canonical_url or page.url,
        image_url=meta.image_url,
        description=meta.description,
    )
