"""The service's processes: a real `narrate serve`, worker processes killed mid-render, Redis.

The kill tests need renders slow enough to be caught mid-way: a test engine, ``slow``, is
registered the way a third-party engine would be (an entry point in a distribution on
PYTHONPATH) and used through a voice profile; it is the silent engine with a pause per
segment. Nothing in narrate knows it is being tested.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from servicekit import (
    SECRET,
    clean_env,
    drain,
    free_port,
    generic,
    make_service,
    narrate_process,
    publish_burst,
    signed,
    wait_for,
    wait_until_serving,
    write_service_config,
)

from narrate.config import shown_url
from narrate.errors import ConfigError, QueueError
from narrate.payloads import parse
from narrate.service import (
    MAX_ATTEMPTS,
    Service,
    ServiceQueue,
    load_service,
    reap,
    service_queue,
    submit,
)
from narrate.state import Job, State

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals and process groups")

SLOW_ENGINE = '''
import time

from narrate.engines.silent import SilentEngine


class SlowEngine(SilentEngine):
    """Silence, a quarter of a second late per segment: renders that can be caught mid-way."""

    name = "slow"
    version = "slow 1"

    def synthesize(self, text, voice):
        time.sleep(0.25)
        return super().synthesize(text, voice)
'''


@pytest.fixture(scope="module")
def slow_engine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PYTHONPATH with the slow engine's distribution, and its voice profile's folder."""
    root = tmp_path_factory.mktemp("slow-engine")
    (root / "slow_engine.py").write_text(SLOW_ENGINE, encoding="utf-8")
    info = root / "slow_engine-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: slow-engine\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[narrate.engines]\nslow = slow_engine:SlowEngine\n")
    voices = root / "voices"
    voices.mkdir()
    (voices / "slow.toml").write_text(
        'name = "slow"\nengine = "slow"\nvoice = "slow"\nlanguage = "en"\nrate = 170\n'
        'lexicons = ["en"]\n',
        encoding="utf-8",
    )
    return {"PYTHONPATH": str(root), "NARRATE_VOICES_DIR": str(voices), "NARRATE_VOICE": "slow"}


# Read at import: the autouse fixture in conftest.py clears NARRATE_* before each test.
TEST_REDIS = os.environ.get("NARRATE_TEST_REDIS", "")


def _redis_url() -> str | None:
    """NARRATE_TEST_REDIS (.ci/run starts a Redis and sets it); a test fails if it is set
    and nothing answers there: a broken Redis must not pass as a skipped test."""
    url = TEST_REDIS
    if not url:
        return None
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"NARRATE_TEST_REDIS={url} is set but Redis does not answer: {exc}")
    finally:
        client.close()
    return url


REDIS_SKIP = (
    "NARRATE_TEST_REDIS is unset: the Redis tests did NOT run "
    "(.ci/run starts redis-server and sets it; locally: redis-server --port 6390 "
    "--daemonize yes; NARRATE_TEST_REDIS=redis://127.0.0.1:6390/0 make test)"
)


