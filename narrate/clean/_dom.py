"""The page as narrate sees it: an lxml tree pruned of what is never spoken, read into blocks.

* :func:`parse` reads the HTML once with lxml (about 1 ms a page on the dev pages, against
  15 ms for beautifulsoup4), dropping comments and processing instructions, tails kept.
* :func:`metadata_skeleton` cuts the page down to what :mod:`narrate.metadata` reads.
* :func:`prune_unspoken` removes what a listener must never hear wherever it is: scripts,
  players, images (and so their alt text), figures and captions, forms' controls, hidden
  elements, embedded social posts' furniture (picture links, attribution lines).
* :func:`boilerplate_elements` names the furniture inside an element by tag, class or id
  (share bars, related cards, newsletters, bylines ...); the caller decides, by the votes,
  which of them are in fact the article's wrapper, and :func:`drop` removes the rest.
* :func:`linearize` reads a tree into :class:`DomBlock` s in reading order: one per
  paragraph, heading, list item, quotation paragraph or table row, each knowing the element it
  came from, so later steps can reason about containers and link density.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from ..metadata import FORM_FIELDS, is_home_link, marks_discussion, word_set
from ..model import BlockKind

# Elements whose content is never part of the spoken article, wherever they are.
_DROP_ALWAYS = word_set(
    """
    script style noscript template iframe svg canvas video audio object embed map picture img
    figcaption button input select textarea option dialog link meta head title
    """
)

# Page furniture that is dropped unless it turns out to hold the article (old sites wrap the
# whole page in a <form>, some templates put the story in an <aside> or <header>).
_DROP_UNLESS_MAIN = word_set("nav aside footer header form menu")

# Class or id words that mark boilerplate on real sites, matched against whole words of the
# class or id split on "-", "_", camelCase and white space ("share" matches "share-bar" and
# "shareBar", not "shareholder").
BOILERPLATE_WORDS = word_set(
    """
    newsletter newsletters subscribe subscription signup sign-up related recommended recommend
    recirc recirculation popular trending share sharing shares social sharebar socials
    author authors author-box authorbox bio byline bylines dateline entry-meta post-meta
    article-meta promo promotion advert advertisement
    advertising ad ads adslot adunit dfp sponsor sponsored outbrain taboola breadcrumb
    breadcrumbs tags tag-list taglist keywords comments comment disqus cookie cookies consent
    paywall player audio-player podcast-player listen caption captions credit credits
    bookmark kg-bookmark-card card-list more-news most-popular editors-picks read-more readmore
    also-read sidebar widget toolbar modal popup banner skip skip-link visually-hidden sr-only
    screen-reader-text pullquote pull-quote print-only hidden hide nocontent noprint rating
    jump-link inline-link moreinfo more-from next-post prev-post previous-post post-navigation
    pagination pager dek standfirst subtitle subheadline
    sub-headline abstract teaser kicker strapline
    """
)

# Class or id words of hover cards: a name in a sentence that, on hover, opens a card with
# the person's latest headlines. The card is the innermost element so named; the ones around
# it also hold the name the sentence needs ("Rep. Ilhan Omar (D-Minn.)").
HOVER_CARD_WORDS = word_set("tooltip popover hovercard rollover")

# Tags that end the current block and start a new one.
_BLOCK_TAGS = word_set(
    """
    address article aside blockquote body center dd details div dl dt fieldset figure footer
    form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary table tbody
    thead tfoot tr ul caption
    """
)
# Inline tags whose edges are a word boundary: table cells are read across a row.
_SPACED_TAGS = frozenset(["td", "th", "a"])
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_SPLIT_WORDS = re.compile(r"[-_\s]+")
_CAMEL = re.compile(r"([a-z])([A-Z])")
_PICTURE_LINK = re.compile(r"pic\.twitter\.com/", re.IGNORECASE)
# The class names of the standard embed markup of social posts. The story quotes the post's
# words (the benchmark's references keep them: "he wrote on Twitter:" needs what follows), but
# not its furniture: the "pic.twitter.com/..." link and "— Name (@handle) date" after them.
_EMBEDDED_POST = frozenset(
    [
        "twitter-tweet",
        "twitter-video",
        "twitter-timeline",
        "instagram-media",
        "tiktok-embed",
        "fb-post",
        "fb-video",
        "reddit-card",
        "bluesky-embed",
        "text-post-media",
    ]
)


@dataclass
class DomBlock:
    """One block of text in reading order and the element it came from."""

    text: str
    kind: BlockKind
    level: int
    owner: HtmlElement
    link_chars: int
    index: int = 0
    votes: dict[str, float] = field(default_factory=dict)

    @property
    def link_density(self) -> float:
        """Share of the block's non-space characters that are link text."""
        return self.link_chars / max(1, len(self.text) - self.text.count(" "))


