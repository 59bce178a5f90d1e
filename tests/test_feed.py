"""narrate feed: the config, the incremental build, edits, failures, workers and a killed build."""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from conftest import EXAMPLES, make_feed_project
from lxml import etree
from mutagen.mp3 import MP3

from narrate.errors import ConfigError
from narrate.feed import (
    BuildReport,
    _Workers,
    build,
    content_hash,
    load_feed_config,
    render_fingerprint,
)
from narrate.publish import EPISODE_SUFFIXES, ITUNES_NS, PODCAST_NS, podcast_guid

NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS}
# Read at import: the autouse fixture in conftest.py clears NARRATE_* before each test.
TEST_REDIS = os.environ.get("NARRATE_TEST_REDIS", "")
BASE_URL = "https://podcast.ledger.example.com/"
TITLES = (
    "Volunteers pull two tonnes of rubbish from the river",
    "Town library to open on Sundays from September",
    "Night ferry to the islands returns after two-year pause",
)


def run_build(config_path: Path, workers: int = 0, **env: str) -> BuildReport:
    return build(load_feed_config(config_path, env=env), workers=workers)


def narrate_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATE_")}
    return subprocess.run(
        [sys.executable, "-m", "narrate", *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=300,
        check=False,
    )


def items_by_title(output: Path) -> dict[str, Any]:
    tree = etree.parse(str(output / "feed.xml"))
    return {item.findtext("title"): item for item in tree.iterfind("channel/item")}


def enclosure_file(output: Path, item: Any) -> Path:
    url = item.find("enclosure").get("url")
    assert url.startswith(BASE_URL + "episodes/")
    return output / url.removeprefix(BASE_URL)


def episode_files(output: Path) -> set[str]:
    return {path.name for path in (output / "episodes").iterdir()}


def state_rows(output: Path) -> list[dict[str, Any]]:
    db = sqlite3.connect(output / ".narrate" / "state.sqlite3")
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute("SELECT * FROM episodes ORDER BY source")]
    finally:
        db.close()


def check_feed_against_files(output: Path, count: int) -> None:
    """Every rule that ties the feed to the files: exact lengths, absolute URLs, no strays."""
    tree = etree.parse(str(output / "feed.xml"))
    items = tree.findall("channel/item")
    assert len(items) == count
    guids = [item.findtext("guid") for item in items]
    assert len(set(guids)) == count, "one item per article"
    named: set[str] = set()
    for item in items:
        mp3 = enclosure_file(output, item)
        assert int(item.find("enclosure").get("length")) == mp3.stat().st_size
        duration = int(item.findtext("itunes:duration", namespaces=NS))
        assert abs(duration - MP3(mp3).info.length) <= 0.5
        stem = mp3.name.removesuffix(".mp3")
        named |= {stem + suffix for suffix in EPISODE_SUFFIXES}
        for tag in item.findall("podcast:transcript", NS) + item.findall("podcast:chapters", NS):
            url = tag.get("url")
            assert url.startswith(BASE_URL) and (output / url.removeprefix(BASE_URL)).is_file()
    assert episode_files(output) == named, "the files on disk are exactly those the feed names"


# --- the example, narrated with the real voice ---------------------------------------------------


@pytest.fixture(scope="module")
def espeak_feed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """examples/narrate.toml built once as shipped (the default eSpeak NG voice)."""
    config = make_feed_project(tmp_path_factory.mktemp("espeak"), voice="en-us")
    report = run_build(config)
    return config.parent / "public", report


@pytest.mark.slow
def test_example_config_builds_a_feed_end_to_end_with_the_real_voice(
    espeak_feed: tuple[Path, BuildReport],
) -> None:
    output, report = espeak_feed
    assert report.ok and len(report.new) == 3 and report.episodes == 3
    check_feed_against_files(output, 3)
    parsed = feedparser.parse(str(output / "feed.xml"))
    assert not parsed.bozo
    assert [entry.title for entry in parsed.entries] == list(TITLES), "newest first"
    assert parsed.feed.podcast_guid == podcast_guid(BASE_URL + "feed.xml")
    for entry in parsed.entries:
        mp3 = output / entry.enclosures[0].href.removeprefix(BASE_URL)
        info = MP3(mp3).info
        assert 20 < info.length < 120 and info.sample_rate == 44100
        assert "synthetic voice" in entry.summary
    dates = [
        parsedate_to_datetime(item.findtext("pubDate")) for item in items_by_title(output).values()
    ]
    assert [d.isoformat() for d in dates] == [
        "2025-05-17T17:45:00+00:00",
        "2025-05-14T08:00:00+00:00",
        "2025-05-12T06:30:00+00:00",
    ]
    assert (output / "index.html").is_file() and (output / "artwork.jpg").is_file()


