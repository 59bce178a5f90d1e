"""The stages in order; the only module that knows the order.

Stage modules are imported inside the functions that use them: ``import narrate`` and
``narrate --help`` stay fast, and a program that only cleans never loads the audio stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .errors import ConfigError
from .model import Article, Clip, Episode, Page, Segment

if TYPE_CHECKING:
    from .fetch import FetchSettings

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


def script(article: Article, config: Config) -> Script:
    """3-4. Segment and normalize an article for the configured voice.

    The disclosure sentence, when configured, is the last segment, in a chapter of its own.
    """
    from dataclasses import replace

    from .assemble import DISCLOSURE_CHAPTER
    from .normalize import normalize
    from .segment import Pauses, segment
    from .voices import find_profile, lexicon_for

    profile = find_profile(config.voice, config.voices_dir)
    pauses = Pauses(
        sentence_s=config.pause_sentence_s,
        paragraph_s=config.pause_paragraph_s,
        heading_s=config.pause_heading_s,
        after_title_s=config.pause_title_s,
    )
    segments = segment(article, pauses)
    if config.disclosure.strip() and segments:
        # A longer breath before the disclosure sets it apart from the story.
        segments[-1] = replace(segments[-1], pause_after_s=config.pause_heading_s)
        segments.append(
            Segment(
                index=len(segments),
                text=config.disclosure.strip(),
                role="disclosure",
                pause_after_s=config.pause_paragraph_s,
                chapter=DISCLOSURE_CHAPTER,
            )
        )
    lexicon = lexicon_for(profile, config.lexicon)
    phonemes = profile.engine == "espeak"
    spoken = normalize(segments, lexicon, profile.language, phonemes)
    return Script(article, tuple(spoken), profile.name, profile.engine)


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
    from .artwork import load_artwork
    from .assemble import assemble
    from .encode import Disclosure, EncodeSettings, encode
    from .engines import get_engine
    from .synthesize import synthesize
    from .voices import find_profile

    config = config or Config()
    report = progress or _no_progress
    out = Path(out_path)
    article = source if isinstance(source, Article) else extract(source, config)
    spoken = script(article, config)
    profile = find_profile(config.voice, config.voices_dir)
    engine = get_engine(profile.engine, config)
    segments = list(spoken.segments)
    total = len(segments)

    def counted(clips: Iterator[Clip]) -> Iterator[Clip]:
        for done, clip in enumerate(clips, start=1):
            report("synthesize", done, total)
            yield clip

    intro = Path(config.intro_audio) if config.intro_audio else None
    outro = Path(config.outro_audio) if config.outro_audio else None
    for label, path in (("intro", intro), ("outro", outro)):
        if path is not None and not path.is_file():
            raise ConfigError(f"The {label} audio file {path} does not exist.")
    try:
        clips = counted(synthesize(segments, profile, engine))
        programme = assemble(segments, clips, intro, outro, config.ffmpeg)
    finally:
        close = getattr(engine, "close", None)  # engines that hold a process or files
        if close is not None:
            close()
    report("encode", 0, 1)
    settings = EncodeSettings(
        sample_rate=config.sample_rate,
        bitrate_kbps=config.bitrate_kbps,
        lame_quality=config.lame_quality,
        id3_version=config.id3_version,
        ffmpeg=config.ffmpeg,
        normalize_loudness=config.normalize_loudness,
        loudness_lufs=config.loudness_lufs,
        true_peak_dbtp=config.true_peak_dbtp,
        transcripts=config.transcripts,
    )
    lead = article.image_url if config.artwork_from_page else None
    artwork = load_artwork(lead, config.artwork, config.fetch_timeout_s, fetch_settings(config))
    disclosure = Disclosure(engine.name, engine.version, profile.name)
    encoded = encode(programme, article, segments, disclosure, out, settings, artwork)
    report("encode", 1, 1)
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
    )
