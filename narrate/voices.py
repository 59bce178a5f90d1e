"""Voice profiles (``voices/*.toml``) and pronunciation lexicons (``voices/lexicon/*.tsv``).

A profile names an engine, the engine's voice, speed and pitch, the language it reads, the
lexicons it applies, and a second voice for quoted speech. Profiles are data, validated on
load: a bad one names the file, the key and an example of a valid value.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .framing import primary_language
from .model import Respelling
from .respell import substitute

_PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_voices_dir() -> Path:
    """The shipped ``voices/`` folder: inside the wheel, or at the top of a source checkout."""
    for candidate in (_PACKAGE_DIR / "_voices", _PACKAGE_DIR.parent / "voices"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("narrate's voices/ folder is missing; reinstall narrate.")


@dataclass(frozen=True)
class Voice:
    """What an engine needs to speak: its voice id, speed in words per minute, pitch 0-100."""

    id: str
    language: str
    rate_wpm: int = 175
    pitch: int = 50


@dataclass(frozen=True)
class VoiceProfile:
    """A narrator voice and the voice for quoted speech, with the lexicons to apply."""

    name: str
    engine: str
    narrator: Voice
    quote: Voice
    lexicons: tuple[str, ...]
    description: str = ""
    path: str = ""
    licence: str = ""
    """What the engine's and the voice's licences mean for a publisher, in a sentence or two."""

    @property
    def language(self) -> str:
        """The language the profile reads (BCP 47)."""
        return self.narrator.language


_EXAMPLES: dict[str, str] = {
    "engine": 'engine = "espeak"',
    "voice": 'voice = "en-us"',
    "language": 'language = "en"',
    "rate": "rate = 175",
    "pitch": "pitch = 50",
    "lexicons": 'lexicons = ["en"]',
    "description": 'description = "American English"',
    "licence": 'licence = "eSpeak NG: GPL-3.0-or-later; the audio is yours to publish"',
    "quote": '[quote]\nvoice = "en-us+f2"',
}


def _bad(path: Path, key: str, problem: str) -> ConfigError:
    example = _EXAMPLES.get(key.split(".")[-1], "")
    hint = f" A valid value looks like: {example.splitlines()[-1]}" if example else ""
    return ConfigError(f"Voice profile {path}: key '{key}' {problem}.{hint}")


def _get(data: dict[str, Any], key: str, kind: type, path: Path, default: Any, prefix: str) -> Any:
    if key not in data:
        if default is None:
            raise _bad(path, prefix + key, "is missing")
        return default
    value = data[key]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise _bad(path, prefix + key, f"must be a whole number, not {value!r}")
    if kind is str and (not isinstance(value, str) or not value.strip()):
        raise _bad(path, prefix + key, f"must be a non-empty string, not {value!r}")
    return value


def _voice(data: dict[str, Any], path: Path, base: Voice | None, prefix: str) -> Voice:
    voice = Voice(
        id=_get(data, "voice", str, path, base.id if base else None, prefix),
        language=_get(data, "language", str, path, base.language if base else None, prefix),
        rate_wpm=_get(data, "rate", int, path, base.rate_wpm if base else 175, prefix),
        pitch=_get(data, "pitch", int, path, base.pitch if base else 50, prefix),
    )
    if not 80 <= voice.rate_wpm <= 450:
        raise _bad(
            path,
            prefix + "rate",
            f"must be between 80 and 450 words a minute, not {voice.rate_wpm}",
        )
    if not 0 <= voice.pitch <= 100:
        raise _bad(path, prefix + "pitch", f"must be between 0 and 100, not {voice.pitch}")
    return voice


def load_profile(path: Path) -> VoiceProfile:
    """Read and validate one profile file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Voice profile {path} is not valid TOML: {exc}.") from exc
    allowed = {
        "name",
        "engine",
        "voice",
        "language",
        "rate",
        "pitch",
        "lexicons",
        "description",
        "licence",
        "quote",
    }
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"Voice profile {path}: unknown key '{key}'. "
                f"Known keys: {', '.join(sorted(allowed))}."
            )
    engine = _get(data, "engine", str, path, None, "")
    narrator = _voice(data, path, None, "")
    quote_data = data.get("quote", {})
    if not isinstance(quote_data, dict):
        raise _bad(path, "quote", "must be a table")
    quote = _voice(quote_data, path, narrator, "quote.")
    lexicons = data.get("lexicons", [narrator.language.split("-")[0]])
    if not isinstance(lexicons, list) or not all(isinstance(x, str) for x in lexicons):
        raise _bad(path, "lexicons", f"must be a list of lexicon names, not {lexicons!r}")
    return VoiceProfile(
        name=str(data.get("name", path.stem)),
        engine=engine,
        narrator=narrator,
        quote=quote,
        lexicons=tuple(lexicons),
        description=str(data.get("description", "")),
        path=str(path),
        licence=_get(data, "licence", str, path, "", ""),
    )


