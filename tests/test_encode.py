"""The finished files, decoded and read back as a listener's player and a podcast app would."""

from __future__ import annotations

import itertools
import json
import math
import re
import wave
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLE_PARAGRAPHS, Rendered
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3, BitrateMode
from pydub import AudioSegment
from pydub.silence import detect_nonsilent, detect_silence

import narrate
from narrate.audio import decode, measure_loudness, probe
from narrate.config import Config
from narrate.encode import atomic_path
from narrate.normalize import normalize_text

pytestmark = pytest.mark.slow


def _decoded(path: Path, rate: int = 44100) -> AudioSegment:
    return AudioSegment(decode(path, rate), sample_width=2, frame_rate=rate, channels=1)


def _loudness(path: Path) -> tuple[float, float]:
    measured = measure_loudness([decode(path, 44100)], 44100)
    return measured.integrated_lufs, measured.true_peak_dbtp


def test_mp3_is_44k1_mono_64k_cbr(rendered: Rendered) -> None:
    info = MP3(rendered.mp3).info
    assert (info.sample_rate, info.channels, info.bitrate) == (44100, 1, 64000)
    assert info.bitrate_mode == BitrateMode.CBR  # from LAME's info tag
    probed = probe(rendered.mp3)
    assert (probed.codec, probed.sample_rate, probed.channels) == ("mp3", 44100, 1)


def test_duration_matches_the_timing_record_within_one_percent(rendered: Rendered) -> None:
    assembled = rendered.timing["duration"]
    decoded_s = len(_decoded(rendered.mp3)) / 1000
    for measured in (MP3(rendered.mp3).info.length, decoded_s, rendered.duration_s):
        assert abs(measured - assembled) / assembled < 0.01
    assert 60 < assembled < 240  # ten paragraphs at a newsreader's pace


def test_the_duration_read_from_the_tags_is_what_decodes(rendered: Rendered) -> None:
    """Players, the chapter list and the feed take the length from the Info frame: it must
    say what a decoder plays, to the sample (it read 32 ms long when the tag named ffmpeg)."""
    samples = len(decode(rendered.mp3, 44100)) // 2
    assert MP3(rendered.mp3).info.length == pytest.approx(samples / 44100, abs=1 / 44100)
    assert rendered.duration_s == pytest.approx(samples / 44100, abs=1 / 44100)


def test_loudness_is_podcast_standard(rendered: Rendered) -> None:
    integrated, true_peak = _loudness(rendered.mp3)
    assert -17.0 <= integrated <= -15.0
    assert true_peak <= -1.0


def test_audio_is_speech_with_pauses_not_noise_or_silence(rendered: Rendered) -> None:
    audio = _decoded(rendered.mp3)
    speech = detect_nonsilent(audio, min_silence_len=250, silence_thresh=-45, seek_step=10)
    pauses = detect_silence(audio, min_silence_len=300, silence_thresh=-45, seek_step=10)
    assert speech[0][0] < 600, "speech should start at once"
    # A pause after every sentence: title, byline, date and at least one per paragraph.
    assert len(pauses) >= 3 + len(EXAMPLE_PARAGRAPHS)
    longest_pause_ms = max(end - start for start, end in pauses)
    assert longest_pause_ms < 2500, "a gap this long sounds like the file has stopped"
    assert sum(end - start for start, end in speech) > 0.6 * len(audio)


def test_every_cue_starts_where_the_speech_does(rendered: Rendered) -> None:
    audio = _decoded(rendered.mp3)
    onsets = [start / 1000 for start, _ in detect_nonsilent(audio, 150, -45, seek_step=5)]
    vtt = rendered.mp3.with_suffix(".vtt").read_text(encoding="utf-8")
    starts = [_seconds(line.split(" --> ")[0]) for line in vtt.splitlines() if " --> " in line]
    sentence_starts = {round(s["start"], 3) for s in rendered.timing["segments"]}
    assert len(starts) >= len(sentence_starts)
    for start in starts:
        if round(start, 3) in sentence_starts:
            # A sentence's first cue: the speech begins (after a pause) within 150 ms.
            assert min(abs(onset - start) for onset in onsets) < 0.15, start
        else:
            # A cue inside a long sentence: the voice is speaking at that moment.
            window = audio[int((start - 0.15) * 1000) : int((start + 0.15) * 1000)]
            assert window.dBFS > -40, start


