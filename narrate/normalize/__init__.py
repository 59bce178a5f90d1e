"""Stage 4: written text → the text the engine is given to speak.

eSpeak NG alone misreads most of what news writing is made of: "$1.2 billion" becomes "dollar
one point two billion", "in 2018" "two thousand eighteen", "World War II" "World War roman
two". This stage writes those out as words before the engine sees them, and records every change
as a (written, spoken) pair so ``narrate script --report`` can show its work.

- every language: white space, symbols that are never read ("*", "|", bullets), "[sic]" and
  footnote marks dropped, bracketed insertions read as text, em dashes, ellipses and
  parentheses turned into the commas a reader pauses at, then the pronunciation lexicon;
- English (``english.py``): numbers, years, decades, dates, times, money, percentages, ranges
  and scores, fractions, units, phone numbers, Roman numerals, titles and abbreviations,
  acronyms, web addresses, handles, hashtags and symbols;
- Ukrainian and Russian (``slavic.py``): numbers, ordinals, years, dates, times, percentages
  and money, in the grammatical forms the following noun asks for.

Any other language gets only the language-neutral part: a German text never hears English
number words. A case a rule is unsure of stays as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..model import Respelling, Segment
from ..voices import Lexicon
from ._core import Edits, drop_brackets, pauses
from .english import normalize_english
from .slavic import LANGUAGES, normalize_slavic

__all__ = ["Normalized", "normalize", "normalize_text"]

_UNSPOKEN = re.compile(r"[*|•·▪►◆■□●○†‡¶§~^_<>{}\\]+")
_SPACE = re.compile(r"\s+")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_PHONEMES = re.compile(r"\[\[[^\]]*\]\]")
# What the English rules' phonemes stand for: the letter A (eSpeak reads a lone "A" as the
# article), lower case in a time ("ten [['eI]] m").
_LETTER_A = "[['eI]]"


@dataclass(frozen=True)
class Normalized:
    """The spoken form of one text and every change made, as (written, spoken) pairs.

    ``respelled`` are the spans of ``text`` read as phonemes or a respelling, with the words
    they stand for: what the transcript's word timings show there.
    """

    text: str
    changes: tuple[tuple[str, str], ...] = ()
    respelled: tuple[Respelling, ...] = ()


def _language(tag: str) -> tuple[str, str]:
    """ "en-GB" → ("en", "gb"); "ru-RU" → ("ru", "ru"); "en" → ("en", "")."""
    primary, _, rest = tag.replace("_", "-").partition("-")
    return primary.lower(), rest.split("-")[0].lower()


def normalize_text(
    text: str, lexicon: Lexicon | None = None, language: str = "en", phonemes: bool = False
) -> Normalized:
    """Return the spoken form of ``text``.

    ``language`` is a BCP 47 tag; only its primary subtag chooses the rules ("en", "uk",
    "ru"), and for English the region chooses spellings and date order ("en-GB": "kilometres",
    5/6 is the fifth of June). ``phonemes`` says the engine reads eSpeak ``[[...]]`` phonemes,
    so lexicon entries that have them may use them.

    >>> normalize_text("Kyiv | *news*").text
    'Kyiv news'
    >>> normalize_text("Kyiv asked for $1.2 billion in 2018.").text
    'Kyiv asked for one point two billion dollars in twenty eighteen.'
    """
    edits = Edits()
    spoken = _SPACE.sub(" ", text).strip()
    spoken = drop_brackets(spoken, edits)
    primary, region = _language(language)
    if primary == "en":
        spoken = normalize_english(spoken, edits, region, phonemes)
    elif primary in LANGUAGES:
        spoken = normalize_slavic(spoken, edits, primary)
    spoken = _UNSPOKEN.sub(" ", spoken)
    spoken = _EMPTY_BRACKETS.sub(" ", spoken)
    edits.start(lookback=64)  # a parenthesis or dash joins the few changes just before it
    spoken = pauses(_SPACE.sub(" ", spoken).strip(), edits)
    spoken = _SPACE.sub(" ", spoken).strip()
    changes = edits.pairs
    respelled = _phoneme_letters(spoken)
    if lexicon is not None:
        spoken, respelled, used = lexicon.respell(spoken, phonemes, respelled)
        changes.extend(used)
    return Normalized(spoken, tuple(changes), respelled)


def _phoneme_letters(spoken: str) -> tuple[Respelling, ...]:
    """The letters the English rules gave as phonemes, shown as the letters."""
    if "[[" not in spoken:
        return ()
    out = []
    for match in _PHONEMES.finditer(spoken):
        if match.group() == _LETTER_A:
            in_time = re.match(r" m\b", spoken[match.end() :]) is not None
            out.append(Respelling(match.start(), match.end(), "a" if in_time else "A"))
    return tuple(out)


def normalize(
    segments: list[Segment],
    lexicon: Lexicon | None = None,
    language: str = "en",
    phonemes: bool = False,
) -> list[Segment]:
    """Fill in ``spoken`` for every segment; segments with nothing left to say are dropped."""
    out = []
    for segment in segments:
        said = normalize_text(segment.text, lexicon, language, phonemes)
        if any(ch.isalnum() for ch in said.text):
            out.append(replace(segment, spoken=said.text, respelled=said.respelled))
    return out
