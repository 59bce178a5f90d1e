"""Stage 8: episodes → a podcast feed (``feed.xml``) and a page to listen on (``index.html``).

The feed is RSS 2.0 with Apple's ``itunes`` namespace and the Podcasting 2.0 ``podcast``
namespace, built as an element tree with lxml (never by pasting strings), so every value is
escaped and every namespace declared once. The page is one static HTML file with its CSS and
JavaScript inline: any static host serves it, and nothing is built.

Both are written atomically, and only by a caller that has checked the media files exist.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from .encode import atomic_path

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"

# The Podcasting 2.0 namespace's own UUID namespace for podcast:guid (its spec: the guid is
# uuid5 of this namespace and the feed URL without scheme and trailing slashes). Checked against
# the spec's example and a live feed: mp3s.nashownotes.com/pc20rss.xml →
# 917393e3-1b1e-5cef-ace4-edaa54e1f810, podnews.net/rss → 9b024349-ccf0-5f69-a609-6b82873eab3c.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

FEED_FILE = "feed.xml"
PAGE_FILE = "index.html"
ARTWORK_FILE = "artwork.jpg"
MEDIA_DIR = "episodes"

SYNTHETIC_VOICE_NOTE = (
    "Episodes are read by a synthetic voice: narrate turns the articles into speech with "
    "offline text-to-speech, and no person reads them."
)

# Apple Podcasts categories and subcategories (the list Apple has used since 2019).
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

# The files of one episode beside its MP3, with the MIME type the feed announces for each.
# ``.transcript.json`` is the Podcasting 2.0 JSON transcript (written by the feed build);
# narrate's own ``.json`` timing file is richer but not in that format.
TRANSCRIPTS: tuple[tuple[str, str, str | None], ...] = (
    (".vtt", "text/vtt", "captions"),
    (".srt", "application/x-subrip", "captions"),
    (".transcript.json", "application/json", None),
    (".txt", "text/plain", None),
)
CHAPTERS = (".chapters.json", "application/json+chapters")
EPISODE_SUFFIXES = (
    ".mp3",
    ".txt",
    ".vtt",
    ".srt",
    ".json",
    ".chapters.json",
    ".transcript.json",
)
"""Every file a published episode has, after its stem."""


@dataclass(frozen=True)
class Podcast:
    """The show: what the feed's channel and the page's header say.

    ``base_url`` is the public address of the output folder and ends with ``/``;
    ``category`` and ``subcategory`` come from :data:`APPLE_CATEGORIES`.
    """

    title: str
    description: str
    author: str
    email: str
    language: str
    category: str
    base_url: str
    subcategory: str = ""
    explicit: bool = False
    owner: str = ""
    link: str = ""
    locked: bool = True
    copyright: str = ""

    @property
    def feed_url(self) -> str:
        """The public address of ``feed.xml``."""
        return self.base_url + FEED_FILE

    @property
    def guid(self) -> str:
        """The podcast:guid: the Podcasting 2.0 UUIDv5 of the feed URL."""
        return podcast_guid(self.feed_url)


@dataclass(frozen=True)
class FeedItem:
    """One published episode: the article's metadata and the files of its narration.

    ``stem`` names the files in ``episodes/`` (``<stem>.mp3`` and the rest); ``media_bytes`` is
    the MP3's exact size; ``published`` is timezone-aware.
    """

    guid: str
    title: str
    description: str
    published: datetime
    duration_s: float
    stem: str
    media_bytes: int
    link: str | None = None
    image_url: str | None = None


def podcast_guid(feed_url: str) -> str:
    """The podcast:guid of a feed: uuid5 of the URL without its scheme and trailing slashes.

    >>> podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml")
    '917393e3-1b1e-5cef-ace4-edaa54e1f810'
    """
    parts = urlsplit(feed_url)
    bare = parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare.rstrip("/")))


def media_url(podcast: Podcast, stem: str, suffix: str) -> str:
    """The absolute public URL of one of an episode's files."""
    return f"{podcast.base_url}{MEDIA_DIR}/{quote(stem + suffix)}"