@pytest.fixture(params=["sqlite", "redis"])
def queue_env(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The environment that picks the queue: SQLite in the data folder, or the test Redis."""
    if request.param == "sqlite":
        yield {}
        return
    url = _redis_url()
    if url is None:
        pytest.skip(REDIS_SKIP)
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()  # the test database: only this suite's queues live there
    try:
        yield {"NARRATE_QUEUE": url}
    finally:
        client.flushdb()
        client.close()


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGINT) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def closing() -> Iterator[list[Any]]:
    """Things to close after the test (queues, state connections)."""
    things: list[Any] = []
    yield things
    for thing in things:
        thing.close()


def _feed_guids(output: Path) -> list[str]:
    tree = etree.parse(str(output / "feed.xml"))
    return [str(item.findtext("guid")) for item in tree.iterfind("channel/item")]


# --- a real `narrate serve` ------------------------------------------------------------------


def test_narrate_serve_answers_and_its_worker_publishes(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = write_service_config(tmp_path, base_url=base + "/")
    server = narrate_process(
        "serve", str(config), "--port", str(port), "--workers", "1",
        env=clean_env(), log=tmp_path / "serve.log",
    )  # fmt: skip
    try:
        wait_until_serving(base)
        body, headers = signed(generic("ferry"))
        answer = httpx.post(f"{base}/v1/articles", content=body, headers=headers, timeout=10)
        assert answer.status_code == 202, answer.text
        job_url = base + answer.headers["location"]

        def done() -> Any:
            job = httpx.get(job_url, timeout=5).json()
            return job if job["status"] in ("done", "failed") else None

        job = wait_for(done, 120, "the job")
        assert job["status"] == "done", job["error"]
        audio = httpx.get(job["episode"]["audio_url"], timeout=10)
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
        assert len(audio.content) == job["episode"]["audio_bytes"]
        feed = httpx.get(f"{base}/feed.xml", timeout=5)
        assert job["episode"]["audio_url"] in feed.text
        assert httpx.get(f"{base}/openapi.json", timeout=5).json()["info"]["title"] == "narrate"
    finally:
        _stop(server)
    assert server.returncode == 0, (tmp_path / "serve.log").read_text()
    log = (tmp_path / "serve.log").read_text()
    assert SECRET not in log


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now (from /proc): its children, theirs, and so on."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _survivors(pids: set[int]) -> list[int]:
    """Those of ``pids`` still running after 5 s (less than a supervisor waits to start a
    service again), killed so that the test leaves nothing behind."""
    deadline = time.monotonic() + 5
    while any(map(_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in pids if _running(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    return survivors


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for its parent is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _serve_with_a_worker(
    tmp_path: Path, env: dict[str, str]
) -> tuple[str, subprocess.Popen[bytes], Any, State]:
    """``narrate serve --workers 1`` on a free port (its log in serve.log): its base URL, the
    process, the service it loaded and its state database."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = clean_env(**env, NARRATE_CACHE_DIR=str(tmp_path / "segments"))
    config = write_service_config(tmp_path, base_url=base + "/")
    server = narrate_process(
        "serve", str(config), "--port", str(port), "--workers", "1",
        env=environment, log=tmp_path / "serve.log",
    )  # fmt: skip
    service = load_service(config, env=environment)
    return base, server, service, State(service.state_path)


def test_sigterm_stops_narrate_serve_and_its_worker_and_loses_no_job(
    tmp_path: Path, slow_engine: dict[str, str], queue_env: dict[str, str], closing: list[Any]
) -> None:
    """What systemd, supervisord and docker stop send to the server alone: it stops with its
    worker (whose render finishes), exits 0, leaves no process behind, and a job still queued
    is there for the next worker."""
    base, server, service, state = _serve_with_a_worker(tmp_path, {**slow_engine, **queue_env})
    closing.append(state)
    try:
        wait_until_serving(base)
        ids = []
        for name in ("ferry", "library"):
            body, headers = signed(generic(name))
            answer = httpx.post(f"{base}/v1/articles", content=body, headers=headers, timeout=10)
            assert answer.status_code == 202, answer.text
            ids.append(answer.json()["id"])
        running = wait_for(lambda: state.jobs("running"), 120, "a render to start")[0]
        below = _descendants(server.pid)
        assert len(below) >= 2, "the worker and its render process"
        os.kill(server.pid, signal.SIGTERM)  # the server alone, as a supervisor does
        server.wait(timeout=90)
    finally:
        _stop(server, signal.SIGKILL)
        survivors = _survivors(below)
    log = (tmp_path / "serve.log").read_text()
    assert server.returncode == 0, log
    assert not survivors, log
    assert not _group_alive(server.pid)
    finished = state.job(running.id)
    assert finished is not None and finished.status == "done", log  # finished, not abandoned
    queue = service_queue(service)
    closing.append(queue)
    for job_id in ids:
        job = state.job(job_id)
        assert job is not None
        assert job.status == "done" or (job.status == "queued" and job_id in queue.waiting())


def test_serve_interrupts_renders_that_outlast_its_stop_grace(
    tmp_path: Path, slow_engine: dict[str, str], queue_env: dict[str, str], closing: list[Any]
) -> None:
    """service_stop_grace_s = 0: stopped, serve does not wait for its worker's render; the
    render is interrupted and its job handed back to the queue for the next worker."""
    env = {**slow_engine, **queue_env, "NARRATE_SERVICE_STOP_GRACE_S": "0"}
    base, server, _, state = _serve_with_a_worker(tmp_path, env)
    closing.append(state)
    try:
        wait_until_serving(base)
        body, headers = signed(generic("library"))
        answer = httpx.post(f"{base}/v1/articles", content=body, headers=headers, timeout=10)
        assert answer.status_code == 202, answer.text
        running = wait_for(lambda: state.jobs("running"), 120, "a render to start")[0]
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    finally:
        _stop(server, signal.SIGKILL)
    log = (tmp_path / "serve.log").read_text()
    assert server.returncode == 0, log
    assert "interrupting the worker's renders" in log
    handed_back = state.job(running.id)
    assert handed_back is not None and handed_back.status == "queued", log
    assert handed_back.attempts == 0


def test_sigterm_stops_narrate_worker_and_its_renders_and_hands_the_job_back(
    tmp_path: Path, slow_engine: dict[str, str], queue_env: dict[str, str], closing: list[Any]
) -> None:
    """SIGTERM to `narrate worker` alone: it stops at once with its render processes, and the
    job it was rendering is queued again at once (not an attempt used up), for the next one."""
    cache = str(tmp_path / "segments")
    env = clean_env(**slow_engine, **queue_env, NARRATE_CACHE_DIR=cache)
    config = write_service_config(tmp_path)
    service = load_service(config, env=env)
    queue = service_queue(service)
    state = State(service.state_path)
    closing += [queue, state]
    job = submit(state, queue, parse(generic("ferry"))).job
    worker = narrate_process("worker", str(config), env=env, log=tmp_path / "worker.log")
    try:
        wait_for(lambda: state.jobs("running"), 120, "the render to start")
        time.sleep(0.5)  # into the render
        below = _descendants(worker.pid)
        os.kill(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    finally:
        _stop(worker, signal.SIGKILL)
        survivors = _survivors(below)
    log = (tmp_path / "worker.log").read_text()
    assert worker.returncode == 0, log
    assert not survivors, log
    handed_back = state.job(job.id)
    assert handed_back is not None and handed_back.status == "queued", log
    assert handed_back.attempts == 0 and handed_back.lease is None
    assert job.id in queue.waiting()
    again = narrate_process("worker", str(config), env=env, log=tmp_path / "worker-2.log")
    try:
        wait_for(lambda: (state.job(job.id) or job).status == "done", 120, "the job")
    finally:
        _stop(again)


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_a_killed_narrate_serve_or_worker_leaves_no_process_behind(
    tmp_path: Path, command: str
) -> None:
    """SIGKILL, which nothing can handle, to the process a supervisor started: whatever it
    started notices and stops (the worker, its render processes, its scheduler)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = write_service_config(tmp_path, base_url=base + "/")
    log = tmp_path / f"{command}.log"
    args = ["--port", str(port)] if command == "serve" else []
    server = narrate_process(command, str(config), *args, "-w", "1", env=clean_env(), log=log)
    below: set[int] = set()
    try:
        if command == "serve":
            wait_until_serving(base)
        wait_for(lambda: "ready" in log.read_text(), 60, "the worker")
        below = _descendants(server.pid)
        assert len(below) >= 2, "the render process and the scheduler (and the worker)"
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        deadline = time.monotonic() + 10
        while any(map(_running, below)) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        _stop(server, signal.SIGKILL)
        survivors = [pid for pid in below if _running(pid)]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
    assert not survivors, log.read_text()


def test_the_queue_url_s_password_is_never_shown(tmp_path: Path) -> None:
    """`narrate config` and the worker's log name the queue with its password masked."""
    config = write_service_config(tmp_path)
    env = clean_env(NARRATE_QUEUE=f"redis://:hunter2@127.0.0.1:{free_port()}/0")
    shown = subprocess.run(
        [sys.executable, "-m", "narrate", "config"],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )  # fmt: skip
    assert "queue = 'redis://:***@127.0.0.1:" in shown.stdout
    log = tmp_path / "worker.log"
    worker = narrate_process("worker", str(config), env=env, log=log)
    try:
        wait_for(lambda: worker.poll() is not None or "queue redis" in log.read_text(), 60, "")
    finally:
        _stop(worker, signal.SIGKILL)
    assert "queue redis://:***@127.0.0.1:" in log.read_text()
    assert "hunter2" not in shown.stdout + shown.stderr + log.read_text()


def test_shown_url_masks_a_password_wherever_the_url_holds_one() -> None:
    assert shown_url("redis://:hunter2@h:6379/0") == "redis://:***@h:6379/0"
    assert shown_url("rediss://u:hunter2@h/0") == "rediss://u:***@h/0"
    assert shown_url("unix://:hunter2@/run/redis.sock?db=1") == "unix://:***@/run/redis.sock?db=1"
    assert shown_url("redis://h/0?password=hunter2") == "redis://h/0?password=***"
    assert shown_url("redis://h:6379/0") == "redis://h:6379/0"
    assert shown_url("redis://u:hunter2@[::1/0") == "redis://***"  # unreadable


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_an_unreachable_queue_is_one_line_and_an_exit_at_start(
    tmp_path: Path, command: str
) -> None:
    config = write_service_config(tmp_path)
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"  # nothing listens there
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "narrate", command, str(config), "--workers", "1"],
        capture_output=True, text=True, env=clean_env(NARRATE_QUEUE=url), timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == QueueError.exit_code, result.stderr
    assert time.monotonic() - started < 30
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0].startswith("narrate: error: The queue at redis://:***@")
    assert "Start Redis there" in errors[0]
    assert "Traceback" not in result.stderr and "ready" not in result.stderr
    assert "hunter2" not in result.stderr