def test_item_images_are_the_articles_own_when_they_are_the_cover(tmp_path: Path) -> None:
    config = make_feed_project(tmp_path / "site")
    text = config.read_text(encoding="utf-8")
    # The pages' images are not online: fail fast and fall back to the show's cover.
    text = text.replace(
        "artwork_from_page = false", "artwork_from_page = true\nfetch_timeout_s = 1"
    )
    config.write_text(text, encoding="utf-8")
    report = run_build(config)
    assert report.ok
    items = items_by_title(config.parent / "public")
    image = items[TITLES[0]].find("itunes:image", NS)
    assert image.get("href") == "https://ledger.example.com/images/river-cleanup.jpg"
    assert items[TITLES[1]].find("itunes:image", NS) is None  # the library page has no image


@pytest.mark.slow
def test_item_images_are_left_out_when_the_page_image_is_not_the_cover(
    espeak_feed: tuple[Path, BuildReport],
) -> None:
    """The example config sets artwork_from_page = false (its pages' images are not online):
    an item image pointing at the page's would be a broken episode image in podcast apps."""
    items = items_by_title(espeak_feed[0])
    assert all(item.find("itunes:image", NS) is None for item in items.values())
    assert items[TITLES[0]].findtext("link") == "https://ledger.example.com/news/river-cleanup"


@pytest.mark.slow
def test_transcript_and_chapters_files_are_what_their_types_say(
    espeak_feed: tuple[Path, BuildReport],
) -> None:
    output = espeak_feed[0]
    item = items_by_title(output)[TITLES[2]]
    files = {
        t.get("type"): output / t.get("url").removeprefix(BASE_URL)
        for t in item.findall("podcast:transcript", NS) + item.findall("podcast:chapters", NS)
    }
    assert files["text/vtt"].read_text().startswith("WEBVTT")
    assert re.match(r"1\n00:00:\d\d,\d{3} --> ", files["application/x-subrip"].read_text())
    transcript = json.loads(files["application/json"].read_text())
    assert transcript["version"] == "1.0.0"
    assert transcript["segments"][0]["body"] == TITLES[2] + "."
    assert {"startTime", "endTime", "body"} <= set(transcript["segments"][0])
    chapters = json.loads(files["application/json+chapters"].read_text())
    assert [c["title"] for c in chapters["chapters"]][:2] == ["Introduction", "Article"]


# --- configuration ----------------------------------------------------------------------------


def test_example_config_reads_with_paths_relative_to_the_file() -> None:
    config = load_feed_config(EXAMPLES / "narrate.toml", env={})
    assert config.podcast.title == "The Harbour Ledger, read aloud"
    assert config.podcast.base_url == BASE_URL
    assert (config.podcast.category, config.podcast.subcategory) == ("News", "Daily News")
    assert config.output == (EXAMPLES.parent / "out" / "podcast").resolve()
    assert config.sources.articles == (
        "feed/harbour-ferry.html",
        "feed/library-hours.html",
        "feed/river-cleanup.html",
    )
    assert config.render.voice == "en-us" and config.render.transcripts
    assert config.render.artwork == str(EXAMPLES / "cover.png")
    assert config.artwork == EXAMPLES / "cover.png"


