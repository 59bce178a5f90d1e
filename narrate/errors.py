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

Configuration and input errors are permanent (``transient`` False: trying again cannot help),
except a FetchError that says otherwise (a timeout, a 5xx); the others may pass. Messages are
one line and say what to do next; third-party exceptions are chained
(``raise ExtractionError(...) from exc``) so ``--debug`` still shows the cause.
"""

from __future__ import annotations


class NarrateError(Exception):
    """Base class: anything narrate reports to a user.

    ``transient`` says whether the same work may succeed if tried again later (a server's
    5xx, a timeout): the service retries a render only then. A page with no article, or an
    address narrate may not fetch, fails the job at once.
    """

    exit_code: int = 1
    http_status: int = 500
    transient: bool = True


class ConfigError(NarrateError):
    """A setting, voice profile or lexicon is invalid or missing."""

    exit_code = 2
    transient = False


class InputError(NarrateError):
    """The source (file, stdin, URL) cannot be read as an HTML page."""

    exit_code = 3
    http_status = 400
    transient = False


class FetchError(InputError):
    """An http(s) URL could not be fetched: status, timeout, size or content type.

    ``transient=True`` when trying again later may get the page: a timeout, a dropped
    connection, a 5xx, 408 or 429; not a 404, a refused address or a page that is too large.
    """

    http_status = 502

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


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
