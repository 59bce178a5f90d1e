"""The HTTP service: ``create_app(service)`` builds the FastAPI app that ``narrate serve`` runs.

::

    POST   /v1/articles        publish or update an article (generic, WordPress, Ghost) → 202
    GET    /v1/jobs/{id}       a job: queued, running, done (with its episode), failed, superseded
    GET    /v1/episodes        every episode, newest first
    GET    /v1/episodes/{id}   one episode, with the URLs of its files
    DELETE /v1/episodes/{id}   unpublish it → 204
    GET    /healthz            the state database and the queue answer
    GET    /feed.xml  /index.html  /artwork.jpg  /episodes/…   the published files
    GET    /openapi.json

A write answers in milliseconds: the request is authenticated (:mod:`narrate.auth`), read
(:mod:`narrate.payloads`), then recorded and queued with the others that arrived with it
(:func:`narrate.service.record_submissions`) and synced to disk; workers do the rest. Errors
are ``{"error": "<one line>"}`` with a 4xx status: 400 malformed JSON, 401 not authenticated,
404 unknown id, 413 body over ``service_max_body_bytes``, 422 a payload narrate cannot narrate
(the reason says which).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from . import __version__
from .auth import AuthError, authenticate
from .errors import ConfigError, NarrateError
from .payloads import PayloadError, Submission, parse
from .publish import ARTWORK_FILE, FEED_FILE, MEDIA_DIR, PAGE_FILE
from .queue import queue_down
from .service import (
    Accepted,
    Service,
    ServiceQueue,
    delete_episode,
    episode_view,
    job_view,
    record_submissions,
    service_queue,
)
from .state import State

log = logging.getLogger(__name__)


# --- the schema (what /openapi.json says; the answers are built from these) ------------------


class ErrorOut(BaseModel):
    """Every 4xx and 5xx answer."""

    error: str


class EpisodeOut(BaseModel):
    """A published (or failed) episode and the public URLs of its files."""

    id: str
    article: str
    status: Literal["pending", "rendering", "done", "failed"]
    title: str
    description: str
    link: str | None
    published: str
    updated: str
    rendered_at: str | None
    duration_s: float | None
    audio_bytes: int | None
    error: str | None
    audio_url: str | None
    files: dict[str, str]


class EpisodesOut(BaseModel):
    """Every episode, newest first."""

    episodes: list[EpisodeOut]


class JobOut(BaseModel):
    """A render job; ``episode`` once it is done, and how many segments its render spoke
    anew or took from the segment cache (an edit speaks only what it changed)."""

    id: str
    status: Literal["queued", "running", "done", "failed", "superseded"]
    article: str
    kind: str | None
    created: str
    updated: str
    attempts: int
    error: str | None
    episode: EpisodeOut | None
    segments_synthesized: int | None
    segments_reused: int | None
    feed_url: str
    page_url: str


class AcceptedOut(JobOut):
    """The answer to a publish: the job, and whether it existed already (same content)."""

    duplicate: bool


class HealthOut(BaseModel):
    """The service can read its state and reach its queue."""

    status: Literal["ok"]
    version: str
    queue: Literal["sqlite", "redis"]
    queued_tasks: int
    jobs: dict[str, int]


_STRING = {"type": "string"}
_URL = {"type": "string", "format": "uri", "maxLength": 2048}
_ARTICLE_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {
                        "title": "Generic",
                        "type": "object",
                        "properties": {
                            "url": _URL,
                            "html": _STRING,
                            "id": _STRING,
                            "title": _STRING,
                            "published": _STRING,
                            "updated": _STRING,
                            "callback_url": _URL,
                        },
                        "anyOf": [{"required": ["url"]}, {"required": ["html", "id"]}],
                    },
                    {
                        "title": "WordPress post (REST API, bare or as {post: ...})",
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "link": _URL,
                            "status": _STRING,
                            "title": {"type": "object", "properties": {"rendered": _STRING}},
                            "content": {
                                "type": "object",
                                "properties": {"rendered": _STRING},
                                "required": ["rendered"],
                            },
                            "date_gmt": _STRING,
                            "modified_gmt": _STRING,
                        },
                        "required": ["id", "content"],
                    },
                    {
                        "title": "Ghost post.published webhook",
                        "type": "object",
                        "properties": {
                            "post": {
                                "type": "object",
                                "properties": {
                                    "current": {
                                        "type": "object",
                                        "properties": {
                                            "id": _STRING,
                                            "url": _URL,
                                            "title": _STRING,
                                            "html": _STRING,
                                            "status": _STRING,
                                            "published_at": _STRING,
                                            "updated_at": _STRING,
                                        },
                                        "required": ["id", "html"],
                                    },
                                    "previous": {"type": "object"},
                                },
                                "required": ["current"],
                            }
                        },
                        "required": ["post"],
                    },
                ]
            }
        }
    },
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    reasons = {
        400: "The body is not valid JSON.",
        401: "Not authenticated: a bearer token or an HMAC signature is needed.",
        404: "No such job or episode.",
        413: "The body is larger than the service accepts.",
        422: "The payload is not an article narrate can narrate; the error says why.",
        503: "The state database or the queue does not answer.",
    }
    return {code: {"model": ErrorOut, "description": reasons[code]} for code in codes}


# --- the app ---------------------------------------------------------------------------------


class _ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers


# Starlette's JSONResponse renders with these settings; one encoder serves every answer.
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_PUBLISH_PATH = "/v1/articles"
EARLY_GROUP = 50
"""Publishes recorded at once while a sync to disk is under way (see create_app)."""


async def _send_json(send: Send, status: int, content: Any, headers: Mapping[str, str]) -> None:
    """Answer as JSONResponse would (the same bytes and headers), straight to the server."""
    body = _JSON.encode(content).encode("utf-8")
    raw = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    raw += [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    """A request's body as it arrives (what Starlette's ``Request.stream`` does)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


