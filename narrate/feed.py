"""A podcast from a publisher's articles, kept up to date: the feed config and the build.

``build`` reads every source (article URLs and files, and the entries of site RSS/Atom feeds),
cleans each article and hashes what would be heard. Only new or changed articles are rendered,
as tasks on the render queue (:mod:`narrate.queue`); the state database (:mod:`narrate.state`)
remembers the rest. Then the feed and the listening page are written (:mod:`narrate.publish`),
naming only episodes whose files exist, and files no episode names any more are removed.

The output folder::

    feed.xml  index.html  artwork.jpg
    episodes/<slug>-<hash>.mp3 (.txt .vtt .srt .json .chapters.json .transcript.json)
    .narrate/state.sqlite3  .narrate/queue.sqlite3  .narrate/build.lock  .narrate/worker.log
"""

from __future__ import annotations

import calendar
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from .config import Config, load_config
from .errors import ConfigError, FetchError, InputError, NarrateError
from .model import Article
from .publish import (
    APPLE_CATEGORIES,
    EPISODE_SUFFIXES,
    MEDIA_DIR,
    FeedItem,
    Podcast,
)
from .state import Record, State

log = logging.getLogger(__name__)

DATA_DIR = ".narrate"
STATE_FILE = "state.sqlite3"
ARTICLES = "articles"
"""The ``origin`` of a source listed in the config (other origins are site feed addresses)."""

BuildProgress = Callable[[int, int, int], None]
"""Called as ``progress(done, failed, total)`` with counts of articles."""

# Settings that change where or how fast narrate works, never what is heard: a change to one
# of them must not re-render the whole feed.
_NOT_AUDIBLE = frozenset(
    {
        "fetch_timeout_s",
        "fetch_max_bytes",
        "engine_timeout_s",
        "ffmpeg",
        "espeak_library",
        "espeak_data",
        "voices_dir",
        "queue",
        "fetch_max_time_s",
        "fetch_allow_private",
        "fetch_allow_hosts",
        "service_secret",
        "service_token",
        "service_data_dir",
        "service_max_body_bytes",
        "service_lease_s",
        "service_sync",
        "service_worker_nice",
        # Where segments are cached and how the MP3 is split across cores change how fast a
        # narration is made, not what it sounds like (tests/test_mp3join.py checks the latter).
        "cache",
        "cache_dir",
        "cache_max_mb",
        "parallel_encode",
    }
)


@dataclass(frozen=True)
class Sources:
    """What the podcast is made of: article URLs or paths, and site feeds (RSS or Atom)."""

    articles: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedConfig:
    """A ``narrate.toml`` with a ``[podcast]`` table: the show, its sources and its output.

    Relative paths in the file are relative to the file's folder (``base_dir``).
    """

    path: Path
    podcast: Podcast
    artwork: Path
    output: Path
    sources: Sources
    render: Config
    base_dir: Path

    @property
    def data_dir(self) -> Path:
        """Where the state database, the queue and the build lock live."""
        return self.output / DATA_DIR


_EXAMPLES = {
    "title": 'title = "The Harbour Ledger, read aloud"',
    "description": 'description = "Our reporting, narrated."',
    "author": 'author = "The Harbour Ledger"',
    "email": 'email = "podcast@example.com"',
    "owner": 'owner = "Harbour Ledger Ltd"',
    "language": 'language = "en"',
    "category": 'category = "News"',
    "subcategory": 'subcategory = "Daily News"',
    "explicit": "explicit = false",
    "locked": "locked = true",
    "artwork": 'artwork = "cover.png"',
    "base_url": 'base_url = "https://podcast.example.com/ledger/"',
    "link": 'link = "https://example.com/"',
    "output": 'output = "public"',
    "copyright": 'copyright = "© 2025 Harbour Ledger Ltd"',
    "articles": 'articles = ["pages/story.html", "https://example.com/story"]',
    "feeds": 'feeds = ["https://example.com/rss.xml"]',
}
_REQUIRED = ("title", "description", "author", "email", "language", "category", "artwork")
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _bad(path: Path, key: str, problem: str) -> ConfigError:
    example = _EXAMPLES.get(key.split(".")[-1])
    hint = f" Example: {example}" if example else ""
    return ConfigError(f"Feed config {path}: key '{key}' {problem}.{hint}")


