"""The streaming encoder: where a programme is cut into parts, and parts started early."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from narrate.audio import decode, measure_loudness
from narrate.cache import ClipStore
from narrate.encode import _PART_S, EncodeSettings, StreamEncoder, _Cutter
from narrate.model import Clip, Piece, Silence, StoredClip
from narrate.mp3join import FRAME_SAMPLES, PART_LEAD, aligned_end

RATE, OUT = 22050, 44100


def _clip(seconds: float) -> StoredClip:
    return StoredClip(f"/clip-{seconds}", RATE, round(seconds * RATE))


def _pause(seconds: float, boundary: bool = False) -> Silence:
    return Silence(round(seconds * RATE), aligned=True, boundary=boundary)


def _cut(pieces: list[Piece]) -> list[tuple[int, list]]:
    """Feed the pieces one by one: (pieces fed when a part came out, the parts)."""
    cutter = _Cutter(RATE, OUT)
    out: list[tuple[int, list]] = []
    for fed, piece in enumerate(pieces, start=1):
        for part in cutter.push(piece):
            out.append((fed, part))
    out.extend((len(pieces), part) for part in cutter.finish())
    return out


def test_cuts_in_aligned_pauses_at_least_part_s_apart_one_piece_late() -> None:
    pieces: list[Piece] = []
    for _ in range(6):
        pieces += [_clip(0.4 * _PART_S), Silence(round(0.1 * RATE)), _clip(0.2 * _PART_S)]
        pieces += [_pause(0.1 * _PART_S)]
    parts = _cut(pieces)
    # Paragraphs of 0.7 part: a part holds two, and the pause that ends a part is only known
    # to be a cut once the next piece arrives.
    assert [fed for fed, _ in parts] == [9, 17, 24]
    assert [len(part.pieces) for _, part in parts] == [7, 7, 8]  # the last keeps its pause
    assert parts[0][1].first and not any(part.first for _, part in parts[1:])
    assert parts[-1][1].trail == 0 and parts[-1][1].after is None
    assert all(part.after is not None for _, part in parts[:-1])
    # The parts tile the output exactly, each join giving back the one frame it holds.
    total = sum(p.n_samples for p in pieces)
    joins = FRAME_SAMPLES * (len(parts) - 1)
    assert sum(part.length for _, part in parts) + joins == round(total * OUT / RATE)
    for _, part in parts[1:]:
        assert part.lead == PART_LEAD
    for _, part in parts:
        body = round(sum(p.n_samples for p in part.pieces) * OUT / RATE)
        assert abs(part.lead + body + part.trail - part.length) <= 1
        assert part.trail >= 0


def test_a_pause_at_the_very_end_is_never_a_cut() -> None:
    pieces: list[Piece] = [_clip(11.0), _pause(0.7), _clip(11.0), _pause(0.7)]
    parts = _cut(pieces)
    assert len(parts) == 2
    last = parts[-1][1]
    assert isinstance(last.pieces[-1], Silence) and last.after is None
    assert sum(part.length for _, part in parts) + FRAME_SAMPLES == round(23.4 * OUT)


def test_intro_and_outro_are_parts_of_their_own_however_short() -> None:
    pieces: list[Piece] = [_clip(2.0), _pause(0.6, True), _clip(4.0), _pause(0.7), _clip(4.0)]
    pieces += [_pause(0.6, True), _clip(1.5)]
    parts = _cut(pieces)
    assert [len(part.pieces) for _, part in parts] == [1, 3, 1]


def test_parts_grow_with_the_narration_so_a_long_one_is_not_hundreds_of_parts() -> None:
    pieces: list[Piece] = []
    for _ in range(360):  # an hour of 10 s paragraphs
        pieces += [_clip(9.3), _pause(0.7)]
    parts = _cut(pieces)
    assert 50 <= len(parts) <= 90
    lengths = [part.length / OUT for _, part in parts]
    assert max(lengths[:10]) < 15 and lengths[-2] > 100
    assert max(lengths) < 121, "and never so long that the last one is a long tail on one core"


def _tone_clip(store: ClipStore, name: str, seconds: float, amplitude: float) -> StoredClip:
    t = np.arange(round(seconds * RATE)) / RATE
    wave = amplitude * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    pcm = (wave * 32767).astype("<i2").tobytes()
    return store.put(name * 64, Clip(pcm, RATE))


@pytest.mark.parametrize("parallel", [True, False])
def test_parts_are_encoded_while_the_programme_is_still_growing(
    tmp_path: Path, parallel: bool
) -> None:
    store = ClipStore(tmp_path / "store")
    settings = EncodeSettings(parallel=parallel)
    pieces: list[Piece] = []
    position = 0
    for i, amplitude in enumerate([0.05, 0.05, 0.4, 0.4]):
        clip = _tone_clip(store, "abcd"[i], 0.6 * _PART_S, amplitude)
        position += clip.n_samples
        pause = round(1.0 * RATE)  # stretched onto the frame grid, as assemble does
        target = aligned_end(round((position + pause) * OUT / RATE))
        while round((position + pause) * OUT / RATE) < target:
            pause += 1
        position += pause
        pieces += [clip, Silence(pause, aligned=True)]
    with StreamEncoder(settings, tmp_path, store) as encoder:
        for piece in pieces[:5]:
            encoder.add(piece, RATE)
        assert encoder.parts == 1, "the first half went to the encoder before the rest arrived"
        for piece in pieces[5:]:
            encoder.add(piece, RATE)
        encoder.finish(tmp_path / "out.mp3")
    assert encoder.parts == 2
    assert encoder.encoded == (2 if encoder.parallel else 1)
    assert not list(tmp_path.glob(".part-*")), "spare ffmpegs and their files are gone"
    # Every sample where it belongs: ffmpeg decodes exactly the programme's length.
    decoded = np.frombuffer(decode(tmp_path / "out.mp3", OUT), "<i2")
    assert len(decoded) == round(position * OUT / RATE)
    # Each part was levelled on its own: the quiet first half is as loud as the second.
    half = len(decoded) // 2
    first = measure_loudness([decoded[:half].tobytes()], OUT).integrated_lufs
    second = measure_loudness([decoded[half:].tobytes()], OUT).integrated_lufs
    assert abs(first - second) < 1.0 and abs(first + 16) < 1.5, (first, second)


def _children() -> set[int]:
    """This process's living children (Linux: /proc)."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            pids.add(int(stat.parent.name))
    return pids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_render_that_fails_midway_leaves_no_part_and_no_ffmpeg(tmp_path: Path) -> None:
    store = ClipStore(tmp_path / "store")
    before = _children()
    with pytest.raises(RuntimeError), StreamEncoder(EncodeSettings(), tmp_path, store) as encoder:
        for i in range(3):
            encoder.add(_tone_clip(store, "xyz"[i], 6.0, 0.2), RATE)
            encoder.add(Silence(round(0.7 * RATE), aligned=True), RATE)
        raise RuntimeError("the engine failed")
    # Killed at once, reaped in the background.
    deadline = time.monotonic() + 5
    while (left := _children() - before) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not left, "no ffmpeg outlives the render"
    assert not list(tmp_path.glob(".part-*"))


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="SCHED_BATCH is Linux's")
def test_ffmpeg_runs_as_batch_work(tmp_path: Path) -> None:
    from concurrent.futures import wait

    store = ClipStore(tmp_path / "store")
    with StreamEncoder(EncodeSettings(), tmp_path, store) as encoder:
        if not encoder.parallel:
            pytest.skip("one core: no encoder threads")
        encoder.add(_tone_clip(store, "q", 1.0, 0.2), RATE)
        wait(encoder._starting)
        spares = list(encoder._spares)
        assert spares, "ffmpegs are started ahead of need"
        # Batch work: the kernel does not preempt at each of ffmpeg's thread hand-overs.
        assert {os.sched_getscheduler(s.process.pid) for s in spares} == {os.SCHED_BATCH}
    assert os.sched_getscheduler(0) != os.SCHED_BATCH, "the caller's own thread is untouched"
