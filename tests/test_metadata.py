"""Tests for narrate.metadata: fixture pages end to end, then each rule on its own."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from narrate.metadata import Metadata, extract_metadata

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"


def _extract(head: str = "", body: str = "", url: str | None = None, lang: str = "") -> Metadata:
    lang_attr = f' lang="{lang}"' if lang else ""
    page = f"<!DOCTYPE html><html{lang_attr}><head>{head}</head><body>{body}</body></html>"
    return extract_metadata(BeautifulSoup(page, "lxml"), url)


def _ld(json_text: str) -> str:
    return f'<script type="application/ld+json">{json_text}</script>'


# --------------------------------------------------------------------------- fixture pages

FIXTURE_CASES = {
    # The site's logo is an <h1> inside a link home; the headline is the <title>'s first part.
    "logo_h1.html": (
        "https://entermedia.example/news/1",
        Metadata(title="악녀의 덫에 걸린 이유리, 의외로 막장극 어울리는 남상미", language="ko"),
    ),
    # Names in the comments and the comment form are not the article's authors.
    "comments_form.html": (
        "https://kabar-kota.example/sejarah-kota-tua/",
        Metadata(
            title="Sejarah Kota Tua",
            language="id",
            site_name="Kabar Kota",
            canonical_url=None,
        ),
    ),
    "wordpress_yoast.html": (
        "https://riverside-gazette.example/2025/05/05/how-the-river-came-back/",
        Metadata(
            title="How the River Came Back \u2013 and What It Cost",
            authors=("Maria Lopez",),
            published="2025-05-05T21:13:00+03:00",
            language="en-US",
            site_name="The Riverside Gazette",
            canonical_url="https://riverside-gazette.example/2025/05/05/how-the-river-came-back/",
            image_url="https://riverside-gazette.example/wp-content/uploads/2025/05/river.jpg",
            description=(
                "Ten years after the dam came down, salmon are spawning upstream again. "
                "The town is still arguing about the bill."
            ),
        ),
    ),
    "ghost.html": (
        "https://fieldnotes.example/night-train/",
        Metadata(
            title="Notes from a Night Train",
            authors=("Sam Okafor",),
            published="2025-04-28T07:30:00+00:00",
            language="en",
            site_name="Field Notes",
            canonical_url="https://fieldnotes.example/night-train/",
            image_url="https://fieldnotes.example/content/images/size/w1200/2025/04/train.jpg",
            description=(
                "Eleven hours, three borders and one very patient conductor. "
                "A sleeper from Vienna to Kraków."
            ),
        ),
    ),
    "arc_news.html": (
        "https://www.dailyledger.example/politics/2025/05/06/council-vote-transit-levy/",
        Metadata(
            title="Council narrowly approves transit levy after marathon session",
            authors=("Priya Natarajan", "Tom Becker"),
            published="2025-05-06T14:05:12+00:00",
            language="en-US",
            site_name="The Daily Ledger",
            canonical_url=(
                "https://www.dailyledger.example/politics/2025/05/06/council-vote-transit-levy/"
            ),
            image_url=(
                "https://cloudfront.dailyledger.example/resizer/v2/COUNCIL4Q2.jpg"
                "?auth=9f1e&width=1600&height=900"
            ),
            description=(
                "The 7-6 vote came shortly after 2 a.m., ending a session that began the "
                "previous afternoon."
            ),
        ),
    ),
    "plain_de.html": (
        "https://bergblatt.example/reportagen/quelle.html",
        Metadata(
            title="Der lange Weg zur Quelle",
            authors=("Anna Schmidt",),
            published="2025-03-14",
            language="de",
        ),
    ),
    "broken_jsonld_uk.html": (
        "https://visti-polissia.example/news/2025/05/05/tuman-nad-prypiattiu",
        Metadata(
            title="Туман над Прип'яттю: як рятують заплавні луки",
            authors=("Олена Петренко",),
            published="2025-05-05T21:13:00+03:00",
            language="uk",
            site_name="Вісті Полісся",
            canonical_url="https://visti-polissia.example/news/2025/05/05/tuman-nad-prypiattiu",
            image_url="https://visti-polissia.example/media/2025/05/tuman-1200.jpg",
            description=(
                "Екологи та місцеві громади відновлюють заплавні луки на Поліссі. "
                "«Це робота на десятиліття», — кажуть вони."
            ),
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(FIXTURE_CASES))
def test_fixture_pages(name: str) -> None:
    url, expected = FIXTURE_CASES[name]
    soup = BeautifulSoup((FIXTURES / name).read_text(encoding="utf-8"), "lxml")
    assert extract_metadata(soup, url) == expected


@pytest.mark.parametrize("name", sorted(FIXTURE_CASES))
def test_fixture_pages_parse_the_same_with_html_parser(name: str) -> None:
    url, expected = FIXTURE_CASES[name]
    soup = BeautifulSoup((FIXTURES / name).read_text(encoding="utf-8"), "html.parser")
    assert extract_metadata(soup, url) == expected


def test_relative_image_is_dropped_without_a_page_url() -> None:
    soup = BeautifulSoup((FIXTURES / "broken_jsonld_uk.html").read_text(encoding="utf-8"), "lxml")
    meta = extract_metadata(soup)
    assert meta.image_url is None
    assert meta.canonical_url == (
        "https://visti-polissia.example/news/2025/05/05/tuman-nad-prypiattiu"
    )


def test_empty_page_gives_empty_metadata() -> None:
    assert _extract() == Metadata()


def test_metadata_is_frozen() -> None:
    meta = Metadata(title="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        meta.title = "y"  # type: ignore[misc]


# --------------------------------------------------------------------------- authors


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane Doe", ("Jane Doe",)),
        ("By Jane Doe", ("Jane Doe",)),
        ("by jane doe", ("jane doe",)),
        ("BY: Jane Doe", ("Jane Doe",)),
        ("Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        ("Ann Lee, Bo Chen and Cy Diaz", ("Ann Lee", "Bo Chen", "Cy Diaz")),
        ("Ann Lee, Bo Chen, and Cy Diaz", ("Ann Lee", "Bo Chen", "Cy Diaz")),
        ("Ann Lee & Bo Chen", ("Ann Lee", "Bo Chen")),
        ("Jane Doe, jane doe, JANE DOE", ("Jane Doe",)),
        ("Zo&euml; Smith", ("Zoë Smith",)),
        ("  Jane \n\t Doe ", ("Jane Doe",)),
        ("Alexander Sandberg", ("Alexander Sandberg",)),
        ("https://www.facebook.com/jane.doe", ()),
        ("www.example.com/jane", ()),
        ("jane.doe@example.com", ()),
        ("Jane Doe, jane.doe@example.com", ("Jane Doe",)),
        ("x" * 81, ()),
        ("1234", ()),
    ],
)
def test_author_normalisation(raw: str, expected: tuple[str, ...]) -> None:
    assert _extract(f'<meta name="author" content="{raw}">').authors == expected


def test_multiple_author_meta_tags_keep_document_order() -> None:
    head = '<meta name="author" content="Bo Chen"><meta name="author" content="Ann Lee">'
    assert _extract(head).authors == ("Bo Chen", "Ann Lee")


def test_byl_meta_drops_by_and_splits() -> None:
    head = '<meta name="byl" content="By Ann Lee and Bo Chen">'
    assert _extract(head).authors == ("Ann Lee", "Bo Chen")


def test_article_author_url_falls_through_to_name_meta() -> None:
    head = (
        '<meta property="article:author" content="https://facebook.com/ann.lee">'
        '<meta name="parsely-author" content="Ann Lee">'
    )
    assert _extract(head).authors == ("Ann Lee",)


def test_json_ld_organization_author_dropped_when_a_person_is_credited() -> None:
    data = (
        '{"@type": "NewsArticle", "author": [{"@type": "NewsMediaOrganization", "name": "Wire"},'
        ' {"@type": "Person", "name": "Ann Lee"}]}'
    )
    assert _extract(_ld(data)).authors == ("Ann Lee",)


def test_json_ld_organization_author_kept_when_alone() -> None:
    data = '{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Wire Desk"}}'
    assert _extract(_ld(data)).authors == ("Wire Desk",)


def test_json_ld_author_as_plain_string_is_split() -> None:
    data = '{"@type": "Article", "author": "By Ann Lee and Bo Chen"}'
    assert _extract(_ld(data)).authors == ("Ann Lee", "Bo Chen")


def test_byline_element_ignores_time_and_trailing_role() -> None:
    body = (
        '<article><h1>T</h1><div class="c-byline">By <a href="/a">Ann Lee</a> | Staff'
        ' <time datetime="2025-05-05">May 5</time></div></article>'
    )
    assert _extract(body=body).authors == ("Ann Lee",)


def test_byline_inside_article_beats_related_story_bylines() -> None:
    body = (
        '<aside><span class="byline">By Someone Else</span></aside>'
        '<article><p class="byline">By Ann Lee</p></article>'
    )
    assert _extract(body=body).authors == ("Ann Lee",)


def test_rel_author_links_beat_byline_class() -> None:
    body = (
        '<article><div class="author">Desk</div>'
        '<a rel="author" href="/ann">Ann Lee</a> <a rel="author" href="/bo">Bo Chen</a></article>'
    )
    assert _extract(body=body).authors == ("Ann Lee", "Bo Chen")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ROBERT BURNS, AP National Security Writer", ("ROBERT BURNS",)),
        ("Analysis by Chris Cillizza, CNN Editor-at-large", ("Chris Cillizza",)),
        ("JERUSALEM POST STAFF NOVEMBER 20, 2019 10:43", ()),
        ("Jane Doe, Associated Press", ("Jane Doe",)),
        ("Reuters", ()),
        ("Editorial", ()),
        ("Ilana Muhlstein, MS, RDN", ("Ilana Muhlstein",)),
        ("Jeff Foust Monday, November 18, 2019", ("Jeff Foust",)),
        ("Ann Lee 19.11.2019", ("Ann Lee",)),
        ("Pembuat Film Fitna Dirikan Partai Islam Di Eropa Berita", ()),
        ("Siamo un memorabilia del meglio!", ()),
        ("rmb8090", ()),
        ("Sarah E. Needleman", ("Sarah E. Needleman",)),
        ("John Smith Jr.", ("John Smith Jr.",)),
        ("Theresa May", ("Theresa May",)),
    ],
)
def test_author_list_holds_names_not_roles_agencies_or_dates(
    raw: str, expected: tuple[str, ...]
) -> None:
    assert _extract(f'<meta name="author" content="{raw}">').authors == expected


def test_byline_elements_are_separate_phrases() -> None:
    body = (
        '<article><div class="byline"><div>By LISA MASCARO and ERIC TUCKER</div>'
        "<div>Associated Press</div></div></article>"
    )
    assert _extract(body=body).authors == ("LISA MASCARO", "ERIC TUCKER")


def test_byline_date_after_a_line_break_is_not_a_name() -> None:
    body = (
        '<h3 class="byline">by Jeff Foust<br><span class="datetime">'
        "Monday, November 18, 2019</span></h3>"
    )
    assert _extract(body=body).authors == ("Jeff Foust",)


@pytest.mark.parametrize(
    "body",
    [
        # A comment form's name field, in Indonesian and in Russian.
        '<div class="comment-form-field comment-form-author"><label for="author">Nama'
        ' <span class="required">(wajib)</span></label><input id="author" name="author"></div>',
        '<form class="comment-form"><p class="comment-form-author"><label>Имя <span>*</span>'
        '</label> <input name="author"></p></form>',
        # A comment's author.
        '<div class="commentmetadata"><span class="comment-author vcard"><a rel="author"'
        ' href="/x">Pembuat Film</a></span></div>',
        '<ol id="comments"><li><span class="author">Jo Reader</span></li></ol>',
    ],
)
def test_names_in_comments_and_forms_are_not_the_authors(body: str) -> None:
    assert _extract(body=f"<article><p>Text.</p></article>{body}").authors == ()


def test_comments_open_on_body_does_not_hide_the_byline() -> None:
    page = (
        '<html><body class="single comments-open"><article><p class="byline">By Ann Lee</p>'
        "</article></body></html>"
    )
    assert extract_metadata(BeautifulSoup(page, "lxml")).authors == ("Ann Lee",)


@pytest.mark.parametrize(
    ("og_title", "h1", "expected"),
    [
        (
            "Opinion | Republicans Follow Trump",
            "Republicans Follow Trump",
            "Republicans Follow Trump",
        ),
        ("A city on the brink | Editorial", "A city on the brink", "A city on the brink"),
        ("Man pleads guilty | TheHill", "Man pleads guilty", "Man pleads guilty"),
        # A colon joins a headline's own parts: the longer title stays.
        ("Brexit deal: what happens next", "Brexit deal", "Brexit deal: what happens next"),
        ("Council backs the plan", "Council backs", "Council backs the plan"),
    ],
)
def test_headline_shown_beats_a_title_decorated_with_section_or_site(
    og_title: str, h1: str, expected: str
) -> None:
    head = f'<meta property="og:title" content="{og_title}">'
    assert _extract(head, f"<article><h1>{h1}</h1></article>").title == expected


def test_logo_h1_linking_home_is_not_the_headline() -> None:
    head = "<title>악녀의 덫에 걸린 이유리 - Entermedia</title>"
    body = '<div id="header"><a href="/"><h1>엔터 미디어</h1></a></div><p>본문</p>'
    assert _extract(head, body).title == "악녀의 덫에 걸린 이유리"


def test_logo_h1_holding_a_home_link_is_not_the_headline() -> None:
    head = "<title>Bridge reopens after repairs | Town Post</title>"
    body = '<h1 class="logo"><a href="https://townpost.example/">Town Post</a></h1>'
    assert _extract(head, body).title == "Bridge reopens after repairs"


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-05-05T21:13:00+03:00", "2025-05-05T21:13:00+03:00"),
        ("2025-05-05T18:13:00Z", "2025-05-05T18:13:00+00:00"),
        ("2025-05-05T18:13:00.123Z", "2025-05-05T18:13:00+00:00"),
        ("2025-05-05T21:13:00+0300", "2025-05-05T21:13:00+03:00"),
        ("2025-05-05 21:13:00 -0500", "2025-05-05T21:13:00-05:00"),
        ("2025-05-05T18:13:00z", "2025-05-05T18:13:00+00:00"),
        ("2025-05-05 18:13 UTC", "2025-05-05T18:13:00+00:00"),
        ("2025-05-05T18:13:00 GMT", "2025-05-05T18:13:00+00:00"),
        ("2025-05-05T21:13:00", "2025-05-05"),
        ("2025-05-05", "2025-05-05"),
        ("20250505", "2025-05-05"),
        ("2025/05/05", "2025-05-05"),
        ("2025/5/5", "2025-05-05"),
        ("May 5, 2025", "2025-05-05"),
        ("Sept. 3rd, 2024 10:00 AM", "2024-09-03"),
        ("5 May 2025", "2025-05-05"),
        ("14.03.2025", "2025-03-14"),
        ("Mon, 05 May 2025 21:13:00 +0300", "2025-05-05T21:13:00+03:00"),
        ("1746468780", "2025-05-05T18:13:00+00:00"),
        ("yesterday", None),
        ("0000-00-00", None),
        ("0001-01-01T00:00:00Z", None),
        ("2025-13-45", None),
        ("Jun 31, 2025", None),
        ("", None),
    ],
)
def test_date_normalisation(raw: str, expected: str | None) -> None:
    assert _extract(f'<meta name="date" content="{raw}">').published == expected


def test_unparseable_trusted_date_falls_through() -> None:
    head = (
        _ld('{"@type": "NewsArticle", "datePublished": "TBD"}')
        + '<meta property="article:published_time" content="not a date">'
        + '<meta name="parsely-pub-date" content="2025-05-05T10:00:00Z">'
    )
    assert _extract(head).published == "2025-05-05T10:00:00+00:00"


def test_itemprop_date_published_on_time_element() -> None:
    body = '<p><time itemprop="datePublished" datetime="2025-05-05T09:00:00+02:00">x</time></p>'
    assert _extract(body=body).published == "2025-05-05T09:00:00+02:00"


def test_time_inside_article_beats_time_outside() -> None:
    body = (
        '<header><time datetime="2030-01-01">today</time></header>'
        '<article><time datetime="2025-05-05">May 5</time></article>'
    )
    assert _extract(body=body).published == "2025-05-05"


# --------------------------------------------------------------------------- URLs


def test_relative_canonical_resolved_against_page_url() -> None:
    head = '<link rel="canonical" href="../2025/story.html">'
    meta = _extract(head, url="https://news.example/section/index/page.html")
    assert meta.canonical_url == "https://news.example/section/2025/story.html"


def test_relative_canonical_dropped_without_page_url() -> None:
    assert _extract('<link rel="canonical" href="/2025/story">').canonical_url is None


def test_base_href_is_used_for_resolution() -> None:
    head = '<base href="https://cdn.example/site/"><link rel="canonical" href="story">'
    meta = _extract(head, url="https://news.example/x")
    assert meta.canonical_url == "https://cdn.example/site/story"


def test_protocol_relative_image_without_page_url_gets_https() -> None:
    head = '<meta property="og:image" content="//img.example/a.jpg">'
    assert _extract(head).image_url == "https://img.example/a.jpg"


def test_non_http_image_falls_through() -> None:
    head = (
        '<meta property="og:image" content="data:image/png;base64,AAAA">'
        '<meta name="twitter:image" content="https://img.example/t.jpg">'
    )
    assert _extract(head).image_url == "https://img.example/t.jpg"


@pytest.mark.parametrize(
    ("image_json", "expected"),
    [
        ('"https://img.example/s.jpg"', "https://img.example/s.jpg"),
        (
            '{"@type": "ImageObject", "url": "https://img.example/o.jpg"}',
            "https://img.example/o.jpg",
        ),
        ('["/rel.jpg", "https://img.example/2.jpg"]', "https://news.example/rel.jpg"),
        ('[{"contentUrl": "https://img.example/c.jpg"}]', "https://img.example/c.jpg"),
    ],
)
def test_json_ld_image_shapes(image_json: str, expected: str) -> None:
    data = f'{{"@type": "NewsArticle", "image": {image_json}}}'
    assert _extract(_ld(data), url="https://news.example/a").image_url == expected


@pytest.mark.parametrize(
    "fields",
    [
        '"mainEntityOfPage": "https://news.example/a"',
        '"mainEntityOfPage": {"@type": "WebPage", "@id": "https://news.example/a"}',
        '"mainEntityOfPage": true, "url": "https://news.example/a"',
    ],
)
def test_json_ld_canonical_shapes(fields: str) -> None:
    data = f'{{"@type": "NewsArticle", {fields}}}'
    assert _extract(_ld(data)).canonical_url == "https://news.example/a"


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en_US", "en-US"),
        ("en_us", "en-US"),
        ("pt_BR", "pt-BR"),
        ("uk_UA", "uk-UA"),
        ("de", "de"),
        ("zh_Hant_TW", "zh-Hant-TW"),
        ("es_419", "es-419"),
    ],
)
def test_og_locale_mapping(locale: str, expected: str) -> None:
    assert _extract(f'<meta property="og:locale" content="{locale}">').language == expected


@pytest.mark.parametrize(
    ("lang", "expected"), [("EN-us", "en-US"), ("uk", "uk"), ("english", None), ("und", None)]
)
def test_html_lang_normalisation(lang: str, expected: str | None) -> None:
    assert _extract(lang=lang).language == expected


def test_content_language_meta_used_when_html_lang_missing() -> None:
    head = '<meta http-equiv="Content-Language" content="fr-ca, en">'
    assert _extract(head).language == "fr-CA"


def test_json_ld_language_object() -> None:
    data = (
        '{"@type": "Article",'
        ' "inLanguage": {"@type": "Language", "name": "Polish", "alternateName": "pl"}}'
    )
    assert _extract(_ld(data), lang="en").language == "pl"


# --------------------------------------------------------------------------- trust order

ALL_SOURCES = {
    "json_ld": _ld(
        '{"@type": "NewsArticle", "headline": "LD title", "author": {"@type": "Person", '
        '"name": "Ld Author"}, "datePublished": "2025-01-01", "inLanguage": "fr", '
        '"publisher": {"@type": "Organization", "name": "LD Site"}, '
        '"url": "https://ld.example/a", "image": "https://ld.example/i.jpg", '
        '"description": "LD description"}'
    ),
    "open_graph": (
        '<meta property="og:title" content="OG title">'
        '<meta property="article:author" content="Og Author">'
        '<meta property="article:published_time" content="2025-02-02">'
        '<meta property="og:locale" content="de_DE">'
        '<meta property="og:site_name" content="OG Site">'
        '<meta property="og:url" content="https://og.example/a">'
        '<meta property="og:image" content="https://og.example/i.jpg">'
        '<meta property="og:description" content="OG description">'
    ),
    "meta": (
        '<meta name="twitter:title" content="Meta title">'
        '<meta name="author" content="Meta Author">'
        '<meta name="pubdate" content="2025-03-03">'
        '<meta name="application-name" content="Meta Site">'
        '<meta name="twitter:image" content="https://meta.example/i.jpg">'
        '<meta name="description" content="Meta description">'
    ),
    "page": '<link rel="canonical" href="https://page.example/a"><title>Title tag</title>',
}
PAGE_BODY = (
    '<article><h1>Page title</h1><p class="byline">By Page Author</p>'
    '<time datetime="2025-04-04">x</time></article>'
)
EXPECTED_BY_SOURCE = {
    "json_ld": Metadata(
        "LD title",
        ("Ld Author",),
        "2025-01-01",
        "fr",
        "LD Site",
        "https://ld.example/a",
        "https://ld.example/i.jpg",
        "LD description",
    ),
    "open_graph": Metadata(
        "OG title",
        ("Og Author",),
        "2025-02-02",
        "de-DE",
        "OG Site",
        "https://og.example/a",
        "https://og.example/i.jpg",
        "OG description",
    ),
    "meta": Metadata(
        "Meta title",
        ("Meta Author",),
        "2025-03-03",
        "it",
        "Meta Site",
        "https://page.example/a",
        "https://meta.example/i.jpg",
        "Meta description",
    ),
    "page": Metadata(
        "Page title", ("Page Author",), "2025-04-04", "it", None, "https://page.example/a"
    ),
}
ORDER = ["json_ld", "open_graph", "meta", "page"]


@pytest.mark.parametrize("winner", ORDER)
def test_trust_order_when_sources_disagree(winner: str) -> None:
    # Sources are listed least trusted first in the markup so document order cannot
    # masquerade as trust order.
    present = ORDER[ORDER.index(winner) :]
    head = "".join(ALL_SOURCES[name] for name in reversed(present))
    assert _extract(head, PAGE_BODY, lang="it") == EXPECTED_BY_SOURCE[winner]


def test_fields_are_merged_independently_across_sources() -> None:
    head = (
        _ld('{"@type": "NewsArticle", "headline": "LD title"}')
        + '<meta property="og:site_name" content="OG Site">'
        + '<meta name="author" content="Meta Author">'
    )
    meta = _extract(head, '<article><time datetime="2025-04-04">x</time></article>', lang="en")
    assert (meta.title, meta.site_name, meta.authors, meta.published, meta.language) == (
        "LD title",
        "OG Site",
        ("Meta Author",),
        "2025-04-04",
        "en",
    )


# --------------------------------------------------------------------------- JSON-LD shapes

_ARTICLE = '{"@type": "NewsArticle", "headline": "Found it"}'


@pytest.mark.parametrize(
    "script",
    [
        _ARTICLE,
        f"[{_ARTICLE}]",
        f'{{"@context": "https://schema.org", "@graph": [{{"@type": "WebSite"}}, {_ARTICLE}]}}',
        f'{{"@type": "WebPage", "name": "Page name", "mainEntity": {_ARTICLE}}}',
        '{"@type": ["Article", "NewsArticle"], "headline": "Found it"}',
        '{"@type": "http://schema.org/ReportageNewsArticle", "headline": "Found it"}',
        '{"@type": "OpinionNewsArticle", "name": "Found it"}',
        '{"@type": "BlogPosting", "headline": "Found it",}',
        f"<!-- {_ARTICLE} -->",
        '{"@type": "NewsArticle", <!-- generated by cms --> "headline": "Found it"}',
        '{"@type": "NewsArticle", "headline": "Found\n\tit"}',
        '{"@type": "NewsArticle",\x0b"headline": "Found it"}',
        f"//<![CDATA[\n{_ARTICLE}\n//]]>",
    ],
)
def test_json_ld_shapes_and_repairs(script: str) -> None:
    assert _extract(_ld(script)).title == "Found it"


def test_broken_json_ld_script_skipped_but_next_one_read() -> None:
    head = _ld('{"@type": "NewsArticle", "headline": "Broken') + _ld(_ARTICLE)
    assert _extract(head).title == "Found it"


def test_web_page_is_only_a_last_resort() -> None:
    head = _ld('{"@type": "WebPage", "name": "Page"}') + _ld(_ARTICLE)
    assert _extract(head).title == "Found it"
    assert _extract(_ld('{"@type": "WebPage", "name": "Page"}')).title == "Page"


def test_yoast_style_id_references_are_resolved() -> None:
    graph = (
        '{"@graph": ['
        '{"@type": "Article", "author": {"@id": "#p"}, "publisher": {"@id": "#o"},'
        ' "image": {"@id": "#img"}, "isPartOf": {"@id": "#page"}},'
        '{"@type": "WebPage", "@id": "#page", "name": "Page name", "description": "From page"},'
        '{"@type": "Person", "@id": "#p", "name": "Ann Lee"},'
        '{"@type": "Organization", "@id": "#o", "name": "The Org"},'
        '{"@type": "ImageObject", "@id": "#img", "url": "https://img.example/p.jpg"}]}'
    )
    meta = _extract(_ld(graph))
    assert (meta.title, meta.authors, meta.site_name, meta.image_url, meta.description) == (
        "Page name",
        ("Ann Lee",),
        "The Org",
        "https://img.example/p.jpg",
        "From page",
    )


# --------------------------------------------------------------------------- titles


def test_title_tag_suffix_removed_when_it_is_the_site_name() -> None:
    head = (
        '<meta property="og:site_name" content="The Gazette"><title>Big news - The Gazette</title>'
    )
    assert _extract(head).title == "Big news"


@pytest.mark.parametrize("separator", [" | ", " - ", " — ", " – "])
def test_og_title_site_suffix_removed(separator: str) -> None:
    head = (
        f'<meta property="og:title" content="Big news{separator}The Gazette">'
        '<meta property="og:site_name" content="The Gazette">'
    )
    assert _extract(head).title == "Big news"


def test_title_suffix_kept_when_not_the_site_name() -> None:
    head = '<meta property="og:site_name" content="The Gazette"><title>Cats - and dogs</title>'
    assert _extract(head).title == "Cats - and dogs"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("A long headline about things | Site", "A long headline about things"),
        ("Part one | Part two | Site", "Part one | Part two"),
        ("Short | A much longer second half", "Short | A much longer second half"),
        ("No separator here", "No separator here"),
    ],
)
def test_title_suffix_heuristic_without_site_name(title: str, expected: str) -> None:
    assert _extract(f"<title>{title}</title>").title == expected


def test_h1_beats_title_tag_and_site_logo_h1_is_skipped() -> None:
    head = '<meta name="application-name" content="The Gazette"><title>Other | The Gazette</title>'
    body = "<header><h1>The Gazette</h1></header><main><h1>Real &amp; headline</h1></main>"
    assert _extract(head, body).title == "Real & headline"
