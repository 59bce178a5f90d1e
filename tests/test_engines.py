"""Engines behind one Protocol: real eSpeak NG in-process, pyttsx3 in a child, silent."""

from __future__ import annotations

import re
import subprocess
import sys
from array import array
from pathlib import Path

import pytest

from narrate.config import Config
from narrate.engines import Engine, accepts_phonemes, get_engine, list_engines
from narrate.errors import ConfigError, SynthesisError
from narrate.model import Clip
from narrate.voices import Voice

EN = Voice("en-us", "en-US", 170, 50)


def _peak(clip: Clip) -> int:
    samples = array("h", clip.pcm)
    return max(abs(s) for s in samples)


def test_every_builtin_engine_satisfies_the_protocol() -> None:
    for name in ("espeak", "pyttsx3", "silent"):
        engine = get_engine(name, Config())
        assert isinstance(engine, Engine)
        assert engine.name == name and engine.version


def test_each_engine_says_whether_it_reads_phonemes_without_being_built() -> None:
    assert accepts_phonemes("espeak")
    for name in ("pyttsx3", "silent", "piper", "hibari", "festival"):
        assert not accepts_phonemes(name), name
    # Asking loads no model and none of a neural engine's dependencies: script() asks.
    probe = (
        "import sys; from narrate.engines import accepts_phonemes; "
        "accepts_phonemes('piper'); accepts_phonemes('hibari'); "
        "loaded = {'onnxruntime', 'piper', 'hibari', 'numpy'} & set(sys.modules); "
        "print(sorted(loaded))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_unknown_engine_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="espeak"):
        get_engine("festival", Config())


def test_list_engines_reports_availability() -> None:
    infos = {info.name: info for info in list_engines(Config())}
    assert infos["espeak"].available and infos["silent"].available


def test_espeak_speaks_with_word_positions() -> None:
    engine = get_engine("espeak", Config())
    text = "Kremlin spokesperson Dmitry Peskov said on May 5."
    clip = engine.synthesize(text, EN)
    assert clip.sample_rate == 22050
    assert 1.5 < clip.duration_s < 6
    assert _peak(clip) > 3000, "speech, not silence"
    words = [text[w.char_start : w.char_start + w.char_length] for w in clip.words]
    assert words[:3] == ["Kremlin", "spokesperson", "Dmitry"]
    starts = [w.start_samples for w in clip.words]
    assert starts == sorted(starts) and starts[-1] < clip.n_samples


def test_espeak_rate_changes_duration() -> None:
    engine = get_engine("espeak", Config())
    text = "The deal was negotiated over several months."
    slow = engine.synthesize(text, Voice("en-us", "en", 120, 50))
    fast = engine.synthesize(text, Voice("en-us", "en", 260, 50))
    assert slow.duration_s > 1.5 * fast.duration_s


def test_espeak_quote_voice_sounds_different() -> None:
    engine = get_engine("espeak", Config())
    text = "Such a meeting is clearly on the radar."
    assert (
        engine.synthesize(text, EN).pcm
        != engine.synthesize(text, Voice("en-us+m3", "en", 170, 58)).pcm
    )


def test_espeak_reads_phoneme_input() -> None:
    engine = get_engine("espeak", Config())
    clip = engine.synthesize("[[k'i:v]]", EN)
    assert 0.2 < clip.duration_s < 1.5


def test_espeak_unknown_voice_is_a_clear_error() -> None:
    engine = get_engine("espeak", Config())
    with pytest.raises(SynthesisError, match="no voice 'xx-nowhere'"):
        engine.synthesize("Hello.", Voice("xx-nowhere", "xx", 170, 50))


def test_silent_engine_is_deterministic_and_paced() -> None:
    engine = get_engine("silent", Config())
    first = engine.synthesize("one two three four five six", EN)
    assert first == engine.synthesize("one two three four five six", EN)
    assert first.duration_s == pytest.approx(6 * 60 / 170, rel=0.01)
    assert set(first.pcm) == {0}
    assert len(first.words) == 6


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux driver behaviour")
def test_pyttsx3_engine_returns_complete_audio_for_every_request() -> None:
    # pyttsx3's eSpeak driver used to drop every second save_to_file; 12 in a row must all land.
    engine = get_engine("pyttsx3", Config(engine_timeout_s=20))
    try:
        texts = [f"Sentence number {i} of the pyttsx3 check." for i in range(12)]
        clips = [engine.synthesize(t, Voice("default", "en", 170, 50)) for t in texts]
    finally:
        engine.close()  # type: ignore[attr-defined]
    for clip in clips:
        assert clip.sample_rate == 22050
        assert 1.0 < clip.duration_s < 6
        assert _peak(clip) > 3000


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux driver behaviour")
def test_pyttsx3_engine_times_out_with_a_clear_error() -> None:
    engine = get_engine("pyttsx3", Config(engine_timeout_s=0.001))
    try:
        with pytest.raises(SynthesisError, match="pyttsx3"):
            engine.synthesize(
                "A long sentence that cannot be written in a millisecond. " * 20,
                Voice("default", "en", 170, 50),
            )
    finally:
        engine.close()  # type: ignore[attr-defined]


def test_espeak_word_timings_show_every_word_the_lexicon_respells(tmp_path: Path) -> None:
    """One timing per shown word, as written: eSpeak's marks inside phoneme input point at a
    letter of the phonemes ("p" for Putin), and it runs some words into the one before."""
    from narrate.assemble import assemble
    from narrate.cache import ClipStore
    from narrate.model import Segment
    from narrate.normalize import normalize, normalize_text
    from narrate.synthesize import synthesize
    from narrate.voices import builtin_voices_dir, find_profile, load_lexicon

    texts = [
        "'Meeting is clearly on the radar' — Kremlin on potential Trump-Putin meeting.",
        "Peskov's statement comes as Kyiv and Moscow met on the USA's terms at 10 a.m.",
        "Yet, progress has been limited, Peskov added, and Putin's mid-May trip is off.",
    ]
    english = load_lexicon([builtin_voices_dir() / "lexicon" / "en.tsv"])
    segments = normalize([Segment(i, t) for i, t in enumerate(texts)], english, "en-US", True)
    assert all("[[" in s.spoken for s in segments), "the lexicon gives eSpeak phonemes"
    store = ClipStore(tmp_path)
    engine = get_engine("espeak", Config())
    clips = list(synthesize(segments, find_profile("en-us"), engine, store))
    programme = assemble(segments, clips, store)
    previous = 0.0
    for text, timing in zip(texts, programme.timings, strict=True):
        # The words as written, after the numbers and letters are written out.
        written = normalize_text(text, None, "en-US").text
        expected = [re.sub(r"^\W+|\W+$", "", w) for w in written.split()]
        assert [w.text for w in timing.words] == expected
        for word in timing.words:
            assert previous <= word.start_s <= word.end_s
            assert timing.start_s <= word.start_s and word.end_s <= timing.end_s
            previous = word.start_s
    words = [w.text for t in programme.timings for w in t.words]
    for word in ("Putin", "Peskov's", "Kyiv", "the", "been", "mid-May", "A's", "a"):
        assert word in words