def find_profile(name: str, extra_dir: str = "") -> VoiceProfile:
    """Find a profile by name (``en-us``) or by path to a ``.toml`` file."""
    as_path = Path(name)
    if as_path.suffix == ".toml":
        if not as_path.is_file():
            raise ConfigError(f"No such voice profile file: {name}.")
        return load_profile(as_path)
    dirs = [Path(extra_dir)] if extra_dir else []
    dirs.append(builtin_voices_dir())
    for folder in dirs:
        candidate = folder / f"{name}.toml"
        if candidate.is_file():
            return load_profile(candidate)
    known = ", ".join(p.name for p in list_profiles(extra_dir))
    raise ConfigError(f"Unknown voice '{name}'. Available voices: {known}.")


def list_profiles(extra_dir: str = "") -> list[VoiceProfile]:
    """Every profile in the extra folder and the shipped one (extra ones win by name)."""
    seen: dict[str, VoiceProfile] = {}
    dirs = [Path(extra_dir)] if extra_dir else []
    dirs.append(builtin_voices_dir())
    for folder in dirs:
        for path in sorted(folder.glob("*.toml")):
            profile = load_profile(path)
            seen.setdefault(profile.name, profile)
    return sorted(seen.values(), key=lambda p: p.name)


@dataclass(frozen=True)
class LexiconEntry:
    """A written form and how to say it: a respelling, and optionally eSpeak phonemes."""

    written: str
    respelling: str
    phonemes: str = ""
    pattern: bool = False


@dataclass(frozen=True)
class Lexicon:
    """Whole-word, case-sensitive replacements, applied in one regex pass."""

    entries: tuple[LexiconEntry, ...]
    version: str = ""

    def apply(self, text: str, phonemes: bool = False) -> tuple[str, list[tuple[str, str]]]:
        """Replace known words; return the new text and the (written, spoken) pairs used.

        With ``phonemes`` true, entries that have eSpeak phonemes use them (``[[...]]``);
        otherwise the respelling.
        """
        text, _, changes = self.respell(text, phonemes)
        return text, changes

    def respell(
        self, text: str, phonemes: bool = False, respelled: tuple[Respelling, ...] = ()
    ) -> tuple[str, tuple[Respelling, ...], list[tuple[str, str]]]:
        """:meth:`apply`, keeping where each replacement is: the new text, its respellings
        (``respelled``, those ``text`` already had, moved with it, and the lexicon's) and the
        (written, spoken) pairs used."""
        if not self.entries:
            return text, respelled, []
        changes: list[tuple[str, str]] = []
        plain = {e.written: e for e in self.entries if not e.pattern}

        def replace_word(match: re.Match[str]) -> str:
            entry = plain[match.group(0)]
            spoken = f"[[{entry.phonemes}]]" if phonemes and entry.phonemes else entry.respelling
            changes.append((match.group(0), spoken))
            return spoken

        if plain:
            text, respelled = substitute(text, respelled, _word_regex(tuple(plain)), replace_word)
        for entry in self.entries:
            if entry.pattern:
                new, respelled = substitute(
                    text, respelled, re.compile(entry.written), _expand(entry.respelling)
                )
                if new != text:
                    changes.append((entry.written, entry.respelling))
                    text = new
        return text, respelled, changes


