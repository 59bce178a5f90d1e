"""The article's language from its text, for a page that declares none.

Only what picks a voice matters: a page without ``lang`` written in Cyrillic must not be read
by the English voice. A Latin-script page keeps narrate's default (English), as before.

No library already among narrate's dependencies does this offline: trafilatura's language
filter needs py3langid, which is not installed, and charset-normalizer (a dependency of
trafilatura) guesses languages from bytes to choose an encoding, not from decoded text. A
language-identification model would be a heavy dependency for a decision that the alphabet
settles: narrate has Cyrillic voices for Ukrainian and Russian only, and each of the two
writes letters the other does not.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["infer_language"]

# Letters only Ukrainian writes (of Ukrainian and Russian) and letters only Russian writes.
# "ъ" is Russian's (Ukrainian writes an apostrophe where Russian has it).
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_RUSSIAN = frozenset("ыэъёЫЭЪЁ")
_CYRILLIC = range(0x0400, 0x0530)  # Cyrillic and Cyrillic Supplement


def infer_language(texts: Iterable[str]) -> str | None:
    """The language, "uk" or "ru", of text mostly in Cyrillic; else ``None`` (the default).

    Cyrillic counts when it is more than half of the letters (a Ukrainian story naming NATO or
    quoting an English tweet stays Ukrainian). Then the distinctive letters decide: more of
    "і ї є ґ" is Ukrainian, more of "ы э ъ ё" Russian. With none of either the text is called
    Russian: "і" alone is in nearly every Ukrainian sentence ("і", "із", "ці", "він").

    >>> infer_language(["Місто отримало нові автобуси."])
    'uk'
    >>> infer_language(["Город получил новые автобусы."])
    'ru'
    >>> infer_language(["The city got new buses."]) is None
    True
    """
    letters = cyrillic = ukrainian = russian = 0
    for text in texts:
        for ch in text:
            if not ch.isalpha():
                continue
            letters += 1
            if ord(ch) in _CYRILLIC:
                cyrillic += 1
                if ch in _UKRAINIAN:
                    ukrainian += 1
                elif ch in _RUSSIAN:
                    russian += 1
    if not letters or cyrillic * 2 <= letters:
        return None
    return "uk" if ukrainian > russian else "ru"