def parse(html: str) -> HtmlElement | None:
    """The page's tree, or ``None`` when there is no document to read."""
    # lxml refuses str input that still carries an XML encoding declaration.
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return None
    try:
        # A parser per call: lxml parsers must not be shared between threads.
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    return root if isinstance(root, HtmlElement) else None


def class_words(element: HtmlElement) -> set[str]:
    """The words of an element's class and id, lower case, whole and split on - and _."""
    words: set[str] = set()
    for attr in ("class", "id"):
        value = element.get(attr)
        if not value:
            continue
        # camelCase counts as two words: "newsCaption" is a caption.
        for item in _CAMEL.sub(r"\1-\2", value).lower().split():
            words.add(item)
            words.update(_SPLIT_WORDS.split(item))
    return words


def _is_hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def prune_unspoken(root: HtmlElement) -> None:
    """Remove, in place, what is never spoken wherever it is: scripts, media, hidden text."""
    doomed: list[HtmlElement] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _unspoken(element):
            doomed.append(element)
        elif _is_embedded_post(element):
            _keep_the_posts_words(element, doomed)
    drop(doomed)


def _unspoken(element: HtmlElement) -> bool:
    if element.tag in _DROP_ALWAYS or _is_hidden(element):
        return True
    if element.tag == "a" and _PICTURE_LINK.match(element.text_content().strip()):
        return True  # a tweet's picture, as a link: never words
    return element.tag == "figure" and not _holds_text_content(element)


def _is_embedded_post(element: HtmlElement) -> bool:
    return not _EMBEDDED_POST.isdisjoint((element.get("class") or "").lower().split())


def _keep_the_posts_words(post: HtmlElement, doomed: list[HtmlElement]) -> None:
    """Of an embedded post, only its paragraphs are its words: the attribution after them
    (text and date link) goes."""
    paragraphs = [child for child in post if child.tag == "p"]
    if not paragraphs:
        return  # an embed not yet rendered (a bare link): the methods judge it
    for child in post:
        if isinstance(child.tag, str) and child.tag != "p":
            doomed.append(child)
        else:
            child.tail = None
    post.text = None


def in_embedded_post(element: HtmlElement) -> bool:
    """Whether the element is, or is inside, an embedded social post."""
    return any(_is_embedded_post(node) for node in (element, *element.iterancestors()))


def _embeds_a_post(element: HtmlElement) -> bool:
    return any(_is_embedded_post(node) for node in element.iterdescendants())


def _holds_text_content(figure: HtmlElement) -> bool:
    """Figures are pictures with captions and credits, except where a CMS wraps a table or an
    embedded post in one."""
    return figure.find(".//table") is not None or figure.find(".//blockquote") is not None


