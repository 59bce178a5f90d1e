"""Stage 4: written text → the text the engine is given to speak.

This first version tidies white space, drops symbols that must never be read aloud ("*", "|",
bullets) and applies the pronunciation lexicon. Numbers, dates, money and abbreviations come in
the full normalizer; the interface (text in, spoken text plus a record of every change out)
is already the one it will use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .model import Segment
from .voices import Lexicon

_UNSPOKEN = re.compile(r"[*|•·▪►◆■□●○†‡¶§~^_<>{}\\]+")
_SPACE = re.compile(r"\s+")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")


@dataclass(frozen=True)
class Normalized:
    """The spoken form of one text and every change made, as (written, spoken) pairs."""

    text: str
    changes: tuple[tuple[str, str], ...] = ()


def normalize_text(
    text: str, lexicon: Lexicon | None = None, language: str = "en", phonemes: bool = False
) -> Normalized:
    """Return the spoken form of ``text``.

    ``phonemes`` says the engine reads eSpeak ``[[...]]`` phonemes, so lexicon entries that
    have them may use them.

    >>> normalize_text("Kyiv | *news*").text
    'Kyiv news'
    """
    changes: list[tuple[str, str]] = []
    spoken = _UNSPOKEN.sub(" ", text)
    spoken = _EMPTY_BRACKETS.sub(" ", spoken)
    spoken = _SPACE.sub(" ", spoken).strip()
    if lexicon is not None:
        spoken, used = lexicon.apply(spoken, phonemes=phonemes)
        changes.extend(used)
    return Normalized(spoken, tuple(changes))


def normalize(
    segments: list[Segment],
    lexicon: Lexicon | None = None,
    language: str = "en",
    phonemes: bool = False,
) -> list[Segment]:
    """Fill in ``spoken`` for every segment; segments with nothing left to say are dropped."""
    out = []
    for segment in segments:
        spoken = normalize_text(segment.text, lexicon, language, phonemes).text
        if any(ch.isalnum() for ch in spoken):
            out.append(replace(segment, spoken=spoken))
    return out
