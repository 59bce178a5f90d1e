"""Joining MP3s encoded in parts, so both cores can encode one narration at once.

Each part is a complete LAME stream: part A starts with its Xing/"Info" frame (frame count,
byte count, seek table and the LAME tag with encoder delay and end padding); part B is
written without one. Decoders trim the delay at the start and the padding at the end, so
frames can be concatenated if

* the join sits in a pause (the encoders' start and end transients are silence there), and
* the samples the join adds (A's end padding plus B's 576-sample encoder delay) are taken
  out of that pause before B is encoded, which keeps every later timing exact; and
* A's Info frame is rewritten to describe the whole file.

libmp3lame encodes ``n`` samples into the fewest frames that leave at least 576 samples of end
padding, ``ceil((n + 1152) / 1152)`` (checked here on 55 lengths covering every remainder
modulo 1152), so the padding and the trim are known before either part is encoded.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .errors import EncodingError

FRAME_SAMPLES = 1152
ENCODER_DELAY = 576


def frames_for(n_samples: int) -> int:
    """How many audio frames libmp3lame writes for ``n_samples`` samples."""
    return -(-(n_samples + 2 * ENCODER_DELAY) // FRAME_SAMPLES)


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


def join(part_a: bytes, part_b: bytes, n_samples_b: int) -> bytes:
    """Part A's frames, then part B's, with A's Info frame describing the whole.

    ``n_samples_b`` is part B's length in samples, for the end padding the decoders trim.
    """
    info = read_info(part_a)
    frames_b = frames_for(n_samples_b)
    header = bytearray(part_a[: info.lame + 36])
    total_bytes = len(part_a) + len(part_b)
    if info.frames_at >= 0:
        struct.pack_into(">I", header, info.frames_at, info.frames + frames_b)
    if info.bytes_at >= 0:
        struct.pack_into(">I", header, info.bytes_at, total_bytes)
    if info.toc_at >= 0:
        # Constant bitrate: byte offset grows linearly with time.
        header[info.toc_at : info.toc_at + 100] = bytes(
            min(255, i * 256 // 100) for i in range(100)
        )
    padding = frames_b * FRAME_SAMPLES - ENCODER_DELAY - n_samples_b
    header[info.lame + 21 : info.lame + 24] = bytes(
        [info.delay >> 4, ((info.delay & 0x0F) << 4) | (padding >> 8), padding & 0xFF]
    )
    struct.pack_into(">I", header, info.lame + 28, total_bytes)  # music length
    frame_start = info.tag - 21 if info.tag >= 21 else 0  # MPEG-1 mono: 4-byte header + 17
    struct.pack_into(
        ">H", header, info.lame + 34, _crc16(bytes(header[frame_start : info.lame + 34]))
    )
    return bytes(header) + part_a[info.lame + 36 :] + part_b
