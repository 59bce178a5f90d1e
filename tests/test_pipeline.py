"""The whole pipeline through the library API, with each engine."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from pydub import AudioSegment
from pydub.silence import detect_nonsilent

import narrate
from narrate.audio import decode
from narrate.config import Config
from narrate.pipeline import review


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pyttsx3 drives eSpeak on Linux")
def test_render_with_the_pyttsx3_engine_gives_a_real_narration(tmp_path: Path) -> None:
    out = tmp_path / "pyttsx3.mp3"
    episode = narrate.render(str(EXAMPLE), out, Config(voice="en-us-pyttsx3"))
    assert episode.engine == "pyttsx3"
    audio = AudioSegment(decode(out, 44100), sample_width=2, frame_rate=44100, channels=1)
    assert abs(len(audio) / 1000 - episode.duration_s) < 0.1
    assert 60 < episode.duration_s < 240
    speech = detect_nonsilent(audio, min_silence_len=250, silence_thresh=-45, seek_step=10)
    assert len(speech) >= 19, "every segment should be heard"
    assert "pyttsx3" in str(ID3(out)["TXXX:Synthetic voice"])


def test_render_with_the_silent_engine_keeps_the_timing(tmp_path: Path) -> None:
    out = tmp_path / "silent.mp3"
    episode = narrate.render(str(EXAMPLE), out, Config(voice="silent"))
    assert episode.segment_count == 19
    assert MP3(out).info.length == pytest.approx(episode.duration_s, abs=0.05)
    assert episode.files[:2] == (str(out), str(out.with_suffix(".txt")))
    assert str(out.with_suffix(".vtt")) in episode.files


def test_render_settings_change_the_file(tmp_path: Path) -> None:
    out = tmp_path / "hq.mp3"
    narrate.render(
        str(EXAMPLE), out, Config(voice="silent", bitrate_kbps=96, sample_rate=48000, id3_version=4)
    )
    info = MP3(out).info
    assert (info.bitrate, info.sample_rate) == (96000, 48000)
    assert ID3(out).version == (2, 4, 0)


def test_extract_then_render_an_article_object(tmp_path: Path) -> None:
    article = narrate.extract(str(EXAMPLE), Config())
    assert isinstance(article, narrate.Article)
    episode = narrate.render(article, tmp_path / "a.mp3", Config(voice="silent"))
    assert episode.title == article.title


def test_script_marks_quotes_and_applies_the_lexicon() -> None:
    config = Config()
    spoken = narrate.script(narrate.extract(str(EXAMPLE), config), config)
    assert spoken.segments[-1].role == "disclosure"
    quoted = [s for s in spoken.segments if s.quoted]
    assert len(quoted) == 3
    assert all(s.spoken.startswith('"') or s.spoken.startswith("It must") for s in quoted)
    # eSpeak NG reads the lexicon's phonemes; other engines get the respelling.
    assert any("[[k'i:Iv]]" in s.spoken for s in spoken.segments)
    assert not any("Kyiv" in s.spoken for s in spoken.segments)
    respelled = narrate.script(narrate.extract(str(EXAMPLE), config), Config(voice="silent"))
    assert any("Peskov said" in s.spoken for s in respelled.segments)
    assert not any("[[" in s.spoken for s in respelled.segments)
    assert [s.index for s in spoken.segments] == list(range(len(spoken.segments)))


class _PhonemeEngine:
    """A site's own engine that reads eSpeak phonemes, registered like a third-party one."""

    name = "house"
    version = "1"
    accepts_phonemes = True

    def __init__(self, config: Config) -> None:
        raise AssertionError("script() must not build the engine to ask about phonemes")


def test_script_gives_phonemes_to_any_engine_that_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate import engines

    monkeypatch.setitem(engines._BUILTIN, "house", f"{__name__}:_PhonemeEngine")
    profile = tmp_path / "house.toml"
    profile.write_text(
        'name = "house"\nengine = "house"\nvoice = "v"\nlanguage = "en-US"\nrate = 170\n'
        'lexicons = ["en"]\n',
        encoding="utf-8",
    )
    article = narrate.extract(str(EXAMPLE), Config())
    spoken = narrate.script(article, Config(voice=str(profile)))
    assert any("[[k'i:Iv]]" in s.spoken for s in spoken.segments)
    report = review(article, Config(voice=str(profile)))
    assert any(said.startswith("[[") for _, said, _ in report.lexicon)


def test_progress_is_reported_per_segment(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    episode = narrate.render(
        str(EXAMPLE),
        tmp_path / "p.mp3",
        Config(voice="silent"),
        lambda stage, done, total: calls.append((stage, done, total)),
    )
    synth = [c for c in calls if c[0] == "synthesize"]
    assert synth[-1] == ("synthesize", 19, 19)
    encode = [c for c in calls if c[0] == "encode"]
    assert encode[0] == ("encode", 0, episode.parts) and episode.parts > 1
    assert encode[-1] == ("encode", episode.parts, episode.parts)
    assert [done for _, done, _ in encode] == sorted(done for _, done, _ in encode)


def test_a_failed_render_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(narrate.EncodingError):
        narrate.render(
            str(EXAMPLE),
            tmp_path / "x.mp3",
            Config(voice="silent", ffmpeg=str(tmp_path / "no-ffmpeg")),
        )
    assert list(tmp_path.iterdir()) == []


UKRAINIAN = """<html lang="uk"><head><title>Київ отримав нові автобуси</title></head><body><article>
<h1>Київ отримав нові автобуси</h1>
<p>Місто отримало 40 нових автобусів 5 травня 2025 року, повідомила міська адміністрація у вівторок.</p>
<p>Вартість закупівлі становить 120 млн грн, а перші машини вийдуть на маршрути вже цього тижня.</p>
</article></body></html>"""


def test_a_ukrainian_article_is_read_by_the_ukrainian_voice(tmp_path: Path) -> None:
    page = tmp_path / "uk.html"
    page.write_text(UKRAINIAN, encoding="utf-8")
    article = narrate.extract(str(page), Config())
    spoken = narrate.script(article, Config())
    assert spoken.voice == "uk" and spoken.profile is not None
    assert spoken.profile.narrator.id == "uk"
    text = " ".join(s.spoken for s in spoken.segments)
    assert "сорок нових автобусів" in text
    assert "п'ятого травня дві тисячі двадцять п'ятого року" in text
    assert "forty" not in text and "May" not in text
    episode = narrate.render(article, tmp_path / "uk.mp3", Config(disclosure=""))
    assert episode.voice == "uk" and episode.duration_s > 5
    assert str(ID3(tmp_path / "uk.mp3")["TLAN"]) == "ukr"


def test_an_explicit_voice_wins_over_the_language(tmp_path: Path) -> None:
    page = tmp_path / "uk.html"
    page.write_text(UKRAINIAN, encoding="utf-8")
    spoken = narrate.script(narrate.extract(str(page), Config()), Config(voice="en-gb"))
    assert spoken.voice == "en-gb"
