"""The cleaner keeps the article and drops everything a listener must never hear."""

from __future__ import annotations

import pytest
from conftest import EXAMPLE, EXAMPLE_FORBIDDEN, EXAMPLE_PARAGRAPHS, FIXTURES

from narrate.clean import clean
from narrate.errors import ExtractionError
from narrate.model import Article, Block, Page


def _page(html: str) -> Page:
    return Page(html=html, source="test.html")


def test_example_keeps_the_ten_paragraphs_in_order_and_nothing_else() -> None:
    article = clean(_page(EXAMPLE.read_text(encoding="utf-8")))
    assert [b.kind for b in article.blocks] == ["paragraph"] * 10
    for block, start in zip(article.blocks, EXAMPLE_PARAGRAPHS, strict=True):
        assert block.text.startswith(start)
    body = article.body_text()
    for phrase in EXAMPLE_FORBIDDEN:
        assert phrase not in body
    assert (
        article.title
        == "'Meeting is clearly on the radar' — Kremlin on potential Trump-Putin meeting"
    )
    assert article.authors == ("Kateryna Hodunova",)
    assert article.byline == "Kateryna Hodunova"
    assert article.published == "2025-05-05T21:13:00+03:00"
    assert article.site_name == "The Kyiv Independent"
    assert article.language == "en"
    assert article.image_url and article.image_url.startswith("https://")


BLOG = """<!doctype html><html lang="en-GB"><head><title>Bridge reopens after repairs - Town Post</title>
<meta property="og:site_name" content="Town Post"></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<div class="share-bar"><a>Share on Facebook</a><a>Share on X</a></div>
<main><article class="post">
<h1>Bridge reopens after repairs</h1>
<div class="byline">By Ann Smith</div>
<div class="listen-widget"><button>Play</button><span>Listen to this article</span></div>
<figure><img src="b.jpg" alt="The old bridge at dusk"><figcaption>The bridge at dusk. Photo: John Doe</figcaption></figure>
<div class="entry-content">
<p>The Mill Street bridge reopened to traffic on Monday after eight months of repairs that cost the council far more than planned.</p>
<h2>What changed</h2>
<p>Engineers replaced the deck and two of the piers, and added a wider footpath on the north side of the crossing.</p>
<blockquote><p>We are delighted that residents can finally use the bridge again after such a long wait.</p></blockquote>
<ul><li>New deck and piers for the whole span.</li><li>A wider footpath on the north side.</li></ul>
<div class="newsletter-signup"><h3>Sign up for our newsletter</h3><form><input type="email"><button>Subscribe</button></form></div>
<p>Traffic on the bypass is expected to fall by a third now that the bridge carries cars again.</p>
<div class="ad-slot">Advertisement</div>
</div>
<aside class="related-posts"><h3>Related</h3><a>Council approves budget for new library branch in the town centre</a></aside>
<div class="author-box">Ann Smith covers transport for the Town Post.</div>
</article></main>
<footer>© Town Post. All rights reserved. Privacy policy. Terms.</footer></body></html>"""


def test_blog_page_keeps_headings_quotes_lists_and_drops_furniture() -> None:
    article = clean(_page(BLOG))
    kinds = [(b.kind, b.text[:20]) for b in article.blocks]
    assert ("heading", "What changed") in kinds
    assert any(kind == "quote" for kind, _ in kinds)
    assert [b.text for b in article.blocks if b.kind == "list_item"] == [
        "New deck and piers for the whole span.",
        "A wider footpath on the north side.",
    ]
    body = article.body_text()
    for phrase in (
        "Share on",
        "Listen to this article",
        "Photo:",
        "old bridge at dusk",
        "Sign up",
        "Subscribe",
        "Advertisement",
        "Related",
        "Council approves",
        "covers transport",
        "All rights reserved",
        "Sport",
    ):
        assert phrase not in body, phrase
    assert body.splitlines()[-1].startswith("Traffic on the bypass")
    assert article.title == "Bridge reopens after repairs"
    assert article.authors == ("Ann Smith",)
    assert article.language == "en-GB"


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><nav><a>Home</a><a>News</a></nav><p>Welcome.</p></body></html>",
        "<html><head><title>Nothing</title></head><body></body></html>",
        "<html><body><form><input><button>Subscribe to our newsletter</button></form></body></html>",
    ],
)
def test_a_page_without_an_article_raises(html: str) -> None:
    with pytest.raises(ExtractionError, match=r"No article found in test.html"):
        clean(_page(html))


# --------------------------------------------------------------------------- speech cleanliness

CLEAN_FIXTURES = FIXTURES / "clean"


def _clean_fixture(name: str) -> Article:
    path = CLEAN_FIXTURES / name
    return clean(Page(html=path.read_text(encoding="utf-8"), source=str(path)))


