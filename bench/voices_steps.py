"""Where a voice's word error rate is lost: Piper on its own, then narrate's steps one by one.

Usage::

    .venv/bin/python bench/voices_steps.py                 # every step, 3 runs of the noisy ones
    .venv/bin/python bench/voices_steps.py --steps a-seg b-ls1 --runs 5 --transcripts
    .venv/bin/python bench/voices_steps.py --voice en-us-hibari --steps c d --perturb

Each step renders the example's spoken script (``segment.spoken``, as narrate gives it to the
engine) to a WAV and scores it with bench/voices.py's recognizer and scorer (same reference,
same normalizer, same 28 s pieces cut in the pauses):

- ``a-whole``: Piper alone, its defaults (noise_scale 0.667, noise_w 0.8, length_scale 1,
  each sentence scaled to full level), the whole script in one ``synthesize`` call (Piper
  cuts it into sentences), the chunks written back to back as ``piper`` does;
- ``a-seg``: the same, one call per segment, narrate's pauses between them;
- ``b-ls1``: noise off (narrate's setting), length_scale 1, Piper's level normalization off;
- ``b-rate``: and narrate's rate (the profile's words a minute as length_scale);
- ``b-rate-noise``: narrate's rate with Piper's own noise (the effect of noise at that rate);
- ``b-quote``: narrate's engine.synthesize with the profile's quote voice for quotations:
  everything narrate does before assembly;
- ``c``: bench/voices.py's synth child (the table's figure);
- ``c-mp3``: ``c`` through an encoding chain like narrate's, with ``c``'s cuts;
- ``d``: the MP3 of ``narrate.render`` (44.1 kHz, -16 LUFS, limited, 64 kbps), decoded.

``--perturb`` scores every rendering eight times: as it is, 0.1 and 0.3 dB quieter and louder,
and 1, 2 and 3 samples later. No listener hears those changes; tiny.en's transcript changes
with them, by up to three words in 316 (1%), so a difference between two steps smaller than
that spread is the recognizer's, not the voice's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import voices as bench

STEPS = ("a-whole", "a-seg", "b-ls1", "b-rate", "b-rate-noise", "b-quote", "c", "c-mp3", "d")
HIBARI_STEPS = ("a-whole", "a-seg", "b-rate", "b-quote", "c", "c-mp3", "d")
NOISY = {"a-whole", "a-seg", "b-rate-noise"}


def _segments(voice: str) -> tuple[Any, list[Any]]:
    from narrate.config import Config
    from narrate.pipeline import extract, script
    from narrate.voices import find_profile

    config = Config(voice=voice)
    profile = find_profile(config.voice, config.voices_dir)
    return profile, list(script(extract(str(bench.EXAMPLE), config), config).segments)


def _write(path: str, pieces: list[bytes], rate: int) -> None:
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(pieces))


def _piper_step(step: str, voice: str, wav: str) -> list[int]:
    """Render one of the a- and b- steps; returns the cuts (samples) between segments."""
    import numpy as np
    from piper import PiperVoice, SynthesisConfig

    from narrate.config import Config
    from narrate.engines import get_engine
    from narrate.engines import piper as engine_module

    profile, segments = _segments(voice)
    engine = get_engine("piper", Config(voice=voice))
    model = engine._model(profile.narrator.id)  # type: ignore[attr-defined]
    piper_voice: PiperVoice = model.voice
    rate = model.sample_rate
    if step == "b-quote":
        voice_of = {True: profile.quote, False: profile.narrator}
        clips = (
            (bytes(engine.synthesize(s.spoken, voice_of[s.quoted]).pcm), s.pause_after_s)
            for s in segments
        )
        pieces, cuts = _with_pauses(clips, rate)
        _write(wav, pieces, rate)
        return cuts
    wanted = model.natural_wpm / profile.narrator.rate_wpm * (1 + engine_module._UNSCALED)
    narrate_scale = wanted - engine_module._UNSCALED
    settings = {
        "a-whole": SynthesisConfig(),
        "a-seg": SynthesisConfig(),
        "b-ls1": SynthesisConfig(
            length_scale=1.0, noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False
        ),
        "b-rate": SynthesisConfig(
            length_scale=narrate_scale, noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False
        ),
        "b-rate-noise": SynthesisConfig(length_scale=narrate_scale, normalize_audio=False),
    }[step]

    def pcm(text: str) -> list[bytes]:
        return [
            (np.clip(chunk.audio_float_array, -1, 1) * 32767).astype("<i2").tobytes()
            for chunk in piper_voice.synthesize(text, settings)
        ]

    pieces, cuts, position = [], [], 0
    if step == "a-whole":
        for chunk in pcm(" ".join(s.spoken for s in segments)):
            pieces.append(chunk)
            position += len(chunk) // 2
            cuts.append(position)
    else:
        clips = ((b"".join(pcm(s.spoken)), s.pause_after_s) for s in segments)
        pieces, cuts = _with_pauses(clips, rate)
    _write(wav, pieces, rate)
    return cuts


def _with_pauses(clips: Any, rate: int) -> tuple[list[bytes], list[int]]:
    """Each segment's PCM (with its pause after, in s) laid out with that pause; the cuts
    between segments are in the middle of each pause, in samples."""
    pieces: list[bytes] = []
    cuts: list[int] = []
    position = 0
    for clip, pause_s in clips:
        gap = b"\0\0" * int(pause_s * rate)
        pieces += [clip, gap]
        position += len(clip) // 2
        cuts.append(position + len(gap) // 4)
        position += len(gap) // 2
    return pieces, cuts


def _hibari_step(step: str, voice: str, wav: str) -> list[int]:
    """hibari's own API at its own pace (a-), narrate's engine without (b-rate) and with the
    quote voice (b-quote); hibari's noise is seeded, so one run of each is enough."""
    import numpy as np

    from narrate.config import Config
    from narrate.engines import get_engine

    profile, segments = _segments(voice)
    engine = get_engine("hibari", Config(voice=voice))
    model = engine._model(profile.narrator.id)  # type: ignore[attr-defined]
    rate = int(model.sample_rate)

    def pcm(audio: Any) -> bytes:
        return bytes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())

    pieces, cuts, position = [], [], 0
    if step == "a-whole":
        for audio in model.stream(" ".join(s.spoken for s in segments), 1.0, 0):
            pieces.append(pcm(audio))
            position += len(pieces[-1]) // 2
            cuts.append(position)
        _write(wav, pieces, rate)
        return cuts

    def clip(segment: Any) -> bytes:
        if step == "a-seg":
            return pcm(model(segment.spoken, 1.0, 0))
        quoted = step == "b-quote" and segment.quoted
        return bytes(
            engine.synthesize(segment.spoken, profile.quote if quoted else profile.narrator).pcm
        )

    pieces, cuts = _with_pauses(((clip(s), s.pause_after_s) for s in segments), rate)
    _write(wav, pieces, rate)
    return cuts


