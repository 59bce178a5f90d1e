"""The public API: a pinned ``__all__`` and an import that loads no stage."""

from __future__ import annotations

import json
import subprocess
import sys

import narrate

PUBLIC = {
    "Article",
    "Block",
    "Chapter",
    "Clip",
    "Config",
    "ConfigError",
    "EncodingError",
    "Episode",
    "ExtractionError",
    "FetchError",
    "InputError",
    "NarrateError",
    "Page",
    "Programme",
    "Script",
    "Segment",
    "SegmentTiming",
    "SynthesisError",
    "WordMark",
    "WordTiming",
    "__version__",
    "extract",
    "fetch",
    "load_config",
    "render",
    "script",
}

HEAVY = (
    "trafilatura",
    "bs4",
    "lxml",
    "httpx",
    "pydub",
    "mutagen",
    "pyttsx3",
    "typer",
    "rich",
    "narrate.clean",
    "narrate.encode",
    "narrate.engines",
    "narrate.fetch",
    "huey",
    "feedparser",
    "feedgen",
    "narrate.feed",
    "narrate.queue",
    "narrate.publish",
    "narrate.state",
    "fastapi",
    "starlette",
    "uvicorn",
    "pydantic",
    "redis",
    "narrate.server",
    "narrate.service",
    "narrate.auth",
    "narrate.payloads",
)


def test_all_is_pinned() -> None:
    assert set(narrate.__all__) == PUBLIC
    for name in narrate.__all__:
        assert getattr(narrate, name) is not None


def test_public_functions_are_documented() -> None:
    for name in ("extract", "fetch", "load_config", "render", "script"):
        assert getattr(narrate, name).__doc__


def test_import_narrate_loads_no_heavy_stage() -> None:
    code = "import json, sys, narrate; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.check_output([sys.executable, "-c", code])))
    assert not [m for m in HEAVY if m in loaded]


def test_errors_form_a_tree_with_exit_codes_and_statuses() -> None:
    assert issubclass(narrate.FetchError, narrate.InputError)
    assert issubclass(narrate.ExtractionError, narrate.InputError)
    assert narrate.InputError.exit_code == 3 and narrate.ExtractionError.exit_code == 3
    assert narrate.SynthesisError.exit_code == 4 and narrate.EncodingError.exit_code == 4
    assert narrate.ConfigError.exit_code == 2
    assert narrate.ExtractionError.http_status == 422
    assert narrate.InputError.http_status == 400


def test_the_cli_loads_no_queue_or_feed_parser_until_a_feed_is_built() -> None:
    code = "import json, sys, narrate.cli; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.check_output([sys.executable, "-c", code])))
    assert not {"huey", "feedparser", "narrate.feed", "narrate.queue"} & loaded
    assert not {"fastapi", "starlette", "uvicorn", "redis", "narrate.server"} & loaded
    assert not {"narrate.service"} & loaded
    help_text = subprocess.check_output([sys.executable, "-m", "narrate", "--help"], text=True)
    assert "feed" in help_text and "serve" in help_text and "worker" in help_text


def test_a_command_loads_no_validation_library() -> None:
    # typer 0.29 ran every parameter through pydantic: 0.11 s more for every narrate command.
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from narrate.cli import app\n"
        "result = CliRunner().invoke(app, ['normalize'], input='On 3 May.\\n')\n"
        "assert result.exit_code == 0, result.output\n"
        "print(result.output.strip(), 'pydantic' in sys.modules)\n"
    )
    shown = subprocess.check_output([sys.executable, "-c", code], text=True).strip()
    assert shown == "On the third of May. False"
