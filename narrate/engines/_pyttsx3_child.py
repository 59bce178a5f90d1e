"""Child process for the pyttsx3 engine: one JSON request per line in, one reply per line out.

Replies go to the original stdout; everything else pyttsx3 prints ("Audio saved to …") is sent
to stderr so it cannot corrupt the protocol.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import wave
from pathlib import Path
from typing import Any, TextIO

_APPEAR_S = 2.0  # a dropped request shows as no file at all after this long
_ATTEMPTS = 3


def _complete(path: str, deadline: float) -> str:
    """Wait until ``path`` is a whole, non-empty WAV; return "" or what is wrong."""
    appear_by = time.monotonic() + _APPEAR_S
    last_size = -1
    while time.monotonic() < deadline:
        try:
            size = Path(path).stat().st_size
            with wave.open(path, "rb") as wav:
                frames = wav.getnframes()
                expected = 44 + frames * wav.getsampwidth() * wav.getnchannels()
            # A size that stopped growing and matches the header means the writer is done.
            if frames > 0 and size == last_size and size >= expected:
                return ""
            last_size = size
        except FileNotFoundError:
            if time.monotonic() > appear_by:
                return "dropped"
        except (OSError, EOFError, wave.Error):
            pass
        time.sleep(0.01)
    return "timeout"


def _wait_idle(deadline: float) -> None:
    """On Linux, wait until eSpeak reports it has stopped playing the previous request.

    pyttsx3's runAndWait calls its driver's stop() first, which cancels whatever eSpeak still
    reports as playing; the cancel flag then lingers and kills the synthesis we start next.
    Measured here: every second request was lost without this wait.
    """
    if not sys.platform.startswith("linux"):
        return
    from pyttsx3.drivers import _espeak

    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.005)


def _save(engine: Any, text: str, path: str, timeout_s: float) -> str:
    """Have pyttsx3 write ``path``; return "" or why it could not.

    pyttsx3's eSpeak driver returns from runAndWait before the file is written, and a stale
    stop flag from the previous request can cancel the new synthesis outright, so no file ever
    appears. That case is recognised (no file within two seconds) and the request sent again.
    """
    deadline = time.monotonic() + timeout_s
    for _ in range(_ATTEMPTS):
        _wait_idle(deadline)
        engine.save_to_file(text, path)
        engine.runAndWait()
        problem = _complete(path, deadline)
        if problem != "dropped":
            break
    if problem == "dropped":
        return f"no audio file after {_ATTEMPTS} attempts"
    if problem == "timeout":
        return f"no complete WAV file after {timeout_s:g} s"
    return ""


def _engine() -> Any:
    if sys.platform.startswith("linux"):
        from narrate.engines import _libespeak

        _libespeak.load(
            os.environ.get("NARRATE_ESPEAK_LIBRARY", ""), os.environ.get("NARRATE_ESPEAK_DATA", "")
        )
    import pyttsx3

    return pyttsx3.init()


def main() -> None:
    """Serve requests until stdin closes."""
    replies: TextIO = os.fdopen(os.dup(1), "w")
    sys.stdout = sys.stderr
    engine = None
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if engine is None:
                engine = _engine()
            if request.get("voice") and request["voice"] != "default":
                engine.setProperty("voice", request["voice"])
            engine.setProperty("rate", int(request["rate"]))
            with contextlib.suppress(KeyError, ValueError):  # not every driver has pitch
                engine.setProperty("pitch", int(request["pitch"]))
            problem = _save(engine, request["text"], request["path"], float(request["timeout_s"]))
            reply = {"ok": not problem, "error": problem}
        except Exception as exc:  # reported to the parent, which raises SynthesisError
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
