"""Stage 6: clips → one programme with pauses, segment and word timings, and chapters.

Joining is linear in the audio's length: the programme keeps references to the clips' PCM and
to shared silence buffers, and the encoder writes them out one after another. (pydub's ``+``
would copy everything joined so far at each step: quadratic in the number of segments.)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .audio import decode, resample, silence
from .model import Chapter, Clip, Programme, Segment, SegmentTiming, WordTiming

_SPEECH_THRESHOLD = 300  # |sample| above this (of 32767) counts as speech, about -40 dBFS


def _speech_start(clip: Clip) -> int:
    """First sample of speech: eSpeak's first word mark, else the first loud sample."""
    if clip.words:
        return clip.words[0].start_samples
    pcm = memoryview(clip.pcm).cast("h")
    for i, value in enumerate(pcm):
        if abs(value) > _SPEECH_THRESHOLD:
            return i
    return 0


def _word_timings(
    segment: Segment, clip: Clip, offset: int, rate: int, speech_end: int
) -> tuple[WordTiming, ...]:
    spoken = segment.spoken or segment.text
    marks = clip.words
    out = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start_samples if i + 1 < len(marks) else speech_end
        text = spoken[mark.char_start : mark.char_start + mark.char_length]
        out.append(WordTiming(text, (offset + mark.start_samples) / rate, (offset + end) / rate))
    return tuple(out)


OUTRO_CHAPTER = "Outro"
DISCLOSURE_CHAPTER = "About this audio"
_GAP_S = 0.6  # between intro music and the headline, and before outro music


def assemble(
    segments: Iterable[Segment],
    clips: Iterable[Clip],
    intro: Path | None = None,
    outro: Path | None = None,
    ffmpeg: str = "",
) -> Programme:
    """Lay the clips end to end with each segment's pause after it, between intro and outro.

    The programme's sample rate is the first clip's; clips at another rate are resampled, and
    intro and outro files are decoded at that rate. The intro belongs to the first chapter; the
    outro to the last, or to a chapter of its own when the last one is the article's.
    """
    chunks: list[bytes] = []
    timings: list[SegmentTiming] = []
    starts: list[tuple[str, float]] = []
    silences: dict[int, bytes] = {}
    rate = 0
    position = 0  # in samples

    def add(pcm: bytes) -> None:
        nonlocal position
        chunks.append(pcm)
        position += len(pcm) // 2

    def pause(seconds: float) -> None:
        samples = round(seconds * rate)
        if samples:
            if samples not in silences:
                silences[samples] = silence(samples / rate, rate)
            add(silences[samples])

    for segment, clip in zip(segments, clips, strict=True):
        if not rate:
            rate = clip.sample_rate
            if intro is not None:
                add(decode(intro, rate, ffmpeg))
                pause(_GAP_S)
        if clip.sample_rate != rate:
            clip = Clip(resample(clip.pcm, clip.sample_rate, rate), rate)
        if not starts:
            starts.append((segment.chapter, 0.0))
        elif starts[-1][0] != segment.chapter:
            starts.append((segment.chapter, position / rate))
        speech_start = _speech_start(clip)
        timings.append(
            SegmentTiming(
                index=segment.index,
                text=segment.text,
                start_s=(position + speech_start) / rate,
                end_s=(position + clip.n_samples) / rate,
                words=_word_timings(segment, clip, position, rate, clip.n_samples),
            )
        )
        add(clip.pcm)
        pause(segment.pause_after_s)
    if not rate:
        raise ValueError("assemble() needs at least one clip")
    if outro is not None:
        pause(_GAP_S)
        if starts[-1][0] != DISCLOSURE_CHAPTER:
            starts.append((OUTRO_CHAPTER, position / rate))
        add(decode(outro, rate, ffmpeg))
    total_s = position / rate
    ends = [start for _, start in starts[1:]] + [total_s]
    chapters = tuple(
        Chapter(title, start, end) for (title, start), end in zip(starts, ends, strict=True)
    )
    return Programme(tuple(chunks), rate, tuple(timings), chapters)
