"""Mastering: the gain that levels a run of clips to its loudness target, and the PCM it yields.

Levelling is gain plus a look-ahead peak limiter, never a compressor. The encoder levels a
programme part by part (:class:`narrate.encode.StreamEncoder`): a part's gain depends only on
its own clips, so it can be encoded while later clips are still being synthesized. The
limiter's gain curve is computed on a 2 ms grid from each cell's peak
(:func:`narrate.loudness.limiter_curve`) and interpolated to the samples, which keeps every
sample under the ceiling and costs a fraction of a sample-by-sample limiter (ffmpeg's
``alimiter`` took 3.1 s of CPU on a 32-minute narration).

The gain is planned without running a meter over the mix again and again: each clip is read
once for its K-weighted 100 ms step energies and its peaks and energies on that grid; for a
candidate gain the limiter's curve is computed on the grid and the step energies scaled by it;
the gain is corrected (inverse quadratic interpolation, else secant steps) until the predicted
loudness is within 0.2 LU of the aim.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .loudness import STEP_S, Floats, integrated_loudness, limiter_curve, step_energies
from .model import Piece, Silence

SILENCE_LUFS = -70.0  # below this EBU R128 gates everything out: there is nothing to level
# The plan aims this much above the target: the limited PCM measures about 0.3 LU under what
# the planner predicts from 2 ms cells at the source rate, and the MP3 encoder's low-pass takes
# another 0.4-0.5 LU off (both measured with ffmpeg's ebur128 on the example and on an hour of
# speech).
MP3_LOSS_LU = 0.8
# Sample peaks are held this far under the true-peak target: MP3 encoding at 64 kbps adds
# peaks to heavily limited speech (a 32-minute narration limited at -2.5 dBFS measured
# -0.5 dBTP after encoding, its PCM -2.5; 3 dB keeps it under -1 dBTP with room).
PEAK_MARGIN_DB = 3.0
GRID_S = 0.002  # the limiter's time grid: fine enough for 5 ms ramps, light on memory
_ROUNDS = 5
_TOLERANCE_LU = 0.2  # per part; the programme as a whole lands as close


@dataclass(frozen=True)
class Levelling:
    """Linear gain and sample-peak ceiling for a programme, with the loudness they predict."""

    gain: float
    ceiling: float
    source_lufs: float
    predicted_lufs: float

    @property
    def gain_db(self) -> float:
        """The gain in decibels."""
        return 20 * math.log10(self.gain)


UNITY = Levelling(1.0, 1.0, float("nan"), float("nan"))


@dataclass(frozen=True)
class ClipProfile:
    """What the planner needs of a clip, measured once at gain 1.

    ``steps``: K-weighted mean square per 100 ms; ``peaks`` and ``energy``: the largest
    magnitude and the mean square on the 2 ms grid.
    """

    steps: Floats
    peaks: Floats
    energy: Floats

    @property
    def peak(self) -> float:
        """The clip's largest sample magnitude (full scale is 1)."""
        return float(self.peaks.max(initial=0.0))


def samples_of(pcm: bytes) -> Floats:
    """16-bit PCM as floats in [-1, 1)."""
    samples: Floats = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    samples *= np.float32(1 / 32768)  # in place: an hour of speech is 550 clips of this
    return samples


def pcm_of(samples: Floats) -> bytes:
    """Floats in [-1, 1] as 16-bit PCM, rounded and clipped (in place: ``samples`` is spent)."""
    samples *= np.float32(32768)
    np.rint(samples, out=samples)
    np.clip(samples, -32768, 32767, out=samples)
    return samples.astype("<i2").tobytes()


def resample_clip(samples: Floats, length: int, rate: int, output_rate: int) -> Floats:
    """Resample a clip from ``rate`` to ``output_rate``, exactly ``length`` samples long.

    soxr's high-quality filter (what sox and ffmpeg's ``soxr`` resampler use): a band-limited
    resampler with no audible aliasing, about 0.2 s of CPU per hour of 22 kHz speech; the FFT
    resampler it replaced took four times that. Clip by clip is exact enough: every clip starts
    and ends in the silence around speech. Resampling before the limiter puts it at the output
    rate, where the resampler's inter-sample peaks are real samples it can see.
    """
    if not len(samples):
        return np.zeros(length, np.float32)
    if rate == output_rate and length == len(samples):
        return samples
    import soxr

    out: Floats = np.asarray(soxr.resample(samples, rate, output_rate, quality="HQ"), np.float32)
    if len(out) >= length:
        return out[:length]
    return np.concatenate([out, np.zeros(length - len(out), np.float32)])