def test_environment_overrides_render_settings(feed_project: Path) -> None:
    config = load_feed_config(feed_project, env={"NARRATE_VOICE": "en-gb"})
    assert config.render.voice == "en-gb"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ('category = "News"', 'category = "Newz"'),
            r"'podcast\.category' must be one of Apple's categories \(Arts, .*Example: category = \"News\"",
        ),
        (
            ('subcategory = "Daily News"', 'subcategory = "Design"'),
            r"'podcast\.subcategory' must be one of News's subcategories",
        ),
        (
            (
                'base_url = "https://podcast.ledger.example.com/"',
                'base_url = "podcast.example.com"',
            ),
            r"'podcast\.base_url' must be an absolute http\(s\) URL",
        ),
        (
            ('email = "podcast@ledger.example.com"', 'email = "nobody"'),
            r"'podcast\.email' must be an e-mail address",
        ),
        (
            ('title = "The Harbour Ledger, read aloud"\n', ""),
            r"'podcast\.title' is missing\. Example: title = ",
        ),
        (("explicit = false", 'explicit = "no"'), r"'podcast\.explicit' must be true or false"),
        (
            ('artwork = "cover.png"              #', 'artwork = "nope.png" #'),
            r"'podcast\.artwork' names .*nope\.png, which does not exist",
        ),
        (
            ("[podcast]\n", "[podcast]\nhomepage = 1\n"),
            r"unknown key 'podcast\.homepage'\. Known keys: ",
        ),
        (("articles = [", "pages = [1]\narticles = ["), r"unknown key 'sources\.pages'"),
        (("[sources]\n", "[sources]\n[extra]\n"), r"unknown table or key 'extra'"),
    ],
)
def test_bad_config_says_file_key_and_example(
    feed_project: Path, edit: tuple[str, str], message: str
) -> None:
    text = feed_project.read_text()
    assert edit[0] in text
    feed_project.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(ConfigError, match=message) as caught:
        load_feed_config(feed_project, env={})
    assert str(feed_project) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_config_without_sources_is_refused(feed_project: Path) -> None:
    text = feed_project.read_text()
    start = text.index("articles = [")
    end = text.index("]", start) + 1
    feed_project.write_text(text[:start] + text[end:])
    with pytest.raises(
        ConfigError, match=r"'sources\.articles' and 'sources\.feeds' are both empty"
    ):
        load_feed_config(feed_project, env={})


def test_content_hash_follows_what_is_heard(feed_project: Path) -> None:
    import narrate
    from narrate.config import Config

    article = narrate.extract(str(feed_project.parent / "feed/river-cleanup.html"), Config())
    fingerprint = render_fingerprint(Config(voice="silent"))
    digest = content_hash(article, fingerprint)
    assert content_hash(article, fingerprint) == digest
    from dataclasses import replace

    assert content_hash(replace(article, description="Another summary."), fingerprint) == digest
    assert content_hash(replace(article, title="Corrected"), fingerprint) != digest
    assert content_hash(article, render_fingerprint(Config(voice="en-gb"))) != digest
    assert (
        content_hash(article, render_fingerprint(Config(voice="silent", fetch_timeout_s=3)))
        == content_hash(
            article, render_fingerprint(Config(voice="silent", cache_dir="/elsewhere", cache=False))
        )
        == content_hash(article, render_fingerprint(Config(voice="silent", parallel_encode=False)))
        == digest
    )
    assert (
        content_hash(article, render_fingerprint(Config(voice="silent", bitrate_kbps=96))) != digest
    )


# --- incremental builds -----------------------------------------------------------------------


def test_an_unchanged_article_costs_a_hash_not_a_render(feed_project: Path) -> None:
    output = feed_project.parent / "public"
    first = run_build(feed_project)
    assert sorted(first.new) == sorted(
        f"feed/{n}" for n in ("harbour-ferry.html", "library-hours.html", "river-cleanup.html")
    )
    feed_bytes = (output / "feed.xml").read_bytes()
    mtimes = {p.name: p.stat().st_mtime_ns for p in (output / "episodes").iterdir()}
    second = run_build(feed_project)
    assert second.new == [] and second.changed == [] and len(second.unchanged) == 3
    assert (output / "feed.xml").read_bytes() == feed_bytes, "an unchanged feed is byte-identical"
    assert {p.name: p.stat().st_mtime_ns for p in (output / "episodes").iterdir()} == mtimes
    rows = state_rows(output)
    assert [row["status"] for row in rows] == ["done"] * 3
    assert all(row["media_hash"] == row["article_hash"] for row in rows)
    assert all(row["media_bytes"] > 0 and row["duration_s"] > 10 for row in rows)


