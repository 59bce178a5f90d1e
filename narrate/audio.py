"""Audio helpers and the one place that runs ffmpeg.

ffmpeg comes from the system PATH when present (usually a native build with ffprobe beside
it), else from the imageio-ffmpeg wheel, so a plain ``pip install`` works without root.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import EncodingError

if TYPE_CHECKING:
    from pydub import AudioSegment

# Children narrate waits on (ffmpeg, the pyttsx3 engine's process) run outside the terminal's
# process group: a Ctrl-C reaches narrate alone, which stops them and says it was interrupted.
# Sent to the whole group, it killed ffmpeg first and the render failed as an encoding error.
OWN_PROCESS_GROUP: int | None = 0 if os.name == "posix" else None


@functools.cache
def ffmpeg_path(configured: str = "") -> str:
    """The ffmpeg binary to run: the setting, else PATH, else imageio-ffmpeg's."""
    if configured:
        if not Path(configured).is_file():
            raise EncodingError(f"NARRATE_FFMPEG points at {configured}, which does not exist.")
        return configured
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise EncodingError(
            "ffmpeg not found: pip install imageio-ffmpeg, or install ffmpeg."
        ) from exc
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:
        raise EncodingError(f"imageio-ffmpeg has no ffmpeg for this platform ({exc}).") from exc


def pydub_audio_segment() -> type[AudioSegment]:
    """pydub's AudioSegment, set up to use our ffmpeg.

    pydub looks for ffmpeg on PATH when first imported and warns if there is none; ours may be
    the imageio-ffmpeg one, so the warning is silenced and the converter set explicitly.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg_path()
    segment_class: type[AudioSegment] = AudioSegment
    return segment_class


def silence(duration_s: float, sample_rate: int) -> bytes:
    """Digital silence as 16-bit mono PCM."""
    return bytes(2 * round(duration_s * sample_rate))


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample 16-bit mono PCM with libsoxr's high-quality filter (audioop's ``ratecv``, which
    pydub uses, interpolates without an anti-aliasing filter: audible on speech)."""
    if from_rate == to_rate:
        return pcm
    from .master import pcm_of, resample_clip, samples_of

    samples = samples_of(pcm)
    length = round(len(samples) * to_rate / from_rate)
    return pcm_of(resample_clip(samples, length, from_rate, to_rate).copy())


def decode(path: str | Path, sample_rate: int, ffmpeg: str = "") -> bytes:
    """Decode any file ffmpeg reads to 16-bit mono PCM at ``sample_rate``."""
    command = [
        ffmpeg_path(ffmpeg),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-i",
        str(path),
        "-f",
        "s16le",
        "-ac",
        "1",
        "-ar",
        str(sample_rate),
        "-",
    ]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise EncodingError(f"ffmpeg cannot decode {path}: {message[-1] if message else '?'}")
    return result.stdout


def load_segment(path: str | Path, sample_rate: int, ffmpeg: str = "") -> AudioSegment:
    """Decode a file into a pydub AudioSegment (16-bit mono), without needing ffprobe."""
    pcm = decode(path, sample_rate, ffmpeg)
    return pydub_audio_segment()(pcm, sample_width=2, frame_rate=sample_rate, channels=1)


@dataclass(frozen=True)
class ProbeResult:
    """What libavformat reads from a file: its tags, chapters and audio stream."""

    tags: dict[str, str] = field(default_factory=dict)
    chapters: list[tuple[float, float, str]] = field(default_factory=list)
    sample_rate: int = 0
    channels: int = 0
    codec: str = ""
    duration_s: float = 0.0


