"""narrate.payloads: generic, WordPress and Ghost bodies; stable job ids; refusals."""

from __future__ import annotations

from typing import Any

import pytest

from narrate.payloads import PayloadError, Submission, parse

WP: dict[str, Any] = {
    "id": 12,
    "link": "https://news.example/2025/05/ferry/",
    "status": "publish",
    "date_gmt": "2025-05-12T06:30:00",
    "modified_gmt": "2025-05-12T07:00:00",
    "title": {"rendered": "Ferry&#8217;s return"},
    "content": {"rendered": "<p>The ferry returns.</p>", "protected": False},
}


def test_generic_url_only() -> None:
    sub = parse({"url": "HTTPS://News.Example/a?b=1#frag"})
    assert sub.kind == "generic" and sub.html is None
    assert sub.source == "https://news.example/a?b=1"
    assert sub.url == "HTTPS://News.Example/a?b=1#frag"


def test_generic_html_with_id() -> None:
    sub = parse({"html": "<p>x</p>", "url": "https://e.com/a", "id": 9, "title": "T"})
    assert (sub.source, sub.html, sub.title) == ("id:9", "<p>x</p>", "T")


def test_wordpress_rest_post_bare_or_wrapped() -> None:
    for body in (WP, {"post": WP}):
        sub = parse(body)
        assert sub.kind == "wordpress" and sub.source == "wordpress:12"
        assert sub.title == "Ferry’s return" and sub.published == "2025-05-12T06:30:00+00:00"
        assert sub.html is not None and "<h1>Ferry’s return</h1>" in sub.html
        assert '<link rel="canonical" href="https://news.example/2025/05/ferry/">' in sub.html


def test_wordpress_database_field_names() -> None:
    body = {
        "post": {
            "ID": 5,
            "post_title": "T",
            "post_content": "<p>Body.</p>",
            "post_status": "publish",
        },
        "callback_url": "https://cms.example/hook",
    }
    sub = parse(body)
    assert sub.source == "wordpress:5" and sub.callback_url == "https://cms.example/hook"


def test_ghost_webhook() -> None:
    current = {
        "id": "abc",
        "title": "A <b>bold</b> title",
        "html": "<p>Text.</p>",
        "url": "https://blog.example/a/",
        "status": "published",
        "published_at": "2025-05-12T06:30:00.000Z",
        "updated_at": "2025-05-12T07:00:00.000Z",
        "primary_author": {"name": "Ada"},
    }
    sub = parse({"post": {"current": current, "previous": {}}})
    assert sub.kind == "ghost" and sub.source == "ghost:abc"
    assert sub.html is not None
    assert "&lt;b&gt;bold&lt;/b&gt;" in sub.html, "metadata is escaped into the page"
    assert '<meta name="author" content="Ada">' in sub.html


def test_job_ids_follow_article_and_content_only() -> None:
    a = parse({"html": "<p>x</p>", "id": "1"})
    assert a.job_id == parse({"html": "<p>x</p>", "id": "1", "updated": "later"}).job_id
    assert a.job_id != parse({"html": "<p>y</p>", "id": "1"}).job_id
    assert a.job_id != parse({"html": "<p>x</p>", "id": "2"}).job_id
    # Only the address is known for a URL: a version stamp tells edits apart.
    url = parse({"url": "https://e.com/a"})
    assert url.job_id == parse({"url": "https://e.com/a"}).job_id
    assert url.job_id != parse({"url": "https://e.com/a", "updated": "2"}).job_id


def test_a_submission_survives_the_queue() -> None:
    sub = parse({**WP, "callback_url": "https://cms.example/hook"})
    assert Submission.from_json(sub.to_json()) == sub


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("text", "JSON object"),
        ({}, "Unknown payload"),
        ({"url": 5}, "absolute http"),
        ({"url": ["https://e.com"]}, "must be a string"),
        ({"url": "javascript:alert(1)"}, "absolute http"),
        ({"url": "https://e.com/" + "a" * 3000}, "longer than"),
        ({"html": ""}, "non-empty"),
        ({**WP, "status": "future"}, "not 'publish'"),
        ({**WP, "content": {"rendered": ""}}, "no content"),
        ({"post": {"current": {"id": "a", "html": "<p>x</p>", "status": "draft"}}}, "draft"),
        ({"post": {"current": {"html": "<p>x</p>"}}}, "needs its 'id'"),
    ],
)
def test_refusals_say_why(body: Any, reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        parse(body)
