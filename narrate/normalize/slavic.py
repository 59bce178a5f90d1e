"""Ukrainian and Russian: numbers, dates, years, times, percentages and money in words.

Number words come from num2words. Where the noun after a number decides its form, a small rule
does the rest: the noun takes the form for 1, for 2-4 or for 5 and more ("одна гривня", "дві
гривні", "п'ять гривень"; a fraction takes the genitive singular, "1,5 мільйона"); feminine
nouns make the number feminine ("дві тисячі"). Ordinals for dates and years are genitive
("п'ятого травня дві тисячі двадцять п'ятого року"), locative after "у ... році" / "в ... году".

Not covered, so left as num2words' nominative: a number whose case is set by a preposition
("понад 40 000" should be "сорока тисяч"). Units, abbreviations and web addresses are read by
eSpeak as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ._core import Edits, Replacer, keep_final_dot, previous_word, slavic_form, spell, word_set

Forms = tuple[str, str, str, str]  # the noun after 1, after 2-4, after 5+, after a fraction


@dataclass(frozen=True)
class _Language:
    code: str
    months: tuple[str, ...]  # genitive: "5 травня"
    year_words: dict[str, str]  # written after a year → the grammatical form it asks for
    year_word: str  # "року" / "года": added after a date's year
    currencies: dict[str, tuple[Forms, bool]]  # code → forms, feminine?
    scales: dict[str, tuple[Forms, bool]]
    percent: Forms
    feminine_stems: tuple[str, ...]
    point: str
    zero: str
    number_word: str
    plus: str
    time_cases: dict[str, str]  # preposition before a time → case of the hour
    genitive_after: frozenset[str]  # prepositions after which a number is genitive
    degrees: Forms
    celsius: str


_UK = _Language(
    code="uk",
    months=(
        "січня",
        "лютого",
        "березня",
        "квітня",
        "травня",
        "червня",
        "липня",
        "серпня",
        "вересня",
        "жовтня",
        "листопада",
        "грудня",
    ),
    year_words={
        "року": "m_gen",
        "р.": "m_gen",
        "р": "m_gen",
        "рік": "m_nom",
        "році": "m_loc",
        "роки": "pl_nom",
        "років": "pl_gen",
        "роках": "pl_loc",
        "рр.": "pl_gen",
    },
    year_word="року",
    currencies={
        "UAH": (("гривня", "гривні", "гривень", "гривні"), True),
        "USD": (("долар", "долари", "доларів", "долара"), False),
        "EUR": (("євро", "євро", "євро", "євро"), False),
        "GBP": (("фунт", "фунти", "фунтів", "фунта"), False),
        "RUB": (("рубль", "рублі", "рублів", "рубля"), False),
    },
    scales={
        "тис": (("тисяча", "тисячі", "тисяч", "тисячі"), True),
        "млн": (("мільйон", "мільйони", "мільйонів", "мільйона"), False),
        "млрд": (("мільярд", "мільярди", "мільярдів", "мільярда"), False),
        "трлн": (("трильйон", "трильйони", "трильйонів", "трильйона"), False),
    },
    percent=("відсоток", "відсотки", "відсотків", "відсотка"),
    feminine_stems=(
        "гривн",
        "тисяч",
        "копій",
        "годин",
        "хвилин",
        "секунд",
        "особ",
        "людин",
        "дитин",
        "тонн",
        "доб",
        "частин",
        "країн",
        "ракет",
        "машин",
        "одиниц",
        "бригад",
        "дивізі",
        "област",
        "громад",
        "школ",
        "лікарн",
        "сім'",
        "сімей",
        "родин",
        "жінк",
        "жінок",
    ),
    point="кома",
    zero="нуль",
    number_word="номер",
    plus="плюс",
    time_cases={
        "о": "f_loc",
        "об": "f_loc",
        "до": "f_gen",
        "після": "f_gen",
        "з": "f_gen",
        "від": "f_gen",
        "із": "f_gen",
        "по": "f_acc",
    },
    # Not "понад": it takes the accusative ("понад сорок тисяч").
    genitive_after=word_set("до від близько біля після більше менше замість"),
    degrees=("градус", "градуси", "градусів", "градуса"),
    celsius="Цельсія",
)

_RU = _Language(
    code="ru",
    months=(
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
    year_words={
        "года": "m_gen",
        "г.": "m_gen",
        "г": "m_gen",
        "год": "m_nom",
        "году": "m_loc",
        "годы": "pl_nom",
        "годов": "pl_gen",
        "годах": "pl_loc",
        "гг.": "pl_gen",
    },
    year_word="года",
    currencies={
        "UAH": (("гривна", "гривны", "гривен", "гривны"), True),
        "USD": (("доллар", "доллара", "долларов", "доллара"), False),
        "EUR": (("евро", "евро", "евро", "евро"), False),
        "GBP": (("фунт", "фунта", "фунтов", "фунта"), False),
        "RUB": (("рубль", "рубля", "рублей", "рубля"), False),
    },
    scales={
        "тыс": (("тысяча", "тысячи", "тысяч", "тысячи"), True),
        "млн": (("миллион", "миллиона", "миллионов", "миллиона"), False),
        "млрд": (("миллиард", "миллиарда", "миллиардов", "миллиарда"), False),
        "трлн": (("триллион", "триллиона", "триллионов", "триллиона"), False),
    },
    percent=("процент", "процента", "процентов", "процента"),
    feminine_stems=(
        "гривн",
        "тысяч",
        "копе",
        "минут",
        "секунд",
        "тонн",
        "недел",
        "част",
        "стран",
        "ракет",
        "машин",
        "единиц",
        "бригад",
        "дивизи",
        "област",
        "школ",
        "больниц",
        "семь",
        "женщин",
    ),
    point="целых",
    zero="ноль",
    number_word="номер",
    plus="плюс",
    time_cases={},
    genitive_after=word_set("до от около свыше более менее после вместо"),
    degrees=("градус", "градуса", "градусов", "градуса"),
    celsius="Цельсия",
)

LANGUAGES = {"uk": _UK, "ru": _RU}

# --- number words ---------------------------------------------------------------------------

# Thousands are grouped with spaces ("40 000"); the decimal sign is a comma ("1,5").
_NUM = r"\d{1,3}(?: \d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_ONE_AND_A_HALF = {"uk": ("півтора", "півтори"), "ru": ("полтора", "полторы")}
_ONE_AND_A_HALF_GENITIVE = {"uk": ("півтора", "півтори"), "ru": ("полутора", "полутора")}
_RU_CASES = {"nom": "n", "gen": "g", "dat": "d", "acc": "a", "ins": "i", "loc": "p"}
_UK_CASES = {"nom": "nominative", "gen": "genitive", "dat": "dative", "acc": "accusative",
             "ins": "instrumental", "loc": "locative"}  # fmt: skip


@lru_cache(maxsize=4096)
def _integer(lang: str, value: int, feminine: bool = False, case: str = "nom") -> str:
    if lang == "ru":
        return spell(value, "ru", gender="f" if feminine else "m", case=_RU_CASES[case])
    if feminine:
        words = spell(value, "uk", case=_UK_CASES[case], gender="feminine")
    else:
        words = spell(value, "uk", case=_UK_CASES[case])
    # num2words writes "одна тисяча дев'ятсот"; Ukrainians say "тисяча дев'ятсот". Its
    # genitive "тисячи" is a misspelling of "тисячі".
    words = words.replace("тисячи", "тисячі")
    for one in ("одна тисяч", "однієї тисяч"):
        if words.startswith(one):
            words = words.split(" ", 1)[1]
    return words


def cardinal(lang: _Language, text: str, feminine: bool = False, case: str = "nom") -> str:
    """Words for "40 000" or "1,5" (a fraction reads "one point five" the local way)."""
    plain = text.replace(" ", "")
    if plain in ("1,5", "1.5") and case in ("nom", "gen"):
        # "1,5 млн" is "півтора мільйона" / "полтора миллиона" in any newsroom.
        table = _ONE_AND_A_HALF if case == "nom" else _ONE_AND_A_HALF_GENITIVE
        return table[lang.code][feminine]
    whole, _, fraction = plain.partition(",")
    if len(whole) > 15:
        return " ".join(_integer(lang.code, int(d)) for d in whole)
    if not fraction:
        return _integer(lang.code, int(whole), feminine, case)
    if lang.code == "ru":
        return spell(Decimal(f"{whole}.{fraction}"), "ru")
    zeros = len(fraction) - len(fraction.lstrip("0"))
    tail = f"{lang.zero} " * zeros + _integer("uk", int(fraction)) if fraction.strip("0") else ""
    return f"{_integer('uk', int(whole))} {lang.point} {tail or lang.zero}".strip()


# Ukrainian ordinals from num2words are masculine nominative ("двадцять п'ятий"); the other
# forms change only the last word's ending: (after "-ий", after "-ій" as in "третій").
_UK_ENDINGS = {
    "m_nom": ("ий", "ій"), "m_gen": ("ого", "ього"), "m_dat": ("ому", "ьому"),
    "m_loc": ("ому", "ьому"), "f_nom": ("а", "я"), "f_gen": ("ої", "ьої"), "f_loc": ("ій", "ій"),
    "f_acc": ("у", "ю"), "n_nom": ("е", "є"), "pl_nom": ("і", "і"), "pl_gen": ("их", "іх"),
    "pl_loc": ("их", "іх"),
}  # fmt: skip
_RU_FORMS = {
    "m_nom": ("n", "m", False), "m_gen": ("g", "m", False), "m_dat": ("d", "m", False),
    "m_loc": ("p", "m", False), "f_nom": ("n", "f", False), "f_gen": ("g", "f", False),
    "f_loc": ("p", "f", False), "f_acc": ("a", "f", False), "n_nom": ("n", "n", False),
    "pl_nom": ("n", "m", True), "pl_gen": ("g", "m", True), "pl_loc": ("p", "m", True),
}  # fmt: skip


@lru_cache(maxsize=2048)
def ordinal(lang: str, value: int, form: str = "m_nom") -> str:
    """An ordinal in a form: "m_gen" (masculine genitive), "f_loc", "pl_gen", ...

    >>> ordinal("uk", 2025, "m_gen")
    "дві тисячі двадцять п'ятого"
    >>> ordinal("ru", 5, "m_loc")
    'пятом'
    """
    if lang == "ru":
        case, gender, plural = _RU_FORMS[form]
        return spell(value, "ru", to="ordinal", case=case, gender=gender, plural=plural)
    words = spell(value, "uk", to="ordinal")
    if words.startswith("одна тисяча"):
        words = words.removeprefix("одна ")
    head, _, last = words.rpartition(" ")
    after_i, after_soft = _UK_ENDINGS[form]
    if last.endswith("ій"):
        last = last[:-2] + after_soft
    elif last.endswith("ий"):
        last = last[:-2] + after_i
    return f"{head} {last}" if head else last


# --- passes ---------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(
    r"(?<![\w.,])(?:(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})|(?P<iy>\d{4})-(?P<im>\d{2})"
    r"-(?P<id>\d{2}))(?:\s?(?P<yw>року|р\.|года|г\.))?(?![\w-]|\.\d)"
)


def _date(lang: _Language) -> Replacer:
    def read(match: re.Match[str]) -> str | None:
        d = int(match["d"] or match["id"])
        m = int(match["m"] or match["im"])
        y = int(match["y"] or match["iy"])
        if not (1 <= d <= 31 and 1 <= m <= 12):
            return None
        spoken = (
            f"{ordinal(lang.code, d, 'm_gen')} {lang.months[m - 1]} "
            f"{ordinal(lang.code, y, 'm_gen')} {lang.year_word}"
        )
        return keep_final_dot(match, spoken) if match["yw"] else spoken

    return read


def _month_date(lang: _Language) -> re.Pattern[str]:
    year_words = "|".join(re.escape(w) for w in sorted(lang.year_words, key=len, reverse=True))
    return re.compile(
        rf"(?<![\w.,])(?P<d1>\d{{1,2}})(?:[-–](?P<d2>\d{{1,2}}))?\s(?P<month>"
        rf"{'|'.join(lang.months)})\b(?:\s(?P<y>\d{{4}})(?:\s?(?P<yw>{year_words})(?!\w))?)?"
    )


def _month_date_reader(lang: _Language) -> Replacer:
    def read(match: re.Match[str]) -> str | None:
        d1 = int(match["d1"])
        d2 = int(match["d2"]) if match["d2"] else 0
        if not 1 <= d1 <= 31 or (d2 and not d1 < d2 <= 31):
            return None
        spoken = ordinal(lang.code, d1, "m_gen")
        if d2:
            # "5–7 травня" → "з п'ятого по сьоме травня", "с пятого по седьмое мая"
            since = "з" if lang.code == "uk" else "с"
            spoken = f"{since} {spoken} по {ordinal(lang.code, d2, 'n_nom')}"
        spoken += " " + match["month"]
        if match["y"]:
            form = lang.year_words.get(match["yw"] or "", "m_gen")
            word = _year_word(lang, match["yw"])
            spoken += f" {ordinal(lang.code, int(match['y']), form)} {word}"
            return keep_final_dot(match, spoken) if match["yw"] else spoken
        return spoken

    return read


def _year_word(lang: _Language, written: str | None) -> str:
    """The year word spelled out: "р." → "року", "гг." → "годов"."""
    if not written:
        return lang.year_word
    form = lang.year_words[written]
    for word, word_form in lang.year_words.items():
        if word_form == form and not word.endswith(".") and len(word) > 1:
            return word
    return lang.year_word


def _years(lang: _Language) -> re.Pattern[str]:
    year_words = "|".join(re.escape(w) for w in sorted(lang.year_words, key=len, reverse=True))
    # "з 2014 по 2022 рік", "с 2014 по 2022 год": the first year is genitive.
    since = r"(?P<from>з|із|від|с|со|от)\s(?P<y0>1\d{3}|20\d{2})\s(?P<to>по|до)\s"
    return re.compile(
        rf"(?<![\w.,])(?:{since})?(?P<y1>1\d{{3}}|20\d{{2}})(?:\s?[-–]\s?(?P<y2>1\d{{3}}|20\d{{2}}))?"
        rf"(?:-(?P<suffix>х|их|ті|те|е))?\s?(?P<yw>{year_words})(?!\w)"
    )


def _years_reader(lang: _Language) -> Replacer:
    def read(match: re.Match[str]) -> str:
        form = lang.year_words[match["yw"]]
        spoken = ordinal(lang.code, int(match["y1"]), form)
        if match["y2"]:
            # "2014–2022 роки": the first year is singular, in the same case as the second.
            first = ordinal(lang.code, int(match["y1"]), form.replace("pl_", "m_"))
            spoken = first + " – " + ordinal(lang.code, int(match["y2"]), form)
        if match["y0"]:
            first = ordinal(lang.code, int(match["y0"]), "m_gen")
            spoken = f"{match['from']} {first} {match['to']} {spoken}"
        return keep_final_dot(match, f"{spoken} {_year_word(lang, match['yw'])}")

    return read


_TIME = re.compile(r"(?<![\w:.,])(?P<h>\d{1,2}):(?P<m>\d{2})(?![\d:]|[.,]\d)")


def _time(lang: _Language) -> Replacer:
    def read(match: re.Match[str]) -> str | None:
        hour, minute = int(match["h"]), int(match["m"])
        if hour > 24 or minute > 59:
            return None
        if lang.code == "uk":
            # Ukrainian names the hour with a feminine ordinal: "о чотирнадцятій тридцять".
            form = lang.time_cases.get(previous_word(match).lower(), "f_nom")
            spoken = ordinal("uk", hour, form) if hour else lang.zero
        else:
            spoken = _integer("ru", hour)
        if minute == 0:
            return spoken if lang.code == "uk" else f"{spoken} {lang.zero} {lang.zero}"
        minutes = _integer(lang.code, minute, feminine=True)
        return f"{spoken} {lang.zero + ' ' if minute < 10 else ''}{minutes}"

    return read


_PERCENT = re.compile(
    rf"(?<![\w.,])(?P<sign>[-−+](?=\d))?(?P<n1>{_NUM})(?:\s?%?\s?[-–]\s?(?P<n2>{_NUM}))?\s?%"
)
_SIGNS = {"uk": {"-": "мінус", "−": "мінус", "+": "плюс"},
          "ru": {"-": "минус", "−": "минус", "+": "плюс"}}  # fmt: skip


def _case(lang: _Language, match: re.Match[str]) -> str:
    """ "gen" after "до", "понад", "около"...: "до двадцяти тисяч"; otherwise "nom"."""
    return "gen" if previous_word(match).lower() in lang.genitive_after else "nom"


def _noun(number: str, forms: Forms, case: str) -> str:
    """The noun after a number in the number's case (only nominative and genitive are used)."""
    if case != "gen":
        return slavic_form(number, forms)
    digits = number.replace(" ", "")
    if "," in digits or "." in digits:
        return forms[3]
    value = int(digits)
    return forms[3] if value % 10 == 1 and value % 100 != 11 else forms[2]


