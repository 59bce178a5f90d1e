"""One typed configuration object for every stage.

Precedence, lowest first: the defaults below < a ``narrate.toml`` file < ``NARRATE_*``
environment variables < command-line flags. Stages receive the :class:`Config` explicitly;
nothing deep in the pipeline reads the environment.

Every field carries its help text in ``metadata["help"]`` (a test checks none is missing),
which ``narrate config`` prints.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from .errors import ConfigError

ENV_PREFIX = "NARRATE_"


def _setting(default: Any, help: str, secret: bool = False) -> Any:
    return field(default=default, metadata={"help": help, "secret": secret})


# Settings that name files or folders (relative ones in a config file are relative to it).
PATH_SETTINGS = ("voices_dir", "lexicon", "intro_audio", "outro_audio", "artwork", "cache_dir")

SECRET_MASK = "********"
"""What ``narrate config`` (and anything else that shows settings) prints for a secret."""


@dataclass(frozen=True)
class Config:
    """Every setting narrate has, with its default."""

    voice: str = _setting(
        "auto",
        "Voice profile name (a file in voices/) or path to a .toml; auto: the profile for the "
        "article's language (en-us when none matches).",
    )
    voices_dir: str = _setting("", "Extra folder searched first for voice profiles.")
    lexicon: str = _setting("", "Extra pronunciation lexicon (.tsv) applied after the voice's.")
    sample_rate: int = _setting(44100, "MP3 sample rate in Hz.")
    bitrate_kbps: int = _setting(64, "MP3 constant bitrate in kbit/s.")
    lame_quality: int = _setting(
        3, "LAME algorithm quality, 0 (best, slowest) to 9; 3 is LAME's and ffmpeg's default."
    )
    fetch_timeout_s: float = _setting(20.0, "Connect and read timeout for http(s) sources.")
    fetch_max_bytes: int = _setting(10_000_000, "Largest page accepted, in bytes.")
    fetch_max_time_s: float = _setting(
        120.0, "Longest a whole fetch may take, redirects and body included; 0 for no limit."
    )
    fetch_allow_private: bool = _setting(
        True,
        "Let http(s) sources, their redirects and lead images reach loopback, private and "
        "link-local addresses. The service always turns this off (SSRF).",
    )
    fetch_allow_hosts: str = _setting(
        "",
        "Comma-separated host names, addresses or CIDR ranges that may be fetched even when "
        "private addresses are refused (an internal CMS, say).",
    )
    pause_sentence_s: float = _setting(0.35, "Silence after a sentence inside a paragraph.")
    pause_paragraph_s: float = _setting(0.7, "Silence after a paragraph.")
    pause_heading_s: float = _setting(1.0, "Silence after a heading.")
    pause_title_s: float = _setting(0.9, "Silence after the headline, byline and date.")
    ffmpeg: str = _setting(
        "", "Path to an ffmpeg binary; default: ffmpeg on PATH, else the imageio-ffmpeg one."
    )
    espeak_library: str = _setting(
        "", "Path to libespeak-ng; default: the system library, else the espeakng-loader one."
    )
    espeak_data: str = _setting("", "Path to espeak-ng-data matching espeak_library.")
    engine_timeout_s: float = _setting(
        60.0, "Longest a speech engine may take for one segment before it is called stuck."
    )
    id3_version: int = _setting(3, "ID3v2 minor version for tags: 3 (most compatible) or 4.")
    loudness_lufs: float = _setting(
        -16.0, "Integrated loudness target of the final mix in LUFS (EBU R128; podcasts: -16)."
    )
    true_peak_dbtp: float = _setting(-1.0, "Highest true peak allowed in the final mix, dBTP.")
    normalize_loudness: bool = _setting(
        True, "Level the final mix to loudness_lufs with gain and a peak limiter."
    )
    intro_audio: str = _setting("", "Audio file (any format ffmpeg reads) played before the story.")
    outro_audio: str = _setting("", "Audio file played after the story and the disclosure.")
    disclosure: str = _setting(
        "auto",
        "Sentence spoken at the end to say the voice is synthetic; empty to leave it out; auto: "
        "narrate's own in the voice's language (English, Ukrainian, Russian; none in others).",
    )
    artwork: str = _setting(
        "",
        "Cover image (JPEG/PNG) used when the article has no lead image, or always if "
        "artwork_from_page is off.",
    )
    artwork_from_page: bool = _setting(
        True, "Use the article's lead image (fetched if it is a URL) as the cover art."
    )
    cache: bool = _setting(
        True, "Keep synthesized segments on disk so re-renders only synthesize what changed."
    )
    cache_dir: str = _setting(
        "", "Folder for the segment cache; default $XDG_CACHE_HOME/narrate/segments."
    )
    cache_max_mb: int = _setting(
        2048, "Largest size of the segment cache in MB; least recently used segments go first."
    )
    parallel_encode: bool = _setting(
        True,
        "Encode the MP3 in parts on every core while synthesis goes on, joined in pauses; off, "
        "the same parts with the same levels go through one ffmpeg.",
    )
    transcripts: bool = _setting(
        True, "Write .vtt, .srt, .json and .chapters.json beside the MP3 (the .txt always)."
    )
    queue: str = _setting(
        "",
        "Render queue for 'narrate feed build': empty for a SQLite file in the feed's output "
        "folder, or redis://host:port/db to share the work between machines.",
    )

    service_secret: str = _setting(
        "",
        "Shared secret of the service: requests signed with HMAC-SHA256 (X-Narrate-Signature) "
        "are accepted, and callbacks are signed with it.",
        secret=True,
    )
    service_token: str = _setting(
        "", "Bearer token the service accepts for write requests (Authorization: Bearer).", True
    )
    service_data_dir: str = _setting(
        "",
        "The service's data folder (published files, state and queue); default: the [podcast] "
        "output of its config. Shared storage when workers run on several machines.",
    )
    service_max_body_bytes: int = _setting(
        5_000_000, "Largest request body the service accepts, in bytes (larger: 413)."
    )
    service_lease_s: float = _setting(
        30.0,
        "How long a worker's claim on a render lasts without a heartbeat; a job whose worker "
        "died is taken up again after this.",
    )
    service_sync: bool = _setting(
        True,
        "Sync the state database to disk before a publish is answered 202, so that an accepted "
        "job survives a power cut (the publishes that arrive together share one sync); off, "
        "it survives a crash of the service but not of the machine, and no answer waits for "
        "the disk.",
    )
    service_worker_nice: int = _setting(
        10,
        "CPU priority of 'narrate worker' and its renders, as nice (0-19, higher yields more): "
        "renders are batch work, and on a machine that also runs 'narrate serve' its answers "
        "must not wait behind them for a core.",
    )
    service_stop_grace_s: float = _setting(
        60.0,
        "When 'narrate serve --workers N' is stopped, how long its worker's renders may run on "
        "to finish; after that they are interrupted and their jobs handed back to the queue. "
        "Keep it under the supervisor's stop timeout (systemd's TimeoutStopSec: 90 s).",
    )

    def with_overrides(self, values: Mapping[str, Any]) -> Config:
        """Return a copy with ``values`` applied (unknown keys raise :class:`ConfigError`)."""
        known = {f.name: f for f in fields(self)}
        clean: dict[str, Any] = {}
        for key, value in values.items():
            if value is None:
                continue
            if key not in known:
                raise ConfigError(f"Unknown setting '{key}'. Known settings: {', '.join(known)}.")
            clean[key] = _check(key, _coerce(key, value, type(getattr(self, key))))
        return replace(self, **clean)


# What each number may be, beyond its type: a value outside failed deep in a render (a sample
# rate of 0 as an unexpected ValueError, +10 LUFS as a clipped file, a bitrate of 77 silently
# encoded at 80), or after the whole render (an ID3 version of 5).
_MPEG1_RATES = (32000, 44100, 48000)  # parts join on 1,152-sample frames: MPEG-1 only
_MPEG1_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RULES: dict[str, tuple[str, Any]] = {
    "sample_rate": (f"one of {', '.join(map(str, _MPEG1_RATES))}", _MPEG1_RATES.__contains__),
    "bitrate_kbps": (
        f"an MP3 bitrate: {', '.join(map(str, _MPEG1_BITRATES))}",
        _MPEG1_BITRATES.__contains__,
    ),
    "lame_quality": ("0 to 9", lambda v: 0 <= v <= 9),
    "id3_version": ("3 or 4", (3, 4).__contains__),
    "loudness_lufs": ("between -40 and -8", lambda v: -40 <= v <= -8),
    "true_peak_dbtp": ("between -9 and 0", lambda v: -9 <= v <= 0),
    "pause_sentence_s": ("0 to 10 seconds", lambda v: 0 <= v <= 10),
    "pause_paragraph_s": ("0 to 10 seconds", lambda v: 0 <= v <= 10),
    "pause_heading_s": ("0 to 10 seconds", lambda v: 0 <= v <= 10),
    "pause_title_s": ("0 to 10 seconds", lambda v: 0 <= v <= 10),
    "fetch_timeout_s": ("more than 0", lambda v: v > 0),
    "fetch_max_time_s": ("0 (no limit) or more", lambda v: v >= 0),
    "fetch_max_bytes": ("more than 0", lambda v: v > 0),
    "engine_timeout_s": ("more than 0", lambda v: v > 0),
    "cache_max_mb": ("0 (no limit) or more", lambda v: v >= 0),
    "service_max_body_bytes": ("more than 0", lambda v: v > 0),
    "service_lease_s": ("more than 0", lambda v: v > 0),
    "service_worker_nice": ("0 to 19", lambda v: 0 <= v <= 19),
    "service_stop_grace_s": ("0 or more", lambda v: v >= 0),
}


def _check(key: str, value: Any) -> Any:
    rule = _RULES.get(key)
    if rule is not None and not rule[1](value):
        raise ConfigError(
            f"Setting '{key}' must be {rule[0]}, got {value!r} "
            f"(example: {key} = {getattr(Config(), key)!r})."
        )
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _coerce(key: str, value: Any, kind: type) -> Any:
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    if kind is bool and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    try:
        if kind is float and isinstance(value, int | str):
            return float(value)
        if kind is int and isinstance(value, str | float):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if kind is str:
            return str(value)
    except ValueError:
        pass
    raise ConfigError(
        f"Setting '{key}' must be {kind.__name__}, got {value!r} (example: {key} = "
        f"{getattr(Config(), key)!r})."
    )


def setting_help() -> dict[str, tuple[Any, str]]:
    """Every setting's default and help text, in declaration order."""
    out: dict[str, tuple[Any, str]] = {}
    for f in fields(Config):
        default = f.default if f.default is not MISSING else None
        out[f.name] = (default, str(f.metadata.get("help", "")))
    return out


