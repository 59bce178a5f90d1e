"""The streaming encoder: where a programme is cut into parts, and parts started early."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from narrate.audio import decode, measure_loudness
from narrate.cache import ClipStore
from narrate.encode import _PART_S, EncodeSettings, StreamEncoder, _Cutter
from narrate.model import Clip, Piece, Silence, StoredClip
from narrate.mp3join import FRAME_SAMPLES, PART_LEAD, aligned_end
from narrate.spares import SPARES, Spare, Spares, _in_use, kept_between_renders

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
    # to be a cut once the next piece arrives. What is left at the end is split in two.
    assert [fed for fed, _ in parts] == [9, 17, 24, 24]
    assert [len(part.pieces) for _, part in parts] == [7, 7, 3, 4]  # the last keeps its pause
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


def test_the_end_is_split_in_two_at_the_pause_nearest_its_middle() -> None:
    # 5.6 s left after the last cut, with pauses at 2.0-2.5 s and 2.7-3.2 s: the second is
    # nearer the middle (2.8 s).
    pieces: list[Piece] = [_clip(2.0 * _PART_S), _pause(0.5)]
    pieces += [_clip(2.0), _pause(0.5), _clip(0.2), _pause(0.5), _clip(2.4)]
    parts = _cut(pieces)
    tail = [part for fed, part in parts if fed == len(pieces)]
    assert len(tail) == 2, "what is left at the end is two parts"
    assert tail[0].pieces == tuple(pieces[2:5]) and tail[0].after == pieces[5]
    assert tail[1].pieces == (pieces[6],) and tail[1].lead == PART_LEAD
    total = sum(p.n_samples for p in pieces)
    assert sum(p.length for _, p in parts) + FRAME_SAMPLES * (len(parts) - 1) == round(
        total * OUT / RATE
    )
    # Too short to be worth two encoders: halves under 1 s stay whole.
    short = _cut([_clip(2.0 * _PART_S), _pause(0.5), _clip(0.8), _pause(0.5), _clip(0.8)])
    assert len([p for fed, p in short if fed == 5]) == 1


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
    assert max(lengths[:10]) < 15 and lengths[-3] > 100
    assert max(lengths) < 121, "and never so long that the last one is a long tail on one core"
    assert max(lengths[-2:]) < 61, "what is left at the end is encoded in two halves"


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
    with StreamEncoder(settings, store) as encoder:
        for piece in pieces[:5]:
            encoder.add(piece, RATE)
        assert encoder.parts == 1, "the first half went to the encoder before the rest arrived"
        for piece in pieces[5:]:
            encoder.add(piece, RATE)
        encoder.finish(tmp_path / "out.mp3")
    assert encoder.parts == 3, "the second half, the end, in two"
    assert encoder.encoded == (3 if encoder.parallel else 1)
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
    with pytest.raises(RuntimeError), StreamEncoder(EncodeSettings(), store) as encoder:
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
    with StreamEncoder(EncodeSettings(), store) as encoder:
        if not encoder.parallel:
            pytest.skip("one core: no encoder threads")
        encoder.add(_tone_clip(store, "q", 1.0, 0.2), RATE)
        wait(encoder._starting)
        spares = [job.result() for job in encoder._starting]
        assert spares, "ffmpegs are started ahead of need"
        # Batch work: the kernel does not preempt at each of ffmpeg's thread hand-overs.
        assert {os.sched_getscheduler(s.process.pid) for s in spares} == {os.SCHED_BATCH}
    assert os.sched_getscheduler(0) != os.SCHED_BATCH, "the caller's own thread is untouched"


def _render_tones(store: ClipStore, out: Path, seconds: float = 6.0) -> int:
    with StreamEncoder(EncodeSettings(), store) as encoder:
        if not encoder.parallel:
            pytest.skip("one core: no encoder threads")
        for i in range(3):
            encoder.add(_tone_clip(store, f"{out.stem}{i}", seconds, 0.2), RATE)
            encoder.add(_pause(0.7), RATE)
        encoder.finish(out)
    return encoder.encoded


def test_a_worker_keeps_unused_spares_for_its_next_render(tmp_path: Path) -> None:
    store = ClipStore(tmp_path / "store")
    first = StreamEncoder(EncodeSettings())._kind(True)
    with kept_between_renders():
        parts = _render_tones(store, tmp_path / "a.mp3")
        assert parts >= 2
        SPARES.settle()  # the next render's spares start after this one has returned
        waiting = [s for k, s in SPARES._idle if k == first]
        assert len(waiting) == 1 and waiting[0].process.poll() is None, "a spare waits"
        # The next render into the same folder starts its first part with that ffmpeg.
        assert _render_tones(store, tmp_path / "b.mp3") == parts
        assert waiting[0].process.wait(timeout=10) == 0, "it encoded a part and finished"
        assert waiting[0] not in [s for _, s in SPARES._idle]
    assert not SPARES._idle, "killed when the worker stops"
    assert len(decode(tmp_path / "b.mp3", OUT)) == len(decode(tmp_path / "a.mp3", OUT))


def test_a_one_off_render_leaves_no_spare(tmp_path: Path) -> None:
    store = ClipStore(tmp_path / "store")
    _render_tones(store, tmp_path / "a.mp3")
    assert not SPARES._idle
    assert not list(tmp_path.glob(".part-*"))


def _waiting(path: Path) -> Spare:
    path.write_bytes(b"")
    process = subprocess.Popen(["sleep", "60"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    return Spare(process, path)


def test_idle_spares_are_bounded_and_stale_ones_dropped(tmp_path: Path) -> None:
    spares = Spares(limit=2)
    made = [_waiting(tmp_path / f"{kind}.part") for kind in "abc"]
    for kind, spare in zip("abc", made, strict=True):
        spares.put(kind, spare)
    assert spares.count("a") == 0 and made[0].process.poll() is not None, "the oldest went"
    assert not made[0].path.exists()
    # One whose file is gone (a cleaned temporary folder) is killed, not handed out.
    made[1].path.unlink()
    assert spares.take("b") is None and made[1].process.poll() is not None
    assert spares.take("c") is made[2]
    made[2].process.kill()
    made[2].process.communicate()


def test_spares_write_outside_the_media_folder(tmp_path: Path) -> None:
    store = ClipStore(tmp_path / "store")
    with kept_between_renders():
        _render_tones(store, tmp_path / "a.mp3")
        SPARES.settle()
        assert SPARES._idle
        assert all(s.path.parent == SPARES.spool() for _, s in SPARES._idle)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp3", "store"]
    assert not SPARES._idle


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_no_spare_outlives_the_process(tmp_path: Path) -> None:
    script = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
from narrate.cache import ClipStore
import test_stream
from narrate.spares import SPARES, Spare, Spares, _in_use, kept_between_renders
keeper = kept_between_renders()
keeper.__enter__()  # as a worker that is stopped, never leaving the block
test_stream._render_tones(ClipStore(Path({str(tmp_path)!r}) / "store"), Path({str(tmp_path)!r}) / "x.mp3")
import os
SPARES.settle()
print(len(SPARES._idle), os.getpid())
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    idle, pid = map(int, result.stdout.split())
    assert idle >= 1, "spares were waiting when the process ended"
    left = [
        cmdline
        for cmdline in Path("/proc").glob("[0-9]*/cmdline")
        if str(tmp_path) in _read(cmdline)
    ]
    assert not left, "every spare was killed at exit"
    assert not list(Path(tempfile.gettempdir()).glob(f"narrate-parts-{pid}-*")), "spool removed"


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _worker_child(folder: str) -> None:
    keeper = kept_between_renders()
    keeper.__enter__()  # as huey's render processes, which leave through os._exit
    _render_tones(ClipStore(Path(folder) / "store"), Path(folder) / "x.mp3")
    SPARES.settle()
    assert SPARES._idle, "spares wait for the next job"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_forked_worker_kills_its_spares_when_it_ends(tmp_path: Path) -> None:
    import multiprocessing

    child = multiprocessing.get_context("fork").Process(target=_worker_child, args=(str(tmp_path),))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    left = [p for p in Path("/proc").glob("[0-9]*/cmdline") if str(tmp_path) in _read(p)]
    assert not left, "its spares were killed"
    assert not list(tmp_path.glob(".part-*"))


def test_the_spool_of_a_process_that_is_gone_is_swept(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    left = Path(tempfile.mkdtemp(prefix=f"narrate-parts-{dead.pid}-"))
    (left / ".part-x.mp3").write_bytes(b"")
    mine = Path(tempfile.mkdtemp(prefix=f"narrate-parts-{os.getpid()}-"))
    try:
        SPARES.close()  # the next spool made looks for leftovers
        SPARES.spool()
        assert not left.exists(), "a dead process's spool is removed"
        assert mine.exists(), "a living one's is not"
    finally:
        shutil.rmtree(mine, ignore_errors=True)


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_a_spool_is_judged_by_its_lock_not_its_process_id() -> None:
    """Containers sharing /tmp see each other's process ids: the lock decides."""
    import fcntl

    dead = subprocess.Popen(["true"])
    dead.wait()
    # Named after a process id that is gone here, but locked by a living process (this one,
    # standing in for a worker in another container).
    held = Path(tempfile.mkdtemp(prefix=f"narrate-parts-{dead.pid}-"))
    fd = os.open(held / ".in-use", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    # Named after a living process id (this one), but its lock is free: its process is gone.
    free = Path(tempfile.mkdtemp(prefix=f"narrate-parts-{os.getpid()}-"))
    (free / ".in-use").write_bytes(b"")
    (free / ".part-x.mp3").write_bytes(b"")
    try:
        SPARES.close()
        SPARES.spool()
        assert held.exists(), "a locked spool is in use, whatever its name says"
        assert not free.exists(), "an unlocked spool is left over, whatever its name says"
        assert SPARES.spool() != held and SPARES.spool().exists()
    finally:
        os.close(fd)
        shutil.rmtree(held, ignore_errors=True)
        shutil.rmtree(free, ignore_errors=True)


def test_a_spool_in_use_is_locked_until_its_process_ends(tmp_path: Path) -> None:
    script = """
import sys
from narrate.spares import SPARES
print(SPARES.spool(), flush=True)
sys.stdin.read()
"""
    with subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        spool = Path(child.stdout.readline().strip())
        try:
            assert spool.is_dir() and _in_use(spool)
        finally:
            child.kill()
    assert not _in_use(spool), "killed outright, it holds nothing"
    shutil.rmtree(spool, ignore_errors=True)


def _paragraphs(store: ClipStore, names: str, seconds: float = 3.0, long: str = "") -> list[Piece]:
    """Tone clips, each followed by a pause stretched onto the frame grid, as assemble does;
    those named in ``long`` last twice as long."""
    pieces: list[Piece] = []
    position = 0
    for name in names:
        length = 2 * seconds if name in long else seconds
        clip = _tone_clip(store, name, length, 0.1 if name.isupper() else 0.3)
        position += clip.n_samples
        pause = round(0.7 * RATE)
        target = aligned_end(round((position + pause) * OUT / RATE))
        while round((position + pause) * OUT / RATE) < target:
            pause += 1
        position += pause
        pieces += [clip, Silence(pause, aligned=True)]
    return pieces


def _encode(pieces: list[Piece], folder: Path, store: ClipStore | None, parallel: bool) -> int:
    with StreamEncoder(EncodeSettings(parallel=parallel), store) as encoder:
        for piece in pieces:
            encoder.add(piece, RATE)
        encoder.finish(folder / "out.mp3")
    return encoder.encoded


def _count_encodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record each encode of a part (or half) from now on: the number of its pieces."""
    encodes: list[int] = []
    real = StreamEncoder._encode_part

    def counted(self: StreamEncoder, part: Any, levelling: Any = None) -> Path:
        encodes.append(len(part.pieces))
        return real(self, part, levelling)

    monkeypatch.setattr(StreamEncoder, "_encode_part", counted)
    return encodes


def _rendered_once(tmp_path: Path, long: str = "") -> ClipStore:
    """The store after a parallel render of paragraphs a-h, for a re-render after an edit;
    folders first/, edited/ and reference/ made."""
    if not StreamEncoder(EncodeSettings()).parallel:
        pytest.skip("one core: no encoder threads")
    store = ClipStore(tmp_path / "store")
    for name in ("first", "edited", "reference"):
        (tmp_path / name).mkdir()
    _encode(_paragraphs(store, "abcdefgh", long=long), tmp_path / "first", store, parallel=True)
    return store


# Halves of equal length, and a second half twice the first's (encoded first, on the thread
# that split the part: the longer half is the critical path).
@pytest.mark.parametrize("long", ["", "dD"])
def test_after_an_edit_the_part_missed_is_encoded_in_two_halves_that_sound_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, long: str
) -> None:
    store = _rendered_once(tmp_path, long)
    encodes = _count_encodes(monkeypatch)
    edited = _paragraphs(store, "abcDefgh", long=long)  # the fourth paragraph quieter
    assert _encode(edited, tmp_path / "edited", store, parallel=True) == 1, "one part missed"
    assert len(encodes) == 2, "encoded as two halves"
    monkeypatch.undo()
    _encode(edited, tmp_path / "reference", None, parallel=False)
    a = np.frombuffer(decode(tmp_path / "edited" / "out.mp3", OUT), "<i2").astype(np.float64)
    b = np.frombuffer(decode(tmp_path / "reference" / "out.mp3", OUT), "<i2").astype(np.float64)
    assert len(a) == len(b), "every sample where a cold, serial render puts it"
    assert np.corrcoef(a, b)[0, 1] > 0.999


def test_a_re_render_that_misses_many_parts_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More missed parts than encoder threads after a hit: splitting them all, each waiting for
    # its second half on the same pool, once hung every thread.
    store = ClipStore(tmp_path / "store")
    for name in ("first", "edited"):
        (tmp_path / name).mkdir()
    _encode(_paragraphs(store, "abcdefghijklmnop"), tmp_path / "first", store, parallel=True)
    encodes = _count_encodes(monkeypatch)
    done: list[int] = []
    edited = _paragraphs(store, "abCdEfGhIjKlmnop")
    worker = threading.Thread(
        target=lambda: done.append(_encode(edited, tmp_path / "edited", store, parallel=True)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=120)
    assert done, "the re-render finished"
    missed = done[0]
    assert missed >= 4
    assert len(encodes) in (missed, missed + 1), "at most the first part missed is split"


def _spawned_worker(folder: str) -> None:
    from narrate.spares import keep_in_this_process

    keep_in_this_process()  # as huey's start-up hook does in each render process
    _render_tones(ClipStore(Path(folder) / "store"), Path(folder) / "x.mp3")
    SPARES.settle()
    assert SPARES.keep and SPARES._idle, "spares wait for the next job"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_spawned_worker_keeps_spares_and_kills_them_when_it_ends(tmp_path: Path) -> None:
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(
        target=_spawned_worker, args=(str(tmp_path),)
    )
    child.start()
    child.join(timeout=120)
    assert child.exitcode == 0
    spools = f"narrate-parts-{child.pid}-"
    left = [p for p in Path("/proc").glob("[0-9]*/cmdline") if spools in _read(p)]
    assert not left, "its spares were killed"
    assert not list(Path(tempfile.gettempdir()).glob(spools + "*")), "and its spool removed"


@pytest.mark.parametrize("failing", [0, 1])
def test_a_failed_half_leaves_neither_half_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    store = _rendered_once(tmp_path)
    real = StreamEncoder._encode_part
    written: list[Path] = []
    halves: list[int] = []  # the halves are the encodes given a levelling; one of them fails

    other_written = threading.Event()

    def flaky(self: StreamEncoder, part: Any, levelling: Any = None) -> Path:
        if levelling is not None:
            halves.append(len(halves))
            if halves[-1] == failing:
                other_written.wait(timeout=10)  # fail once the other half has its file
                raise RuntimeError("the disk is full")
        path = real(self, part, levelling)
        written.append(path)
        if levelling is not None:
            other_written.set()
        return path

    monkeypatch.setattr(StreamEncoder, "_encode_part", flaky)
    with pytest.raises(RuntimeError, match="disk is full"):
        _encode(_paragraphs(store, "abcDefgh"), tmp_path / "edited", store, parallel=True)
    assert written and not any(path.exists() for path in written), "the other half removed"


def test_a_worker_re_renders_an_edit_without_starting_an_ffmpeg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After an edit the one part missed is encoded in halves at once, each by a spare left by
    # the render before; the next render's spares start only once this one is written (an
    # ffmpeg's start competed with the halves for the cores).
    with kept_between_renders():
        store = _rendered_once(tmp_path)
        SPARES.settle()
        encoder = StreamEncoder(EncodeSettings())
        first, later = encoder._kind(True), encoder._kind(False)
        assert [k for k, _ in SPARES._idle].count(first) == 1
        assert [k for k, _ in SPARES._idle].count(later) == 2, "one for each half"
        started: list[bool] = []  # whether the render had written its file when each started
        real = StreamEncoder._spare
        out = tmp_path / "edited" / "out.mp3"

        def spare(self: StreamEncoder, first: bool, keep: bool = True) -> Spare:
            started.append(out.exists())
            return real(self, first, keep)

        monkeypatch.setattr(StreamEncoder, "_spare", spare)
        encodes = _count_encodes(monkeypatch)
        assert _encode(_paragraphs(store, "abcDefgh"), tmp_path / "edited", store, True) == 1
        assert len(encodes) == 2, "two halves"
        SPARES.settle()
        assert started == [True, True], "two spares, both started after the file was written"
        assert [k for k, _ in SPARES._idle].count(later) == 2
    assert not SPARES._idle
