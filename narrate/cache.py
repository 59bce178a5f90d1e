"""The segment store: synthesized clips on disk, keyed by everything that shapes their sound.

As a cache it makes re-rendering an edited article cost almost nothing: only segments whose
spoken text (or voice, engine version, lexicon) changed go back to the engine. The same class,
pointed at a render's temporary folder, is the spool that keeps long narrations out of memory.

Safe with concurrent writers (several renders, several worker processes): every file is written
under a unique temporary name and renamed into place, and a reader treats a missing or half-
evicted entry as a miss. Bounded in size: least recently used entries are evicted (a hit
refreshes the entry's modification time).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .errors import ConfigError
from .model import Clip, StoredClip, WordMark

CACHE_FORMAT = 1  # bump when the stored layout or what a key covers changes


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/narrate/segments``, else ``~/.cache/narrate/segments``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "narrate" / "segments"


def segment_key(text: str, **voice: object) -> str:
    """A stable key for ``text`` spoken with ``voice`` (engine, version, voice settings, …)."""
    material = json.dumps({"format": CACHE_FORMAT, "text": text, **voice}, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class ClipStore:
    """Clips on disk: ``<key>.pcm`` (16-bit mono) beside ``<key>.json`` (rate, length, words)."""

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

    def _shard(self, folder: Path) -> None:
        if folder not in self._shards:  # one mkdir per shard and store, not one per clip
            folder.mkdir(parents=True, exist_ok=True)
            self._shards.add(folder)

    def _paths(self, key: str) -> tuple[Path, Path]:
        shard = self.folder / key[:2]  # keeps directories small for very large caches
        return shard / f"{key}.pcm", shard / f"{key}.json"

    def get(self, key: str) -> StoredClip | None:
        """The stored clip, or ``None`` (a miss)."""
        pcm, meta = self._paths(key)
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            size = pcm.stat().st_size
            os.utime(meta)  # least recently used eviction looks at this
        except (OSError, ValueError):
            self.misses += 1
            return None
        if size != 2 * info["n_samples"]:
            self.misses += 1
            return None
        self.hits += 1
        words = tuple(WordMark(*w) for w in info["words"])
        return StoredClip(str(pcm), info["sample_rate"], info["n_samples"], words)

    def put(self, key: str, clip: Clip) -> StoredClip:
        """Store ``clip`` under ``key`` and return it as a stored clip."""
        pcm, meta = self._paths(key)
        self._shard(pcm.parent)
        info = {
            "sample_rate": clip.sample_rate,
            "n_samples": clip.n_samples,
            # Plain tuples: dataclasses.asdict on every word cost 0.4 s an hour of speech.
            "words": [(w.char_start, w.char_length, w.start_samples) for w in clip.words],
        }
        _write_atomically(pcm, clip.pcm)
        _write_atomically(meta, json.dumps(info).encode("utf-8"))
        return StoredClip(str(pcm), clip.sample_rate, clip.n_samples, clip.words)

    def get_file(self, key: str) -> Path | None:
        """The path of a stored file (an encoded MP3 part), or ``None``."""
        data, meta = self._paths(key)
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            size = data.stat().st_size
            os.utime(meta)
        except (OSError, ValueError):
            self.misses += 1
            return None
        if info.get("bytes") != size:
            self.misses += 1
            return None
        self.hits += 1
        return data

    def put_file(self, key: str, source: Path) -> Path:
        """Move ``source`` into the store under ``key`` (same eviction as clips)."""
        data, meta = self._paths(key)
        self._shard(data.parent)
        size = source.stat().st_size
        try:
            source.replace(data)  # same file system: atomic
        except OSError:
            _write_atomically(data, source.read_bytes())
            source.unlink(missing_ok=True)
        _write_atomically(meta, json.dumps({"bytes": size}).encode("utf-8"))
        return data

    def size_bytes(self) -> int:
        """Bytes the store holds now."""
        return sum(p.stat().st_size for p in self.folder.glob("*/*") if p.is_file())

    def evict(self) -> int:
        """Delete least recently used entries until within ``max_bytes``; return how many."""
        if self.max_bytes <= 0:
            return 0
        entries = []
        total = 0
        for meta in self.folder.glob("*/*.json"):
            pcm = meta.with_suffix(".pcm")
            try:
                size = meta.stat().st_size + pcm.stat().st_size
                entries.append((meta.stat().st_mtime, size, meta, pcm))
            except OSError:
                continue  # another process evicted or is writing it
            total += size
        removed = 0
        for _mtime, size, meta, pcm in sorted(entries):
            if total <= self.max_bytes:
                break
            meta.unlink(missing_ok=True)
            pcm.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed


def _write_atomically(path: Path, data: bytes) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(name).replace(path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
