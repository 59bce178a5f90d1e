"""The command line's allocator settings: glibc takes them all, elsewhere nothing happens."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from narrate.allocator import keep_freed_memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the settings are glibc's")
def test_glibc_takes_every_setting() -> None:
    # mallopt refuses a value out of its range (an mmap threshold over 32 MB) by returning 0.
    assert keep_freed_memory() is True


def test_the_library_leaves_the_allocator_alone() -> None:
    # Only the narrate command tunes malloc; a program that imports narrate keeps its own.
    code = "import narrate, narrate.pipeline, narrate.encode, sys; print('allocator' in str(sys.modules))"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"
