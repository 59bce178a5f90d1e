"""Loading libespeak-ng once per process, for pyttsx3's ctypes binding to use.

pyttsx3 ships a complete binding (``pyttsx3.drivers._espeak``) but looks the library up only
by name in system locations. A pip install has it inside the espeakng-loader wheel instead, so
we load that file first with RTLD_GLOBAL: the dynamic loader then resolves pyttsx3's
``libespeak-ng.so.1`` to the copy already in memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from dataclasses import dataclass
from types import ModuleType

from ..errors import SynthesisError


@dataclass(frozen=True)
class EspeakLibrary:
    """The loaded binding plus where the library and its data came from."""

    binding: ModuleType
    library_path: str
    data_path: str | None


_lock = threading.Lock()
_loaded: EspeakLibrary | None = None


def _choose(library: str, data: str) -> tuple[str, str | None]:
    if library:
        return library, data or None
    system = ctypes.util.find_library("espeak-ng")
    if system:
        return system, data or None
    try:
        import espeakng_loader
    except ImportError as exc:
        raise SynthesisError(
            "eSpeak NG is not installed: pip install espeakng-loader, or install "
            "libespeak-ng and set NARRATE_ESPEAK_LIBRARY."
        ) from exc
    return espeakng_loader.get_library_path(), data or espeakng_loader.get_data_path()


def load(library: str = "", data: str = "") -> EspeakLibrary:
    """Load libespeak-ng (once; later calls return the first load) and pyttsx3's binding."""
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        path, data_path = _choose(library, data)
        try:
            ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        except OSError as exc:
            raise SynthesisError(
                f"Cannot load eSpeak NG from {path}: {exc}. Set NARRATE_ESPEAK_LIBRARY to a "
                "working libespeak-ng."
            ) from exc
        if data_path:
            # pyttsx3's own driver initialises with no path; the variable points it at the
            # data that matches the library we loaded.
            os.environ.setdefault("ESPEAK_DATA_PATH", data_path)
        try:
            from pyttsx3.drivers import _espeak
        except (ImportError, RuntimeError) as exc:
            raise SynthesisError(
                f"pyttsx3 could not bind eSpeak NG ({exc}); reinstall pyttsx3 and espeakng-loader."
            ) from exc
        _loaded = EspeakLibrary(_espeak, path, data_path)
        return _loaded
