"""Article metadata (title, authors, date, language, ...) read from a page's markup.

Pages describe themselves several times over, with varying honesty. The sources are read in
order of trust and, per field, the first usable value wins:

1. JSON-LD (``<script type="application/ld+json">``): written for search engines, so usually
   the most careful description of the article itself.
2. OpenGraph and ``article:*`` meta tags: written for social previews, nearly always present,
   occasionally stale or decorated for sharing.
3. Other meta tags (``author``, ``parsely-*``, ``sailthru.*``, Dublin Core, ``twitter:*``).
4. The visible page: ``<html lang>``, ``<link rel=canonical>``, ``<h1>``/``<title>``, byline
   elements and ``<time datetime>``.

Every value is normalised before it competes, so a malformed value in a trusted source falls
through to a less trusted one instead of winning: dates become ISO 8601, languages BCP 47,
URLs absolute, and author strings are split into de-duplicated names. Nothing here touches the
network.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypedDict
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

__all__ = ["Metadata", "extract_metadata"]


@dataclass(frozen=True)
class Metadata:
    """What a page says about its article; every field is optional.

    ``published`` is ISO 8601: a full datetime with offset when the source gives one
    (``2025-05-05T21:13:00+03:00``), else a date (``2025-05-05``). ``language`` is a BCP 47 tag
    (``en``, ``en-US``, ``uk``). ``canonical_url`` and ``image_url`` are absolute http(s) URLs.
    """

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    image_url: str | None = None
    description: str | None = None


class _Partial(TypedDict, total=False):
    """One source's opinion: only the fields it could fill, already normalised."""

    title: str
    authors: tuple[str, ...]
    published: str
    language: str
    site_name: str
    canonical_url: str
    image_url: str
    description: str


def extract_metadata(soup: BeautifulSoup, url: str | None = None) -> Metadata:
    """Read the article's metadata from a parsed page.

    ``url`` is the page's final address; relative canonical and image URLs are resolved
    against it (or against ``<base href>``) and dropped when it is unknown.
    """
    scan = _scan(soup)
    base = _base_url(url, scan.base_href)
    parts = [
        _from_json_ld(scan.json_ld, base),
        _from_open_graph(scan.meta, base),
        _from_meta(scan.meta, scan.itemprop_dates, base),
    ]
    site_name = _first_of(parts, "site_name")
    parts.append(_from_page(scan, base, site_name))

    title = _first_of(parts, "title")
    headline = parts[-1].get("title")
    if title and headline:
        title = _prefer_headline(title, headline)
    if title and site_name:
        title = _strip_site_name(title, site_name)
    return Metadata(
        title=title,
        authors=next((p["authors"] for p in parts if "authors" in p), ()),
        published=_first_of(parts, "published"),
        language=_first_of(parts, "language"),
        site_name=site_name,
        canonical_url=_first_of(parts, "canonical_url"),
        image_url=_first_of(parts, "image_url"),
        description=_first_of(parts, "description"),
    )


# --------------------------------------------------------------------------- the single pass


@dataclass
class _Scan:
    """Everything the sources need, gathered in one walk over the tree."""

    json_ld: list[str] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    itemprop_dates: list[str] = field(default_factory=list)
    html_lang: str | None = None
    content_language: str | None = None
    base_href: str | None = None
    canonicals: list[str] = field(default_factory=list)
    title: str | None = None
    h1s: list[Tag] = field(default_factory=list)
    rel_authors: list[Tag] = field(default_factory=list)
    bylines: list[Tag] = field(default_factory=list)
    times: list[Tag] = field(default_factory=list)
    article: Tag | None = None


