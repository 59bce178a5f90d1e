"""narrate: turn a news article into a narrated, tagged MP3, fully offline.

The pipeline, one module per stage::

    fetch → clean → segment → normalize → synthesize → assemble → encode

Typical use::

    import narrate
    episode = narrate.render("https://example.com/story", "story.mp3")
    print(episode.duration_s)

    article = narrate.extract("page.html", narrate.Config())
    print(article.title, article.body_text())

Importing this package loads no stage: each stage is imported when first used.
"""

from __future__ import annotations

from .config import Config, load_config
from .errors import (
    ConfigError,
    EncodingError,
    ExtractionError,
    FetchError,
    InputError,
    NarrateError,
    SynthesisError,
)
from .model import (
    Article,
    Block,
    Chapter,
    Clip,
    Episode,
    Page,
    Programme,
    Segment,
    SegmentTiming,
    WordMark,
    WordTiming,
)
from .pipeline import Script, extract, fetch, render, script

__version__ = "0.1.0"

__all__ = [
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
]