def mono(rate: int, wav: str) -> tuple[str, ...]:
    """ffmpeg's output options for a mono WAV at ``rate``."""
    return ("-ac", "1", "-ar", str(rate), wav)


def _mp3_step(voice: str, wav: str, tmp: str) -> list[int]:
    """narrate.render to MP3, decoded to a 44.1 kHz WAV; cuts from the transcript's timings."""
    import imageio_ffmpeg

    from narrate.config import Config
    from narrate.pipeline import render

    out = Path(tmp) / "render" / "story.mp3"
    render(str(bench.EXAMPLE), out, Config(voice=voice, artwork_from_page=False, cache=False))
    rate = 44100
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", str(out), *mono(rate, wav)],
        check=True,
    )
    segments = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["segments"]
    return [round((a["end"] + b["start"]) / 2 * rate) for a, b in itertools.pairwise(segments)]


def _encoded_step(voice: str, wav: str) -> list[int]:
    """``c``'s WAV through an encoding chain like narrate's (soxr to 44.1 kHz, gain to -16 LUFS,
    a -1 dB limiter, 64 kbps MP3), decoded, with ``c``'s cuts: the encoding alone, the
    recognizer's pieces unchanged."""
    import imageio_ffmpeg
    import numpy as np

    from narrate.loudness import integrated_loudness, step_energies

    source = wav + ".c.wav"
    cuts = list(bench._child_synth(voice, str(bench.EXAMPLE), source)["cuts"])
    with wave.open(source, "rb") as read:
        rate = read.getframerate()
        samples = np.frombuffer(read.readframes(read.getnframes()), "<i2") / 32768.0
    gain_db = -16.0 - integrated_loudness(step_energies(samples.astype(np.float32), rate))
    mp3 = wav + ".mp3"
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    lame = ("-c:a", "libmp3lame", "-b:a", "64k", mp3)
    chain = f"aresample=44100:resampler=soxr,volume={gain_db:.2f}dB,alimiter=limit=0.89:level=0"
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-i", source, "-af", chain, *lame],
        check=True,
    )
    subprocess.run([ffmpeg, "-v", "error", "-y", "-i", mp3, "-ar", "44100", wav], check=True)
    return [round(cut * 44100 / rate) for cut in cuts]


