"""The feed's state database: every episode narrate has published or means to, in SQLite.

One row per source (an article's URL, or a file path relative to the feed config). The row
keeps what the article looked like when last read (``article_hash``) apart from what the
published audio was rendered from (``media_hash``, ``media_stem``): an edited article is
re-rendered to a new file while the feed goes on naming the old one, which is only dropped
once the new one exists. ``status`` says where the article is:

- ``pending``: its audio is missing or out of date;
- ``rendering``: a render task was enqueued (a row left here was interrupted);
- ``done``: the published audio matches the article;
- ``failed``: the last attempt failed (``error`` says why); older audio, if any, stays published.

Every change is committed at once, so a build killed at any point leaves a state the next
build can read.

The HTTP service keeps its render jobs in the same database (table ``jobs``, one row per
article version it was asked for: :class:`Job`), beside the episodes they produce. A job's
``status`` is ``queued``, ``running`` (held by a worker under a lease it renews), ``done``,
``failed`` (``error`` says why) or ``superseded`` (a newer version of the article was asked
for before it finished).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Status = Literal["pending", "rendering", "done", "failed"]
JobStatus = Literal["queued", "running", "done", "failed", "superseded"]

SCHEMA_VERSION = 2
"""2 added the service's ``jobs`` table; a version 1 database gains it when opened."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS episodes (
    source       TEXT PRIMARY KEY,
    origin       TEXT NOT NULL,
    guid         TEXT NOT NULL UNIQUE,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'rendering', 'done', 'failed')),
    article_hash TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    link         TEXT,
    image_url    TEXT,
    published    TEXT NOT NULL,
    first_seen   TEXT NOT NULL,
    updated      TEXT NOT NULL,
    media_stem   TEXT,
    media_hash   TEXT,
    media_bytes  INTEGER,
    duration_s   REAL,
    rendered_at  TEXT,
    error        TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0
)
"""


@dataclass(frozen=True)
class Record:
    """One episode as the state database holds it. Dates are ISO 8601 in UTC.

    ``origin`` is ``"articles"`` for a source listed in the config, or the address of the site
    feed it came from. ``published`` is the pubDate, set when the article is first seen and
    kept across edits.
    """

    source: str
    origin: str
    guid: str
    status: Status
    article_hash: str
    title: str
    description: str
    link: str | None
    image_url: str | None
    published: str
    first_seen: str
    updated: str
    media_stem: str | None = None
    media_hash: str | None = None
    media_bytes: int | None = None
    duration_s: float | None = None
    rendered_at: str | None = None
    error: str | None = None
    attempts: int = 0


_COLUMNS = tuple(Record.__dataclass_fields__)

_JOBS_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS jobs (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    source       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status       TEXT NOT NULL
                 CHECK (status IN ('queued', 'running', 'done', 'failed', 'superseded')),
    payload      TEXT NOT NULL,
    callback_url TEXT,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL,
    enqueued_at  REAL NOT NULL DEFAULT 0,
    lease        TEXT,
    worker       TEXT,
    heartbeat_at REAL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    result       TEXT
)
""",
    "CREATE INDEX IF NOT EXISTS jobs_by_source ON jobs (source)",
    "CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status)",
)


@dataclass(frozen=True)
class Job:
    """One render the service was asked for: an article version (``source`` + ``content_hash``).

    ``payload`` is the JSON the worker renders from (the article's address, or its HTML and
    metadata); ``result`` the JSON it reported. ``lease`` is the token of the worker's current
    claim, ``heartbeat_at`` when it last renewed it and ``enqueued_at`` when the job was last put
    on the queue (Unix seconds); ``seq`` orders the jobs as they were submitted.
    """

    seq: int
    id: str
    source: str
    content_hash: str
    status: JobStatus
    payload: str
    callback_url: str | None
    created: str
    updated: str
    enqueued_at: float = 0.0
    lease: str | None = None
    worker: str | None = None
    heartbeat_at: float | None = None
    attempts: int = 0
    error: str | None = None
    result: str | None = None


_JOB_COLUMNS = tuple(Job.__dataclass_fields__)
_JOB_SELECT = f"SELECT {', '.join(_JOB_COLUMNS)} FROM jobs"


