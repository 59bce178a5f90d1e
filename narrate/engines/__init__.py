"""Speech engines behind one Protocol, found through a registry.

An engine turns one piece of spoken text into a :class:`~narrate.model.Clip`. Built-in engines
register through the ``narrate.engines`` entry-point group exactly as a third-party package
would, so ``pip install narrate-myengine`` adds a voice without touching narrate.

Engines whose dependencies are missing stay listed, as unavailable, with the reason.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from ..config import Config
from ..errors import ConfigError, SynthesisError
from ..model import Clip
from ..voices import Voice

ENTRY_POINT_GROUP = "narrate.engines"


@runtime_checkable
class Engine(Protocol):
    """What every speech engine provides.

    ``name`` is the registry name; ``version`` goes into cache keys and the ID3 disclosure;
    ``accepts_phonemes`` says whether eSpeak ``[[...]]`` phoneme input is understood.
    """

    name: str
    version: str
    accepts_phonemes: bool

    def synthesize(self, text: str, voice: Voice) -> Clip:
        """Speak ``text`` with ``voice``; raise :class:`SynthesisError` on failure."""
        ...


EngineFactory = Callable[[Config], Engine]

# Built-ins by import path, so the registry works from a source checkout with no entry points.
_BUILTIN: dict[str, str] = {
    "espeak": "narrate.engines.espeak:EspeakEngine",
    "pyttsx3": "narrate.engines.pyttsx3_engine:Pyttsx3Engine",
    "silent": "narrate.engines.silent:SilentEngine",
    "piper": "narrate.engines.piper:PiperEngine",
    "hibari": "narrate.engines.hibari:HibariEngine",
}


@dataclass(frozen=True)
class EngineInfo:
    """An engine's registry entry and whether it can run here."""

    name: str
    target: str
    available: bool
    reason: str = ""


@functools.cache
def _installed() -> tuple[tuple[str, str], ...]:
    # Reading the installed packages' entry points took 8-13 ms: once a process, not a render.
    return tuple((ep.name, ep.value) for ep in entry_points(group=ENTRY_POINT_GROUP))


def _targets() -> dict[str, str]:
    targets = dict(_BUILTIN)
    for name, value in _installed():
        targets.setdefault(name, value)
    return targets


def _load_factory(target: str) -> EngineFactory:
    import importlib

    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    factory: EngineFactory = getattr(module, attr)
    return factory


def get_engine(name: str, config: Config) -> Engine:
    """Build the engine registered as ``name``.

    >>> get_engine("silent", Config()).name
    'silent'
    """
    targets = _targets()
    if name not in targets:
        raise ConfigError(f"Unknown engine '{name}'. Available engines: {', '.join(targets)}.")
    try:
        factory = _load_factory(targets[name])
    except ImportError as exc:
        raise SynthesisError(
            f"Engine '{name}' cannot be loaded ({exc}); install what it needs and retry."
        ) from exc
    return factory(config)


def accepts_phonemes(name: str) -> bool:
    """Whether the engine registered as ``name`` reads eSpeak ``[[...]]`` phonemes.

    Asked of the registered factory, without building the engine: an engine class says so in a
    class attribute, and importing an engine's module loads none of its heavy dependencies (they
    load when the engine is built), so ``narrate script`` never loads a neural model to ask. A
    factory that does not say (a plain function), or an engine that cannot be imported here,
    gets the lexicon's respellings, which every engine can read.

    >>> accepts_phonemes("espeak"), accepts_phonemes("piper")
    (True, False)
    """
    target = _targets().get(name)
    if target is None:
        return False
    try:
        factory = _load_factory(target)
    except (ImportError, AttributeError):
        return False
    said = getattr(factory, "accepts_phonemes", False)
    return said if isinstance(said, bool) else False


def list_engines(config: Config) -> list[EngineInfo]:
    """Every registered engine, each tried once, with why it cannot run if it cannot."""
    infos = []
    for name, target in _targets().items():
        try:
            get_engine(name, config)
        except (SynthesisError, ConfigError) as exc:
            infos.append(EngineInfo(name, target, False, str(exc)))
        else:
            infos.append(EngineInfo(name, target, True))
    return infos


def require(module: str, hint: str) -> Any:
    """Import an engine's optional dependency, or fail with ``hint`` (the extra to install)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise SynthesisError(hint) from exc


def package_version(name: str) -> str:
    """An installed distribution's version, for an engine's version string ("?" if unknown)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def profile_voice_names(
    config: Config, engine: str, default: str, name_of: Callable[[str], str] = str
) -> str:
    """The configured profile's narrator and quote voices, for the version string.

    An engine's version names the models it speaks with, so the disclosure tag says which and
    the segment cache never mixes audio from two models. ``default`` when the configured
    profile is not this engine's (or is chosen per article).
    """
    from ..voices import find_profile

    try:
        profile = find_profile(config.voice, config.voices_dir)
    except ConfigError:
        return default
    if profile.engine != engine:
        return default
    names = [name_of(profile.narrator.id)]
    if name_of(profile.quote.id) not in names:
        names.append(name_of(profile.quote.id))
    return "+".join(names)


__all__ = [
    "Engine",
    "EngineInfo",
    "accepts_phonemes",
    "get_engine",
    "list_engines",
    "package_version",
    "profile_voice_names",
    "require",
]
