"""feed.xml and index.html from episodes: every rule of the feed, read by lxml and feedparser."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import pytest
from lxml import etree, html

from narrate.publish import (
    ITUNES_NS,
    PODCAST_NS,
    SYNTHETIC_VOICE_NOTE,
    FeedItem,
    Podcast,
    feed_xml,
    podcast_guid,
    transcript_json,
)

NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": "http://www.w3.org/2005/Atom"}

PODCAST = Podcast(
    title="Ledger & Co <read aloud>",
    description="Local news, narrated.",
    author="The Harbour Ledger",
    email="podcast@ledger.example.com",
    language="en-GB",
    category="News",
    subcategory="Daily News",
    base_url="https://cdn.example.com/ledger/",
    owner="Harbour Ledger Ltd",
    link="https://ledger.example.com/",
)

ITEMS = (
    FeedItem(
        guid="guid-new",
        title="Volunteers clear the river",
        description="Two tonnes of rubbish.",
        published=datetime(2025, 5, 17, 18, 45, tzinfo=timezone(timedelta(hours=1))),
        duration_s=3725.4,
        stem="river-0123456789ab",
        media_bytes=123_456,
        link="https://ledger.example.com/news/river",
        image_url="https://ledger.example.com/images/river.jpg",
    ),
    FeedItem(
        guid="guid-old",
        title="Library opens on Sundays",
        description="From September.",
        published=datetime(2025, 5, 14, 8, 0, tzinfo=UTC),
        duration_s=64.6,
        stem="library-ba9876543210",
        media_bytes=654_321,
    ),
)
BUILT = datetime(2025, 5, 18, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def xml() -> bytes:
    return feed_xml(PODCAST, ITEMS, BUILT)


@pytest.fixture(scope="module")
def tree(xml: bytes) -> Any:
    return etree.fromstring(xml)


@pytest.fixture(scope="module")
def parsed(xml: bytes) -> Any:
    return feedparser.parse(xml)


def test_podcast_guid_is_the_podcasting_2_uuid5_of_the_feed_url() -> None:
    # The namespace's own examples: the spec's, and a live feed's published podcast:guid.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss/") == podcast_guid("https://podnews.net/rss")
    namespace = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
    assert PODCAST.guid == str(uuid.uuid5(namespace, "cdn.example.com/ledger/feed.xml"))


def test_the_feed_is_rss_2_with_the_itunes_and_podcast_namespaces(tree: Any, xml: bytes) -> None:
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert tree.tag == "rss" and tree.get("version") == "2.0"
    assert tree.nsmap["itunes"] == ITUNES_NS
    assert tree.nsmap["podcast"] == "https://podcastindex.org/namespace/1.0"
    assert len(tree.findall("channel")) == 1


def test_channel_carries_what_apple_and_podcasting_2_apps_require(tree: Any) -> None:
    channel = tree.find("channel")
    assert channel.findtext("title") == "Ledger & Co <read aloud>"  # escaped, not mangled
    assert channel.findtext("link") == "https://ledger.example.com/"
    assert channel.findtext("language") == "en-GB"
    description = channel.findtext("description")
    assert description.startswith("Local news, narrated.")
    assert SYNTHETIC_VOICE_NOTE in description and "synthetic voice" in description
    assert (
        channel.find("itunes:image", NS).get("href") == "https://cdn.example.com/ledger/artwork.jpg"
    )
    assert channel.findtext("image/url") == "https://cdn.example.com/ledger/artwork.jpg"
    category = channel.find("itunes:category", NS)
    assert category.get("text") == "News"
    assert [c.get("text") for c in category.findall("itunes:category", NS)] == ["Daily News"]
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:author", namespaces=NS) == "The Harbour Ledger"
    owner = channel.find("itunes:owner", NS)
    assert owner.findtext("itunes:name", namespaces=NS) == "Harbour Ledger Ltd"
    assert owner.findtext("itunes:email", namespaces=NS) == "podcast@ledger.example.com"
    assert channel.findtext("podcast:guid", namespaces=NS) == PODCAST.guid
    locked = channel.find("podcast:locked", NS)
    assert locked.text == "yes" and locked.get("owner") == "podcast@ledger.example.com"
    self_link = channel.find("atom:link", NS)
    assert self_link.get("href") == "https://cdn.example.com/ledger/feed.xml"
    assert self_link.get("rel") == "self"
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == BUILT


def test_items_carry_guid_date_enclosure_duration_and_image(tree: Any) -> None:
    first, second = tree.findall("channel/item")
    guid = first.find("guid")
    assert guid.text == "guid-new" and guid.get("isPermaLink") == "false"
    assert first.findtext("title") == "Volunteers clear the river"
    assert first.findtext("link") == "https://ledger.example.com/news/river"
    assert "Two tonnes of rubbish." in first.findtext("description")
    assert "synthetic voice" in first.findtext("description")
    # RFC 2822, in UTC, the same instant as the article's own date
    pub_date = first.findtext("pubDate")
    assert pub_date == "Sat, 17 May 2025 17:45:00 +0000"
    assert parsedate_to_datetime(pub_date) == ITEMS[0].published
    enclosure = first.find("enclosure")
    assert enclosure.attrib == {
        "url": "https://cdn.example.com/ledger/episodes/river-0123456789ab.mp3",
        "length": "123456",
        "type": "audio/mpeg",
    }
    assert first.findtext("itunes:duration", namespaces=NS) == "3725"
    assert second.findtext("itunes:duration", namespaces=NS) == "65"
    assert (
        first.find("itunes:image", NS).get("href") == "https://ledger.example.com/images/river.jpg"
    )
    assert second.find("itunes:image", NS) is None, "no image when the article has none"
    assert second.find("link") is None


def test_items_list_transcripts_and_chapters_with_their_types(tree: Any) -> None:
    item = tree.find("channel/item")
    base = "https://cdn.example.com/ledger/episodes/river-0123456789ab"
    transcripts = {t.get("type"): t for t in item.findall("podcast:transcript", NS)}
    assert set(transcripts) == {
        "text/vtt",
        "application/x-subrip",
        "application/json",
        "text/plain",
    }
    assert transcripts["text/vtt"].get("url") == base + ".vtt"
    assert transcripts["text/vtt"].get("rel") == "captions"
    assert transcripts["application/x-subrip"].get("url") == base + ".srt"
    assert transcripts["application/json"].get("url") == base + ".transcript.json"
    assert transcripts["text/vtt"].get("language") == "en-GB"
    chapters = item.find("podcast:chapters", NS)
    assert chapters.get("url") == base + ".chapters.json"
    assert chapters.get("type") == "application/json+chapters"


def test_feedparser_reads_the_same_feed(parsed: Any) -> None:
    # feedparser keeps one value per repeated tag (the last podcast:transcript, the owner's name
    # over itunes:author); lxml checks those above, here the reading of a real parser.
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    feed = parsed.feed
    assert feed.title == "Ledger & Co <read aloud>"
    assert feed.language == "en-GB"
    assert feed.link == "https://ledger.example.com/"
    assert "synthetic voice" in feed.subtitle
    assert feed.image.href == "https://cdn.example.com/ledger/artwork.jpg"
    assert feed.publisher_detail.email == "podcast@ledger.example.com"
    assert [t.term for t in feed.tags] == ["News", "Daily News"]
    assert feed.podcast_guid == PODCAST.guid
    assert feed.podcast_locked == {"owner": "podcast@ledger.example.com"}
    assert feed.itunes_type == "episodic"
    first, second = parsed.entries
    assert first.id == "guid-new" and first.guidislink is False
    assert first.published_parsed[:6] == (2025, 5, 17, 17, 45, 0)
    assert first.itunes_duration == "3725"
    enclosure = first.enclosures[0]
    assert enclosure.href == "https://cdn.example.com/ledger/episodes/river-0123456789ab.mp3"
    assert enclosure.length == "123456" and enclosure.type == "audio/mpeg"
    assert first.image.href == "https://ledger.example.com/images/river.jpg"
    assert "image" not in second
    assert first.podcast_chapters["type"] == "application/json+chapters"
    assert first.podcast_transcript["url"].startswith("https://cdn.example.com/ledger/episodes/")


def test_transcript_json_follows_the_podcasting_2_format() -> None:
    timing = {
        "version": 1,
        "segments": [
            {"index": 0, "text": "Hello.", "start": 0.5, "end": 1.25, "words": []},
            {"index": 1, "text": "World.", "start": 1.6, "end": 2.0, "words": []},
        ],
    }
    data = json.loads(transcript_json(timing))
    assert data == {
        "version": "1.0.0",
        "segments": [
            {"startTime": 0.5, "endTime": 1.25, "body": "Hello."},
            {"startTime": 1.6, "endTime": 2.0, "body": "World."},
        ],
    }


def test_page_lists_episodes_with_player_duration_source_and_transcript() -> None:
    from narrate.listen_page import page_html

    page = page_html(PODCAST, ITEMS)
    assert page.startswith("<!DOCTYPE html>")
    doc = html.fromstring(page)
    assert doc.get("lang") == "en-GB"
    assert doc.findtext(".//h1") == "Ledger & Co <read aloud>"
    assert doc.xpath("//link[@rel='alternate']/@href") == ["feed.xml"]
    episodes = doc.xpath("//article[@class='episode']")
    assert [e.findtext("h2") for e in episodes] == [item.title for item in ITEMS]
    first, second = episodes
    assert first.get("data-timings") == "episodes/river-0123456789ab.json"
    assert first.xpath(".//audio/@src") == ["episodes/river-0123456789ab.mp3"]
    assert first.xpath(".//span[@class='duration']/text()") == ["1:02:05"]
    assert first.xpath(".//a[text()='Source article']/@href") == [
        "https://ledger.example.com/news/river"
    ]
    assert second.xpath(".//a[text()='Source article']") == []
    # without JavaScript the transcript is still one click away
    assert first.xpath(".//details//a/@href") == ["episodes/river-0123456789ab.txt"]
    assert "synthetic voice" in page
    assert doc.xpath("//script") and "timeupdate" in doc.xpath("string(//script)")


def test_page_with_no_episodes_says_so() -> None:
    from narrate.listen_page import page_html

    assert "No episodes yet." in page_html(PODCAST, [])
