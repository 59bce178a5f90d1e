"""What a CMS sends the service, read into one :class:`Submission`.

Three shapes are understood (the first that fits wins):

- **Ghost** ``post.published`` / ``post.published.edited`` webhooks:
  ``{"post": {"current": {"id", "url", "title", "html", "status", "published_at",
  "updated_at", ...}, "previous": {...}}}``;
- **WordPress** posts, as the REST API gives them (``id``, ``link``, ``title.rendered``,
  ``content.rendered``, ``status``, ``date_gmt``, ``modified_gmt``), bare or wrapped in
  ``{"post": {...}}`` as webhook plugins send them (which may also use the database's
  field names: ``ID``, ``post_title``, ``post_content``, ``post_status``, ``permalink``);
- **generic**: ``{"url": …}`` (narrate fetches the page) or ``{"html": …, "url": …, "id": …}``
  (the page itself), with optional ``title``, ``published``, ``updated``.

Any shape may carry ``callback_url``: where the job's result is POSTed when it ends.

A post that is not published (a WordPress draft, say) is refused with the reason, as is a
shape narrate does not know: :class:`PayloadError`, HTTP 422. Nothing here touches the
network or the disk: the service answers in milliseconds and the worker does the rest.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

Kind = Literal["generic", "wordpress", "ghost"]

# Job ids are UUIDv5 in this namespace of (article, content): the same version of the same
# article is always the same job, whichever worker or service instance sees it.
JOB_NAMESPACE = uuid.UUID("6f1f3c2e-59a4-4f7e-9b53-3a0c1d2e4b71")
MAX_FIELD_CHARS = 2048
"""Longest id, URL, title or date accepted (the HTML is bounded by the body size cap)."""


class PayloadError(ValueError):
    """The body is JSON but not a payload narrate can narrate; the message says why."""


@dataclass(frozen=True)
class Submission:
    """One article version a CMS asks narrate to narrate.

    ``source`` is the article's identity across versions (``wordpress:<id>``, ``ghost:<id>``,
    ``id:<id>``, or its URL); ``html`` is a whole page to clean, or ``None`` when narrate
    fetches ``url``. ``updated`` only tells versions of a fetched page apart.
    """

    kind: Kind
    source: str
    url: str | None
    html: str | None
    title: str | None = None
    published: str | None = None
    updated: str | None = None
    callback_url: str | None = None

    # Cached (a frozen dataclass keeps them in its __dict__): the service asks for them several
    # times per publish, and hashing a page each time was a tenth of what a publish costs.
    @cached_property
    def content_hash(self) -> str:
        """The hash of what this version holds: same hash, same audio, same job."""
        if self.html is not None:
            what: dict[str, Any] = {"html": self.html, "url": self.url, "title": self.title}
            what["published"] = self.published
        else:  # only the address is known here; the worker hashes the page it fetches
            what = {"url": self.url, "updated": self.updated}
        encoded = json.dumps(what, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()

    @cached_property
    def job_id(self) -> str:
        """The job's id: stable for (article, content), so a repeated request finds its job.

        >>> Submission("generic", "id:1", "https://e.com/a", None).job_id == Submission(
        ...     "generic", "id:1", "https://e.com/a", None, callback_url="https://e.com/cb").job_id
        True
        """
        return str(uuid.uuid5(JOB_NAMESPACE, f"{self.source}\n{self.content_hash}"))

    def to_json(self) -> str:
        """The submission as the job's stored payload."""
        # Every field is a string or None: no need for asdict's deep copy.
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Submission:
        """Read back :meth:`to_json`."""
        return cls(**json.loads(text))


def parse(body: Any) -> Submission:
    """Read a decoded JSON body as a :class:`Submission`; :class:`PayloadError` if it is none.

    >>> parse({"url": "https://example.com/news/1#top"}).source
    'https://example.com/news/1'
    >>> parse({"id": 7, "status": "draft", "link": "https://e.com/?p=7",
    ...        "title": {"rendered": "T"}, "content": {"rendered": "<p>x</p>"}})
    Traceback (most recent call last):
    ...
    narrate.payloads.PayloadError: The WordPress post 7 has status 'draft', not 'publish': ...
    """
    if not isinstance(body, dict):
        raise PayloadError(f"The body must be a JSON object, not {_json_kind(body)}.")
    callback = _url(body, "callback_url", required=False)
    post = body.get("post")
    if isinstance(post, dict) and isinstance(post.get("current"), dict):
        submission = _ghost(post["current"])
    elif isinstance(post, dict):
        submission = _wordpress(post)
    elif isinstance(body.get("content"), dict) and "rendered" in body["content"]:
        submission = _wordpress(body)
    elif "url" in body or "html" in body:
        submission = _generic(body)
    else:
        raise PayloadError(
            'Unknown payload: send {"url": ...}, {"html": ..., "url": ..., "id": ...}, '
            "a WordPress post or a Ghost post.published webhook."
        )
    if callback is None:
        return submission
    return replace(submission, callback_url=callback)


