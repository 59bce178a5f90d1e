"""The words a transcript shows for text an engine reads differently.

The lexicon replaces words with what the engine should read: eSpeak phonemes ("Kyiv" →
"[[k'i:Iv]]") or a respelling ("Kharkiv" → "Harkiv"). The engine's word events point into the
text it read, but the transcript's word timings must show the words as written. Each
replacement is kept as a :class:`~narrate.model.Respelling` (a span of the read text and the
words it stands for), carried through later replacements by :func:`substitute`, and
:func:`shown_words` turns the read text and its respellings back into the words to show, each
with the span of the read text that says it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .model import Respelling

__all__ = ["ShownWord", "shown_text", "shown_words", "substitute"]


def shown_text(text: str, respelled: Sequence[Respelling], start: int = 0, end: int = -1) -> str:
    """``text[start:end]`` with every respelling inside it shown as its written words."""
    end = len(text) if end < 0 else end
    out: list[str] = []
    position = start
    for span in respelled:
        if span.end <= start or span.start >= end:
            continue
        out.append(text[position : span.start])
        out.append(span.shown)
        position = span.end
    out.append(text[position:end])
    return "".join(out)


def substitute(
    text: str,
    respelled: Sequence[Respelling],
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], str],
) -> tuple[str, tuple[Respelling, ...]]:
    """``pattern.sub(replace, text)``, and the respellings of the new text.

    Each replacement becomes a respelling that shows what it replaced. A replacement that cuts
    into an earlier respelling (a user's regular expression matching inside a phoneme string)
    takes it whole: the new span shows the earlier one's written words. Spans left untouched
    move with the text around them. A replacement that reads as written records nothing.
    """
    matches: list[tuple[int, int, int]] = []  # start, end, length of the replacement

    def record(match: re.Match[str]) -> str:
        new = replace(match)
        matches.append((match.start(), match.end(), len(new)))
        return new

    new_text = pattern.sub(record, text)
    if not matches:
        return text, tuple(respelled)
    # Old spans and matches, joined where they overlap, in order: each group is one span of the
    # new text. (start, end, is_match, index); a match sorts before a span at the same start,
    # so an insertion just before a respelling stays apart from it.
    items = sorted(
        [(s, e, True, i) for i, (s, e, _) in enumerate(matches)]
        + [(r.start, r.end, False, i) for i, r in enumerate(respelled)],
        key=lambda item: (item[0], item[1], not item[2]),
    )
    groups: list[list[tuple[int, int, bool, int]]] = []
    for item in items:
        if groups:
            group = groups[-1]
            group_start = group[0][0]
            group_end = max(member[1] for member in group)
            if item[0] < group_end and (item[1] > item[0] or item[0] > group_start):
                group.append(item)
                continue
        groups.append([item])
    out: list[Respelling] = []
    shift = 0  # how much longer the new text is than the old, before the current group
    for group in groups:
        start = group[0][0]
        end = max(member[1] for member in group)
        grown = sum(matches[i][2] - (matches[i][1] - matches[i][0]) for _, _, m, i in group if m)
        new_start, new_end = start + shift, end + shift + grown
        shift += grown
        inside = [respelled[i] for _, _, m, i in group if not m]
        shown = shown_text(text, inside, start, end) if inside else text[start:end]
        if new_text[new_start:new_end] != shown:
            out.append(Respelling(new_start, new_end, shown))
    return new_text, tuple(out)


@dataclass(frozen=True)
class ShownWord:
    """A word to show, and the span of the read text (``start``, ``end``) that says it.

    Several written words said by one respelling ("т. н." read as "так называемый") share its
    span: the first has it, the others an empty span at its end.
    """

    text: str
    start: int
    end: int


_EDGE_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")
_SPACE = re.compile(r"\s+")


def _display(word: str) -> str:
    """A word without the punctuation around it ('"along,"' → "along"); kept if all punctuation."""
    return _EDGE_PUNCTUATION.sub("", word) or word


def shown_words(text: str, respelled: Sequence[Respelling] = ()) -> list[ShownWord]:
    """The words of ``text`` as a transcript shows them, in order.

    Words are split at white space, except inside a respelling, which is one piece of a word
    however many words it reads as ("[[p'Esk0f]]'s" is the one word "Peskov's"). A piece of
    text that has neither letters nor digits, read or shown, is no word.
    """
    words: list[ShownWord] = []
    pieces: list[tuple[int, int, str]] = []  # (start, end, shown) of the current word
    # A span said for nothing written (a pattern's insertion) shows what is said.
    spans = iter([span for span in respelled if span.shown.strip()])
    span = next(spans, None)
    position = 0

    def finish() -> None:
        if not pieces:
            return
        start, end = pieces[0][0], pieces[-1][1]
        shown = "".join(piece for _, _, piece in pieces)
        read = text[start:end]
        pieces.clear()
        if not any(ch.isalnum() for ch in shown + read):
            return
        parts = shown.split() or [shown]
        for n, part in enumerate(parts):
            words.append(ShownWord(_display(part), start if n == 0 else end, end))

    while position < len(text):
        while span is not None and span.start < position:
            span = next(spans, None)  # overlapping spans: the earlier one wins
        if span is not None and position == span.start:
            pieces.append((span.start, span.end, span.shown))
            position = span.end
            span = next(spans, None)
            continue
        stop = len(text) if span is None else span.start
        match = _SPACE.search(text, position, stop)
        if match is None:
            pieces.append((position, stop, text[position:stop]))
            position = stop
            continue
        if match.start() > position:
            pieces.append((position, match.start(), text[position : match.start()]))
        finish()
        position = match.end()
    finish()
    return words