def _seconds(clock: str) -> float:
    hours, minutes, rest = clock.replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def test_cues_are_at_most_two_lines_of_42_characters(rendered: Rendered) -> None:
    for suffix in (".vtt", ".srt"):
        text = rendered.mp3.with_suffix(suffix).read_text(encoding="utf-8")
        blocks = [b.splitlines() for b in text.strip().split("\n\n")]
        if suffix == ".vtt":
            assert blocks[0] == ["WEBVTT"]
            blocks = blocks[1:]
        for block in blocks:
            number, timing, *lines = block
            assert number.isdigit() and " --> " in timing
            assert 1 <= len(lines) <= 2
            assert all(len(line) <= 42 for line in lines), lines
    srt = rendered.mp3.with_suffix(".srt").read_text(encoding="utf-8")
    assert "00:00:00,000 --> " in srt


def test_timing_json_has_every_segment_and_word(rendered: Rendered) -> None:
    segments = rendered.timing["segments"]
    assert len(segments) == rendered.episode.segment_count
    previous_end = 0.0
    for segment in segments:
        assert previous_end <= segment["start"] < segment["end"]
        previous_end = segment["end"]
        words = segment["words"]
        assert words, "eSpeak NG gives word timings"
        assert [w["start"] for w in words] == sorted(w["start"] for w in words)
        assert segment["start"] <= words[0]["start"] and words[-1]["end"] <= segment["end"]
        assert all(w["start"] <= w["end"] for w in words)
        # One timing for every word, shown as written (the lexicon's phonemes are not shown),
        # even those eSpeak runs into the word before ("has been", "on the").
        written = normalize_text(segment["text"], None, "en-US").text
        assert [w["text"] for w in words] == [re.sub(r"^\W+|\W+$", "", w) for w in written.split()]
    said = [w["text"] for s in segments for w in s["words"]]
    assert said.count("Putin") + said.count("Putin's") == 4 and "Peskov's" in said
    assert "been" in said and len(said) == 316
    assert segments[-1]["role"] == "disclosure"
    assert any(s["quoted"] for s in segments)


def test_id3_chapters_cover_the_file_in_order(rendered: Rendered) -> None:
    tags = ID3(rendered.mp3)
    (toc,) = tags.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    chapters = [tags[f"CHAP:{element}"] for element in toc.child_element_ids]
    titles = [str(c.sub_frames["TIT2"]) for c in chapters]
    assert titles == ["Introduction", "Article", "About this audio"]
    assert chapters[0].start_time == 0
    for before, after in itertools.pairwise(chapters):
        assert before.start_time < before.end_time <= after.start_time
    length_ms = MP3(rendered.mp3).info.length * 1000
    assert abs(chapters[-1].end_time - length_ms) < 30
    # ffmpeg's demuxer (what ffprobe -show_chapters uses) reads the same chapters.
    probed = probe(rendered.mp3).chapters
    assert [title for _, _, title in probed] == titles
    # ffmpeg shifts chapter times by the encoder delay it trims (1105 samples, 25 ms).
    assert probed[1][0] == pytest.approx(chapters[1].start_time / 1000, abs=0.03)


def test_podcasting_chapters_json(rendered: Rendered) -> None:
    data = json.loads(rendered.mp3.with_name("kyiv.chapters.json").read_text())
    assert data["version"].startswith("1.")
    assert [c["title"] for c in data["chapters"]] == ["Introduction", "Article", "About this audio"]
    assert data["chapters"][0]["startTime"] == 0


