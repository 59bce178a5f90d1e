"""ffmpegs started ahead of need, waiting on stdin, kept from one render to the next.

Starting ffmpeg costs 20-60 ms, as long as encoding a ten-second part. After an edit a
re-render encodes one part (in two halves at once) and takes about 0.09 s in all; a spare
started when that render begins is still loading when its part is ready. So in a process that
renders article after article (a queue worker, a feed build: inside
:func:`kept_between_renders`) each render, once written, starts the next one's spares (one for
a first part, two for later parts) in the background, unused ones stay, up to a few, and all
are killed when the process exits or a render fails. Elsewhere (``narrate article``) a render
kills its unused spares when it ends. Spares write into a folder of the process's own under
the system's temporary folder, never into the publisher's media folder, where a worker killed
outright would leave them.

A spool is known to be in use by the lock its process holds on it (``flock`` on a file inside,
released by the kernel however the process ends), not by its process id alone: containers
that share one temporary folder number their processes each from 1, so a process id seen from
another container may name a process that is gone, or someone else's.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path

_LIMIT = 4  # idle spares per process, all kinds together: two renders' worth
_PREFIX = "narrate-parts-"
_LOCK = ".in-use"


@dataclass(frozen=True)
class Spare:
    """A started ffmpeg waiting on stdin, and the file it will write."""

    process: subprocess.Popen[bytes]
    path: Path


class Spares:
    """The process's idle spares, by kind (what they were started to write and where)."""

    def __init__(self, limit: int = _LIMIT) -> None:
        self.limit = limit
        self.keep = False  # whether renders leave their unused spares for the next one
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._idle: list[tuple[Hashable, Spare]] = []  # oldest first
        self._starting: dict[Hashable, int] = {}  # spares being started, by kind
        self._spool: Path | None = None
        self._held: int | None = None  # the open lock file that marks the spool in use

    def spool(self) -> Path:
        """This process's folder for the files spares write (made when first needed)."""
        with self._lock:
            if self._spool is None or not self._spool.is_dir():
                _sweep()
                self._release()
                # Locked under a name sweeps do not look at, then renamed (the lock goes with
                # it): a sweep never sees this spool unlocked and judges it by its pid.
                made = Path(tempfile.mkdtemp(prefix=f".{_PREFIX}{os.getpid()}-"))
                self._held = _hold(made)
                self._spool = made.with_name(made.name[1:])
                made.rename(self._spool)
            return self._spool

    def _release(self) -> None:
        if self._held is not None:
            os.close(self._held)
            self._held = None

    def count(self, kind: Hashable) -> int:
        """Idle spares of ``kind``."""
        with self._lock:
            return sum(1 for k, _ in self._idle if k == kind)

    def reserve(self, kind: Hashable, want: int) -> int:
        """How many spares of ``kind`` to start so that ``want`` wait or are starting; they
        count as starting until :meth:`started` is called for each."""
        with self._lock:
            idle = sum(1 for k, _ in self._idle if k == kind)
            missing = max(0, want - idle - self._starting.get(kind, 0))
            if missing:
                self._starting[kind] = self._starting.get(kind, 0) + missing
            return missing

    def started(self, kind: Hashable) -> None:
        """One reserved start of ``kind`` is over (put among the idle, or failed)."""
        with self._settled:
            self._starting[kind] -= 1
            if not self._starting[kind]:
                del self._starting[kind]
            self._settled.notify_all()

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until no spare is starting: a start that ends after a clear would leave its
        ffmpeg waiting on stdin for the rest of the process."""
        with self._settled:
            self._settled.wait_for(lambda: not self._starting, timeout)

    def put(self, kind: Hashable, spare: Spare) -> None:
        """Keep ``spare`` for the next taker of ``kind`` (the oldest goes over the limit)."""
        with self._lock:
            self._idle.append((kind, spare))
            over, self._idle = self._idle[: -self.limit], self._idle[-self.limit :]
        _kill([s for _, s in over])

    def take(self, kind: Hashable) -> Spare | None:
        """An idle spare of ``kind`` that still waits for its input, or ``None``."""
        stale = []
        found = None
        with self._lock:
            for item in list(self._idle):
                if item[0] != kind:
                    continue
                self._idle.remove(item)
                if item[1].path.exists() and item[1].process.poll() is None:
                    found = item[1]
                    break
                stale.append(item[1])
        _kill(stale)
        return found

    def clear(
        self,
        kinds: set[Hashable] | None = None,
        background: Callable[[Callable[[], object]], object] | None = None,
    ) -> None:
        """Kill the idle spares of ``kinds`` (all if ``None``) and remove their files.

        With ``background`` (e.g. an executor's ``submit``) they are reaped there: waiting for
        them to exit took 13 ms of a 0.2 s re-render.
        """
        with self._lock:
            gone = [s for k, s in self._idle if kinds is None or k in kinds]
            self._idle = [(k, s) for k, s in self._idle if not (kinds is None or k in kinds)]
        _stop(gone)
        if background is None:
            _reap(gone)
        elif gone:
            background(lambda: _reap(gone))

    def close(self) -> None:
        """Kill every idle spare and remove the spool (at exit)."""
        self.settle()
        self.clear()
        with self._lock:
            spool, self._spool = self._spool, None
            if spool is not None:
                shutil.rmtree(spool, ignore_errors=True)
            self._release()

    def forget(self) -> None:
        """In a forked child: drop the parent's spares and spool without touching them, and
        close this process's copies of the spares' pipes (an open copy would keep ffmpeg from
        seeing the end of its input)."""
        # The parent's lock may have been held by another thread at the fork: a new one.
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._starting = {}  # the parent's starts are the parent's
        idle, self._idle, self._spool = self._idle, [], None
        self._release()  # the parent's lock stays held: by the parent's own descriptor
        for _, spare in idle:
            for stream in (spare.process.stdin, spare.process.stderr):
                if stream is not None:
                    stream.close()
        # A multiprocessing child (huey's render processes) leaves through os._exit, past
        # atexit; multiprocessing runs its own exit finalizers first.
        util = sys.modules.get("multiprocessing.util")
        if util is not None:
            util.Finalize(self, self.close, exitpriority=10)


def _hold(spool: Path) -> int | None:
    """Lock ``spool`` as in use for as long as this process lives; the open descriptor."""
    if sys.platform == "win32":
        return None  # no flock there: sweeps judge by process id alone
    import fcntl

    fd = os.open(spool / _LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # no locks on this file system (ENOLCK on some NFS): the pid it is, then
        os.close(fd)
        (spool / _LOCK).unlink(missing_ok=True)
        return None
    return fd


def _in_use(folder: Path) -> bool:
    """Whether a living process holds ``folder``'s lock (or, without one, may still)."""
    pid = folder.name[len(_PREFIX) :].split("-", 1)[0]
    if not pid.isdigit():
        return True  # not a spool of ours
    if sys.platform == "win32":
        return _alive(int(pid))
    import fcntl

    try:
        fd = os.open(folder / _LOCK, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        # Made a moment ago and not locked yet (or by a version without locks): its process
        # id is all there is to go by.
        return _alive(int(pid))
    except OSError:
        return True  # someone else's: not ours to judge
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also lets go of the lock, if it was taken here
    return False


def _sweep() -> None:
    """Remove the spools of processes that are gone (a worker killed outright leaves one)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        if not _in_use(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's
    return True


def _kill(spares: list[Spare]) -> None:
    _stop(spares)  # all at once, then reaped: they die in parallel
    _reap(spares)


def _stop(spares: list[Spare]) -> None:
    for spare in spares:
        spare.process.kill()
        spare.path.unlink(missing_ok=True)


def _reap(spares: list[Spare]) -> None:
    for spare in spares:
        spare.process.communicate()


def keep_in_this_process() -> None:
    """Keep spares between renders for the rest of this process: a queue worker's render
    process, however it was started (huey's start-up hook calls it in each; with Python 3.14's
    forkserver default they do not inherit the consumer's setting)."""
    SPARES.keep = True
    util = sys.modules.get("multiprocessing.util")
    if util is not None:  # such a process leaves through os._exit, past atexit
        util.Finalize(SPARES, SPARES.close, exitpriority=10)


@contextlib.contextmanager
def kept_between_renders() -> Iterator[None]:
    """Keep unused spares from one render to the next while inside (see the module's doc)."""
    before, SPARES.keep = SPARES.keep, True
    try:
        yield
    finally:
        SPARES.keep = before
        if not before:
            SPARES.close()


SPARES = Spares()
atexit.register(SPARES.close)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=SPARES.forget)
