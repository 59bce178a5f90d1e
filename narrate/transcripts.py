"""Timed transcripts and chapter lists: WebVTT, SRT, JSON and Podcasting 2.0 chapters.

All times come from the assembled programme, whose timeline is the MP3's: the encoder's delay
is recorded in the LAME header and removed by decoders, so a cue at 12.3 s is heard at 12.3 s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .model import Chapter, Segment, SegmentTiming

MAX_LINE = 42  # characters per subtitle line: the usual broadcast and WCAG guidance
MAX_LINES = 2


@dataclass(frozen=True)
class Cue:
    """One subtitle: up to two lines of text shown from ``start_s`` to ``end_s``."""

    start_s: float
    end_s: float
    lines: tuple[str, ...]


def _wrap(words: list[str], width: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _time_at(timing: SegmentTiming, fraction: float) -> float:
    """When the speech is ``fraction`` of the way through the segment's text.

    Uses the engine's word timings where there are any (the spoken words, which after
    normalization are not the written ones, so the position is matched by proportion).
    """
    if fraction <= 0:
        return timing.start_s
    words = timing.words
    if words:
        index = min(len(words) - 1, round(fraction * len(words)))
        return words[index].start_s
    return timing.start_s + fraction * (timing.end_s - timing.start_s)


def cues(timings: list[SegmentTiming]) -> list[Cue]:
    """One cue per sentence; a sentence longer than two lines is split at word boundaries."""
    out: list[Cue] = []
    for timing in timings:
        lines = _wrap(timing.text.split(), MAX_LINE)
        groups = [lines[i : i + MAX_LINES] for i in range(0, len(lines), MAX_LINES)]
        total = sum(len(line) + 1 for line in lines)
        done = 0
        starts = []
        for group in groups:
            starts.append(_time_at(timing, done / total))
            done += sum(len(line) + 1 for line in group)
        ends = [*starts[1:], timing.end_s]
        for group, start, end in zip(groups, starts, ends, strict=True):
            out.append(Cue(start, max(end, start + 0.001), tuple(group)))
    return out


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _subtitles(timings: list[SegmentTiming], separator: str, header: list[str]) -> str:
    parts = list(header)
    for number, cue in enumerate(cues(timings), start=1):
        span = f"{_clock(cue.start_s, separator)} --> {_clock(cue.end_s, separator)}"
        parts += [str(number), span, *cue.lines, ""]
    return "\n".join(parts)


def webvtt(timings: list[SegmentTiming]) -> str:
    """A WebVTT file, one cue per sentence (longer ones split)."""
    return _subtitles(timings, ".", ["WEBVTT", ""])


def srt(timings: list[SegmentTiming]) -> str:
    """A SubRip file with the same cues as :func:`webvtt`."""
    return _subtitles(timings, ",", [])


def timing_json(
    timings: list[SegmentTiming], segments: list[Segment], duration_s: float, title: str
) -> str:
    """Every segment's and every spoken word's start and end, in seconds."""
    by_index = {segment.index: segment for segment in segments}
    data = {
        "version": 1,
        "title": title,
        "duration": round(duration_s, 3),
        "segments": [
            {
                "index": t.index,
                "text": t.text,
                "spoken": by_index[t.index].spoken if t.index in by_index else t.text,
                "role": by_index[t.index].role if t.index in by_index else "body",
                # the body block (paragraph) it belongs to, -1 for headline, byline and date:
                # a reader of the transcript rebuilds paragraphs from it
                "block": by_index[t.index].block if t.index in by_index else -1,
                "quoted": by_index[t.index].quoted if t.index in by_index else False,
                "start": round(t.start_s, 3),
                "end": round(t.end_s, 3),
                "words": [
                    {"text": w.text, "start": round(w.start_s, 3), "end": round(w.end_s, 3)}
                    for w in t.words
                ],
            }
            for t in timings
        ],
    }
    return _dump(data, "segments")


def _dump(data: dict[str, Any], rows: str) -> str:
    """``data`` as JSON, with each item of its list ``rows`` on a line of its own.

    Readable and diffable like an indented file, but written by json's C encoder: ``indent``
    selects the pure-Python one, which took 13 ms for a two-minute narration's words, a tenth
    of a re-render after an edit.
    """
    head = json.dumps({k: v for k, v in data.items() if k != rows}, ensure_ascii=False)
    assert head != "{}", "the list is never the only member"
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in data[rows])
    return f'{head[:-1]}, "{rows}": [\n{lines}\n]}}\n'


def chapters_json(chapters: list[Chapter], title: str) -> str:
    """Podcasting 2.0 chapters (``application/json+chapters``)."""
    data = {
        "version": "1.2.0",
        "title": title,
        "chapters": [
            {"startTime": round(c.start_s, 3), "endTime": round(c.end_s, 3), "title": c.title}
            for c in chapters
        ],
    }
    return _dump(data, "chapters")
