"""The render queue: how it is chosen, and a failed render retried before it is reported."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE
from huey.exceptions import TaskException

import narrate
from narrate.config import Config
from narrate.errors import ConfigError, EncodingError
from narrate.queue import QUEUE_FILE, RETRIES, get_queue


def _wait(queue: Any, result: Any, timeout_s: float = 20) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        queue.run_due_retries()
        value = result.get()
        if value is not None:
            return value
        time.sleep(0.05)
    raise AssertionError("no result")


def test_sqlite_queue_lives_in_the_data_folder(tmp_path: Path) -> None:
    queue = get_queue(tmp_path / "data")
    assert not queue.immediate
    assert (tmp_path / "data" / QUEUE_FILE).is_file()
    # No fsync per task (NORMAL, not huey's FULL): a task lost to a power cut is queued again
    # by the service's reaper, from the job the state database keeps.
    assert queue.huey.storage.conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    queue.huey.storage.close()


def test_several_tasks_are_queued_in_one_write_and_taken_in_order(tmp_path: Path) -> None:
    storage = get_queue(tmp_path / "data").huey.storage
    try:
        storage.enqueue_many([b"first", b"second", b"third"])
        assert [bytes(storage.dequeue()) for _ in range(3)] == [b"first", b"second", b"third"]
        assert storage.dequeue() is None
    finally:
        storage.close()


def test_redis_needs_a_redis_url_and_says_how_to_get_the_client(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"redis://host:port/db"):
        get_queue(tmp_path, "amqp://broker")
    try:
        import redis  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"pip install 'narrate\[redis\]'"):
            get_queue(tmp_path, "redis://127.0.0.1:6379/0")


def test_a_failing_render_is_retried_then_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_render = narrate.pipeline.render

    def flaky(article: Any, out_path: Any, config: Any) -> Any:
        calls.append(str(out_path))
        if len(calls) <= RETRIES:
            raise EncodingError("ffmpeg hiccup")
        return real_render(article, out_path, config)

    monkeypatch.setattr(narrate.pipeline, "render", flaky)
    queue = get_queue(None, immediate=True)
    article = narrate.extract(str(EXAMPLE), Config())
    out = tmp_path / "a.mp3"
    value = _wait(queue, queue.render(article, str(out), Config(voice="silent")))
    assert len(calls) == RETRIES + 1
    assert value["mp3_bytes"] == out.stat().st_size
    assert value["duration_s"] > 10


def test_a_render_that_keeps_failing_is_reported_with_its_message(tmp_path: Path) -> None:
    queue = get_queue(None, immediate=True)
    article = narrate.extract(str(EXAMPLE), Config())
    broken = Config(voice="silent", ffmpeg=str(tmp_path / "no-ffmpeg"))
    result = queue.render(article, str(tmp_path / "a.mp3"), broken)
    with pytest.raises(TaskException) as caught:
        _wait(queue, result)
    assert caught.value.metadata["error"] == (
        f"NARRATE_FFMPEG points at {tmp_path / 'no-ffmpeg'}, which does not exist."
    )
    assert list(tmp_path.iterdir()) == []


def test_a_render_failing_for_a_reason_no_retry_can_help_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def misconfigured(article: Any, out_path: Any, config: Any) -> Any:
        calls.append(str(out_path))
        raise ConfigError("Unknown engine 'nope'.")

    monkeypatch.setattr(narrate.pipeline, "render", misconfigured)
    queue = get_queue(None, immediate=True)
    article = narrate.extract(str(EXAMPLE), Config())
    with pytest.raises(TaskException) as caught:
        _wait(queue, queue.render(article, str(tmp_path / "a.mp3"), Config(voice="silent")))
    assert caught.value.metadata["error"] == "Unknown engine 'nope'."
    assert len(calls) == 1