def boilerplate_elements(scope: HtmlElement) -> list[HtmlElement]:
    """Elements inside ``scope`` that are page furniture by their tag, class or id."""
    return [
        element
        for element in scope.iterdescendants()
        if isinstance(element.tag, str)
        and (
            element.tag in _DROP_UNLESS_MAIN
            or class_words(element) & BOILERPLATE_WORDS
            or _is_hover_card(element)
        )
        # A widget that wraps an embedded post is named like furniture; the post is quoted.
        and not _embeds_a_post(element)
        and not in_embedded_post(element)
    ]


def _is_hover_card(element: HtmlElement) -> bool:
    # A link so named is the name that opens the card.
    if element.tag == "a" or not class_words(element) & HOVER_CARD_WORDS:
        return False
    return not any(
        isinstance(inner.tag, str) and class_words(inner) & HOVER_CARD_WORDS
        for inner in element.iterdescendants()
    )


def drop(elements: list[HtmlElement]) -> None:
    """Remove the elements from the tree (their tails stay)."""
    for element in elements:
        if element.getparent() is not None and not _detached(element):
            element.drop_tree()


def _detached(element: HtmlElement) -> bool:
    """Whether an ancestor was already removed (its subtree is gone from the page)."""
    node = element
    while node is not None:
        parent = node.getparent()
        if parent is None:
            return bool(node.tag != "html")
        node = parent
    return False


# Spaces that the edges of links and cells leave before closing or after opening punctuation.
_SPACE_BEFORE = re.compile(r" (?=[.,;:!?)\]])")
_SPACE_AFTER = re.compile(r"(?<=[(\[]) ")


def _tidy(text: str) -> str:
    return _SPACE_AFTER.sub("", _SPACE_BEFORE.sub("", text))


class _Reader:
    """Accumulates inline text into blocks while :func:`linearize` walks the tree."""

    def __init__(self) -> None:
        self.blocks: list[DomBlock] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.owners: list[HtmlElement] = []
        self.quote_depth = 0
        self.link_depth = 0
        self.breaks = 0

    def add(self, text: str | None) -> None:
        if not text:
            return
        if text.strip():
            self.breaks = 0
        self.parts.append(text)
        if self.link_depth:
            self.link_chars += len(text) - sum(1 for c in text if c.isspace())

    def line_break(self) -> None:
        """A <br>: a space, and two in a row end the paragraph."""
        self.breaks += 1
        if self.breaks >= 2:
            self.flush()
        else:
            self.parts.append(" ")

    def flush(self) -> None:
        text = _tidy(" ".join("".join(self.parts).split()))
        if text and self.owners:
            owner = self.owners[-1]
            self.blocks.append(
                DomBlock(
                    text=text,
                    kind=self._kind(owner),
                    level=_HEADINGS.get(str(owner.tag), 0),
                    owner=owner,
                    link_chars=self.link_chars,
                    index=len(self.blocks),
                )
            )
        self.parts = []
        self.link_chars = 0
        self.breaks = 0

    def _kind(self, owner: HtmlElement) -> BlockKind:
        if owner.tag in _HEADINGS:
            return "heading"
        if owner.tag in ("li", "dd", "dt"):
            return "list_item"
        if self.quote_depth:
            return "quote"
        return "paragraph"


def linearize(start: HtmlElement) -> list[DomBlock]:
    """The text under ``start`` (the page's <body>, or any element) as blocks in reading order."""
    reader = _Reader()
    if start.tag == "html":
        body = start.find("body")
        start = body if body is not None else start
    reader.owners.append(start)
    for event, element in etree.iterwalk(start, events=("start", "end")):
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            if tag in _BLOCK_TAGS:
                reader.flush()
                reader.owners.append(element)
                if tag == "blockquote":
                    reader.quote_depth += 1
            elif tag == "br":
                reader.line_break()
            else:
                if tag in _SPACED_TAGS:
                    reader.add(" ")
                if tag == "a":
                    reader.link_depth += 1
            reader.add(element.text)
        else:
            if tag in _BLOCK_TAGS:
                reader.flush()
                reader.owners.pop()
                if tag == "blockquote":
                    reader.quote_depth -= 1
            else:
                if tag in _SPACED_TAGS:
                    reader.add(" ")
                if tag == "a":
                    reader.link_depth -= 1
            if element is not start:
                reader.add(element.tail)
    reader.flush()
    return reader.blocks