def _nothing() -> None:
    pass


def _error_answer(exc: Exception) -> tuple[int, dict[str, Any], Mapping[str, str]]:
    """The status, JSON body and headers every route answers ``exc`` with: a client parses
    every answer as JSON, a 500 too (Starlette's own is text/plain)."""
    if isinstance(exc, _ApiError):
        return exc.status, {"error": str(exc)}, exc.headers or {}
    if isinstance(exc, NarrateError):
        return exc.http_status, {"error": str(exc)}, {}
    return 500, {"error": "Internal Server Error"}, {}


class _App(FastAPI):
    """FastAPI, with ``POST /v1/articles`` answered before its middleware and routing.

    A burst of publishes is the service's load (bench/service.py): the route's own work is
    half of what the FastAPI stack spends on it (middleware, routing, a ``Request``, the
    dependency solver). ``publish`` takes the ASGI call itself; the FastAPI route of the same
    path stays, for the OpenAPI schema and for a path this shortcut does not match (an app
    mounted under a prefix), and answers the same, through the same code.
    """

    publish: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.publish is not None
            and scope["type"] == "http"
            and scope["path"] == _PUBLISH_PATH
            and scope["method"] == "POST"
            and not scope.get("root_path")
        ):
            await self.publish(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class _PublicFiles(StaticFiles):
    """The episodes folder, without its hidden files (a render's temporary ``.*.part``)."""

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if any(part.startswith(".") for part in Path(path).parts):
            return "", None
        return super().lookup_path(path)


def create_app(
    service: Service, queue: ServiceQueue | None = None, allow_unauthenticated: bool = False
) -> FastAPI:
    """The service's ASGI app. ``queue`` defaults to the service's own (SQLite or Redis).

    Without ``service_secret`` or ``service_token`` every write would be open, so that is a
    :class:`ConfigError` unless ``allow_unauthenticated`` (``narrate serve --insecure-local``,
    which also insists on a loopback address).
    """
    config = service.config
    secret, token = config.service_secret, config.service_token
    if not (secret or token or allow_unauthenticated):
        raise ConfigError(
            "The service needs a secret: set service_secret (HMAC signatures) or "
            "service_token (bearer), e.g. NARRATE_SERVICE_SECRET, or run it on 127.0.0.1 "
            "with --insecure-local."
        )
    cap = config.service_max_body_bytes
    jobs = queue or service_queue(service)
    service.media.mkdir(parents=True, exist_ok=True)

    @contextlib.asynccontextmanager
    async def warm_up(_: FastAPI) -> AsyncIterator[None]:
        # What the first publish would otherwise wait for, and with it the whole first group of
        # a burst: the state database opened, its folder and WAL synced a first time, and the
        # thread pool that syncs started (its first use imports anyio's backend, ~12 ms).
        own = state()
        await run_in_threadpool(own.sync if config.service_sync else _nothing)
        yield

    app = _App(
        lifespan=warm_up,
        title="narrate",
        version=__version__,
        description="Narrate published articles into a podcast: the CMS publish hook.",
        # FastAPI's /docs and /redoc pages load their scripts from a CDN: nothing here may
        # depend on a cloud service. The schema itself is served at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    holder: dict[str, State] = {}

    def state() -> State:
        # One connection, opened on first use by the event loop's thread (sqlite3 connections
        # stay in the thread that opened them); every handler below is async and quick.
        if "state" not in holder:
            holder["state"] = service.state()
        return holder["state"]

    def authenticated(headers: Mapping[str, str], body: bytes, method: str, path: str) -> None:
        if not (secret or token):
            return  # --insecure-local
        try:
            authenticate(headers, body, secret, token, method, path)
        except AuthError as exc:
            raise _ApiError(401, str(exc), {"WWW-Authenticate": "Bearer"}) from exc

    # Group commit. One writer at a time records the submissions waiting in one transaction on
    # the event loop (no thread contending for the GIL statement by statement) and queues their
    # tasks, then syncs the commit to disk in a thread, the loop meanwhile reading the next
    # requests. While a sync runs, every EARLY_GROUP that arrive are recorded at once, so that
    # when it ends the next sync can start straight away, for all of them: the first sync of a
    # burst is often the slow one (a disk the renders are writing to), and recording the
    # requests that queued behind it is then off the path to their 202s. A sync covers every
    # commit made before it started; no 202 is sent before its own commit is synced.
    waiting: list[tuple[Submission, asyncio.Future[Accepted]]] = []
    writer: list[asyncio.Task[None]] = []
    arrived: list[asyncio.Event] = []  # the writer's (an Event belongs to one event loop)

    async def accept(submission: Submission) -> Accepted:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Accepted] = loop.create_future()
        waiting.append((submission, done))
        if len(waiting) >= EARLY_GROUP and arrived:
            arrived[0].set()
        if not writer:  # started in the next turn: the handlers due in this one join its group
            writer.append(loop.create_task(write()))
        return await done

    def settle(done: asyncio.Future[Accepted], outcome: Accepted | BaseException) -> None:
        if done.done():  # cancelled: the client went away; the job stands all the same
            return
        if isinstance(outcome, BaseException):
            done.set_exception(outcome)
        else:
            done.set_result(outcome)

    def record(
        group: list[tuple[Submission, asyncio.Future[Accepted]]],
    ) -> list[tuple[asyncio.Future[Accepted], Accepted]]:
        """Record a group (one transaction); settle what needs no sync, return the rest."""
        outcomes: list[Accepted | Exception]
        try:
            outcomes = record_submissions(state(), jobs, [submission for submission, _ in group])
        except Exception as exc:  # the state database itself: every request of the group hears
            log.exception("%d submission(s) not recorded", len(group))
            outcomes = [exc] * len(group)
        unsynced = []
        for (_, done), outcome in zip(group, outcomes, strict=True):
            if config.service_sync and isinstance(outcome, Accepted):
                unsynced.append((done, outcome))
            else:
                settle(done, outcome)
        return unsynced

    async def write() -> None:
        loop = asyncio.get_running_loop()
        unsynced: list[tuple[asyncio.Future[Accepted], Accepted]] = []
        covered: list[tuple[asyncio.Future[Accepted], Accepted]] = []
        syncing: asyncio.Future[None] | None = None
        arrived.append(asyncio.Event())
        try:
            while True:
                if waiting and (syncing is None or len(waiting) >= EARLY_GROUP):
                    group = waiting[:]
                    waiting.clear()
                    unsynced += record(group)
                if syncing is None:
                    if not unsynced:
                        return
                    # A 202 promises the job is on disk: the commit is synced before anyone hears.
                    covered, unsynced = unsynced, []
                    syncing = asyncio.ensure_future(run_in_threadpool(state().sync))
                arrived[0].clear()
                wake = loop.create_task(arrived[0].wait())
                await asyncio.wait((syncing, wake), return_when=asyncio.FIRST_COMPLETED)
                wake.cancel()
                if syncing.done():
                    error = syncing.exception()
                    if error is not None:
                        log.error("%d submission(s) not synced", len(covered), exc_info=error)
                    for done, accepted in covered:
                        settle(done, error if error is not None else accepted)
                    covered, syncing = [], None
        finally:
            arrived.clear()
            writer.clear()
            for done, _ in covered + unsynced:  # only if this writer itself failed
                settle(done, RuntimeError("The service stopped before the job was synced."))

    async def read_body(headers: Mapping[str, str], chunks: AsyncIterator[bytes]) -> bytes:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _ApiError(413, f"The body is larger than {cap:,} bytes.")
        parts, size = [], 0
        async for chunk in chunks:
            parts.append(chunk)
            size += len(chunk)
            if size > cap:  # a chunked body has no Content-Length to refuse early
                raise _ApiError(413, f"The body is larger than {cap:,} bytes.")
        return b"".join(parts)

    async def publish(
        headers: Mapping[str, str], body: bytes, path: str, started: float
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """A publish, its body read: the status, the job as JSON, the headers (or _ApiError)."""
        authenticated(headers, body, "POST", path)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _ApiError(400, f"The body is not valid JSON: {exc}.") from exc
        try:
            submission = parse(data)
        except PayloadError as exc:
            raise _ApiError(422, str(exc)) from exc
        accepted = await accept(submission)
        view = job_view(service, state(), accepted.job, submission.kind)
        view["duplicate"] = not accepted.created
        # Server-Timing: the time from reading the request to the answer, the wait for its
        # group's write and sync included (not the time the request waited to be read).
        spent_ms = (time.perf_counter() - started) * 1000
        return (
            202 if accepted.pending else 200,
            view,
            {
                "Location": f"/v1/jobs/{accepted.job.id}",
                "Server-Timing": f"accept;dur={spent_ms:.2f}",
            },
        )

    async def publish_directly(scope: Scope, receive: Receive, send: Send) -> None:
        """``POST /v1/articles`` as a bare ASGI app (see :class:`_App`): the same answers as
        the route below, errors included (the exception handlers' JSON)."""
        started = time.perf_counter()
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:  # the first of a repeated header, as Starlette
            headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
        extra: Mapping[str, str]
        try:
            body = await read_body(headers, _chunks(receive))
            status, content, extra = await publish(headers, body, scope["path"], started)
        except ClientDisconnect:
            return  # nobody to answer; a job recorded stands
        except Exception as exc:
            if not isinstance(exc, _ApiError | NarrateError):
                log.exception("POST %s", _PUBLISH_PATH)
            status, content, extra = _error_answer(exc)
        await _send_json(send, status, content, extra)

    app.publish = publish_directly

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return JSONResponse({"error": f"{where}: {first.get('msg', 'invalid')}"}, 422)

    # _ApiError, NarrateError and any other exception: answered as the publish shortcut
    # answers them. (For the last, Starlette re-raises once this is sent: the server logs it.)
    @app.exception_handler(_ApiError)
    @app.exception_handler(NarrateError)
    @app.exception_handler(Exception)
    async def _error(request: Request, exc: Exception) -> JSONResponse:
        status, content, extra = _error_answer(exc)
        return JSONResponse(content, status, headers=dict(extra))

    @app.post(
        "/v1/articles",
        status_code=202,
        response_model=AcceptedOut,
        responses={
            200: {"model": AcceptedOut, "description": "This version is done already."},
            **_errors(400, 401, 413, 422),
        },
        openapi_extra={"requestBody": _ARTICLE_BODY},
        summary="Publish or update an article",
    )
    async def publish_article(request: Request) -> JSONResponse:
        """Queue the narration of an article version; the same version again finds its job."""
        started = time.perf_counter()
        body = await read_body(request.headers, request.stream())
        status, view, headers = await publish(request.headers, body, request.url.path, started)
        return JSONResponse(view, status, headers=headers)

    @app.get("/v1/jobs/{job_id}", response_model=JobOut, responses=_errors(404))
    async def get_job(job_id: str) -> JSONResponse:
        """A job and, once it is done, its episode."""
        job = state().job(job_id)
        if job is None:
            raise _ApiError(404, f"No job {job_id}.")
        return JSONResponse(job_view(service, state(), job))

    @app.get("/v1/episodes", response_model=EpisodesOut)
    async def list_episodes() -> JSONResponse:
        """Every episode, newest first."""
        records = state().records()
        return JSONResponse({"episodes": [episode_view(service, r) for r in records]})

    @app.get("/v1/episodes/{episode_id}", response_model=EpisodeOut, responses=_errors(404))
    async def get_episode(episode_id: str) -> JSONResponse:
        """One episode."""
        record = state().by_guid(episode_id)
        if record is None:
            raise _ApiError(404, f"No episode {episode_id}.")
        return JSONResponse(episode_view(service, record))

    @app.delete(
        "/v1/episodes/{episode_id}",
        status_code=204,
        response_class=Response,
        responses=_errors(401, 404, 413),
    )
    async def delete(episode_id: str, request: Request) -> Response:
        """Unpublish an episode: the feed and page are rewritten without it, its files go."""
        body = await read_body(request.headers, request.stream())
        authenticated(request.headers, body, request.method, request.url.path)
        record = state().by_guid(episode_id)
        if record is None:
            raise _ApiError(404, f"No episode {episode_id}.")

        def remove() -> None:  # waits for the publish lock: off the event loop
            own = service.state()
            try:
                delete_episode(service, own, record)
            finally:
                own.close()

        await run_in_threadpool(remove)
        return Response(status_code=204)

    @app.get("/healthz", response_model=HealthOut, responses=_errors(503))
    async def health() -> JSONResponse:
        """Whether the state database and the queue answer."""
        try:
            counts = state().job_counts()
            queued = int(jobs.huey.pending_count())
        except Exception as exc:
            if queue_down(exc):  # a load balancer asks every few seconds: a line, no traceback
                log.warning("health check: %s: %s", type(exc).__name__, exc)
            else:
                log.exception("health check")
            return JSONResponse({"error": f"unavailable: {type(exc).__name__}: {exc}"}, 503)
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "queue": "redis" if service.queue_url else "sqlite",
                "queued_tasks": queued,
                "jobs": counts,
            }
        )

    def published(name: str, media_type: str) -> Any:
        async def serve_file() -> Response:
            path = service.output / name
            if not path.is_file():
                raise _ApiError(404, f"No {name} yet: nothing has been published.")
            return FileResponse(path, media_type=media_type)

        return serve_file

    for route, name, kind in (
        ("/", PAGE_FILE, "text/html; charset=utf-8"),
        ("/" + PAGE_FILE, PAGE_FILE, "text/html; charset=utf-8"),
        ("/" + FEED_FILE, FEED_FILE, "application/rss+xml"),
        ("/" + ARTWORK_FILE, ARTWORK_FILE, "image/jpeg"),
    ):
        app.add_api_route(
            route, published(name, kind), methods=["GET", "HEAD"], include_in_schema=False
        )
    app.mount(f"/{MEDIA_DIR}", _PublicFiles(directory=service.media), name="episodes")
    return app
