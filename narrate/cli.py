"""The command-line interface: parses, builds the Config, calls the library.

This is the one place where errors become messages and exit codes:
0 success, 2 usage or configuration, 3 input or extraction, 4 synthesis or encoding.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import signal
import sys
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from .config import Config, load_config, setting_help, shown_value
from .errors import NarrateError
from .feed_cli import feed_app
from .service_cli import register as register_service

app = typer.Typer(
    name="narrate",
    help="Turn a news article into a narrated, tagged MP3, fully offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state: dict[str, Any] = {"debug": False, "config_file": None}

SourceArg = Annotated[
    str, typer.Argument(help="A saved HTML file, '-' for stdin, or an http(s) URL.")
]
VoiceOpt = Annotated[
    str | None, typer.Option("--voice", "-v", help="Voice profile (see 'narrate voices').")
]


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"narrate: error: {message}", err=True)
    raise typer.Exit(code)


def _config(**overrides: Any) -> Config:
    return load_config(_state["config_file"], overrides=overrides)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where a Ctrl-C would be, so that work stops and cleans up the same way."""


def _on_sigterm(signum: int, frame: object) -> None:
    # A second SIGTERM must not break off the clean-up the first one started (_terminable
    # puts the previous handler back when the work has ended).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Terminated


@contextlib.contextmanager
def _terminable() -> Iterator[None]:
    """Inside: SIGTERM (a supervisor's stop, a timeout, ``docker stop``) ends the work as a
    Ctrl-C does, removing its temporary files and folders, instead of killing the process
    where it stands and leaving them behind."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield  # someone else handles it
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call into the library, turning its errors into one line on stderr and an exit code."""
    try:
        return function(*args, **kwargs)
    except NarrateError as exc:
        if _state["debug"]:
            raise
        _fail(str(exc), exc.exit_code)
    except _Terminated:
        _fail("terminated; nothing was written.", 128 + signal.SIGTERM)
    except KeyboardInterrupt:
        _fail("interrupted; nothing was written.", 130)
    except Exception as exc:  # a bug: say so plainly, with a way to see the traceback
        if _state["debug"]:
            raise
        _fail(f"unexpected {type(exc).__name__}: {exc} (rerun with --debug to see where).", 1)


@contextlib.contextmanager
def _collecting(enabled: bool) -> Iterator[_Collected]:
    """Inside, with ``enabled``: the warnings logged, kept for a JSON summary (they still go
    to stderr too)."""
    warned = _Collected()
    if not enabled:
        yield warned
        return
    root = logging.getLogger()
    root.addHandler(warned)
    try:
        yield warned
    finally:
        root.removeHandler(warned)


