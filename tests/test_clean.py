"""The cleaner keeps the article and drops everything a listener must never hear."""

from __future__ import annotations

import pytest
from conftest import EXAMPLE, EXAMPLE_FORBIDDEN, EXAMPLE_PARAGRAPHS

from narrate.clean import clean
from narrate.errors import ExtractionError
from narrate.model import Page


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
