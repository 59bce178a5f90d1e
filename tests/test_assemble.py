"""Joining clips: pauses, timings and chapters, checked sample by sample."""

from __future__ import annotations

import itertools
from pathlib import Path

from narrate.assemble import assemble
from narrate.cache import ClipStore
from narrate.model import Clip, Respelling, Segment, Silence, StoredClip, WordMark

RATE = 1000  # a tiny rate keeps the arithmetic readable


def _stored(store: ClipStore, name: str, n: int, lead: int = 0, rate: int = RATE) -> StoredClip:
    pcm = bytes(2 * lead) + b"\x10\x27" * (n - lead)  # silence, then a loud constant
    return store.put(name, Clip(pcm, rate, (WordMark(0, 3, lead),)))


def test_pauses_timings_and_chapters(tmp_path: Path) -> None:
    store = ClipStore(tmp_path)
    segments = [
        Segment(0, "Title.", role="title", pause_after_s=0.5, chapter="Introduction"),
        Segment(1, "One.", block=0, pause_after_s=0.25, chapter="Article"),
        Segment(2, "Two.", block=0, pause_after_s=1.0, chapter="Article"),
    ]
    clips = [
        _stored(store, "a" * 64, 1000),
        _stored(store, "b" * 64, 2000, lead=100),
        _stored(store, "c" * 64, 500),
    ]
    programme = assemble(segments, clips, store)
    assert programme.sample_rate == RATE
    assert programme.n_samples == 1000 + 500 + 2000 + 250 + 500 + 1000
    starts = [t.start_s for t in programme.timings]
    assert starts == [0.0, 1.5 + 0.1, 3.75]  # the second clip's speech starts 100 ms in
    assert [t.end_s for t in programme.timings] == [1.0, 3.5, 4.25]
    assert [(c.title, c.start_s, c.end_s) for c in programme.chapters] == [
        ("Introduction", 0.0, 1.5),
        ("Article", 1.5, 5.25),
    ]
    # The programme refers to the stored clips; nothing is joined or copied here.
    assert [p for p in programme.pieces if isinstance(p, StoredClip)] == clips
    assert [p.n_samples for p in programme.pieces if isinstance(p, Silence)] == [500, 250, 1000]


def test_clips_at_another_rate_are_resampled_into_the_store(tmp_path: Path) -> None:
    store = ClipStore(tmp_path)
    segments = [Segment(0, "A."), Segment(1, "B.")]
    first = _stored(store, "a" * 64, 1000)
    other = _stored(store, "b" * 64, 2000, rate=RATE * 2)
    programme = assemble(segments, [first, other], store)
    assert programme.sample_rate == RATE
    assert abs(programme.timings[1].end_s - programme.timings[1].start_s - 1.0) < 0.01
    resampled = [p for p in programme.pieces if isinstance(p, StoredClip)][1]
    assert resampled.sample_rate == RATE and resampled.path != other.path


def test_resampling_between_engine_rates_filters_instead_of_aliasing() -> None:
    import numpy as np

    from narrate.audio import resample

    rate = 24000
    t = np.arange(rate) / rate
    tone = (np.sin(2 * np.pi * 9000 * t) * 16000).astype("<i2").tobytes()
    down = np.frombuffer(resample(tone, rate, 16000), "<i2").astype(np.float64)
    assert len(down) == 16000
    # 9 kHz cannot exist at 16 kHz: it must be filtered out, not folded back to 7 kHz.
    assert np.sqrt(np.mean(down[500:-500] ** 2)) < 0.01 * 16000 / np.sqrt(2)
    voice = (np.sin(2 * np.pi * 300 * t) * 16000).astype("<i2").tobytes()
    kept = np.frombuffer(resample(voice, rate, 16000), "<i2").astype(np.float64)
    assert abs(np.sqrt(np.mean(kept[500:-500] ** 2)) - 16000 / np.sqrt(2)) < 200


def _word_timings(
    tmp_path: Path, segment: Segment, marks: tuple[WordMark, ...], n: int
) -> list[tuple[str, int, int]]:
    store = ClipStore(tmp_path)
    clip = store.put("w" * 64, Clip(b"\x10\x27" * n, RATE, marks))
    (timing,) = assemble([segment], [clip], store).timings
    return [(w.text, round(w.start_s * RATE), round(w.end_s * RATE)) for w in timing.words]


def test_word_timings_show_the_written_words_of_respellings(tmp_path: Path) -> None:
    spoken = "[[p'Esk0f]]'s aide met [[p'u:tIn]]."
    respelled = (Respelling(0, 11, "Peskov"), Respelling(23, 34, "Putin"))
    segment = Segment(0, "Peskov's aide met Putin.", spoken=spoken, respelled=respelled)
    # Where eSpeak marks phoneme input: one letter inside the brackets, and the "s" after them.
    marks = (WordMark(2, 1, 0), WordMark(13, 1, 300), WordMark(14, 4, 400))
    marks += (WordMark(19, 3, 600), WordMark(25, 1, 700))
    assert _word_timings(tmp_path, segment, marks, 1000) == [
        ("Peskov's", 0, 400),
        ("aide", 400, 600),
        ("met", 600, 700),
        ("Putin", 700, 1000),
    ]


def test_words_without_a_mark_share_the_time_of_the_word_before(tmp_path: Path) -> None:
    # eSpeak runs "been" into "has" and gives no mark for it: "been" is not dropped, it gets
    # its share (by length) of the time between "has" and "limited".
    spoken = "Yet, progress has been limited."
    segment = Segment(0, spoken, spoken=spoken)
    marks = (WordMark(0, 3, 0), WordMark(5, 8, 100), WordMark(14, 3, 200), WordMark(23, 7, 290))
    assert _word_timings(tmp_path, segment, marks, 400) == [
        ("Yet", 0, 100),
        ("progress", 100, 200),
        ("has", 200, 240),
        ("been", 240, 290),
        ("limited", 290, 400),
    ]


def test_word_timings_stay_in_order_when_marks_do_not(tmp_path: Path) -> None:
    spoken = "one two three four"
    segment = Segment(0, spoken, spoken=spoken)
    # "one" unmarked (it joins the first marked word), "three" marked before "two" in time.
    marks = (WordMark(4, 3, 500), WordMark(8, 5, 300), WordMark(14, 4, 800))
    timings = _word_timings(tmp_path, segment, marks, 1000)
    assert [t[0] for t in timings] == ["one", "two", "three", "four"]
    assert timings[0][1] == 500 and timings[-1][2] == 1000
    for (_, start, end), (_, following, _) in itertools.pairwise(timings):
        assert start <= end == following
