"""Load the service: N concurrent signed publishes to a real `narrate serve` on loopback.

Usage::

    .venv/bin/python bench/service.py                        # 200 articles, 2 workers, SQLite
    .venv/bin/python bench/service.py --queue redis://127.0.0.1:6379/0
    .venv/bin/python bench/service.py --articles 50 --concurrency 25 --voice en-us
    .venv/bin/python bench/service.py --no-sync              # service_sync = false

It starts, in a temporary folder, ``narrate serve`` and ``--workers`` separate ``narrate
worker`` processes (one render process each, as two machines would run them), then sends
``--articles`` distinct articles (the example pages, retitled) as signed generic payloads, each
on a connection of its own, all started at once (at most ``--concurrency`` in flight). It
reports the acceptance latency of every request (from opening its connection to the end of the
202), the service's and the client's CPU per publish and the load average, waits (bounded by
``--timeout``) until every job has ended, and checks that none was lost or done twice: every
job ``done`` after one attempt, one episode and one MP3 per article, and ``feed.xml`` listing
them all.
Everything runs on 127.0.0.1 and stops by itself; the exit status is 1 if a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from narrate.auth import sign_headers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PAGES = sorted((EXAMPLES / "feed").glob("*.html"))
SECRET = "bench-secret"


def _config(root: Path, port: int, voice: str, sync: bool = True) -> Path:
    loudness = "normalize_loudness = false\n" if voice == "silent" else ""
    text = f"""[podcast]
title = "Bench"
description = "Load test of the narrate service."
author = "narrate"
email = "bench@narrate.invalid"
language = "en"
category = "News"
artwork = "{EXAMPLES / "cover.png"}"
base_url = "http://127.0.0.1:{port}/"
output = "data"

[render]
voice = "{voice}"
{loudness}artwork_from_page = false
artwork = "{EXAMPLES / "cover.png"}"