# Matches "byline", "author", and BEM/utility spellings such as "article__byline",
# "post-author" or "author-name", but not "author-bio" or "authors-list".
_BYLINE_CLASS_RE = re.compile(r"(?:[\w-]*[-_])?(?:byline|author)(?:[-_]+name)?", re.IGNORECASE)
_NON_CONTENT_TAGS = frozenset({"script", "style", "noscript", "template", "head", "meta", "link"})
FORM_FIELDS = ["label", "input", "textarea", "select"]
"""Form controls: a name near one is a comment form's field, not a byline."""


def word_set(text: str) -> frozenset[str]:
    """The words of ``text`` as a set: tables of tag, class and role names."""
    return frozenset(text.split())


def _scan(soup: BeautifulSoup) -> _Scan:
    scan = _Scan()
    for node in soup.descendants:
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name == "script":
            if (_attr(node, "type") or "").strip().lower() == "application/ld+json":
                scan.json_ld.append(node.get_text())
            continue
        if name == "meta":
            _scan_meta(node, scan)
            continue
        if name == "link":
            rel = _tokens(node, "rel")
            href = _attr(node, "href")
            if "canonical" in rel and href:
                scan.canonicals.append(href)
            continue
        if name == "html" and scan.html_lang is None:
            scan.html_lang = _attr(node, "lang") or _attr(node, "xml:lang")
        elif name == "base" and scan.base_href is None:
            scan.base_href = _attr(node, "href")
        elif name == "title" and scan.title is None and node.find_parent("svg") is None:
            scan.title = node.get_text()
        elif name == "h1":
            scan.h1s.append(node)
        elif name == "time":
            scan.times.append(node)
        elif name == "article" and scan.article is None:
            scan.article = node
        elif name == "a" and "author" in _tokens(node, "rel") and not _in_discussion(node):
            scan.rel_authors.append(node)

        if (_attr(node, "itemprop") or "").strip() == "datePublished":
            value = _attr(node, "content") or _attr(node, "datetime") or node.get_text()
            scan.itemprop_dates.append(value)
        if (
            name not in _NON_CONTENT_TAGS
            and any(_BYLINE_CLASS_RE.fullmatch(token) for token in _tokens(node, "class"))
            and not _in_discussion(node)
        ):
            scan.bylines.append(node)
    return scan


def _in_discussion(tag: Tag) -> bool:
    """Whether a byline candidate belongs to the comments or a form, not to the article.

    A comment form's "Name (required)" field is classed "comment-form-author", and each
    comment credits its "comment-author"; neither is the article's author. <html> and <body>
    are not asked: WordPress classes the body "comments-open" on every post.
    """
    if tag.find(FORM_FIELDS) is not None:
        return True
    for node in (tag, *tag.parents):
        if node.name in ("body", "html", "[document]"):
            return False
        if node.name in FORM_FIELDS or _discussion_marker(node):
            return True
    return False


def _discussion_marker(tag: Tag) -> bool:
    return marks_discussion(_tokens(tag, "class"), _tokens(tag, "id"))


def marks_discussion(classes: Iterable[str], ids: Iterable[str]) -> bool:
    """Whether an element so named holds the comments (WordPress's "respond" included)."""
    return any(token.startswith("comment") for token in classes) or any(
        token.startswith("comment") or token == "respond" for token in ids
    )


def _scan_meta(node: Tag, scan: _Scan) -> None:
    content = _attr(node, "content")
    if content is None:
        return
    if (_attr(node, "http-equiv") or "").strip().lower() == "content-language":
        scan.content_language = scan.content_language or content
    if (_attr(node, "itemprop") or "").strip() == "datePublished":
        scan.itemprop_dates.append(content)
    # Some sites put OpenGraph keys in name= and others Twitter keys in property=, so both
    # attributes feed one case-insensitive map.
    keys = {(_attr(node, key) or "").strip().lower() for key in ("property", "name")}
    for key in keys - {""}:
        scan.meta.setdefault(key, []).append(content)


def _attr(tag: Tag, name: str) -> str | None:
    value = tag.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return " ".join(value)


