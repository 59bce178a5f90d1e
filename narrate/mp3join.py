"""Joining MP3s encoded in parts: both cores encode one narration at once, and a re-render
after an edit re-encodes only the parts whose audio changed.

Each part is a complete LAME stream: the first starts with its Xing/"Info" frame (frame count,
byte count, seek table and the LAME tag with encoder delay and end padding); the others are
written without one. Decoders trim the delay at the start and the padding at the end, so
frames can be concatenated if

* the join sits in a pause (the encoders' start and end transients are silence there), and
* the samples a join adds (the end padding of the part before it plus the 576-sample encoder
  delay of the part after it) are taken out of that pause before the later part is encoded,
  which keeps every later timing exact; and
* the first part's Info frame is rewritten to describe the whole file.

libmp3lame encodes ``n`` samples into the fewest frames that leave at least 576 samples of end
padding, ``ceil((n + 1152) / 1152)`` (checked here on 55 lengths covering every remainder
modulo 1152), so the padding and the trim are known before either part is encoded.
"""

from __future__ import annotations

import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from .errors import EncodingError

FRAME_SAMPLES = 1152
ENCODER_DELAY = 576


def frames_for(n_samples: int) -> int:
    """How many audio frames libmp3lame writes for ``n_samples`` samples."""
    return -(-(n_samples + 2 * ENCODER_DELAY) // FRAME_SAMPLES)


# Where a part's audio starts after a join: this much silence in front of it lets the encoder
# start cleanly. Joins then land on a fixed grid (see ``aligned_end``).
PART_LEAD = 2048


def aligned_end(minimum_end: int) -> int:
    """The first output sample at or after ``minimum_end`` where a part's audio may start.

    Parts whose lengths are whole frames add exactly one frame at each join (end padding plus
    the next part's encoder delay), so a part that starts at a position of the form
    ``k * FRAME_SAMPLES + PART_LEAD`` depends only on its own audio, not on how long the
    audio before it was: an edit re-encodes only the parts it touches.
    """
    grid = FRAME_SAMPLES
    remainder = (minimum_end - PART_LEAD) % grid
    return minimum_end if remainder == 0 else minimum_end + grid - remainder


def join_extra(n_samples_a: int) -> int:
    """Samples the join adds after part A: its end padding plus part B's encoder delay."""
    return frames_for(n_samples_a) * FRAME_SAMPLES - n_samples_a


@dataclass(frozen=True)
class InfoTag:
    """Where the fields of a Xing/Info frame and its LAME extension sit in a file."""

    tag: int
    flags: int
    frames_at: int
    bytes_at: int
    toc_at: int
    lame: int
    frames: int
    delay: int
    padding: int


def read_info(data: bytes) -> InfoTag:
    """Locate the Info (CBR) or Xing (VBR) frame of an MP3 written by ffmpeg/libmp3lame."""
    tag = -1
    for marker in (b"Info", b"Xing"):
        found = data.find(marker, 0, 200)
        if found >= 0:
            tag = found
            break
    if tag < 0:
        raise EncodingError("The MP3 part has no Info frame to rewrite.")
    (flags,) = struct.unpack_from(">I", data, tag + 4)
    at = tag + 8
    frames_at = at if flags & 1 else -1
    at += 4 if flags & 1 else 0
    bytes_at = at if flags & 2 else -1
    at += 4 if flags & 2 else 0
    toc_at = at if flags & 4 else -1
    at += 100 if flags & 4 else 0
    at += 4 if flags & 8 else 0
    packed = data[at + 21 : at + 24]
    (frames,) = struct.unpack_from(">I", data, frames_at) if frames_at >= 0 else (0,)
    return InfoTag(
        tag=tag,
        flags=flags,
        frames_at=frames_at,
        bytes_at=bytes_at,
        toc_at=toc_at,
        lame=at,
        frames=frames,
        delay=(packed[0] << 4) | (packed[1] >> 4),
        padding=((packed[1] & 0x0F) << 8) | packed[2],
    )


def _crc16(data: bytes) -> int:
    """CRC-16 (polynomial 0x8005, reflected), as the LAME tag's own checksum."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


# ffmpeg names itself in the LAME tag ("Lavc..."); mutagen trusts the tag's encoder delay and end
# padding only when it names LAME, and without them read every narration 1,400 samples (32 ms)
# longer than it decodes: narrate's durations, last chapter's end and feed came from that. The
# frames are libmp3lame's, and 3.100 is its release since 2017.
LAME_VERSION = b"LAME3.100"


def _name_lame(header: bytearray, info: InfoTag) -> None:
    """Name LAME in the tag of the Info frame at the start of ``header``; checksum it again."""
    header[info.lame : info.lame + len(LAME_VERSION)] = LAME_VERSION
    frame_start = info.tag - 21 if info.tag >= 21 else 0  # MPEG-1 mono: 4-byte header + 17
    checksum = _crc16(bytes(header[frame_start : info.lame + 34]))
    struct.pack_into(">H", header, info.lame + 34, checksum)


def name_lame(path: Path) -> None:
    """In place, for a file ffmpeg wrote whole: its Info frame's tag names LAME, as join's do."""
    with path.open("r+b") as handle:
        head = handle.read(4096)
        info = read_info(head)
        header = bytearray(head[: info.lame + 36])
        _name_lame(header, info)
        handle.seek(0)
        handle.write(header)


def join(parts: list[Path], lengths: list[int], out: Path) -> None:
    """Write the parts' frames to ``out`` in order, the first part's Info frame rewritten.

    ``lengths`` are the parts' lengths in samples: the frame count and the end padding (the
    last part's) follow from them. Parts are copied file to file, never held in memory.
    """
    with parts[0].open("rb") as handle:
        head = handle.read(4096)
    info = read_info(head)
    # From the lengths, not the Info frame: a first part encoded in two halves (see
    # narrate.encode) has one that counts only its first half.
    frames = sum(frames_for(n) for n in lengths)
    header = bytearray(head[: info.lame + 36])
    total_bytes = sum(part.stat().st_size for part in parts)
    if info.frames_at >= 0:
        struct.pack_into(">I", header, info.frames_at, frames)
    if info.bytes_at >= 0:
        struct.pack_into(">I", header, info.bytes_at, total_bytes)
    if info.toc_at >= 0:
        # Constant bitrate: byte offset grows linearly with time.
        linear = bytes(min(255, i * 256 // 100) for i in range(100))
        header[info.toc_at : info.toc_at + 100] = linear
    last = lengths[-1]
    padding = frames_for(last) * FRAME_SAMPLES - ENCODER_DELAY - last
    header[info.lame + 21 : info.lame + 24] = bytes(
        [info.delay >> 4, ((info.delay & 0x0F) << 4) | (padding >> 8), padding & 0xFF]
    )
    struct.pack_into(">I", header, info.lame + 28, total_bytes)  # music length
    _name_lame(header, info)
    with out.open("wb") as target:
        target.write(header)
        for index, part in enumerate(parts):
            with part.open("rb") as source:
                if index == 0:
                    source.seek(info.lame + 36)
                shutil.copyfileobj(source, target, 1 << 20)
