"""The HTTP service in this process (httpx.ASGITransport), with an in-process worker (drain)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from servicekit import (
    PAGES,
    SECRET,
    TOKEN,
    drain,
    generic,
    make_service,
    publish,
    publish_burst,
    request,
    signed,
)

from narrate.auth import sign_headers, verify_signature
from narrate.errors import ConfigError
from narrate.payloads import Submission, parse
from narrate.server import create_app
from narrate.service import (
    Accepted,
    Service,
    ServiceQueue,
    prepare,
    record_submissions,
    service_queue,
)
from narrate.state import State


class Site:
    """A service, its queue and its app; ``work()`` runs the queued tasks here."""

    def __init__(self, root: Path, **settings: Any) -> None:
        self.service: Service = make_service(root, **settings)
        self.queue: ServiceQueue = service_queue(self.service)
        self.app = create_app(self.service, self.queue)
        prepare(self.service)  # what a worker does when it starts: the cover, an empty feed

    def work(self) -> int:
        return drain(self.queue)

    def get(self, path: str) -> httpx.Response:
        return request(self.app, "GET", path)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site")


@pytest.fixture
def page_server() -> Iterator[str]:
    """The example pages over HTTP on 127.0.0.1 (a private address: refused unless allowed)."""
    flaked: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            # /unavailable/NAME answers 503 every time, /flaky/NAME the first time only.
            kind, _, name = self.path.strip("/").rpartition("/")
            page = PAGES.get(name)
            status = 200 if page else 404
            if kind == "unavailable" or (kind == "flaky" and name not in flaked):
                flaked.add(name)
                status, page = 503, None
            body = page.read_bytes() if page else b"no"
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    yield from _serve(Handler)


@pytest.fixture
def receiver() -> Iterator[dict[str, Any]]:
    """A callback receiver on 127.0.0.1: answers ``statuses`` in turn, records every call."""
    record: dict[str, Any] = {"calls": [], "statuses": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            record["calls"].append((dict(self.headers.items()), body))
            status = record["statuses"].pop(0) if record["statuses"] else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    for base in _serve(Handler):
        record["url"] = f"{base}/hooks/narrate"
        yield record


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def feed_titles(site: Site) -> list[str]:
    tree = etree.parse(str(site.service.output / "feed.xml"))
    return [str(item.findtext("title")) for item in tree.iterfind("channel/item")]


# --- publishing, idempotency, edits ------------------------------------------------------------


def test_a_publish_is_accepted_at_once_then_rendered_and_published(site: Site) -> None:
    started = time.perf_counter()
    answer = publish(site.app, generic("ferry"))
    assert time.perf_counter() - started < 1.0
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["status"] == "queued" and job["duplicate"] is False and job["episode"] is None
    assert answer.headers["location"] == f"/v1/jobs/{job['id']}"
    assert site.get(f"/v1/jobs/{job['id']}").json()["status"] == "queued"

    assert site.work() == 1

    done = site.get(f"/v1/jobs/{job['id']}").json()
    assert done["status"] == "done" and done["attempts"] == 1 and done["error"] is None
    episode = done["episode"]
    assert episode["title"] == "Night ferry to the islands returns after two-year pause"
    assert episode["audio_url"].startswith("http://testserver/episodes/")
    assert episode["duration_s"] > 10 and episode["audio_bytes"] > 0
    assert set(episode["files"]) >= {"mp3", "vtt", "srt", "txt", "transcript.json"}
    assert feed_titles(site) == [episode["title"]]
    # The files the episode names are served, with the right sizes.
    mp3 = site.get(episode["audio_url"].removeprefix("http://testserver"))
    assert mp3.status_code == 200 and len(mp3.content) == episode["audio_bytes"]
    assert site.get("/feed.xml").status_code == 200
    assert "Night ferry" in site.get("/").text


def test_the_same_article_and_content_again_is_the_same_job(site: Site) -> None:
    first = publish(site.app, generic("ferry")).json()
    again = publish(site.app, generic("ferry"))
    assert again.status_code == 202 and again.json()["id"] == first["id"]
    assert again.json()["duplicate"] is True
    site.work()
    after = publish(site.app, generic("ferry"))
    assert after.status_code == 200, "done already: answered with the episode"
    assert after.json()["id"] == first["id"] and after.json()["episode"]["id"]
    assert site.work() == 0, "nothing queued again"


def test_an_edited_article_is_the_same_episode_with_new_audio(site: Site) -> None:
    first = publish(site.app, generic("ferry")).json()
    site.work()
    old = site.get(f"/v1/jobs/{first['id']}").json()["episode"]
    edited = generic("ferry")
    edited["html"] = edited["html"].replace("twelve pounds", "eleven pounds and fifty pence")
    second = publish(site.app, edited)
    assert second.status_code == 202 and second.json()["id"] != first["id"]
    site.work()
    second_job = site.get(f"/v1/jobs/{second.json()['id']}").json()
    new = second_job["episode"]
    assert new["id"] == old["id"] and new["published"] == old["published"]
    # Only the edited sentence is spoken again; the rest comes from the segment cache.
    assert second_job["segments_synthesized"] == 1 and second_job["segments_reused"] > 10
    assert new["audio_url"] != old["audio_url"]
    assert site.get(old["audio_url"].removeprefix("http://testserver")).status_code == 404
    assert len(site.get("/v1/episodes").json()["episodes"]) == 1
    assert len(feed_titles(site)) == 1


def test_an_older_version_finishing_late_never_replaces_a_newer_one(site: Site) -> None:
    first = publish(site.app, generic("ferry")).json()
    edited = generic("ferry")
    edited["html"] = edited["html"].replace("twelve pounds", "ten pounds")
    second = publish(site.app, edited).json()
    site.work()
    assert site.get(f"/v1/jobs/{first['id']}").json()["status"] == "superseded"
    episode = site.get(f"/v1/jobs/{second['id']}").json()["episode"]
    assert episode["files"]["txt"]
    text = (site.service.media / Path(episode["files"]["txt"]).name).read_text()
    assert "ten pounds" in text
    # Reverting the edit publishes the first version again.
    again = publish(site.app, generic("ferry"))
    assert again.status_code == 202 and again.json()["id"] == first["id"]
    site.work()
    reverted = site.get(f"/v1/jobs/{first['id']}").json()
    assert reverted["status"] == "done"
    text = (site.service.media / Path(reverted["episode"]["files"]["txt"]).name).read_text()
    assert "ten pounds" not in text and "twelve pounds" in text


def test_a_page_with_no_article_fails_at_once_with_its_reason(site: Site) -> None:
    """No retry can find an article that is not there: one attempt, then failed."""
    answer = publish(site.app, {"html": "<html><body><p>Hi.</p></body></html>", "id": "stub"})
    assert answer.status_code == 202
    assert site.work() == 1, "tried once"
    job = site.get(f"/v1/jobs/{answer.json()['id']}").json()
    assert job["status"] == "failed" and job["attempts"] == 1
    assert job["error"] and "\n" not in job["error"] and "article" in job["error"]
    assert site.get("/v1/episodes").json() == {"episodes": []}
    # The same (failed) version sent again is tried again.
    assert (
        publish(
            site.app, {"html": "<html><body><p>Hi.</p></body></html>", "id": "stub"}
        ).status_code
        == 202
    )
    assert site.work() == 1


def test_a_render_that_keeps_failing_for_a_passing_reason_is_tried_three_times(
    tmp_path: Path, page_server: str
) -> None:
    """A 503 from the article's site may pass: tried three times, then failed with it."""
    site = Site(tmp_path / "s", env={"NARRATE_FETCH_ALLOW_HOSTS": "127.0.0.1"})
    job = publish(site.app, {"url": f"{page_server}/unavailable/ferry"}).json()
    assert site.work() == 3, "tried three times"
    failed = site.get(f"/v1/jobs/{job['id']}").json()
    assert failed["status"] == "failed" and failed["attempts"] == 3
    assert "answered 503" in failed["error"] and "\n" not in failed["error"]
    # One that passes: done on the second attempt.
    flaky = publish(site.app, {"url": f"{page_server}/flaky/library"}).json()
    assert site.work() == 2
    done = site.get(f"/v1/jobs/{flaky['id']}").json()
    assert done["status"] == "done" and done["attempts"] == 2


