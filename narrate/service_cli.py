"""``narrate serve`` and ``narrate worker``: the CMS publish hook's two processes.

Only typer is imported at the top: FastAPI, uvicorn and huey are imported inside the commands,
so ``narrate --help`` stays instant and a machine without the ``server`` extra can still run
everything else.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

ConfigArg = Annotated[
    Path,
    typer.Argument(
        metavar="CONFIG",
        help="The service config: a narrate.toml with \\[podcast] (and \\[render], \\[service]).",
    ),
]

_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _logging() -> None:
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):  # the CLI's warning-only handler: services log more
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    root.addHandler(handler)
    logging.getLogger("huey").setLevel(logging.WARNING)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    config_file: ConfigArg,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=0,
            help="Also run a worker with this many render processes (0: run 'narrate worker' "
            "yourself).",
        ),
    ] = 0,
    insecure_local: Annotated[
        bool,
        typer.Option(
            "--insecure-local",
            help="Accept unauthenticated writes; only on a loopback address, for trying it out.",
        ),
    ] = False,
) -> None:
    """Run the HTTP service: CMS publish hooks in, podcast files out."""
    from .cli import _fail, _run
    from .service import load_service

    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        _fail("narrate serve needs the server extra: pip install 'narrate[server]'.", 2)
    service = _run(load_service, config_file)
    config = service.config
    if not (config.service_secret or config.service_token):
        if not insecure_local:
            _fail(
                "no service_secret or service_token is set (NARRATE_SERVICE_SECRET, "
                "NARRATE_SERVICE_TOKEN); refusing to accept unauthenticated writes. For a trial "
                "on this machine only: --host 127.0.0.1 --insecure-local.",
                2,
            )
        if not _loopback(host):
            _fail(f"--insecure-local only listens on a loopback address, not {host}.", 2)
    elif insecure_local:
        _fail("--insecure-local is for a service without a secret; this one has one.", 2)
    _logging()
    from .queue import check_queue
    from .server import create_app
    from .service import service_queue

    queue = _run(service_queue, service)
    _run(check_queue, queue.huey, service.queue_url)  # one line and exit 6, not a 503 later
    app = _run(create_app, service, queue, insecure_local)
    worker = None
    if workers:
        command = [sys.executable, "-m", "narrate", "worker", str(config_file), "-w", str(workers)]
        command += ["--parent", str(os.getpid())]
        # A process group of its own: a Ctrl-C in the terminal reaches this process only, which
        # passes it on once (a second SIGINT would cut the worker's renders short).
        worker = subprocess.Popen(command, stdin=subprocess.DEVNULL, process_group=0)
    # uvicorn stops gracefully on SIGINT and SIGTERM alike, then raises the signal again with
    # the handler it found. Python's default for SIGTERM ends the process right there, before
    # the worker is stopped: it was left running under init, and a supervisor's restart then
    # ran two. SIGINT's handler for SIGTERM too: whenever it comes, it stops all as SIGINT does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        # No access log: a line per request costs more than accepting the request does (the
        # service logs what it does with each job instead).
        uvicorn.run(
            app, host=host, port=port, log_level="info", server_header=False, access_log=False
        )
    except KeyboardInterrupt:  # SIGINT or SIGTERM, raised again by uvicorn once it stopped
        pass
    finally:
        if worker is not None:
            _stop_worker(worker, config.service_stop_grace_s)
    # Exit 0: the stop that was asked for has happened. systemd and supervisord count 0 as a
    # clean stop; 143 is "failed" to systemd unless a unit lists it in SuccessExitStatus.


def _stop_worker(worker: subprocess.Popen[bytes], grace_s: float) -> None:
    """Stop ``narrate serve``'s worker as the server was stopped: gracefully, renders in
    progress finishing; interrupted (its jobs handed back to the queue) after ``grace_s``
    (the ``service_stop_grace_s`` setting) or on a second SIGINT or SIGTERM; killed if even
    that hangs."""
    worker.send_signal(signal.SIGINT)  # huey's graceful stop
    try:
        worker.wait(timeout=grace_s)
        return
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        logging.getLogger(__name__).warning("interrupting the worker's renders")
    with contextlib.suppress(ProcessLookupError):
        # SIGTERM, not a second SIGINT: huey reads a SIGINT that comes before it has taken up
        # the first as the first, and went on waiting for the render (seen with a grace of 0).
        worker.send_signal(signal.SIGTERM)  # stop now, jobs handed back
    try:
        worker.wait(timeout=15)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)  # the worker's group: it and its renders
        worker.wait()


def worker(
    config_file: ConfigArg,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Render processes to run.")
    ] = 1,
    parent: Annotated[
        int | None,
        typer.Option("--parent", hidden=True, help="Stop (as on SIGTERM) when this process ends."),
    ] = None,
) -> None:
    """Run render workers for the service (huey): SQLite in the data folder, or Redis."""
    from .cli import _run
    from .config import shown_url
    from .service import load_service, run_worker

    service = _run(load_service, config_file)
    _logging()
    where = shown_url(service.queue_url) if service.queue_url else str(service.data_dir)
    logging.getLogger(__name__).info(
        "worker %d: %d render process(es), queue %s", os.getpid(), workers, where
    )
    _run(run_worker, service, workers, parent=parent)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``worker`` to the ``narrate`` command."""
    app.command("serve")(serve)
    app.command("worker")(worker)