def probe(path: str | Path, ffmpeg: str = "") -> ProbeResult:
    """Read tags and chapters as ffmpeg's demuxer sees them (what ffprobe would report), the
    chapters in the order it lists them.

    Runs ``ffmpeg -f ffmetadata``, the same demuxer ffprobe uses, because the imageio-ffmpeg
    wheel ships no ffprobe.
    """
    exe = ffmpeg_path(ffmpeg)
    command = [exe, "-nostdin", "-hide_banner", "-i", str(path), "-f", "ffmetadata", "-"]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        raise EncodingError(f"ffmpeg cannot read {path}.")
    meta = result.stdout.decode(errors="replace")
    info = result.stderr.decode(errors="replace")
    tags: dict[str, str] = {}
    chapters: list[tuple[float, float, str]] = []
    current: dict[str, str] | None = None
    for line in meta.splitlines():
        if line.startswith(";") or not line.strip():
            continue
        if line.startswith("["):
            current = {} if line.strip() == "[CHAPTER]" else None
            if current is not None:
                chapters.append((0.0, 0.0, ""))
            continue
        key, _, value = line.partition("=")
        if current is None:
            tags[key.lower()] = value
        else:
            current[key.upper()] = value
            num, den = (int(x) for x in current.get("TIMEBASE", "1/1000").split("/"))
            start = int(current.get("START", "0")) * num / den
            end = int(current.get("END", "0")) * num / den
            chapters[-1] = (start, end, current.get("TITLE", ""))
    stream = re.search(r"Audio: (\w+).*?, (\d+) Hz, (mono|stereo)", info)
    duration = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", info)
    return ProbeResult(
        tags=tags,
        chapters=chapters,  # in the order ffmpeg lists them, as a listener's app would
        codec=stream.group(1) if stream else "",
        sample_rate=int(stream.group(2)) if stream else 0,
        channels=(1 if stream.group(3) == "mono" else 2) if stream else 0,
        duration_s=(
            int(duration.group(1)) * 3600 + int(duration.group(2)) * 60 + float(duration.group(3))
        )
        if duration
        else 0.0,
    )


@dataclass(frozen=True)
class Loudness:
    """EBU R128 measurement: integrated loudness (LUFS) and true peak (dBTP)."""

    integrated_lufs: float
    true_peak_dbtp: float


def _number(pattern: str, text: str) -> float:
    found = re.findall(pattern, text)
    if not found:
        raise EncodingError("ffmpeg's loudness meter gave no reading.")
    value = found[-1]
    return float("-inf") if value.startswith("-inf") else float(value)


def measure_loudness(
    chunks: Iterable[bytes], sample_rate: int, filters: str = "", ffmpeg: str = ""
) -> Loudness:
    """Measure 16-bit mono PCM (after ``filters``, an ffmpeg filter chain) with ``ebur128``."""
    chain = (
        f"{filters},ebur128=peak=true:framelog=quiet"
        if filters
        else ("ebur128=peak=true:framelog=quiet")
    )
    command = [
        ffmpeg_path(ffmpeg),
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-f",
        "s16le",
        "-ar",
        str(sample_rate),
        "-ac",
        "1",
        "-i",
        "pipe:0",
        "-af",
        chain,
        "-f",
        "null",
        "-",
    ]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdin is not None and process.stderr is not None
        # stderr is read on a thread: a long input would otherwise fill the pipe and deadlock.
        output: list[bytes] = []
        reader = threading.Thread(target=lambda: output.append(process.stderr.read()))  # type: ignore[union-attr]
        reader.start()
        try:
            for chunk in chunks:
                process.stdin.write(chunk)
            process.stdin.close()
        except BrokenPipeError:
            pass
        reader.join()
        status = process.wait()
    text = b"".join(output).decode(errors="replace")
    if status != 0:
        raise EncodingError(f"ffmpeg could not measure loudness: {text.strip()[-200:]}")
    summary = text[text.rfind("Summary:") :]
    return Loudness(
        integrated_lufs=_number(r"I:\s+(-?[\d.]+|-inf)\s+LUFS", summary),
        true_peak_dbtp=_number(r"Peak:\s+(-?[\d.]+|-inf)\s+dBFS", summary),
    )
