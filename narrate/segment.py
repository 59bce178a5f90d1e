"""Stage 3: cut an :class:`~narrate.model.Article` into speakable :class:`~narrate.model.Segment` s.

The programme opens with the headline, the byline ("By A and B.") and the date ("May 5, 2025."),
worded in the reading voice's language by :mod:`narrate.framing` ("Автор: ...", "5 травня 2025
року."), then reads the body block by block. Headings become their own segments and start a
chapter; paragraphs, list items and blockquotes are split into sentences (abbreviations by the
article's language: "ca. 10 Mio." in German; Chinese and Japanese at 。！？).

Quotations get their own segments (``quoted=True``) so a later stage can give them a second
voice. Only double quotation marks count (“ ”, " ", « », „ “), and a straight mark pairs with a
curly one (pages mix them): an apostrophe or a single quote is far more often a possessive or an
elision than a quotation. A quoted span is split out only
when it reads as a clause someone said; a short scare quote stays inside the narrator's
sentence. A block whose quotation never closes is read by the narrator alone, unless it is the
news convention of a quotation running on over several paragraphs (each one opens with a mark,
only the last one closes).

Pure Python on the standard library; the work is a handful of regular-expression passes per
block, so a long article takes a few milliseconds.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from narrate.framing import Framing, framing_for, primary_language
from narrate.model import Article, Block, Segment, SegmentRole

__all__ = ["Pauses", "segment"]


@dataclass(frozen=True)
class Pauses:
    """Silences, in seconds, that follow a segment according to what comes next."""

    sentence_s: float = 0.35
    paragraph_s: float = 0.7
    heading_s: float = 1.0
    after_title_s: float = 0.9

    def __post_init__(self) -> None:
        for name in ("sentence_s", "paragraph_s", "heading_s", "after_title_s"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"Pauses.{name} must be a finite number >= 0, got {value!r}")


# --- sentence splitting -------------------------------------------------------------------

# Abbreviations that precede a name or a term, so a capital after them never starts a sentence.
_ALWAYS_CONTINUE = frozenset((
    "Mr", "Mrs", "Ms", "Mx", "Dr", "Gen", "Lt", "Col", "Sgt", "Capt", "Maj", "Adm", "Gov", "Sen",
    "Rep", "Rev", "Prof", "Hon", "Rt", "Msgr", "Brig", "Cmdr", "Cpl", "Pvt", "Supt", "Insp",
    "Det", "Amb", "Pres", "vs", "Vs", "e.g", "E.g", "i.e", "I.e",
))  # fmt: skip
# "No." is an abbreviation only in front of a number ("No. 10"); elsewhere it is the word.
_NUMBER_PREFIXES = frozenset({"No", "Nos", "no", "nos", "Nr", "nr"})
# Abbreviations that also end sentences often ("Apple Inc.", "on Main St.", "lives in Mich."):
# they end one only when the next word is a typical sentence opener.
_SOFT_ABBREVIATIONS = frozenset((
    "St", "Jr", "Sr", "Inc", "Co", "Corp", "Ltd", "approx", "Approx", "est", "Est", "Jan",
    "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mon", "Tue",
    "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun", "Mt", "Ft", "Ave", "Blvd",
))  # fmt: skip
# US states as AP style abbreviates them ("ST. JOSEPH, Mich. (AP)", "Tampa, Fla., and"). No name
# follows one, so a capital right after it starts a sentence ("in Chesapeake City, Md. VIP
# tickets"); a bracket, a dash or a lower-case word does not.
_PLACES = frozenset((
    "Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ill", "Ind", "Kan",
    "Kans", "Ky", "La", "Md", "Mass", "Mich", "Minn", "Miss", "Mo", "Mont", "Neb", "Nebr", "Nev",
    "Okla", "Ore", "Pa", "Penn", "Tenn", "Tex", "Va", "Vt", "Wash", "Wis", "Wisc", "Wyo",
))  # fmt: skip
# Words that commonly open an English sentence. After "U.S." or an initial they decide between
# "... backing for the U.S. The deal" (a new sentence) and "U.S. President Trump" (a name).
_SENTENCE_STARTERS = frozenset((
    "A", "An", "The", "This", "That", "These", "Those", "There", "Here", "Then", "Now", "Thus",
    "Hence", "Still", "Yet", "He", "She", "It", "They", "We", "I", "You", "His", "Her", "Its",
    "Their", "Our", "My", "Your", "But", "And", "Or", "So", "Nor", "For", "In", "On", "At",
    "By", "From", "With", "Without", "Under", "Over", "After", "Before", "During", "Since",
    "Until", "While", "When", "Where", "If", "As", "Although", "Though", "Because", "Unless",
    "Once", "Whether", "Despite", "According", "However", "Meanwhile", "Moreover",
    "Furthermore", "Also", "Instead", "Indeed", "Nevertheless", "Nonetheless", "Otherwise",
    "Later", "Earlier", "Last", "Next", "Finally", "Some", "Many", "Most", "Much", "Few",
    "Several", "Both", "Each", "Every", "All", "Any", "No", "None", "Neither", "Either",
    "Other", "Another", "Such", "Only", "Even", "Just", "Not", "What", "Why", "How", "Who",
    "Whom", "Whose", "Which",
))  # fmt: skip


@dataclass(frozen=True)
class _Abbreviations:
    """The abbreviations of one language, added to the English ones (names in any language's
    story carry "Dr." or "Gen."): which never end a sentence, which may, and the words that
    show a new sentence after one that may. ``ordinals``: "am 3. Oktober" (German writes
    ordinals as a number and a period)."""

    always: frozenset[str] = frozenset()
    soft: frozenset[str] = frozenset()
    starters: frozenset[str] = frozenset()
    ordinals: bool = False

    # With the English ones, once: asked at every full stop of every sentence.
    @functools.cached_property
    def all_always(self) -> frozenset[str]:
        return _ALWAYS_CONTINUE | self.always

    @functools.cached_property
    def all_soft(self) -> frozenset[str]:
        return _SOFT_ABBREVIATIONS | self.soft

    @functools.cached_property
    def all_starters(self) -> frozenset[str]:
        return _SENTENCE_STARTERS | self.starters


_ENGLISH = _Abbreviations()
_GERMAN_ALWAYS = frozenset((
    "ca", "Ca", "bzw", "vgl", "Vgl", "ggf", "inkl", "zzgl", "evtl", "sog", "bspw", "z.B", "Z.B",
    "u.a", "U.a", "d.h", "D.h", "z.T", "u.U", "o.ä", "Hr", "Fr", "Hrsg", "Abs", "Bd", "Tel",
    "Mio", "Mrd", "Tsd",
))  # fmt: skip
_GERMAN_STARTERS = frozenset((
    "Der", "Die", "Das", "Den", "Dem", "Des", "Ein", "Eine", "Einer", "Er", "Sie", "Es", "Wir",
    "Ich", "Ihr", "Man", "Dies", "Diese", "Dieser", "Dieses", "Auch", "Aber", "Doch", "Dann",
    "Da", "Damit", "Dabei", "Dazu", "Denn", "So", "Nun", "Noch", "Nur", "Im", "Am", "Bei", "Mit",
    "Nach", "Seit", "Vor", "Wenn", "Als", "Wie", "Was", "Wer", "Wo", "Warum", "Und", "Oder",
    "Zudem", "Außerdem", "Jedoch", "Trotzdem", "Allerdings", "Zum", "Zur", "Für", "Um", "Von",
    "Laut", "Viele", "Alle", "Kein", "Keine",
))  # fmt: skip
_BY_LANGUAGE = {
    "de": _Abbreviations(
        always=_GERMAN_ALWAYS,
        soft=frozenset(("usw", "etc", "Jh", "Jhd", "Str", "St", "Art", "ff", "Std", "Min", "Sek")),
        starters=_GERMAN_STARTERS,
        ordinals=True,
    ),
    # "dll.", "dsb." (etc.) need no entry: they end a sentence before a capital.
    "id": _Abbreviations(
        always=frozenset(("HR", "Jl", "Kec", "Kab", "Drs", "Ir", "dr", "Hj", "KH", "Prov")),
    ),
}

_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # "U.S", "a.m": the token before its last dot
# Terminal punctuation, any closing quotes or brackets, then the space a boundary needs. Dots
# inside "3.5", "example.com" or "a.b@c.org" have no space after them and never match.
_CANDIDATE = re.compile(r"([.!?…]+)([\"'”’»)\]}]*)\s+")
# Chinese and Japanese end sentences with full-width marks and write no space after them; the
# closing brackets and quotes that follow ("。」") stay with the sentence they close.
_CJK_END = re.compile(r"[。！？]+[」』）】〕〉》”’\"')\]]*\s*")
# A quotation closed by its sentence's mark runs on when a quotative particle follows
# ("「もう帰る。」と言った。" is one sentence).
_QUOTATIVE = ("と", "って", "、", "，")
_OPENING_PUNCT = "\"'“‘«„([{¿¡"
_NEXT_WORD = re.compile(r"[\"'“‘«„(\[{¿¡]*([^\W\d_]*)(.?)")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_HAS_WORD = re.compile(r"[^\W_]")
_ENDS_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]}]*$")
_BRACKETS = {"(": ")", "[": "]", "「": "」", "『": "』", "（": "）", "【": "】"}
_CLOSING_BRACKETS = frozenset(_BRACKETS.values())
# A bracketed aside up to this long is read as one piece: its dots are a citation's ("[HR.
# At-Tirmidzi no. 178]") more often than sentence ends. A longer one splits as usual.
_MAX_ASIDE = 200


def _has_word(text: str) -> bool:
    return _HAS_WORD.search(text) is not None


def _asides(text: str) -> list[tuple[int, int]]:
    """(open, close) positions of short bracketed asides."""
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in _BRACKETS:
            stack.append(i)
        elif stack and ch == _BRACKETS[text[stack[-1]]]:
            start = stack.pop()
            if i - start <= _MAX_ASIDE:
                spans.append((start, i))
        elif ch in _CLOSING_BRACKETS:
            stack.clear()  # a stray closer: the brackets do not pair up, trust none
    return spans


def _holds_abbreviation(
    token: str, word: str, after: str, first: str, lang: _Abbreviations
) -> bool:
    """Whether the period after ``token`` belongs to an abbreviation rather than ending a sentence.

    ``word`` is the next word's leading letters, ``after`` the character that follows them and
    ``first`` the next word's first character. Titles match in capitals too ("ST. JOSEPH").
    """
    forms = {token, token[:1] + token[1:].lower()}
    if forms & lang.all_always:
        return True
    if forms & _NUMBER_PREFIXES:
        return first.isdigit()
    is_initial = len(token) == 1 and token.isupper()
    if is_initial and len(word) == 1 and word.isupper() and after == ".":
        return True  # a run of initials: "J. R. R. Tolkien", "J. A. Smith"
    if (
        forms & lang.all_soft
        or is_initial
        or _ACRONYM.fullmatch(token)
        or (lang.ordinals and token.isdigit() and len(token) <= 4)
    ):
        # A digit has no letters, so "Feb. 28" and "approx. 5" hold too.
        return word[:1] + word[1:].lower() not in lang.all_starters
    return False


def _is_boundary(text: str, match: re.Match[str], lang: _Abbreviations) -> bool:
    nxt = _NEXT_WORD.match(text, match.end())
    word, after = (nxt.group(1), nxt.group(2)) if nxt else ("", "")
    first = word[:1] or after
    if not first:
        return True
    # Nothing starts a sentence in lower case: "e.g. the", "Wait... what", "U.S. might".
    if first.islower() or first in ".,;:":
        return False
    terminal, closing = match.group(1), match.group(2)
    token = text[text.rfind(" ", 0, match.start()) + 1 : match.start()].lstrip(_OPENING_PUNCT)
    if terminal == "." and not closing and {token, token[:1] + token[1:].lower()} & _PLACES:
        return text[match.end()].isupper()
    if terminal == "!" and not closing and len(token) == 1 and token.isupper():
        # A one-letter name with its exclamation mark ("E! News"), unless a sentence follows.
        return word[:1] + word[1:].lower() in lang.all_starters
    if "!" in terminal or "?" in terminal or "…" in terminal or ".." in terminal:
        return True
    if closing:
        return True  # 'the end." Next', '(like this.) Next'
    return not _holds_abbreviation(token, word, after, first, lang)


def _split_sentences(text: str, lang: _Abbreviations = _ENGLISH) -> list[str]:
    raw: list[str] = []
    start = 0
    asides = _asides(text)
    cuts: list[tuple[int, int]] = []  # (end of a sentence, start of the next)
    for match in _CANDIDATE.finditer(text):
        inside = any(o < match.start() and match.end(2) <= c for o, c in asides)
        if not inside and _is_boundary(text, match, lang):
            cuts.append((match.end(2), match.end()))
    for match in _CJK_END.finditer(text):
        end = match.start() + len(match.group().rstrip())
        inside = any(o < match.start() and end <= c for o, c in asides)
        closed = text[end - 1] not in "。！？"
        if not inside and not (closed and text.startswith(_QUOTATIVE, end)):
            cuts.append((end, match.end()))
    for end, nxt in sorted(cuts):
        if end > start:
            raw.append(text[start:end])
            start = nxt
    raw.append(text[start:])
    # A wordless piece ("End. *") would be a silent or garbled segment: glue it to a neighbour.
    sentences: list[str] = []
    pending = ""
    for piece in raw:
        piece = piece.strip()
        if not piece:
            continue
        if _has_word(piece):
            sentences.append(f"{pending} {piece}".strip())
            pending = ""
        elif sentences:
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            pending = f"{pending} {piece}".strip()
    return sentences


# --- quotations ---------------------------------------------------------------------------

# Pages mix straight and curly marks ('"Who said so?” he asked.'), so a double quotation
# opened either way closes at the next double closing mark of either kind.
_CLOSERS = {"“": '”"', "«": "»", "„": '“”"', '"': '"”'}
_OPENER = re.compile(r"[“«„\"]")
_ANY_CLOSER = re.compile(r"[”»“\"]")
# A straight double quote opens a quotation only at the start of a word, so inch marks
# ('a 12" screen') and stray closers are left alone.
_STRAIGHT_OPENS_AFTER = frozenset(" ([{—–-/:")
_LEADING_AFTER_QUOTE = re.compile(r"[\s,;:.!?…)\]}—–-]*")
_KEEP_AFTER_QUOTE = frozenset(".!?…)]}")
_TRAILING_BEFORE_QUOTE = re.compile(r"[\s(\[{]*$")
_CLOSING_PUNCT = "\"'”’»)]}"

_Piece = tuple[str, bool]


@dataclass(frozen=True)
class _Scan:
    """Balanced quotation spans (start, end exclusive) and where an unclosed one opens."""

    spans: tuple[tuple[int, int], ...]
    unclosed_at: int | None


def _opens_straight(text: str, at: int) -> bool:
    before = text[at - 1] if at else " "
    after = text[at + 1 : at + 2]
    return (before.isspace() or before in _STRAIGHT_OPENS_AFTER) and bool(after.strip())


def _closing(text: str, at: int, mark: str) -> int | None:
    """Where the quotation opened by ``mark`` at ``at`` closes, or ``None``.

    Inside a curly or angled quotation a straight mark that opens a word starts a nested
    quotation ('“He said "no" to me,” she said'): its own closing mark is skipped, not taken
    for the outer one's.
    """
    closers = _CLOSERS[mark]
    i = at + 1
    while (found := _ANY_CLOSER.search(text, i)) is not None:
        i = found.start()
        ch = text[i]
        if ch in closers:
            if ch == '"' and mark != '"' and _opens_straight(text, i):
                inner = text.find('"', i + 1)
                if inner < 0:
                    return None
                i = inner + 1
                continue
            return i
        i += 1
    return None


def _scan_quotes(text: str) -> _Scan:
    spans: list[tuple[int, int]] = []
    pos = 0
    while (opener := _OPENER.search(text, pos)) is not None:
        at = opener.start()
        mark = opener.group()
        if mark == '"' and not _opens_straight(text, at):
            pos = at + 1
            continue
        close = _closing(text, at, mark)
        if close is None:
            return _Scan(tuple(spans), at)
        end = close + 1
        spans.append((at, end))
        pos = end
    return _Scan(tuple(spans), None)


def _starts_sentence(before: str) -> bool:
    stripped = before.rstrip().rstrip(_CLOSING_PUNCT)
    return not stripped or stripped[-1] in ".!?…:"


def _is_clause(text: str, start: int, end: int) -> bool:
    """Whether a quoted span is something said (own segment) rather than a scare quote.

    Five words always qualify; three or more qualify when they end a sentence inside the marks,
    or end with a comma and open the sentence ('"We will win," he said'). A comma alone is not
    enough mid-sentence: American style puts it inside the marks of scare quotes too
    ('may be "tapping me along," and').
    """
    inner = text[start + 1 : end - 1].strip()
    words = len(_WORD.findall(inner))
    if words >= 5:
        return True
    if words < 3:
        return False
    last = inner[-1:]
    return last in ".!?…" or (last == "," and _starts_sentence(text[:start]))


def _tidy(pieces: list[_Piece]) -> list[_Piece]:
    """Trim narrator text around quotations and drop pieces with no words.

    Punctuation between a quotation and its attribution (', Peskov said.') is not worth a
    segment; a period or bracket that closes the quotation moves onto it instead.
    """
    out: list[_Piece] = []
    carry = ""
    for k, (text, quoted) in enumerate(pieces):
        if quoted:
            text, carry = carry + text, ""
        else:
            if k > 0 and pieces[k - 1][1]:
                lead = _LEADING_AFTER_QUOTE.match(text)
                if lead is not None:
                    moved = "".join(c for c in lead.group() if c in _KEEP_AFTER_QUOTE)
                    if moved and out:
                        out[-1] = (out[-1][0] + moved, out[-1][1])
                    text = text[lead.end() :]
            if k + 1 < len(pieces) and pieces[k + 1][1]:
                trail = _TRAILING_BEFORE_QUOTE.search(text)
                if trail is not None:
                    carry = "".join(trail.group().split())
                    text = text[: trail.start()]
        text = text.strip()
        if _has_word(text):
            out.append((text, quoted))
    return out


def _pieces(text: str, scan: _Scan, runs_on: bool) -> list[_Piece]:
    """Cut a paragraph into narrator and quoted pieces, in order."""
    spans = list(scan.spans)
    if scan.unclosed_at is not None:
        if not runs_on:
            return [(text, False)]
        spans.append((scan.unclosed_at, len(text)))
    pieces: list[_Piece] = []
    cursor = 0
    for start, end in spans:
        # A quotation running on into the next paragraph is speech, however short this part.
        if start == scan.unclosed_at or _is_clause(text, start, end):
            pieces.append((text[cursor:start], False))
            pieces.append((text[start:end], True))
            cursor = end
    pieces.append((text[cursor:], False))
    return _tidy(pieces)


def _runs_on(
    blocks: tuple[Block, ...], texts: list[str], scans: list[_Scan | None], i: int
) -> bool:
    """Whether block ``i``'s unclosed quotation continues into the next paragraph."""
    scan = scans[i]
    if scan is None or scan.unclosed_at is None or i + 1 >= len(blocks):
        return False
    nxt = texts[i + 1]
    return blocks[i + 1].kind == blocks[i].kind and nxt[:1] in _CLOSERS