def _expand(template: str) -> Callable[[re.Match[str]], str]:
    """What ``re.sub(pattern, template, ...)`` puts in for a match ("\\1" and the like)."""
    return lambda match: match.expand(template)


_REGEX_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def _word_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    pattern = _REGEX_CACHE.get(words)
    if pattern is None:
        # Longest first so "Kryvyi Rih" wins over "Kryvyi"; \b on both sides keeps it whole-word.
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
        _REGEX_CACHE[words] = pattern
    return pattern


def load_lexicon(paths: list[Path]) -> Lexicon:
    """Read lexicon files (later files override earlier ones for the same word).

    Each line: ``written<TAB>respelling[<TAB>phonemes]``; ``re:`` before ``written`` makes it a
    regular expression; ``#`` starts a comment.
    """
    entries: dict[str, LexiconEntry] = {}
    versions: list[str] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise ConfigError(f"No such lexicon file: {path}.") from exc
        versions.append(hashlib.sha256(text.encode()).hexdigest()[:12])
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise ConfigError(
                    f"Lexicon {path}, line {number}: expected 'written<TAB>spoken', got "
                    f"{line!r}. Example: Kyiv\tKeev"
                )
            pattern = parts[0].startswith("re:")
            written = parts[0][3:] if pattern else parts[0]
            if pattern:
                try:
                    re.compile(written)
                except re.error as exc:
                    raise ConfigError(
                        f"Lexicon {path}, line {number}: bad regular expression: {exc}."
                    ) from exc
            entries[parts[0]] = LexiconEntry(
                written=written,
                respelling=parts[1],
                phonemes=parts[2] if len(parts) > 2 else "",
                pattern=pattern,
            )
    return Lexicon(entries=tuple(entries.values()), version="+".join(versions))


def lexicon_for(profile: VoiceProfile, extra: str = "") -> Lexicon:
    """The lexicons a profile names (from ``voices/lexicon/``), then the extra file if set."""
    folder = builtin_voices_dir() / "lexicon"
    paths = [folder / f"{name}.tsv" for name in profile.lexicons]
    if extra:
        paths.append(Path(extra))
    return load_lexicon(paths)


AUTO = "auto"
DEFAULT_PROFILE = "en-us"


def profile_for_language(language: str | None, extra_dir: str = "") -> VoiceProfile:
    """The profile that reads ``language``: same tag first (en-GB), then same language (en).

    Among equals the eSpeak NG profiles come first (they need no extra), then the default
    ``en-us``, then by name; a language no profile reads gets eSpeak NG's own voice for it; no
    language at all, the default. A Ukrainian article is never read by the English voice when a
    Ukrainian profile exists.
    """
    wanted = (language or "").replace("_", "-").lower()
    profiles = list_profiles(extra_dir)

    def rank(profile: VoiceProfile) -> tuple[bool, bool, str]:
        # A bare "en" goes to the default voice rather than whichever region sorts first.
        return (profile.engine != "espeak", profile.name != DEFAULT_PROFILE, profile.name)

    if wanted:
        for matches in (
            [p for p in profiles if p.language.lower() == wanted],
            [p for p in profiles if primary_language(p.language) == primary_language(wanted)],
        ):
            usable = [p for p in matches if p.engine not in ("silent",)]
            if usable:
                return sorted(usable, key=rank)[0]
        # No profile ships for it: eSpeak NG itself reads over 100 languages, better than the
        # English voice reading German.
        primary = primary_language(wanted)
        narrator = Voice(primary, primary, 165, 48)
        return VoiceProfile(
            name=f"espeak-{primary}",
            engine="espeak",
            narrator=narrator,
            quote=Voice(f"{primary}+m3", primary, 160, 58),
            lexicons=(),
            description=f"eSpeak NG's '{primary}' voice (no profile ships for this language)",
        )
    return find_profile(DEFAULT_PROFILE, extra_dir)


def choose_profile(voice: str, language: str | None, extra_dir: str = "") -> VoiceProfile:
    """The profile named by ``voice``, or, for ``auto``, the one for the article's language."""
    if voice == AUTO:
        return profile_for_language(language, extra_dir)
    return find_profile(voice, extra_dir)