def _generic(body: Mapping[str, Any]) -> Submission:
    url = _url(body, "url", required="html" not in body)
    page = body.get("html")
    if page is not None and (not isinstance(page, str) or not page.strip()):
        raise PayloadError("'html' must be the article's page as a non-empty string.")
    ident = _text(body, "id")
    if page is not None and url is None and ident is None:
        raise PayloadError("An 'html' payload needs the article's 'url' or its 'id'.")
    source = f"id:{ident}" if ident is not None else _canonical(url or "")
    return Submission(
        kind="generic",
        source=source,
        url=url,
        html=page,
        title=_text(body, "title"),
        published=_text(body, "published"),
        updated=_text(body, "updated"),
    )


def _wordpress(post: Mapping[str, Any]) -> Submission:
    ident = _text(post, "id") or _text(post, "ID")
    if ident is None:
        raise PayloadError("A WordPress post needs its 'id'.")
    status = _text(post, "status") or _text(post, "post_status")
    if status is not None and status != "publish":
        raise PayloadError(
            f"The WordPress post {ident} has status '{status}', not 'publish': only published "
            "posts are narrated."
        )
    title = _rendered(post, "title") or _text(post, "post_title")
    content = _rendered(post, "content") or _text(post, "post_content", limit=None)
    if not content:
        raise PayloadError(f"The WordPress post {ident} has no content to narrate.")
    link = _url(post, "link", required=False) or _url(post, "permalink", required=False)
    published = _gmt(_text(post, "date_gmt") or _text(post, "post_date_gmt"))
    updated = _gmt(_text(post, "modified_gmt") or _text(post, "post_modified_gmt"))
    return Submission(
        kind="wordpress",
        source=f"wordpress:{ident}",
        url=link,
        html=_page(title, content, link, published),
        title=title,
        published=published,
        updated=updated,
    )


def _ghost(post: Mapping[str, Any]) -> Submission:
    ident = _text(post, "id")
    if ident is None:
        raise PayloadError("A Ghost post needs its 'id'.")
    status = _text(post, "status")
    if status is not None and status != "published":
        raise PayloadError(
            f"The Ghost post {ident} has status '{status}', not 'published': only published "
            "posts are narrated."
        )
    content = _text(post, "html", limit=None)
    if not content:
        raise PayloadError(f"The Ghost post {ident} has no html to narrate.")
    title = _text(post, "title")
    url = _url(post, "url", required=False)
    published = _text(post, "published_at")
    author = None
    primary = post.get("primary_author")
    if isinstance(primary, dict):
        author = _text(primary, "name")
    return Submission(
        kind="ghost",
        source=f"ghost:{ident}",
        url=url,
        html=_page(title, content, url, published, author),
        title=title,
        published=published,
        updated=_text(post, "updated_at"),
    )


def _page(
    title: str | None,
    content: str,
    url: str | None,
    published: str | None,
    author: str | None = None,
) -> str:
    """A whole page around a CMS's post body, with the metadata narrate's cleaner reads."""
    esc = html_lib.escape
    head = ['<meta charset="utf-8">']
    if title:
        head += [
            f"<title>{esc(title)}</title>",
            f'<meta property="og:title" content="{esc(title)}">',
        ]
    if url:
        head.append(f'<link rel="canonical" href="{esc(url)}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{esc(published)}">')
    if author:
        head.append(f'<meta name="author" content="{esc(author)}">')
    heading = f"<h1>{esc(title)}</h1>" if title else ""
    return (
        f"<!doctype html><html><head>{''.join(head)}</head>"
        f"<body><article>{heading}{content}</article></body></html>"
    )


def _text(data: Mapping[str, Any], key: str, limit: int | None = MAX_FIELD_CHARS) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(f"'{key}' must be a string, not {_json_kind(value)}.")
    text = str(value).strip()
    if limit is not None and len(text) > limit:
        raise PayloadError(f"'{key}' is longer than {limit} characters.")
    return text or None


def _rendered(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if isinstance(value, dict):
        limit = MAX_FIELD_CHARS if key == "title" else None
        text = _text(value, "rendered", limit)
        # The REST API escapes titles as HTML (&#8217;); the cleaner wants the text.
        return html_lib.unescape(text) if text and key == "title" else text
    return None


def _url(data: Mapping[str, Any], key: str, required: bool) -> str | None:
    value = _text(data, key)
    if value is None:
        if required:
            raise PayloadError(f"'{key}' is missing: give the article's http(s) address.")
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise PayloadError(f"'{key}' must be an absolute http(s) URL, not {value!r}.")
    if not value.isprintable():
        raise PayloadError(f"'{key}' holds control characters.")
    return value


def _canonical(url: str) -> str:
    """The article's identity from its address: scheme and host lower-case, no fragment."""
    parts = urlsplit(url)
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _gmt(stamp: str | None) -> str | None:
    """WordPress's ``*_gmt`` fields are UTC without saying so."""
    if stamp and not stamp.endswith(("Z", "z")) and "+" not in stamp[10:]:
        return stamp + "+00:00"
    return stamp


def _json_kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
