"""Stage 1: read the source the user gave into a decoded HTML :class:`~narrate.model.Page`.

A source is a path to a saved page, ``-`` for standard input, or an http(s) URL. Bytes from
any of them go through the same checks (empty, binary) and the same charset decoding; only
URLs have an HTTP ``Content-Type`` header to say which charset to try first.

Every failure is an :class:`~narrate.errors.InputError` (or its subclass
:class:`~narrate.errors.FetchError` for network trouble) with a one-line message that says
what to do next.

A URL that comes from someone else (the HTTP service's payloads) is fetched with
``FetchSettings(allow_private=False)``: the host name is resolved, every address is checked
against the loopback, private, link-local (cloud metadata), shared and reserved ranges, and the
connection goes to the address that was checked, so a second DNS answer cannot swap it for an
internal one (DNS rebinding). Redirects are followed here, one hop at a time, and every hop is
checked the same way. :func:`check_url` is the same check for other outgoing requests.
"""

from __future__ import annotations

import codecs
import contextlib
import ipaddress
import logging
import re
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from narrate.errors import FetchError, InputError
from narrate.model import Page

if TYPE_CHECKING:
    import httpx

__all__ = ["FetchSettings", "Target", "check_url", "fetch", "open_url", "post"]

# UnicodeDammit logs a warning to stderr (via logging's last-resort handler) when it falls
# back to replacement characters; we turn that case into an InputError, so the log line would
# only be noise in the CLI's output. A NullHandler still lets configured root handlers see it.
logging.getLogger("bs4.dammit").addHandler(logging.NullHandler())

_SOURCE_FORMS = "Give a path to a saved HTML page, '-' for stdin, or an http(s) URL."
_STDIN_LABEL = "Standard input (-)"

# Browsers send this shape; some sites answer a bare "*/*" with a JSON API or an app shell.
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
_ALLOWED_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})

# Only "scheme://" (or a well-known scheme) counts as a URL, so that a file whose name
# merely contains a colon is still read as a file.
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):(//)?")
_URL_ONLY_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp", "file", "data", "mailto"})

_BINARY_SNIFF_BYTES = 8192
_MAGIC_NUMBERS = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"%PDF-",
    b"PK\x03\x04",  # zip, and so docx, epub, odt
    b"PK\x05\x06",  # empty zip
    b"\x1f\x8b",  # gzip: a compressed saved page still has to be unpacked first
    b"7z\xbc\xaf\x27\x1c",
    b"\x7fELF",
)
# UTF-16 and UTF-32 text is full of NUL bytes, so a page that announces itself with one of
# these byte order marks is exempt from the NUL test.
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)


@dataclass(frozen=True)
class FetchSettings:
    """Limits for reading a source. ``timeout_s`` applies to connecting and to each read.

    ``allow_private=False`` refuses URLs (and redirects) that resolve to a non-public address
    unless the host is in ``allow_hosts`` (host names, addresses or CIDR ranges such as
    ``"cms.internal"`` or ``"10.1.0.0/16"``). ``max_time_s`` bounds the whole fetch, redirects
    and a slowly dripping body included (0: no bound beyond the per-read timeout).
    """

    timeout_s: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    user_agent: str = "narrate/0.1 (+offline article narration)"
    allow_private: bool = True
    allow_hosts: tuple[str, ...] = ()
    max_time_s: float = 0.0


@dataclass(frozen=True)
class Target:
    """Where a checked URL is fetched from: the URL, and the address to connect to.

    ``address`` is ``None`` when addresses are not checked (``allow_private``) or the host is
    allow-listed; the connection then resolves the name itself.
    """

    url: str
    host: str
    address: str | None


# Ranges that are global by the registries' tables but carry an IPv4 address inside: the
# embedded address is what the packet reaches, so that is what gets checked.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for any address that is not plainly public: loopback, private, link-local
    (169.254.169.254, the cloud metadata service), shared (100.64/10), multicast, reserved."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return _forbidden(inner)
    return not ip.is_global or ip.is_multicast


def _allowed(
    host: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None, allow: tuple[str, ...]
) -> bool:
    for entry in allow:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == host.lower():
            return True
        if ip is not None:
            try:
                if ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue  # a host name, compared above
    return False


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            f"Could not resolve {_show(host)}: {_one_line(str(exc))}. Check the address.",
            transient=getattr(exc, "errno", None) == socket.EAI_AGAIN,  # the resolver's "later"
        ) from exc
    addresses = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        ip = ipaddress.ip_address(text)
        if ip not in addresses:
            addresses.append(ip)
    return addresses