def _tokens(tag: Tag, name: str) -> list[str]:
    return (_attr(tag, name) or "").lower().split()


# --------------------------------------------------------------------------- 1. JSON-LD

_JsonNode = dict[str, object]
_Resolver = Callable[[object], object]

_ARTICLE_TYPES = frozenset({"BlogPosting", "LiveBlogPosting", "SocialMediaPosting", "Report"})
_PAGE_TYPES = frozenset({"WebPage", "ItemPage"})
_MAX_JSON_DEPTH = 40


def _from_json_ld(scripts: list[str], base: str | None) -> _Partial:
    nodes: list[_JsonNode] = []
    for text in scripts:
        data = _load_json(text)
        if data is not None:
            _collect_nodes(data, nodes, 0)
    if not nodes:
        return {}
    resolve = _resolver(nodes)
    article = next((n for n in nodes if _is_article(_types(n))), None)
    page = next((n for n in nodes if _types(n) & _PAGE_TYPES), None)
    # The WebPage only fills what the article leaves out: Yoast, for one, puts the
    # description there and not on the Article.
    chain = [n for n in (article, page) if n is not None]
    website = next((n for n in nodes if "WebSite" in _types(n)), None)

    authors: tuple[str, ...] = ()
    for node in chain:
        authors = _clean_authors(_ld_authors(node.get("author"), resolve))
        if authors:
            break
    site_names = [_ld_name(n.get("publisher"), resolve) for n in chain]
    if website is not None:
        site_names.append(_ld_text(website.get("name")))
    return _partial(
        title=_first(
            _clean_text(_ld_text(n.get(key))) for n in chain for key in ("headline", "name")
        ),
        authors=authors,
        published=_first(
            _parse_date(_ld_text(n.get(key)))
            for n in chain
            for key in ("datePublished", "dateCreated")
        ),
        language=_first(_clean_language(_ld_language(n.get("inLanguage"))) for n in chain),
        site_name=_first(_clean_text(name) for name in site_names),
        canonical_url=_first(
            _clean_url(value, base)
            for n in chain
            for value in (_ld_page_url(n.get("mainEntityOfPage")), _ld_text(n.get("url")))
        ),
        image_url=_first(
            _clean_url(_ld_image(n.get(key), resolve), base)
            for n in chain
            for key in ("image", "thumbnailUrl")
        ),
        description=_first(_clean_text(_ld_text(n.get("description"))) for n in chain),
    )


_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_CDATA_RE = re.compile(r"(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRAILING_COMMA_RE = re.compile(r",(\s*[}\]])")


def _load_json(text: str) -> object | None:
    text = text.strip().lstrip("\ufeff")
    if not text:
        return None
    # strict=False lets raw newlines and tabs inside strings through, the commonest breakage.
    try:
        data: object = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        pass
    else:
        return data
    repaired = _CONTROL_RE.sub(" ", _CDATA_RE.sub("", text))
    # Comment markers usually wrap the whole object (old "hide from browsers" habit), so
    # dropping just the markers is tried before dropping whole comments.
    for attempt in (
        repaired.replace("<!--", "").replace("-->", ""),
        _HTML_COMMENT_RE.sub("", repaired),
    ):
        try:
            data = json.loads(_TRAILING_COMMA_RE.sub(r"\1", attempt), strict=False)
        except (ValueError, RecursionError):
            continue
        return data
    return None


def _collect_nodes(value: object, out: list[_JsonNode], depth: int) -> None:
    """Every object in document order, so @graph members and nested entities all count."""
    if depth > _MAX_JSON_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            _collect_nodes(item, out, depth + 1)
    elif isinstance(value, dict):
        out.append(value)
        for item in value.values():
            if isinstance(item, (dict, list)):
                _collect_nodes(item, out, depth + 1)


