"""The article's language from its text: for a page that declares none, and against a wrong tag.

Only what picks a voice matters. A page without ``lang`` written in Cyrillic must not be read
by the English voice; nor must a German story on a site whose template says ``lang="en"`` (or
an English one under ``lang="de"``): the voice and the number rules would be wrong for every
sentence. So the declared tag is kept unless the body text clearly says otherwise.

Two signals, both from the text alone:

* the alphabet: narrate has Cyrillic voices for Ukrainian and Russian only, and each of the
  two writes letters the other does not;
* for Latin-script text, the share of each language's commonest function words ("the", "und",
  "les", "yang"...). These short words make a third or more of any running text and differ
  between languages, so a few hundred words settle it with a wide margin, while a short or
  mixed page stays close and keeps its tag.

No library already among narrate's dependencies does this offline: trafilatura's language
filter needs py3langid, which is not installed, and charset-normalizer guesses languages from
bytes to choose an encoding, not from decoded text. A language-identification model would be
a heavy dependency (and a model file to ship) for a decision that only needs to be made when
the declaration is plainly wrong, which function words show without any training data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..framing import primary_language

__all__ = ["resolve_language"]

# Letters only Ukrainian writes (of Ukrainian and Russian) and letters only Russian writes.
# "ъ" is Russian's (Ukrainian writes an apostrophe where Russian has it).
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_RUSSIAN = frozenset("ыэъёЫЭЪЁ")
_CYRILLIC = range(0x0400, 0x0530)  # Cyrillic and Cyrillic Supplement

# Languages written in Cyrillic: a tag naming one of them is not contradicted by Cyrillic text
# (the alphabet test tells only Ukrainian from Russian and would mislabel Bulgarian or Serbian).
_CYRILLIC_LANGUAGES = frozenset({"uk", "ru", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg"})
# Languages never written in the Latin alphabet: under such a tag, text that is all Latin
# letters and clearly in one scored language is that language (an English page on a Russian
# or Japanese site).
_NON_LATIN_LANGUAGES = _CYRILLIC_LANGUAGES | frozenset(
    {"ja", "zh", "ko", "ar", "he", "fa", "ur", "hi", "bn", "th", "el", "ka", "hy", "am"}
)

# The commonest function words of each language. A word several languages share ("de", "la",
# "in") counts for each of them a fraction, so it does not decide between them.
_STOP_WORDS: dict[str, str] = {
    "en": "the and of to is that it was for with as his on be at by this had not are but from"
    " have they which you were her she there been has would their will said who what when we"
    " more about than into could can its our these only also after other them then an or",
    "de": "der die das und ist nicht ein eine einer eines einem einen mit sich auf für dem den"
    " des von zu zum zur auch bei nach wie wird werden wurde sind sein hat haben oder aber noch"
    " nur über durch dass wenn sie er es wir ich im vom aus kann mehr schon diese dieser um",
    "fr": "le la les des du de un une et est que qui dans pour pas sur au aux avec ce cette ces"
    " il elle ils nous vous sont ont été mais ou par plus se sa son ses leur être avait était"
    " comme tout aussi lui en ne",
    "es": "el la los las de del y en que es un una por con para se no su sus al lo como más"
    " pero fue ha este esta son también muy sobre entre cuando ya hay porque desde todo está",
    "it": "il lo la gli le di del della dei delle che e è un una per con non sono da dal nel"
    " nella si come anche più ma questo questa alla al ha hanno essere stato era loro suo sua",
    "pt": "o a os as de do da dos das e é que em no na nos nas um uma para com não por se mais"
    " como mas foi ao seu sua são também pelo pela ou está ser ele ela muito já isso esse essa",
    "nl": "de het een en van is dat die niet op te zijn met voor er maar om ook als bij nog door"
    " naar werd wordt dan heeft hebben uit aan deze dit geen wel ze hij zij worden kan meer",
    "id": "yang dan di ke dari ini itu dengan untuk tidak ada dalam akan pada juga oleh adalah"
    " karena sebagai atau bisa sudah saya kita mereka kami telah para tersebut lebih bahwa jika"
    " hanya seperti ia dia namun saat agar kepada",
    "pl": "i w z na się nie do to że jest o a od po jak ale co przez dla jego tak za są czy już"
    " jej być tym też może także tylko który która które oraz było był",
    "sv": "och att det som en är på av för med till den har inte om ett men var jag han hon de"
    " vi sig så kan från eller när efter skulle också hade vid än nu mycket detta dessa",
}
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOP_WORDS.items():
    for _word in set(_words.split()):
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _lang)

_WORD = re.compile(r"[^\W\d_]+")
# The text must hold this many words before it may overrule a declared tag; the winner must
# score this share of them (running text in a language scores 0.2-0.4 on its own list; text
# in a language with no list scores little on all of them) and this many times the runner-up
# and the declared language.
_MIN_WORDS = 60
_MIN_SHARE = 0.12
_MARGIN = 3.0


def _cyrillic_language(texts: Iterable[str]) -> str | None:
    """Ukrainian ("uk") or Russian ("ru") for text mostly in Cyrillic; else ``None``.

    Cyrillic counts when it is more than half of the letters (a Ukrainian story naming NATO or
    quoting an English tweet stays Ukrainian). Then the distinctive letters decide: more of
    "і ї є ґ" is Ukrainian, more of "ы э ъ ё" Russian. With none of either the text is called
    Russian: "і" alone is in nearly every Ukrainian sentence ("і", "із", "ці", "він").
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