def _redis_server(port: int, log: Path, password: str | None = None) -> subprocess.Popen[bytes]:
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(log.parent), "--logfile", str(log)]
    command += ["--requirepass", password] if password else []
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    import redis

    def up() -> bool:
        try:
            client = redis.Redis(port=port, password=password, socket_connect_timeout=0.5)
            return bool(client.ping())
        except redis.RedisError:
            return False

    wait_for(up, 10, "redis-server to answer")
    return server


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_a_queue_that_goes_away_is_a_line_per_try_with_longer_waits(
    tmp_path: Path, closing: list[Any]
) -> None:
    """A Redis of the test's own, stopped under a running worker and started again: a line per
    try, waits that double, no traceback; once it is back the worker renders again."""
    port = free_port()
    redis_server = _redis_server(port, tmp_path / "redis.log")
    env = clean_env(NARRATE_QUEUE=f"redis://127.0.0.1:{port}/0", NARRATE_SERVICE_LEASE_S="3")
    config = write_service_config(tmp_path)
    log = tmp_path / "worker.log"
    worker = narrate_process("worker", str(config), "-w", "1", env=env, log=log)
    try:
        wait_for(lambda: "ready" in log.read_text(), 60, "the worker to be ready")
        redis_server.terminate()
        redis_server.wait()
        time.sleep(8)
        down = log.read_text()
        redis_server = _redis_server(port, tmp_path / "redis.log")
        wait_for(lambda: "answers again" in log.read_text(), 60, "the worker to reconnect")
        service = load_service(config, env=env)
        queue = service_queue(service)
        state = State(service.state_path)
        closing += [queue, state]
        job = submit(state, queue, parse(generic("ferry"))).job
        wait_for(lambda: (state.job(job.id) or job).status == "done", 60, "the job")
    finally:
        _stop(worker)
        redis_server.terminate()
        redis_server.wait()
    assert "Traceback" not in down, down
    tries = [line for line in down.splitlines() if "does not answer" in line]
    # Three processes (the render process, the scheduler, the reaper) try at 1, 3, 7 s ...:
    # about three lines each in 8 s, where huey's own loop logged a traceback twice a second.
    assert 3 <= len(tries) <= 12, down
    assert "trying again in 1 s" in down and "trying again in 4 s" in down
    assert "***" not in down or "hunter2" not in down


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_narrate_serve_whose_queue_goes_away_answers_503_and_logs_no_traceback(
    tmp_path: Path,
) -> None:
    port, redis_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    redis_server = _redis_server(redis_port, tmp_path / "redis.log", password="hunter2")
    env = clean_env(NARRATE_QUEUE=f"redis://:hunter2@127.0.0.1:{redis_port}/0")
    config = write_service_config(tmp_path, base_url=base + "/")
    log = tmp_path / "serve.log"
    server = narrate_process("serve", str(config), "--port", str(port), env=env, log=log)
    try:
        wait_until_serving(base)
        redis_server.terminate()
        redis_server.wait()
        health = httpx.get(f"{base}/healthz", timeout=30)
        assert health.status_code == 503 and "ConnectionError" in health.json()["error"]
        body, headers = signed(generic("ferry"))
        answer = httpx.post(f"{base}/v1/articles", content=body, headers=headers, timeout=30)
        assert answer.status_code == 503, answer.text
        assert "recorded but the queue does not answer" in answer.json()["error"]
    finally:
        _stop(server)
        if redis_server.poll() is None:
            redis_server.terminate()
            redis_server.wait()
    text = log.read_text()
    assert "Traceback" not in text and "hunter2" not in text, text
    assert "health check: ConnectionError" in text and "recorded but not queued" in text


