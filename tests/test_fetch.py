"""Tests for stage 1, narrate.fetch: files, stdin and http(s) URLs against a local server."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import threading
import types
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from narrate.errors import FetchError, InputError
from narrate.fetch import FetchSettings, check_url, fetch
from narrate.model import Page

REPO = Path(__file__).resolve().parents[1]

ARTICLE_HTML = "<html><head><title>Café</title></head><body><p>Naïve résumé</p></body></html>"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + b"\x00" * 64
LATIN1_BODY = "<html><body><p>Café “quoted” – fine</p></body></html>".encode("windows-1252")
CYRILLIC_BODY = (
    '<html><head><meta charset="windows-1251"><title>Новости</title></head>'
    "<body><p>Привет, мир! Съешь же ещё этих мягких французских булок.</p></body></html>"
).encode("windows-1251")
BIG_SIZE = 20_000

Reply = tuple[int, dict[str, str], bytes]


def _assert_message(exc: BaseException, *fragments: str) -> str:
    """The message is one line and names what it is about."""
    message = str(exc)
    assert message
    assert "\n" not in message and "\r" not in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# --- local HTTP server -------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.release = threading.Event()  # set at teardown so /slow stops waiting


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        # The client hanging up first (timeout, size limit) is what those tests expect.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route()

    def _route(self) -> None:
        path = self.path
        if path.startswith("/hop/"):
            remaining = int(path.removeprefix("/hop/"))
            target = f"/hop/{remaining - 1}" if remaining > 1 else "/article"
            self._send(302, {"Location": target}, b"")
        elif path == "/slow":
            self.server.release.wait(5)
            self._send(200, {"Content-Type": "text/html"}, b"<p>late</p>")
        elif path == "/stream-big":
            # No Content-Length: HTTP/1.0 ends the body by closing, so only the streamed
            # count can notice the size.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(BIG_SIZE // 1000):
                self.wfile.write(b"<p>" + b"x" * 993 + b"</p>")
        elif path == "/declared-big":
            # Claims far more than it sends: only the Content-Length check can name the limit.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "50000000")
            self.end_headers()
            self.wfile.write(b"<p>short</p>")
        elif path.startswith("/redirect?to="):
            self._send(302, {"Location": unquote(path.partition("=")[2])}, b"")
        elif path == "/host":
            self._send(200, {"Content-Type": "text/plain"}, self.headers.get("Host", "").encode())
        elif path == "/user-agent":
            agent = self.headers.get("User-Agent", "")
            self._send(200, {"Content-Type": "text/plain"}, agent.encode())
        elif path in _ROUTES:
            self._send(*_ROUTES[path]())
        else:
            self._send(404, {"Content-Type": "text/html"}, b"<p>nothing here</p>")

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


_ROUTES: dict[str, Callable[[], Reply]] = {
    "/article": lambda: (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        ARTICLE_HTML.encode("utf-8"),
    ),
    "/broken": lambda: (500, {"Content-Type": "text/html"}, b"<p>oops</p>"),
    "/pdf": lambda: (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n"),
    "/latin1": lambda: (200, {"Content-Type": "text/html; charset=ISO-8859-1"}, LATIN1_BODY),
    "/latin1-plain": lambda: (
        200,
        {"Content-Type": "text/html; charset=iso-8859-1"},
        "<p>Crème brûlée</p>".encode("latin-1"),
    ),
    "/cyrillic": lambda: (200, {"Content-Type": "text/html"}, CYRILLIC_BODY),
    # The header must beat <meta>: these UTF-8 bytes read as windows-1251 give mojibake.
    "/header-wins": lambda: (
        200,
        {"Content-Type": "text/html; charset=windows-1251"},
        '<meta charset="utf-8"><p>Привет</p>'.encode(),
    ),
    "/empty": lambda: (200, {"Content-Type": "text/html"}, b""),
    "/png-as-html": lambda: (200, {"Content-Type": "text/html"}, PNG_BYTES),
    "/no-type": lambda: (200, {}, b"<p>untyped</p>"),
    "/plain": lambda: (200, {"Content-Type": "text/plain; charset=utf-8"}, b"just text"),
    "/xhtml": lambda: (200, {"Content-Type": "application/xhtml+xml"}, b"<p>x</p>"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# --- http(s) -----------------------------------------------------------------------------


def test_url_html_page(server: str) -> None:
    url = f"{server}/article"
    page = fetch(url)
    assert page == Page(
        html=ARTICLE_HTML, source=url, url=url, content_type="text/html", encoding="utf-8"
    )


def test_url_sends_user_agent(server: str) -> None:
    page = fetch(f"{server}/user-agent", FetchSettings(user_agent="narrate-test/9"))
    assert page.html == "narrate-test/9"
    assert page.content_type == "text/plain"


@pytest.mark.parametrize(
    ("path", "media_type"), [("/no-type", "text/html"), ("/xhtml", "application/xhtml+xml")]
)
def test_url_accepted_content_types(server: str, path: str, media_type: str) -> None:
    assert fetch(f"{server}{path}").content_type == media_type


@pytest.mark.parametrize(
    ("path", "status"), [("/missing", "404 Not Found"), ("/broken", "500 Internal Server Error")]
)
def test_url_error_status(server: str, path: str, status: str) -> None:
    url = f"{server}{path}"
    with pytest.raises(FetchError) as info:
        fetch(url)
    _assert_message(info.value, url, f"answered {status}.")


def test_url_one_redirect_gives_final_url(server: str) -> None:
    url = f"{server}/hop/1"
    page = fetch(url)
    assert page.source == url
    assert page.url == f"{server}/article"
    assert page.html == ARTICLE_HTML


def test_url_redirects_up_to_the_limit(server: str) -> None:
    assert fetch(f"{server}/hop/5").url == f"{server}/article"


def test_url_too_many_redirects(server: str) -> None:
    url = f"{server}/hop/6"
    with pytest.raises(FetchError) as info:
        fetch(url)
    _assert_message(info.value, url, "more than 5")


def test_url_redirect_limit_is_a_setting(server: str) -> None:
    with pytest.raises(FetchError):
        fetch(f"{server}/hop/2", FetchSettings(max_redirects=1))


def test_url_timeout(server: str) -> None:
    url = f"{server}/slow"
    with pytest.raises(FetchError) as info:
        fetch(url, FetchSettings(timeout_s=0.3))
    _assert_message(info.value, url, "did not answer within 0.3 s")
    assert info.value.__cause__ is not None


def test_url_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/article"
    with pytest.raises(FetchError) as info:
        fetch(url, FetchSettings(timeout_s=2))
    _assert_message(info.value, url)
    assert info.value.__cause__ is not None


def test_url_pdf_content_type(server: str) -> None:
    url = f"{server}/pdf"
    with pytest.raises(FetchError) as info:
        fetch(url)
    _assert_message(info.value, url, "application/pdf")


@pytest.mark.parametrize("path", ["/declared-big", "/stream-big"])
def test_url_larger_than_max_bytes(server: str, path: str) -> None:
    url = f"{server}{path}"
    with pytest.raises(FetchError) as info:
        fetch(url, FetchSettings(max_bytes=1000))
    _assert_message(info.value, url, "1,000-byte limit")


def test_url_exactly_max_bytes_is_allowed(server: str) -> None:
    page = fetch(f"{server}/article", FetchSettings(max_bytes=len(ARTICLE_HTML.encode())))
    assert page.html == ARTICLE_HTML


def test_url_empty_body(server: str) -> None:
    url = f"{server}/empty"
    with pytest.raises(InputError) as info:
        fetch(url)
    _assert_message(info.value, url, "is empty")


def test_url_binary_body(server: str) -> None:
    url = f"{server}/png-as-html"
    with pytest.raises(InputError) as info:
        fetch(url)
    _assert_message(info.value, url, "looks like binary data")


def test_url_header_charset_latin1(server: str) -> None:
    page = fetch(f"{server}/latin1-plain")
    assert page.html == "<p>Crème brûlée</p>"
    assert page.encoding == "iso-8859-1"


def test_url_latin1_label_decodes_windows_1252_quotes(server: str) -> None:
    page = fetch(f"{server}/latin1")
    assert "Café “quoted” – fine" in page.html
    assert page.encoding == "windows-1252"


def test_url_meta_charset_windows_1251(server: str) -> None:
    page = fetch(f"{server}/cyrillic")
    assert "Привет, мир! Съешь же ещё" in page.html
    assert page.encoding == "windows-1251"


def test_url_header_charset_beats_meta(server: str) -> None:
    page = fetch(f"{server}/header-wins")
    assert page.encoding == "windows-1251"
    assert "Привет" not in page.html


@pytest.mark.parametrize("source", ["ftp://example.com/a.html", "file:///etc/hostname"])
def test_unsupported_url_scheme(source: str) -> None:
    with pytest.raises(InputError) as info:
        fetch(source)
    assert not isinstance(info.value, FetchError)
    _assert_message(info.value, source, "only http:// and https://")


def test_url_without_host() -> None:
    with pytest.raises(InputError) as info:
        fetch("https:///article")
    assert not isinstance(info.value, FetchError)
    _assert_message(info.value, "https:///article", "no host name")


# --- files -------------------------------------------------------------------------------


def test_file_utf8(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")
    page = fetch(str(path))
    assert page == Page(html=ARTICLE_HTML, source=str(path), url=None, encoding="utf-8")
    assert page.content_type == "text/html"


def test_file_meta_charset(tmp_path: Path) -> None:
    path = tmp_path / "news.html"
    path.write_bytes(CYRILLIC_BODY)
    page = fetch(str(path))
    assert "Съешь же ещё" in page.html
    assert page.encoding == "windows-1251"


def test_file_utf16_with_bom_is_not_binary(tmp_path: Path) -> None:
    path = tmp_path / "wide.html"
    path.write_bytes(ARTICLE_HTML.encode("utf-16"))
    assert fetch(str(path)).html == ARTICLE_HTML


def test_file_with_colon_in_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes:draft.html").write_text("<p>ok</p>", encoding="utf-8")
    assert fetch("notes:draft.html").html == "<p>ok</p>"


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.html")
    with pytest.raises(InputError) as info:
        fetch(path)
    message = _assert_message(info.value, path)
    assert message.startswith(f"No such file: {path}. Give a path to a saved HTML page")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        fetch(str(tmp_path))
    _assert_message(info.value, str(tmp_path), "directory")


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.html"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        fetch(str(path))
    _assert_message(info.value, str(path), "is empty")


@pytest.mark.parametrize(
    "content",
    [
        PNG_BYTES,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n",  # magic number, no NULs
        b"<html><body>\x00\x00</body></html>",  # NULs, no magic number
    ],
    ids=["png", "pdf", "nul"],
)
def test_binary_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "image.html"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        fetch(str(path))
    assert str(info.value) == f"{path} is not an HTML page (it looks like binary data)."


def test_source_with_newline_stays_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        fetch(str(tmp_path / "two\nlines.html"))
    _assert_message(info.value, "two\\nlines.html")


# --- stdin -------------------------------------------------------------------------------


def _fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_stdin(monkeypatch, CYRILLIC_BODY)
    page = fetch("-")
    assert page.source == "-"
    assert page.url is None
    assert "Привет" in page.html
    assert page.encoding == "windows-1251"


def test_stdin_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_stdin(monkeypatch, b"")
    with pytest.raises(InputError) as info:
        fetch("-")
    _assert_message(info.value, "Standard input", "is empty")


def test_stdin_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_stdin(monkeypatch, PNG_BYTES)
    with pytest.raises(InputError) as info:
        fetch("-")
    _assert_message(info.value, "Standard input", "binary")


# --- import cost -------------------------------------------------------------------------


def test_import_does_not_load_httpx_or_bs4() -> None:
    code = (
        "import sys, narrate.fetch\n"
        "heavy = sorted(m for m in ('httpx', 'bs4') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# --- private addresses refused (SSRF), as the service fetches --------------------------------

GUARDED = FetchSettings(allow_private=False, timeout_s=2)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.8.9.10:8080/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "http://100.100.100.200/",  # shared address space (another cloud's metadata)
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00:ec2::254]/",  # a metadata service's IPv6 address
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "http://[::ffff:169.254.169.254]/",
        "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
        "http://[64:ff9b::a00:1]/",  # NAT64 around 10.0.0.1
        "http://localhost/",
    ],
)
def test_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError) as info:
        check_url(url, GUARDED)
    _assert_message(info.value, url, "only public addresses")
    with pytest.raises(FetchError):  # and so refused by fetch, before any connection
        fetch(url, GUARDED)


def test_a_public_address_is_fetched_from_the_address_that_was_checked() -> None:
    target = check_url("https://93.184.216.34:8443/story", GUARDED)
    assert target.address == "93.184.216.34" and target.host == "93.184.216.34"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://example.com/", "ftp://x/"])
def test_only_http_urls_pass_the_check(url: str) -> None:
    with pytest.raises(InputError, match="not an http"):
        check_url(url, GUARDED)


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Host names that resolve to the addresses the test sets, one answer per lookup."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> object:
        if host in answers:
            queue = answers[host]
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_a_name_with_any_private_answer_is_refused(fake_dns: dict[str, list[str]]) -> None:
    fake_dns["news.example"] = ["10.1.2.3"]
    with pytest.raises(FetchError, match=r"10\.1\.2\.3, a private address"):
        check_url("https://news.example/story", GUARDED)


def test_the_allow_list_takes_hosts_addresses_and_ranges(server: str) -> None:
    url = f"{server}/article"
    for allow in (("127.0.0.1",), ("127.0.0.0/8",), ("LOCALHOST", "127.0.0.1/32")):
        page = fetch(url, FetchSettings(allow_private=False, allow_hosts=allow))
        assert page.html == ARTICLE_HTML
    with pytest.raises(FetchError):
        fetch(url, FetchSettings(allow_private=False, allow_hosts=("10.0.0.0/8",)))


def test_dns_rebinding_cannot_swap_the_checked_address(
    server: str, fake_dns: dict[str, list[str]]
) -> None:
    """The first answer is checked (allowed by range); a second lookup would give another
    address (127.0.0.2, where nothing listens). The fetch reaches the checked one, with the
    name in the Host header."""
    port = server.rsplit(":", 1)[1]
    fake_dns["news.example"] = ["127.0.0.1", "127.0.0.2"]
    settings = FetchSettings(allow_private=False, allow_hosts=("127.0.0.1/32",))
    page = fetch(f"http://news.example:{port}/host", settings)
    assert page.html == f"news.example:{port}"


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:{port}/article",
        "http://[::1]/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(
    server: str, fake_dns: dict[str, list[str]], target: str
) -> None:
    port = server.rsplit(":", 1)[1]
    fake_dns["news.example"] = ["127.0.0.1"]
    settings = FetchSettings(allow_private=False, allow_hosts=("news.example",))
    url = f"http://news.example:{port}/redirect?to={quote(target.format(port=port))}"
    with pytest.raises(FetchError) as info:
        fetch(url, settings)
    _assert_message(info.value, url, "redirected to", "only public addresses")


def test_a_whole_fetch_has_a_time_limit(server: str) -> None:
    with pytest.raises(FetchError, match="time limit"):
        fetch(f"{server}/stream-big", FetchSettings(max_time_s=1e-9))
