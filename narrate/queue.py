"""The render queue: huey tasks, and how the queue is chosen.

A feed build enqueues one :func:`render_task` per new or changed article and waits for the
results; consumers run them. The queue is a SQLite file in the output's data folder by default
(embedded: nothing to install or start), or Redis when a ``redis://`` URL is given, so that
consumers on several machines share the work. A consumer is this module run as a program::

    python -m narrate.queue --data-dir public/.narrate --workers 2
    python -m narrate.queue --url redis://queue.example:6379/0 --workers 4

huey and redis are imported inside the functions that need them: ``import narrate`` and
``narrate --help`` never load them.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config, shown_url
from .errors import ConfigError, NarrateError, QueueError
from .model import Article

QUEUE_FILE = "queue.sqlite3"
QUEUE_NAME = "narrate"
RETRIES = 2
"""A failed render is tried this many more times before it is reported."""
RETRY_DELAY_S = 1
REDIS_CONNECT_TIMEOUT_S = 5.0
RETRY_FIRST_S = 1.0
"""A consumer whose queue does not answer tries again after this, then twice as long..."""
RETRY_MAX_S = 30.0
"""... up to this."""

log = logging.getLogger(__name__)

_HUEY_OPTIONS: dict[str, Any] = {
    # huey 3 stores each failed attempt as the result by default, so a waiting build would take
    # the first failure for the last; only the final outcome may reach the result store.
    "store_intermediate_errors": False,
}


class TaskFailure(Exception):
    """A render that failed. huey stores ``repr`` of the error, so repr is the plain message."""

    def __repr__(self) -> str:
        return str(self.args[0]) if self.args else "the render failed"


def render_task(
    article: Article, out_path: str, config: Config, task: Any = None
) -> dict[str, Any]:
    """Render ``article`` to ``out_path`` (the body of the queued task; ``task``: huey's).

    Returns what the feed needs to know about the files; raises :class:`TaskFailure` with a
    one-line message, which huey keeps as the task's error once the retries are used up, or
    at once when no retry can help (a setting: ``NarrateError.transient`` is false).
    """
    from .pipeline import render

    try:
        episode = render(article, out_path, config)
    except NarrateError as exc:
        if not exc.transient and task is not None:
            task.retries = 0  # huey reads it after the failure: this one is the last
        raise TaskFailure(str(exc)) from exc
    except Exception as exc:  # a bug in a worker must still reach the build as a message
        raise TaskFailure(f"unexpected {type(exc).__name__}: {exc}") from exc
    return {
        "mp3_path": episode.mp3_path,
        "mp3_bytes": Path(episode.mp3_path).stat().st_size,
        "duration_s": episode.duration_s,
        "files": list(episode.files),
    }


@dataclass(frozen=True)
class Queue:
    """A huey instance with narrate's tasks registered on it.

    ``render(article, out_path, config)`` enqueues :func:`render_task` and returns huey's
    ``Result``; in immediate mode it runs at once, in this process.
    """

    huey: Any
    render: Any
    url: str | None

    @property
    def immediate(self) -> bool:
        """True when tasks run inline at enqueue time instead of in consumers."""
        return bool(self.huey.immediate)

    def run_due_retries(self) -> None:
        """Immediate mode only: run retries whose delay has passed (no scheduler runs them)."""
        for task in self.huey.read_schedule():
            self.huey.execute(task)

    def flush(self) -> None:
        """Drop every queued task and stored result (tasks left by a killed build)."""
        self.huey.flush()


def _sqlite_storage() -> Any:
    """huey's SQLite storage with ``synchronous=NORMAL`` (no fsync per enqueue), and a way to
    queue several tasks in one transaction.

    Under WAL that is still safe from corruption and loses at most the last commits on a power
    cut, never on a crash of the process. huey's default (FULL) costs an fsync per task: a
    median 0.5 ms and a p99 of 5 ms here, the largest part of the service's answer to a publish.
    A lost task is not a lost job: the service's reaper queues again any job without a task.
    """
    from huey.storage import SqliteStorage

    class Storage(SqliteStorage):  # type: ignore[misc]
        def _create_connection(self) -> Any:
            conn = super()._create_connection()
            conn.execute("PRAGMA synchronous=NORMAL")
            return conn

        def enqueue_many(self, messages: list[bytes]) -> None:
            # SqliteStorage.enqueue's statement, once for all: one transaction.
            rows = [(self.name, self.to_blob(message), 0) for message in messages]
            with self.db(commit=True) as cursor:
                cursor.executemany(
                    "insert into task (queue, data, priority) values (?, ?, ?)", rows
                )

    return Storage


def _redis_storage() -> Any:
    """huey's Redis storage, with a way to queue several tasks in one round trip."""
    from huey.storage import RedisStorage

    class Storage(RedisStorage):  # type: ignore[misc]
        def enqueue_many(self, messages: list[bytes]) -> None:
            # RedisStorage.enqueue's LPUSH with every message: taken in the order given.
            self.conn.lpush(self.queue_key, *messages)

    return Storage


def get_queue(
    data_dir: str | Path | None,
    url: str | None = None,
    immediate: bool = False,
    name: str = QUEUE_NAME,
) -> Queue:
    """The queue for a feed's data folder: SQLite in ``data_dir``, or Redis at ``url``.

    ``immediate`` runs each task inline when it is enqueued (no consumer needed). ``name``
    keeps queues apart on one Redis (the service's is not a feed build's).

    >>> get_queue(None, immediate=True).immediate
    True
    """
    from huey import RedisHuey, SqliteHuey

    huey: Any
    if url and not immediate:
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(
                f"Unsupported queue {shown_url(url)!r}: use redis://host:port/db, or leave "
                "NARRATE_QUEUE empty for the built-in SQLite queue."
            )
        try:
            import redis
        except ImportError as exc:
            raise ConfigError(
                "A Redis queue needs the redis extra: pip install 'narrate[redis]'."
            ) from exc
        # A connect timeout: a host that drops packets answers "no" in seconds, not minutes.
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S)
        huey = RedisHuey(
            name, connection_pool=pool, storage_class=_redis_storage(), **_HUEY_OPTIONS
        )
    else:
        if data_dir is None and not immediate:
            raise ConfigError("A SQLite queue needs a data folder.")
        filename = str(Path(data_dir) / QUEUE_FILE) if data_dir is not None else ":memory:"
        if data_dir is not None:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
        # immediate mode keeps its tasks in memory: nothing of an inline build is left on disk.
        # A generous lock timeout: the service's requests and workers write the queue at once.
        huey = SqliteHuey(
            name,
            filename=filename,
            immediate=immediate,
            timeout=30,
            storage_class=_sqlite_storage(),
            **_HUEY_OPTIONS,
        )
    task = huey.task(
        retries=RETRIES, retry_delay=RETRY_DELAY_S, name="narrate.render", context=True
    )
    return Queue(huey=huey, render=task(render_task), url=url)