def _latin_share(texts: list[str]) -> float:
    letters = latin = 0
    for text in texts:
        for ch in text:
            if ch.isalpha():
                letters += 1
                latin += ch < "\u0250"  # Basic Latin to Latin Extended-B
    return latin / letters if letters else 0.0


def _scores(texts: list[str]) -> tuple[int, dict[str, float]]:
    """How many words the text has, and each scored language's count of function words."""
    scores: dict[str, float] = {}
    words = 0
    for text in texts:
        for word in _WORD.findall(text.lower()):
            words += 1
            langs = _LANGUAGES_OF.get(word, ())
            for lang in langs:
                scores[lang] = scores.get(lang, 0.0) + 1 / len(langs)
    return words, scores


def _clear_winner(texts: list[str], declared: str | None) -> str | None:
    """The scored language the text is clearly in, against ``declared``; else ``None``."""
    words, scores = _scores(texts)
    if words < _MIN_WORDS or not scores:
        return None
    (best, top), *rest = sorted(scores.items(), key=lambda item: -item[1])
    rival = max(rest[0][1] if rest else 0.0, scores.get(declared or "", 0.0))
    if top < _MIN_SHARE * words or top < _MARGIN * rival:
        return None
    return best


def resolve_language(declared: str | None, texts: Iterable[str]) -> str | None:
    """The article's language: ``declared`` (a BCP 47 tag) unless the text clearly disagrees.

    Cyrillic text overrules a tag of a language not written in Cyrillic. Latin-script text
    overrules a tag only when it holds enough words and one language's function words
    outnumber the declared language's by a wide margin; a tag of a language with no word list
    (Turkish, Czech...) is kept unless it names a language never written in Latin letters.
    A kept tag is returned as declared, region and all ("en-US"). Without a tag: the
    language of text in Cyrillic or clearly in one scored Latin-script language, else ``None``
    (narrate's default).

    >>> resolve_language(None, ["Місто отримало нові автобуси."])
    'uk'
    >>> resolve_language(None, ["Город получил новые автобусы."])
    'ru'
    >>> resolve_language(None, ["The city got new buses."]) is None
    True
    """
    texts = list(texts)
    primary = primary_language(declared) if declared else None
    cyrillic = _cyrillic_language(texts)
    if cyrillic is not None:
        return declared if primary in _CYRILLIC_LANGUAGES else cyrillic
    if primary is not None and primary not in _STOP_WORDS and primary not in _NON_LATIN_LANGUAGES:
        return declared
    if primary in _NON_LATIN_LANGUAGES and _latin_share(texts) < 0.9:
        return declared
    winner = _clear_winner(texts, primary)
    if winner is None or winner == primary:
        return declared
    return winner