def test_narrate_serve_refuses_to_run_open_except_on_loopback(tmp_path: Path) -> None:
    config = write_service_config(tmp_path, secret="", token="")

    def serve(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "narrate", "serve", str(config), *args]
        return subprocess.run(
            command, capture_output=True, text=True, env=clean_env(), timeout=60, check=False
        )

    refused = serve()
    assert refused.returncode == 2
    assert "refusing to accept unauthenticated writes" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    exposed = serve("--host", "0.0.0.0", "--insecure-local")
    assert exposed.returncode == 2 and "loopback" in exposed.stderr


def test_serve_without_the_server_extra_names_it(tmp_path: Path) -> None:
    config = write_service_config(tmp_path)
    code = (
        "import sys; sys.modules['fastapi'] = None; sys.argv = ['narrate', 'serve', "
        f"{str(config)!r}]; from narrate.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "narrate: error: narrate serve needs the server extra: pip install 'narrate[server]'."
    )


# --- leases and the reaper, in this process ----------------------------------------------------


def _one_job(tmp_path: Path, closing: list[Any]) -> tuple[Service, ServiceQueue, State, Job]:
    """A service with short leases, its queue and state, and one published story's job."""
    service = make_service(tmp_path, lease_s=0.5)
    queue = service_queue(service)
    state = State(service.state_path)
    closing += [queue, state]
    return service, queue, state, submit(state, queue, parse(generic("ferry"))).job


