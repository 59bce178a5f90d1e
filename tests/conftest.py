"""Shared fixtures: a clean environment, the example page, and one real eSpeak NG render."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from narrate.audio import pydub_audio_segment

pydub_audio_segment()  # import pydub once, quietly, pointed at narrate's ffmpeg

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = FIXTURES / "kyiv-independent.html"

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
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No NARRATE_* setting from the developer's shell may change a test's outcome."""
    for name in list(os.environ):
        if name.startswith("NARRATE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the example page, for tests that write beside their input."""
    target = tmp_path / "story.html"
    shutil.copy(EXAMPLE, target)
    return target


@dataclass(frozen=True)
class Rendered:
    """The example narrated once with the real eSpeak NG engine."""

    mp3: Path
    transcript: Path
    assembled_s: float
    timings: tuple[tuple[float, float], ...]
    episode_duration_s: float


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rendered]:
    """Render the example with the default voice (eSpeak NG) once per test session."""
    from narrate.assemble import assemble
    from narrate.config import Config
    from narrate.engines import get_engine
    from narrate.pipeline import extract, render, script
    from narrate.synthesize import synthesize
    from narrate.voices import find_profile

    config = Config()
    out = tmp_path_factory.mktemp("render") / "kyiv.mp3"
    article = extract(str(EXAMPLE), config)
    episode = render(article, out, config)
    # The same programme assembled again, to compare the MP3 against the timing record.
    spoken = script(article, config)
    profile = find_profile(config.voice)
    segments = list(spoken.segments)
    programme = assemble(segments, synthesize(segments, profile, get_engine("espeak", config)))
    yield Rendered(
        mp3=out,
        transcript=Path(episode.transcript_path),
        assembled_s=programme.duration_s,
        timings=tuple((t.start_s, t.end_s) for t in programme.timings),
        episode_duration_s=episode.duration_s,
    )