def load_config(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Build the Config: defaults < ``path`` (or ./narrate.toml) < environment < ``overrides``.

    >>> load_config(env={"NARRATE_BITRATE_KBPS": "96"}).bitrate_kbps
    96
    """
    config = Config()
    toml_path = Path(path) if path else Path("narrate.toml")
    if path or toml_path.is_file():
        config = config.with_overrides(_read_toml(toml_path))
    environ = os.environ if env is None else env
    from_env = {
        f.name: environ[ENV_PREFIX + f.name.upper()]
        for f in fields(Config)
        if ENV_PREFIX + f.name.upper() in environ
    }
    config = config.with_overrides(from_env)
    return config.with_overrides(overrides or {})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"No such config file: {path}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from exc
    # A feed config keeps its render settings under [render]; a plain one has them at the top.
    section = data.get("render", data)
    values = {k: v for k, v in section.items() if not isinstance(v, dict | list)}
    # The service's settings may sit in a [service] table without their prefix.
    service = data.get("service", {})
    if isinstance(service, dict):
        values.update({f"service_{k}": v for k, v in service.items()})
    # A file's paths are relative to the file, wherever narrate runs from: 'narrate -c
    # site/narrate.toml article' looked for site's cover.png in the current folder, while
    # 'narrate feed build site/narrate.toml' found it.
    base = path.resolve().parent
    for key in PATH_SETTINGS:
        value = values.get(key)
        if isinstance(value, str) and value:
            values[key] = str(base / Path(value).expanduser())  # an absolute one stays itself
    voice = values.get("voice")
    if isinstance(voice, str) and voice.endswith(".toml"):
        values["voice"] = str(base / Path(voice).expanduser())
    return values


def shown_value(config: Config, name: str) -> Any:
    """A setting's value as it may be shown or logged: secrets masked when set, and the
    password in a URL (the ``queue``'s ``redis://:password@host``)."""
    value = getattr(config, name)
    secret = next(f.metadata.get("secret") for f in fields(Config) if f.name == name)
    if secret and value:
        return SECRET_MASK
    if isinstance(value, str) and "://" in value:
        return shown_url(value)
    return value


URL_MASK = "***"


def shown_url(url: str) -> str:
    """``url`` as it may be shown or logged: a password in it (before the host, or a
    ``password=`` in its query, as Redis URLs allow) masked.

    >>> shown_url("redis://:hunter2@127.0.0.1:6399/0")
    'redis://:***@127.0.0.1:6399/0'
    >>> shown_url("rediss://worker:hunter2@queue.example/1?password=hunter2&ssl_cert_reqs=none")
    'rediss://worker:***@queue.example/1?password=***&ssl_cert_reqs=none'
    >>> shown_url("redis://queue.example:6379/0")
    'redis://queue.example:6379/0'
    """
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL one can read: shown as its scheme only
        return url.split("://", 1)[0] + "://" + URL_MASK
    netloc, query = parts.netloc, parts.query
    if password is not None:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}:{URL_MASK}@{host}"
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key.lower() == "password" for key, _ in pairs):
            query = "&".join(
                f"{key}={URL_MASK if key.lower() == 'password' else quote(value, safe='')}"
                for key, value in pairs
            )
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit(parts._replace(netloc=netloc, query=query))