def _percent(lang: _Language) -> Replacer:
    def read(match: re.Match[str]) -> str:
        sign = _SIGNS[lang.code][match["sign"]] + " " if match["sign"] else ""
        last = match["n2"] or match["n1"]
        if match["n2"]:
            start, end = ("від", "до") if lang.code == "uk" else ("от", "до")
            amount = (
                f"{start} {cardinal(lang, match['n1'], case='gen')} "
                f"{end} {cardinal(lang, match['n2'], case='gen')}"
            )
            return f"{sign}{amount} {lang.percent[2]}"
        case = _case(lang, match)
        return f"{sign}{cardinal(lang, last, case=case)} {_noun(last, lang.percent, case)}"

    return read


_CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "₴": "UAH", "₽": "RUB"}
_CURRENCY_WORDS = {
    "грн": "UAH", "UAH": "UAH", "USD": "USD", "EUR": "EUR", "RUB": "RUB", "GBP": "GBP",
    "дол": "USD", "долл": "USD", "руб": "RUB",
}  # fmt: skip


def _money_pattern(lang: _Language) -> re.Pattern[str]:
    scales = "|".join(lang.scales)
    return re.compile(
        rf"(?<![\w.,$€£₴₽])(?P<pre>[$€£₴₽])?\s?(?P<n>{_NUM})"
        rf"(?:\s?(?P<scale>{scales})(?:\.|\b))?"
        rf"(?:\s?(?P<post>[$€£₴₽])|\s(?P<word>грн|дол|долл|руб)(?:\.|\b)|\s(?P<code>UAH|USD|EUR"
        rf"|RUB|GBP)\b)?"
    )