def _cells(samples: Floats, sample_rate: int) -> Floats:
    grid = max(1, round(GRID_S * sample_rate))
    cells = -(-len(samples) // grid)
    padded = np.zeros(cells * grid, dtype=np.float32)
    padded[: len(samples)] = samples
    return padded.reshape(cells, grid)


def profile_clip(samples: Floats, sample_rate: int) -> ClipProfile:
    """Measure a clip for the planner."""
    table = _cells(samples, sample_rate)
    return ClipProfile(
        steps=step_energies(samples, sample_rate),
        peaks=np.abs(np.maximum(table.max(axis=1), -table.min(axis=1))),
        energy=(table * table).mean(axis=1),
    )


def level(samples: Floats, levelling: Levelling, sample_rate: int) -> Floats:
    """Apply the levelling's gain and limiter to one clip.

    The grid curve is interpolated linearly between cell centres (where ``np.interp`` would
    put it); both neighbours' values are at most what the cell itself needs (each averaged
    hold covers it), so no sample exceeds the ceiling. Only cells near a reduction are touched:
    in speech the limiter works on a small share of the cells, and searching every sample's
    place with ``np.interp`` took a fifth of the encoder's Python time.
    """
    table = _cells(samples, sample_rate)  # a padded copy, scaled in place
    table *= np.float32(levelling.gain)
    # Two reductions instead of an |x| copy; abs() turns a silent cell's -0.0 into 0.0.
    peaks = np.abs(np.maximum(table.max(axis=1), -table.min(axis=1)))
    if float(peaks.max(initial=0.0)) > levelling.ceiling:
        curve = limiter_curve(peaks, levelling.ceiling, 1 / GRID_S)
        before = np.concatenate([curve[:1], curve[:-1]])
        after = np.concatenate([curve[1:], curve[-1:]])
        rows = np.flatnonzero(np.minimum(np.minimum(before, curve), after) < 1)
        grid = table.shape[1]
        # Sample j of a cell lies j / grid - 0.5 cells from its centre: the first half of the
        # cell is between the previous centre and its own, the second half after its own.
        offset = np.arange(grid, dtype=np.float32) / np.float32(grid) - np.float32(0.5)
        half = int(np.count_nonzero(offset < 0))
        low, high = before[rows, None], curve[rows, None]
        gains = np.empty((len(rows), grid), dtype=np.float32)
        gains[:, :half] = low + (high - low) * (offset[None, :half] + 1)
        gains[:, half:] = high + (after[rows, None] - high) * offset[None, half:]
        table[rows] *= gains
    shaped: Floats = table.ravel()[: len(samples)]
    return shaped


class _Model:
    """A run of pieces as the planner sees it: step energies, and every clip's 2 ms cells laid
    end to end for one limiter pass per candidate gain.

    Each clip's cells are padded to whole steps and followed by a silent step, longer than the
    limiter's reach (5 ms ahead, 50 ms release), so clips never affect each other, as in the
    encoder, which limits clip by clip. One pass over the whole run instead of one per clip:
    the per-clip passes were dominated by numpy's per-call cost.
    """

    def __init__(self, profiles: list[Floats | ClipProfile]) -> None:
        per_step = round(STEP_S / GRID_S)
        steps: list[Floats] = []
        peaks: list[Floats] = []
        energy: list[Floats] = []
        clip_steps: list[int] = []  # where each clip step sits in ``steps``
        real: list[bool] = []  # which of the limiter's steps are a clip's (not a gap)
        position = 0
        for item in profiles:
            if not isinstance(item, ClipProfile):
                steps.append(item)
                position += len(item)
                continue
            count = len(item.steps)
            steps.append(item.steps)
            clip_steps.extend(range(position, position + count))
            position += count
            for source, target in ((item.peaks, peaks), (item.energy, energy)):
                cells = np.zeros((count + 1) * per_step, dtype=np.float32)
                n = min(len(source), count * per_step)
                cells[:n] = source[:n]
                target.append(cells)
            real.extend([True] * count + [False])
        self.per_step = per_step
        self.steps = np.concatenate(steps) if steps else np.zeros(0, np.float32)
        self.clip_steps = np.asarray(clip_steps, dtype=np.intp)
        self.real = np.asarray(real, dtype=bool)
        self.peaks = np.concatenate(peaks) if peaks else np.zeros(0, np.float32)
        self.energy = np.concatenate(energy) if energy else np.zeros(0, np.float32)
        self.peak = float(self.peaks.max(initial=0.0))
        sums = self.energy.reshape(-1, per_step).sum(axis=1)
        self.sums = sums[self.real]

    def loudness(self, gain: float, ceiling: float) -> float:
        """Integrated loudness of the run at ``gain`` after the limiter."""
        limited = self.steps * np.float32(gain * gain)
        if self.peak * gain > ceiling:
            curve = limiter_curve(self.peaks * np.float32(gain), ceiling, 1 / GRID_S)
            weighted = (self.energy * curve * curve).reshape(-1, self.per_step).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = weighted[self.real] / self.sums
            factor = np.where(self.sums > 0, ratio, 1.0).astype(np.float32)
            limited[self.clip_steps] *= factor
        return integrated_loudness(limited)


def plan_levelling(
    pieces: Sequence[Piece],
    rate: int,
    target_lufs: float = -16.0,
    true_peak_dbtp: float = -1.0,
) -> Levelling:
    """The gain that puts the limited, encoded ``pieces`` (at ``rate``) at ``target_lufs``.

    The encoder levels a programme part by part (about 15 s to a minute each, cut in paragraph
    pauses), so that a part depends only on its own clips: it can be encoded as soon as they
    are synthesized, and reused from the cache after an edit elsewhere.
    """
    ceiling = 10 ** ((true_peak_dbtp - PEAK_MARGIN_DB) / 20)
    known: dict[str, ClipProfile] = {}
    profiles: list[Floats | ClipProfile] = []
    for piece in pieces:
        if isinstance(piece, Silence):
            profiles.append(np.zeros(round(piece.n_samples / (STEP_S * rate)), dtype=np.float32))
            continue
        if piece.identity not in known:
            known[piece.identity] = profile_clip(samples_of(piece.read()), rate)
        profiles.append(known[piece.identity])
    model = _Model(profiles)

    def loudness(gain: float) -> float:
        return model.loudness(gain, ceiling)

    source = loudness(1.0)
    if source < SILENCE_LUFS:
        return Levelling(1.0, 1.0, source, source)
    aim = target_lufs + MP3_LOSS_LU
    gain_db = aim - source
    points = [(0.0, source)]  # (gain in dB, predicted loudness)
    predicted = source
    for _ in range(_ROUNDS):
        predicted = loudness(10 ** (gain_db / 20))
        points.append((gain_db, predicted))
        if abs(aim - predicted) <= _TOLERANCE_LU:
            break
        gain_db = _next_gain(points, aim)
    return Levelling(10 ** (gain_db / 20), ceiling, source, predicted - MP3_LOSS_LU)


def _next_gain(points: list[tuple[float, float]], aim: float) -> float:
    """The next gain to try: inverse quadratic interpolation through the last three points,
    else a secant step from the last two.

    Loudness grows ever more slowly with gain as the limiter takes more of it, so secant steps
    from below undershoot every time (four or five rounds); the quadratic sees the bend and
    usually lands within the tolerance on the next round.
    """
    (g1, l1), (g2, l2) = points[-2], points[-1]
    slope = min(1.0, max(0.2, (l2 - l1) / (g2 - g1))) if g2 != g1 else 1.0
    secant = g2 + (aim - l2) / slope
    if len(points) < 3:
        return secant
    g0, l0 = points[-3]
    if len({l0, l1, l2}) < 3:
        return secant
    guess = (
        g0 * (aim - l1) * (aim - l2) / ((l0 - l1) * (l0 - l2))
        + g1 * (aim - l0) * (aim - l2) / ((l1 - l0) * (l1 - l2))
        + g2 * (aim - l0) * (aim - l1) / ((l2 - l0) * (l2 - l1))
    )
    # Trust it only in the direction the error points, and no further than a step at the
    # shallowest slope the secant allows.
    if not math.isfinite(guess) or (guess - g2) * (aim - l2) <= 0:
        return secant
    if abs(guess - g2) > abs(aim - l2) / 0.2:
        return secant
    return guess


def programme_pcm(
    pieces: Sequence[Piece], levelling: Levelling, rate: int, output_rate: int, start: int = 0
) -> Iterator[bytes]:
    """The pieces as levelled 16-bit PCM at ``output_rate``, one piece at a time.

    Piece boundaries are placed by rounding the running position in the whole programme
    (``start`` is where the first piece sits, in samples at ``rate``), so rounding never drifts
    the timeline and a part encoded alone matches the same stretch of a whole encode.
    """
    zeros: dict[int, bytes] = {}
    position = start  # in samples at ``rate``
    for piece in pieces:
        start = round(position * output_rate / rate)
        position += piece.n_samples
        length = round(position * output_rate / rate) - start
        if isinstance(piece, Silence):
            if length not in zeros:
                zeros[length] = bytes(2 * length)
            yield zeros[length]
            continue
        samples = resample_clip(samples_of(piece.read()), length, rate, output_rate)
        if levelling is not UNITY:
            samples = level(samples, levelling, output_rate)  # a new array: ours to change
        else:
            samples = samples.copy()
        yield pcm_of(samples)


__all__ = [
    "UNITY",
    "ClipProfile",
    "Levelling",
    "level",
    "plan_levelling",
    "programme_pcm",
]
