"""eSpeak NG in-process, through pyttsx3's ctypes binding, in synchronous mode.

Synchronous mode (``AUDIO_OUTPUT_SYNCHRONOUS``) makes ``espeak_Synth`` return only after every
sample has gone through our callback: no temp files, no polling, no race. Word events arrive in
the same callback with their sample positions, which become the transcript's word timings.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from ..config import Config
from ..errors import SynthesisError
from ..model import Clip, WordMark
from ..voices import Voice
from . import _libespeak

_BUFFER_MS = 1000
# eSpeak keeps one global synthesizer per process; every call goes through this lock.
_synth_lock = threading.Lock()
_initialised_rate = 0
# The voice eSpeak has selected now; shared because every engine instance drives one synthesizer.
_selected: tuple[str, int, int] | None = None


# Signals whose Python handlers wait while eSpeak speaks (see _signals_held).
_HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _signals_held(stop: Callable[[], None]) -> Iterator[None]:
    """Run SIGINT's and SIGTERM's Python handlers only once the block is over.

    Python runs them in the main thread wherever it is, and during Synth that is this
    engine's callback, where ctypes prints and drops the exception they raise: a Ctrl-C cut a
    sentence short and the render went on to cache and publish it. Here a signal only calls
    ``stop`` (the callback then stops eSpeak) and is handed to its own handler after the
    block: the same effect (KeyboardInterrupt, narrate's SIGTERM, a worker's graceful stop, or
    the default action), a few milliseconds later. Only the main thread receives them.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, FrameType | None]] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append((signum, frame))
        stop()

    previous: dict[int, Any] = {}
    for held in _HELD:
        if signal.getsignal(held) not in (signal.SIG_IGN, None):  # None: set outside Python
            previous[held] = signal.signal(held, hold)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum, frame in caught[:1]:
            handler = previous[signum]
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


class EspeakEngine:
    """The default engine: fast (hundreds of times real time), offline, many languages."""

    name = "espeak"
    accepts_phonemes = True

    def __init__(self, config: Config) -> None:
        global _initialised_rate
        self._lib = _libespeak.load(config.espeak_library, config.espeak_data)
        api = self._lib.binding
        with _synth_lock:
            if not _initialised_rate:
                path = self._lib.data_path.encode() if self._lib.data_path else None
                # Buffers of 1 s instead of eSpeak's 60 ms: a sixteenth of the calls into Python
                # (about 0.4 s of CPU an hour of speech); word events come in the same calls.
                rate = api.Initialize(api.AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, path, 0)
                if rate <= 0:
                    raise SynthesisError(
                        f"eSpeak NG failed to start (data folder {self._lib.data_path}); set "
                        "NARRATE_ESPEAK_DATA to its espeak-ng-data folder."
                    )
                _initialised_rate = rate
        self.sample_rate = _initialised_rate
        self.version = "espeak-ng " + (api.Info(None) or b"?").decode()
        self._pcm: list[bytes] = []
        self._words: list[WordMark] = []
        self._failure: BaseException | None = None  # raised in the callback, for Synth's caller
        self._stop = False  # set while Synth runs: the callback stops eSpeak
        self._callback = self._on_synth  # keep a reference: ctypes must not lose it

    def _on_synth(self, wav: Any, n_samples: int, events: Any) -> int:
        # ctypes prints and drops an exception raised in a callback, and eSpeak goes on: keep
        # it, stop eSpeak (return 1) and raise it once Synth has returned.
        if self._stop:
            return 1
        try:
            api = self._lib.binding
            if wav and n_samples > 0:
                self._pcm.append(ctypes.string_at(wav, n_samples * 2))
            i = 0
            while events[i].type != api.EVENT_LIST_TERMINATED:
                event = events[i]
                if event.type == api.EVENT_WORD:
                    # text_position counts characters from 1.
                    mark = WordMark(event.text_position - 1, event.length, event.sample)
                    self._words.append(mark)
                i += 1
        except BaseException as exc:
            self._failure = exc
            return 1
        return 0

    def _synth(self, text: str) -> int:
        """``espeak_Synth``, with a Ctrl-C or SIGTERM stopping it cleanly (_signals_held).

        A signal whose handler returns (a flag that asks for a graceful stop after the current
        work) leaves the program going on: the text is then spoken again from the start, as
        the half eSpeak spoke must never be returned (it would be cached and published).
        """
        api = self._lib.binding
        while True:
            self._pcm, self._words, self._stop = [], [], False
            with _signals_held(self._stopped):
                status = int(api.Synth(text, flags=api.CHARS_UTF8 | api.PHONEMES))
                stopped = self._stop
                if stopped:
                    api.Cancel()  # eSpeak keeps the rest of a stopped text for the next Synth
                    self._stop = False
            # (A handler that raised has left by now; a failure in the callback is the
            # caller's to raise.)
            if not stopped or self._failure is not None:
                return status

    def _stopped(self) -> None:
        self._stop = True

    def _taken_failure(self) -> BaseException | None:
        failure, self._failure = self._failure, None
        return failure

    def _select(self, voice: Voice) -> None:
        global _selected
        api = self._lib.binding
        wanted = (voice.id, voice.rate_wpm, voice.pitch)
        if _selected == wanted:
            return
        if api.SetVoiceByName(voice.id.encode()) != 0:
            raise SynthesisError(
                f"eSpeak NG has no voice '{voice.id}'; run 'narrate voices --engine espeak' to "
                "list the voices it has."
            )
        api.SetParameter(api.RATE, voice.rate_wpm, 0)
        api.SetParameter(api.PITCH, voice.pitch, 0)
        _selected = wanted

    def synthesize(self, text: str, voice: Voice) -> Clip:
        """Speak ``text``; ``[[...]]`` spans are read as eSpeak phonemes."""
        api = self._lib.binding
        with _synth_lock:
            self._failure = None
            api.SetSynthCallback(self._callback)
            self._select(voice)
            status = self._synth(text)
            failure = self._taken_failure()
            if failure is not None:
                self._pcm, self._words = [], []
                raise failure
            if status != api.EE_OK:
                raise SynthesisError(f"eSpeak NG could not speak a segment (status {status}).")
            pcm, words = b"".join(self._pcm), tuple(self._words)
            self._pcm, self._words = [], []
        if not pcm:
            raise SynthesisError(f"eSpeak NG produced no audio for {text[:40]!r}.")
        return Clip(pcm=pcm, sample_rate=self.sample_rate, words=words)

    def list_voices(self) -> list[tuple[str, str, str]]:
        """(identifier, name, language) of every voice this eSpeak NG has."""
        api = self._lib.binding
        with _synth_lock:
            voices = api.ListVoices(None)
            return [
                (v.identifier.decode(), v.name.decode(), v.languages[1:].decode(errors="replace"))
                for v in voices
            ]
