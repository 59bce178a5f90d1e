"""Two MP3 parts joined in a pause equal one encode: frame rule, tag rewrite, timings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLE
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

import narrate
from narrate.audio import decode, ffmpeg_path
from narrate.config import Config
from narrate.mp3join import frames_for, read_info


@pytest.mark.parametrize("n", [44100, 44102, 11520, 12118, 60000, 88207 * 2])
def test_libmp3lame_frame_count_rule(tmp_path: Path, n: int) -> None:
    pcm = (np.sin(np.arange(n) * 0.05) * 8000).astype("<i2").tobytes()
    out = tmp_path / "t.mp3"
    subprocess.run(
        [ffmpeg_path(), "-loglevel", "error", "-y", "-f", "s16le", "-ar", "44100", "-ac", "1",
         "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", "64k", "-compression_level", "3",
         "-f", "mp3", str(out)],
        input=pcm, check=True,
    )  # fmt: skip
    info = read_info(out.read_bytes())
    assert info.frames == frames_for(n)
    assert info.frames * 1152 - info.delay - info.padding == n


@pytest.mark.slow
def test_a_parallel_render_equals_a_serial_one(tmp_path: Path) -> None:
    base = Config(artwork_from_page=False, cache_dir=str(tmp_path / "cache"))
    serial = narrate.render(str(EXAMPLE), tmp_path / "s.mp3", Config(**{**base.__dict__,
                            "parallel_encode": False}))  # fmt: skip
    parallel = narrate.render(str(EXAMPLE), tmp_path / "p.mp3", base)
    # Same duration within one MP3 frame (26 ms), to the listener and to mutagen.
    frame = 1152 / 44100
    assert abs(serial.duration_s - parallel.duration_s) <= frame
    a = np.frombuffer(decode(tmp_path / "s.mp3", 44100), "<i2").astype(np.float64)
    b = np.frombuffer(decode(tmp_path / "p.mp3", 44100), "<i2").astype(np.float64)
    assert abs(len(a) - len(b)) <= 1152
    n = min(len(a), len(b))
    assert np.corrcoef(a[:n], b[:n])[0, 1] > 0.999, "the audio after the join is aligned"
    # Same transcript timings within 30 ms.
    ts = json.loads((tmp_path / "s.json").read_text())["segments"]
    tp = json.loads((tmp_path / "p.json").read_text())["segments"]
    assert [s["text"] for s in ts] == [s["text"] for s in tp]
    assert max(abs(x["start"] - y["start"]) for x, y in zip(ts, tp, strict=True)) <= 0.03
    # Same tags, chapters and length in the Info frame.
    tags_s, tags_p = ID3(tmp_path / "s.mp3"), ID3(tmp_path / "p.mp3")
    assert sorted(tags_s.keys()) == sorted(tags_p.keys())
    for key in ("TIT2", "TPE1", "TALB", "TLAN", "TXXX:AI disclosure"):
        assert str(tags_s[key]) == str(tags_p[key])
    assert abs(MP3(tmp_path / "p.mp3").info.length - MP3(tmp_path / "s.mp3").info.length) <= frame
    # Each one's Info frame gives the length that decodes, to the sample.
    assert MP3(tmp_path / "s.mp3").info.length == pytest.approx(len(a) / 44100, abs=1 / 44100)
    assert MP3(tmp_path / "p.mp3").info.length == pytest.approx(len(b) / 44100, abs=1 / 44100)
