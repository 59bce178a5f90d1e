"""The segment store: synthesized clips on disk, keyed by everything that shapes their sound.

As a cache (:class:`ClipStore`) it makes re-rendering an edited article cost almost nothing:
only segments whose spoken text (or voice, engine version, lexicon) changed go back to the
engine. Without the cache a render still keeps its clips on disk, in a :class:`Spool`, so long
narrations stay out of memory.

The cache is safe with concurrent writers (several renders, several worker processes): every
file is written under a unique temporary name and renamed into place, and a reader treats a
missing or half-evicted entry as a miss. It is bounded in size: least recently used entries are
evicted (a hit refreshes the entry's modification time). One file per entry, header and PCM
together: creating files is most of what storing costs (ext4 took 1.3 s of system time to
create the 1,100 files of a one-hour narration that followed the deletion of another).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Protocol

from .errors import ConfigError
from .model import Clip, StoredClip, WordMark

CACHE_FORMAT = 2  # bump when the stored layout or what a key covers changes
_HEADER_MAX = 1 << 20  # a clip's header line: its words, a few kilobytes
_STALE_S = 3600.0  # a temporary file this old was left by a process that died while writing


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/narrate/segments``, else ``~/.cache/narrate/segments``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "narrate" / "segments"


def segment_key(text: str, **voice: object) -> str:
    """A stable key for ``text`` spoken with ``voice`` (engine, version, voice settings, …)."""
    material = json.dumps({"format": CACHE_FORMAT, "text": text, **voice}, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class Store(Protocol):
    """Where a render keeps its clips and encoded parts: the cache, or a spool."""

    def get(self, key: str) -> StoredClip | None:
        """The stored clip, or ``None``."""

    def put(self, key: str, clip: Clip) -> StoredClip:
        """Store ``clip`` under ``key`` and return it as a stored clip."""

    def get_file(self, key: str) -> Path | None:
        """The path of a stored file (an encoded MP3 part), or ``None``."""

    def put_file(self, key: str, source: Path) -> Path:
        """Move ``source`` into the store under ``key``; its path there."""


def _header(clip: Clip) -> bytes:
    info = {
        "sample_rate": clip.sample_rate,
        "n_samples": clip.n_samples,
        # Plain tuples: dataclasses.asdict on every word cost 0.4 s an hour of speech.
        "words": [(w.char_start, w.char_length, w.start_samples) for w in clip.words],
    }
    return json.dumps(info).encode("utf-8") + b"\n"


class ClipStore:
    """The segment cache: ``<key>.clip`` (a JSON header line: rate, length, words; then 16-bit
    mono PCM) and ``<key>.mp3`` (an encoded part), in shards named by the key's first two
    characters."""

    def __init__(self, folder: Path, max_bytes: int = 0) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._shards: set[Path] = set()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"The cache folder {folder} cannot be made ({exc.strerror}); "
                "set NARRATE_CACHE_DIR to a folder narrate may write."
            ) from exc
        try:  # a folder that exists read-only failed at the first clip, as an unexpected error
            fd, name = tempfile.mkstemp(prefix=".probe-", dir=folder)
            os.close(fd)
            Path(name).unlink()
        except OSError as exc:
            raise ConfigError(
                f"The cache folder {folder} cannot be written ({exc.strerror}); "
                "set NARRATE_CACHE_DIR to a folder narrate may write."
            ) from exc

    def _path(self, key: str, suffix: str) -> Path:
        shard = self.folder / key[:2]  # keeps directories small for very large caches
        if shard not in self._shards:  # one mkdir per shard and store, not one per entry
            shard.mkdir(parents=True, exist_ok=True)
            self._shards.add(shard)
        return shard / f"{key}{suffix}"

    def get(self, key: str) -> StoredClip | None:
        """The stored clip, or ``None`` (a miss)."""
        path = self.folder / key[:2] / f"{key}.clip"
        try:
            with open(path, "rb") as handle:
                header = handle.readline(_HEADER_MAX)
                size = os.fstat(handle.fileno()).st_size
            info = json.loads(header)
            complete = header.endswith(b"\n") and size == len(header) + 2 * info["n_samples"]
            words = tuple(WordMark(*w) for w in info["words"])
            rate = int(info["sample_rate"])
            if complete:
                os.utime(path)  # least recently used eviction looks at this
        except (OSError, ValueError, KeyError, TypeError):
            complete = False
        if not complete:
            self.misses += 1
            return None
        self.hits += 1
        return StoredClip(str(path), rate, info["n_samples"], words, len(header))

    def put(self, key: str, clip: Clip) -> StoredClip:
        """Store ``clip`` under ``key`` and return it as a stored clip."""
        path = self._path(key, ".clip")
        header = _header(clip)
        _write_atomically(path, header, clip.pcm)
        return StoredClip(str(path), clip.sample_rate, clip.n_samples, clip.words, len(header))

    def get_file(self, key: str) -> Path | None:
        """The path of a stored file (an encoded MP3 part), or ``None``.

        Present means complete: a file only ever appears under its key by a rename.
        """
        path = self.folder / key[:2] / f"{key}.mp3"
        try:
            os.utime(path)
        except OSError:
            self.misses += 1
            return None
        self.hits += 1
        return path

    def put_file(self, key: str, source: Path) -> Path:
        """Move ``source`` into the store under ``key`` (same eviction as clips)."""
        path = self._path(key, ".mp3")
        try:
            source.replace(path)  # same file system: atomic
        except OSError:
            _write_atomically(path, source.read_bytes())
            source.unlink(missing_ok=True)
        return path

    def _entries(self) -> list[tuple[float, int, Path]]:
        """(modification time, size, path) of every entry; stale temporary files removed."""
        entries = []
        now = time.time()
        for path in self.folder.glob("*/*"):
            try:
                status = path.stat()
            except OSError:
                continue  # another process evicted it
            if path.name.startswith("."):  # being written, or left by a process that died
                if now - status.st_mtime > _STALE_S:
                    path.unlink(missing_ok=True)
                continue
            entries.append((status.st_mtime, status.st_size, path))
        return entries

    def size_bytes(self) -> int:
        """Bytes the store's entries hold now."""
        return sum(size for _mtime, size, _path in self._entries())

    def evict(self) -> int:
        """Delete least recently used entries until within ``max_bytes``; return how many."""
        if self.max_bytes <= 0:
            return 0
        entries = self._entries()
        total = sum(size for _mtime, size, _path in entries)
        removed = 0
        for _mtime, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed


