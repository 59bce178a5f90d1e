"""The CMS publish hook's jobs: from a submission to a published episode, on any worker.

The HTTP service (:mod:`narrate.server`) only records a job and queues it; workers (``narrate
worker``, huey consumers) do the rest:

1. **claim** the job in the state database (one atomic UPDATE: ``queued`` → ``running`` with
   a fresh lease token), so that of two deliveries of the same task only one renders;
2. **renew** the lease from a heartbeat thread while rendering;
3. fetch or clean, hash what would be heard, **render** (unless that audio exists already),
   every file written under a temporary name and renamed, so a second render of the same
   version writes the same files;
4. under the publish lock, **record** the episode and **publish** ``feed.xml`` and
   ``index.html`` (:func:`narrate.feed.publish`), then remove the files the previous version
   of that article used;
5. **call back**, when the submission gave a ``callback_url``, from a task of its own.

A worker that dies mid-render (SIGKILL, out of memory, the machine gone) stops renewing its
lease; every worker runs a **reaper** that puts such jobs back on the queue once their lease
has run out (``service_lease_s``), and marks ``failed`` a job whose worker died on it
:data:`MAX_ATTEMPTS` times. A render that fails for a reason that may pass (a timeout, a
5xx: ``NarrateError.transient``) is retried by huey (with backoff) and ends ``failed`` with its
message after :data:`MAX_ATTEMPTS` attempts; one that cannot succeed on a retry (no article on
the page, an address refused) ends ``failed`` at once.

huey is imported only by the functions that build the queue: the API process imports this
module, but ``import narrate`` never does.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import Config
from .errors import ConfigError, NarrateError, QueueError
from .feed import DATA_DIR, STATE_FILE, FeedConfig, load_feed_config
from .model import Article
from .payloads import Submission
from .publish import MEDIA_DIR, PAGE_FILE, media_url
from .state import Job, Record, State

log = logging.getLogger(__name__)

QUEUE_NAME = "narrate-service"
"""The service's huey queue (apart from feed builds' ``narrate`` on a shared Redis)."""
MAX_ATTEMPTS = 3
"""Renders of one job before it is ``failed``: huey's retries, or workers that died on it."""
RETRY_DELAY_S = 1.0
RETRY_BACKOFF = 2.0
CALLBACK_RETRIES = 5
"""A callback that fails is tried again this many times: after 1, 2, 4, 8 and 16 s."""
LOCK_FILE = "publish.lock"