def check_queue(huey: Any, url: str | None) -> None:
    """Raise :class:`QueueError`, one line naming the queue and what to do, if it does not
    answer. A SQLite queue is a file in the data folder: it always does."""
    if not url or huey.immediate:
        return
    import redis

    try:
        huey.storage.conn.ping()
    except redis.RedisError as exc:
        raise QueueError(
            f"The queue at {shown_url(url)} does not answer ({exc}). Start Redis there, or "
            "correct NARRATE_QUEUE (queue in [render])."
        ) from exc


def queue_down(exc: BaseException) -> bool:
    """Whether ``exc`` says the queue cannot be reached (rather than a bug)."""
    try:
        import redis
    except ImportError:
        return isinstance(exc, sqlite3.OperationalError)
    return isinstance(exc, redis.ConnectionError | redis.TimeoutError | sqlite3.OperationalError)


class Outage:
    """Counts a queue's failures in one process: a line each, a wait that doubles each time
    (from :data:`RETRY_FIRST_S` up to :data:`RETRY_MAX_S`), a line when it answers again."""

    def __init__(self, who: str, url: str | None) -> None:
        self.who = who
        self.where = shown_url(url) if url else "the SQLite queue"
        self.delay = 0.0

    def failed(self, exc: BaseException) -> float:
        """Log the failure in one line; how long to wait before the next try."""
        self.delay = min(RETRY_MAX_S, self.delay * 2 or RETRY_FIRST_S)
        log.warning(
            "%s: %s does not answer (%s: %s); trying again in %g s",
            self.who,
            self.where,
            type(exc).__name__,
            exc,
            self.delay,
        )
        return self.delay

    def answered(self) -> None:
        """The queue answered: say so if it had not, and start the waits afresh."""
        if self.delay:
            log.info("%s: %s answers again", self.who, self.where)
            self.delay = 0.0


_SILENT = object()  # what Quiet.read gives when the queue gave nothing to act on


