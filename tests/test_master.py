"""Loudness and limiting in numpy, checked against ffmpeg's EBU R128 meter."""

from __future__ import annotations

import numpy as np
import pytest

from narrate.audio import measure_loudness
from narrate.loudness import _fft_length, integrated_loudness, limit, step_energies
from narrate.master import resample_clip

RATE = 22050


def _tone(hz: float, seconds: float, amplitude: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


@pytest.mark.parametrize(("hz", "amplitude"), [(997, 0.5), (100, 0.3), (5000, 0.2), (9000, 0.7)])
def test_integrated_loudness_agrees_with_ffmpeg(hz: float, amplitude: float) -> None:
    signal = np.concatenate([_tone(hz, 3, amplitude), np.zeros(RATE, np.float32),
                             _tone(hz * 1.3, 2, amplitude / 2)])  # fmt: skip
    ours = integrated_loudness(step_energies(signal, RATE))
    pcm = (signal * 32767).astype("<i2").tobytes()
    theirs = measure_loudness([pcm], RATE).integrated_lufs
    assert abs(ours - theirs) < 0.3, (ours, theirs)


@pytest.mark.parametrize("rate", [22050, 24000, 44100])
def test_integrated_loudness_of_speech_like_noise_agrees_with_ffmpeg(rate: int) -> None:
    # Bursts of shaped noise with gaps, at the engines' rates; each 100 ms step is transformed
    # zero-padded to a fast FFT length (2304 samples at 22,050 Hz).
    rng = np.random.default_rng(7)
    noise = np.convolve(rng.standard_normal(4 * rate), np.ones(8) / 8, "same")
    envelope = (np.sin(np.arange(4 * rate) * 2 * np.pi * 3 / rate) > -0.3).astype(np.float64)
    signal = (0.2 * noise * envelope).astype(np.float32)
    ours = integrated_loudness(step_energies(signal, rate))
    pcm = (signal * 32767).astype("<i2").tobytes()
    theirs = measure_loudness([pcm], rate).integrated_lufs
    assert abs(ours - theirs) < 0.2, (ours, theirs)


@pytest.mark.parametrize(("n", "size"), [(2205, 2304), (4410, 4608), (2400, 2592), (1, 1), (7, 8)])
def test_steps_are_transformed_at_the_next_length_of_twos_and_threes(n: int, size: int) -> None:
    assert _fft_length(n) == size


def test_silence_has_no_loudness() -> None:
    assert integrated_loudness(step_energies(np.zeros(RATE, np.float32), RATE)) == float("-inf")


def test_limiter_keeps_every_sample_under_the_ceiling_and_leaves_quiet_audio_alone() -> None:
    loud = _tone(440, 1, 0.9) * np.linspace(0.2, 1.0, RATE, dtype=np.float32)
    out = limit(loud, 2.0, 0.5, RATE)
    assert np.abs(out).max() <= 0.5 + 1e-6
    quiet = _tone(440, 1, 0.1)
    assert np.array_equal(limit(quiet, 2.0, 0.5, RATE), quiet * np.float32(2.0))
    # Gain is only taken where needed: the quiet start passes nearly untouched.
    assert abs(np.abs(out[:2000]).max() - 2.0 * np.abs(loud[:2000]).max()) < 0.02


def test_resampling_keeps_a_tone_and_its_length() -> None:
    tone = _tone(1000, 1, 0.5)
    up = resample_clip(tone, 2 * len(tone), RATE, 2 * RATE)
    assert len(up) == 2 * len(tone)
    expected = _tone(1000, 1, 0.5, rate=2 * RATE)
    assert np.abs(up[1000:-1000] - expected[1000:-1000]).max() < 1e-3


@pytest.mark.parametrize(("rate", "output", "n"), [(22050, 48000, 22013), (24000, 44100, 9973)])
def test_resampling_any_rate_pair_and_prime_length_is_fast_and_exact_in_length(
    rate: int, output: int, n: int
) -> None:
    tone = _tone(440, n / rate, 0.5, rate=rate)[:n]
    length = round(n * output / rate)
    out = resample_clip(tone, length, rate, output)
    assert len(out) == length
    expected = _tone(440, length / output, 0.5, rate=output)[:length]
    assert np.abs(out[500:-500] - expected[500:-500]).max() < 0.01


def test_the_limiter_curve_is_interpolated_between_cell_centres_like_np_interp() -> None:
    from narrate.master import GRID_S, Levelling, level

    rate = 44100
    loud = _tone(440, 1.3, 0.9, rate) * np.linspace(0.1, 1.0, int(1.3 * rate), dtype=np.float32)
    loud[20000:30000] = 0  # silent cells in between: no -0.0 may reach the limiter
    levelling = Levelling(2.0, 0.5, float("nan"), float("nan"))
    out = level(loud, levelling, rate)
    assert np.abs(out).max() <= 0.5 + 1e-6
    # The reference: the gain curve on the 2 ms grid, placed at the cells' centres.
    from narrate.loudness import limiter_curve

    grid = round(GRID_S * rate)
    scaled = loud * np.float32(2.0)
    cells = np.zeros(-(-len(scaled) // grid) * grid, np.float32)
    cells[: len(scaled)] = scaled
    curve = limiter_curve(np.abs(cells.reshape(-1, grid)).max(axis=1), 0.5, 1 / GRID_S)
    centres = (np.arange(len(curve)) + 0.5) * grid
    expected = scaled * np.interp(np.arange(len(scaled)), centres, curve)
    assert np.abs(out - expected).max() < 1e-5