def _resolver(nodes: list[_JsonNode]) -> _Resolver:
    index: dict[str, _JsonNode] = {}
    for node in nodes:
        ident = node.get("@id")
        if isinstance(ident, str) and len(node) > 1:
            index.setdefault(ident, node)

    def resolve(value: object) -> object:
        if isinstance(value, dict):
            ident = value.get("@id")
            target = index.get(ident) if isinstance(ident, str) else None
            if target is not None and target is not value:
                return {**target, **value}
        return value

    return resolve


def _types(node: _JsonNode) -> set[str]:
    raw = node.get("@type")
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    # Full IRIs ("http://schema.org/NewsArticle") appear often enough to matter.
    return {value.rsplit("/", 1)[-1] for value in values if isinstance(value, str)}


def _is_article(types: set[str]) -> bool:
    return bool(types & _ARTICLE_TYPES) or any(t.endswith("Article") for t in types)


def _ld_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return next((item for item in value if isinstance(item, str) and item.strip()), None)
    return None


def _ld_name(value: object, resolve: _Resolver) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        item = resolve(item)
        if isinstance(item, str):
            return item
        if isinstance(item, dict):
            name = _ld_text(item.get("name"))
            if name:
                return name
    return None


def _ld_authors(value: object, resolve: _Resolver) -> list[str]:
    found: list[tuple[str, bool]] = []
    has_person = False
    for item in value if isinstance(value, list) else [value]:
        item = resolve(item)
        if isinstance(item, str):
            found.append((item, False))
        elif isinstance(item, dict):
            name = _ld_text(item.get("name"))
            types = _types(item)
            has_person = has_person or "Person" in types
            if name:
                found.append((name, any(t.endswith("Organization") for t in types)))
    # A newsroom credited next to its reporters is noise; credited alone it is the author.
    return [name for name, is_org in found if not (is_org and has_person)]


def _ld_language(value: object) -> str | None:
    if isinstance(value, dict):
        return _ld_text(value.get("alternateName")) or _ld_text(value.get("name"))
    return _ld_text(value)


def _ld_page_url(value: object) -> str | None:
    if isinstance(value, dict):
        return _ld_text(value.get("@id")) or _ld_text(value.get("url"))
    return _ld_text(value)


def _ld_image(value: object, resolve: _Resolver) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        item = resolve(item)
        if isinstance(item, str) and item.strip():
            return item
        if isinstance(item, dict):
            found = _ld_text(item.get("url")) or _ld_text(item.get("contentUrl"))
            if found:
                return found
    return None


# --------------------------------------------------------------------------- 2. OpenGraph


def _from_open_graph(meta: dict[str, list[str]], base: str | None) -> _Partial:
    def values(*keys: str) -> Iterator[str]:
        for key in keys:
            yield from meta.get(key, ())

    return _partial(
        title=_first(_clean_text(v) for v in values("og:title")),
        # Facebook wants article:author to be a profile URL; _clean_authors drops those.
        authors=_clean_authors(values("article:author")),
        published=_first(
            _parse_date(v) for v in values("article:published_time", "og:article:published_time")
        ),
        language=_first(_clean_language(v) for v in values("og:locale")),
        site_name=_first(_clean_text(v) for v in values("og:site_name")),
        canonical_url=_first(_clean_url(v, base) for v in values("og:url")),
        image_url=_first(
            _clean_url(v, base) for v in values("og:image", "og:image:url", "og:image:secure_url")
        ),
        description=_first(_clean_text(v) for v in values("og:description")),
    )


# --------------------------------------------------------------------------- 3. other meta

_AUTHOR_KEYS = (
    "author",
    "parsely-author",
    "sailthru.author",
    "byl",
    "citation_author",
    "dc.creator",
    "dcterms.creator",
)
_DATE_KEYS = (
    "date",
    "pubdate",
    "publish-date",
    "parsely-pub-date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "sailthru.date",
    "article.published",
)


