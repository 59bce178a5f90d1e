"""The listening page in a real headless Chromium: it loads, plays, and follows the audio.

Uses the system Chromium (Debian's ``chromium`` package) through Playwright; without it the test
is skipped. The output folder is served over http, as a static host would (fetch() of the
timing JSON needs http), with byte ranges, which browsers need to seek in audio.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_feed_project

from narrate.feed import build, load_feed_config
from narrate.publish import clock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason="needs the system Chromium at /usr/bin/chromium (Debian: apt-get install chromium)",
)


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """http.server plus single byte ranges, as every static host and CDN answers."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start = int(match.group(1) or 0)
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def copyfile(self, source: Any, outputfile: Any) -> None:
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            super().copyfile(source, outputfile)
            return
        # the browser may hang up once it has what it needs
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            outputfile.write(source.read(remaining))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The example podcast built with the silent voice and served on 127.0.0.1."""
    config = make_feed_project(tmp_path_factory.mktemp("listen"))
    report = build(load_feed_config(config, env={}), workers=0)
    assert report.ok and report.episodes == 3
    output = config.parent / "public"
    handler = functools.partial(StaticHost, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", output
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright must not look for (or download) a browser of its own.
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, site: tuple[str, Path]) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site[0] + "index.html")
    yield page
    context.close()
    assert errors == [], errors


def _timing(output: Path, page: Any, episode: int) -> dict[str, Any]:
    path = page.locator("article.episode").nth(episode).get_attribute("data-timings")
    return dict(json.loads((output / path).read_text(encoding="utf-8")))


def test_the_page_lists_episodes_newest_first_with_players(
    page: Any, site: tuple[str, Path]
) -> None:
    titles = page.locator("article.episode h2").all_inner_texts()
    assert titles == [
        "Volunteers pull two tonnes of rubbish from the river",
        "Town library to open on Sundays from September",
        "Night ferry to the islands returns after two-year pause",
    ]
    assert page.locator("article.episode audio").count() == 3
    duration = _timing(site[1], page, 0)["duration"]
    assert page.locator("article.episode .duration").first.inner_text() == clock(duration)
    source = page.locator("article.episode").first.get_by_role("link", name="Source article")
    assert source.get_attribute("href") == "https://ledger.example.com/news/river-cleanup"


def test_the_audio_plays(page: Any) -> None:
    audio = page.locator("article.episode audio").first
    duration = audio.evaluate("async (a) => { a.muted = true; await a.play(); return a.duration; }")
    assert duration > 10
    page.wait_for_function(
        "document.querySelector('article.episode audio').currentTime > 0.5", timeout=10_000
    )
    # playing loads the transcript on its own
    page.wait_for_selector("article.episode[data-transcript=ready]", timeout=10_000)


def test_the_transcript_has_a_span_per_sentence(page: Any, site: tuple[str, Path]) -> None:
    episode = page.locator("article.episode").nth(1)
    episode.locator("summary").click()
    page.wait_for_selector("article.episode:nth-of-type(2)[data-transcript=ready]")
    timing = _timing(site[1], page, 1)
    spans = episode.locator(".seg")
    assert spans.count() == len(timing["segments"])
    assert spans.all_inner_texts() == [segment["text"] for segment in timing["segments"]]
    # paragraphs are rebuilt: headline, byline, date and disclosure alone, body blocks grouped
    alone = [s for s in timing["segments"] if s["block"] < 0]
    assert [s["role"] for s in alone] == ["title", "byline", "date", "disclosure"]
    blocks = {s["block"] for s in timing["segments"] if s["block"] >= 0}
    assert episode.locator(".segments p").count() == len(alone) + len(blocks)


def test_a_seek_highlights_the_sentence_being_spoken(page: Any, site: tuple[str, Path]) -> None:
    episode = page.locator("article.episode").first
    episode.locator("summary").click()
    page.wait_for_selector("article.episode[data-transcript=ready]")
    segments = _timing(site[1], page, 0)["segments"]
    target = segments[len(segments) // 2]
    middle = (target["start"] + target["end"]) / 2
    audio = episode.locator("audio")
    audio.evaluate("(a, t) => { a.muted = true; a.currentTime = t; }", middle)
    page.wait_for_function(
        "(t) => Math.abs(document.querySelector('article.episode audio').currentTime - t) < 0.5",
        arg=middle,
    )
    # The highlight follows the seek on the audio's own events: wait for it, not for any.
    page.wait_for_selector(f"article.episode .seg.current[data-index='{target['index']}']")
    current = episode.locator(".seg.current")
    assert current.count() == 1
    assert current.inner_text() == target["text"]
    assert current.get_attribute("data-index") == str(target["index"])
    assert current.get_attribute("aria-current") == "true"


def test_clicking_a_sentence_seeks_to_it(page: Any, site: tuple[str, Path]) -> None:
    episode = page.locator("article.episode").first
    episode.locator("summary").click()
    page.wait_for_selector("article.episode[data-transcript=ready]")
    episode.locator("audio").evaluate("(a) => { a.muted = true; }")
    segments = _timing(site[1], page, 0)["segments"]
    target = segments[-2]
    episode.locator(f".seg[data-index='{target['index']}']").click()
    page.wait_for_function(
        "(t) => document.querySelector('article.episode audio').currentTime >= t - 0.05",
        arg=target["start"],
    )
    page.wait_for_selector(f"article.episode .seg.current[data-index='{target['index']}']")
    current = episode.locator(".seg.current")
    assert current.count() == 1 and current.inner_text() == target["text"]
    assert episode.locator("audio").evaluate("(a) => a.currentTime") < target["end"] + 2


def test_without_the_timing_json_the_plain_transcript_link_remains(
    browser: Any, site: tuple[str, Path], tmp_path: Path
) -> None:
    url, output = site
    timings = sorted((output / "episodes").glob("*[0-9a-f].json"))
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    for path in timings:
        shutil.move(path, hidden / path.name)
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "index.html")
        episode = page.locator("article.episode").first
        episode.locator("summary").click()
        page.wait_for_timeout(300)
        link = episode.get_by_role("link", name="Plain-text transcript")
        assert link.is_visible()
        assert link.get_attribute("href").endswith(".txt")
        assert episode.locator(".seg").count() == 0
        context.close()
    finally:
        for path in timings:
            shutil.move(hidden / path.name, path)
