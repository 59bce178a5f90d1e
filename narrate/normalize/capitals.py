"""Which all-caps words are acronyms said letter by letter, and which are words in capitals.

eSpeak spells any all-caps word it cannot say, and says a lower-case one however it is
written; so "IAEA" must be given as "I A E A", while "WASHINGTON" or "BURNS" must stay a word,
or the listener hears "W A S H I N G T O N". News writes words in capitals in datelines
("WASHINGTON (AP) —"), bylines ("By JANIE HAR"), names and emphasis ("you DID download"). The
rules, in order:

- the lists: known letter acronyms (FBI, CEO, AP) are spelled, known word acronyms (NATO) and
  common short English words (DID, YES) are words;
- a run of two or more all-caps words with at least one long pronounceable word among them is
  text in capitals, not a string of acronyms: each word that can be said is read as a word,
  however short ("SAN FRANCISCO", "JANIE HAR");
- alone, a word of three letters or fewer is spelled ("GOP" unknown: letters), a longer one is a
  word if it can be said: its consonant clusters are ones English syllables begin and end with
  ("WASHINGTON" is WA-SHING-TON, "IMPLEMENT" IM-PLE-MENT; "ICBM" ends in "CBM": letters).
"""

from __future__ import annotations

import re

from ._core import word_set

# Read as words; eSpeak says them right as written, so they stay.
WORD_ACRONYMS = word_set(
    "NATO UNESCO UNICEF NASA OPEC COVID AIDS UEFA FIFA ASEAN BRICS HIMARS ATACMS NASDAQ FEMA "
    "TASS ISIS ISIL ICE SWIFT NAFTA NABU SAPO UNIAN OMON GULAG UNRWA OCHA NASAMS SCALP "
    "MANPADS JASSM OSINT HUMINT ECOWAS INTERPOL EUROPOL SARS MERS NIMBY PACE COP DOGE MAGA "
    "LEGO IKEA CERN SIM PIN GIF EFTA IRIS RAM LAN SALT START NEWS"
)
# Read letter by letter even though a rule might take them for words: some could be said
# ("USA", "GOP", "SUV"), and in a run of capitals a sayable word is read as a word.
LETTER_ACRONYMS = (
    word_set(
        "WHO IAEA OSCE ISW IMF AFP AP ICC ICJ EU UN UK US USA UAE SBU HUR GUR ZSU ZNPP NPP KGB "
        "FSB GRU SVR USSR CIA FBI NSA ECB IOC IDF IRGC UNHCR UNDP ICAO OECD GDP CEO NGO EV AI "
        "BBC CNN ABC NBC CBS NPR VOA RFE CET CEST EET EEST GMT UTC BST EST EDT PST PDT CST CDT "
        "MSK ET PT DPR LPR DNR LNR CSTO PM MP MEP ATM EPA DOJ DHS MLRS GLSDB APC IFV UAV UAF AFU "
        "OAS OIC AU WTO WFP ILO IEA UNGA UNSC ECHR PACE NHS GOP SUV USB CPU GPU TV PC PR HR "
        "HTTP HTTPS HTML URL API AM FM ID IQ IRA IRS ISP LED LCD MIT NYC NYPD LAPD OPE RPG SOS "
        "VIP VPN DUI DNA RNA HIV SEC FDA CDC DOD NFL NBA NHL MLB NCAA UFC AOC JFK FDR TBD "
        "FAQ PDF CAD ETA UCLA USC NYU LSE ANC SNP DUP SDP CDU CSU AFD FDP SPD ICBM"
    )
    - WORD_ACRONYMS
)
# All-caps words that are ordinary English words, never acronyms: a shouted headline, or a word
# in capitals for emphasis ("you DID download", "YES!").
CAPS_WORDS = word_set(
    "IT IS IN ON AT TO OF OR AN AS BE BY DO GO HE ME MY NO SO UP WE THE AND FOR NOT BUT YOU "
    "ALL NEW NOW OUT OUR WAR HIS HER ITS ARE WAS HAS HAD CAN MAY SAY LIVE BREAKING UPDATE "
    "VIDEO PHOTO PHOTOS WATCH READ MORE EXCLUSIVE OPINION ANALYSIS I A DID YES YET WHY HOW "
    "ANY ONE TWO TEN BIG BAD OLD OWN GET GOT LET SEE SHE HIM WAY DAY TOO OFF FEW TOP END "
    "HOT SAD MAD NOR ASK YOUR WILL JUST ONLY NEVER EVER VERY MUST DONT NOTE WOW OMG LOL "
    "SAN LOS LAS DEL"
)