def test_an_edited_article_keeps_guid_and_date_and_gets_a_new_file(feed_project: Path) -> None:
    output = feed_project.parent / "public"
    run_build(feed_project)
    before = items_by_title(output)
    old_mp3 = enclosure_file(output, before[TITLES[1]])
    page = feed_project.parent / "feed/library-hours.html"
    page.write_text(page.read_text().replace("three-year grant", "four-year grant"))

    report = run_build(feed_project)

    assert report.changed == ["feed/library-hours.html"] and report.new == []
    assert len(report.unchanged) == 2
    after = items_by_title(output)
    edited, kept = after[TITLES[1]], before[TITLES[1]]
    assert edited.findtext("guid") == kept.findtext("guid")
    assert edited.findtext("pubDate") == kept.findtext("pubDate")
    new_mp3 = enclosure_file(output, edited)
    assert new_mp3 != old_mp3 and new_mp3.is_file()
    assert not old_mp3.exists(), "the replaced audio is removed once the feed no longer names it"
    assert not any(name.startswith(old_mp3.stem) for name in episode_files(output))
    assert "four-year grant" in new_mp3.with_suffix(".txt").read_text()
    for title in (TITLES[0], TITLES[2]):
        assert enclosure_file(output, after[title]) == enclosure_file(output, before[title])
    assert len(report.removed_files) == len(EPISODE_SUFFIXES)
    check_feed_against_files(output, 3)


def test_a_new_description_updates_the_feed_without_a_render(feed_project: Path) -> None:
    output = feed_project.parent / "public"
    run_build(feed_project)
    page = feed_project.parent / "feed/river-cleanup.html"
    page.write_text(
        page.read_text().replace("cleared the riverbank between", "cleared the banks between")
    )
    report = run_build(feed_project)
    assert report.changed == [] and len(report.unchanged) == 3
    assert "cleared the banks between" in items_by_title(output)[TITLES[0]].findtext("description")


def test_an_article_taken_out_of_the_config_is_unpublished(feed_project: Path) -> None:
    output = feed_project.parent / "public"
    run_build(feed_project)
    text = feed_project.read_text()
    feed_project.write_text(text.replace('    "feed/harbour-ferry.html",\n', ""))
    report = run_build(feed_project)
    assert report.removed_episodes == ["feed/harbour-ferry.html"]
    assert list(items_by_title(output)) == [TITLES[0], TITLES[1]]
    check_feed_against_files(output, 2)


def test_files_a_killed_build_finished_are_used_not_rendered_again(feed_project: Path) -> None:
    output = feed_project.parent / "public"
    run_build(feed_project)
    mtimes = {p.name: p.stat().st_mtime_ns for p in (output / "episodes").glob("*.mp3")}
    # As if the build had been killed after the renders but before it recorded them.
    db = sqlite3.connect(output / ".narrate" / "state.sqlite3")
    with db:
        db.execute("UPDATE episodes SET status = 'rendering', media_stem = NULL, media_hash = NULL")
    db.close()
    report = run_build(feed_project)
    assert len(report.new) == 3 and report.ok
    assert {p.name: p.stat().st_mtime_ns for p in (output / "episodes").glob("*.mp3")} == mtimes
    check_feed_against_files(output, 3)


# --- failures ---------------------------------------------------------------------------------


def test_a_failing_article_is_reported_and_the_rest_published(feed_project: Path) -> None:
    output = feed_project.parent / "public"
    run_build(feed_project)
    before = items_by_title(output)
    page = feed_project.parent / "feed/library-hours.html"
    page.write_text(page.read_text().replace("three-year grant", "four-year grant"))
    text = feed_project.read_text()
    feed_project.write_text(text.replace("articles = [", 'articles = [\n    "feed/missing.html",'))

    # The edited article's render fails (no ffmpeg): retried, then reported; the old audio stays.
    report = run_build(feed_project, NARRATE_FFMPEG=str(feed_project.parent / "no-ffmpeg"))

    assert {(f.source, f.stage) for f in report.failed} == {
        ("feed/missing.html", "extract"),
        ("feed/library-hours.html", "render"),
    }
    failure = next(f for f in report.failed if f.stage == "render")
    assert "no-ffmpeg, which does not exist" in failure.error
    assert len(report.unchanged) == 2
    after = items_by_title(output)
    assert list(after) == list(TITLES)
    assert enclosure_file(output, after[TITLES[1]]) == enclosure_file(output, before[TITLES[1]])
    row = next(r for r in state_rows(output) if r["source"] == "feed/library-hours.html")
    assert row["status"] == "failed" and "ffmpeg" in row["error"]
    check_feed_against_files(output, 3)

    # Fixed: the next build renders it.
    report = run_build(feed_project)
    assert report.changed == ["feed/library-hours.html"]