@pytest.fixture(scope="module")
def ferry() -> Article:
    """A WordPress news post with every kind of furniture around ten blocks of story."""
    return _clean_fixture("wordpress_ferry.html")


def test_wordpress_page_keeps_the_story_in_order(ferry: Article) -> None:
    assert [(b.kind, b.text[:40]) for b in ferry.blocks] == [
        ("paragraph", "The Island Queen carried its first passe"),
        ("paragraph", "The ferry was taken out of service in No"),
        ("paragraph", "Passengers on the first crossing said th"),
        ("heading", "A new timetable"),
        ("paragraph", "From next week the ferry will run every "),
        ("list_item", "Weekday crossings rise from eight to ele"),
        ("list_item", "The first sailing leaves the island at s"),
        ("list_item", "Cars must be booked at least a day ahead"),
        ("paragraph", "The council's transport committee will r"),
        ("quote", "We know people on the island have had a "),
        ("quote", "Bayline's operations manager, Rhys Owen"),
        ("paragraph", "Bayline said the full cost of the repair"),
        ("paragraph", "The next review of ferry services across"),
    ]
    assert ferry.title == "Harbour ferry returns after a winter of repairs"
    assert ferry.authors == ("Megan Price",)


@pytest.mark.parametrize(
    ("what", "phrases"),
    [
        ("player labels", ["Listen to this article", "AI assistance", "4 min", "Play"]),
        ("share bar", ["Share on", "Copy link", "Email"]),
        ("image alt text", ["grey morning", "diesel engine into the hull"]),
        ("captions and credits", ["Photo: Tom Hale", "leaving the harbour on Monday", "(Image"]),
        ("ad labels", ["Advertisement"]),
        ("read more blocks", ["READ MORE", "fares to rise", "SEE ALSO", "school to close"]),
        ("related and popular", ["Related stories", "Harbour wall repairs", "Lifeboat crew"]),
        ("sign-up forms", ["Sign up", "Subscribe", "Courier Morning", "Email address", "inbox"]),
        ("headline furniture", ["new engine and a new timetable", "By Megan", "April 14"]),
        ("tags, bio, comments", ["Tagged", "About Megan", "covers transport", "Leave a Reply"]),
        ("site furniture", ["Skip to content", "What's On", "All rights reserved"]),
        ("bare URLs", ["https://", "timetables/island-queen", "bayline-contract-2019.pdf"]),
    ],
)
def test_wordpress_page_never_speaks(ferry: Article, what: str, phrases: list[str]) -> None:
    body = ferry.body_text()
    for phrase in phrases:
        assert phrase not in body, f"{what}: {phrase!r} is spoken"


def test_a_raw_link_in_a_sentence_is_cut_to_its_host(ferry: Article) -> None:
    sentence = next(b.text for b in ferry.blocks if b.text.startswith("Bayline said"))
    assert "Details of the contract are published at example.org for anyone" in sentence


def test_russian_page_keeps_its_story_and_drops_labels_byline_and_related() -> None:
    article = _clean_fixture("news_ru.html")
    body = article.body_text()
    assert body.startswith("В воскресенье в Казани открыли движение по новому мосту")
    assert body.endswith("утвердят новые маршруты автобусов и троллейбусов.")
    assert any(b.kind == "quote" and b.text.startswith("Мы обещали") for b in article.blocks)
    for phrase in (
        "Читайте также",
        "трамвайных маршрута",
        "Реклама",
        "Поделиться",
        "ВКонтакте",
        "Фото:",
        "Анна Смирнова",
        "2 марта 2025",
        "Пробки в центре",
        "Все права защищены",
    ):
        assert phrase not in body, phrase
    assert article.title == "В Казани открыли новый мост через Казанку"
    assert article.language == "ru"


def test_japanese_page_without_spaces_is_long_enough_and_drops_labels() -> None:
    article = _clean_fixture("blog_ja.html")
    body = article.body_text()
    assert len(article.blocks) == 5
    assert body.startswith("京都市の中心部にある築百年の町家が")
    assert ("heading", "これからの計画") in [(b.kind, b.text) for b in article.blocks]
    for phrase in (
        "スポンサーリンク",
        "写真",
        "関連記事",
        "ツイート",
        "タグ",
        "人気記事",
        "投稿者",
        "Copyright",
    ):
        assert phrase not in body, phrase
    assert article.authors == ("田中花子",)


def test_a_japanese_page_counts_characters_not_spaces_as_words() -> None:
    # Five sentences without a single space: 180 characters, about 90 words of Japanese.
    text = (
        "町家の図書館には近所の人たちが毎日のように集まり、本を読んだり話をしたりしています。" * 4
    )
    html = (
        f"<html lang='ja'><body><article><h1>町家の図書館</h1><p>{text}</p></article></body></html>"
    )
    assert clean(_page(html)).blocks[0].text == text


