"""``narrate feed``: build and update a podcast from a feed config.

Only typer is imported at the top: huey, feedparser and the pipeline are imported inside the
command, so ``narrate --help`` stays instant.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

feed_app = typer.Typer(
    help="Publish a podcast: narrate a site's articles into a feed and a page to listen on.",
    no_args_is_help=True,
)

PARTIAL_EXIT = 5
"""Exit status when some articles failed and every other one was published."""


@feed_app.command("build")
def build_command(
    config_file: Annotated[
        Path, typer.Argument(metavar="CONFIG", help="The feed config (a narrate.toml).")
    ],
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=0,
            help="Render processes to run while building; 0 renders in this process.",
        ),
    ] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report.")] = False,
) -> None:
    """Render new and changed articles, then write feed.xml and index.html."""
    from .cli import _fail, _run, _state, _terminable, _warnings_above
    from .feed import build, load_feed_config

    if _state["config_file"] is not None:
        _fail("give the feed config as the argument, not with --config.", 2)
    # huey logs every failed attempt with a traceback; the report says what failed, once.
    logging.getLogger("huey").setLevel(logging.CRITICAL)
    if quiet or as_json:
        logging.getLogger().setLevel(logging.ERROR)
    config = _run(load_feed_config, config_file)
    queue_url = config.render.queue or None
    show_progress = not (quiet or as_json) and sys.stderr.isatty()
    if show_progress:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("Articles"),
            BarColumn(),
            TextColumn(
                "{task.fields[done]} done · {task.fields[failed]} failed · "
                "{task.fields[remaining]} remaining"
            ),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task("articles", total=None, done=0, failed=0, remaining="?")

            def progress(done: int, failed: int, total: int) -> None:
                remaining = total - done - failed
                bar.update(
                    task,
                    total=total,
                    completed=done + failed,
                    done=done,
                    failed=failed,
                    remaining=remaining,
                )

            with _warnings_above(bar.console), _terminable():
                report = _run(build, config, workers, queue_url, progress)
    else:
        with _terminable():
            report = _run(build, config, workers, queue_url)
    _print(report, config.output, quiet, as_json)
    if not report.ok:
        raise typer.Exit(PARTIAL_EXIT)


def _print(report: Any, output: Path, quiet: bool, as_json: bool) -> None:
    if as_json:
        data = asdict(report)
        data["ok"] = report.ok
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for failure in report.failed:
        typer.echo(f"narrate: failed: {failure.source}: {failure.error}", err=True)
    if quiet:
        return
    typer.echo(
        f"{report.episodes} episodes in {report.feed}: {len(report.new)} new, "
        f"{len(report.changed)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.failed)} failed"
    )
    if report.removed_files:
        typer.echo(f"Removed {len(report.removed_files)} files no episode uses from {output}")
    typer.echo(f"Listen: {report.page}")