def _from_meta(meta: dict[str, list[str]], itemprop_dates: list[str], base: str | None) -> _Partial:
    authors: tuple[str, ...] = ()
    for key in _AUTHOR_KEYS:
        authors = _clean_authors(meta.get(key, ()))
        if authors:
            break
    dates = [value for key in _DATE_KEYS for value in meta.get(key, ())] + itemprop_dates
    return _partial(
        title=_first(_clean_text(v) for v in meta.get("twitter:title", ())),
        authors=authors,
        published=_first(_parse_date(v) for v in dates),
        site_name=_first(_clean_text(v) for v in meta.get("application-name", ())),
        image_url=_first(
            _clean_url(v, base)
            for key in ("twitter:image", "twitter:image:src")
            for v in meta.get(key, ())
        ),
        description=_first(_clean_text(v) for v in meta.get("description", ())),
    )


# --------------------------------------------------------------------------- 4. the page

# A byline often carries its date and the reporter's role after a separator, or in an element
# of its own (which _text marks with "|").
_BYLINE_CUT_RE = re.compile(r"[|•·]")
_BYLINE_SKIP = ("time", "script", "style")


def _from_page(scan: _Scan, base: str | None, site_name: str | None) -> _Partial:
    in_article = [t for t in scan.times if _inside(t, scan.article)] or scan.times
    # A <time pubdate> is the publication date by declaration; other times may be updates.
    in_article.sort(key=lambda t: t.get("pubdate") is None)

    rel_authors = [t for t in scan.rel_authors if _inside(t, scan.article)] or scan.rel_authors
    authors = _clean_authors(_text(t) for t in rel_authors)
    if not authors:
        bylines = [t for t in scan.bylines if _inside(t, scan.article)] or scan.bylines
        for tag in bylines:
            text = _text(tag, skip=_BYLINE_SKIP, block_separator=" | ")
            authors = _first_authors(_BYLINE_CUT_RE.split(text))
            if authors:
                break

    return _partial(
        title=_page_title(scan, site_name),
        authors=authors,
        published=_first(_parse_date(_attr(t, "datetime")) for t in in_article),
        language=_first(_clean_language(v) for v in (scan.html_lang, scan.content_language)),
        canonical_url=_first(_clean_url(v, base) for v in scan.canonicals),
    )


def _page_title(scan: _Scan, site_name: str | None) -> str | None:
    site_key = site_name.casefold() if site_name else None
    # Older themes mark the site logo up as an <h1>; the article's own <h1> comes first.
    h1s = sorted(scan.h1s, key=lambda t: not _inside(t, scan.article))
    for h1 in h1s:
        text = _clean_text(_text(h1))
        if text and text.casefold() != site_key and not _links_home(h1):
            return text
    title = _clean_text(scan.title)
    if not title:
        return None
    if site_name:
        return _strip_site_name(title, site_name)
    match = _TITLE_AND_SITE.match(title)
    if match and len(match["site"]) < len(match["head"]):
        return match["head"]
    return title


# "Headline | Site", "Headline - Site": the last separator in a <title> sets off the site.
_TITLE_AND_SITE = re.compile(r"^(?P<head>.*\S)\s+[|\-–—]\s+(?P<site>[^|\-–—]+)$")


def _links_home(h1: Tag) -> bool:
    """Whether the <h1> is the site's logo: it links to the home page, or sits in such a link."""
    links = [*h1.find_all("a"), *(p for p in h1.parents if p.name == "a")]
    return any(is_home_link(_attr(link, "href")) for link in links)


def is_home_link(href: str | None) -> bool:
    """Whether a link goes to the site's home page (a logo's link)."""
    if href is None or href.strip() in ("", "#"):
        return False
    try:
        return urlsplit(href.strip()).path in ("", "/")
    except ValueError:
        return False