# --------------------------------------------------------------------------- structure


def test_table_rows_are_read_one_row_a_line() -> None:
    rows = "".join(
        f"<tr><td>Player {n}</td><td>{n * 7}</td><td>{n} tackles</td></tr>" for n in range(1, 5)
    )
    prose = (
        "<p>" + "The defence held firm for the whole of the second half of the game. " * 3 + "</p>"
    )
    html = f"<html><body><article>{prose}<table><tbody>{rows}</tbody></table>{prose}</article></body></html>"
    lines = clean(_page(html)).body_text().splitlines()
    assert lines[1:5] == [f"Player {n} {n * 7} {n} tackles" for n in range(1, 5)]


def test_an_embedded_post_is_read_as_a_quote_without_its_furniture() -> None:
    # The story quotes the post ("wrote on Twitter:"); a listener must not hear its picture
    # link nor "— City FC (@cityfc) May 5, 2025" after it (the review of 91 pages heard both).
    prose = (
        "<p>" + "The club confirmed the appointment in a short statement on Tuesday. " * 3 + "</p>"
    )
    # The widget around it is named like furniture, and the methods drop embeds.
    tweet = (
        '<div class="article-widget social-embed"><blockquote class="twitter-tweet">'
        '<p lang="en">Welcome to the club, boss. We cannot wait to get started this season. '
        '<a href="https://t.co/x1">pic.twitter.com/dUO6AJlMxR</a></p>'
        '&mdash; City FC (@cityfc) <a href="https://twitter.com/cityfc/status/1">May 5, 2025</a>'
        "</blockquote></div>"
    )
    html = f"<html><body><article>{prose}{tweet}{prose}</article></body></html>"
    article = clean(_page(html))
    assert article.blocks[1] == Block(
        "quote", "Welcome to the club, boss. We cannot wait to get started this season."
    )
    body = article.body_text()
    assert "@cityfc" not in body and "pic.twitter" not in body and "May 5, 2025" not in body
    assert len(article.blocks) == 3


def test_a_hover_card_is_dropped_and_the_name_that_opens_it_kept() -> None:
    card = (
        '<span class="rollover-people"><a class="rollover-people-link" href="/p/ann">Ann Lee</a>'
        '<span class="rollover-people-block"><span class="rollover-block"><a href="/p/ann">'
        'Ann Lee</a><a href="/x">Latest: Council delays the vote on parking charges</a>'
        '<a class="more" href="/p/ann">MORE</a></span></span></span>'
    )
    html = _story(f"<p>The plan was proposed by councillor {card} (Ind.), who chairs it.</p>")
    body = clean(_page(html)).body_text()
    assert "The plan was proposed by councillor Ann Lee (Ind.), who chairs it." in body
    assert "parking" not in body


def test_a_more_link_ending_a_list_item_is_not_read() -> None:
    items = "".join(
        f"<li>Why option {n} of the harbour plan is promising. <a href='#s{n}'>(More)</a></li>"
        for n in range(1, 4)
    )
    body = clean(_page(_story(f"<ul>{items}</ul>"))).body_text()
    assert "More" not in body
    assert "Why option 1 of the harbour plan is promising." in body.splitlines()


def test_a_wrapper_named_like_furniture_is_kept_when_it_holds_the_story() -> None:
    story = [
        f"<p>Paragraph {n} of the story, long enough to be prose and not a label or a link.</p>"
        for n in range(1, 7)
    ]
    html = (
        "<html><body><div class='story'>"
        f"<div class='l-sidebar-fixed l-article-body'>{''.join(story[:4])}</div>"
        f"<div class='sidebar'><p>Popular: five things to do this weekend.</p></div>"
        f"<div class='l-article-body'>{''.join(story[4:])}</div>"
        "</div></body></html>"
    )
    body = clean(_page(html)).body_text()
    assert body.splitlines()[0].startswith("Paragraph 1 of the story")
    assert body.splitlines()[-1].startswith("Paragraph 6 of the story")
    assert "five things" not in body


def test_cleaner_metadata_matches_the_full_page_metadata() -> None:
    """The cleaner reads metadata from a skeleton of the page; it must agree with the page."""
    from bs4 import BeautifulSoup

    from narrate.clean import _dom
    from narrate.metadata import extract_metadata

    pages = sorted((FIXTURES / "metadata").glob("*.html")) + sorted(CLEAN_FIXTURES.glob("*.html"))
    assert len(pages) >= 7
    for path in [*pages, EXAMPLE]:
        html = path.read_text(encoding="utf-8")
        root = _dom.parse(html)
        assert root is not None
        url = "https://example.org/news/story/"
        skeleton = extract_metadata(BeautifulSoup(_dom.metadata_skeleton(root), "lxml"), url)
        assert skeleton == extract_metadata(BeautifulSoup(html, "lxml"), url), path.name


