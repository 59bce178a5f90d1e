"""Stage 6: clips → one programme with pauses, segment and word timings, and chapters.

The programme is a list of stored clips and pauses, not joined audio: joining is deferred to
the encoder, which streams the pieces one after another. Memory stays flat and nothing is
copied (pydub's ``+`` would copy everything joined so far at each step: quadratic).
"""

from __future__ import annotations

import hashlib
import math
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable
from pathlib import Path

from .audio import decode, resample
from .cache import Store
from .model import (
    Chapter,
    Clip,
    Piece,
    Programme,
    Segment,
    SegmentTiming,
    Silence,
    StoredClip,
    WordTiming,
)
from .mp3join import aligned_end
from .respell import shown_words

# The English title; narrate.framing has it in the other languages narrate speaks.
OUTRO_CHAPTER = "Outro"
_GAP_S = 0.6  # between intro music and the headline, and before outro music
# Pauses this long (between sentences, paragraphs, after headings) may hold a join: each is
# stretched by at most one MP3 frame (26 ms), which no listener hears in a pause of 0.35 s.
_ALIGN_FROM_S = 0.3
_SPEECH_THRESHOLD = 300  # |sample| above this (of 32767) counts as speech, about -40 dBFS


def _speech_start(clip: StoredClip) -> int:
    """First sample of speech: the engine's first word mark, else the first loud sample."""
    if clip.words:
        return clip.words[0].start_samples
    samples = array("h", clip.read())
    for i, value in enumerate(samples):
        if abs(value) > _SPEECH_THRESHOLD:
            return i
    return 0


def _word_timings(
    segment: Segment, clip: StoredClip, offset: int, rate: int
) -> tuple[WordTiming, ...]:
    """One timing for each word the segment shows, in order, from the engine's word marks.

    A mark belongs to the shown word whose read text it falls in (an engine marks words of the
    text it read: a lexicon's phonemes or respelling, which :mod:`narrate.respell` maps back to
    the written word), and times that word's start; a word's end is the next one's start, the
    last word's the clip's end. A word with no mark of its own (eSpeak runs an unstressed
    word into the one before: "has been", "on the"; or skips the rest of a hyphenated word)
    shares the time of the marked word before it (the first marked word, for words before
    it), split by the words' lengths: an interpolation, not a measurement. A word never goes
    missing. An engine that marks no words gives none.
    """
    marks = clip.words
    if not marks:
        return ()
    if segment.spoken:
        words = shown_words(segment.spoken, segment.respelled)
    else:
        words = shown_words(segment.text)
    if not words:
        return ()
    starts = [word.start for word in words]
    marked: dict[int, int] = {}  # word index → its first mark's sample
    for mark in marks:
        index = max(0, bisect_right(starts, mark.char_start) - 1)
        while index > 0 and words[index].start == words[index - 1].start:
            index -= 1  # words a respelling shares: the mark is the first one's
        marked.setdefault(index, mark.start_samples)
    anchors = sorted(marked)
    # Each marked word starts a run of words that share its time: up to the next marked word.
    runs = [0, *anchors[1:], len(words)]
    times = [marked[i] for i in anchors] + [clip.n_samples]
    out: list[WordTiming] = []
    previous = 0
    for n in range(len(anchors)):
        begin = max(previous, times[n])
        finish = max(begin, times[n + 1])
        run = words[runs[n] : runs[n + 1]]
        weights = [len(word.text) + 1 for word in run]
        total = sum(weights)
        done = 0
        for word, weight in zip(run, weights, strict=True):
            start = begin + (finish - begin) * done // total
            done += weight
            end = begin + (finish - begin) * done // total
            out.append(WordTiming(word.text, (offset + start) / rate, (offset + end) / rate))
        previous = finish
    return tuple(out)


def _stored_file(path: Path, rate: int, store: Store, ffmpeg: str) -> StoredClip:
    """An intro or outro file decoded at ``rate`` (once: the store keys it by content)."""
    key = hashlib.sha256(path.read_bytes() + f"@{rate}".encode()).hexdigest()
    return store.get(key) or store.put(key, Clip(decode(path, rate, ffmpeg), rate))