class _Collected(logging.Handler):
    """Keeps the warnings a command logs, for its JSON summary."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class _ConsoleHandler(logging.Handler):
    """Logs through a rich console, so messages appear above a live progress display."""

    def __init__(self, console: Any) -> None:
        super().__init__(logging.WARNING)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        self.console.print(f"narrate: warning: {record.getMessage()}", markup=False, soft_wrap=True)


_STDERR_HANDLER: list[logging.Handler] = []


@contextlib.contextmanager
def _warnings_above(console: Any) -> Iterator[None]:
    """While a live progress display runs, print warnings above it instead of through it."""
    handler = _ConsoleHandler(console)
    root = logging.getLogger()
    root.addHandler(handler)
    root.removeHandler(_stderr_handler())
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.addHandler(_stderr_handler())


def _stderr_handler() -> logging.Handler:
    if not _STDERR_HANDLER:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("narrate: warning: %(message)s"))
        _STDERR_HANDLER.append(handler)
    return _STDERR_HANDLER[0]


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if not slug:  # a title in another script: its own letters (else every one was article.mp3)
        slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", title).lower()).strip("-")
    return slug[:80].rstrip("-") or "article"


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"narrate {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    config_file: Annotated[
        Path | None, typer.Option("--config", "-c", help="A narrate.toml to read settings from.")
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_version
        ),
    ] = False,
) -> None:
    """narrate: news article → narrated MP3, offline."""
    _state["debug"] = debug
    _state["config_file"] = config_file
    # The library only logs; warnings (a skipped cover image, say) reach the user here.
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    if _stderr_handler() not in root.handlers:
        root.addHandler(_stderr_handler())
    # The extractors narrate consults log their own dead ends ("discarding data: None",
    # "empty HTML tree") as warnings: narrate's one-line error already says what went wrong.
    for name in ("trafilatura", "readability", "htmldate", "courlan", "justext"):
        logging.getLogger(name).setLevel(logging.CRITICAL if not debug else logging.DEBUG)


@app.command()
def article(
    source: SourceArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="MP3 to write (default: <title>.mp3).")
    ] = None,
    voice: VoiceOpt = None,
    intro: Annotated[
        Path | None, typer.Option("--intro", help="Audio file to play before the story.")
    ] = None,
    outro: Annotated[
        Path | None, typer.Option("--outro", help="Audio file to play at the very end.")
    ] = None,
    artwork: Annotated[
        Path | None,
        typer.Option("--artwork", help="Cover image used when the page has no lead image."),
    ] = None,
    no_disclosure: Annotated[
        bool,
        typer.Option("--no-disclosure", help="Leave out the spoken synthetic-voice sentence."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
) -> None:
    """Narrate one article into an MP3 with transcripts and chapters beside it."""
    from .pipeline import extract, render

    if quiet:
        logging.getLogger().setLevel(logging.ERROR)
    with _collecting(as_json) as warned:
        config = _run(
            _config,
            voice=voice,
            intro_audio=str(intro) if intro else None,
            outro_audio=str(outro) if outro else None,
            artwork=str(artwork) if artwork else None,
            disclosure="" if no_disclosure else None,
        )
        story = _run(extract, source, config)
        out = output or Path(_slug(story.title) + ".mp3")
        if out.is_dir():  # -o into a folder: the file named as without -o, inside it
            out = out / (_slug(story.title) + ".mp3")
        show_progress = not (quiet or as_json) and sys.stderr.isatty()
        if show_progress:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                transient=True,
                console=None,
            ) as bar:
                tasks: dict[str, Any] = {}

                def progress(stage: str, done: int, total: int) -> None:
                    if stage not in tasks:
                        tasks[stage] = bar.add_task(stage.capitalize(), total=total)
                    bar.update(tasks[stage], completed=done, total=total)

                with _warnings_above(bar.console), _terminable():
                    episode = _run(render, story, out, config, progress)
        else:
            with _terminable():
                episode = _run(render, story, out, config)
    if as_json:
        typer.echo(json.dumps({**asdict(episode), "warnings": warned.messages}, indent=2))
    elif not quiet:
        minutes, seconds = divmod(round(episode.duration_s), 60)
        typer.echo(
            f"Wrote {episode.mp3_path} ({minutes}:{seconds:02d}, {episode.segment_count} "
            f"segments, {len(episode.chapters)} chapters, voice {episode.voice})"
        )
        for path in episode.files[1:]:
            typer.echo(f"Wrote {path}")


@app.command()
def clean(
    source: SourceArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the article as JSON.")] = False,
    body: Annotated[
        bool, typer.Option("--body", help="Print only the body text, one block per line.")
    ] = False,
) -> None:
    """Print the article narrate extracts from a page."""
    from .pipeline import extract

    if as_json and body:
        _fail("--json and --body cannot be used together.", 2)
    story = _run(extract, source, _run(_config))
    if body:
        typer.echo(story.body_text())
    elif as_json:
        data = asdict(story)
        data["byline"] = story.byline
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        typer.echo(story.title)
        for line in (story.byline and f"By {story.byline}", story.published, story.site_name):
            if line:
                typer.echo(line)
        typer.echo("")
        for block in story.blocks:
            prefix = {"heading": "## ", "quote": "> ", "list_item": "- "}.get(block.kind, "")
            typer.echo(prefix + block.text)


@app.command()
def script(
    source: SourceArg,
    voice: VoiceOpt = None,
    plain: Annotated[
        bool, typer.Option("--plain", help="Only the spoken text, one segment per line.")
    ] = False,
    report: Annotated[
        bool,
        typer.Option(
            "--report",
            help="List every normalization made, the lexicon entries used and the names the "
            "lexicon does not cover, for an editor to review.",
        ),
    ] = False,
) -> None:
    """Print exactly what would be spoken, without synthesizing."""
    from .pipeline import extract, review
    from .pipeline import script as make_script

    config = _run(_config, voice=voice)
    article = _run(extract, source, config)
    if report:
        found = _run(review, article, config)
        typer.echo(f"Normalized ({len(found.normalizations)}):")
        for written, said, count in found.normalizations:
            typer.echo(f"  {written} → {said}" + (f"  (×{count})" if count > 1 else ""))
        typer.echo(f"Lexicon ({len(found.lexicon)}):")
        for written, said, count in found.lexicon:
            typer.echo(f"  {written} → {said}" + (f"  (×{count})" if count > 1 else ""))
        typer.echo(f"Not in the lexicon ({len(found.uncovered)}):")
        for word, count in found.uncovered:
            typer.echo(f"  {word}" + (f"  (×{count})" if count > 1 else ""))
        return
    spoken = _run(make_script, article, config)
    profile = spoken.profile
    assert profile is not None
    for seg in spoken.segments:
        if plain:
            typer.echo(seg.spoken)
        else:
            who = profile.quote.id if seg.quoted else profile.narrator.id
            typer.echo(f"[{who} +{seg.pause_after_s:.2f}s] {seg.spoken}")


@app.command()
def normalize(
    lang: Annotated[
        str, typer.Option("--lang", "-l", help="Language of the text: en, en-GB, uk, ru …")
    ] = "en",
) -> None:
    """Read text on stdin; write its spoken form, one output line per input line."""
    from .normalize import normalize_text

    for line in sys.stdin:
        typer.echo(normalize_text(line.rstrip("\n"), language=lang).text)


@app.command()
def voices(
    engine: Annotated[
        str | None, typer.Option("--engine", help="List this engine's own voices instead.")
    ] = None,
) -> None:
    """List voice profiles and the engines available."""
    from .engines import get_engine, list_engines
    from .voices import list_profiles

    config = _run(_config)
    if engine:
        instance = _run(get_engine, engine, config)
        lister = getattr(instance, "list_voices", None)
        if lister is None:
            _fail(f"engine '{engine}' cannot list its voices.", 2)
        for ident, name, language in _run(lister):
            typer.echo(f"{ident:<28} {language:<12} {name}")
        return
    engines = {info.name: info for info in _run(list_engines, config)}
    typer.echo("Voice profiles:")
    for profile in _run(list_profiles, config.voices_dir):
        info = engines.get(profile.engine)
        state = "installed" if info and info.available else "not installed"
        typer.echo(
            f"  {profile.name:<16} {profile.engine:<8} {profile.language:<7} {state:<14} "
            f"{profile.description}"
        )
        if profile.licence:
            typer.echo(f"  {'':<16} licence: {profile.licence}")
        if info and not info.available:
            typer.echo(f"  {'':<16} {info.reason}")
    typer.echo("Engines:")
    for info in engines.values():
        state = "available" if info.available else f"unavailable: {info.reason}"
        typer.echo(f"  {info.name:<8} {state}")


app.add_typer(feed_app, name="feed")
register_service(app)


@app.command("config")
def show_config() -> None:
    """Print every setting with its current value and what it does."""
    config = _run(_config)
    for name, (_default, text) in setting_help().items():
        value = shown_value(config, name)
        typer.echo(f"{name} = {value!r}\n    {text} (NARRATE_{name.upper()})")


def main() -> None:
    """Entry point for the ``narrate`` script."""
    from .allocator import keep_freed_memory

    keep_freed_memory()
    app()
