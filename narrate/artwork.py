"""Cover art for the MP3: the article's lead image, else the configured artwork.

Podcast directories want a square JPEG or PNG between 1400 and 3000 pixels a side, so the image
is centre-cropped to a square and scaled into that range with Pillow. A missing, unreachable or
corrupt image is skipped with a warning: artwork never fails a render.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConfigError

if TYPE_CHECKING:
    from .fetch import FetchSettings

log = logging.getLogger(__name__)

MIN_SIDE = 1400
MAX_SIDE = 3000
_MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class Artwork:
    """A square cover image, encoded, with its MIME type and side length in pixels."""

    data: bytes
    mime: str
    side: int


def _download(url: str, settings: FetchSettings) -> bytes:
    from .fetch import open_url

    # open_url checks every hop: a page's lead image must not reach an internal address
    # when private addresses are refused (the service).
    with open_url(url, settings) as (_final, response):
        response.raise_for_status()
        kind = response.headers.get("content-type", "image/")
        if not kind.startswith("image/"):
            raise ValueError(f"not an image ({kind})")
        data = bytearray()
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > _MAX_BYTES:
                raise ValueError("image larger than 20 MB")
        return bytes(data)


def _square(data: bytes) -> Artwork:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as probe:
        probe.verify()  # catches truncated and corrupt files before decoding them
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        side = min(image.size)
        left = (image.width - side) // 2
        top = (image.height - side) // 2
        square = image.crop((left, top, left + side, top + side))
        target = max(MIN_SIDE, min(MAX_SIDE, side))
        if target != side:
            square = square.resize((target, target), Image.Resampling.LANCZOS)
        if square.mode in ("RGBA", "LA", "P"):
            rgba = square.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            square = flat
        elif square.mode != "RGB":
            square = square.convert("RGB")
        out = io.BytesIO()
        square.save(out, format="JPEG", quality=90, optimize=True)
    return Artwork(out.getvalue(), "image/jpeg", target)


def _reason(exc: Exception) -> str:
    from PIL import UnidentifiedImageError

    if isinstance(exc, UnidentifiedImageError):  # its message names a BytesIO at an address
        return "not an image narrate can read; use a JPEG or PNG"
    text = str(exc).strip() or type(exc).__name__
    return text.split("] ", 1)[-1]  # "[Errno -2] Name or service not known" → the words


def check_cover(path: str) -> None:
    """Raise :class:`ConfigError` unless ``path`` (a configured cover) is an image file.

    A page's image may fail (it is remote: a warning, and the configured cover is used); the
    configured cover is the user's own setting, checked before any work like the intro's.
    """
    from PIL import Image

    try:
        with Image.open(path) as image:  # the header and a structure check: a millisecond
            image.verify()
    except Exception as exc:
        raise ConfigError(f"The artwork file {path} cannot be used: {_reason(exc)}.") from exc


def load_artwork(
    lead_image: str | None,
    fallback: str = "",
    timeout_s: float = 10.0,
    fetch_settings: FetchSettings | None = None,
    warn: Callable[[str], None] | None = None,
) -> Artwork | None:
    """Cover art from ``lead_image`` (URL or path), else ``fallback`` (path); ``None`` if neither.

    ``fetch_settings`` (default: ``timeout_s``, private addresses allowed) govern a URL. A
    source that fails is reported to ``warn`` (default: this module's log) and the next tried.

    >>> load_artwork(None) is None
    True
    """
    from .fetch import FetchSettings

    say = warn or log.warning
    failed = ""
    for source in (lead_image, fallback):
        if not source:
            continue
        try:
            if source.startswith(("http://", "https://")):
                data = _download(source, fetch_settings or FetchSettings(timeout_s=timeout_s))
            else:
                data = Path(source).read_bytes()
            artwork = _square(data)
        except Exception as exc:  # any failure here only costs the cover, never the render
            if failed:
                say(failed)
            failed = f"no cover art from {source} ({_reason(exc)})"
            continue
        if failed:  # the page's image failed, the configured cover did not: say both
            say(f"{failed}; using {source}")
        return artwork
    if failed:
        say(failed)
    return None
