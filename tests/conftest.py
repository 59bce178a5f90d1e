"""Shared fixtures: a clean environment, the example page, and one real eSpeak NG render."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from narrate.audio import pydub_audio_segment
from narrate.model import Episode

pydub_audio_segment()  # import pydub once, quietly, pointed at narrate's ffmpeg

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).parent.parent / "examples"
EXAMPLE = Path(__file__).parent.parent / "examples" / "kyiv-independent.html"

# The ten body paragraphs of the example, in order, as a reader sees them.
EXAMPLE_PARAGRAPHS = (
    "The meeting between Russian President Vladimir Putin and U.S. President Donald Trump",
    "Peskov's statement comes as the Trump administration",
    "Trump's team has pressured Kyiv to make concessions",
    '"Such a meeting is clearly on the radar',
    '"It requires the continuation of contacts between Moscow and Washington',
    "Peskov added that Putin's schedule for mid-May",
    "Trump has reportedly grown frustrated with the slow progression",
    "Trump has also reportedly been wavering over his commitment",
    "Despite recent disagreements, Ukraine and the U.S. signed a minerals agreement",
    "The deal was negotiated over several months",
)

# What the page shows around the article and a listener must never hear.
EXAMPLE_FORBIDDEN = (
    "This audio is created with AI assistance",
    "Yuri Kadobnov",
    "Skip to content",
    "pre-order",
    "A minerals deal won",
    "Andrew Chakhoyan",
    "Most popular",
    "Subscribe",
    "indicates required",
    "Newsletters",
    "Editors' Picks",
    "Author:",
    "Copy link",
    "Successfuly subscribed",
    "2 min read",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, _private_cache: Path) -> None:
    """No NARRATE_* setting from the developer's shell may change a test's outcome."""
    for name in list(os.environ):
        if name.startswith("NARRATE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(_private_cache))


@pytest.fixture(scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The segment cache of this test session, never the developer's own."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the example page, for tests that write beside their input."""
    target = tmp_path / "story.html"
    shutil.copy(EXAMPLE, target)
    return target


@dataclass(frozen=True)
class Rendered:
    """The example narrated once with the real eSpeak NG engine, and what it wrote."""

    mp3: Path
    transcript: Path
    timing: dict[str, Any]
    duration_s: float
    episode: Episode


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Render the example with the default voice (eSpeak NG) once per test session."""
    from narrate.config import Config
    from narrate.pipeline import render

    out = tmp_path_factory.mktemp("render") / "kyiv.mp3"
    config = Config(artwork=str(FIXTURES / "cover.png"), artwork_from_page=False)
    episode = render(str(EXAMPLE), out, config)
    timing = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    return Rendered(
        mp3=out,
        transcript=Path(episode.transcript_path),
        timing=timing,
        duration_s=episode.duration_s,
        episode=episode,
    )


def make_feed_project(root: Path, voice: str = "silent") -> Path:
    """Copy the example podcast (examples/narrate.toml, its pages and cover) into ``root``.

    The copy writes to ``root/public``; with the silent voice and no loudness pass its renders
    take a fraction of a second.
    """
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(EXAMPLES / "feed", root / "feed")
    shutil.copy(EXAMPLES / "cover.png", root / "cover.png")
    text = (EXAMPLES / "narrate.toml").read_text(encoding="utf-8")
    text = text.replace('output = "../out/podcast"', 'output = "public"')
    text = text.replace('voice = "en-us"', f'voice = "{voice}"')
    if voice == "silent":
        text = text.replace("[render]\n", "[render]\nnormalize_loudness = false\n")
    assert 'output = "public"' in text and f'voice = "{voice}"' in text
    config = root / "narrate.toml"
    config.write_text(text, encoding="utf-8")
    return config


@pytest.fixture
def feed_project(tmp_path: Path) -> Path:
    """A private copy of the example podcast with the silent voice; returns its narrate.toml."""
    return make_feed_project(tmp_path / "site")
