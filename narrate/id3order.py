"""Chapter frames in time order inside a file's ID3v2 tag.

mutagen writes frames sorted by size (then by key), so the CHAP frames of "Introduction",
"Article" and "About this audio" came out in the order of their titles' lengths. The CTOC
frame gives the right order and players that read it are unaffected, but ffmpeg (and so
ffprobe, and every tool built on libavformat) lists chapters in the order their frames come:
"Article" first, at 10 s, then "Introduction" at 0 s. Sorting them in place after mutagen has
saved the tag changes no byte count, only where each CHAP frame sits among the others.
"""

from __future__ import annotations

import struct
from pathlib import Path

from .errors import EncodingError

_HEADER = 10


def _size(raw: bytes, syncsafe: bool) -> int:
    if syncsafe:
        return (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]
    return int(struct.unpack(">I", raw)[0])


def _chapter_start(body: bytes) -> int:
    """A CHAP frame's start time (ms): after its null-terminated element id."""
    end = body.index(b"\x00")
    return int(struct.unpack(">I", body[end + 1 : end + 5])[0])


def order_chapters(path: Path) -> None:
    """Rewrite ``path``'s CHAP frames in order of start time, in the places they occupy."""
    with path.open("r+b") as handle:
        header = handle.read(_HEADER)
        if len(header) < _HEADER or header[:3] != b"ID3":
            return
        major, flags = header[3], header[5]
        if major not in (3, 4) or flags & 0xC0:  # unsynchronised or extended: not ours
            return
        tag = handle.read(_size(header[6:10], True))
        frames: list[tuple[bytes, bytes]] = []  # (id, whole frame)
        position = 0
        while position + _HEADER <= len(tag) and tag[position] != 0:
            frame_id = tag[position : position + 4]
            size = _size(tag[position + 4 : position + 8], major == 4)
            end = position + _HEADER + size
            if end > len(tag):
                raise EncodingError(f"The ID3 tag of {path} is damaged at frame {frame_id!r}.")
            frames.append((frame_id, tag[position:end]))
            position = end
        chapters = [frame for frame_id, frame in frames if frame_id == b"CHAP"]
        try:
            in_time = sorted(chapters, key=lambda frame: _chapter_start(frame[_HEADER:]))
        except (ValueError, struct.error) as exc:  # a CHAP frame narrate did not write
            raise EncodingError(f"The ID3 tag of {path} has a damaged chapter frame.") from exc
        if in_time == chapters:
            return
        taken = iter(in_time)
        body = b"".join(next(taken) if frame_id == b"CHAP" else frame for frame_id, frame in frames)
        handle.seek(_HEADER)
        handle.write(body)  # the same length: the padding and the audio after it stay put
