"""The article-extraction benchmark's scoring rule, exactly as the data folder's README states.

1. Tokens are the matches of ``\\w+`` (Unicode), case kept.
2. Shingles are runs of 4 consecutive tokens counted as a multiset; a text of 1-3 tokens is one
   shingle, an empty text has none.
3. Per page, tp, fp and fn are divided by tp + fp + fn so every page weighs the same.
4. Per-page precision tp/(tp+fp), recall tp/(tp+fn); both 1 when fp = fn = 0; a ratio whose
   numerator and other term are both zero is 0.
5. Corpus precision: mean over pages with a non-empty prediction; corpus recall: mean over pages
   with a non-empty reference; F1: harmonic mean of the two corpus figures.
6. Accuracy: share of pages whose token list equals the reference's.
7. Uncertainty: standard deviation over bootstrap resamples of pages (the same resamples for
   every extractor, so that paired differences can be reported).
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE = 4
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 42


def tokens(text: str) -> list[str]:
    """Every ``\\w+`` match of ``text``, case kept."""
    return _TOKEN.findall(text)


def shingles(toks: Sequence[str], n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """The multiset of runs of ``n`` consecutive tokens (one shingle for 1..n-1 tokens)."""
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


@dataclass(frozen=True)
class PageScore:
    """One page's normalised scores and flags."""

    precision: float
    recall: float
    empty_prediction: bool
    empty_reference: bool
    exact: bool

    @property
    def f1(self) -> float:
        """The page's own F1 (used to count failed pages, not for the corpus F1)."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _ratio(num: float, other: float) -> float:
    return num / (num + other) if num + other else 0.0


def score_page(prediction: str, reference: str) -> PageScore:
    """Score one prediction against its reference under the benchmark's rule."""
    pred_tokens, ref_tokens = tokens(prediction), tokens(reference)
    pred, ref = shingles(pred_tokens), shingles(ref_tokens)
    tp = sum((pred & ref).values())
    fp = sum(pred.values()) - tp
    fn = sum(ref.values()) - tp
    total = tp + fp + fn
    if total:
        tp_n, fp_n, fn_n = tp / total, fp / total, fn / total
    else:
        tp_n = fp_n = fn_n = 0.0
    if fp == 0 and fn == 0:
        precision = recall = 1.0
    else:
        precision, recall = _ratio(tp_n, fp_n), _ratio(tp_n, fn_n)
    return PageScore(
        precision=precision,
        recall=recall,
        empty_prediction=not pred_tokens,
        empty_reference=not ref_tokens,
        exact=pred_tokens == ref_tokens,
    )


@dataclass(frozen=True)
class CorpusScore:
    """Corpus precision, recall, F1 and accuracy of one extractor."""

    precision: float
    recall: float
    f1: float
    accuracy: float


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def corpus_score(pages: Sequence[PageScore]) -> CorpusScore:
    """Aggregate page scores: P over non-empty predictions, R over non-empty references."""
    precision = _mean([p.precision for p in pages if not p.empty_prediction])
    recall = _mean([p.recall for p in pages if not p.empty_reference])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = _mean([1.0 if p.exact else 0.0 for p in pages])
    return CorpusScore(precision, recall, f1, accuracy)


def bootstrap_indices(
    n_pages: int, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED
) -> list[list[int]]:
    """``samples`` resamples (with replacement) of page indices, from a fixed seed."""
    rng = random.Random(seed)
    return [[rng.randrange(n_pages) for _ in range(n_pages)] for _ in range(samples)]


def bootstrap_f1(pages: Sequence[PageScore], resamples: list[list[int]]) -> list[float]:
    """The corpus F1 on each resample."""
    return [corpus_score([pages[i] for i in sample]).f1 for sample in resamples]


def stdev(values: list[float]) -> float:
    """Sample standard deviation (0 for fewer than two values)."""
    return statistics.stdev(values) if len(values) > 1 else 0.0