# --- payload shapes --------------------------------------------------------------------------


def test_publishes_sent_together_are_each_answered_as_if_alone(site: Site) -> None:
    """The intake records a group at a time: five versions, each sent three times at once."""

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=site.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await publish_burst(client, [f"story-{number % 5}" for number in range(15)])

    answers = asyncio.run(burst())
    assert {answer.status_code for answer in answers} == {202}
    jobs = [answer.json() for answer in answers]
    ids = {job["id"] for job in jobs}
    assert len(ids) == 5
    assert sum(not job["duplicate"] for job in jobs) == 5, "each version created once"
    assert len(site.queue.huey.pending()) == 5 and site.queue.waiting() == ids, "one task each"
    state = site.service.state()
    try:
        assert {job.id for job in state.jobs("queued")} == ids
    finally:
        state.close()


def test_a_submission_that_cannot_be_recorded_fails_alone(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    import narrate.service

    real = narrate.service._record_submissions

    def picky(state: Any, submissions: list[Submission]) -> Any:
        if any(submission.source == "id:bad" for submission in submissions):
            raise RuntimeError("this one cannot be recorded")
        return real(state, submissions)

    monkeypatch.setattr(narrate.service, "_record_submissions", picky)
    group = [parse(generic("ferry", id=name)) for name in ("one", "bad", "two")]
    state = site.service.state()
    try:
        one, bad, two = record_submissions(state, site.queue, group)
    finally:
        state.close()
    assert isinstance(bad, RuntimeError)
    assert isinstance(one, Accepted) and one.created and one.job.source == "id:one"
    assert isinstance(two, Accepted) and two.created and two.job.source == "id:two"
    assert len(site.queue.huey.pending()) == 2


def test_a_202_waits_for_the_commit_to_be_synced_to_disk(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[set[str]] = []
    real = State.sync

    def sync(state: State) -> None:
        real(state)
        other = State(state.path)  # what is committed, as another process would read it
        try:
            seen.append({job.id for job in other.jobs("queued")})
        finally:
            other.close()

    monkeypatch.setattr(State, "sync", sync)
    answer = publish(site.app, generic("ferry"))
    assert answer.status_code == 202
    assert seen == [{answer.json()["id"]}], "synced once, with the job committed, before the 202"
    unsynced = Site(tmp_path / "unsynced", sync=False)
    assert publish(unsynced.app, generic("ferry")).status_code == 202
    assert len(seen) == 1, "service_sync off: committed, not synced"


def test_the_first_sync_is_done_at_startup_not_by_the_first_publish(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real = State.sync

    def sync(state: State) -> None:
        synced.append(state.path)
        real(state)

    monkeypatch.setattr(State, "sync", sync)

    async def start_then_publish() -> httpx.Response:
        async with site.app.router.lifespan_context(site.app):  # what uvicorn runs first
            assert synced == [str(site.service.state_path)]
            transport = httpx.ASGITransport(app=site.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                body, headers = signed(generic("ferry"))
                return await client.post("/v1/articles", content=body, headers=headers)

    assert asyncio.run(start_then_publish()).status_code == 202
    assert len(synced) == 2, "and the publish synced its own commit"


def test_publishes_arriving_during_a_sync_are_recorded_meanwhile_and_answered_once_synced(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.server import EARLY_GROUP

    first_started, release = threading.Event(), threading.Event()
    syncs: list[tuple[float, set[str]]] = []  # when each ended, the jobs committed as it began
    committed_during_first: list[int] = []
    real = State.sync

    def sync(state: State) -> None:
        other = State(state.path)  # what is committed, as another process would read it
        try:
            covered = {job.id for job in other.jobs()}
            if not syncs and not first_started.is_set():  # the first is slow (a busy disk)
                first_started.set()
                release.wait(10)
                committed_during_first.append(len(other.jobs()))
        finally:
            other.close()
        real(state)
        syncs.append((time.monotonic(), covered))

    monkeypatch.setattr(State, "sync", sync)

    async def post(client: httpx.AsyncClient, story: str) -> tuple[float, httpx.Response]:
        body, headers = signed(generic("ferry", id=story))
        answer = await client.post("/v1/articles", content=body, headers=headers)
        return time.monotonic(), answer

    async def scenario() -> list[tuple[float, httpx.Response]]:
        transport = httpx.ASGITransport(app=site.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = asyncio.ensure_future(post(client, "first"))
            while not first_started.is_set():
                await asyncio.sleep(0.01)
            rest = [asyncio.ensure_future(post(client, f"s{n}")) for n in range(120)]
            await asyncio.sleep(0.5)  # all read meanwhile
            release.set()
            return [await first, *[await one for one in rest]]

    answers = asyncio.run(scenario())
    assert {answer.status_code for _, answer in answers} == {202}
    assert committed_during_first[0] >= 1 + EARLY_GROUP, "recorded while the first sync ran"
    assert len(syncs) == 2, "the second sync covered every publish that waited for the first"
    for received, answer in answers:
        job = answer.json()["id"]
        assert any(ended <= received and job in covered for ended, covered in syncs), (
            "answered only after a sync that began once its job was committed"
        )


def _wordpress_post(status: str = "publish") -> dict[str, Any]:
    html = generic("library")["html"]
    body = html.split("<article", 1)[1].split(">", 1)[1].split("</article>", 1)[0]
    return {
        "id": 4711,
        "link": "https://ledger.example.com/?p=4711",
        "status": status,
        "date_gmt": "2025-05-10T08:00:00",
        "modified_gmt": "2025-05-10T09:00:00",
        "title": {"rendered": "Town library to open on Sundays from September"},
        "content": {"rendered": body, "protected": False},
    }


def _ghost_webhook() -> dict[str, Any]:
    html = generic("river")["html"]
    body = html.split("<article", 1)[1].split(">", 1)[1].split("</article>", 1)[0]
    current = {
        "id": "66a1f0c2b3",
        "uuid": "1b7f3c2e-0000-4000-8000-000000000000",
        "title": "Volunteers pull two tonnes of rubbish from the river",
        "html": body,
        "url": "https://ledger.example.com/river-cleanup/",
        "status": "published",
        "published_at": "2025-05-11T07:00:00.000Z",
        "updated_at": "2025-05-11T07:05:00.000Z",
        "primary_author": {"name": "Ada Byline"},
    }
    return {"post": {"current": current, "previous": {"status": "draft"}}}


@pytest.mark.parametrize(
    ("payload", "article", "title"),
    [
        (_wordpress_post(), "wordpress:4711", "Town library to open on Sundays from September"),
        ({"post": _wordpress_post()}, "wordpress:4711", "Town library"),
        (_ghost_webhook(), "ghost:66a1f0c2b3", "Volunteers pull two tonnes"),
    ],
    ids=["wordpress", "wordpress-wrapped", "ghost"],
)
def test_cms_payloads_are_narrated(site: Site, payload: Any, article: str, title: str) -> None:
    answer = publish(site.app, payload)
    assert answer.status_code == 202, answer.text
    assert answer.json()["article"] == article
    site.work()
    job = site.get(f"/v1/jobs/{answer.json()['id']}").json()
    assert job["status"] == "done", job["error"]
    assert job["episode"]["title"].startswith(title)


def test_a_url_payload_is_fetched_by_the_worker_only_from_allowed_hosts(
    tmp_path: Path, page_server: str
) -> None:
    refused = Site(tmp_path / "a")
    job = publish(refused.app, {"url": f"{page_server}/ferry"}).json()
    assert refused.work() == 1, "refused once: a retry would be refused too"
    failed = refused.get(f"/v1/jobs/{job['id']}").json()
    assert failed["status"] == "failed" and "only public addresses" in failed["error"]
    assert failed["attempts"] == 1

    allowed = Site(tmp_path / "b", env={"NARRATE_FETCH_ALLOW_HOSTS": "127.0.0.1"})
    job = publish(allowed.app, {"url": f"{page_server}/ferry"}).json()
    allowed.work()
    assert allowed.get(f"/v1/jobs/{job['id']}").json()["status"] == "done"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([1, 2], "must be a JSON object"),
        ({"title": "no address"}, "Unknown payload"),
        ({"url": "ftp://example.com/a"}, "http(s) URL"),
        ({"html": "<p>x</p>"}, "needs the article's 'url' or its 'id'"),
        ({"url": "https://e.com/a", "callback_url": "file:///etc/passwd"}, "callback_url"),
        (_wordpress_post("draft"), "status 'draft', not 'publish'"),
        (
            {"post": {"current": {"id": "x", "html": "<p>x</p>", "status": "draft"}}},
            "not 'published'",
        ),
    ],
)
def test_payloads_narrate_cannot_narrate_are_422_with_the_reason(
    site: Site, payload: Any, reason: str
) -> None:
    answer = publish(site.app, payload)
    assert answer.status_code == 422
    assert reason in answer.json()["error"]


def test_malformed_json_is_400(site: Site) -> None:
    body = b'{"url": "https://example.com/a",'
    answer = request(site.app, "POST", "/v1/articles", body, sign_headers(SECRET, body))
    assert answer.status_code == 400 and "not valid JSON" in answer.json()["error"]


def test_bodies_over_the_cap_are_413(tmp_path: Path) -> None:
    small = Site(tmp_path / "small", max_body_bytes=2000)
    payload = generic("ferry")  # the page is larger than 2000 bytes
    body, headers = signed(payload)
    answer = request(small.app, "POST", "/v1/articles", body, headers)
    assert answer.status_code == 413 and "2,000 bytes" in answer.json()["error"]

    async def chunks() -> Any:  # no Content-Length: counted as it arrives
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=small.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post("/v1/articles", content=chunks(), headers=headers)

    assert asyncio.run(send()).status_code == 413


def test_the_publish_shortcut_answers_as_the_fastapi_route_does(tmp_path: Path) -> None:
    """POST /v1/articles skips FastAPI's stack (narrate.server._App); its route, kept for the
    schema and for an app mounted under a prefix, must answer the same, errors included."""
    body = json.dumps(generic("ferry")).encode()
    cases: list[tuple[bytes, dict[str, str]]] = [
        (body, sign_headers(SECRET, body)),  # 202, then the same version again
        (body, sign_headers(SECRET, body)),
        (body, {"Authorization": "Bearer nope"}),  # 401
        (b"{", sign_headers(SECRET, b"{")),  # 400
        (b"[1]", {"Authorization": f"Bearer {TOKEN}"}),  # 422
        (b"x" * 100_001, {"Authorization": f"Bearer {TOKEN}"}),  # 413
    ]
    answers = []
    for name, shortcut in (("shortcut", True), ("route", False)):
        site = Site(tmp_path / name, max_body_bytes=100_000)
        if not shortcut:
            site.app.publish = None  # type: ignore[attr-defined]
        answers.append(
            [
                request(site.app, "POST", "/v1/articles", content, headers)
                for content, headers in cases
            ]
        )
    fast, routed = answers
    assert [a.status_code for a in fast] == [202, 202, 401, 400, 422, 413]
    for one, other in zip(fast, routed, strict=True):
        assert one.status_code == other.status_code
        assert one.headers["content-type"] == other.headers["content-type"] == "application/json"
        assert one.headers.get("www-authenticate") == other.headers.get("www-authenticate")
        if one.status_code < 300:
            mine, theirs = one.json(), other.json()
            assert mine.keys() == theirs.keys() and mine["duplicate"] == theirs["duplicate"]
            assert one.headers["location"].startswith("/v1/jobs/")
            assert "accept;dur=" in one.headers["server-timing"]
        else:
            assert one.json() == other.json()


def test_an_unexpected_failure_is_a_500_with_a_json_reason_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import narrate.server

    def broken(data: Any) -> Submission:
        raise RuntimeError("a bug")

    monkeypatch.setattr(narrate.server, "parse", broken)
    body = json.dumps(generic("ferry")).encode()

    async def send(app: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post(
                "/v1/articles", content=body, headers=sign_headers(SECRET, body)
            )

    for name, shortcut in (("shortcut", True), ("route", False)):
        site = Site(tmp_path / name)
        if not shortcut:
            site.app.publish = None  # type: ignore[attr-defined]
        answer = asyncio.run(send(site.app))
        assert answer.status_code == 500, name
        assert answer.headers["content-type"] == "application/json", name
        assert answer.json() == {"error": "Internal Server Error"}, name


# --- authentication --------------------------------------------------------------------------


def test_writes_need_a_valid_signature_or_token(site: Site) -> None:
    body = json.dumps({"url": "https://example.com/a"}).encode()
    cases = {
        "none": {},
        "bad signature": sign_headers("another secret", body),
        "old": sign_headers(SECRET, body, now=time.time() - 301),
        # Timestamps are whole seconds: int() may take up to 1 s off this one.
        "future": sign_headers(SECRET, body, now=time.time() + 302),
        "bad token": {"Authorization": "Bearer nope"},
        "not a number": {"X-Narrate-Timestamp": "soon", "X-Narrate-Signature": "sha256=00"},
    }
    for name, headers in cases.items():
        answer = request(site.app, "POST", "/v1/articles", body, headers)
        assert answer.status_code == 401, name
        assert answer.json()["error"] and SECRET not in answer.text
    tampered = sign_headers(SECRET, body)
    answer = request(site.app, "POST", "/v1/articles", body + b" ", tampered)
    assert answer.status_code == 401
    for headers in (
        sign_headers(SECRET, body, now=time.time() - 290),
        {"Authorization": f"Bearer {TOKEN}"},
    ):
        assert request(site.app, "POST", "/v1/articles", body, headers).status_code == 202


def test_a_delete_signature_is_bound_to_its_episode(site: Site) -> None:
    publish(site.app, generic("ferry"))
    publish(site.app, generic("library"))
    site.work()
    ferry, library = sorted(site.get("/v1/episodes").json()["episodes"], key=lambda e: e["title"])
    path = f"/v1/episodes/{ferry['id']}"
    headers = sign_headers(SECRET, b"", "DELETE", path)
    # The same signature does not delete another episode.
    other = f"/v1/episodes/{library['id']}"
    assert request(site.app, "DELETE", other, None, headers).status_code == 401
    assert request(site.app, "DELETE", path, None).status_code == 401
    assert request(site.app, "DELETE", path, None, headers).status_code == 204
    assert site.get(path).status_code == 404
    assert request(site.app, "DELETE", path, None, headers).status_code == 404
    assert feed_titles(site) == [library["title"]]
    assert not list(site.service.media.glob(f"{Path(ferry['audio_url']).stem}.*"))
    # Published again after the delete: narrated again.
    again = publish(site.app, generic("ferry"))
    assert again.status_code == 202
    site.work()
    assert len(site.get("/v1/episodes").json()["episodes"]) == 2


def test_the_service_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    service = make_service(tmp_path, secret="", token="")
    with pytest.raises(ConfigError, match="needs a secret"):
        create_app(service)
    open_app = create_app(service, allow_unauthenticated=True)
    answer = request(open_app, "POST", "/v1/articles", b'{"url": "https://example.com/a"}')
    assert answer.status_code == 202


# --- reads, files, health --------------------------------------------------------------------


def test_reads_files_and_health(site: Site) -> None:
    assert feed_titles(site) == [], "an empty feed until the first episode"
    health = site.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok" and health.json()["queue"] == "sqlite"
    publish(site.app, generic("river"))
    assert site.get("/healthz").json()["queued_tasks"] == 1
    site.work()
    assert site.get("/healthz").json()["jobs"] == {"done": 1}
    episodes = site.get("/v1/episodes").json()["episodes"]
    assert len(episodes) == 1
    one = site.get(f"/v1/episodes/{episodes[0]['id']}")
    assert one.status_code == 200 and one.json() == episodes[0]
    for missing in ("/v1/jobs/nope", "/v1/episodes/nope", "/nope", "/episodes/none.mp3"):
        answer = site.get(missing)
        assert answer.status_code == 404 and answer.json()["error"]
    # A render's temporary file and the state database are never served.
    (site.service.media / ".x.mp3.part").write_bytes(b"partial")
    assert site.get("/episodes/.x.mp3.part").status_code == 404
    assert site.get("/.narrate/state.sqlite3").status_code == 404
    assert site.get("/episodes/../.narrate/state.sqlite3").status_code == 404
    assert site.get("/artwork.jpg").headers["content-type"] == "image/jpeg"
    assert "application/rss+xml" in site.get("/feed.xml").headers["content-type"]
    schema = site.get("/openapi.json").json()
    assert {"/v1/articles", "/v1/jobs/{job_id}", "/v1/episodes", "/healthz"} <= set(schema["paths"])


# --- callbacks -------------------------------------------------------------------------------


def test_a_callback_is_signed_and_retried_after_a_500(
    tmp_path: Path, receiver: dict[str, Any]
) -> None:
    site = Site(tmp_path / "cb", env={"NARRATE_FETCH_ALLOW_HOSTS": "127.0.0.1"})
    receiver["statuses"] = [500, 200]
    answer = publish(site.app, generic("ferry", callback_url=receiver["url"]))
    site.work()
    calls = receiver["calls"]
    assert len(calls) == 2, "one failure, then delivered"
    for headers, body in calls:
        verify_signature(headers, body, SECRET)
    result = json.loads(calls[-1][1])
    assert result["id"] == answer.json()["id"] and result["status"] == "done"
    assert result["episode"]["audio_url"].startswith("http://testserver/episodes/")


def test_a_callback_to_a_private_address_is_never_sent(
    site: Site, receiver: dict[str, Any]
) -> None:
    answer = publish(site.app, generic("ferry", callback_url=receiver["url"]))
    assert site.work() == 2, "the render, and the callback once: refused, not retried"
    assert site.get(f"/v1/jobs/{answer.json()['id']}").json()["status"] == "done"
    assert receiver["calls"] == []