def quiet_consumer_classes(
    url: str | None, scheduler_start: Callable[[], None] | None = None
) -> tuple[type, type]:
    """huey's worker and scheduler, for a queue that may stop answering.

    huey's log a traceback each time the queue does not answer and try again within half a
    second: with Redis gone, ~8 tracebacks a second. These log one line per try and wait
    longer each time (:class:`Outage`), and say when it answers again. ``scheduler_start`` is
    called in the scheduler's process as it starts (huey runs startup hooks in workers only).
    """
    from huey.consumer import Scheduler, Worker

    class Quiet:
        """What both processes share: an outage named after the process, and a read of the
        queue that waits it out."""

        kind = ""
        outage: Outage
        stop_flag: Any
        _logger: Any

        def initialize(self) -> None:
            self.outage = Outage(f"{self.kind} {os.getpid()}", url)
            super().initialize()  # type: ignore[misc]

        def read(self, read: Callable[[], Any], failure: str, pause: Callable[[], None]) -> Any:
            """``read()``, or ``_SILENT`` when it failed: after waiting out a queue that does
            not answer, or, for another failure, huey's own way (a traceback, a pause)."""
            try:
                value = read()
            except Exception as exc:
                if queue_down(exc):
                    self.stop_flag.wait(self.outage.failed(exc))
                else:
                    self._logger.exception(failure)
                    pause()
                return _SILENT
            self.outage.answered()
            return value

    class QuietWorker(Quiet, Worker):  # type: ignore[misc]
        kind = "worker"

        def loop(self, now: Any = None) -> None:
            task = self.read(self.huey.dequeue, "Error reading from queue", self.sleep)
            if task is _SILENT:
                return
            if task is None:
                if not self.huey.storage.blocking:
                    self.sleep()
                return
            self.delay = self.default_delay
            try:
                self.huey.execute(task, now)
            except Exception:
                self._logger.exception("Unhandled error during execution of task %s.", task.id)

    class QuietScheduler(Quiet, Scheduler):  # type: ignore[misc]
        """Moves retries that are due to the queue (periodic tasks: none here)."""

        kind = "scheduler"

        def initialize(self) -> None:
            super().initialize()
            if scheduler_start is not None:
                scheduler_start()

        def loop(self, now: Any = None) -> None:
            start = time.monotonic()
            due = self.read(
                lambda: self.huey.read_schedule(now),
                "Error reading schedule.",
                lambda: self.sleep_for_interval(start, self.interval),
            )
            if due is _SILENT:
                return
            for task in due:
                try:
                    self.huey.enqueue(task)
                except Exception:
                    self._logger.exception("Error enqueueing %s.", task)
            self.sleep_for_interval(start, self.interval)

    return QuietWorker, QuietScheduler


def stop_when_orphaned(parent: int) -> None:
    """Stop this consumer once the process that started it has gone (even by SIGKILL)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        log.warning("parent process %d is gone; stopping", parent)
        os.kill(os.getpid(), signal.SIGTERM)  # huey's consumer: stop now, interrupt workers

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run_consumer(data_dir: str | None, url: str | None, workers: int, parent: int | None) -> None:
    """Run a huey consumer with ``workers`` processes until SIGINT (graceful) or SIGTERM."""
    from huey.consumer import Consumer

    queue = get_queue(data_dir, url)
    check_queue(queue.huey, url)
    if parent is not None:
        stop_when_orphaned(parent)

    class _Consumer(Consumer):  # type: ignore[misc]
        worker_class, scheduler_class = quiet_consumer_classes(url)

    consumer = _Consumer(
        queue.huey,
        workers=workers,
        worker_type="process",
        periodic=False,
        # Poll often: an idle worker otherwise backs off to 10 s between looks at the queue.
        initial_delay=0.05,
        max_delay=0.5,
    )
    run_keeping_spares(queue.huey, consumer)


def run_keeping_spares(huey: Any, consumer: Any) -> None:
    """Run a huey ``consumer`` whose render processes keep spare ffmpegs between jobs (see
    :mod:`narrate.spares`), however they are started."""
    from .spares import keep_in_this_process, kept_between_renders

    huey.on_startup()(keep_in_this_process)
    with kept_between_renders():
        consumer.run()


def main(argv: list[str] | None = None) -> None:
    """``python -m narrate.queue``: a consumer for feed builds."""
    parser = argparse.ArgumentParser(prog="python -m narrate.queue", description=main.__doc__)
    parser.add_argument("--data-dir", help="the feed's data folder (SQLite queue)")
    parser.add_argument("--url", help="a redis:// URL (default: $NARRATE_QUEUE)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--parent", type=int, help="stop when this process id is gone")
    args = parser.parse_args(argv)
    url = args.url or os.environ.get("NARRATE_QUEUE") or None
    if not url and not args.data_dir:
        parser.error("give --data-dir (SQLite queue) or --url / NARRATE_QUEUE (Redis)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        run_consumer(args.data_dir, url, max(1, args.workers), args.parent)
    except QueueError as exc:  # one line, as narrate's commands say it
        parser.exit(exc.exit_code, f"{parser.prog}: error: {exc}\n")


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy: huey names tasks after their
    # module, and the build enqueues "narrate.queue..." tasks.
    from narrate.queue import main as _main

    _main()
