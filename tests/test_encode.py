"""The finished MP3, decoded and read back as a listener's player and a podcast app would."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE_PARAGRAPHS, Rendered
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from pydub import AudioSegment
from pydub.silence import detect_nonsilent, detect_silence

from narrate.audio import decode, probe
from narrate.encode import atomic_path

pytestmark = pytest.mark.slow


def _decoded(path: Path, rate: int = 44100) -> AudioSegment:
    return AudioSegment(decode(path, rate), sample_width=2, frame_rate=rate, channels=1)


def test_mp3_is_44k1_mono_64k_cbr(rendered: Rendered) -> None:
    info = MP3(rendered.mp3).info
    assert info.sample_rate == 44100
    assert info.channels == 1
    assert info.bitrate == 64000
    assert info.bitrate_mode == BitrateMode.CBR  # from LAME's info tag
    probed = probe(rendered.mp3)
    assert (probed.codec, probed.sample_rate, probed.channels) == ("mp3", 44100, 1)


def test_duration_matches_the_assembled_timing_within_one_percent(rendered: Rendered) -> None:
    decoded_s = len(_decoded(rendered.mp3)) / 1000
    for measured in (MP3(rendered.mp3).info.length, decoded_s, rendered.episode_duration_s):
        assert abs(measured - rendered.assembled_s) / rendered.assembled_s < 0.01
    assert 60 < rendered.assembled_s < 240  # ten paragraphs at a newsreader's pace


def test_audio_is_speech_with_pauses_not_noise_or_silence(rendered: Rendered) -> None:
    audio = _decoded(rendered.mp3)
    assert audio.dBFS > -30, "narration is far too quiet"
    assert audio.max_dBFS <= 0.0
    speech = detect_nonsilent(audio, min_silence_len=250, silence_thresh=-45, seek_step=10)
    pauses = detect_silence(audio, min_silence_len=300, silence_thresh=-45, seek_step=10)
    assert speech[0][0] < 600, "speech should start at once"
    # A pause after every sentence: title, byline, date and at least one per paragraph.
    assert len(pauses) >= 3 + len(EXAMPLE_PARAGRAPHS)
    longest_pause_ms = max(end - start for start, end in pauses)
    assert longest_pause_ms < 2500, "a gap this long sounds like the file has stopped"
    total_speech_ms = sum(end - start for start, end in speech)
    assert total_speech_ms > 0.6 * len(audio)


def test_each_segment_starts_where_the_timing_record_says(rendered: Rendered) -> None:
    audio = _decoded(rendered.mp3)
    onsets = [start for start, _ in detect_nonsilent(audio, 150, -45, seek_step=5)]
    for start_s, _end_s in rendered.timings:
        nearest = min(abs(onset / 1000 - start_s) for onset in onsets)
        assert nearest < 0.15, f"no speech onset near {start_s:.2f} s"


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
    assert abs(int(str(tags["TLEN"])) / 1000 - rendered.assembled_s) < 0.05
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
    body = lines[3:]
    assert len(body) == len(EXAMPLE_PARAGRAPHS)
    for line, start in zip(body, EXAMPLE_PARAGRAPHS, strict=True):
        assert line.startswith(start)


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
    assert oct(target.stat().st_mode & 0o777) != oct(0o600), "file should follow the umask"
