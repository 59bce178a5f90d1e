"""hibari neural voices (hibari-tts, ONNX Runtime) in-process, offline, on the CPU.

hibari's "heart" voice (American English, female, distilled from Kokoro-82M's af_heart) is inside
the wheel: ``pip install 'narrate[hibari]'``. Its other voices download on first use; narrate
never lets them: a voice whose file is not already on disk fails with a SynthesisError that
says where to put it, and no connection is made (hibari's ``voice_path(download_missing=False)``).

- **Speed**: ``rate`` (words a minute) becomes hibari's ``speed`` relative to the voice's own
  pace (heart: 144.6 words a minute at speed 1, measured on the example article).
- **Pitch**: the model predicts a pitch curve (F0) that hibari's vocoder turns into pulses under
  a separate spectral envelope, so ``pitch`` (50 = the voice's own; 10 points a semitone, at most
  5 semitones either way) scales F0 and keeps the formants: the same speaker, lower or higher,
  with no resampling and no change of length. The quote voice uses it to sound like a second
  reader. The F0 path mirrors ``Hibari.from_ids`` of hibari-tts 0.2 (pinned in the extra).
- **Sentences**: narrate has already cut the text into sentences; hibari's own splitter would
  cut "U.S. President" after "U.S.", so the segment goes to the G2P whole and is only split at
  clause punctuation when it exceeds the model's 400 phonemes.
- **Word timings**: none (the model gives no durations); the transcript has segment timings.
- **Determinism**: the noise component is seeded, so the same text gives the same audio.
"""

from __future__ import annotations

import threading
from typing import Any

from ..config import Config
from ..errors import SynthesisError
from ..model import Clip
from ..voices import Voice
from . import package_version, profile_voice_names, require

EXTRA_HINT = "The hibari engine needs the hibari extra: pip install 'narrate[hibari]'"

DEFAULT_VOICE = "heart"
# Words a minute at speed 1 on the example article's spoken script (312 words, 129.4 s of clips).
# Every hibari voice is distilled from a Kokoro voice read at the teacher's pace.
_NATURAL_WPM = 144.6
_SPEED_RANGE = (0.5, 2.0)  # what hibari documents
_SEMITONES_PER_PITCH_POINT = 0.1
_MAX_SEMITONES = 5.0
_SEED = 0


def _require(module: str) -> Any:
    return require(module, EXTRA_HINT)


class HibariEngine:
    """hibari: a 7.9 MB neural voice, natural speech at about 100 times real time on one core."""

    name = "hibari"
    accepts_phonemes = False

    def __init__(self, config: Config) -> None:
        self._hibari = _require("hibari")
        self._voices_module = _require("hibari.voices")
        self._tts_module = _require("hibari.tts")
        self._dsp = _require("hibari.dsp")
        self._np = _require("numpy")
        self._models: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._g2p_lock = threading.Lock()
        voices = profile_voice_names(config, self.name, DEFAULT_VOICE)
        self.version = f"hibari-tts {package_version('hibari-tts')} {voices}"

    def _model(self, voice_id: str) -> Any:
        with self._lock:
            model = self._models.get(voice_id)
            if model is None:
                model = self._load(voice_id)
                self._models[voice_id] = model
            return model

    def _load(self, voice_id: str) -> Any:
        voices = self._voices_module
        if voice_id not in voices.VOICES:
            raise SynthesisError(
                f"hibari has no voice '{voice_id}'; it has {', '.join(voices.VOICES)}, of which "
                f"only '{DEFAULT_VOICE}' is inside the package."
            )
        try:
            # download_missing=False: look on disk only, never fetch.
            path = voices.voice_path(voice_id, download_missing=False)
        except FileNotFoundError as exc:
            entry = voices.VOICES[voice_id]
            raise SynthesisError(
                f"hibari voice '{voice_id}' is not inside the package and narrate does not "
                f"download voices: use '{DEFAULT_VOICE}', or copy {entry['file']} to {exc} "
                "yourself."
            ) from exc
        try:
            return self._hibari.Hibari(voice=voice_id, model=path, threads=1)
        except Exception as exc:  # onnxruntime's own errors: a corrupt model file
            raise SynthesisError(f"hibari cannot load voice '{voice_id}': {exc}") from exc

    def _phoneme_chunks(self, model: Any, text: str) -> list[str]:
        """The text's phonemes, split at clause punctuation only past the model's limit."""
        tts = self._tts_module
        with self._g2p_lock:  # the G2P keeps caches; the ONNX sessions are thread-safe
            phonemes: str = model.g2p(text)
        if not phonemes:
            return []
        if len(phonemes) <= tts.MAX_PHONEMES:
            return [phonemes]
        chunks: list[str] = []
        current = ""
        for part in tts._CLAUSE.split(phonemes):
            if current and len(current) + len(part) + 1 > tts.MAX_PHONEMES:
                chunks.append(current)
                current = part
            else:
                current = f"{current} {part}" if current else part
        if current:
            chunks.append(current)
        return chunks

    def synthesize(self, text: str, voice: Voice) -> Clip:
        """Speak ``text`` with the voice at its rate and pitch."""
        np = self._np
        model = self._model(voice.id)
        low, high = _SPEED_RANGE
        speed = max(low, min(high, voice.rate_wpm / _NATURAL_WPM))
        semitones = (voice.pitch - 50) * _SEMITONES_PER_PITCH_POINT
        semitones = max(-_MAX_SEMITONES, min(_MAX_SEMITONES, semitones))
        f0_scale = 2 ** (semitones / 12)
        rng = np.random.default_rng(_SEED)
        pieces = []
        for phonemes in self._phoneme_chunks(model, text):
            ids = model.ids(phonemes)
            if len(ids) < 3:
                continue
            outputs = model.sess.run(
                None,
                {
                    "ids": np.asarray([ids], np.int64),
                    "speed": np.asarray([speed], np.float32),
                },
            )
            lh, theta, ln, lr, phi, f0 = (output[0] for output in outputs)
            pieces.append(self._dsp.synth(lh, theta, ln, lr, phi, f0 * f0_scale, rng))
        if not pieces:
            raise SynthesisError(f"hibari produced no audio for {text[:40]!r}.")
        audio = np.concatenate(pieces)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        return Clip(pcm=pcm, sample_rate=int(self._tts_module.SAMPLE_RATE))

    def list_voices(self) -> list[tuple[str, str, str]]:
        """(identifier, description, language) of hibari's voices, and whether each is here."""
        voices = self._voices_module
        out = []
        for name, entry in voices.VOICES.items():
            try:
                voices.voice_path(name, download_missing=False)
                where = "in the package" if entry.get("bundled") else "on disk"
            except FileNotFoundError:
                where = "not here (narrate does not download)"
            described = f"{entry['accent']} {entry['gender']}, Kokoro {entry['kokoro']}, {where}"
            out.append((name, described, entry["language"]))
        return out


__all__ = ["DEFAULT_VOICE", "EXTRA_HINT", "HibariEngine"]
