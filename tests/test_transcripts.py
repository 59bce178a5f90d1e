"""Subtitle cues and chapter lists from timings, without any audio."""

from __future__ import annotations

import json

from narrate.model import Chapter, SegmentTiming, WordTiming
from narrate.transcripts import chapters_json, cues, srt, webvtt

LONG = (
    "Trump has reportedly grown frustrated with the slow progression of peace negotiations, "
    "claiming on April 26 that Putin may be tapping me along, and that he may not be "
    "interested in ending the war."
)


def _timing(text: str, start: float, end: float, words: bool = True) -> SegmentTiming:
    spoken = text.split()
    step = (end - start) / len(spoken)
    marks = tuple(
        WordTiming(w, start + i * step, start + (i + 1) * step) for i, w in enumerate(spoken)
    )
    return SegmentTiming(0, text, start, end, marks if words else ())


def test_a_short_sentence_is_one_cue_with_its_own_times() -> None:
    (cue,) = cues([_timing("Peskov said.", 3.25, 4.0)])
    assert (cue.start_s, cue.end_s, cue.lines) == (3.25, 4.0, ("Peskov said.",))


def test_a_long_sentence_is_split_at_word_boundaries_into_two_line_cues() -> None:
    parts = cues([_timing(LONG, 10.0, 22.0)])
    assert len(parts) == 3  # 186 characters: five lines of at most 42
    assert all(len(c.lines) <= 2 and all(len(line) <= 42 for line in c.lines) for c in parts)
    assert " ".join(line for c in parts for line in c.lines) == LONG
    assert parts[0].start_s == 10.0 and parts[-1].end_s == 22.0
    assert parts[0].end_s == parts[1].start_s < parts[1].end_s == parts[2].start_s
    # Each cue starts on a word's start time, about where its text starts in the sentence.
    word_starts = {round(10.0 + i * 12.0 / len(LONG.split()), 6) for i in range(len(LONG.split()))}
    assert round(parts[1].start_s, 6) in word_starts
    assert 14.0 < parts[1].start_s < 16.0


def test_without_word_timings_the_split_is_proportional() -> None:
    parts = cues([_timing(LONG, 0.0, 12.0, words=False)])
    share = sum(len(line) + 1 for line in parts[0].lines) / (len(LONG) + 1)
    assert abs(parts[1].start_s - 12.0 * share) < 0.01  # no words: time by text share


def test_webvtt_and_srt_formats() -> None:
    timings = [_timing("Hello there.", 0.0, 1.5), _timing("Goodbye.", 3661.25, 3662.0)]
    vtt = webvtt(timings)
    assert vtt.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nHello there.\n")
    assert "01:01:01.250 --> 01:01:02.000" in vtt
    sub = srt(timings)
    assert sub.startswith("1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n2\n")


def test_chapters_json_is_podcasting_2() -> None:
    data = json.loads(
        chapters_json([Chapter("Introduction", 0, 9.5), Chapter("Article", 9.5, 60)], "T")
    )
    assert data["version"] == "1.2.0"
    assert data["chapters"][1] == {"startTime": 9.5, "endTime": 60, "title": "Article"}


def test_json_files_have_one_item_a_line_and_read_back_exactly() -> None:
    chapters = [Chapter('Say "no" — ünïcode', 0, 9.5), Chapter("Article", 9.5, 60.25)]
    text = chapters_json(chapters, 'Tïtle, with a "quote"')
    lines = text.splitlines()
    assert len(lines) == 4 and lines[1].startswith('{"startTime": 0')  # one chapter a line
    assert "ü" in text, "written as UTF-8, not escaped"
    data = json.loads(text)
    assert data["title"] == 'Tïtle, with a "quote"'
    assert [c["title"] for c in data["chapters"]] == [c.title for c in chapters]
