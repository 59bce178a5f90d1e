"""Stopping a render: Ctrl-C or SIGTERM stops it at once, writes nothing, caches nothing cut."""

from __future__ import annotations

import html
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import EXAMPLE_PARAGRAPHS

from narrate.config import Config
from narrate.engines import get_engine
from narrate.voices import Voice

EN = Voice("en-us", "en-US", 170, 50)
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


@posix_only
def test_a_ctrl_c_during_espeak_synthesis_is_raised_not_swallowed() -> None:
    """Python raises it in the main thread: during Synth that was eSpeak's callback, where
    ctypes dropped it and the sentence came back cut short."""
    engine = get_engine("espeak", Config())
    text = " ".join(EXAMPLE_PARAGRAPHS * 8)  # several seconds of synthesis on a slow machine
    whole = engine.synthesize(text, EN)

    # A Ctrl-C, 20 ms into the synthesis, from another thread as a terminal's would come.
    ctrl_c = threading.Timer(0.02, os.kill, (os.getpid(), signal.SIGINT))
    ctrl_c.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            engine.synthesize(text, EN)
    finally:
        ctrl_c.cancel()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "handler restored"
    # The engine is whole afterwards: the next call speaks all of the text again (eSpeak's
    # output varies by a few samples from call to call, interrupted or not).
    again = engine.synthesize(text, EN)
    assert len(again.words) == len(whole.words)
    assert abs(len(again.pcm) - len(whole.pcm)) < 0.001 * len(whole.pcm)


@posix_only
def test_a_signal_whose_handler_goes_on_leaves_the_whole_sentence() -> None:
    """A handler that only notes a graceful stop (a worker finishing its job first) must not
    get a sentence eSpeak was stopped in the middle of: that clip would be cached."""
    engine = get_engine("espeak", Config())
    text = " ".join(EXAMPLE_PARAGRAPHS * 8)
    whole = engine.synthesize(text, EN)
    noted: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: noted.append(signum))
    later = threading.Timer(0.02, os.kill, (os.getpid(), signal.SIGTERM))
    try:
        later.start()
        clip = engine.synthesize(text, EN)
    finally:
        later.cancel()
        signal.signal(signal.SIGTERM, previous)
    assert noted == [signal.SIGTERM], "the handler ran, once"
    assert len(clip.words) == len(whole.words)
    assert abs(len(clip.pcm) - len(whole.pcm)) < 0.001 * len(whole.pcm)


def _long_page(folder: Path) -> Path:
    paragraphs = "\n".join(
        f"<p>{html.escape(p)} (take {n}).</p>" for n in range(12) for p in EXAMPLE_PARAGRAPHS
    )
    page = folder / "long.html"
    page.write_text(
        f"<!doctype html><html lang='en'><head><title>A long read</title></head><body>"
        f"<article><h1>A long read</h1>{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    return page


@posix_only
@pytest.mark.parametrize(
    ("sent", "to_group", "code", "said"),
    [
        (signal.SIGINT, False, 130, "interrupted"),
        (signal.SIGINT, True, 130, "interrupted"),  # Ctrl-C in a terminal: the whole group
        (signal.SIGTERM, False, 143, "terminated"),
    ],
)
def test_a_stopped_render_exits_with_one_line_and_leaves_nothing(
    tmp_path: Path, sent: int, to_group: bool, code: int, said: str
) -> None:
    page = _long_page(tmp_path)
    out = tmp_path / "out" / "story.mp3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NARRATE_")}
    env |= {"NARRATE_CACHE": "false", "NARRATE_ARTWORK_FROM_PAGE": "false"}
    temp = tmp_path / "tmp"  # the render's own temporary folder, to see what it leaves
    temp.mkdir()
    env["TMPDIR"] = str(temp)
    with subprocess.Popen(
        [sys.executable, "-m", "narrate", "article", str(page), "-o", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        # Once ffmpegs are starting, the render is under way.
        deadline = time.monotonic() + 60
        while not list(temp.glob("narrate-parts-*")):
            assert process.poll() is None and time.monotonic() < deadline, "render never started"
            time.sleep(0.02)
        time.sleep(0.3)
        if to_group:
            os.killpg(process.pid, sent)
        else:
            process.send_signal(sent)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert stderr.strip() == f"narrate: error: {said}; nothing was written."
    assert not out.parent.exists() or not list(out.parent.iterdir()), "no file, not even a temp"
    assert not list(temp.iterdir()), "its spool and spares' folders were removed"
