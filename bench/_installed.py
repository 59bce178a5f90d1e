"""Measure narrate as a wheel installs it: byte-compiled.

pip compiles a wheel's modules when it installs them, but not an editable install's; where
PYTHONDONTWRITEBYTECODE is set (containers, CI images, this machine) Python then compiles
narrate's sources again in every process: 0.12 s of a 1.1 s render of the example.
"""

from __future__ import annotations

import compileall
from pathlib import Path


def byte_compile() -> None:
    """Compile narrate's modules that have no up-to-date .pyc (a no-op when all do)."""
    import narrate

    compileall.compile_dir(Path(narrate.__file__).parent, quiet=1)