class State:
    """The state database of one feed's output folder.

    >>> state = State(":memory:")
    >>> state.records()
    []
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._synced = False
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # autocommit: each statement is its own transaction (unless in :meth:`transaction`).
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # WAL is durable across a process crash with NORMAL; a power cut may lose the last
        # commits, unless :meth:`sync` made them durable. (FULL would sync at every commit: the
        # service's slowest step under load, and done on its event loop.)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        for statement in _JOBS_SCHEMA:
            self._db.execute(statement)
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def sync(self) -> None:
        """Make every commit so far durable, a power cut included: sync the WAL to disk.

        Safe to call from another thread (it touches the file, not the connection): the service
        commits a group of jobs on its event loop and syncs here, in a thread, before it
        answers them. With ``synchronous=NORMAL`` a commit is in the WAL file but not yet
        synced; a checkpoint syncs what it copies into the database (SQLite's WAL docs), and
        the WAL is never deleted while this connection is open.
        """
        if self.path == ":memory:":
            return
        # The folder too, the first time: the WAL file may be new (SQLite's FULL does the same).
        paths = [self.path + "-wal"]
        if not self._synced:
            paths.append(str(Path(self.path).parent))
        for path in paths:
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        self._synced = True

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block's statements as one transaction: all committed, or none.

        It takes the write lock at once (``BEGIN IMMEDIATE``), so a read in the block sees what
        the block's writes will be applied to.
        """
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:  # SQLite may have rolled back already (disk full)
                self._db.execute("ROLLBACK")
            raise

    def by_guid(self, guid: str) -> Record | None:
        """The record whose episode guid is ``guid`` (the service's episode id)."""
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM episodes WHERE guid = ?", (guid,)
        ).fetchone()
        return Record(*row) if row else None

    def get(self, source: str) -> Record | None:
        """The record for ``source``, or ``None`` if it was never seen."""
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM episodes WHERE source = ?", (source,)
        ).fetchone()
        return Record(*row) if row else None

    def records(self) -> list[Record]:
        """Every record, newest pubDate first."""
        rows = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM episodes ORDER BY published DESC, source"
        ).fetchall()
        return [Record(*row) for row in rows]

    def add(self, record: Record) -> None:
        """Insert a newly seen source."""
        marks = ", ".join("?" for _ in _COLUMNS)
        values = tuple(getattr(record, name) for name in _COLUMNS)
        self._db.execute(f"INSERT INTO episodes ({', '.join(_COLUMNS)}) VALUES ({marks})", values)

    def update(self, source: str, **values: object) -> None:
        """Set some columns of ``source``'s record."""
        unknown = set(values) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown columns {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        self._db.execute(
            f"UPDATE episodes SET {assignments} WHERE source = ?", (*values.values(), source)
        )

    def remove(self, source: str) -> None:
        """Forget ``source``; its files become orphans and are removed at the end of the build."""
        self._db.execute("DELETE FROM episodes WHERE source = ?", (source,))

    def media_stems(self) -> set[str]:
        """The file stems any record still names: the audio that must be kept."""
        rows = self._db.execute("SELECT media_stem FROM episodes WHERE media_stem IS NOT NULL")
        return {row[0] for row in rows}

    # --- the service's jobs ------------------------------------------------------------------

    def add_job(
        self,
        job_id: str,
        source: str,
        content_hash: str,
        payload: str,
        callback_url: str | None,
        now: str,
        enqueued_at: float,
    ) -> bool:
        """Insert a queued job; False (and nothing changed) if ``job_id`` exists already."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO jobs (id, source, content_hash, status, payload, callback_url,"
            " created, updated, enqueued_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)",
            (job_id, source, content_hash, payload, callback_url, now, now, enqueued_at),
        )
        return cursor.rowcount == 1

    def add_jobs(self, rows: list[tuple[str, str, str, str, str | None, str, float]]) -> None:
        """Insert queued jobs, ``(id, source, content_hash, payload, callback_url, now,
        enqueued_at)`` each, in one statement; ids that exist already are left as they are."""
        self._db.executemany(
            "INSERT OR IGNORE INTO jobs (id, source, content_hash, status, payload, callback_url,"
            " created, updated, enqueued_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)",
            [
                (job_id, source, digest, payload, url, now, now, at)
                for job_id, source, digest, payload, url, now, at in rows
            ],
        )

    def jobs_by_id(self, job_ids: list[str]) -> dict[str, Job]:
        """The jobs among ``job_ids`` that exist, by id (one query)."""
        found: dict[str, Job] = {}
        for start in range(0, len(job_ids), 500):  # below SQLite's limit on parameters
            chunk = job_ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self._db.execute(f"{_JOB_SELECT} WHERE id IN ({marks})", chunk):
                found[row[1]] = Job(*row)
        return found

    def job(self, job_id: str) -> Job | None:
        """The job ``job_id``, or ``None``."""
        row = self._db.execute(f"{_JOB_SELECT} WHERE id = ?", (job_id,)).fetchone()
        return Job(*row) if row else None

    def jobs(self, status: JobStatus | None = None, source: str | None = None) -> list[Job]:
        """Jobs in submission order, optionally only those with ``status`` or of ``source``."""
        clauses: list[str] = []
        values: list[str] = []
        if status is not None:
            clauses.append("status = ?")
            values.append(status)
        if source is not None:
            clauses.append("source = ?")
            values.append(source)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(f"{_JOB_SELECT}{where} ORDER BY seq", values).fetchall()
        return [Job(*row) for row in rows]

    def update_job(self, job_id: str, holding: str | None = None, **values: object) -> bool:
        """Set some columns of a job; with ``holding`` (a lease), only while that claim holds.

        Returns whether a row changed: a worker whose lease was taken over learns it here.
        """
        unknown = set(values) - set(_JOB_COLUMNS)
        if unknown:
            raise ValueError(f"unknown columns {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        where, extra = "id = ?", [job_id]
        if holding is not None:
            where, extra = "id = ? AND lease = ?", [job_id, holding]
        cursor = self._db.execute(
            f"UPDATE jobs SET {assignments} WHERE {where}", (*values.values(), *extra)
        )
        return cursor.rowcount == 1

    def claim_job(self, job_id: str, lease: str, worker: str, now: str, clock: float) -> bool:
        """Take a queued job for a worker: one atomic UPDATE, so two workers never both win."""
        cursor = self._db.execute(
            "UPDATE jobs SET status = 'running', lease = ?, worker = ?, heartbeat_at = ?,"
            " attempts = attempts + 1, updated = ? WHERE id = ? AND status = 'queued'",
            (lease, worker, clock, now, job_id),
        )
        return cursor.rowcount == 1

    def requeue_stale(self, before: float, now: str, clock: float) -> list[str]:
        """Put back on the queue running jobs whose lease was last renewed before ``before``.

        Returns their ids. Their lease token is cleared, so a worker that was only slow (not
        dead) can no longer record a result under it.
        """
        stale = [
            row[0]
            for row in self._db.execute(
                "SELECT id FROM jobs WHERE status = 'running' AND heartbeat_at < ?", (before,)
            )
        ]
        taken = []
        for job_id in stale:
            cursor = self._db.execute(
                "UPDATE jobs SET status = 'queued', lease = NULL, updated = ?, enqueued_at = ?"
                " WHERE id = ? AND status = 'running' AND heartbeat_at < ?",
                (now, clock, job_id, before),
            )
            if cursor.rowcount == 1:
                taken.append(job_id)
        return taken

    def newer_job(self, job: Job) -> Job | None:
        """The latest job for the same article submitted after ``job``, if any."""
        row = self._db.execute(
            f"{_JOB_SELECT} WHERE source = ? AND seq > ? ORDER BY seq DESC LIMIT 1",
            (job.source, job.seq),
        ).fetchone()
        return Job(*row) if row else None

    def move_to_end(self, job_id: str) -> None:
        """Make ``job_id`` the newest job of its article (an older version asked for again)."""
        self._db.execute(
            "UPDATE jobs SET seq = (SELECT MAX(seq) + 1 FROM jobs) WHERE id = ?", (job_id,)
        )

    def job_counts(self) -> dict[str, int]:
        """How many jobs there are in each status."""
        rows = self._db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status")
        return dict(rows.fetchall())

    def remove_jobs(self, source: str) -> None:
        """Forget every job of ``source`` (its episode was deleted)."""
        self._db.execute("DELETE FROM jobs WHERE source = ?", (source,))
