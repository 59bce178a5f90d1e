"""The portable pyttsx3 engine (SAPI5 on Windows, NSSS on macOS, eSpeak NG on Linux).

pyttsx3's ``save_to_file`` can return before the file is written (on Linux its driver loop may
end early), and some drivers hang. So each engine runs pyttsx3 in its own child process
(:mod:`narrate.engines._pyttsx3_child`): the child waits for a complete WAV, and we wait for the
child with a timeout, kill it if it is stuck, and check the file ourselves before trusting it.
Running in a child also keeps pyttsx3's own eSpeak set-up away from the in-process ``espeak``
engine, which needs eSpeak in synchronous mode.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from ..audio import OWN_PROCESS_GROUP
from ..config import Config
from ..errors import SynthesisError
from ..model import Clip
from ..voices import Voice


def read_wav(path: Path) -> Clip:
    """Read a WAV file as 16-bit mono PCM, converting other layouts with pydub."""
    try:
        with wave.open(str(path), "rb") as wav:
            n_frames = wav.getnframes()
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(n_frames)
    except (wave.Error, EOFError, OSError) as exc:
        raise SynthesisError(f"pyttsx3 wrote an unreadable WAV file ({exc}).") from exc
    if n_frames == 0 or not frames:
        raise SynthesisError("pyttsx3 wrote an empty WAV file; try the espeak engine.")
    if channels != 1 or width != 2:
        from ..audio import pydub_audio_segment

        audio = pydub_audio_segment()(
            frames, sample_width=width, frame_rate=rate, channels=channels
        )
        frames = audio.set_channels(1).set_sample_width(2).raw_data
    return Clip(pcm=frames, sample_rate=rate)


class Pyttsx3Engine:
    """Speaks through pyttsx3 in a long-lived child process, one WAV file per segment."""

    name = "pyttsx3"
    accepts_phonemes = False

    def __init__(self, config: Config) -> None:
        try:
            from importlib.metadata import version

            self.version = "pyttsx3 " + version("pyttsx3")
        except Exception as exc:  # PackageNotFoundError, or a broken install
            raise SynthesisError("pyttsx3 is not installed: pip install pyttsx3.") from exc
        self._config = config
        self._timeout_s = config.engine_timeout_s
        self._child: subprocess.Popen[str] | None = None
        self._workdir: Path | None = None  # made on first use, removed by close()
        self._count = 0

    def _start(self) -> subprocess.Popen[str]:
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="narrate-pyttsx3-"))
        if self._child is None or self._child.poll() is not None:
            env = dict(os.environ)
            if self._config.espeak_library:
                env["NARRATE_ESPEAK_LIBRARY"] = self._config.espeak_library
            if self._config.espeak_data:
                env["NARRATE_ESPEAK_DATA"] = self._config.espeak_data
            # A file, not a pipe: pyttsx3 prints a line per segment, and an undrained pipe
            # would fill up and block the child on a long article.
            with (self._workdir / "stderr.log").open("a") as log:
                self._child = subprocess.Popen(
                    [sys.executable, "-m", "narrate.engines._pyttsx3_child"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    env=env,
                    # Out of the terminal's process group: a Ctrl-C is narrate's to handle
                    # (it stops the child); the child dying of it first was a synthesis error.
                    process_group=OWN_PROCESS_GROUP,
                )
        return self._child

    def _stop(self) -> str:
        """Kill the child; return the last line it wrote to stderr (its reason, if any)."""
        child, self._child = self._child, None
        if child is None:
            return ""
        child.kill()
        child.communicate()  # also closes the pipes
        log = self._workdir / "stderr.log" if self._workdir else None
        text = log.read_text(errors="replace") if log and log.is_file() else ""
        lines = [line for line in text.splitlines() if not line.startswith("Audio saved to")]
        return lines[-1] if lines else ""

    def synthesize(self, text: str, voice: Voice) -> Clip:
        """Have pyttsx3 write a WAV of ``text`` and read it back, or fail within the timeout."""
        self._count += 1
        child = self._start()
        assert self._workdir is not None
        path = self._workdir / f"segment-{self._count}.wav"
        request = {
            "text": text,
            "path": str(path),
            "voice": voice.id,
            "rate": voice.rate_wpm,
            "pitch": voice.pitch,
            "timeout_s": self._timeout_s,
        }
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(json.dumps(request) + "\n")
            child.stdin.flush()
        except BrokenPipeError as exc:
            reason = self._stop()
            raise SynthesisError(f"pyttsx3 could not start: {reason or exc}.") from exc
        # The child enforces the timeout itself and reports; this margin catches a hung child.
        ready, _, _ = select.select([child.stdout], [], [], self._timeout_s + 5)
        if not ready:
            self._stop()
            raise SynthesisError(
                f"pyttsx3 did not finish a segment within {self._timeout_s:g} s and was stopped; "
                "raise NARRATE_ENGINE_TIMEOUT_S or use the espeak engine."
            )
        line = child.stdout.readline()
        if not line:
            reason = self._stop()
            raise SynthesisError(f"pyttsx3 stopped unexpectedly: {reason or 'no reason given'}.")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise SynthesisError(f"pyttsx3 failed: {reply.get('error', 'unknown error')}.")
        try:
            return read_wav(path)
        finally:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop the child process and remove the temporary folder."""
        child, self._child = self._child, None
        if child is not None:
            try:
                child.communicate(input="", timeout=5)  # EOF ends its loop; pipes are closed
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __del__(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.communicate()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)


__all__ = ["Pyttsx3Engine", "read_wav"]
