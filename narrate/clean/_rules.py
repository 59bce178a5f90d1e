"""What is never spoken, recognised by its form: one predicate per kind of furniture.

These rules run on the blocks the votes chose (see ``_select``), so they only have to tell
furniture from prose inside an article, not find the article. Each predicate is a named
function; :func:`furniture` says which one (if any) rejects a block, for tests and debugging.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ._dom import DomBlock, in_embedded_post
from ._select import is_voted

# Lines that are labels, not prose. Whole-line matches, case-insensitive, several languages.
_LABEL = re.compile(
    r"""^(?:
        this\ audio\ is\ (?:created|generated)\ with\ ai(?:\ assistance)?
      | (?:listen\ to|hear)\ (?:this\ )?(?:article|story)(?:\ \d+\ min(?:ute)?s?)?
      | \d+\ min(?:ute)?s?\ (?:read|listen)
      | (?:estimated\ )?read(?:ing)?\ time:?\ .{0,20}
      | tempo\ de\ leitura:?.{0,20} | lesezeit:?.{0,20} | waktu\ baca:?.{0,20}
      | advertisement | advertisements | advert | adverts | ad | ads | sponsored(?:\ content)?
      | anzeige | werbung | pubblicità | publicidade | publicidad | iklan | реклама | 광고
      | 広告 | スポンサーリンク | 赞助
      | close | skip | skip\ ad | continue\ reading | read\ more | more | learn\ more | show\ more
      | home | back\ to\ top | explore\ further
      | (?:read|see)\ also | also\ read | leggi\ anche | lesen\ sie\ auch | mehr\ zum\ thema
      | leia\ também | veja\ também | lea\ también | baca\ juga | simak\ juga | lihat\ juga
      | читайте\ также | смотрите\ также | 관련\ ?기사 | 関連記事
      | (?:\d+\ )?comments? | leave\ a\ (?:comment|reply) | tell\ us\ what\ you\ think
      | share | share\ (?:this|it)(?:\ (?:article|story|post))?(?:\ on\ \w+)?
      | (?:like|enjoy(?:ed)?)\ this\ (?:story|article)\?.{0,60}
      | print(?:\ this\ article)? | e-?mail(?:\ this\ article)? | copy\ link | get\ short\ url
      | don'?t\ miss | must\ read | most\ (?:popular|read)
      | related(?:\ (?:articles?|stories|posts|content|coverage|topics))?
      | (?:filed\ under|tags?|tagged|topics?|categor(?:y|ies)):.{0,120}
      | (?:updated|published|posted)(?:\ on|\ at)?:?\ (?:\d|[a-z]{3,9}\.?,?\ \d).{0,40}
      | photo | photos | image | video | gallery | see\ more\ photos:?
      | \*?\ ?indicates\ required(?:\ field)?
    )[.!:|]*$""",
    re.IGNORECASE | re.VERBOSE,
)

# "Read more: <headline>" and its kin: a label, a colon, then the linked headline. A dash is
# not enough: "Also – and this matters – ..." starts prose.
_READ_MORE = re.compile(
    r"""^\(?\s*(?:
        read\ more | read\ also | also\ read | see\ more | see\ also | more | related(?:\ \w+)?
      | also\ on\ [\w.]+ | also | recommended | watch | listen | pictured | opinion
      | lesen\ sie\ (?:auch|mehr) | mehr\ zum\ thema | auch\ interessant
      | leggi\ anche(?:\ su)? | leia\ (?:também|mais) | veja\ (?:também|mais) | lea\ también
      | baca\ juga | simak\ juga | lihat\ juga | читайте\ также | смотрите\ также
      | 관련\ ?기사 | 関連記事 | あわせて読みたい
    )\s*[:：|]""",
    re.IGNORECASE | re.VERBOSE,
)

# A caption or credit: the block ends with who took the picture.
_CREDIT = re.compile(
    r"""(?:
        \(\s*(?:photo|image|picture|pictured|credit|foto|bild|getty|reuters|ap|afp
            |фото|사진|写真)s?\b[^()]{0,80}\)
      | (?:photo|image|picture|credit|foto|bild|illustration|фото|사진|写真)s?\s*(?:credit)?
            \s*[:：]\s*[^.!?。]{0,80}
      | ©\s*[^.!?]{0,80}
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

# Calls to action: sign up, subscribe, download the app, follow us.
_CALL_TO_ACTION = re.compile(
    r"""\b(?:
        sign\ up | subscribe | newsletter | click\ here | tap\ here | download\ (?:the|our)
      | get\ the\ \w+(?:\ \w+)?\ app | follow\ (?:us|the\ [\w ]{2,40}?\ on)
      | buy\ now | shop\ now
      | abonnieren | iscriviti | inscreva-se | berlangganan | подпис(?:ывайтесь|аться|ка)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)

# A line crediting the reporting, as agencies append it: "(Reporting by ...)", "... contributed
# to this report."
_CONTRIBUTORS = re.compile(
    r"""^\(?(?:reporting|additional\ reporting|writing|editing)\ by\b
      | \bcontributed\ (?:reporting|to\ this\ (?:report|story|article))""",
    re.IGNORECASE | re.VERBOSE,
)

# What an embedded post leaves behind when its markup is gone (pages copied or re-rendered
# without the embed's class): the post's text ending in its picture link as plain text, and its
# attribution line "— Name (@handle) November 19, 2019". (A post still marked up is quoted, its
# picture link and attribution dropped: see narrate.clean._dom.)
_POST_PICTURE = re.compile(r"\bpic\.twitter\.com/\w+\s*$", re.IGNORECASE)
_POST_ATTRIBUTION = re.compile(r"^[—–-]\s*[^()]{1,80}\(@\w{1,30}\)\s*.{0,40}$")

# The site's notices, not the story: copyright lines, a "Citation: ... retrieved ... from"
# block, comment moderation notes.
_RIGHTS = re.compile(
    r"""^(?:©|\(c\)\s|copyright\s*(?:©|\(c\)|\d{4}))
      | \ball\ rights\ reserved\b
      | \bthis\ (?:document|material|article|content)\ is\ (?:subject\ to|protected\ by)\ copyright
      | \b(?:todos\ los\ derechos\ reservados|alle\ rechte\ vorbehalten
          |tutti\ i\ diritti\ riservati|todos\ os\ direitos\ reservados|tous\ droits\ réservés
          |все\ права\ защищены|hak\ cipta\ dilindungi)""",
    re.IGNORECASE | re.VERBOSE,
)
_CITATION = re.compile(r"^citation:.{0,400}\bretrieved\b.{0,80}\bfrom\b", re.IGNORECASE)
_MODERATION = re.compile(
    r"\bmoderat\w*\b.{0,80}\bcomments?\b|\bcomments?\b.{0,80}\bmoderat\w*", re.IGNORECASE
)
_NOTICE_MAX_WORDS = 60
# A link to more at the end of a teaser or a list item: "Why it is promising. (More)".
_MORE_LINK = re.compile(
    r"\s*(?:\((?:read\ )?more\)|\[(?:read\ )?more\]|(?:read\ )?more\s*[»›→])\s*$", re.IGNORECASE
)
_ELLIPSIS = ("...", "…")

# Any web address, for lines that are nothing else.
_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:[\w-]+\.)+(?:com|org|net|co|io|ly|gl|me|tv)/\S*", re.IGNORECASE
)
# A raw link inside prose: read out in full it is noise, so only its host is kept
# ("https://www.example.org/a/b.pdf" becomes "example.org").
_RAW_LINK = re.compile(r"\bhttps?://(?:www\.)?([^/\s?#]+)\S*", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"\w+")

# How many blocks at each end of the article a call to action may hide in.
_EDGE_HEAD = 2
_EDGE_TAIL = 5
_MAX_LINK_DENSITY = 0.8
_CTA_MAX_WORDS = 60
_DATELINE_MAX_WORDS = 10
# A clock time, a numeric date, or a year with a day number beside it ("April 14, 2025",
# "14 квітня 2025"): a year alone ("2018 Theatre Series") is not a date line.
_DATE_OR_TIME = re.compile(
    r"""\b\d{1,2}:\d\d\b
      | \b\d{1,4}[-./]\d{1,2}[-./]\d{1,4}\b
      | \b\d{1,2}\b\D{1,20}\b(?:1[89]|20)\d\d\b
      | \b(?:1[89]|20)\d\d\b\D{1,20}\b\d{1,2}\b""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Context:
    """What the rules know about the article the block sits in."""

    title_tokens: tuple[str, ...]
    position: int
    count: int

    @property
    def at_tail(self) -> bool:
        """Among the last blocks, where sites put notices and contributor lines."""
        return self.position >= self.count - _EDGE_TAIL

    @property
    def at_edge(self) -> bool:
        """Among the first or last blocks, where buttons and navigation words sit."""
        return self.position < _EDGE_HEAD or self.at_tail


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def unvoted(block: DomBlock, context: Context) -> bool:
    """No method found the block's text: not the article, whatever its place in the page.

    Embedded posts (tweets ...) inside the article are quoted by the story itself, and
    marked up as such; the methods often drop them with the widget around them.
    """
    return not is_voted(block) and not in_embedded_post(block.owner)


def title(block: DomBlock, context: Context) -> bool:
    """The headline again, read by narrate before the body anyway."""
    return bool(context.title_tokens) and tuple(_words(block.text)) == context.title_tokens


def leading_h1(block: DomBlock, context: Context) -> bool:
    """A top-level heading before the body: the headline as the page shows it."""
    return block.level == 1 and context.position == 0


def dateline(block: DomBlock, context: Context) -> bool:
    """A short line at the top with a year or a clock time: a byline and date, not prose."""
    return (
        context.position < _EDGE_HEAD
        and block.kind != "heading"
        and len(block.text.split()) <= _DATELINE_MAX_WORDS
        and bool(_DATE_OR_TIME.search(block.text))
        and not block.text.rstrip().endswith((".", "!", "?", "。"))
    )


def link_list(block: DomBlock, context: Context) -> bool:
    """A paragraph or list item that is all link: a related story or a shop button."""
    return (
        block.kind in ("paragraph", "list_item")
        and block.link_density >= _MAX_LINK_DENSITY
        and not block.owner.xpath("ancestor::blockquote")
    )


def label(block: DomBlock, context: Context) -> bool:
    """A label ("Advertisement", "Listen to this article", "Read more: ...")."""
    text = block.text.strip()
    return bool(_LABEL.match(text) or _READ_MORE.match(text))


def caption(block: DomBlock, context: Context) -> bool:
    """A caption that ends with its credit ("... (Image: Getty)")."""
    return (
        block.kind != "quote" and len(block.text.split()) <= 60 and bool(_CREDIT.search(block.text))
    )


def teaser(block: DomBlock, context: Context) -> bool:
    """The headline again with the start of the story, cut off: a card linking to this very
    article ("With shattered dreams, deportees return home NEW DELHI: Their ... the...")."""
    words = tuple(_words(block.text))
    size = len(context.title_tokens)
    return (
        size > 0
        and len(words) > size
        and words[:size] == context.title_tokens
        and block.text.rstrip().endswith(_ELLIPSIS)
    )


def notice(block: DomBlock, context: Context) -> bool:
    """The site's notice: copyright, a citation of the page, a note on comment moderation."""
    text = block.text.strip()
    if len(text.split()) > _NOTICE_MAX_WORDS:
        return False
    if _RIGHTS.search(text) or _CITATION.match(text):
        return True
    return context.at_tail and bool(_MODERATION.search(text))


def embed_residue(block: DomBlock, context: Context) -> bool:
    """The text or attribution line of a social post whose embed markup was lost."""
    text = block.text.strip()
    return bool(_POST_PICTURE.search(text) or _POST_ATTRIBUTION.match(text))


def bare_address(block: DomBlock, context: Context) -> bool:
    """Only a URL or an e-mail address: never read out."""
    rest = _EMAIL.sub(" ", _ADDRESS.sub(" ", block.text))
    return not _WORD.search(rest)


def call_to_action(block: DomBlock, context: Context) -> bool:
    """ "Sign up", "Subscribe", "Download our app" near the start or end of the article."""
    return (
        context.at_edge
        and len(block.text.split()) <= _CTA_MAX_WORDS
        and bool(_CALL_TO_ACTION.search(block.text))
    )


def contributors(block: DomBlock, context: Context) -> bool:
    """An agency's credit line at the end: "(Reporting by ...)", "... contributed reporting"."""
    return context.at_tail and bool(_CONTRIBUTORS.search(block.text))


Rule = Callable[[DomBlock, Context], bool]
RULES: tuple[Rule, ...] = (
    unvoted,
    title,
    teaser,
    leading_h1,
    dateline,
    link_list,
    label,
    caption,
    embed_residue,
    notice,
    bare_address,
    call_to_action,
    contributors,
)


def furniture(block: DomBlock, context: Context) -> str | None:
    """The name of the first rule that rejects the block, or ``None`` if it is prose."""
    for rule in RULES:
        if rule(block, context):
            return rule.__name__
    return None


def drop_more_link(text: str) -> str:
    """The text without a trailing "(More)" link, which read out is a stray word."""
    return _MORE_LINK.sub("", text)


def shorten_raw_links(text: str) -> str:
    """The text with each raw ``http(s)://`` link cut to its host, which a listener can use."""
    if "://" not in text:
        return text
    return _RAW_LINK.sub(_host, text)


def _host(match: re.Match[str]) -> str:
    return match.group(1).rstrip(".,;:)")


def title_tokens(title: str | None) -> tuple[str, ...]:
    """The headline's words, for comparing with blocks."""
    return tuple(_words(title or ""))
