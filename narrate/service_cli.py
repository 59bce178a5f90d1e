"""``narrate serve`` and ``narrate worker``: the CMS publish hook's two processes.

Only typer is imported at the top: FastAPI, uvicorn and huey are imported inside the commands,
so ``narrate --help`` stays instant and a machine without the ``server`` extra can still run
everything else.
"""

from __future__ import annotations

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
    from .server import create_app

    app = _run(create_app, service, None, insecure_local)
    worker = None
    if workers:
        command = [sys.executable, "-m", "narrate", "worker", str(config_file), "-w", str(workers)]
        worker = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    try:
        # No access log: a line per request costs more than accepting the request does (the
        # service logs what it does with each job instead).
        uvicorn.run(
            app, host=host, port=port, log_level="info", server_header=False, access_log=False
        )
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGINT)  # let renders in progress finish
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()


def worker(
    config_file: ConfigArg,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Render processes to run.")
    ] = 1,
) -> None:
    """Run render workers for the service (huey): SQLite in the data folder, or Redis."""
    from .cli import _run
    from .service import load_service, run_worker

    service = _run(load_service, config_file)
    _logging()
    where = service.queue_url or str(service.data_dir)
    logging.getLogger(__name__).info(
        "worker %d: %d render process(es), queue %s", os.getpid(), workers, where
    )
    _run(run_worker, service, workers)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``worker`` to the ``narrate`` command."""
    app.command("serve")(serve)
    app.command("worker")(worker)