def _money(lang: _Language) -> Replacer:
    def read(match: re.Match[str]) -> str | None:
        sign = match["pre"] or match["post"]
        code = (
            _CURRENCY_SIGNS[sign]
            if sign
            else _CURRENCY_WORDS.get(match["word"] or match["code"] or "")
        )
        scale_key = match["scale"]
        if code is None and scale_key is None:
            return None  # a plain number: the cardinal pass reads it
        n = match["n"]
        case = _case(lang, match)
        if scale_key:
            forms, feminine = lang.scales[scale_key]
            spoken = f"{cardinal(lang, n, feminine, case)} {_noun(n, forms, case)}"
            if code:
                spoken += " " + lang.currencies[code][0][2]  # after a scale: genitive plural
        else:
            assert code is not None
            forms, feminine = lang.currencies[code]
            spoken = f"{cardinal(lang, n, feminine, case)} {_noun(n, forms, case)}"
        return keep_final_dot(match, spoken) if match.group(0).endswith(".") else spoken

    return read


def _ordinal_pattern() -> re.Pattern[str]:
    return re.compile(r"(?<![\w.,])(?P<n>\d+)[-–](?P<s>[а-яіїєґ]{1,4})(?!\w)")


_UK_SUFFIX_FORMS = {
    "й": "m_nom", "ий": "m_nom", "ій": "m_nom", "го": "m_gen", "ого": "m_gen", "ього": "m_gen",
    "му": "m_dat", "ому": "m_dat", "ім": "m_loc", "м": "m_loc", "та": "f_nom", "а": "f_nom",
    "я": "f_nom", "ї": "f_gen", "ої": "f_gen", "у": "f_acc", "ю": "f_acc", "те": "n_nom",
    "е": "n_nom", "є": "n_nom", "ті": "pl_nom", "і": "pl_nom", "х": "pl_gen", "их": "pl_gen",
    "іх": "pl_gen",
}  # fmt: skip
_RU_SUFFIX_FORMS = {
    "й": "m_nom", "ый": "m_nom", "ий": "m_nom", "ой": "m_nom", "го": "m_gen", "ого": "m_gen",
    "его": "m_gen", "му": "m_dat", "ому": "m_dat", "ему": "m_dat", "м": "m_loc", "ом": "m_loc",
    "ем": "m_loc", "я": "f_nom", "ая": "f_nom", "ю": "f_acc", "ую": "f_acc", "е": "n_nom",
    "ое": "n_nom", "х": "pl_gen", "ых": "pl_gen", "их": "pl_gen",
}  # fmt: skip