def test_cli_exit_status_and_messages(feed_project: Path) -> None:
    text = feed_project.read_text()
    feed_project.write_text(text.replace("articles = [", 'articles = [\n    "feed/missing.html",'))
    result = narrate_cli("feed", "build", str(feed_project), "--workers", "0")
    assert result.returncode == 5, result.stderr
    assert "narrate: failed: feed/missing.html: No such file" in result.stderr
    assert re.search(
        r"3 episodes in .*feed\.xml: 3 new, 0 updated, 0 unchanged, 1 failed", result.stdout
    )

    feed_project.write_text(text.replace('category = "News"', 'category = "Newz"'))
    result = narrate_cli("feed", "build", str(feed_project))
    assert result.returncode == 2
    assert (
        result.stderr.startswith("narrate: error: Feed config ") and result.stderr.count("\n") == 1
    )


def test_one_build_at_a_time(feed_project: Path) -> None:
    config = load_feed_config(feed_project, env={})
    config.data_dir.mkdir(parents=True)
    with open(config.data_dir / "build.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(ConfigError, match=r"Another narrate feed build is running"):
            build(config, workers=0)


# --- a site's RSS feed as the source ----------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The example pages and an RSS feed of them, served on 127.0.0.1."""
    root = tmp_path / "www"
    (root / "news").mkdir(parents=True)
    for page in (EXAMPLES / "feed").glob("*.html"):
        (root / "news" / page.name).write_bytes(page.read_bytes())
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _rss(pages: list[str]) -> str:
    items = "".join(
        f"<item><title>{name}</title><link>news/{name}</link>"
        "<pubDate>Mon, 19 May 2025 10:00:00 GMT</pubDate></item>"
        for name in pages
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger</title>'
        f"<link>https://ledger.example.com/</link><description>News</description>{items}"
        "</channel></rss>"
    )


def test_a_site_feed_supplies_the_articles(feed_project: Path, site: tuple[Path, str]) -> None:
    root, address = site
    output = feed_project.parent / "public"
    (root / "rss.xml").write_text(_rss(["river-cleanup.html", "library-hours.html"]))
    text = feed_project.read_text()
    start = text.index("articles = [")
    end = text.index("]", start) + 1
    feed_project.write_text(text[:start] + f'feeds = ["{address}/rss.xml"]' + text[end:])

    report = run_build(feed_project)
    assert report.ok and sorted(report.new) == [
        f"{address}/news/library-hours.html",
        f"{address}/news/river-cleanup.html",
    ]
    assert list(items_by_title(output)) == [TITLES[0], TITLES[1]]

    # The entry scrolls off the site's feed: the episode stays (a podcast is an archive).
    (root / "rss.xml").write_text(_rss(["harbour-ferry.html"]))
    report = run_build(feed_project)
    assert report.new == [f"{address}/news/harbour-ferry.html"]
    assert list(items_by_title(output)) == list(TITLES)
    check_feed_against_files(output, 3)

    # A broken site feed is reported and its episodes are kept.
    (root / "rss.xml").write_text("this is not a feed")
    report = run_build(feed_project)
    assert [(f.source, f.stage) for f in report.failed] == [(f"{address}/rss.xml", "feed")]
    assert report.episodes == 3

    # The feed taken out of the config: its episodes go.
    feed_project.write_text(text)
    report = run_build(feed_project)
    assert len(report.removed_episodes) == 3 and len(report.new) == 3
    check_feed_against_files(output, 3)


# --- worker processes and a killed build ------------------------------------------------------


def _consumers(data_dir: Path) -> list[int]:
    """Consumer processes (and their workers) started for this output folder."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"narrate.queue" in cmdline and str(data_dir).encode() in cmdline:
            pids.append(int(proc.name))
    return pids


def _wait_for(condition: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds worker processes through /proc")
def test_worker_processes_render_and_stop(feed_project: Path) -> None:
    output = feed_project.parent / "public"
    result = narrate_cli("feed", "build", str(feed_project), "--workers", "2", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and len(report["new"]) == 3 and report["episodes"] == 3
    check_feed_against_files(output, 3)
    assert "Huey consumer started with 2 process" in (output / ".narrate/worker.log").read_text()
    assert _consumers(output / ".narrate") == []


def test_a_build_whose_redis_queue_does_not_answer_is_one_line_and_exit_6(
    feed_project: Path,
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://:hunter2@127.0.0.1:{port}/0"
    result = narrate_cli("feed", "build", str(feed_project), "--workers", "1",
                         env={"NARRATE_QUEUE": url})  # fmt: skip
    assert result.returncode == 6, result.stderr
    assert result.stderr.startswith(f"narrate: error: The queue at redis://:***@127.0.0.1:{port}/0")
    assert len(result.stderr.strip().splitlines()) == 1 and "hunter2" not in result.stderr


@pytest.mark.skipif(not TEST_REDIS, reason="NARRATE_TEST_REDIS is unset (see .ci/run)")
def test_worker_processes_share_a_redis_queue_given_in_their_environment(
    feed_project: Path,
) -> None:
    """The build hands the Redis URL to its consumer in the environment (a command line is
    anyone's to read, a password in it too), and the consumer finds it there."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS)
    client.flushdb()
    try:
        result = narrate_cli("feed", "build", str(feed_project), "--workers", "1", "--json",
                             env={"NARRATE_QUEUE": TEST_REDIS})  # fmt: skip
    finally:
        client.flushdb()
        client.close()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["episodes"] == 3
    data_dir = feed_project.parent / "public" / ".narrate"
    assert "Huey consumer started" in (data_dir / "worker.log").read_text()
    workers = _Workers(data_dir, TEST_REDIS, 1)
    try:
        assert workers.process is not None
        pid = workers.process.pid
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    finally:
        workers.stop(graceful=False)
    assert TEST_REDIS.encode() not in command
    assert b"NARRATE_QUEUE=" + TEST_REDIS.encode() in environ


def _many_articles(project: Path, count: int) -> None:
    """Turn the example into ``count`` distinct articles (new headlines and addresses)."""
    pages = sorted((project.parent / "feed").glob("*.html"))
    names = []
    for number in range(count):
        source = pages[number % len(pages)]
        text = source.read_text()
        title = re.search(r"<h1>(.*?)</h1>", text).group(1)  # type: ignore[union-attr]
        text = text.replace(title, f"{title}, part {number + 1}")
        text = text.replace("/news/", f"/news/{number + 1}/")
        name = f"story-{number + 1}.html"
        (project.parent / "feed" / name).write_text(text)
        names.append(f'"feed/{name}"')
    config = project.read_text()
    start = config.index("articles = [")
    end = config.index("]", start) + 1
    project.write_text(config[:start] + f"articles = [{', '.join(names)}]" + config[end:])


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds worker processes through /proc")
def test_a_killed_build_is_completed_by_the_next_without_duplicates_or_orphans(
    feed_project: Path,
) -> None:
    output = feed_project.parent / "public"
    data_dir = output / ".narrate"
    _many_articles(feed_project, 8)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NARRATE_")}
    build_process = subprocess.Popen(
        [sys.executable, "-m", "narrate", "feed", "build", str(feed_project), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=clean,
    )
    try:
        _wait_for(lambda: any((output / "episodes").glob("*.mp3")), 120, "the first render")
    finally:
        build_process.send_signal(signal.SIGKILL)
        build_process.wait()
    # Its workers notice the build is gone and stop by themselves.
    _wait_for(lambda: not _consumers(data_dir), 30, "the orphaned workers to stop")
    interrupted = state_rows(output)
    assert len(interrupted) == 8
    assert {row["status"] for row in interrupted} & {"pending", "rendering"}, "killed mid-way"
    assert not (output / "feed.xml").exists(), "no feed before its media exist"

    result = narrate_cli("feed", "build", str(feed_project), "--workers", "1", "--json")

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["episodes"] == 8
    rows = state_rows(output)
    assert len(rows) == 8 and {row["status"] for row in rows} == {"done"}
    check_feed_against_files(output, 8)
    assert not list(output.glob(".*.part")) and not list((output / "episodes").glob(".*"))
    titles = list(items_by_title(output))
    assert len(titles) == 8 and all(", part " in title for title in titles)