_VOWELS = "AEIOUY"
# Consonant clusters an English syllable may begin with (beyond one or two letters, always
# allowed, as before this rule: "NVIDIA" and "GDANSK" stay words).
_ONSETS = word_set(
    "BL BR CH CL CR DR DW FL FR GL GN GR KL KN KR PH PL PR PS SC SH SK SL SM SN SP ST SW TH "
    "TR TW WH WR SCH SCR SHR SPL SPR STR THR CHR PHR SQU"
)
# ... and end with.
_CODAS = word_set(
    "CH CK CT FT GH LD LF LK LL LM LP LT MB MP ND NG NK NS NT PT RB RC RD RF RG RK RL RM RN RP "
    "RS RT SH SK SP SS ST TH TS FF ZZ DS KS LS MS PS GS BS NST RST RNS NTS NDS NGS RDS RTS RKS "
    "LDS LTS MPS NKS CKS RLD RTH NCH TCH RCH LCH LTH NTH GHT XTH NGTH"
)
_CLUSTERS = re.compile(f"[^{_VOWELS}]+")


def _split(cluster: str) -> bool:
    """Whether a cluster between vowels is the end of one syllable and the start of the next."""
    for cut in range(len(cluster) + 1):
        coda, onset = cluster[:cut], cluster[cut:]
        if (len(coda) <= 1 or coda in _CODAS) and (len(onset) <= 1 or onset in _ONSETS):
            return True
    return False


def sayable(word: str) -> bool:
    """Whether an all-caps word could be said as a word: vowels, and clusters English has.

    >>> sayable("WASHINGTON"), sayable("BURNS"), sayable("ICBM"), sayable("HTTP")
    (True, True, False, False)
    """
    if not any(ch in _VOWELS for ch in word) or not word.isalpha():
        return False
    if re.search(f"[{_VOWELS}]{{4}}", word):
        return False  # "IAEA"
    for match in _CLUSTERS.finditer(word):
        cluster = match.group()
        if len(cluster) <= 2:
            continue
        if match.start() == 0:
            ok = cluster in _ONSETS
        elif match.end() == len(word):
            ok = cluster in _CODAS
        else:
            ok = _split(cluster)
        if not ok:
            return False
    return True


def letters_for(word: str) -> bool:
    """Whether one all-caps word standing alone is read as letters: the lists, then shape."""
    if word in LETTER_ACRONYMS:
        return True
    if word in WORD_ACRONYMS or word in CAPS_WORDS:
        return False
    if len(word) <= 3:
        return True
    return not sayable(word)


def spelled(text: str, start: int, end: int) -> bool:
    """Whether text[start:end], an all-caps word, is read as letters where it stands.

    Standing alone, as :func:`letters_for` says. In a run of capitals ("SAN FRANCISCO",
    "JANIE HAR") a short word that could be said is a word, not an acronym, unless a list
    names it or it starts with a vowel (an acronym far more often: "GSYNC IPS Panel", "AMD").
    Longer sayable words are words already.

    >>> spelled("SAN FRANCISCO", 0, 3), spelled("GSYNC IPS Panel", 6, 9), spelled("the FBI", 4, 7)
    (False, True, True)
    """
    word = text[start:end]
    if not letters_for(word):
        return False
    return (
        word in LETTER_ACRONYMS
        or not sayable(word)
        or word[0] in "AEIOU"
        or not in_capitals(text, start, end)
    )


# A stretch of capitals and the spaces and hyphens between them, around one all-caps word.
_RUN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ'’- ")
_RUN_SPLIT = re.compile(r"[\s-]+")


def in_capitals(text: str, start: int, end: int) -> bool:
    """Whether text[start:end], an all-caps word, is part of a run of text in capitals.

    A run is two or more all-caps words in a row, one of them a word of four letters or more
    that can be said and is no known acronym: "JANIE HAR", "ROBERT BURNS", but not "FBI CEO".
    """
    left = start
    while left > 0 and text[left - 1] in _RUN_CHARS:
        left -= 1
    right = end
    while right < len(text) and text[right] in _RUN_CHARS:
        right += 1
    words = _RUN_SPLIT.split(text[left:right])
    if right < len(text) and text[right].isalpha():
        words.pop()  # the capital that starts a word in lower case ("ROBERT Burns")
    words = [w.strip("'’") for w in words if len(w.strip("'’")) >= 2]
    if len(words) < 2:
        return False
    return any(len(w) >= 4 and w not in LETTER_ACRONYMS and sayable(w) for w in words)