def worker_id() -> str:
    """Who holds a lease: host and process (each of a consumer's processes is its own)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Service:
    """The service's configuration: the podcast, where its data lives, how it renders.

    ``feed.output`` is the data folder (published files at its top, ``.narrate/`` holding the
    state database and the SQLite queue); ``render`` is the Config the workers render with,
    private addresses refused (payload URLs are someone else's).
    """

    feed: FeedConfig
    queue_url: str | None = None

    @property
    def config(self) -> Config:
        """All settings (the service's own included)."""
        return self.feed.render

    @property
    def render(self) -> Config:
        """The render settings: private addresses always refused (SSRF)."""
        return self.feed.render.with_overrides({"fetch_allow_private": False})

    @property
    def output(self) -> Path:
        """The data folder: what is published, and ``.narrate/``."""
        return self.feed.output

    @property
    def media(self) -> Path:
        """Where episodes' files are written."""
        return self.feed.output / MEDIA_DIR

    @property
    def data_dir(self) -> Path:
        """The state database, the SQLite queue and the publish lock."""
        return self.feed.output / DATA_DIR

    @property
    def state_path(self) -> Path:
        """The state database: episodes and jobs."""
        return self.data_dir / STATE_FILE

    @property
    def lease_s(self) -> float:
        """How long a claim lasts without a heartbeat."""
        return max(0.5, self.config.service_lease_s)

    def state(self) -> State:
        """A new connection to the state database (one per thread)."""
        return State(self.state_path)


def load_service(path: str | Path, env: Mapping[str, str] | None = None) -> Service:
    """Read the service's config: a feed config whose ``[sources]`` may be empty.

    ``service_data_dir`` (``NARRATE_SERVICE_DATA_DIR``) replaces ``[podcast] output`` as the
    data folder; ``queue`` (``NARRATE_QUEUE``) chooses Redis.
    """
    feed = load_feed_config(path, env=env, service=True)
    config = feed.render
    if config.service_max_body_bytes < 1024:
        raise ConfigError("Setting 'service_max_body_bytes' must be at least 1024.")
    if not 0 <= config.service_worker_nice <= 19:
        raise ConfigError("Setting 'service_worker_nice' must be from 0 to 19, e.g. 10.")
    if config.service_data_dir:
        feed = replace(feed, output=Path(config.service_data_dir).resolve())
    return Service(feed=feed, queue_url=config.queue or None)


# --- the queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceQueue:
    """The service's huey instance and its two tasks: ``render(job_id)``, ``callback(job_id)``."""

    huey: Any
    render: Any
    callback: Any

    def close(self) -> None:
        """Close the queue's connections (SQLite file, or the Redis connection pool)."""
        self.huey.storage.close()
        conn = getattr(self.huey.storage, "conn", None)
        if conn is not None and hasattr(conn, "close"):
            conn.close()

    def render_many(self, job_ids: list[str]) -> None:
        """Queue a render task for each job, in one write to the queue where it can."""
        if not job_ids:
            return
        enqueue_many = getattr(self.huey.storage, "enqueue_many", None)
        if self.huey.immediate or enqueue_many is None:
            for job_id in job_ids:
                self.render(job_id)
            return
        tasks = [self.render.s(job_id) for job_id in job_ids]
        enqueue_many([self.huey.serialize_task(task) for task in tasks])

    def waiting(self) -> set[str]:
        """Ids of the jobs that have a render task on the queue or scheduled for a retry."""
        ids = set()
        for task in [*self.huey.pending(), *self.huey.scheduled()]:
            if task.name == self.render.name and task.args:
                ids.add(str(task.args[0]))
        return ids


def service_queue(service: Service, immediate: bool = False) -> ServiceQueue:
    """The queue for ``service`` with its tasks registered (the API and workers alike)."""
    from .queue import get_queue

    huey = get_queue(service.data_dir, service.queue_url, immediate, name=QUEUE_NAME).huey
    holder: dict[str, ServiceQueue] = {}

    def render_task(job_id: str) -> None:
        run_job(service, holder["queue"], job_id)

    def callback_task(job_id: str) -> None:
        deliver_callback(service, job_id)

    render = huey.task(
        retries=MAX_ATTEMPTS - 1,
        retry_delay=RETRY_DELAY_S,
        retry_backoff=RETRY_BACKOFF,
        name="narrate.service.render",
    )(render_task)
    callback = huey.task(
        retries=CALLBACK_RETRIES,
        retry_delay=RETRY_DELAY_S,
        retry_backoff=RETRY_BACKOFF,
        name="narrate.service.callback",
    )(callback_task)
    holder["queue"] = ServiceQueue(huey=huey, render=render, callback=callback)
    return holder["queue"]


# --- submitting (the API's side) -------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    """What a submission led to: the job, and whether work is now pending (202) or done (200)."""

    job: Job
    created: bool
    pending: bool


def submit(state: State, queue: ServiceQueue, submission: Submission) -> Accepted:
    """Record and queue ``submission``, or find the job that already holds that version.

    The same version again is the same job: answered as it stands, re-queued only if it
    failed, or if a newer version was published since (an edit that was reverted). The job is
    committed before its task is queued, so a worker never takes a task for a job it cannot
    see yet. (The API records a group of submissions at a time: :func:`record_submissions`.)
    """
    (outcome,) = record_submissions(state, queue, [submission])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _record_submissions(state: State, submissions: list[Submission]) -> list[tuple[Accepted, bool]]:
    """:func:`submit`'s writes for several submissions, in the caller's transaction.

    For each, what it led to and whether a render task is to be queued. New jobs (the usual
    case) take three statements for the whole group; a version seen before takes its own.
    """
    now, clock = _iso(), time.time()
    ids = [submission.job_id for submission in submissions]
    existing = state.jobs_by_id(ids)
    new: dict[str, Submission] = {}
    for submission in submissions:
        if submission.job_id not in existing:
            new.setdefault(submission.job_id, submission)
    state.add_jobs(
        [
            (job_id, s.source, s.content_hash, s.to_json(), s.callback_url, now, clock)
            for job_id, s in new.items()
        ]
    )
    created = state.jobs_by_id(list(new))
    outcomes: list[tuple[Accepted, bool]] = []
    for submission in submissions:
        job_id = submission.job_id
        if job_id in created:  # the first of this version: queued now
            outcomes.append((Accepted(created.pop(job_id), created=True, pending=True), True))
            continue
        # As it stands now: there before, or sent twice in this group (queued by the first).
        found = state.job(job_id)
        assert found is not None  # inserted, or there already, in this transaction
        job = found
        newer = state.newer_job(job)
        again = job.status == "failed" or (
            job.status in ("done", "superseded") and newer is not None
        )
        if not again:
            pending = job.status in ("queued", "running")
            outcomes.append((Accepted(job, created=False, pending=pending), False))
            continue
        state.move_to_end(job_id)
        state.update_job(
            job_id,
            status="queued",
            error=None,
            attempts=0,
            lease=None,
            updated=now,
            enqueued_at=clock,
            callback_url=submission.callback_url or job.callback_url,
        )
        job = state.job(job_id) or job
        outcomes.append((Accepted(job, created=False, pending=True), True))
    return outcomes


def record_submissions(
    state: State, queue: ServiceQueue, submissions: list[Submission]
) -> list[Accepted | Exception]:
    """Record and queue several submissions at once: one transaction, one write to the queue.

    The API groups the publishes that arrive together (:func:`narrate.server.create_app`):
    one commit and one sync to disk for the group rather than one each. Each submission
    gets what it led to, or the exception that stopped it: one that cannot be recorded
    fails alone, the others are recorded one at a time.
    """
    try:
        with state.transaction():
            recorded = _record_submissions(state, submissions)
    except Exception as exc:
        if len(submissions) == 1 or isinstance(exc, sqlite3.OperationalError):
            return [exc] * len(submissions)  # the database itself (locked, full): all fail
        return [record_submissions(state, queue, [one])[0] for one in submissions]
    outcomes: list[Accepted | Exception] = [accepted for accepted, _ in recorded]
    queued = [accepted.job.id for accepted, enqueue in recorded if enqueue]
    try:
        queue.render_many(queued)
    except Exception as exc:  # recorded: the reaper queues them once the queue answers again
        from .queue import queue_down

        if queue_down(exc):  # a 503 that says so, not a traceback and a 500
            log.warning("%d job(s) recorded but not queued: %s", len(queued), exc)
            exc = QueueError(
                f"The job is recorded but the queue does not answer ({exc}); it is queued once "
                "the queue answers again. Send it again later to see it queued."
            )
        else:
            log.exception("%d job(s) recorded but not queued", len(queued))
        outcomes = [
            exc if isinstance(outcome, Accepted) and outcome.job.id in queued else outcome
            for outcome in outcomes
        ]
    return outcomes


def delete_episode(service: Service, state: State, record: Record) -> None:
    """Unpublish an episode: its record, its jobs and its files; the feed is rewritten."""
    with publish_lock(service):
        state.remove(record.source)
        state.remove_jobs(record.source)
        _publish(service, state)
        if record.media_stem and record.media_stem not in state.media_stems():
            _remove_files(service.media, record.media_stem)


# --- views (the API's answers, the callbacks' bodies) ----------------------------------------


def episode_view(service: Service, record: Record) -> dict[str, Any]:
    """An episode as the API shows it, with the public URLs of its files."""
    podcast = service.feed.podcast
    stem = record.media_stem
    files: dict[str, str] = {}
    if stem and (service.media / f"{stem}.mp3").is_file():
        for suffix in (".mp3", ".txt", ".vtt", ".srt", ".chapters.json", ".transcript.json"):
            files[suffix.lstrip(".")] = media_url(podcast, stem, suffix)
    return {
        "id": record.guid,
        "article": record.source,
        "status": record.status,
        "title": record.title,
        "description": record.description,
        "link": record.link,
        "published": record.published,
        "updated": record.updated,
        "rendered_at": record.rendered_at,
        "duration_s": record.duration_s,
        "audio_bytes": record.media_bytes,
        "error": record.error,
        "audio_url": files.get("mp3"),
        "files": files,
    }


def job_view(service: Service, state: State, job: Job, kind: str | None = None) -> dict[str, Any]:
    """A job as the API shows it and a callback sends it (``kind``: known already, or read)."""
    podcast = service.feed.podcast
    episode = None
    if job.status == "done" and (record := state.get(job.source)) is not None:
        episode = episode_view(service, record)
    result = json.loads(job.result) if job.result else {}
    return {
        "id": job.id,
        "status": job.status,
        "article": job.source,
        "kind": kind or json.loads(job.payload).get("kind"),
        "created": job.created,
        "updated": job.updated,
        "attempts": job.attempts,
        "error": job.error,
        "episode": episode,
        "segments_synthesized": result.get("synthesized"),
        "segments_reused": result.get("reused"),
        "feed_url": podcast.feed_url,
        "page_url": podcast.base_url + PAGE_FILE,
    }


# --- working (the workers' side) -------------------------------------------------------------


class TaskFailure(Exception):
    """A failed attempt huey will retry; ``repr`` is the plain message huey stores."""

    def __repr__(self) -> str:
        return str(self.args[0]) if self.args else "the render failed"


def run_job(service: Service, queue: ServiceQueue, job_id: str) -> None:
    """Claim, render, record and publish one job (the body of the render task)."""
    state = service.state()
    try:
        lease = uuid.uuid4().hex
        if not state.claim_job(job_id, lease, worker_id(), _iso(), time.time()):
            return  # done, failed, running under a live lease elsewhere, or deleted
        job = state.job(job_id)
        if job is None:
            return
        log.info("job %s: rendering %s (attempt %d)", job_id, job.source, job.attempts)
        with _heartbeat(service, job_id, lease):
            try:
                outcome = _work(service, state, job, lease)
            except Exception as exc:
                message = _message(exc)
                # A page with no article, or an address that is refused, is the same on every
                # try: only what may pass (a timeout, a 5xx, a bug meeting a locked database)
                # is tried again.
                if job.attempts < MAX_ATTEMPTS and _transient(exc):
                    state.update_job(
                        job_id,
                        holding=lease,
                        status="queued",
                        lease=None,
                        error=message,
                        updated=_iso(),
                        enqueued_at=time.time(),
                    )
                    log.warning("job %s: attempt %d failed: %s", job_id, job.attempts, message)
                    raise TaskFailure(message) from exc
                _fail(service, state, queue, job, message, holding=lease)
                return
            except KeyboardInterrupt:  # SIGTERM to the worker: huey interrupts the render
                _hand_back(state, queue, job, lease)
                raise
        log.info("job %s: %s", job_id, outcome)
        if outcome != "deleted":  # done (rendered or unchanged) or superseded: the CMS hears
            _call_back(queue, state, job_id)
    finally:
        state.close()


def _hand_back(state: State, queue: ServiceQueue, job: Job, lease: str) -> None:
    """Put an interrupted job back on the queue now, the attempt not counted: the next worker
    takes it up at once instead of after its lease has run out (the reaper's way, still there
    should this fail)."""
    try:
        if not state.update_job(
            job.id,
            holding=lease,
            status="queued",
            lease=None,
            attempts=max(0, job.attempts - 1),
            updated=_iso(),
            enqueued_at=time.time(),
        ):
            return  # finished, or no longer this worker's
        queue.render(job.id)
    except Exception as exc:
        log.warning("job %s: interrupted; left to the reaper (%s)", job.id, exc)
        return
    log.warning("job %s: interrupted; handed back to the queue", job.id)


def _transient(exc: Exception) -> bool:
    """Whether the render may succeed if tried again (narrate's errors say; others may)."""
    return exc.transient if isinstance(exc, NarrateError) else True


def _message(exc: Exception) -> str:
    if isinstance(exc, NarrateError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


def _fail(
    service: Service,
    state: State,
    queue: ServiceQueue,
    job: Job,
    message: str,
    holding: str | None = None,
) -> None:
    changed = state.update_job(
        job.id,
        holding=holding,
        status="failed",
        lease=None,
        error=message,
        updated=_iso(),
    )
    if not changed:
        return
    log.error("job %s failed: %s", job.id, message)
    record = state.get(job.source)
    if record is not None and state.newer_job(job) is None:
        # An older version stays published; the episode says why it is not up to date.
        state.update(job.source, status="failed", error=message, updated=_iso())
    _call_back(queue, state, job.id)


def _call_back(queue: ServiceQueue, state: State, job_id: str) -> None:
    job = state.job(job_id)
    if job is not None and job.callback_url:
        queue.callback(job_id)


@contextlib.contextmanager
def _heartbeat(service: Service, job_id: str, lease: str) -> Iterator[None]:
    """Renew the job's lease every third of ``service_lease_s`` while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        state = service.state()
        try:
            while not stop.wait(service.lease_s / 3):
                if not state.update_job(job_id, holding=lease, heartbeat_at=time.time()):
                    log.warning("job %s: lease lost (taken up by another worker)", job_id)
                    return
        finally:
            state.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _work(service: Service, state: State, job: Job, lease: str) -> str:
    """Render the job's article unless its audio exists; record and publish. The outcome."""
    from .feed import _adopt, _rendered_files, content_hash, media_stem, render_fingerprint
    from .pipeline import render

    if _superseded(state, job, lease):
        return "superseded"
    submission = Submission.from_json(job.payload)
    config = service.render
    article = _article(submission, config)
    digest = content_hash(article, render_fingerprint(config), config.artwork_from_page)
    # The article's identity is in the name too: two articles that read alike (a syndicated
    # copy) never share files, so deleting one never takes the other's audio.
    stem = media_stem(article.title, _sha256(f"{submission.source}\n{digest}"))
    record = state.get(submission.source)
    media = service.media
    if (
        record is not None
        and record.media_hash == digest
        and record.media_stem
        and all(path.is_file() for path in _rendered_files(media, record.media_stem))
    ):
        stem = record.media_stem
        outcome = {"mp3_bytes": record.media_bytes or 0, "duration_s": record.duration_s or 0.0}
        unchanged = True
    else:
        # Files a killed worker finished but never recorded are complete (renamed into place).
        adopted = _adopt(media, stem)
        if adopted is None:
            media.mkdir(parents=True, exist_ok=True)
            episode = render(article, media / f"{stem}.mp3", config)
            adopted = {
                "mp3_bytes": (media / f"{stem}.mp3").stat().st_size,
                "duration_s": episode.duration_s,
                # An edit re-synthesizes only the segments it changed (the segment cache).
                "synthesized": episode.synthesized,
                "reused": episode.reused,
            }
        outcome = adopted
        unchanged = False
    with publish_lock(service):
        if state.job(job.id) is None:  # its episode was deleted meanwhile
            if stem not in state.media_stems():
                _remove_files(media, stem)
            return "deleted"
        if _superseded(state, job, lease, finished_only=True):
            if stem not in state.media_stems():
                _remove_files(media, stem)
            return "superseded"
        old = state.get(submission.source)
        _record(
            state, submission, article, digest, stem, outcome, old, job, config.artwork_from_page
        )
        _publish(service, state)
        # Done means published: a client that sees "done" finds the episode in feed.xml.
        result = {
            "episode": _guid(submission.source),
            "stem": stem,
            "unchanged": unchanged,
            "synthesized": int(outcome.get("synthesized", 0)),
            "reused": int(outcome.get("reused", 0)),
        }
        state.update_job(
            job.id,
            holding=lease,
            status="done",
            lease=None,
            error=None,
            result=json.dumps(result),
            updated=_iso(),
        )
        if old is not None and old.media_stem and old.media_stem not in state.media_stems():
            _remove_files(media, old.media_stem)
    return "unchanged" if unchanged else "done"


def _superseded(state: State, job: Job, lease: str, finished_only: bool = False) -> bool:
    """True (and the job marked) when a newer version of the article makes this one moot.

    Before rendering any newer job counts; after, only a newer one already published, so
    that an older version finishing late never replaces a newer one.
    """
    newer = state.newer_job(job)
    if newer is None or newer.status == "failed" or (finished_only and newer.status != "done"):
        return False
    state.update_job(
        job.id, holding=lease, status="superseded", lease=None, error=None, updated=_iso()
    )
    return True


def _article(submission: Submission, config: Config) -> Article:
    from .clean import clean
    from .model import Page
    from .pipeline import extract

    if submission.html is not None:
        where = submission.url or submission.source
        return clean(Page(html=submission.html, source=where, url=submission.url))
    assert submission.url is not None  # a submission without HTML always has its URL
    return extract(submission.url, config)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _guid(source: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"narrate:{source}"))


def _record(
    state: State,
    submission: Submission,
    article: Article,
    digest: str,
    stem: str,
    outcome: Mapping[str, Any],
    old: Record | None,
    job: Job,
    page_image: bool,
) -> None:
    from .feed import _parse_date, item_description, item_image

    now = _iso()
    description = item_description(article)
    link = article.canonical_url or submission.url
    image = item_image(article, page_image)
    values: dict[str, Any] = {
        "status": "done",
        "article_hash": digest,
        "title": article.title,
        "description": description,
        "link": link,
        "image_url": image,
        "updated": now,
        "media_stem": stem,
        "media_hash": digest,
        "media_bytes": int(outcome["mp3_bytes"]),
        "duration_s": float(outcome["duration_s"]),
        "rendered_at": now,
        "error": None,
        "attempts": job.attempts,
    }
    if old is None:
        published = (
            _parse_date(article.published) or _parse_date(submission.published) or datetime.now(UTC)
        )
        state.add(
            Record(
                source=submission.source,
                origin=submission.kind,
                guid=_guid(submission.source),
                published=published.astimezone(UTC).isoformat(timespec="seconds"),
                first_seen=now,
                **values,
            )
        )
    else:  # an edit: the same episode (guid, pubDate), corrected
        state.update(submission.source, **values)


@contextlib.contextmanager
def publish_lock(service: Service) -> Iterator[None]:
    """One publisher at a time per data folder; the kernel frees it if the holder dies."""
    service.data_dir.mkdir(parents=True, exist_ok=True)
    with open(service.data_dir / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _publish(service: Service, state: State) -> None:
    from .feed import BuildReport, publish

    publish(service.feed, state, BuildReport(), cover=False)


def prepare(service: Service) -> None:
    """Create the data folder and publish what the state holds (the cover, an empty feed)."""
    from .feed import write_cover

    service.media.mkdir(parents=True, exist_ok=True)
    with publish_lock(service):
        write_cover(service.feed)
        state = service.state()
        try:
            _publish(service, state)
        finally:
            state.close()
    # A worker killed while writing leaves temporary files behind; none is older than a render.
    for path in service.media.glob(".*.part"):
        with contextlib.suppress(OSError):
            if time.time() - path.stat().st_mtime > 3600:
                path.unlink()


def _remove_files(media: Path, stem: str) -> None:
    from .publish import EPISODE_SUFFIXES

    for suffix in EPISODE_SUFFIXES:
        (media / f"{stem}{suffix}").unlink(missing_ok=True)


def reap(service: Service, queue: ServiceQueue) -> list[str]:
    """Re-queue jobs whose worker died (lease run out) or whose task was lost; their ids.

    A job whose worker died :data:`MAX_ATTEMPTS` times is failed instead. Two reapers at once
    are harmless: the re-queue is one conditional UPDATE, and a duplicate task finds the job
    claimed and does nothing.
    """
    state = service.state()
    requeued: list[str] = []
    try:
        clock = time.time()
        for job_id in state.requeue_stale(clock - service.lease_s, _iso(), clock):
            job = state.job(job_id)
            if job is None:
                continue
            if job.attempts >= MAX_ATTEMPTS:
                message = (
                    f"The worker rendering it stopped {job.attempts} times (killed, or out of "
                    "memory?); see the workers' logs."
                )
                _fail(service, state, queue, job, message)
                continue
            log.warning("job %s: its worker stopped renewing the lease; queued again", job_id)
            queue.render(job_id)
            requeued.append(job_id)
        # A queued job with no task (the API stopped between recording and queueing it, or a
        # worker died between taking the task and claiming the job) is queued again.
        old = [job for job in state.jobs("queued") if job.enqueued_at < clock - service.lease_s]
        if old:
            waiting = queue.waiting()
            for job in old:
                if job.id not in waiting:
                    state.update_job(job.id, enqueued_at=clock)
                    queue.render(job.id)
                    requeued.append(job.id)
    finally:
        state.close()
    return requeued


def deliver_callback(service: Service, job_id: str) -> None:
    """POST the job's result to its ``callback_url``, signed; raise to have huey retry."""
    from .auth import sign_headers
    from .fetch import post
    from .pipeline import fetch_settings

    state = service.state()
    try:
        job = state.job(job_id)
        if job is None or not job.callback_url:
            return
        body = json.dumps(job_view(service, state, job)).encode()
    finally:
        state.close()
    headers = {"Content-Type": "application/json"}
    if service.config.service_secret:
        headers.update(sign_headers(service.config.service_secret, body))
    settings = replace(fetch_settings(service.render), timeout_s=10.0)
    try:
        status = post(job.callback_url, body, headers, settings)
    except NarrateError as exc:
        if not exc.transient:  # an address that is refused is refused on every try
            log.error("job %s: callback not delivered: %s", job_id, exc)
            return
        raise TaskFailure(f"callback for job {job_id}: {exc}") from exc
    if not 200 <= status < 300:
        raise TaskFailure(f"callback for job {job_id}: {job.callback_url} answered {status}")
    log.info("job %s: callback delivered to %s", job_id, job.callback_url)


# --- the worker process ----------------------------------------------------------------------


def run_worker(
    service: Service,
    workers: int = 1,
    ready: Callable[[], None] | None = None,
    parent: int | None = None,
) -> None:
    """Run a huey consumer with ``workers`` processes and the reaper, until SIGINT or SIGTERM.

    SIGINT lets running renders finish; SIGTERM stops at once, each render process handing
    its job back to the queue. With ``parent`` (``narrate serve``'s worker), the end of that
    process stops this one as SIGTERM does: no worker runs on that nobody supervises.
    """
    from huey.consumer import Consumer

    from .queue import (
        Outage,
        check_queue,
        queue_down,
        quiet_consumer_classes,
        run_keeping_spares,
        stop_when_orphaned,
    )

    # First, from the main thread: every thread and process the consumer starts inherits it.
    nice = lower_priority(service.config.service_worker_nice)
    queue = service_queue(service)
    check_queue(queue.huey, service.queue_url)  # one line and an exit, not "ready" then errors
    prepare(service)

    consumer_pid = os.getpid()

    def _watch_parent() -> None:
        # A render process (or the scheduler) whose consumer was killed stops too: its job is
        # then reaped, instead of being finished by a process nobody supervises.
        def watch() -> None:
            while os.getppid() == consumer_pid:
                time.sleep(0.5)
            os._exit(1)

        if os.getpid() != consumer_pid:
            threading.Thread(target=watch, name="parent-watch", daemon=True).start()

    queue.huey.on_startup()(_watch_parent)

    class _Consumer(Consumer):  # type: ignore[misc]
        def start(self) -> None:
            super().start()
            # Started after the worker processes are forked: they inherit no reaper.
            threading.Thread(target=_reaper, name="reaper", daemon=True).start()
            if parent is not None:
                stop_when_orphaned(parent)
            log.info(
                "worker %d ready: %d render process(es) at nice %d", os.getpid(), self.workers, nice
            )
            if ready is not None:
                ready()

    def _reaper() -> None:
        outage = Outage(f"worker {os.getpid()} reaper", service.queue_url)
        period = service.lease_s / 3
        wait = period
        while True:
            time.sleep(wait)
            wait = period
            try:
                reap(service, queue)
            except Exception as exc:  # the reaper must outlive a locked database or a Redis blip
                if not queue_down(exc):
                    log.exception("reaper")
                    continue
                wait = max(wait, outage.failed(exc))
            else:
                outage.answered()

    # One line per try while the queue does not answer, not huey's traceback twice a second;
    # the scheduler runs no startup hooks, so it is given the parent watch here.
    _Consumer.worker_class, _Consumer.scheduler_class = quiet_consumer_classes(
        service.queue_url, scheduler_start=_watch_parent
    )
    consumer = _Consumer(
        queue.huey,
        workers=max(1, workers),
        worker_type="process",
        periodic=False,
        initial_delay=0.05,
        max_delay=0.5,
        scheduler_interval=1,
    )
    run_keeping_spares(queue.huey, consumer)


def lower_priority(nice: int) -> int:
    """Run this thread, and the threads and processes it starts, at ``nice`` or lower priority.

    Renders are batch work: on a machine that also runs ``narrate serve``, the CPU goes to the
    service's answers first (bench/service.py measures them while two workers render). A
    process already running at a lower priority keeps it. Returns the niceness now in force.
    """
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if nice > current:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, 0, nice)
    return os.getpriority(os.PRIO_PROCESS, 0)


def _iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
