"""The data passed between the pipeline's stages.

Every value is a frozen dataclass. Times are seconds as ``float`` and named ``*_s``;
sample counts are ``int`` and named ``*_samples``; audio always carries its own sample rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "quote", "list_item"]
SegmentRole = Literal["title", "byline", "date", "heading", "body", "disclosure"]


@dataclass(frozen=True)
class Page:
    """A fetched HTML document (stage 1 output).

    ``source`` is what the user gave (a path, ``-`` or a URL); ``url`` is the final URL after
    redirects, or ``None`` for files and stdin.
    """

    html: str
    source: str
    url: str | None = None
    content_type: str = "text/html"
    encoding: str = "utf-8"


@dataclass(frozen=True)
class Block:
    """One block of the article body, in reading order. ``level`` is 1-6 for headings."""

    kind: BlockKind
    text: str
    level: int = 0


@dataclass(frozen=True)
class Article:
    """The readable article (stage 2 output): metadata plus body blocks, never empty.

    ``published`` is ISO 8601 (``2025-05-05`` or ``2025-05-05T21:13:00+03:00``);
    ``language`` is a BCP 47 tag such as ``en`` or ``uk``.
    """

    title: str
    blocks: tuple[Block, ...]
    authors: tuple[str, ...] = ()
    published: str | None = None
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    image_url: str | None = None
    description: str | None = None

    @property
    def byline(self) -> str | None:
        """Authors joined as a reader would say them: "A", "A and B", "A, B and C".

        The conjunction is the article's language's ("A та B" in Ukrainian, "A и B" in
        Russian); a language narrate does not frame gets commas.
        """
        from .framing import framing_for

        return framing_for(self.language).names(self.authors)

    def body_text(self) -> str:
        """The body, one block per line: exactly what ``narrate clean --body`` prints."""
        return "\n".join(block.text for block in self.blocks)


@dataclass(frozen=True)
class Segment:
    """A speakable chunk (stage 3 output), normally one sentence.

    ``text`` is as written; ``spoken`` is filled by the normalize stage. ``block`` is the index
    of the body block it came from (-1 for title, byline and date). ``pause_after_s`` is the
    silence that follows it: sentence < paragraph < heading. ``chapter`` names the section the
    segment belongs to, for chapter marks. ``respelled`` lists the spans of ``spoken`` that
    stand for other words (a lexicon's phonemes or respelling): the words the transcript's
    word timings show there.
    """

    index: int
    text: str
    role: SegmentRole = "body"
    block: int = -1
    quoted: bool = False
    pause_after_s: float = 0.3
    chapter: str = "Introduction"
    spoken: str = ""
    respelled: tuple[Respelling, ...] = ()


@dataclass(frozen=True)
class Respelling:
    """``spoken[start:end]`` is said for ``shown``: "[[k'i:Iv]]" for "Kyiv", "Harkiv" for
    "Kharkiv". The engine reads the one, a transcript shows the other."""

    start: int
    end: int
    shown: str


@dataclass(frozen=True)
class WordMark:
    """A word inside a clip: its character span in the spoken text and where it starts."""

    char_start: int
    char_length: int
    start_samples: int


@dataclass(frozen=True)
class Clip:
    """Synthesized speech for one segment: 16-bit signed little-endian mono PCM."""

    pcm: bytes
    sample_rate: int
    words: tuple[WordMark, ...] = ()

    @property
    def n_samples(self) -> int:
        """Number of samples (two bytes each)."""
        return len(self.pcm) // 2

    @property
    def duration_s(self) -> float:
        """Length of the clip in seconds."""
        return self.n_samples / self.sample_rate


@dataclass(frozen=True)
class WordTiming:
    """A spoken word's place in the finished programme."""

    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class SegmentTiming:
    """Where a segment's speech starts and ends in the finished programme."""

    index: int
    text: str
    start_s: float
    end_s: float
    words: tuple[WordTiming, ...] = ()


@dataclass(frozen=True)
class Chapter:
    """A chapter mark: a titled span of the programme."""

    title: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class StoredClip:
    """A clip kept on disk (in the segment cache or a render's spool), read when needed.

    Long narrations stream through the pipeline this way: a two-hour programme holds a list of
    these, not 300 MB of PCM.
    """

    path: str
    sample_rate: int
    n_samples: int
    words: tuple[WordMark, ...] = ()
    offset: int = 0
    """Where the PCM starts in the file (after a cache entry's header; a spool holds many)."""

    @property
    def duration_s(self) -> float:
        """Length of the clip in seconds."""
        return self.n_samples / self.sample_rate

    @property
    def identity(self) -> str:
        """Names this clip's audio: its file and place in it (a spool file holds many clips)."""
        return f"{self.path}@{self.offset}"

    def read(self) -> bytes:
        """The clip's 16-bit mono PCM."""
        with open(self.path, "rb") as handle:
            if self.offset:
                handle.seek(self.offset)
            return handle.read(2 * self.n_samples)


@dataclass(frozen=True)
class Silence:
    """A pause in the programme.

    An ``aligned`` pause ends on the output's MP3 frame grid (see :mod:`narrate.mp3join`): the
    encoder may cut the programme there into parts it levels, encodes and caches independently.
    A ``boundary`` pause (aligned too) is always cut: it separates intro or outro music from
    the speech, so each is levelled on its own.
    """

    n_samples: int
    aligned: bool = False
    boundary: bool = False


Piece = StoredClip | Silence


@dataclass(frozen=True)
class Programme:
    """The assembled audio (stage 6 output), ready to level and encode.

    ``pieces`` are clips and pauses in order, all at ``sample_rate``; the encoder reads the
    clips one at a time.
    """

    pieces: tuple[Piece, ...]
    sample_rate: int
    timings: tuple[SegmentTiming, ...]
    chapters: tuple[Chapter, ...]

    @property
    def n_samples(self) -> int:
        """Total number of samples."""
        return sum(piece.n_samples for piece in self.pieces)

    @property
    def duration_s(self) -> float:
        """Total length in seconds."""
        return self.n_samples / self.sample_rate


@dataclass(frozen=True)
class Episode:
    """A finished narration (stage 7 output): the files written and what they hold."""

    mp3_path: str
    transcript_path: str
    title: str
    duration_s: float
    segment_count: int
    voice: str
    engine: str
    files: tuple[str, ...] = field(default_factory=tuple)
    chapters: tuple[Chapter, ...] = ()
    synthesized: int = 0
    """Segments the engine spoke for this render; the rest came from the segment cache."""
    reused: int = 0
    parts: int = 0
    """MP3 parts the audio was encoded in (each levelled and encoded on its own)."""
    encoded_parts: int = 0
    """Parts encoded for this render; the rest came from the cache (an edit re-encodes one)."""