def _at_rate(clip: StoredClip, rate: int, store: Store) -> StoredClip:
    if clip.sample_rate == rate:
        return clip
    key = hashlib.sha256(f"{clip.identity}@{rate}".encode()).hexdigest()
    scale = rate / clip.sample_rate
    return store.get(key) or store.put(
        key,
        Clip(
            resample(clip.read(), clip.sample_rate, rate),
            rate,
            tuple(
                type(w)(w.char_start, w.char_length, round(w.start_samples * scale))
                for w in clip.words
            ),
        ),
    )


def assemble(
    segments: Iterable[Segment],
    clips: Iterable[StoredClip],
    store: Store,
    intro: Path | None = None,
    outro: Path | None = None,
    ffmpeg: str = "",
    output_rate: int = 0,
    sink: Callable[[Piece, int], None] | None = None,
    outro_chapter: str = OUTRO_CHAPTER,
) -> Programme:
    """Lay the clips end to end with each segment's pause after it, between intro and outro.

    The programme's sample rate is the first clip's; clips at another rate are resampled, and
    intro and outro files are decoded at that rate. The intro belongs to the first chapter; the
    outro to the last, or to a chapter of its own (titled ``outro_chapter``) when the last one
    is the article's rather than the disclosure's.
    ``sink`` is handed every piece, with the rate, as soon as it is laid down (the streaming
    encoder starts on the first parts while later clips are still being synthesized).
    """
    pieces: list[Piece] = []
    timings: list[SegmentTiming] = []
    starts: list[tuple[str, float]] = []
    rate = 0
    position = 0  # in samples
    last_role = ""  # the disclosure, in whatever language its chapter is titled, keeps the outro

    def add(piece: Piece) -> None:
        nonlocal position
        if piece.n_samples:
            pieces.append(piece)
            position += piece.n_samples
            if sink is not None:
                sink(piece, rate)

    def pause(seconds: float, boundary: bool = False) -> None:
        samples = round(seconds * rate)
        if output_rate and seconds >= _ALIGN_FROM_S:
            # Stretch the pause (by at most one MP3 frame, 26 ms) so that the next clip
            # starts on the encoder's part grid: the place an encode may be cut and cached.
            scale = output_rate / rate
            end_out = round((position + samples) * scale)
            target = aligned_end(end_out)
            # The first length that reaches the target: computed, then settled against the
            # rounding (a sample-by-sample loop took up to 1,152 steps a pause).
            samples = max(samples, math.floor((target - 0.5) / scale) - position)
            while round((position + samples) * scale) < target:
                samples += 1
            add(Silence(samples, aligned=True, boundary=boundary))
            return
        add(Silence(samples))

    for segment, stored in zip(segments, clips, strict=True):
        if not rate:
            rate = stored.sample_rate
            if intro is not None:
                add(_stored_file(intro, rate, store, ffmpeg))
                pause(_GAP_S, boundary=True)
        clip = _at_rate(stored, rate, store)
        if not starts:
            starts.append((segment.chapter, 0.0))
        elif starts[-1][0] != segment.chapter:
            starts.append((segment.chapter, position / rate))
        timings.append(
            SegmentTiming(
                index=segment.index,
                text=segment.text,
                start_s=(position + _speech_start(clip)) / rate,
                end_s=(position + clip.n_samples) / rate,
                words=_word_timings(segment, clip, position, rate),
            )
        )
        add(clip)
        pause(segment.pause_after_s)
        last_role = segment.role
    if not rate:
        raise ValueError("assemble() needs at least one clip")
    if outro is not None:
        pause(_GAP_S, boundary=True)
        if last_role != "disclosure":
            starts.append((outro_chapter, position / rate))
        add(_stored_file(outro, rate, store, ffmpeg))
    total_s = position / rate
    ends = [start for _, start in starts[1:]] + [total_s]
    chapters = tuple(
        Chapter(title, start, end) for (title, start), end in zip(starts, ends, strict=True)
    )
    return Programme(tuple(pieces), rate, tuple(timings), chapters)