def _prefer_headline(title: str, headline: str) -> str:
    """The page's own headline when the described title is it plus a section or site name.

    "Opinion | X", "X | Editorial", "X | TheHill": the <h1> shows "X".
    """
    lowered, key = title.casefold(), headline.casefold()
    if lowered == key or len(headline.split()) < 2:
        return title
    if lowered.startswith(key) and _DECORATION_AFTER.fullmatch(lowered[len(key) :]):
        return headline
    if lowered.endswith(key) and _DECORATION_BEFORE.fullmatch(lowered[: -len(key)]):
        return headline
    return title


# A separator and a short section or site name: " | Editorial", "Opinion | ". Not a colon,
# which also joins a headline's own parts ("Brexit: what happens next").
_DECORATION_AFTER = re.compile(r"\s*[|–—·»]\s*\S.{0,40}")
_DECORATION_BEFORE = re.compile(r".{0,40}\S\s*[|–—·»]\s*")


def _strip_site_name(title: str, site_name: str) -> str:
    site = re.escape(site_name)
    for pattern in (rf"\s+[|\-–—·:»]+\s+{site}\s*$", rf"^\s*{site}\s+[|\-–—·:»]+\s+"):
        stripped = re.sub(pattern, "", title, flags=re.IGNORECASE).strip()
        if stripped and stripped != title:
            return stripped
    return title


def _inside(tag: Tag, ancestor: Tag | None) -> bool:
    # Identity, not ==: bs4 compares tags by markup, which is both slow and wrong here.
    return ancestor is None or any(parent is ancestor for parent in tag.parents)


def _first_authors(pieces: Iterable[str]) -> tuple[str, ...]:
    """The authors of the first piece of a byline that names any ("By" alone names none)."""
    for piece in pieces:
        authors = _clean_authors([piece])
        if authors:
            return authors
    return ()


# Elements whose edges separate words: "<div>ERIC TUCKER</div><div>Associated Press</div>"
# is two phrases, not "ERIC TUCKERAssociated Press".
_BLOCK_ELEMENTS = word_set(
    "address article aside blockquote br dd div dl dt figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p section table td th tr ul"
)


def _text(tag: Tag, skip: tuple[str, ...] = ("script", "style"), block_separator: str = " ") -> str:
    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag):
            if node.name in _BLOCK_ELEMENTS:
                parts.append(block_separator)
            continue
        # Exact type: Comment, CData and friends subclass NavigableString but are not text.
        if type(node) is not NavigableString:
            continue
        parent = node.parent
        while parent is not None and parent is not tag and parent.name not in skip:
            parent = parent.parent
        if parent is tag:
            previous = node.previous_sibling
            if isinstance(previous, Tag) and previous.name in _BLOCK_ELEMENTS:
                parts.append(block_separator)
            parts.append(str(node))
    return "".join(parts)


# --------------------------------------------------------------------------- normalisation

_SPACE_RE = re.compile(r"\s+")


def _clean_text(raw: str | None) -> str | None:
    if raw is None:
        return None
    text = _SPACE_RE.sub(" ", html.unescape(raw)).strip()
    return text or None