def _ordinal(lang: _Language) -> Replacer:
    table = _UK_SUFFIX_FORMS if lang.code == "uk" else _RU_SUFFIX_FORMS

    def read(match: re.Match[str]) -> str | None:
        # "3-тя", "1-ша", "7-ме": the consonant before the ending only repeats the number's
        # last sound, so the ending after it decides the form.
        suffix = match["s"]
        form = table.get(suffix) or table.get(suffix[1:]) if len(suffix) > 1 else table.get(suffix)
        if form is None:
            return None
        value = int(match["n"])
        if form == "n_nom" and value % 10 == 0 and value >= 10:
            # "1990-е" / "90-ті": a decade, so plural ("дев'яності", "девяностые")
            form = "pl_nom"
        return ordinal(lang.code, value, form)

    return read


_RANGE = re.compile(rf"(?<![\w.,-])(?P<n1>{_NUM})[-–](?P<n2>{_NUM})(?![\w]|[.,]\d|-)")


def _range(lang: _Language) -> Replacer:
    def read(match: re.Match[str]) -> str:
        start, end = ("від", "до") if lang.code == "uk" else ("от", "до")
        return (
            f"{start} {cardinal(lang, match['n1'], case='gen')} "
            f"{end} {cardinal(lang, match['n2'], case='gen')}"
        )

    return read


