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
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Status = Literal["pending", "rendering", "done", "failed"]

SCHEMA_VERSION = 1

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


class State:
    """The state database of one feed's output folder.

    >>> state = State(":memory:")
    >>> state.records()
    []
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # autocommit: each statement is its own transaction, durable before the next step.
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

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
