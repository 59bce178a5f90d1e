"""The command line as a user meets it: output, exit codes, one-line errors, no stray files."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLE_FORBIDDEN, EXAMPLE_PARAGRAPHS, EXAMPLES
from mutagen.id3 import ID3


def narrate(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None, **settings: str
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with none of the caller's NARRATE_ settings, only ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NARRATE_")} | settings
    return subprocess.run(
        [sys.executable, "-m", "narrate", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


# A phrase of each body paragraph that normalization and the lexicon leave as written.
SPOKEN_MARKS = (
    "The meeting between Russian President Vladimir",
    "and U S President Donald Trump",
    "statement comes as the Trump administration",
    "team has pressured",
    '"Such a meeting is clearly on the radar',
    '"It requires the continuation of contacts between Moscow and Washington',
    "schedule for mid-May",
    "Trump has reportedly grown frustrated with the slow progression",
    "Trump has also reportedly been wavering over his commitment",
    "Despite recent disagreements, Ukraine and the U S signed a minerals agreement",
    "The deal was negotiated over several months",
)


def test_script_speaks_headline_byline_date_then_the_ten_paragraphs_and_nothing_else() -> None:
    result = narrate("script", "--plain", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "'Meeting is clearly on the radar', Kremlin on potential Trump [[p'u:tIn]] meeting."
    )
    assert lines[1] == "By Kateryna Hodunova."
    assert lines[2] == "May fifth, twenty twenty-five."
    text = " ".join(lines[3:])
    position = 0
    for mark in SPOKEN_MARKS:
        found = text.find(mark, position)
        assert found >= position, f"missing or out of order: {mark!r}"
        position = found
    assert text.endswith(
        "and Trump on February twenty-eighth. "
        "This audio was generated with an offline synthetic voice."
    )
    for phrase in EXAMPLE_FORBIDDEN:
        assert phrase not in result.stdout


def test_script_report_lists_normalizations_lexicon_and_uncovered_names() -> None:
    result = narrate("script", "--report", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    normalized = result.stdout.split("Lexicon (")[0]
    assert "Feb. 28 → February twenty-eighth" in normalized
    assert "U.S. → U S  (×3)" in normalized
    lexicon = result.stdout.split("Lexicon (")[1].split("Not in the lexicon")[0]
    assert "Peskov → [[" in lexicon and "(×4)" in lexicon
    uncovered = result.stdout.split("Not in the lexicon")[1]
    assert "Hodunova" in uncovered and "Peskov" not in uncovered
    assert "  The\n" not in uncovered


def test_normalize_reads_stdin_line_by_line() -> None:
    result = narrate("normalize", stdin=b"He paid $1.2 billion in 2018.\n\n20 km away\n")
    assert result.stdout.splitlines() == [
        "He paid one point two billion dollars in twenty eighteen.",
        "",
        "twenty kilometers away",
    ]
    ukrainian = narrate("normalize", "--lang", "uk", stdin="5 травня 2025 року\n".encode())
    assert ukrainian.stdout.strip() == "п'ятого травня дві тисячі двадцять п'ятого року"


def test_no_disclosure_flag_leaves_the_sentence_out(tmp_path: Path) -> None:
    out = tmp_path / "n.mp3"
    result = narrate(
        "article", str(EXAMPLE), "-o", str(out), "--voice", "silent", "--no-disclosure", "--json"
    )
    assert json.loads(result.stdout)["segment_count"] == 18
    assert "synthetic voice" not in out.with_suffix(".txt").read_text()


def test_json_summary_carries_the_warnings_too(tmp_path: Path) -> None:
    blocked = _a_file(tmp_path)
    result = narrate(
        "article", str(EXAMPLE), "-o", str(tmp_path / "a.mp3"), "--voice", "silent", "--json",
        XDG_CACHE_HOME=str(blocked), HOME=str(blocked), NARRATE_ARTWORK_FROM_PAGE="false",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (warning,) = json.loads(result.stdout)["warnings"]
    assert "without the segment cache" in warning and warning in result.stderr


def test_script_shows_voice_and_pause_per_segment() -> None:
    result = narrate("script", str(EXAMPLE))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("[en-us +0.90s] ")
    quoted = [line for line in lines if line.startswith("[en-us+m3 ")]
    assert quoted and all('"' in line for line in quoted)
    assert any(line.endswith("] [[p'Esk0f]] said.") for line in lines), "attribution stays narrated"


def test_clean_body_prints_only_the_body_one_block_per_line() -> None:
    result = narrate("clean", "--body", str(EXAMPLE))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXAMPLE_PARAGRAPHS)
    for line, start in zip(lines, EXAMPLE_PARAGRAPHS, strict=True):
        assert line.startswith(start)
    assert "Kateryna Hodunova" not in result.stdout


def test_clean_json_has_the_metadata() -> None:
    result = narrate("clean", "--json", str(EXAMPLE))
    data = json.loads(result.stdout)
    assert data["authors"] == ["Kateryna Hodunova"]
    assert data["published"].startswith("2025-05-05")
    assert data["language"].startswith("en")
    assert data["site_name"] == "The Kyiv Independent"
    assert data["canonical_url"].startswith("https://kyivindependent.com/")
    assert len(data["blocks"]) == 10


def test_clean_reads_stdin() -> None:
    result = narrate("clean", "--body", "-", stdin=EXAMPLE.read_bytes())
    assert result.returncode == 0
    assert result.stdout.startswith(EXAMPLE_PARAGRAPHS[0])


@pytest.mark.slow
def test_article_writes_mp3_and_transcript_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "story.mp3"
    result = narrate("article", str(EXAMPLE), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 100_000
    assert out.with_suffix(".txt").is_file()
    assert f"Wrote {out}" in result.stdout
    assert "segments" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "story.chapters.json",
        "story.json",
        "story.mp3",
        "story.srt",
        "story.txt",
        "story.vtt",
    ]


@pytest.mark.slow
def test_article_json_summary(tmp_path: Path) -> None:
    result = narrate("article", str(EXAMPLE), "-o", str(tmp_path / "a.mp3"), "--json")
    summary = json.loads(result.stdout)
    assert summary["mp3_path"].endswith("a.mp3")
    assert summary["segment_count"] == 19  # headline, byline, date, 15 body, disclosure
    assert [c["title"] for c in summary["chapters"]] == [
        "Introduction",
        "Article",
        "About this audio",
    ]
    assert summary["engine"] == "espeak"
    assert 60 < summary["duration_s"] < 240
    assert summary["title"].startswith("'Meeting is clearly")


@pytest.mark.slow
def test_article_default_name_comes_from_the_title(tmp_path: Path) -> None:
    result = narrate("article", str(EXAMPLE), "--quiet", "--voice", "silent", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    names = sorted(p.name for p in tmp_path.iterdir())
    stem = "meeting-is-clearly-on-the-radar-kremlin-on-potential-trump-putin-meeting"
    assert stem + ".mp3" in names and stem + ".vtt" in names and len(names) == 6


@pytest.fixture
def server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404, "Not Found")

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _bad_inputs(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "empty.html").write_text("")
    (tmp_path / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "index.html").write_text(
        "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a>"
        "<a href='/news'>News</a></nav><h1>Welcome</h1><p>Latest stories.</p></body></html>"
    )
    return {
        "missing": str(tmp_path / "nope.html"),
        "empty": str(tmp_path / "empty.html"),
        "binary": str(tmp_path / "binary.html"),
        "no article": str(tmp_path / "index.html"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "binary", "no article", "404"])
def test_bad_input_is_one_line_exit_3_and_no_file(tmp_path: Path, server: str, case: str) -> None:
    sources = _bad_inputs(tmp_path)
    sources["404"] = server + "/story"
    out_dir = tmp_path / "out"
    result = narrate("article", sources[case], "-o", str(out_dir / "story.mp3"))
    assert result.returncode == 3
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("narrate: error: ")
    assert "Traceback" not in result.stderr
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_404_message_names_the_status(server: str) -> None:
    result = narrate("clean", server + "/story")
    assert "404" in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = narrate("--debug", "clean", str(tmp_path / "nope.html"))
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_unknown_voice_is_a_usage_error_listing_voices(tmp_path: Path) -> None:
    result = narrate("article", str(EXAMPLE), "--voice", "klingon", "-o", str(tmp_path / "x.mp3"))
    assert result.returncode == 2
    assert "Unknown voice 'klingon'" in result.stderr and "en-us" in result.stderr
    assert list(tmp_path.iterdir()) == []


def _a_file(folder: Path) -> Path:
    """A path that is a file, so that nothing can be made under it (even as root)."""
    blocked = folder / "not-a-folder"
    blocked.write_text("")
    return blocked


def test_an_unwritable_cache_folder_is_named_in_one_line(tmp_path: Path) -> None:
    blocked = _a_file(tmp_path)
    out = tmp_path / "out" / "x.mp3"
    result = narrate(
        "article", str(EXAMPLE), "-o", str(out), "--voice", "silent",
        NARRATE_CACHE_DIR=str(blocked / "cache"),
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"narrate: error: The cache folder {blocked / 'cache'} cannot be made (Not a directory); "
        "set NARRATE_CACHE_DIR to a folder narrate may write."
    )
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_an_unwritable_default_cache_is_skipped_with_a_warning(tmp_path: Path) -> None:
    """A read-only home (a container, a service account): the cache only saves time."""
    blocked = _a_file(tmp_path)
    out = tmp_path / "out" / "x.mp3"
    result = narrate(
        "article", str(EXAMPLE), "-o", str(out), "--voice", "silent",
        XDG_CACHE_HOME=str(blocked), HOME=str(blocked),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.is_file()
    assert "cannot be made" in result.stderr and "without the segment cache" in result.stderr


@pytest.mark.parametrize(
    ("where", "reason"),
    [("a-file/x.mp3", "a-file is a file"), ("/proc/narrate-test.mp3", "")],
)
def test_an_output_that_cannot_be_written_fails_before_synthesis(
    tmp_path: Path, where: str, reason: str
) -> None:
    (tmp_path / "a-file").write_text("")
    out = where if where.startswith("/") else str(tmp_path / where)
    result = narrate("article", str(EXAMPLE), "-o", out, NARRATE_CACHE="false")
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"narrate: error: Cannot write {out} (") and reason in line
    assert line.endswith("choose a folder you may write to.")


def test_output_into_a_folder_is_named_after_the_title_inside_it(tmp_path: Path) -> None:
    folder = tmp_path / "episodes"
    folder.mkdir()
    result = narrate(
        "article", str(EXAMPLE), "-o", str(folder), "--voice", "silent", "--json",
        NARRATE_CACHE="false",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    mp3 = Path(json.loads(result.stdout)["mp3_path"])
    assert mp3.parent == folder and mp3.name.startswith("meeting-is-clearly-on-the-radar")
    assert not (tmp_path / "episodes.mp3").exists()


def test_a_title_in_another_script_names_its_own_file() -> None:
    from narrate.cli import _slug

    assert _slug("Зустріч на радарі: Кремль") == "зустріч-на-радарі-кремль"
    assert _slug("Café crème") == "cafe-creme"
    assert _slug("«»") == "article"


def test_help_shows_the_config_tables_by_name() -> None:
    """Rich markup took "[podcast]" for a style and printed "a narrate.toml with  (and , )"."""
    for command in ("serve", "worker"):
        result = narrate(command, "--help")
        assert result.returncode == 0
        assert "[podcast]" in result.stdout and "[service]" in result.stdout, result.stdout


@pytest.mark.parametrize("cover", ["missing.png", "README.md"])
def test_a_cover_that_cannot_be_used_fails_before_synthesis(tmp_path: Path, cover: str) -> None:
    (tmp_path / "README.md").write_text("not an image")
    out = tmp_path / "out" / "x.mp3"
    result = narrate("article", str(EXAMPLE), "-o", str(out), "--artwork", str(tmp_path / cover))
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"narrate: error: The artwork file {tmp_path / cover} cannot be used")
    assert "0x" not in line, "no object address in the message"
    assert not out.parent.exists()


def test_paths_in_a_config_file_are_relative_to_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(EXAMPLES / "cover.png", site / "cover.png")
    (site / "narrate.toml").write_text('artwork = "cover.png"\nartwork_from_page = false\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = elsewhere / "x.mp3"
    result = narrate(
        "-c", str(site / "narrate.toml"), "article", str(EXAMPLE), "-o", str(out),
        "--voice", "silent", cwd=elsewhere, NARRATE_CACHE="false",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "cover" not in result.stderr, "found, so no warning"
    assert ID3(out).getall("APIC"), "the file's cover is in the MP3"


def test_a_page_with_no_article_is_one_line_without_the_extractors_chatter(
    tmp_path: Path,
) -> None:
    page = tmp_path / "app.html"
    page.write_text('<html><body><div id="app"></div><script>start()</script></body></html>')
    for source, stdin in ((str(page), None), ("-", b"just some plain text here\n")):
        result = narrate("clean", source, stdin=stdin)
        assert result.returncode == 3
        (line,) = result.stderr.strip().splitlines()  # trafilatura said "discarding data: None"
        assert line.startswith("narrate: error: No article found in ")


def test_usage_errors_exit_2() -> None:
    assert narrate("article").returncode == 2
    assert narrate("clean", "--json", "--body", str(EXAMPLE)).returncode == 2


def test_voices_lists_profiles_and_engines() -> None:
    result = narrate("voices")
    assert result.returncode == 0
    assert "en-us" in result.stdout and "espeak   available" in result.stdout
    assert "pyttsx3  available" in result.stdout and "silent   available" in result.stdout


def test_voices_engine_lists_espeak_voices() -> None:
    result = narrate("voices", "--engine", "espeak")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) > 50
    assert "en-us" in result.stdout


def test_config_prints_every_setting_with_its_variable() -> None:
    result = narrate("config")
    assert "bitrate_kbps = 64" in result.stdout
    assert "NARRATE_BITRATE_KBPS" in result.stdout


def test_version() -> None:
    result = narrate("--version")
    assert result.stdout.startswith("narrate ")