def test_the_reaper_takes_back_a_job_whose_worker_stopped(
    tmp_path: Path, closing: list[Any]
) -> None:
    service, queue, state, job = _one_job(tmp_path, closing)
    queue.huey.flush()  # the task was taken by a worker ...
    assert state.claim_job(job.id, "dead-lease", "gone:1", "now", time.time() - 10)  # ... that died
    assert reap(service, queue) == [job.id]
    assert reap(service, queue) == [], "queued once"
    drain(queue)
    done = state.job(job.id)
    assert done is not None and done.status == "done" and done.attempts == 2
    # The dead worker's lease is void: it can record nothing any more.
    assert not state.update_job(job.id, holding="dead-lease", status="failed")


def test_a_job_whose_workers_keep_dying_ends_failed(tmp_path: Path, closing: list[Any]) -> None:
    service, queue, state, job = _one_job(tmp_path, closing)
    queue.huey.flush()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert state.claim_job(job.id, f"lease-{attempt}", "w:1", "now", time.time() - 10)
        requeued = reap(service, queue)
        queue.huey.flush()
        assert requeued == ([job.id] if attempt < MAX_ATTEMPTS else [])
    failed = state.job(job.id)
    assert failed is not None and failed.status == "failed"
    assert failed.error is not None and f"stopped {MAX_ATTEMPTS} times" in failed.error