# "By", and the kind of piece before it: "Analysis by Chris Cillizza".
_BY_RE = re.compile(
    r"^(?:(?:analysis|opinion|commentary|review|interview|story|text|words|photos?)\s+)?by\b[\s:]*",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
# A date or time inside a byline ("by Jeff Foust Monday, November 18, 2019"), weekday and
# all; a weekday alone could be a name, so it goes only with a date.
_BYLINE_DATE_RE = re.compile(
    rf"""(?:\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b,?\s*)?
        (?:\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}}\b)?
          | \b\d{{1,2}}(?:st|nd|rd|th)?\.?\s+{_MONTH}\b\.?(?:,?\s+\d{{4}}\b)?
          | \b\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b)
      | \b\d{{1,2}}:\d\d(?:\s*[ap]\.?m\b\.?)?""",
    re.IGNORECASE | re.VERBOSE,
)
# The last word of a job title, not of a name: "AP National Security Writer", "CNN
# Editor-at-large", "Staff", "News Nation Bureau". ("Desk" is left out: a wire desk credited
# alone is the only author a page gives.)
_ROLE_WORDS = word_set(
    """
    writer writers editor editors editor-at-large correspondent correspondents reporter
    reporters columnist columnists contributor contributors staff editorial bureau reports
    """
)
# News agencies credited beside the reporters: a source, not an author.
_AGENCIES = frozenset(
    {"associated press", "the associated press", "ap", "reuters", "afp", "agence france-presse"}
)
# Degrees and credentials split off by the comma that precedes them ("Ilana Muhlstein, MS,
# RDN").
_CREDENTIALS = word_set("md phd ms msc ma mba rd rdn rn dds cpa mph")
# More words than this is a sentence or a headline, not a name.
_MAX_NAME_WORDS = 6
_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:[,;&]|\band\b)\s*", re.IGNORECASE)
_URL_LIKE_RE = re.compile(r"^(?:https?:|mailto:|//|www\.)|\.(?:com|org|net)/", re.IGNORECASE)
_EMAIL_RE = re.compile(r"\S+@\S+\.\S+")
_MAX_AUTHOR_LENGTH = 80


def _clean_authors(raw: Iterable[str]) -> tuple[str, ...]:
    names: list[str] = []
    seen: set[str] = set()
    for value in raw:
        text = _clean_text(value)
        if not text or _URL_LIKE_RE.search(text):
            continue
        text = _BYLINE_DATE_RE.sub(" ", _BY_RE.sub("", text))
        for piece in _AUTHOR_SPLIT_RE.split(text):
            name = _BY_RE.sub("", piece).strip(" -–—:")
            if (
                not name
                or len(name) > _MAX_AUTHOR_LENGTH
                or _URL_LIKE_RE.search(name)
                or _EMAIL_RE.search(name)
                or not any(ch.isalpha() for ch in name)
                or not _name_like(name)
            ):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                names.append(name)
    return tuple(names)


def _name_like(name: str) -> bool:
    """Whether an author piece can be a person's (or a newsroom's) name.

    Not a role ("AP National Security Writer"), an agency, a degree, a handle, a sentence
    ("Siamo un memorabilia ... 80/90!") or a headline (too many words).
    """
    words = name.split()
    last = words[-1].casefold().strip(".,")
    if (
        len(words) > _MAX_NAME_WORDS
        or last in _ROLE_WORDS
        or name.casefold() in _AGENCIES
        or name.casefold().replace(".", "") in _CREDENTIALS
        or name.endswith(("!", "?"))
        # A user handle ("rmb8090"), a date or a count: names hold no digits.
        or any(ch.isdigit() for ch in name)
    ):
        return False
    # A full stop ends a sentence, unless it ends an initial or "Jr.".
    return not name.endswith(".") or len(last) <= 3


_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*", re.IGNORECASE)


def _clean_language(raw: str | None) -> str | None:
    if not raw:
        return None
    # Content-Language may list several ("en, de"); the first is the primary one.
    text = raw.split(",")[0].split(";")[0].strip()
    if not _LANGUAGE_RE.fullmatch(text):
        return None
    primary, *subtags = re.split(r"[-_]", text)
    if primary.lower() == "und":
        return None
    out = [primary.lower()]
    for subtag in subtags:
        if len(subtag) == 4 and subtag.isalpha():
            out.append(subtag.title())
        elif (len(subtag) == 2 and subtag.isalpha()) or (len(subtag) == 3 and subtag.isdigit()):
            out.append(subtag.upper())
        else:
            out.append(subtag.lower())
    return "-".join(out)


def _clean_url(raw: str | None, base: str | None) -> str | None:
    if raw is None:
        return None
    text = html.unescape(raw).strip()
    if not text:
        return None
    if text.startswith("//") and base is None:
        text = "https:" + text
    try:
        if base:
            text = urljoin(base, text)
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def _base_url(url: str | None, base_href: str | None) -> str | None:
    if url is None or not base_href:
        return url
    return _clean_url(base_href, url) or url