def clock(seconds: float) -> str:
    """A duration as a player shows it (whole seconds, truncated like audio players do).

    >>> clock(125.9), clock(3725)
    ('2:05', '1:02:05')
    """
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def feed_xml(podcast: Podcast, items: Sequence[FeedItem], built: datetime) -> bytes:
    """The podcast feed: RSS 2.0 with the itunes and podcast namespaces, UTF-8 bytes.

    ``items`` should be newest first; ``built`` is the lastBuildDate.
    """
    from lxml import etree

    nsmap = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS, "content": CONTENT_NS}
    rss = etree.Element("rss", nsmap=nsmap, version="2.0")
    channel = etree.SubElement(rss, "channel")

    def add(parent: Any, tag: str, value: str | None = None, **attributes: str) -> Any:
        element = etree.SubElement(parent, tag, attributes)
        if value is not None:
            element.text = value
        return element

    itunes = f"{{{ITUNES_NS}}}"
    pc = f"{{{PODCAST_NS}}}"
    link = podcast.link or podcast.base_url
    artwork = podcast.base_url + ARTWORK_FILE
    add(
        channel, f"{{{ATOM_NS}}}link", href=podcast.feed_url, rel="self", type="application/rss+xml"
    )
    add(channel, "title", podcast.title)
    add(channel, "link", link)
    add(channel, "description", f"{podcast.description}\n\n{SYNTHETIC_VOICE_NOTE}")
    add(channel, "language", podcast.language)
    if podcast.copyright:
        add(channel, "copyright", podcast.copyright)
    add(channel, "generator", "narrate")
    add(channel, "lastBuildDate", format_datetime(built.astimezone(UTC)))
    image = add(channel, "image")
    add(image, "url", artwork)
    add(image, "title", podcast.title)
    add(image, "link", link)
    add(channel, itunes + "image", href=artwork)
    category = add(channel, itunes + "category", text=podcast.category)
    if podcast.subcategory:
        add(category, itunes + "category", text=podcast.subcategory)
    add(channel, itunes + "explicit", "true" if podcast.explicit else "false")
    add(channel, itunes + "author", podcast.author)
    owner = add(channel, itunes + "owner")
    add(owner, itunes + "name", podcast.owner or podcast.author)
    add(owner, itunes + "email", podcast.email)
    add(channel, itunes + "type", "episodic")
    add(channel, pc + "guid", podcast.guid)
    add(channel, pc + "locked", "yes" if podcast.locked else "no", owner=podcast.email)
    add(channel, pc + "medium", "podcast")

    for item in items:
        entry = add(channel, "item")
        add(entry, "title", item.title)
        description = f"{item.description}\n\n{SYNTHETIC_VOICE_NOTE}".strip()
        add(entry, "description", description)
        if item.link:
            add(entry, "link", item.link)
        add(entry, "guid", item.guid, isPermaLink="false")
        add(entry, "pubDate", format_datetime(item.published.astimezone(UTC)))
        add(
            entry,
            "enclosure",
            url=media_url(podcast, item.stem, ".mp3"),
            length=str(item.media_bytes),
            type="audio/mpeg",
        )
        add(entry, itunes + "title", item.title)
        add(entry, itunes + "duration", str(round(item.duration_s)))
        add(entry, itunes + "explicit", "true" if podcast.explicit else "false")
        add(entry, itunes + "episodeType", "full")
        if item.image_url:
            add(entry, itunes + "image", href=item.image_url)
        for suffix, mime, rel in TRANSCRIPTS:
            attributes = {"url": media_url(podcast, item.stem, suffix), "type": mime}
            attributes["language"] = podcast.language
            if rel:
                attributes["rel"] = rel
            add(entry, pc + "transcript", **attributes)
        add(
            entry, pc + "chapters", url=media_url(podcast, item.stem, CHAPTERS[0]), type=CHAPTERS[1]
        )
    return bytes(etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def transcript_json(timing: dict[str, Any]) -> str:
    """A Podcasting 2.0 JSON transcript (one segment per sentence) from narrate's timing JSON."""
    segments = [
        {"startTime": segment["start"], "endTime": segment["end"], "body": segment["text"]}
        for segment in timing.get("segments", [])
    ]
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False) + "\n"


def write_artwork(image: bytes, output: Path) -> Path:
    """Write the show's cover (already square JPEG) as ``artwork.jpg`` unless it is unchanged."""
    target = output / ARTWORK_FILE
    if not (target.is_file() and target.read_bytes() == image):
        with atomic_path(target) as temp:
            temp.write_bytes(image)
    return target


def write_feed(podcast: Podcast, items: Sequence[FeedItem], built: datetime, output: Path) -> Path:
    """Write ``feed.xml`` in ``output`` atomically."""
    target = output / FEED_FILE
    with atomic_path(target) as temp:
        temp.write_bytes(feed_xml(podcast, items, built))
    return target


def write_page(podcast: Podcast, items: Sequence[FeedItem], output: Path) -> Path:
    """Write ``index.html`` in ``output`` atomically."""
    from .listen_page import page_html

    target = output / PAGE_FILE
    with atomic_path(target) as temp:
        temp.write_text(page_html(podcast, items), encoding="utf-8")
    return target
