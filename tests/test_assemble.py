"""Joining clips: pauses, timings and chapters, checked sample by sample."""

from __future__ import annotations

from narrate.assemble import assemble
from narrate.model import Clip, Segment, WordMark

RATE = 1000  # a tiny rate keeps the arithmetic readable


def _clip(n: int, lead: int = 0) -> Clip:
    pcm = bytes(2 * lead) + b"\x10\x27" * (n - lead)  # silence, then a loud constant
    return Clip(pcm, RATE, (WordMark(0, 3, lead),))


def test_pauses_timings_and_chapters() -> None:
    segments = [
        Segment(0, "Title.", role="title", pause_after_s=0.5, chapter="Introduction"),
        Segment(1, "One.", block=0, pause_after_s=0.25, chapter="Article"),
        Segment(2, "Two.", block=0, pause_after_s=1.0, chapter="Article"),
    ]
    programme = assemble(segments, [_clip(1000), _clip(2000, lead=100), _clip(500)])
    assert programme.sample_rate == RATE
    assert programme.n_samples == 1000 + 500 + 2000 + 250 + 500 + 1000
    starts = [t.start_s for t in programme.timings]
    assert starts == [0.0, 1.5 + 0.1, 3.75]  # the second clip's speech starts 100 ms in
    assert [t.end_s for t in programme.timings] == [1.0, 3.5, 4.25]
    assert [(c.title, c.start_s, c.end_s) for c in programme.chapters] == [
        ("Introduction", 0.0, 1.5),
        ("Article", 1.5, 5.25),
    ]
    # Silence buffers are shared, not copied per pause.
    pauses = [c for c in programme.chunks if not any(c)]
    assert len({id(p) for p in pauses}) <= len({len(p) for p in pauses})


def test_clips_at_another_rate_are_resampled() -> None:
    segments = [Segment(0, "A."), Segment(1, "B.")]
    other = Clip(b"\x00\x10" * 2000, RATE * 2)
    programme = assemble(segments, [_clip(1000), other])
    assert programme.sample_rate == RATE
    assert abs(programme.timings[1].end_s - programme.timings[1].start_s - 1.0) < 0.01
