"""What every language shares: the record of changes, plural forms and the punctuation passes.

Each pass is one precompiled regular expression and a function that turns a match into its
spoken form, or returns ``None`` to leave the match as written (the rule for any case a pass is
unsure of). :class:`Edits` runs the pass and records every (written, spoken) pair it made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

# num2words ships neither type hints nor py.typed; spell() is the one typed door to it.
from num2words import num2words as _num2words  # type: ignore[import-untyped]

Replacer = Callable[[re.Match[str]], str | None]


def spell(value: int | Decimal, lang: str, **options: str | bool) -> str:
    """num2words, typed: ``spell(21, "en", to="ordinal")`` → "twenty-first"."""
    words: str = _num2words(value, lang=lang, **options)
    return words


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one string, for the long word lists the rules use."""
    return frozenset(text.split())


class Edits:
    """Applies passes to a text and keeps every (written, spoken) change, in the order made.

    A later pass may rewrite what an earlier one wrote ("Feb." → "February", then "February 24"
    → "February twenty-fourth"); the record then keeps one pair with the text as written
    ("Feb. 24" → "February twenty-fourth"). Only the pairs since :meth:`start` are searched for
    such a chain, so recording stays linear in the length of a long article.
    """

    __slots__ = ("_fold", "_since", "pairs")

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []
        self._since = 0
        self._fold = True

    def start(self, lookback: int = 0, fold: bool = True) -> None:
        """Begin a new stretch of text (a sentence); ``lookback`` keeps that many older pairs.

        ``fold=False`` says the coming pass never rewrites an earlier one's words.
        """
        self._since = max(0, len(self.pairs) - lookback)
        self._fold = fold

    def add(self, written: str, spoken: str) -> None:
        """Record one change, folding in earlier changes that it rewrites."""
        written, spoken = written.strip(), spoken.strip()
        i = len(self.pairs) - 1
        # A sentence holds a few dozen changes at most; the bound keeps a pass over a long text
        # without sentences linear.
        stop = max(self._since, len(self.pairs) - 32) if self._fold else len(self.pairs)
        while i >= stop:
            earlier_written, earlier_spoken = self.pairs[i]
            if earlier_spoken and earlier_spoken in written:
                written = written.replace(earlier_spoken, earlier_written, 1)
                del self.pairs[i]
            i -= 1
        if written != spoken:
            self.pairs.append((written, spoken))

    def sub(self, pattern: re.Pattern[str], func: Replacer, text: str) -> str:
        """``pattern.sub`` that records each change; ``func`` returning ``None`` keeps a match."""

        def replace(match: re.Match[str]) -> str:
            written = match.group(0)
            spoken = func(match)
            if spoken is None:
                return written
            if spoken != written:
                self.add(written, spoken)
            return spoken

        return pattern.sub(replace, text)


# Closing quotes and brackets that may follow the last word of a sentence.
_TRAILING = " \"'”’»)]}"


def at_end(match: re.Match[str]) -> bool:
    """Whether nothing but closing quotes or brackets follows the match."""
    return not match.string[match.end() :].strip(_TRAILING)


def keep_final_dot(match: re.Match[str], spoken: str) -> str:
    """Put back a full stop that an abbreviation's own dot was also doing ("… the U.S.")."""
    if match.group(0).endswith(".") and at_end(match):
        return spoken + "."
    return spoken


_PREVIOUS_WORD = re.compile(r"([^\W\d_][\w'’.]*)\W*$")


def previous_word(match: re.Match[str]) -> str:
    """The word just before the match ("" if none): its context, for rules that need one."""
    found = _PREVIOUS_WORD.search(match.string, max(0, match.start() - 40), match.start())
    return found.group(1) if found else ""


def slavic_form(number: str, forms: tuple[str, str, str, str]) -> str:
    """Ukrainian/Russian noun form after ``number``: forms are (1, 2-4, 5+, fraction).

    >>> slavic_form("21", ("гривня", "гривні", "гривень", "гривні"))
    'гривня'
    >>> slavic_form("12", ("рубль", "рубля", "рублей", "рубля"))
    'рублей'
    """
    digits = number.replace(" ", "")
    if "," in digits or "." in digits:
        return forms[3]
    value = int(digits)
    if value % 10 == 1 and value % 100 != 11:
        return forms[0]
    if 2 <= value % 10 <= 4 and not 12 <= value % 100 <= 14:
        return forms[1]
    return forms[2]


# --- punctuation: brackets, dashes, ellipses, parentheses (language-neutral) -----------------

# "[sic]", "[...]" and footnote marks like "[3]" are not read at all.
_DROPPED_BRACKETS = re.compile(
    r"\s?(?:[\[(]\s*(?:sic!?|\.\s?\.\s?\.|…)\s*[\])]|\[\d{1,3}\])", re.IGNORECASE
)
# "[Editor's note: …]" and "[him]" inside a quotation are read as ordinary text.
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
# A spaced hyphen or en dash is a dash only between words: "5 - 7" is a range, left alone here.
_EM_DASH = re.compile(r"\s*(?:—|―|--+)\s*|(?<![\d\s])\s+[–-]\s+(?![\d\s])")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\s?\.\s?\.)(?:\s*[.…])*")
_PARENS = re.compile(r"\s*\(([^()]*)\)")
_SPACE_BEFORE_COMMA = re.compile(r"\s+,")
_COMMA_RUN = re.compile(r",(?:\s*,)+")
_COMMA_BEFORE_STOP = re.compile(r",\s*([.!?;:])")
_LEADING_COMMA = re.compile(r"^[\s,]+")


def drop_brackets(text: str, edits: Edits) -> str:
    """Drop "[sic]" and the like; read bracketed insertions and editor's notes as text."""
    if "[" not in text and "(" not in text:
        return text
    text = edits.sub(_DROPPED_BRACKETS, lambda m: "", text)
    if "[" in text:
        text = edits.sub(_BRACKETS, lambda m: m.group(1), text)
    return text


def pauses(text: str, edits: Edits) -> str:
    """Em dashes, ellipses and parentheses become the commas a reader would pause at."""
    if "—" in text or "―" in text or "-" in text or "–" in text:
        text = edits.sub(_EM_DASH, lambda m: ", ", text)
    if "…" in text or "..." in text or ". ." in text:
        text = edits.sub(_ELLIPSIS, lambda m: "." if at_end(m) and m.start() > 0 else ", ", text)
    if "(" in text:
        text = edits.sub(
            _PARENS, lambda m: f", {m.group(1).strip()}, " if m.group(1).strip() else " ", text
        )
    if "," in text:
        text = _SPACE_BEFORE_COMMA.sub(",", text)
        text = _COMMA_RUN.sub(",", text)
        text = _COMMA_BEFORE_STOP.sub(r"\1", text)
        text = _LEADING_COMMA.sub("", text)
        text = text.rstrip(", ")
    return text