def test_cover_art_is_a_square_jpeg_for_podcast_directories(rendered: Rendered) -> None:
    from io import BytesIO

    from PIL import Image

    (apic,) = ID3(rendered.mp3).getall("APIC")
    assert apic.type == 3 and apic.mime == "image/jpeg"
    with Image.open(BytesIO(apic.data)) as image:
        assert image.format == "JPEG"
        assert image.width == image.height and 1400 <= image.width <= 3000


def test_id3v23_tags_read_back_by_mutagen(rendered: Rendered) -> None:
    tags = ID3(rendered.mp3)
    assert tags.version == (2, 3, 0)
    assert str(tags["TIT2"]).startswith("'Meeting is clearly on the radar'")
    assert str(tags["TPE1"]) == "Kateryna Hodunova"
    assert str(tags["TALB"]) == "The Kyiv Independent"
    assert str(tags["TDRC"]) == "2025-05-05"  # mutagen reads v2.3's TYER + TDAT back as one date
    raw = ID3(rendered.mp3, translate=False)
    assert str(raw["TYER"]) == "2025"
    assert str(raw["TDAT"]) == "0505"  # DDMM
    assert str(tags["TLAN"]) == "eng"
    assert abs(int(str(tags["TLEN"])) / 1000 - rendered.duration_s) < 0.05
    assert tags["WXXX:Source"].url.startswith("https://kyivindependent.com/")
    disclosure = str(tags["TXXX:AI disclosure"])
    assert "synthetic voice" in disclosure and "espeak-ng" in disclosure
    assert str(tags["TXXX:Synthetic voice"]).startswith("espeak; espeak-ng ")
    assert "kyivindependent.com" in str(tags.getall("COMM")[0])


def test_tags_read_back_by_ffmpegs_demuxer(rendered: Rendered) -> None:
    tags = probe(rendered.mp3).tags
    assert tags["title"].startswith("'Meeting is clearly on the radar'")
    assert tags["artist"] == "Kateryna Hodunova"
    assert tags["album"] == "The Kyiv Independent"
    assert tags["date"].startswith("2025")
    assert tags["language"] == "eng"


def test_transcript_is_one_paragraph_per_line(rendered: Rendered) -> None:
    lines = rendered.transcript.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == [
        "'Meeting is clearly on the radar' — Kremlin on potential Trump-Putin meeting.",
        "By Kateryna Hodunova.",
        "May 5, 2025.",
    ]
    body = lines[3:-1]
    assert len(body) == len(EXAMPLE_PARAGRAPHS)
    for line, start in zip(body, EXAMPLE_PARAGRAPHS, strict=True):
        assert line.startswith(start)
    assert lines[-1] == "This audio was generated with an offline synthetic voice."


def _tone(path: Path, seconds: float, hz: float) -> Path:
    rate = 22050
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = bytearray()
        for i in range(int(seconds * rate)):
            value = int(12000 * math.sin(2 * math.pi * hz * i / rate))
            frames += value.to_bytes(2, "little", signed=True)
        out.writeframes(bytes(frames))
    return path


HEADED = """<html lang="en"><head><title>Storm closes ports</title></head><body><article>
<h1>Storm closes ports</h1>
<p>A storm closed three ports on the north coast on Tuesday, stranding ferries and their passengers overnight.</p>
<h2>Ferries</h2>
<p>Ferry operators said sailings would resume once the wind dropped below gale force on Wednesday morning.</p>
<h2>Power cuts</h2>
<p>About two thousand homes lost power when falling trees brought down lines near the harbour town.</p>
</article></body></html>"""