_YMD_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?=$|[T\s])")
_UTC_SUFFIX_RE = re.compile(r"\s*(?:Z|UTC|GMT)$", re.IGNORECASE)
_RFC2822_HINT_RE = re.compile(r"\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")
_MONTH_FIRST_RE = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DAY_FIRST_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_DMY_DOTTED_RE = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _parse_date(raw: str | None) -> str | None:
    """ISO 8601 for anything recognisably a date, None for everything else."""
    text = _clean_text(raw)
    if not text:
        return None
    parsed = _parse_iso(text) or _parse_epoch(text) or _parse_rfc2822(text)
    if parsed is None:
        return _parse_month_name(text)
    if not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    # Without an offset a time cannot be placed on the timeline, so only its date is kept.
    if parsed.tzinfo is None:
        return parsed.date().isoformat()
    return parsed.replace(microsecond=0).isoformat()


def _normalise_iso(text: str) -> str:
    match = _YMD_RE.match(text)
    if match:
        year, month, day = match.groups()
        rest = text[match.end() :].strip()
        text = f"{year}-{int(month):02d}-{int(day):02d}"
        if rest:
            text += "T" + rest.removeprefix("T").strip()
    # Python 3.11 already reads "Z", "+0300" and "+03"; the spelled-out zone names and a
    # lower-case "z" are what it still rejects.
    if "T" in text:
        text = _UTC_SUFFIX_RE.sub("+00:00", text)
    return text


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(_normalise_iso(text))
    except ValueError:
        return None


def _parse_epoch(text: str) -> datetime | None:
    if not text.isdigit() or len(text) not in (10, 13):
        return None
    seconds = int(text) / (1000 if len(text) == 13 else 1)
    return datetime.fromtimestamp(seconds, tz=UTC)


def _parse_rfc2822(text: str) -> datetime | None:
    # parsedate is lenient enough to read dates out of prose; only trust it on RFC-shaped text.
    if not _RFC2822_HINT_RE.search(text):
        return None
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_month_name(text: str) -> str | None:
    """Human dates: "May 5, 2025", "5th May 2025", and the dotted "05.05.2025" of Europe."""
    for pattern, order in (
        (_MONTH_FIRST_RE, (0, 1, 2)),
        (_DAY_FIRST_RE, (1, 0, 2)),
        (_DMY_DOTTED_RE, (1, 0, 2)),
    ):
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groups()
        month_text, day, year = (groups[i] for i in order)
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
        if month is None:
            continue
        try:
            parsed = datetime(int(year), month, int(day))
        except ValueError:
            continue
        if _MIN_YEAR <= parsed.year <= _MAX_YEAR:
            return parsed.date().isoformat()
    return None


# --------------------------------------------------------------------------- merging


def _first(values: Iterable[str | None]) -> str | None:
    return next((value for value in values if value), None)


def _partial(
    *,
    title: str | None = None,
    authors: tuple[str, ...] = (),
    published: str | None = None,
    language: str | None = None,
    site_name: str | None = None,
    canonical_url: str | None = None,
    image_url: str | None = None,
    description: str | None = None,
) -> _Partial:
    part: _Partial = {}
    if title:
        part["title"] = title
    if authors:
        part["authors"] = authors
    if published:
        part["published"] = published
    if language:
        part["language"] = language
    if site_name:
        part["site_name"] = site_name
    if canonical_url:
        part["canonical_url"] = canonical_url
    if image_url:
        part["image_url"] = image_url
    if description:
        part["description"] = description
    return part


def _first_of(parts: list[_Partial], key: str) -> str | None:
    for part in parts:
        value = part.get(key)
        if isinstance(value, str):
            return value
    return None