def test_a_queued_job_whose_task_was_lost_is_queued_again(
    tmp_path: Path, closing: list[Any]
) -> None:
    service, queue, state, job = _one_job(tmp_path, closing)
    assert reap(service, queue) == [], "young and on the queue"
    state.update_job(job.id, enqueued_at=time.time() - 10)
    assert reap(service, queue) == [], "old but still on the queue"
    queue.huey.flush()
    assert reap(service, queue) == [job.id]
    assert drain(queue) == 1
    assert (state.job(job.id) or job).status == "done"


# --- worker processes killed mid-render --------------------------------------------------------


def test_a_worker_killed_mid_render_loses_no_job(
    tmp_path: Path, slow_engine: dict[str, str], queue_env: dict[str, str], closing: list[Any]
) -> None:
    """Two `narrate worker` processes; one is SIGKILLed (with its render process) mid-render.
    The other takes the job up once the lease runs out; every job ends done exactly once."""
    # A segment cache of its own: clips another test cached would make these renders quick.
    cache = str(tmp_path / "segments")
    env = clean_env(
        **slow_engine, **queue_env, NARRATE_SERVICE_LEASE_S="2", NARRATE_CACHE_DIR=cache
    )
    config = write_service_config(tmp_path)
    service = load_service(config, env=env)
    queue = service_queue(service)
    state = State(service.state_path)
    closing += [queue, state]
    names = ("ferry", "library", "river")
    jobs = [submit(state, queue, parse(generic(name))).job for name in names]
    workers = [
        narrate_process("worker", str(config), env=env, log=tmp_path / f"worker-{n}.log")
        for n in (1, 2)
    ]
    try:
        running = wait_for(lambda: state.jobs("running"), 120, "a render to start")[0]
        holder = int(str(running.worker).rsplit(":", 1)[1])
        victim = next(w for w in workers if os.getpgid(holder) == w.pid)
        time.sleep(0.5)  # well into the render (each takes a few seconds)
        before = state.job(running.id)
        assert before is not None and before.status == "running" and before.attempts == 1
        os.killpg(victim.pid, signal.SIGKILL)  # the consumer and its render process
        victim.wait()
        wait_for(lambda: not _group_alive(victim.pid), 10, "the killed worker to be gone")
        after = state.job(running.id)
        # Not finished: still held by the dead lease, or already queued again by the reaper.
        assert after is not None and after.status in ("running", "queued"), "killed mid-render"

        def finished() -> bool:
            return all((state.job(j.id) or j).status in ("done", "failed") for j in jobs)

        wait_for(finished, 180, "every job to finish")
    finally:
        for worker in workers:
            _stop(worker)
    logs = "".join(p.read_text() for p in tmp_path.glob("worker-*.log"))
    final = {j.id: state.job(j.id) for j in jobs}
    assert all(job is not None and job.status == "done" for job in final.values()), logs
    taken_over = final[running.id]
    assert taken_over is not None and taken_over.attempts == 2
    assert taken_over.worker != running.worker
    assert "queued again" in logs
    # One episode per article, one set of files each, and the feed names exactly those.
    records = state.records()
    assert len(records) == 3 and {r.status for r in records} == {"done"}
    stems = {r.media_stem for r in records}
    mp3s = {p.stem for p in service.media.glob("*.mp3")}
    assert mp3s == stems
    assert sorted(_feed_guids(service.output)) == sorted(r.guid for r in records)