def _child(step: str, voice: str, wav: str, tmp: str) -> list[int]:
    if step == "c":
        return list(bench._child_synth(voice, str(bench.EXAMPLE), wav)["cuts"])
    if step == "c-mp3":
        return _encoded_step(voice, wav)
    if step == "d":
        return _mp3_step(voice, wav, tmp)
    if "hibari" in voice:
        return _hibari_step(step, voice, wav)
    return _piper_step(step, voice, wav)


# Changes no listener hears: a gain of a fraction of a decibel, a delay of a few samples.
# tiny.en's answer on the same speech moves by up to three words in 316 under them.
PERTURBATIONS = ((0.0, 0), (-0.1, 0), (0.1, 0), (-0.3, 0), (0.3, 0), (0.0, 1), (0.0, 2), (0.0, 3))


def perturbed(wav: str, cuts: list[int], gain_db: float, delay: int, out: str) -> list[int]:
    """Write ``wav`` ``gain_db`` louder and ``delay`` samples later to ``out``; its cuts."""
    import numpy as np

    with wave.open(wav, "rb") as read:
        rate = read.getframerate()
        pcm = np.frombuffer(read.readframes(read.getnframes()), "<i2").astype(np.float64)
    pcm = np.concatenate([np.zeros(delay), pcm]) * 10 ** (gain_db / 20)
    _write(out, [np.clip(np.round(pcm), -32768, 32767).astype("<i2").tobytes()], rate)
    return [cut + delay for cut in cuts]


def main() -> None:
    """Run each step (each rendering in a child process), score and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="en-us-piper")
    parser.add_argument("--steps", nargs="+")
    parser.add_argument("--runs", type=int, default=3, help="renderings of each noisy step")
    parser.add_argument("--transcripts", action="store_true")
    parser.add_argument(
        "--perturb",
        action="store_true",
        help="score each rendering under 8 inaudible perturbations too (the recognizer's spread)",
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, voice, wav, tmp = args.child
        print(json.dumps(_child(step, voice, wav, tmp)))
        return
    steps = args.steps or list(HIBARI_STEPS if "hibari" in args.voice else STEPS)
    compared = bench.WerText()
    spoken = " ".join(bench._reference(bench.EXAMPLE, "en-US"))
    reference = compared(spoken)
    names = {compared(name) for name in bench.names_of(spoken)}
    recognizer = bench.Recognizer.load()
    lines = ["| step | WER, median (mean; each) | names by ear, median |", "|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="voices-steps-") as tmp:
        for step in steps:
            wers, by_ears = [], []
            for run in range(args.runs if step in NOISY else 1):
                wav = str(Path(tmp) / f"{step}-{run}.wav")
                command = [sys.executable, __file__, "--child", step, args.voice, wav, tmp]
                result = subprocess.run(command, capture_output=True, text=True, check=False)
                if result.returncode:
                    raise SystemExit(f"{step} failed:\n{result.stderr[-2000:]}")
                cuts = json.loads(result.stdout.strip().splitlines()[-1])
                for gain_db, delay in PERTURBATIONS if args.perturb else PERTURBATIONS[:1]:
                    heard_wav, heard_cuts = wav, cuts
                    if gain_db or delay:
                        heard_wav = wav + ".perturbed.wav"
                        heard_cuts = perturbed(wav, cuts, gain_db, delay, heard_wav)
                    hypothesis = compared(recognizer.transcribe(heard_wav, heard_cuts))
                    wers.append(bench.word_error_rate(reference, hypothesis)[0])
                    by_ear = bench.spell_names_as_written(hypothesis, reference, names)
                    by_ears.append(bench.word_error_rate(reference, by_ear)[0])
                    if args.transcripts:
                        print(f"--- {step} run {run}:\n{hypothesis}\n", file=sys.stderr)
            line = (
                f"| {step} | {statistics.median(wers):.1%} (mean {statistics.mean(wers):.2%}; "
                f"{', '.join(f'{w:.1%}' for w in wers)}) | {statistics.median(by_ears):.1%} |"
            )
            print(line, file=sys.stderr)
            lines.append(line)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
