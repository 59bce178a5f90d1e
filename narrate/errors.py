"""Errors narrate raises, each with the exit code and HTTP status it maps to.

The tree::

    NarrateError                    exit 1, HTTP 500
    ├── ConfigError                 exit 2, HTTP 500  (a setting or voice profile is wrong)
    ├── InputError                  exit 3, HTTP 400  (the source cannot be read)
    │   ├── FetchError              exit 3, HTTP 502  (the URL did not give us a page)
    │   └── ExtractionError         exit 3, HTTP 422  (the page holds no article)
    ├── QueueError                  exit 6, HTTP 503  (the render queue does not answer)
    ├── SynthesisError              exit 4, HTTP 500  (the speech engine failed)
    └── EncodingError               exit 4, HTTP 500  (ffmpeg or tagging failed)

Messages are one line and say what to do next; third-party exceptions are chained
(``raise ExtractionError(...) from exc``) so ``--debug`` still shows the cause.
"""

from __future__ import annotations


class NarrateError(Exception):
    """Base class: anything narrate reports to a user."""

    exit_code: int = 1
    http_status: int = 500


class ConfigError(NarrateError):
    """A setting, voice profile or lexicon is invalid or missing."""

    exit_code = 2


class InputError(NarrateError):
    """The source (file, stdin, URL) cannot be read as an HTML page."""

    exit_code = 3
    http_status = 400


class FetchError(InputError):
    """An http(s) URL could not be fetched: status, timeout, size or content type."""

    http_status = 502


class ExtractionError(InputError):
    """The page was read but holds no article body to narrate."""

    http_status = 422


class QueueError(NarrateError):
    """The render queue (Redis) cannot be reached: not running, or the URL is wrong."""

    exit_code = 6
    http_status = 503


class SynthesisError(NarrateError):
    """The speech engine is unavailable or failed to produce audio."""

    exit_code = 4


class EncodingError(NarrateError):
    """ffmpeg could not encode the MP3, or the tags could not be written."""

    exit_code = 4


__all__ = [
    "ConfigError",
    "EncodingError",
    "ExtractionError",
    "FetchError",
    "InputError",
    "NarrateError",
    "QueueError",
    "SynthesisError",
]