def test_intro_outro_headings_and_no_disclosure(tmp_path: Path) -> None:
    intro = _tone(tmp_path / "intro.wav", 2.0, 440)
    outro = _tone(tmp_path / "outro.wav", 1.5, 660)
    config = Config(intro_audio=str(intro), outro_audio=str(outro), disclosure="")
    page = tmp_path / "headed.html"
    page.write_text(HEADED)
    episode = narrate.render(str(page), tmp_path / "h.mp3", config)
    titles = [c.title for c in episode.chapters]
    assert titles == ["Introduction", "Article", "Ferries", "Power cuts", "Outro"]
    timing = json.loads((tmp_path / "h.json").read_text())
    assert timing["segments"][0]["start"] >= 2.0, "the headline comes after the intro"
    assert episode.chapters[-1].start_s > timing["segments"][-1]["end"]
    assert not any(s["role"] == "disclosure" for s in timing["segments"])
    integrated, true_peak = _loudness(tmp_path / "h.mp3")
    assert -17.0 <= integrated <= -15.0 and true_peak <= -1.0
    audio = _decoded(tmp_path / "h.mp3")
    assert audio[:1800].dBFS > -30, "the intro tone opens the file"
    # The music is levelled on its own (the tone is about 4 LU louder than the target).
    intro_lufs = measure_loudness([audio[:1900].raw_data], audio.frame_rate).integrated_lufs
    assert -17.5 <= intro_lufs <= -14.5, intro_lufs
    assert audio[-1400:].dBFS > -30, "the outro tone closes it"
    assert "TXXX:AI disclosure" in ID3(tmp_path / "h.mp3")  # the tag stays without the sentence


def test_a_corrupt_configured_cover_is_a_configuration_error_before_any_work(
    tmp_path: Path,
) -> None:
    """The user's own setting, checked like the intro's (a page's image only warns)."""
    broken = tmp_path / "cover.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10)
    config = Config(voice="silent", artwork=str(broken), artwork_from_page=False)
    with pytest.raises(narrate.ConfigError, match=rf"The artwork file {broken} cannot be used: "):
        narrate.render(str(EXAMPLE), tmp_path / "out" / "c.mp3", config)
    assert not (tmp_path / "out").exists()


def test_a_failed_page_image_names_the_cover_used_instead(tmp_path: Path) -> None:
    from PIL import Image

    from narrate.artwork import load_artwork

    cover = tmp_path / "cover.png"
    Image.new("RGB", (40, 30), "navy").save(cover)
    said: list[str] = []
    art = load_artwork(str(tmp_path / "gone.jpg"), str(cover), warn=said.append)
    assert art is not None
    assert len(said) == 1 and said[0].startswith(f"no cover art from {tmp_path / 'gone.jpg'} (")
    assert said[0].endswith(f"; using {cover}")
    said.clear()
    assert load_artwork(str(tmp_path / "gone.jpg"), str(tmp_path / "also-gone.png"),
                        warn=said.append) is None  # fmt: skip
    assert [m.split(" (")[0] for m in said] == [
        f"no cover art from {tmp_path / 'gone.jpg'}",
        f"no cover art from {tmp_path / 'also-gone.png'}",
    ]


def test_a_missing_intro_fails_before_writing_anything(tmp_path: Path) -> None:
    config = Config(voice="silent", intro_audio=str(tmp_path / "nope.wav"))
    with pytest.raises(narrate.ConfigError, match="intro"):
        narrate.render(str(EXAMPLE), tmp_path / "out" / "x.mp3", config)
    assert not (tmp_path / "out").exists()


def test_atomic_path_leaves_nothing_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "out" / "story.mp3"
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_bytes(b"half an mp3")
        raise RuntimeError("encoder died")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_atomic_path_replaces_an_old_file_only_when_done(tmp_path: Path) -> None:
    target = tmp_path / "story.mp3"
    target.write_bytes(b"old")
    with atomic_path(target) as temp:
        temp.write_bytes(b"new")
        assert target.read_bytes() == b"old"
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 != 0o600, "file should follow the umask"