def _text(table: dict[str, Any], key: str, path: Path, section: str, default: str | None) -> str:
    if key not in table:
        if default is None:
            raise _bad(path, f"{section}.{key}", "is missing")
        return default
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise _bad(path, f"{section}.{key}", f"must be a non-empty string, not {value!r}")
    return value.strip()


def _flag(table: dict[str, Any], key: str, path: Path, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise _bad(path, f"podcast.{key}", f"must be true or false, not {value!r}")
    return value


def _strings(table: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _bad(path, f"sources.{key}", f"must be a list of strings, not {value!r}")
    return tuple(v.strip() for v in value)


def _podcast(table: dict[str, Any], path: Path) -> tuple[Podcast, str, str]:
    known = set(_EXAMPLES) - {"articles", "feeds"}
    for key in table:
        if key not in known:
            raise ConfigError(
                f"Feed config {path}: unknown key 'podcast.{key}'. "
                f"Known keys: {', '.join(sorted(known))}."
            )
    values = {key: _text(table, key, path, "podcast", None) for key in _REQUIRED}
    base_url = _text(table, "base_url", path, "podcast", None)
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise _bad(path, "podcast.base_url", f"must be an absolute http(s) URL, not {base_url!r}")
    if not base_url.endswith("/"):
        base_url += "/"  # the folder's address: files are joined onto it
    if not _EMAIL.match(values["email"]):
        raise _bad(path, "podcast.email", f"must be an e-mail address, not {values['email']!r}")
    if not _LANGUAGE.match(values["language"]):
        raise _bad(path, "podcast.language", f"must be a language tag, not {values['language']!r}")
    category = values["category"]
    if category not in APPLE_CATEGORIES:
        raise _bad(
            path,
            "podcast.category",
            f"must be one of Apple's categories ({', '.join(APPLE_CATEGORIES)}), not {category!r}",
        )
    subcategory = _text(table, "subcategory", path, "podcast", "")
    if subcategory and subcategory not in APPLE_CATEGORIES[category]:
        allowed = ", ".join(APPLE_CATEGORIES[category]) or "none"
        raise _bad(
            path,
            "podcast.subcategory",
            f"must be one of {category}'s subcategories ({allowed}), not {subcategory!r}",
        )
    link = _text(table, "link", path, "podcast", "")
    if link and not re.match(r"^https?://", link):
        raise _bad(path, "podcast.link", f"must be an absolute http(s) URL, not {link!r}")
    podcast = Podcast(
        title=values["title"],
        description=values["description"],
        author=values["author"],
        email=values["email"],
        language=values["language"],
        category=category,
        subcategory=subcategory,
        base_url=base_url,
        explicit=_flag(table, "explicit", path, False),
        owner=_text(table, "owner", path, "podcast", ""),
        link=link,
        locked=_flag(table, "locked", path, True),
        copyright=_text(table, "copyright", path, "podcast", ""),
    )
    return podcast, values["artwork"], _text(table, "output", path, "podcast", "public")


def load_feed_config(
    path: str | Path, env: Mapping[str, str] | None = None, service: bool = False
) -> FeedConfig:
    """Read and validate a feed config: ``[podcast]``, ``[sources]`` and ``[render]``.

    Render settings follow :func:`narrate.config.load_config` (``NARRATE_*`` variables win
    over the file). Every problem is a :class:`ConfigError` naming the file, the key and an
    example of a valid value. ``service=True`` reads the HTTP service's config: the articles
    come from requests, so ``[sources]`` may be empty, and a ``[service]`` table is allowed.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"No such feed config: {path}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from exc
    tables_known = ("podcast", "sources", "render") + (("service",) if service else ())
    for key in data:
        if key not in tables_known:
            raise ConfigError(
                f"Feed config {path}: unknown table or key '{key}'. A feed config has the "
                f"tables {', '.join(f'[{name}]' for name in tables_known)}."
            )
    tables = {}
    for name in ("podcast", "sources", "render"):
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"Feed config {path}: '{name}' must be a table: [{name}].")
        tables[name] = table
    if "podcast" not in data:
        raise ConfigError(
            f"Feed config {path} has no [podcast] table. Start from examples/narrate.toml."
        )
    base_dir = path.resolve().parent
    podcast, artwork, output = _podcast(tables["podcast"], path)
    artwork_path = base_dir / artwork
    if not artwork_path.is_file():
        raise _bad(path, "podcast.artwork", f"names {artwork_path}, which does not exist")
    for key in tables["sources"]:
        if key not in ("articles", "feeds"):
            raise ConfigError(
                f"Feed config {path}: unknown key 'sources.{key}'. Known keys: articles, feeds."
            )
    sources = Sources(
        articles=_strings(tables["sources"], "articles", path),
        feeds=_strings(tables["sources"], "feeds", path),
    )
    if not sources.articles and not sources.feeds and not service:
        raise _bad(path, "sources.articles", "and 'sources.feeds' are both empty")
    environ = os.environ if env is None else env
    render = load_config(path, env=environ)  # the file's paths relative to it, as here
    # A feed always publishes transcripts: the listening page and podcast:transcript need them.
    resolved: dict[str, Any] = {"transcripts": True}
    return FeedConfig(
        path=path,
        podcast=podcast,
        artwork=artwork_path,
        output=(base_dir / output).resolve(),
        sources=sources,
        render=render.with_overrides(resolved),
        base_dir=base_dir,
    )


# --- sources ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One article to publish: its key in the state database, where to read it, where from.

    ``key`` is the URL, or the path as written relative to the feed config (so moving the
    project keeps every episode's identity); ``location`` is what fetch reads.
    """

    key: str
    location: str
    origin: str
    published: datetime | None = None


@dataclass(frozen=True)
class Failure:
    """An article (or a site feed) that could not be published this time, and why."""

    source: str
    stage: str
    error: str


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _article_source(entry: str, base_dir: Path, origin: str) -> Source:
    if _is_url(entry):
        return Source(entry, entry, origin)
    key = os.path.normpath(entry)
    return Source(key, str(base_dir / key), origin)


def _read_site_feed(address: str, config: FeedConfig) -> bytes:
    if not _is_url(address):
        try:
            return (config.base_dir / address).read_bytes()
        except OSError as exc:
            raise InputError(f"Cannot read the site feed {address}: {exc.strerror}.") from exc
    import httpx

    limit = config.render.fetch_max_bytes
    try:
        with (
            httpx.Client(follow_redirects=True, max_redirects=5) as client,
            client.stream(
                "GET",
                address,
                timeout=config.render.fetch_timeout_s,
                headers={"User-Agent": "narrate (+podcast feed builder)"},
            ) as response,
        ):
            if not response.is_success:
                raise FetchError(
                    f"The site feed {address} answered {response.status_code}; check the address."
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise FetchError(f"The site feed {address} is larger than {limit:,} bytes.")
            return bytes(body)
    except httpx.HTTPError as exc:
        raise FetchError(f"Cannot fetch the site feed {address}: {exc}.") from exc


def _feed_entries(address: str, config: FeedConfig) -> list[Source]:
    """The articles a site's RSS or Atom feed links to, with their publication dates."""
    import feedparser

    data = _read_site_feed(address, config)
    parsed = feedparser.parse(data, response_headers={"content-location": address})
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        reason = f" ({problem})" if problem else ""
        raise InputError(f"The site feed {address} has no entries{reason}; is it RSS or Atom?")
    sources = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link:
            continue
        published = None
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:  # a UTC struct_time
            published = datetime.fromtimestamp(calendar.timegm(stamp), UTC)
        if _is_url(address):
            link = urljoin(address, link)
        elif not _is_url(link):
            link = str(Path(address).parent / link)
        source = _article_source(link, config.base_dir, address)
        sources.append(Source(source.key, source.location, source.origin, published))
    return sources


def collect_sources(config: FeedConfig) -> tuple[list[Source], list[Failure], set[str]]:
    """Every source to publish (listed ones first, no duplicates), failures, feeds read."""
    seen: dict[str, Source] = {}
    failures: list[Failure] = []
    feeds_read: set[str] = set()
    for entry in config.sources.articles:
        source = _article_source(entry, config.base_dir, ARTICLES)
        seen.setdefault(source.key, source)
    for address in config.sources.feeds:
        try:
            entries = _feed_entries(address, config)
        except NarrateError as exc:
            failures.append(Failure(address, "feed", str(exc)))
            continue
        feeds_read.add(address)
        for source in entries:
            seen.setdefault(source.key, source)
    return list(seen.values()), failures, feeds_read


# --- hashing and names ------------------------------------------------------------------------


def _file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def render_fingerprint(config: Config, language: str | None = None) -> str:
    """What, besides the article, decides the audio: audible settings, voice and lexicons.

    ``language`` is the article's: with ``voice = "auto"`` it picks the profile.
    """
    from . import __version__
    from .framing import framing_for
    from .voices import choose_profile, lexicon_for

    profile = choose_profile(config.voice, language, config.voices_dir)
    settings = {k: v for k, v in asdict(config).items() if k not in _NOT_AUDIBLE}
    files = {
        key: _file_digest(value)
        for key in ("intro_audio", "outro_audio", "artwork", "lexicon")
        if (value := getattr(config, key))
    }
    data = {
        "narrate": __version__,
        "settings": settings,
        "files": files,
        "profile": _file_digest(profile.path) if profile.path else profile.name,
        "lexicons": lexicon_for(profile, config.lexicon).version,
        # narrate's own words around the story (byline word, date, disclosure, chapters)
        "framing": asdict(framing_for(profile.language)),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def content_hash(article: Article, fingerprint: str, with_page_image: bool = True) -> str:
    """The hash of everything heard (and tagged) in an article's narration.

    Title, byline, date, body blocks (with their kinds: headings change pauses and chapters),
    the metadata written into the tags, and the render fingerprint. The description, which is
    never spoken, is left out: correcting it updates the feed without a render.
    """
    data = {
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published,
        "language": article.language,
        "site": article.site_name,
        "url": article.canonical_url,
        "image": article.image_url if with_page_image else None,
        "blocks": [[block.kind, block.level, block.text] for block in article.blocks],
        "render": fingerprint,
    }
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def media_stem(title: str, digest: str) -> str:
    """The file stem for a narration: a slug of the title and the start of the content hash.

    >>> media_stem("Kyiv: 'A meeting' — Kremlin", "0123456789abcdef")
    'kyiv-a-meeting-kremlin-0123456789ab'
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-")
    return f"{slug or 'episode'}-{digest[:12]}"


def _episode_files(media: Path, stem: str) -> list[Path]:
    return [media / (stem + suffix) for suffix in EPISODE_SUFFIXES]


def _rendered_files(media: Path, stem: str) -> list[Path]:
    """What a render writes (all but the feed's own transcript JSON)."""
    return [
        path for path in _episode_files(media, stem) if not path.name.endswith(".transcript.json")
    ]


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _now() -> datetime:
    return datetime.now(UTC)


# --- the build --------------------------------------------------------------------------------


@dataclass
class BuildReport:
    """What a build did. Sources are state-database keys."""

    feed: str = ""
    page: str = ""
    episodes: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    removed_episodes: list[str] = field(default_factory=list)
    removed_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every source was published."""
        return not self.failed


@dataclass(frozen=True)
class _Job:
    source: str
    article: Article
    stem: str
    digest: str
    new: bool


@contextlib.contextmanager
def _build_lock(data_dir: Path) -> Iterator[None]:
    """One build at a time per output folder; the kernel drops the lock if the build dies."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "build.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ConfigError(
                f"Another narrate feed build is running on {data_dir.parent}; wait for it to end."
            ) from exc
        handle.write(str(os.getpid()))
        handle.flush()
        yield


class _Workers:
    """Local consumer processes for the duration of a build (none in immediate mode)."""

    def __init__(self, data_dir: Path, url: str | None, count: int) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        if count <= 0:
            return
        command = [sys.executable, "-m", "narrate.queue", "--workers", str(count)]
        command += ["--parent", str(os.getpid())]
        # The URL (its password) through the environment: a command line is anyone's to read.
        env = {**os.environ, "NARRATE_QUEUE": url or ""}
        if not url:
            command += ["--data-dir", str(data_dir)]
        with open(data_dir / "worker.log", "ab") as log_file:
            # A session of its own: a Ctrl-C in the terminal reaches the build, which then stops
            # the workers; if the build is killed outright they notice and stop themselves.
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                start_new_session=True,
                env=env,
            )

    def check(self, data_dir: Path) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise NarrateError(
                f"The render workers stopped (exit {self.process.returncode}); "
                f"see {data_dir / 'worker.log'}."
            )

    def stop(self, graceful: bool) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT if graceful else signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def build(
    config: FeedConfig,
    workers: int = 1,
    queue_url: str | None = None,
    progress: BuildProgress | None = None,
) -> BuildReport:
    """Bring the feed in ``config.output`` up to date with the sources; return what was done.

    ``workers`` local consumer processes render the new and changed articles (0: render in
    this process, one at a time). With ``queue_url`` (``redis://…``) the tasks go to Redis,
    where consumers on other machines may take them too. Failures are collected in the report,
    never raised: every other article is still published.
    """
    report = BuildReport()
    out = config.output
    media = out / MEDIA_DIR
    media.mkdir(parents=True, exist_ok=True)
    from .spares import kept_between_renders

    with _build_lock(config.data_dir):
        state = State(config.data_dir / STATE_FILE)
        try:
            counts = _Counter(progress)
            jobs = _scan(config, state, media, report, counts)
            if jobs:
                # With workers=0 the articles are rendered one after another in this process.
                with kept_between_renders():
                    _render(config, state, media, jobs, workers, queue_url, report, counts)
            _publish(config, state, media, report)
            _remove_orphans(state, media, out, report)
        finally:
            state.close()
    return report


class _Counter:
    def __init__(self, progress: BuildProgress | None) -> None:
        self.progress = progress
        self.done = self.failed = self.total = 0

    def report(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.failed, self.total)


def _scan(
    config: FeedConfig, state: State, media: Path, report: BuildReport, counts: _Counter
) -> list[_Job]:
    """Read and hash every source; record what is new or changed; return the renders to do."""
    from .pipeline import extract

    sources, failures, feeds_read = collect_sources(config)
    counts.total = len(sources)
    counts.report()
    report.failed += failures
    fingerprints: dict[str | None, str] = {}
    jobs: list[_Job] = []
    for source in sources:
        try:
            article = extract(source.location, config.render)
        except NarrateError as exc:
            report.failed.append(Failure(source.key, "extract", str(exc)))
            if state.get(source.key) is not None:
                state.update(source.key, status="failed", error=str(exc), updated=_iso(_now()))
            counts.failed += 1
            counts.report()
            continue
        if article.language not in fingerprints:
            fingerprints[article.language] = render_fingerprint(config.render, article.language)
        fingerprint = fingerprints[article.language]
        digest = content_hash(article, fingerprint, config.render.artwork_from_page)
        job = _see(state, source, article, digest, media, config.render.artwork_from_page)
        if job is None:
            report.unchanged.append(source.key)
            counts.done += 1
            counts.report()
        else:
            jobs.append(job)
    _forget_removed(config, state, {s.key for s in sources}, feeds_read, failures, report)
    return jobs


def item_description(article: Article) -> str:
    """An episode's description in the feed: the article's own, else its first block."""
    return article.description or (article.blocks[0].text if article.blocks else "")


def item_image(article: Article, page_image: bool) -> str | None:
    """An episode's image in the feed: the article's own, only where it is the episode's cover
    (``page_image``; with artwork_from_page off the page's images may not even be online)."""
    return article.image_url if page_image and _is_url(article.image_url or "") else None


def _see(
    state: State, source: Source, article: Article, digest: str, media: Path, page_image: bool
) -> _Job | None:
    """Record what was read; return a job when the article's audio is missing or out of date."""
    now = _iso(_now())
    record = state.get(source.key)
    description = item_description(article)
    link = article.canonical_url or (source.key if _is_url(source.key) else None)
    image_url = item_image(article, page_image)
    if record is None:
        published = _parse_date(article.published) or source.published or _now()
        state.add(
            Record(
                source=source.key,
                origin=source.origin,
                guid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"narrate:{source.key}")),
                status="pending",
                article_hash=digest,
                published=_iso(published),
                first_seen=now,
                updated=now,
                title=article.title,
                description=description,
                link=link,
                image_url=image_url,
            )
        )
        return _Job(source.key, article, media_stem(article.title, digest), digest, new=True)
    # The pubDate is kept: an edit is the same episode, corrected.
    state.update(
        source.key,
        article_hash=digest,
        updated=now,
        origin=source.origin,
        title=article.title,
        description=description,
        link=link,
        image_url=image_url,
    )
    stem = record.media_stem
    if (
        record.media_hash == digest
        and stem
        and all(p.is_file() for p in _rendered_files(media, stem))
    ):
        if record.status != "done":
            state.update(source.key, status="done", error=None)
        return None
    state.update(source.key, status="pending")
    new = record.media_stem is None
    return _Job(source.key, article, media_stem(article.title, digest), digest, new=new)


def _forget_removed(
    config: FeedConfig,
    state: State,
    current: set[str],
    feeds_read: set[str],
    failures: list[Failure],
    report: BuildReport,
) -> None:
    """Drop episodes whose source was taken out of the config.

    A listed article that is no longer listed is unpublished. An article from a site feed stays
    while that feed is configured, even after it scrolls out of the site's feed (a podcast is an
    archive); it goes when the feed itself is removed from the config.
    """
    failed_feeds = {f.source for f in failures}
    for record in state.records():
        if record.source in current:
            continue
        if record.origin == ARTICLES:
            gone = True
        else:
            gone = record.origin not in config.sources.feeds
            if record.origin in failed_feeds or record.origin in feeds_read:
                gone = False
        if gone:
            state.remove(record.source)
            report.removed_episodes.append(record.source)


def _adopt(media: Path, stem: str) -> dict[str, Any] | None:
    """Files a killed build finished but never recorded: complete ones are used as they are."""
    files = _rendered_files(media, stem)
    if not all(path.is_file() for path in files):
        return None
    try:
        timing = json.loads((media / f"{stem}.json").read_text(encoding="utf-8"))
        duration = float(timing["duration"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {"mp3_bytes": (media / f"{stem}.mp3").stat().st_size, "duration_s": duration}


def _render(
    config: FeedConfig,
    state: State,
    media: Path,
    jobs: list[_Job],
    workers: int,
    queue_url: str | None,
    report: BuildReport,
    counts: _Counter,
) -> None:
    """Render the jobs on the queue, recording each outcome as it arrives."""
    from huey.exceptions import TaskException

    from .queue import check_queue, get_queue

    def finish(job: _Job, outcome: dict[str, Any] | None, error: str | None) -> None:
        now = _iso(_now())
        if outcome is not None:
            state.update(
                job.source,
                status="done",
                media_stem=job.stem,
                media_hash=job.digest,
                media_bytes=int(outcome["mp3_bytes"]),
                duration_s=float(outcome["duration_s"]),
                rendered_at=now,
                error=None,
            )
            (report.new if job.new else report.changed).append(job.source)
            counts.done += 1
        else:
            state.update(job.source, status="failed", error=error, updated=now)
            report.failed.append(Failure(job.source, "render", error or "the render failed"))
            counts.failed += 1
        counts.report()

    todo: list[_Job] = []
    for job in jobs:
        adopted = _adopt(media, job.stem)
        if adopted is not None:
            finish(job, adopted, None)
        else:
            todo.append(job)
    if not todo:
        return
    queue = get_queue(config.data_dir, queue_url, immediate=workers <= 0)
    check_queue(queue.huey, queue_url)  # Redis gone: one line and exit 6, before any render
    if not queue.immediate and not queue_url:
        queue.flush()  # tasks a killed build left in its private SQLite queue: redone below
    local = _Workers(config.data_dir, queue_url, 0 if queue.immediate else workers)
    graceful = False
    try:
        pending: dict[_Job, Any] = {}

        def sweep() -> None:
            if queue.immediate:
                queue.run_due_retries()
            for job, result in list(pending.items()):
                try:
                    value = result.get()
                except TaskException as exc:
                    del pending[job]
                    finish(job, None, str(exc.metadata.get("error") or "the render failed"))
                    continue
                if value is not None:
                    del pending[job]
                    finish(job, value, None)

        for job in todo:
            state.update(job.source, status="rendering", attempts=_attempts(state, job) + 1)
            out_path = media / f"{job.stem}.mp3"
            pending[job] = queue.render(job.article, str(out_path), config.render)
            while queue.immediate and job in pending:  # inline: one at a time, retries included
                sweep()
                if job in pending:
                    time.sleep(0.1)
        while pending:
            local.check(config.data_dir)
            sweep()
            if pending:
                time.sleep(0.1)
        graceful = True
    finally:
        local.stop(graceful)


def _attempts(state: State, job: _Job) -> int:
    record = state.get(job.source)
    return record.attempts if record else 0


def publish(config: FeedConfig, state: State, report: BuildReport, cover: bool = True) -> None:
    """Write the feed and the page (and with ``cover`` the artwork) from the state database.

    The HTTP service's workers call this after each render, under a lock; they write the
    cover once when they start, as scaling it takes longer than the rest.
    """
    _publish(config, state, config.output / MEDIA_DIR, report, cover)


def _publish(
    config: FeedConfig, state: State, media: Path, report: BuildReport, cover: bool = True
) -> None:
    """Write the artwork, the feed and the page from the episodes whose files all exist."""
    from .publish import transcript_json, write_feed, write_page

    items: list[FeedItem] = []
    newest = None
    for record in state.records():
        stem = record.media_stem
        if not stem or not all(path.is_file() for path in _rendered_files(media, stem)):
            continue
        extra = media / f"{stem}.transcript.json"
        if not extra.is_file():
            from .encode import atomic_path

            timing = json.loads((media / f"{stem}.json").read_text(encoding="utf-8"))
            with atomic_path(extra) as temp:
                temp.write_text(transcript_json(timing), encoding="utf-8")
        published = _parse_date(record.published) or _now()
        items.append(
            FeedItem(
                guid=record.guid,
                title=record.title,
                description=record.description,
                published=published,
                duration_s=record.duration_s or 0.0,
                stem=stem,
                # the exact size on disk, which is what the enclosure must state
                media_bytes=(media / f"{stem}.mp3").stat().st_size,
                link=record.link,
                image_url=record.image_url,
            )
        )
        changed = _parse_date(record.rendered_at)
        if changed and (newest is None or changed > newest):
            newest = changed
    items.sort(key=lambda item: item.published, reverse=True)
    out = config.output
    if cover:
        write_cover(config)
    # lastBuildDate is when an episode last changed, so an unchanged feed stays byte-identical.
    report.feed = str(write_feed(config.podcast, items, newest or _now(), out))
    report.page = str(write_page(config.podcast, items, out))
    report.episodes = len(items)


def write_cover(config: FeedConfig) -> None:
    """Write the show's cover, ``artwork.jpg``, made square and scaled from the config's."""
    from .artwork import load_artwork
    from .publish import write_artwork

    cover = load_artwork(None, str(config.artwork))
    if cover is None:
        raise ConfigError(
            f"The podcast artwork {config.artwork} cannot be read as an image; give a JPEG or PNG."
        )
    write_artwork(cover.data, config.output)


def _remove_orphans(state: State, media: Path, out: Path, report: BuildReport) -> None:
    """Remove media no episode names (replaced audio, a killed build's leftovers)."""
    keep = {path.name for stem in state.media_stems() for path in _episode_files(media, stem)}
    for path in sorted(media.iterdir()):
        if path.is_file() and path.name not in keep:
            path.unlink()
            report.removed_files.append(path.name)
    # Temporary files of feed.xml, index.html or artwork.jpg from a build killed while writing.
    for path in out.glob(".*.part"):
        path.unlink(missing_ok=True)