# Not next to a slash: "№ 145/2024" is an identifier, left as written.
_CARDINAL = re.compile(
    rf"(?<![\w.,/])(?P<sign>[-−+](?=\d))?(?P<n>{_NUM})(?![\w/]|[.,]\d)(?=(?P<next>\s\w+)?)"
)
_DEGREES = re.compile(rf"(?<![\w.,])(?P<sign>[-−+](?=\d))?(?P<n>{_NUM})\s?[°º]\s?C\b")


def _degrees(lang: _Language) -> Replacer:
    def read(match: re.Match[str]) -> str:
        sign = _SIGNS[lang.code][match["sign"]] + " " if match["sign"] else ""
        case = _case(lang, match)
        n = match["n"]
        words = f"{cardinal(lang, n, case=case)} {_noun(n, lang.degrees, case)}"
        return f"{sign}{words} {lang.celsius}"

    return read


def _cardinal(lang: _Language) -> Replacer:
    def read(match: re.Match[str]) -> str:
        following = (match["next"] or "").strip().lower()
        feminine = following.startswith(lang.feminine_stems)
        sign = _SIGNS[lang.code][match["sign"]] + " " if match["sign"] else ""
        return sign + cardinal(lang, match["n"], feminine, _case(lang, match))

    return read


_NUMBER_SIGN = re.compile(r"№\s?(?=\d)")
_HAS_DIGIT = re.compile(r"\d")


