"""The stages in order; the only module that knows the order.

Stage modules are imported inside the functions that use them: ``import narrate`` and
``narrate --help`` stay fast, and a program that only cleans never loads the audio stack.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .errors import ConfigError, EncodingError
from .model import Article, Episode, Page, Programme, Segment, StoredClip

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from .artwork import Artwork
    from .cache import Store
    from .encode import Encoded, EncodeSettings, StreamEncoder
    from .engines import Engine
    from .fetch import FetchSettings
    from .model import Clip
    from .voices import Lexicon, Voice, VoiceProfile

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while long stages run."""


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def fetch_settings(config: Config) -> FetchSettings:
    """The fetch limits and address rules a Config sets."""
    from .fetch import FetchSettings

    return FetchSettings(
        timeout_s=config.fetch_timeout_s,
        max_bytes=config.fetch_max_bytes,
        max_time_s=config.fetch_max_time_s,
        allow_private=config.fetch_allow_private,
        allow_hosts=tuple(h.strip() for h in config.fetch_allow_hosts.split(",") if h.strip()),
    )


def fetch(source: str, config: Config) -> Page:
    """1. A path, ``-`` (stdin) or an http(s) URL → Page."""
    from .fetch import fetch as fetch_page

    return fetch_page(source, fetch_settings(config))


def extract(source: str, config: Config) -> Article:
    """1-2. Fetch and clean: the article as narrate reads it.

    Example::

        article = extract("examples/kyiv-independent.html", Config())
        article.authors  # ('Kateryna Hodunova',)
    """
    from .clean import clean

    return clean(fetch(source, config))


@dataclass(frozen=True)
class Script:
    """What will be spoken: the article, the voice profile and the normalized segments."""

    article: Article
    segments: tuple[Segment, ...]
    voice: str
    engine: str
    lexicon_version: str = ""
    profile: VoiceProfile | None = None


def script(article: Article, config: Config) -> Script:
    """3-4. Segment and normalize an article for the configured voice.

    The disclosure sentence, unless turned off (see :func:`disclosure_text`), is the last
    segment, in a chapter of its own.
    """
    from .normalize import normalize

    segments, profile, lexicon, phonemes = _segments(article, config)
    spoken = normalize(segments, lexicon, profile.language, phonemes)
    return Script(article, tuple(spoken), profile.name, profile.engine, lexicon.version, profile)


def disclosure_text(setting: str, language: str | None) -> str:
    """The disclosure sentence spoken for the ``disclosure`` setting in a voice's language.

    ``auto`` is narrate's own sentence in English, Ukrainian or Russian, and nothing in any
    other language (see :mod:`narrate.framing`); any other text is spoken as written; empty
    turns it off.

    >>> disclosure_text("auto", "uk")
    'Цей аудіозапис озвучено синтезованим голосом.'
    >>> disclosure_text("auto", "de")
    ''
    >>> disclosure_text("Diese Stimme ist synthetisch.", "de")
    'Diese Stimme ist synthetisch.'
    """
    from .framing import framing_for

    text = setting.strip()
    if text.lower() == "auto":
        return framing_for(language).disclosure
    return text


def _segments(
    article: Article, config: Config
) -> tuple[list[Segment], VoiceProfile, Lexicon, bool]:
    """Step 3 and what step 4 needs: the segments, the voice, its lexicon, and whether the
    engine reads phonemes."""
    from dataclasses import replace

    from .engines import accepts_phonemes
    from .framing import framing_for
    from .segment import Pauses, segment
    from .voices import choose_profile, lexicon_for

    profile = choose_profile(config.voice, article.language, config.voices_dir)
    # The frame (byline word, date, disclosure, chapter titles) is in the language of the voice
    # that reads it, which the normalizer also follows: an article forced to another voice
    # gets that voice's frame, spoken with its number words.
    framing = framing_for(profile.language)
    pauses = Pauses(
        sentence_s=config.pause_sentence_s,
        paragraph_s=config.pause_paragraph_s,
        heading_s=config.pause_heading_s,
        after_title_s=config.pause_title_s,
    )
    segments = segment(article, pauses, framing)
    disclosure = disclosure_text(config.disclosure, profile.language)
    if disclosure and segments:
        # A longer breath before the disclosure sets it apart from the story.
        segments[-1] = replace(segments[-1], pause_after_s=config.pause_heading_s)
        segments.append(
            Segment(
                index=len(segments),
                text=disclosure,
                role="disclosure",
                pause_after_s=config.pause_paragraph_s,
                chapter=framing.disclosure_chapter,
            )
        )
    return segments, profile, lexicon_for(profile, config.lexicon), accepts_phonemes(profile.engine)


@dataclass(frozen=True)
class Review:
    """What an editor checks before publishing: every change the normalizer made, the
    lexicon entries used, and the names the lexicon does not cover (with counts)."""

    normalizations: tuple[tuple[str, str, int], ...]
    lexicon: tuple[tuple[str, str, int], ...]
    uncovered: tuple[tuple[str, int], ...]