# The elements of <body> that narrate.metadata reads (a superset of them): headings, times,
# bylines and author links, dates in microdata, and JSON-LD, meta and link tags out of place.
_METADATA_TAGS = frozenset(["time", "meta", "link", "base"])  # <h1>: see below


def _feeds_metadata(element: HtmlElement) -> bool:
    tag = element.tag
    if tag == "h1":
        # An <h1> inside a link home is the site's logo, which narrate.metadata tells by that
        # link, an ancestor the skeleton would not keep.
        return not any(
            link.tag == "a" and is_home_link(link.get("href")) for link in element.iterancestors()
        )
    if tag in _METADATA_TAGS:
        return True
    if tag == "script":
        return "ld+json" in (element.get("type") or "").lower()
    if tag == "title":
        return not any(ancestor.tag == "svg" for ancestor in element.iterancestors())
    if "datePublished" in (element.get("itemprop") or ""):
        return True
    classes = (element.get("class") or "").lower()
    credits = (tag == "a" and "author" in (element.get("rel") or "").lower()) or (
        "author" in classes or "byline" in classes
    )
    # narrate.metadata ignores the names in comments and forms by their ancestors, which the
    # skeleton does not keep; so they are left out here.
    return credits and not _in_discussion(element)


def _in_discussion(element: HtmlElement) -> bool:
    """Whether an element belongs to the comments or a form (as narrate.metadata decides)."""
    if any(isinstance(node.tag, str) and node.tag in FORM_FIELDS for node in element.iter()):
        return True
    for node in (element, *element.iterancestors()):
        if node.tag in ("body", "html"):
            return False
        if node.tag in FORM_FIELDS:
            return True
        classes = (node.get("class") or "").lower().split()
        ids = (node.get("id") or "").lower().split()
        if marks_discussion(classes, ids):
            return True
    return False


def metadata_skeleton(root: HtmlElement) -> str:
    """The page reduced to what :mod:`narrate.metadata` reads, as HTML.

    beautifulsoup4 builds a Python object per element: on the dev pages parsing the whole page
    took 15 ms (the cleaner's largest single cost), parsing this skeleton well under 1 ms, for
    the same metadata on every page (a test compares both on the metadata fixtures). The
    first <article> is kept as an empty shell around what it contained, because metadata
    prefers what is inside it.
    """
    head = root.find("head")
    head_markup = (
        ""
        if head is None
        else etree.tostring(head, encoding="unicode", method="html", with_tail=False)
    )
    article = next(root.iterfind(".//body//article"), None)
    parts: list[str] = []
    in_article: list[str] = []
    taken: set[HtmlElement] = set()
    shell_placed = False
    body = root.find("body")
    candidates = [] if body is None else body.iterdescendants()
    for element in candidates:
        if not isinstance(element.tag, str) or not _feeds_metadata(element):
            continue
        if any(ancestor in taken for ancestor in element.iterancestors()):
            continue
        taken.add(element)
        markup = etree.tostring(element, encoding="unicode", method="html", with_tail=False)
        if article is not None and (element is article or article in element.iterancestors()):
            in_article.append(markup)
            continue
        if in_article and not shell_placed:
            parts.append(_shell(in_article))
            shell_placed = True
        parts.append(markup)
    if article is not None and not shell_placed:
        parts.append(_shell(in_article))
    attributes = "".join(f' {name}="{_escape(value)}"' for name, value in root.attrib.items())
    return f"<html{attributes}>{head_markup}<body>{''.join(parts)}</body></html>"


def _shell(inner: list[str]) -> str:
    return f"<article>{''.join(inner)}</article>"


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