def _hint(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_ALWAYS = _hint("")


@lru_cache(maxsize=2)
def _patterns(code: str) -> tuple[tuple[re.Pattern[str], re.Pattern[str], Replacer], ...]:
    """(hint, pattern, reader) for every pass, in order; a pass runs only where its hint is."""
    lang = LANGUAGES[code]
    months = "|".join(lang.months)
    money = r"[$€£₴₽]|грн|дол|руб|UAH|USD|EUR|RUB|GBP|тис|тыс|млн|млрд|трлн"
    return (
        (_hint(r"\d[.-]\d"), _NUMERIC_DATE, _date(lang)),
        (_hint(months), _month_date(lang), _month_date_reader(lang)),
        (_hint("р|г"), _years(lang), _years_reader(lang)),
        (_hint(":"), _TIME, _time(lang)),
        (_hint("%"), _PERCENT, _percent(lang)),
        (_hint("[°º]"), _DEGREES, _degrees(lang)),
        (_hint(money), _money_pattern(lang), _money(lang)),
        (_hint("[-–]"), _ordinal_pattern(), _ordinal(lang)),
        (_hint("[-–]"), _RANGE, _range(lang)),
        (_ALWAYS, _CARDINAL, _cardinal(lang)),
    )


def normalize_slavic(text: str, edits: Edits, code: str) -> str:
    """Every Ukrainian or Russian pass in order (``code`` is "uk" or "ru")."""
    if not _HAS_DIGIT.search(text):
        return text
    if "№" in text:
        text = edits.sub(_NUMBER_SIGN, lambda m: "номер ", text)
    edits.start(fold=False)  # the passes never rewrite each other's words
    for hint, pattern, read in _patterns(code):
        if hint.search(text):
            text = edits.sub(pattern, read, text)
    return text