_NOT_NAMES = frozenset(
    """
    I A The This That These Those It He She They We You Mr Mrs Ms Dr But And Or If In On At By
    For From To Of As An After Before When While Yet So Still Also However Despite January
    February March April May June July August September October November December Monday
    Tuesday Wednesday Thursday Friday Saturday Sunday Автор Автори Авторы Цей Эта
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_NAME = re.compile(r"(?<![\w'’])[^\W\d_][\w'’-]*", re.UNICODE)


def review(article: Article, config: Config) -> Review:
    """3-4 with a record: what ``narrate script --report`` prints for an editor."""
    from collections import Counter

    from .normalize import normalize_text

    segments, profile, lexicon, phonemes = _segments(article, config)
    known = {entry.written for entry in lexicon.entries if not entry.pattern}
    # Each segment normalized once, for its record; those with nothing to say are not spoken.
    records = [normalize_text(s.text, lexicon, profile.language, phonemes) for s in segments]
    spoken = [
        (segment, record)
        for segment, record in zip(segments, records, strict=True)
        if any(ch.isalnum() for ch in record.text)
    ]
    changes: Counter[tuple[str, str]] = Counter()
    used: Counter[tuple[str, str]] = Counter()
    names: Counter[str] = Counter()
    lowercase = {w.lower() for s, _ in spoken for w in _NAME.findall(s.text) if w.islower()}
    for segment, record in spoken:
        for written, said in record.changes:
            (used if written in known else changes)[(written, said)] += 1
        for i, word in enumerate(_NAME.findall(segment.text)):
            bare = re.sub(r"['’]s$", "", word).strip("'’-")
            looks_like_name = bare[:1].isupper() and not bare.isupper() and i > 0
            if (
                (looks_like_name or not bare.isascii())
                and bare not in known
                and bare not in _NOT_NAMES
                and bare.lower() not in lowercase
            ):
                names[bare] += 1
    return Review(
        tuple((w, s, n) for (w, s), n in changes.most_common()),
        tuple((w, s, n) for (w, s), n in used.most_common()),
        tuple(names.most_common()),
    )


def render(
    source: str | Article,
    out_path: str | Path,
    config: Config | None = None,
    progress: Progress | None = None,
) -> Episode:
    """1-7. Narrate ``source`` into ``out_path`` (MP3) with a transcript beside it.

    Example::

        episode = render("examples/kyiv-independent.html", "out/story.mp3")
        episode.duration_s  # about 120 seconds with the default voice
    """
    from .assemble import assemble
    from .encode import StreamEncoder
    from .engines import get_engine
    from .framing import framing_for
    from .synthesize import synthesize

    config = config or Config()
    report = progress or _no_progress
    out = Path(out_path)
    _check_output(out)
    article = source if isinstance(source, Article) else extract(source, config)
    spoken = script(article, config)
    assert spoken.profile is not None  # script() always chooses one
    profile = spoken.profile
    engine = get_engine(profile.engine, config)
    segments = list(spoken.segments)
    total = len(segments)

    counting = _Counting(engine)

    def counted(clips: Iterator[StoredClip]) -> Iterator[StoredClip]:
        for done, clip in enumerate(clips, start=1):
            report("synthesize", done, total)
            yield clip

    intro = Path(config.intro_audio) if config.intro_audio else None
    outro = Path(config.outro_audio) if config.outro_audio else None
    for label, path in (("intro", intro), ("outro", outro)):
        if path is not None and not path.is_file():
            raise ConfigError(f"The {label} audio file {path} does not exist.")
    if config.artwork:
        from .artwork import check_cover

        check_cover(config.artwork)
    settings = _encode_settings(config)
    # The cover (perhaps a download of the page's lead image) arrives during synthesis. A
    # failed render does not wait for it.
    artwork = _background().submit(_artwork, article, config)
    with _clip_store(config) as store, StreamEncoder(settings, store) as encoder:
        try:
            clips = synthesize(segments, profile, counting, store, spoken.lexicon_version)
            programme = assemble(
                segments,
                counted(clips),
                store,
                intro,
                outro,
                config.ffmpeg,
                config.sample_rate,
                sink=encoder.add,
                outro_chapter=framing_for(profile.language).outro_chapter,
            )
        finally:
            close = getattr(engine, "close", None)  # engines that hold a process or files
            if close is not None:
                close()
        synthesized = counting.calls
        encoded = _encode(
            programme, article, segments, engine, profile.name, out, _cover(artwork), encoder,
            report,
        )  # fmt: skip
    files = encoded.files
    return Episode(
        mp3_path=str(files["mp3"]),
        transcript_path=str(files["transcript"]),
        title=article.title,
        duration_s=encoded.duration_s,
        segment_count=total,
        voice=profile.name,
        engine=engine.name,
        files=tuple(str(path) for path in files.values()),
        chapters=programme.chapters,
        synthesized=synthesized,
        reused=total - synthesized,
        parts=encoded.parts,
        encoded_parts=encoded.encoded_parts,
    )


# A full disk or too many open files passes: the same render may succeed later (a queue
# retries it); a path through a file or a folder one may not write to does not.
_PASSING = {errno.ENOSPC, errno.EDQUOT, errno.EMFILE, errno.ENFILE, errno.EIO}


def _check_output(out: Path) -> None:
    """Fail before synthesis, not after it, when the MP3 cannot be written where asked.

    Nothing is made: a file is created and removed in the nearest folder that exists (the
    MP3's own, or the one its missing folders would be made in, which takes the same right).
    """
    if out.is_dir():
        raise ConfigError(f"{out} is a folder; give the MP3 a file name, e.g. {out / 'story.mp3'}.")
    nearest = next((folder for folder in out.parents if folder.exists()), Path())
    if not nearest.is_dir():
        raise ConfigError(
            f"Cannot write {out} ({nearest} is a file); choose a folder you may write to."
        )
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=nearest)
        os.close(fd)
        Path(name).unlink()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno in _PASSING:
            raise EncodingError(f"Cannot write {out} now ({reason}).") from exc
        raise ConfigError(
            f"Cannot write {out} ({reason}); choose a folder you may write to."
        ) from exc


@functools.cache
def _background() -> ThreadPoolExecutor:
    """Threads for a render's side work (the cover), shared by the renders of a process."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="narrate-background")


class _Counting:
    """An engine that counts its calls: how many segments a render really synthesized."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.name = engine.name
        self.version = engine.version
        self.accepts_phonemes = engine.accepts_phonemes
        self.calls = 0

    def synthesize(self, text: str, voice: Voice) -> Clip:
        self.calls += 1
        return self.engine.synthesize(text, voice)


@contextlib.contextmanager
def _clip_store(config: Config) -> Iterator[Store]:
    """The segment cache, or a spool removed after the render when caching is off."""
    from .cache import ClipStore, Spool, default_cache_dir

    store = None
    if config.cache:
        try:
            store = ClipStore(
                Path(config.cache_dir) if config.cache_dir else default_cache_dir(),
                config.cache_max_mb * 1024 * 1024,
            )
        except ConfigError as exc:
            if config.cache_dir:
                raise  # a folder the user chose: theirs to mend
            # The default under a read-only home (a container, a service account): the cache
            # only saves time, so the render goes on without it.
            log.warning("%s Rendering without the segment cache.", exc)
    if store is not None:
        try:
            yield store
        finally:
            store.evict()
    else:
        with tempfile.TemporaryDirectory(prefix="narrate-spool-") as folder:
            spool = Spool(Path(folder))
            try:
                yield spool
            finally:
                spool.close()


def _encode_settings(config: Config) -> EncodeSettings:
    from .encode import EncodeSettings

    return EncodeSettings(
        sample_rate=config.sample_rate,
        bitrate_kbps=config.bitrate_kbps,
        lame_quality=config.lame_quality,
        id3_version=config.id3_version,
        ffmpeg=config.ffmpeg,
        normalize_loudness=config.normalize_loudness,
        loudness_lufs=config.loudness_lufs,
        true_peak_dbtp=config.true_peak_dbtp,
        transcripts=config.transcripts,
        parallel=config.parallel_encode,
    )


def _artwork(article: Article, config: Config) -> tuple[Artwork | None, list[str]]:
    """The cover, and why a source failed: said only if the render gets as far as using it."""
    from .artwork import load_artwork

    lead = article.image_url if config.artwork_from_page else None
    warnings: list[str] = []
    artwork = load_artwork(
        lead, config.artwork, config.fetch_timeout_s, fetch_settings(config), warnings.append
    )
    return artwork, warnings


def _cover(pending: Future[tuple[Artwork | None, list[str]]]) -> Artwork | None:
    artwork, warnings = pending.result()
    for warning in warnings:
        log.warning("%s", warning)
    return artwork


def _encode(
    programme: Programme,
    article: Article,
    segments: list[Segment],
    engine: Engine,
    voice: str,
    out: Path,
    artwork: Artwork | None,
    encoder: StreamEncoder,
    report: Progress,
) -> Encoded:
    from .encode import Disclosure, encode

    disclosure = Disclosure(engine.name, engine.version, voice)
    report("encode", 0, encoder.parts + 1)  # the last part is cut when the programme ends
    encoded = encode(
        programme,
        article,
        segments,
        disclosure,
        out,
        encoder.settings,
        artwork,
        encoder=encoder,
        progress=lambda done, total: report("encode", done, total),
    )
    report("encode", encoded.parts, encoded.parts)
    return encoded