def test_two_workers_share_many_jobs_without_duplicates(
    tmp_path: Path, queue_env: dict[str, str], closing: list[Any]
) -> None:
    env = clean_env(**queue_env)
    config = write_service_config(tmp_path)
    service = load_service(config, env=env)
    queue = service_queue(service)
    state = State(service.state_path)
    closing += [queue, state]
    jobs = []
    for number in range(12):
        payload = generic(("ferry", "library", "river")[number % 3], id=f"story-{number}")
        payload["html"] = payload["html"].replace("</h1>", f", part {number}</h1>", 1)
        jobs.append(submit(state, queue, parse(payload)).job)
    workers = [
        narrate_process("worker", str(config), env=env, log=tmp_path / f"worker-{n}.log")
        for n in (1, 2)
    ]
    try:
        wait_for(
            lambda: all((state.job(j.id) or j).status == "done" for j in jobs), 180, "the jobs"
        )
    finally:
        for worker in workers:
            _stop(worker)
    final = [state.job(j.id) for j in jobs]
    assert all(job is not None and job.attempts == 1 for job in final)
    by_worker = {job.worker.rsplit(":", 1)[1] for job in final if job and job.worker}
    assert len(by_worker) == 2, "both workers rendered"
    assert len(_feed_guids(service.output)) == 12
    results = [json.loads(job.result or "{}") for job in final if job]
    assert len({r["episode"] for r in results}) == 12


# --- what a 202 promises, and the workers' CPU priority ----------------------------------------


def test_a_202_is_sent_only_once_the_job_is_on_disk_and_queued(
    tmp_path: Path, queue_env: dict[str, str], closing: list[Any]
) -> None:
    """A real `narrate serve`, SIGKILLed the moment it has answered a burst of publishes:
    every job it accepted is in the state database and has its task on the queue."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(**queue_env)
    config = write_service_config(tmp_path, base_url=base + "/")
    server = narrate_process("serve", str(config), "--port", str(port), env=env,
                             log=tmp_path / "serve.log")  # fmt: skip
    try:
        wait_until_serving(base)

        async def burst() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                return await publish_burst(client, [f"story-{number}" for number in range(20)])

        answers = asyncio.run(burst())
    finally:
        _stop(server, signal.SIGKILL)  # no shutdown: nothing written after the answers
    assert [answer.status_code for answer in answers] == [202] * 20
    accepted = {answer.json()["id"] for answer in answers}
    service = load_service(config, env=env)
    queue = service_queue(service)
    state = State(service.state_path)
    closing += [queue, state]
    assert {job.id for job in state.jobs("queued")} == accepted
    assert queue.waiting() == accepted


def test_a_worker_and_its_renders_run_at_a_lower_cpu_priority(
    tmp_path: Path, slow_engine: dict[str, str], closing: list[Any]
) -> None:
    """``service_worker_nice``: the consumer and the render process it forks run at it."""
    own = os.getpriority(os.PRIO_PROCESS, 0)
    wanted = max(own, 7)
    env = clean_env(
        **slow_engine,
        NARRATE_SERVICE_WORKER_NICE="7",
        NARRATE_CACHE_DIR=str(tmp_path / "segments"),
    )
    config = write_service_config(tmp_path)
    service = load_service(config, env=env)
    queue = service_queue(service)
    state = State(service.state_path)
    closing += [queue, state]
    submit(state, queue, parse(generic("ferry")))
    worker = narrate_process("worker", str(config), env=env, log=tmp_path / "worker.log")
    try:
        running = wait_for(lambda: state.jobs("running"), 120, "a render to start")[0]
        render = int(str(running.worker).rsplit(":", 1)[1])
        assert render != worker.pid, "rendered in a process of its own"
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == wanted
        assert os.getpriority(os.PRIO_PROCESS, render) == wanted
    finally:
        _stop(worker)
    assert f"at nice {wanted}" in (tmp_path / "worker.log").read_text()


def test_lowering_the_priority_never_raises_it() -> None:
    from narrate.service import lower_priority

    code = "from narrate.service import lower_priority as l; print(l(5), l(3), l(0))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), check=True
    )
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert result.stdout.split() == [str(max(own, 5))] * 3
    assert lower_priority(own) == own  # this process: unchanged


def test_the_worker_priority_must_be_a_nice_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"service_worker_nice.*0 to 19"):
        make_service(tmp_path, worker_nice=25)
    assert make_service(tmp_path).config.service_worker_nice == 10