def check_url(url: str, settings: FetchSettings) -> Target:
    """Check that ``url`` is http(s) and, unless private addresses are allowed, public.

    Returns the address to connect to; raises :class:`InputError` for a URL that is not
    http(s) and :class:`FetchError` for one that resolves to a forbidden address.

    >>> check_url("http://127.0.0.1/", FetchSettings(allow_private=False))
    Traceback (most recent call last):
    ...
    narrate.errors.FetchError: http://127.0.0.1/ resolves to 127.0.0.1, a loopback address; ...
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(f"{_show(url)} is not an http(s) URL.")
    host = parts.hostname
    if not host:
        raise InputError(
            f"{_show(url)} is not a valid URL: it has no host name. Give a full address such as "
            "https://example.com/article."
        )
    if settings.allow_private:
        return Target(url, host, None)
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise InputError(f"{_show(url)} is not a valid URL: {exc}.") from exc
    try:
        literal: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if _allowed(host, literal, settings.allow_hosts):
        return Target(url, host, None)
    addresses = [literal] if literal is not None else _resolve(host, port)
    for ip in addresses:
        if _forbidden(ip) and not _allowed(host, ip, settings.allow_hosts):
            raise FetchError(
                f"{_show(url)} resolves to {ip}, {_kind(ip)}; narrate fetches only public "
                "addresses here (allow the host with fetch_allow_hosts)."
            )
    if not addresses:
        raise FetchError(f"Could not resolve {_show(host)}. Check the address.")
    # Every answer was checked; the connection goes to the first, never to a fresh lookup.
    return Target(url, host, str(addresses[0]))


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_ipv4(ip)) is not None:
        return f"which carries {inner}, {_kind(inner)}"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address (such as the cloud metadata service)"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast:
        return "a multicast address"
    return "not a public address"


def fetch(source: str, settings: FetchSettings | None = None) -> Page:
    """Read ``source`` (a path, ``-`` for stdin, or an http(s) URL) and decode it to a Page.

    Raises :class:`InputError` when the source cannot be read as an HTML page and
    :class:`FetchError` when a URL does not deliver one.
    """
    settings = settings or FetchSettings()
    if source == "-":
        html, encoding = _decode(_read_stdin(), _STDIN_LABEL, None)
        return Page(html=html, source=source, encoding=encoding)

    match = _SCHEME_RE.match(source)
    if match:
        scheme = match.group(1).lower()
        if scheme in ("http", "https"):
            return _fetch_url(source, settings)
        if match.group(2) or scheme in _URL_ONLY_SCHEMES:
            raise InputError(
                f"Unsupported source {_show(source)}: only http:// and https:// URLs can be "
                f"fetched. {_SOURCE_FORMS}"
            )

    html, encoding = _decode(_read_file(source), _show(source), None)
    return Page(html=html, source=source, encoding=encoding)


def _read_file(source: str) -> bytes:
    shown = _show(source)
    try:
        return Path(source).read_bytes()
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise InputError(f"No such file: {shown}. {_SOURCE_FORMS}") from exc
    except IsADirectoryError as exc:
        raise InputError(
            f"{shown} is a directory, not a file. Give the path of the saved HTML page "
            "inside it, '-' for stdin, or an http(s) URL."
        ) from exc
    except PermissionError as exc:
        raise InputError(
            f"Cannot read {shown}: permission denied. Check the file's permissions."
        ) from exc
    except OSError as exc:
        raise InputError(f"Cannot read {shown}: {_one_line(exc.strerror or str(exc))}.") from exc


def _read_stdin() -> bytes:
    # Some embedding hosts replace sys.stdin with a text-only stream (or None).
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError(
            f"{_STDIN_LABEL} cannot be read as bytes here. Give a path to a saved HTML page "
            "or an http(s) URL instead."
        )
    try:
        data: bytes = stream.read()
    except OSError as exc:
        raise InputError(
            f"Cannot read {_STDIN_LABEL}: {_one_line(exc.strerror or str(exc))}."
        ) from exc
    return data


def _fetch_url(url: str, settings: FetchSettings) -> Page:
    # Imported here rather than at module level: importing httpx costs ~100 ms, and file and
    # stdin sources (and `import narrate`) should not pay for it.
    import httpx

    shown = _show(url)
    if not urlsplit(url).hostname:
        raise InputError(
            f"{shown} is not a valid URL: it has no host name. Give a full address such as "
            "https://example.com/article."
        )

    timeout_text = f"{settings.timeout_s:g} s"
    deadline = time.monotonic() + settings.max_time_s if settings.max_time_s > 0 else None
    try:
        with open_url(url, settings, {"Accept": _ACCEPT}) as (final_url, response):
            where = shown if final_url == url else f"{shown} (redirected to {_show(final_url)})"
            media_type = _check_response(response, where, settings.max_bytes)
            body = _read_body(response, where, settings.max_bytes, deadline)
            charset = response.charset_encoding
    except httpx.TimeoutException as exc:
        raise FetchError(
            f"{shown} did not answer within {timeout_text}. Check the address and your "
            "connection, or try again later.",
            transient=True,
        ) from exc
    except httpx.DecodingError as exc:
        raise FetchError(
            f"{shown} sent a body that could not be decompressed. Try again later, or save "
            "the page from a browser and give the saved file instead.",
            transient=True,
        ) from exc
    except httpx.HTTPError as exc:
        # Connection refused, DNS failure, TLS failure, a dropped connection, and the like.
        reason = _one_line(str(exc)) or type(exc).__name__
        raise FetchError(
            f"Could not fetch {shown}: {reason}. Check the address and your network connection.",
            transient=True,
        ) from exc

    html, encoding = _decode(body, where, charset)
    return Page(
        html=html,
        source=url,
        url=final_url,
        content_type=media_type or "text/html",
        encoding=encoding,
    )


@contextlib.contextmanager
def open_url(
    url: str, settings: FetchSettings, headers: dict[str, str] | None = None
) -> Iterator[tuple[str, httpx.Response]]:
    """GET ``url``, following redirects one checked hop at a time; yield (final URL, response).

    Every hop goes through :func:`check_url`, so with ``allow_private=False`` no redirect can
    lead to an internal address. httpx errors are left to the caller; a forbidden hop, a
    non-http(s) redirect or too many redirects raise :class:`FetchError`.
    """
    import httpx

    shown = _show(url)
    with httpx.Client(
        follow_redirects=False,  # followed below, so that every hop is checked
        timeout=httpx.Timeout(settings.timeout_s),
        headers={"User-Agent": settings.user_agent, **(headers or {})},
        # A proxy would resolve the name itself, undoing the address check.
        trust_env=settings.allow_private,
    ) as client:
        current = url
        for _hop in range(settings.max_redirects + 1):
            try:
                target = check_url(current, settings)
            except InputError as exc:
                if current == url:
                    raise
                raise FetchError(
                    f"{shown} redirected to {_show(current)}, which narrate may not fetch: {exc}"
                ) from exc
            with contextlib.closing(client.send(_request(client, target), stream=True)) as response:
                location = response.headers.get("location")
                if not (response.is_redirect and location):
                    yield current, response
                    return
            current = urljoin(current, location.strip())
            if urlsplit(current).scheme.lower() not in ("http", "https"):
                raise FetchError(
                    f"{shown} redirected to an address that is not http(s). Open it in a "
                    "browser, save the page and give the saved file instead."
                )
        raise FetchError(
            f"{shown} redirected more than {settings.max_redirects} times. Open it in a "
            "browser, save the page and give the saved file instead."
        )


def post(url: str, body: bytes, headers: dict[str, str], settings: FetchSettings) -> int:
    """POST ``body`` to ``url`` (checked like a fetch, redirects not followed); the status.

    For the service's callbacks. httpx errors are raised as :class:`FetchError`.
    """
    import httpx

    target = check_url(url, settings)
    try:
        with httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(settings.timeout_s),
            headers={"User-Agent": settings.user_agent},
            trust_env=settings.allow_private,
        ) as client:
            response = client.send(_request(client, target, "POST", body, headers))
            return response.status_code
    except httpx.HTTPError as exc:
        reason = _one_line(str(exc)) or type(exc).__name__
        raise FetchError(f"Could not POST to {_show(url)}: {reason}.", transient=True) from exc


def _request(
    client: httpx.Client,
    target: Target,
    method: str = "GET",
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Request:
    """A request to ``target``: to its checked address when it has one.

    The URL's host becomes the address; the Host header and the TLS server name (SNI, and so
    the certificate check) stay the host name, as a browser would send them.
    """
    import httpx

    if target.address is None:
        return client.build_request(method, target.url, content=content, headers=headers)
    original = httpx.URL(target.url)
    pinned = original.copy_with(host=target.address)
    host_header = original.netloc.decode("ascii").rpartition("@")[2]
    return client.build_request(
        method,
        pinned,
        content=content,
        headers={**(headers or {}), "Host": host_header},
        extensions={"sni_hostname": target.host},
    )


def _check_response(response: httpx.Response, where: str, max_bytes: int) -> str:
    """Refuse an error status, a non-HTML type or a declared oversize body; return the type."""
    if not response.is_success:
        hint = (
            "The server failed; try again later."
            if response.status_code >= 500
            else "Check the address, or save the page from a browser and give the saved file."
        )
        reason = _one_line(response.reason_phrase)
        raise FetchError(
            f"{where} answered {response.status_code} {reason}. {hint}",
            transient=response.status_code >= 500 or response.status_code in (408, 429),
        )

    content_type: str = response.headers.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type and media_type not in _ALLOWED_TYPES:
        raise FetchError(
            f"{where} is {_one_line(media_type)}, not an HTML page. Give the address of the "
            "article's web page."
        )

    declared: str = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise FetchError(_too_big(where, max_bytes))
    return media_type


def _read_body(
    response: httpx.Response, where: str, max_bytes: int, deadline: float | None = None
) -> bytes:
    # Content-Length may be absent or wrong (and counts compressed bytes), so the limit is
    # also enforced on the decompressed stream; that is what guards against gzip bombs.
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchError(_too_big(where, max_bytes))
        # The per-read timeout alone lets a server drip one byte a second for ever.
        if deadline is not None and time.monotonic() > deadline:
            raise FetchError(
                f"{where} took longer than the time limit to send the page. Try again later.",
                transient=True,
            )
    return bytes(body)


def _too_big(where: str, max_bytes: int) -> str:
    return (
        f"{where} is larger than the {max_bytes:,}-byte limit. Save the page from a browser "
        "and give the saved file, or raise the size limit."
    )


def _decode(data: bytes, label: str, header_charset: str | None) -> tuple[str, str]:
    """Decode page bytes, returning the text and the name of the encoding used.

    The HTTP header charset wins, then a BOM, then ``<meta charset>`` / ``<meta http-equiv>``,
    then detection; UnicodeDammit implements that order.
    """
    if not data.strip():
        raise InputError(f"{label} is empty. {_SOURCE_FORMS}")
    if _looks_binary(data):
        raise InputError(f"{label} is not an HTML page (it looks like binary data).")

    # Imported here for the same reason as httpx: bs4 costs ~100 ms to import.
    from bs4.dammit import UnicodeDammit

    dammit = UnicodeDammit(
        data,
        known_definite_encodings=[header_charset] if header_charset else [],
        is_html=True,
    )
    text = dammit.unicode_markup
    if text is None or dammit.contains_replacement_characters:
        raise InputError(f"{label} is not an HTML page (it looks like binary data).")
    encoding = dammit.original_encoding or "utf-8"

    # The HTML standard decodes the labels "iso-8859-1" and "latin1" as windows-1252, and
    # pages so labelled often hold its curly quotes and dashes in 0x80-0x9F, which Latin-1
    # would turn into invisible control characters.
    if _codec_name(encoding) == "iso8859-1" and re.search(rb"[\x80-\x9f]", dammit.markup):
        try:
            text = dammit.markup.decode("windows-1252")
            encoding = "windows-1252"
        except UnicodeDecodeError:
            pass
    return text, encoding


def _looks_binary(data: bytes) -> bool:
    if data.startswith(_MAGIC_NUMBERS):
        return True
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return True
    head = data[:_BINARY_SNIFF_BYTES]
    return b"\x00" in head and not head.startswith(_WIDE_BOMS)


def _codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _show(source: str) -> str:
    """The source as it can appear inside a one-line message."""
    return source if source.isprintable() else repr(source)
