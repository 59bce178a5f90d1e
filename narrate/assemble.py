"""Stage 6: clips → one programme with pauses, segment and word timings, and chapters.

Joining is linear in the audio's length: the programme keeps references to the clips' PCM and
to shared silence buffers, and the encoder writes them out one after another. (pydub's ``+``
would copy everything joined so far at each step: quadratic in the number of segments.)
"""

from __future__ import annotations

from collections.abc import Iterable

from .audio import resample, silence
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


def assemble(segments: Iterable[Segment], clips: Iterable[Clip]) -> Programme:
    """Lay the clips end to end with each segment's pause after it.

    The programme's sample rate is the first clip's; clips at another rate are resampled.
    """
    chunks: list[bytes] = []
    timings: list[SegmentTiming] = []
    starts: list[tuple[str, float]] = []
    silences: dict[int, bytes] = {}
    rate = 0
    position = 0  # in samples
    for segment, clip in zip(segments, clips, strict=True):
        if not rate:
            rate = clip.sample_rate
        if clip.sample_rate != rate:
            clip = Clip(resample(clip.pcm, clip.sample_rate, rate), rate)
        if not starts or starts[-1][0] != segment.chapter:
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
        chunks.append(clip.pcm)
        position += clip.n_samples
        pause = round(segment.pause_after_s * rate)
        if pause:
            if pause not in silences:
                silences[pause] = silence(pause / rate, rate)
            chunks.append(silences[pause])
            position += pause
    if not rate:
        raise ValueError("assemble() needs at least one clip")
    total_s = position / rate
    ends = [start for _, start in starts[1:]] + [total_s]
    chapters = tuple(
        Chapter(title, start, end) for (title, start), end in zip(starts, ends, strict=True)
    )
    return Programme(tuple(chunks), rate, tuple(timings), chapters)


__all__ = ["assemble"]
