"""What the service's tests share: a service project, an in-process worker, a signed client."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from conftest import EXAMPLES

from narrate.auth import sign_headers
from narrate.service import Service, ServiceQueue, load_service

SECRET = "test-secret-not-for-production"
TOKEN = "test-token-not-for-production"
BASE_URL = "http://testserver/"
PAGES = {
    "ferry": EXAMPLES / "feed" / "harbour-ferry.html",
    "library": EXAMPLES / "feed" / "library-hours.html",
    "river": EXAMPLES / "feed" / "river-cleanup.html",
}


def write_service_config(root: Path, base_url: str = BASE_URL, **service: Any) -> Path:
    """A service config in ``root`` (silent voice: a render takes a fraction of a second)."""
    root.mkdir(parents=True, exist_ok=True)
    settings = {"secret": SECRET, "token": TOKEN, "lease_s": 30.0, **service}
    lines = [
        "[podcast]",
        'title = "The Harbour Ledger, read aloud"',
        'description = "Local news, narrated."',
        'author = "The Harbour Ledger"',
        'email = "podcast@ledger.example.com"',
        'language = "en"',
        'category = "News"',
        f'artwork = "{EXAMPLES / "cover.png"}"',
        f'base_url = "{base_url}"',
        'output = "data"',
        "",
        "[render]",
        'voice = "silent"',
        "normalize_loudness = false",
        "artwork_from_page = false",
        f'artwork = "{EXAMPLES / "cover.png"}"',
        "",
        "[service]",
        *(f"{key} = {json.dumps(value)}" for key, value in settings.items()),
    ]
    path = root / "service.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_service(root: Path, env: Mapping[str, str] | None = None, **service: Any) -> Service:
    """A service in ``root`` with the test secrets (``env`` as NARRATE_* variables)."""
    return load_service(write_service_config(root, **service), env=dict(env or {}))


def generic(name: str, **extra: Any) -> dict[str, Any]:
    """A generic payload carrying one of the example pages inline."""
    html = PAGES[name].read_text(encoding="utf-8")
    return {"html": html, "url": f"https://ledger.example.com/news/{name}", "id": name, **extra}


def drain(queue: ServiceQueue, timeout_s: float = 60) -> int:
    """Run every task on the queue in this process, retries included (at once); the count."""
    huey = queue.huey
    ran = 0
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        task = huey.dequeue()
        if task is None:
            due = huey.read_schedule(datetime.now() + timedelta(days=1))
            if not due:
                return ran
            for item in due:
                item.eta = None  # due now: a test does not wait for the retry delay
                huey.enqueue(item)
            continue
        huey.execute(task)
        ran += 1
    raise AssertionError("the queue did not drain")


def request(
    app: Any,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """One request to the ASGI app in this process (httpx.ASGITransport)."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, path, content=body, headers=dict(headers or {}))

    return asyncio.run(send())


def signed(payload: Any, now: float | None = None) -> tuple[bytes, dict[str, str]]:
    """A JSON body and the headers that sign it with the test secret."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **sign_headers(SECRET, body, now=now)}
    return body, headers


async def publish_burst(client: httpx.AsyncClient, ids: list[str]) -> list[httpx.Response]:
    """The ferry story published under each of ``ids``, signed, all requests sent at once."""
    sends = []
    for story in ids:
        body, headers = signed(generic("ferry", id=story))
        sends.append(client.post("/v1/articles", content=body, headers=headers))
    return list(await asyncio.gather(*sends))


def publish(app: Any, payload: Any) -> httpx.Response:
    """POST /v1/articles, signed."""
    body, headers = signed(payload)
    return request(app, "POST", "/v1/articles", body, headers)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a narrate subprocess: no NARRATE_* from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NARRATE_")}
    return {**env, **extra}


def narrate_process(
    *args: str, env: Mapping[str, str], log: Path, new_session: bool = True
) -> subprocess.Popen[bytes]:
    """Start ``python -m narrate ARGS`` with its output in ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "narrate", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            env=dict(env),
            start_new_session=new_session,
        )


def wait_for(condition: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_until_serving(base: str, timeout_s: float = 30) -> None:
    def up() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, timeout_s, f"{base} to answer")