class Spool:
    """A render's clips when caching is off: appended to one file, found again by key only
    within the render (an article that repeats a sentence synthesizes it once).

    One file instead of one per clip: creating a thousand files cost more system time than
    everything else narrate does outside the engine and the encoder.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self._path = folder / "clips.pcm"
        self._file = open(self._path, "wb")  # noqa: SIM115 (closed by close(), at the render's end)
        self._size = 0
        self._lock = threading.Lock()
        self._clips: dict[str, StoredClip] = {}
        self._files: dict[str, Path] = {}

    def close(self) -> None:
        """Close the spool file (the folder and its files are the caller's to remove)."""
        self._file.close()

    def get(self, key: str) -> StoredClip | None:
        """The clip put under ``key`` earlier in this render, or ``None``."""
        with self._lock:
            found = self._clips.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
            return found

    def put(self, key: str, clip: Clip) -> StoredClip:
        """Append ``clip`` to the spool file; readable as soon as this returns."""
        with self._lock:
            self._file.write(clip.pcm)
            self._file.flush()
            stored = StoredClip(
                str(self._path), clip.sample_rate, clip.n_samples, clip.words, self._size
            )
            self._size += len(clip.pcm)
            self._clips[key] = stored
            return stored

    def get_file(self, key: str) -> Path | None:
        """A part encoded earlier in this render under ``key``, or ``None``."""
        with self._lock:
            return self._files.get(key)

    def put_file(self, key: str, source: Path) -> Path:
        """Move ``source`` into the spool folder, so it goes with the spool."""
        path = self.folder / f"{key}.mp3"
        try:
            source.replace(path)
        except OSError:  # another file system: the spares' folder may be elsewhere
            path.write_bytes(source.read_bytes())
            source.unlink(missing_ok=True)
        with self._lock:
            self._files[key] = path
        return path


def _write_atomically(path: Path, *chunks: bytes) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        Path(name).replace(path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