# --- the stage ----------------------------------------------------------------------------


def _with_stop(text: str) -> str:
    """End ``text`` with terminal punctuation so the engine drops its pitch."""
    text = text.rstrip(" ,;:—–-")
    if not text or _ENDS_TERMINAL.search(text):
        return text
    return text + "."


def _clean(text: str) -> str:
    return " ".join(text.split())


def segment(
    article: Article, pauses: Pauses | None = None, framing: Framing | None = None
) -> list[Segment]:
    """Split ``article`` into segments in reading order, indexed from 0.

    Title, byline and date come first (block -1, chapter "Introduction"); body text before
    the first heading is chapter "Article", and each heading starts a chapter of its own name.
    ``framing`` gives the byline word, the date's form and those two chapter titles in the
    reading voice's language (default: the article's, :func:`~narrate.framing.framing_for`).
    ``spoken`` is left empty for the normalize stage.
    """
    pauses = pauses or Pauses()
    framing = framing or framing_for(article.language)
    lang = _BY_LANGUAGE.get(primary_language(article.language), _ENGLISH)
    segments: list[Segment] = []

    def add(text: str, role: SegmentRole, block: int, quoted: bool, pause: float, ch: str) -> None:
        segments.append(
            Segment(
                index=len(segments),
                text=text,
                role=role,
                block=block,
                quoted=quoted,
                pause_after_s=pause,
                chapter=ch,
            )
        )

    intro = framing.intro_chapter
    title = _with_stop(_clean(article.title))
    if _has_word(title):
        add(title, "title", -1, False, pauses.after_title_s, intro)
    authors = [name for name in map(_clean, article.authors) if _has_word(name)]
    byline = framing.byline(authors)
    if byline is not None:
        add(_with_stop(byline), "byline", -1, False, pauses.after_title_s, intro)
    spoken_date = framing.spoken_date(article.published)
    if spoken_date is not None:
        add(spoken_date, "date", -1, False, pauses.after_title_s, intro)

    blocks = article.blocks
    texts = [_clean(block.text) for block in blocks]
    scans: list[_Scan | None] = [
        _scan_quotes(text) if block.kind in ("paragraph", "list_item") else None
        for block, text in zip(blocks, texts, strict=True)
    ]
    chapter = framing.body_chapter
    for i, block in enumerate(blocks):
        text = texts[i]
        if not _has_word(text):
            continue
        if block.kind == "heading":
            chapter = text
            add(text, "heading", i, False, pauses.heading_s, chapter)
            continue
        scan = scans[i]
        if scan is None:
            pieces: list[_Piece] = [(text, True)]  # a blockquote is all quotation
        else:
            pieces = _pieces(text, scan, _runs_on(blocks, texts, scans, i))
        sentences = [(s, quoted) for piece, quoted in pieces for s in _split_sentences(piece, lang)]
        for k, (sentence, quoted) in enumerate(sentences):
            last = k == len(sentences) - 1
            pause = pauses.paragraph_s if last else pauses.sentence_s
            add(sentence, "body", i, quoted, pause, chapter)
    return segments