def _story(middle: str, end: str = "", head: str = "") -> str:
    paragraph = (
        "<p>{} The harbour board met on Tuesday and agreed the plan after a long debate.</p>"
    )
    first = "".join(paragraph.format(f"Part {n}.") for n in range(1, 4))
    last = "".join(paragraph.format(f"Part {n}.") for n in range(4, 7))
    return (
        "<html><head><title>Board backs harbour plan</title></head><body><article>"
        f"{head}{first}{middle}{last}{end}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("html", "unspoken"),
    [
        pytest.param(
            _story("", head="<h1>Harbour plan wins the vote</h1>").replace(
                "<head>", '<head><meta property="og:title" content="Board backs harbour plan">'
            ),
            "wins",
            id="headline as shown",
        ),
        pytest.param(_story("<h2>Board backs harbour plan</h2>"), "backs", id="headline-again"),
        pytest.param(
            _story('<p><a href="/x">Council to vote on the new parking charges next month</a></p>'),
            "parking",
            id="all-link paragraph",
        ),
        pytest.param(
            _story("<p>Related: <a href='/x'>Ferry fares rise again</a></p>"), "fares", id="related"
        ),
        pytest.param(_story("<p>ADVERTISEMENT</p>"), "ADVERTISEMENT", id="ad label"),
        pytest.param(_story("<p>Listen to this article 3 min</p>"), "Listen", id="player label"),
        pytest.param(
            _story("<p>The board chair at the meeting (Photo: Jane Doe/Harbour Post)</p>"),
            "chair",
            id="caption",
        ),
        pytest.param(_story("<p>www.example.org/harbour/plan-2025</p>"), "example", id="bare URL"),
        pytest.param(
            _story("", end="<p>(Reporting by Jane Doe; editing by John Roe)</p>"),
            "Reporting",
            id="agency credit",
        ),
        pytest.param(
            _story("", end="<p>Get the Harbour Post app to read more stories like this one.</p>"),
            "app",
            id="call to action",
        ),
        pytest.param(
            _story("", head="<p>By Jane Doe, May 5, 2025 10:30</p>"), "Jane", id="date line"
        ),
        pytest.param(
            _story("", end="<p>© 2019 Harbour Post. All Rights Reserved. Do not redistribute.</p>"),
            "Rights",
            id="copyright line",
        ),
        pytest.param(
            _story(
                "",
                end="<p>Citation: Board backs harbour plan (2019, November 18) retrieved 20"
                " November 2019 from harbourpost.example</p>"
                "<p>This document is subject to copyright. No part may be reproduced.</p>",
            ),
            "retrieved",
            id="citation block",
        ),
        pytest.param(
            _story(
                "",
                end="<p>Note: we are temporarily moderating all comments submitted to deal with"
                " a surge in spam.</p>",
            ),
            "moderating",
            id="comment moderation note",
        ),
        pytest.param(_story("", end="<p>Home</p>"), "Home", id="navigation word"),
        pytest.param(_story("<p>Explore further</p>"), "Explore", id="explore further"),
        pytest.param(_story("<p>Leggi anche</p>"), "Leggi", id="read also, Italian"),
        pytest.param(_story("<p>Читайте также</p>"), "Читайте", id="read also, Russian"),
        pytest.param(
            _story("", end="<p>Buyer's Guide: Harbour Ferries (Buy Now)</p>"),
            "Guide",
            id="shop button",
        ),
        pytest.param(
            _story(
                "<ul><li><a href='/board'>Board backs harbour plan</a> <span>The harbour board"
                " met on Tuesday and agreed the plan after...</span></li></ul>"
            ),
            "after...",
            id="teaser card of this story",
        ),
        pytest.param(
            _story("<p>Hope to see you again my friend. pic.twitter.com/dUO6AJlMxR</p>"),
            "friend",
            id="post text without its embed",
        ),
        pytest.param(
            _story("<p>— Dele (@dele_official) November 19, 2019</p>"),
            "Dele",
            id="post attribution without its embed",
        ),
        pytest.param(
            _story(
                "<div class='share-tools'><p>Share this story with your friends and family on social media</p></div>"
            ),
            "Share",
            id="share bar by class",
        ),
    ],
)
def test_furniture_inside_a_story_is_never_spoken(html: str, unspoken: str) -> None:
    body = clean(_page(html)).body_text()
    assert unspoken not in body
    assert body.splitlines()[0].startswith("Part 1.")
    assert body.splitlines()[-1].startswith("Part 6.")
