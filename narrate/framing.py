"""What narrate itself says around an article, in the article's language.

The story is the publisher's text; the frame is narrate's: the word before the authors' names,
the spoken date, the disclosure sentence at the end and the chapter titles a podcast app shows.
A Ukrainian article read by the Ukrainian voice must not open with "By" and an English date
nor end with an English sentence, so the frame follows the language of the voice that reads
it (the article's language with ``voice = "auto"``).

narrate frames three languages, the ones it ships voices for: English, Ukrainian and Russian.
Any other language gets a neutral frame (see :data:`NEUTRAL`): nothing English is spoken in a
voice that would mangle it.

Pure Python on the standard library; the Slavic month names are the normalizer's, imported
when a date is first spoken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["ENGLISH", "NEUTRAL", "Framing", "framing_for", "primary_language"]

_ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Framing:
    """The words narrate adds around an article in one language.

    ``by``/``by_several`` open the byline for one author and for several ("By", "Автори:");
    ``and_word`` joins the last two names (a comma when it is ""). ``date_style`` is how the
    date is written for the normalizer to read: "en" ("May 5, 2025."), "uk"/"ru" ("5 травня
    2025 року.", read by :mod:`narrate.normalize.slavic`) or "" (no spoken date).
    ``disclosure`` is the sentence spoken at the end when the ``disclosure`` setting is
    ``auto`` ("" for none).
    """

    language: str
    by: str
    by_several: str
    and_word: str
    date_style: str
    disclosure: str
    intro_chapter: str
    body_chapter: str
    disclosure_chapter: str
    outro_chapter: str

    def names(self, authors: Sequence[str]) -> str | None:
        """Authors joined as a reader would say them: "A", "A and B", "A, B and C"."""
        if not authors:
            return None
        if len(authors) == 1 or not self.and_word:
            return ", ".join(authors)
        return ", ".join(authors[:-1]) + f" {self.and_word} " + authors[-1]

    def byline(self, authors: Sequence[str]) -> str | None:
        """The spoken byline, "By A and B", or ``None`` without authors.

        A byline that already opens with the word (a publisher's "By Ann Lee") keeps it once.
        """
        names = self.names(authors)
        if not names:
            return None
        word = self.by if len(authors) == 1 else self.by_several
        if not word:
            return names
        words = {w.rstrip(":").lower() for w in (self.by, self.by_several)}
        first = names.split(maxsplit=1)[0] if names.strip() else ""
        if first.rstrip(":").lower() in words:
            return names
        return f"{word} {names}"

    def spoken_date(self, published: str | None) -> str | None:
        """The publication date as the normalizer should read it, or ``None``.

        ``published`` is ISO 8601; only its date counts.
        """
        if not published or not self.date_style:
            return None
        found = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})(?!\d)", published)
        if found is None:
            return None
        try:
            day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            return None
        if self.date_style == "en":
            return f"{_ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}."
        # The genitive month names the Slavic normalizer matches: "5 травня 2025 року." is read
        # "п'ятого травня дві тисячі двадцять п'ятого року" (an ordinal, as a date is said).
        from .normalize.slavic import LANGUAGES

        slavic = LANGUAGES[self.date_style]
        return f"{day.day} {slavic.months[day.month - 1]} {day.year} {slavic.year_word}."


ENGLISH = Framing(
    language="en",
    by="By",
    by_several="By",
    and_word="and",
    date_style="en",
    disclosure="This audio was generated with an offline synthetic voice.",
    intro_chapter="Introduction",
    body_chapter="Article",
    disclosure_chapter="About this audio",
    outro_chapter="Outro",
)

# "Автор:" is how Ukrainian and Russian news sites label a byline; it needs no gender, unlike
# a verb ("написала"). "Offline" is left out of the disclosure: the point a listener needs is
# that the voice is synthetic, and "офлайн" reads awkwardly in the sentence.
UKRAINIAN = Framing(
    language="uk",
    by="Автор:",
    by_several="Автори:",
    and_word="та",
    date_style="uk",
    disclosure="Цей аудіозапис озвучено синтезованим голосом.",
    intro_chapter="Вступ",
    body_chapter="Стаття",
    disclosure_chapter="Про цей запис",
    outro_chapter="Завершення",
)

RUSSIAN = Framing(
    language="ru",
    by="Автор:",
    by_several="Авторы:",
    and_word="и",
    date_style="ru",
    disclosure="Эта аудиозапись озвучена синтезированным голосом.",
    intro_chapter="Вступление",
    body_chapter="Статья",
    disclosure_chapter="Об этой записи",
    outro_chapter="Завершение",
)

# Any other language (German, Polish, ... read by eSpeak NG's own voice for it):
# - the byline is the names alone: names read in any voice, "By" does not;
# - no spoken date: narrate has no date words or number rules for the language, and an
#   English date in a German voice is gibberish (the date stays in the ID3 tags);
# - no spoken disclosure unless the user wrote one (``disclosure = "..."``, in the language
#   they publish in): an English sentence read by a foreign voice discloses nothing anyone
#   understands, and the ID3 "AI disclosure" frames are written whatever the language;
# - English chapter titles: they are shown, never spoken, and English is the best guess a
#   podcast app's reader shares with narrate.
NEUTRAL = Framing(
    language="",
    by="",
    by_several="",
    and_word="",  # "A, B, C": a voice may read "&" or "and" as letters
    date_style="",
    disclosure="",
    intro_chapter=ENGLISH.intro_chapter,
    body_chapter=ENGLISH.body_chapter,
    disclosure_chapter=ENGLISH.disclosure_chapter,
    outro_chapter=ENGLISH.outro_chapter,
)

_BY_LANGUAGE = {"en": ENGLISH, "uk": UKRAINIAN, "ru": RUSSIAN}


def framing_for(language: str | None) -> Framing:
    """The frame for a BCP 47 tag: by its primary subtag; English when there is no tag.

    >>> framing_for("uk-UA").by
    'Автор:'
    >>> framing_for(None).by
    'By'
    >>> framing_for("de").disclosure
    ''
    """
    if not language:
        return ENGLISH  # no language at all is read by the default voice, en-us
    return _BY_LANGUAGE.get(primary_language(language), NEUTRAL)


def primary_language(tag: str | None) -> str:
    """A BCP 47 tag's primary subtag, lower case ("" for none).

    >>> primary_language("en_GB"), primary_language("UK-ua"), primary_language(None)
    ('en', 'uk', '')
    """
    return (tag or "").replace("_", "-").split("-")[0].lower()