[service]
secret = "{SECRET}"
sync = {"true" if sync else "false"}
"""
    path = root / "service.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _payload(number: int) -> bytes:
    page = PAGES[number % len(PAGES)].read_text(encoding="utf-8")
    title = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    html = page.replace(title, f"{title}, part {number + 1}")  # headline, <title>, og:title
    body = {"html": html, "url": f"https://bench.example/news/{number + 1}", "id": f"b{number}"}
    return json.dumps(body).encode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "narrate", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            env=env,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def _post(port: int, request: bytes) -> tuple[float, float, int, str]:
    """Send one prepared request on a connection of its own (as a CMS's webhook does).

    The time runs from opening the connection to the last byte of the answer. A bare asyncio
    stream, not an HTTP client library: httpx spent about 5 ms of CPU per request here, more
    than the service, on the same two cores, and counted its own queueing as the service's.
    """
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        status_line = await reader.readline()
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        elapsed = time.perf_counter() - started
    finally:
        writer.close()
    status = int(status_line.split()[1]) if status_line else 0
    job = json.loads(body).get("id", "") if 200 <= status < 300 else ""
    timing = headers.get("server-timing", "dur=nan").rpartition("dur=")[2]
    return elapsed, float(timing), status, str(job)


def _request(port: int, body: bytes) -> bytes:
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "close",
        **sign_headers(SECRET, body),
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST /v1/articles HTTP/1.1\r\n{head}\r\n".encode() + body


async def _publish(port: int, count: int, concurrency: int) -> list[tuple[float, float, int, str]]:
    """Send ``count`` signed publishes; (latency s, server ms, status, job id) for each.

    Every request is signed and laid out in advance, so that sending one costs the client
    next to nothing; then all are started at once (at most ``concurrency`` in flight).
    """
    requests = [_request(port, _payload(n)) for n in range(count)]
    gate = asyncio.Semaphore(concurrency)

    async def one(request: bytes) -> tuple[float, float, int, str]:
        async with gate:  # the latency counts from here: this request's turn to be sent
            return await _post(port, request)

    return await asyncio.gather(*(one(request) for request in requests))


def _run(coroutine: Any) -> Any:
    try:
        import uvloop  # with narrate[server]: the client's own loop costs less
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _cpu_s(pid: int) -> float:
    """User and system CPU seconds a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _quantile(values: list[float], q: float) -> float:
    """The nearest-rank quantile: the smallest value with at least q of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    """Run the load test; print a table; 0 if every check passed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="narrate worker processes")
    parser.add_argument("--queue", default="", help="redis://host:port/db (default: SQLite)")
    parser.add_argument("--voice", default="silent")
    parser.add_argument(
        "--no-sync", action="store_true", help="service_sync = false: no sync before a 202"
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds for all jobs")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="narrate-bench-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    config = _config(root, port, args.voice, sync=not args.no_sync)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NARRATE_")}
    # A cold segment cache of its own: every run renders every article, as the first time.
    env["NARRATE_CACHE_DIR"] = str(root / "segments")
    if args.queue:
        # Tasks another run left there are harmless: their jobs are not in this state database.
        env["NARRATE_QUEUE"] = args.queue
    processes = [_start(["serve", str(config), "--port", str(port)], env, root / "serve.log")]
    failures: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"narrate serve did not start; see {root / 'serve.log'}")
            time.sleep(0.1)
        logs = [root / f"worker-{number + 1}.log" for number in range(args.workers)]
        for log in logs:
            processes.append(_start(["worker", str(config)], env, log))
        # A running service: the workers up and idle before the burst, as in production.
        deadline = time.monotonic() + 60
        while not all(log.is_file() and " ready: " in log.read_text() for log in logs):
            if time.monotonic() > deadline:
                raise SystemExit(f"the workers did not start; see {root}")
            time.sleep(0.1)

        load_before = os.getloadavg()[0]
        started = time.monotonic()
        cpu_before = _cpu_s(processes[0].pid)
        client_cpu = time.process_time()
        answers = _run(_publish(port, args.articles, args.concurrency))
        client_cpu = time.process_time() - client_cpu
        sent_s = time.monotonic() - started
        # What the service itself spent, whatever else the machine was doing meanwhile.
        cpu_ms = (_cpu_s(processes[0].pid) - cpu_before) * 1000 / args.articles
        latencies = [latency * 1000 for latency, _, _, _ in answers]
        server = [spent for _, spent, _, _ in answers]
        accepted = [job for _, _, status, job in answers if status == 202 and job]
        if len(accepted) != args.articles:
            statuses = sorted({status for _, _, status, _ in answers})
            failures.append(f"{len(accepted)} of {args.articles} accepted (statuses {statuses})")
        if len(set(accepted)) != len(accepted):
            failures.append("two publishes were given one job")

        state = root / "data" / ".narrate" / "state.sqlite3"
        deadline = time.monotonic() + args.timeout
        counts: dict[str, int] = {}
        while time.monotonic() < deadline:
            db = sqlite3.connect(state, timeout=30)
            try:
                counts = dict(db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status"))
            finally:
                db.close()
            if counts.get("done", 0) + counts.get("failed", 0) >= len(accepted):
                break
            time.sleep(0.25)
        done_s = time.monotonic() - started
        load_after = os.getloadavg()[0]

        db = sqlite3.connect(state, timeout=30)
        try:
            jobs = db.execute("SELECT id, status, attempts FROM jobs").fetchall()
            episodes = db.execute("SELECT COUNT(*), COUNT(DISTINCT media_stem) FROM episodes")
            episode_count, stems = episodes.fetchone()
        finally:
            db.close()
        statuses = {status for _, status, _ in jobs}
        if statuses != {"done"}:
            failures.append(f"job statuses at the end: {counts}")
        if {job for job, _, _ in jobs} != set(accepted):
            failures.append("the jobs recorded are not the jobs accepted")
        if any(attempts != 1 for _, _, attempts in jobs):
            failures.append("some job was rendered more than once")
        if not (episode_count == stems == args.articles):
            failures.append(f"{episode_count} episodes with {stems} audio files")
        mp3s = len(list((root / "data" / "episodes").glob("*.mp3")))
        feed = etree.parse(str(root / "data" / "feed.xml"))
        guids = [item.findtext("guid") for item in feed.iterfind("channel/item")]
        if not (mp3s == len(guids) == len(set(guids)) == args.articles):
            failures.append(f"{mp3s} MP3s, {len(guids)} feed items ({len(set(guids))} unique)")
    finally:
        for process in reversed(processes):
            _stop(process)

    queue = args.queue or "SQLite"
    rows = [
        ("requests", f"{args.articles} ({args.concurrency} in flight at most)"),
        ("accepted (202)", f"{len(accepted)}"),
        ("acceptance p50", f"{statistics.median(latencies):.1f} ms"),
        ("acceptance p99", f"{_quantile(latencies, 0.99):.1f} ms"),
        ("acceptance max", f"{max(latencies):.1f} ms"),
        (
            "handler p50 / p99",
            f"{statistics.median(server):.2f} / {_quantile(server, 0.99):.2f} ms",
        ),
        ("service CPU per publish", f"{cpu_ms:.2f} ms"),
        ("client CPU per publish", f"{client_cpu * 1000 / args.articles:.2f} ms"),
        ("all answered in", f"{sent_s:.2f} s"),
        ("all jobs done in", f"{done_s:.1f} s ({args.workers} workers, {queue}, {args.voice})"),
        ("sync before a 202", "no (service_sync = false)" if args.no_sync else "yes"),
        ("episodes / feed items", f"{episode_count} / {len(guids)}"),
        ("load average (1 min)", f"{load_before:.2f} before, {load_after:.2f} after"),
        ("checks", "passed" if not failures else "FAILED: " + "; ".join(failures)),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if args.keep:
        print(f"kept {root}")
    else:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
