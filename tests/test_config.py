"""Settings: documented, typed, and layered defaults < file < environment < flags."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from narrate.config import Config, load_config, setting_help
from narrate.errors import ConfigError


def test_every_setting_is_documented() -> None:
    helps = setting_help()
    assert set(helps) == {f.name for f in fields(Config)}
    for name, (_default, text) in helps.items():
        assert len(text) > 15, f"{name} needs help text"


def test_precedence_defaults_file_environment_flags(tmp_path: Path) -> None:
    toml = tmp_path / "narrate.toml"
    toml.write_text('bitrate_kbps = 96\nvoice = "en-gb"\nsample_rate = 48000\n')
    env = {"NARRATE_BITRATE_KBPS": "128", "NARRATE_PAUSE_SENTENCE_S": "0.5"}
    config = load_config(toml, env=env, overrides={"voice": "silent", "lame_quality": None})
    assert config.bitrate_kbps == 128  # environment beats the file
    assert config.voice == "silent"  # flags beat everything
    assert config.sample_rate == 48000  # file beats defaults
    assert config.pause_sentence_s == 0.5
    assert config.lame_quality == Config().lame_quality  # None means "not given"


def test_render_section_of_a_feed_config(tmp_path: Path) -> None:
    toml = tmp_path / "narrate.toml"
    toml.write_text('[render]\nvoice = "en-gb"\n[podcast]\ntitle = "News"\n')
    assert load_config(toml, env={}).voice == "en-gb"


def test_bad_values_say_what_is_expected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"bitrate_kbps.*int.*example"):
        load_config(env={"NARRATE_BITRATE_KBPS": "fast"})
    with pytest.raises(ConfigError, match=r"Unknown setting 'bitrate'"):
        Config().with_overrides({"bitrate": 3})
    bad = tmp_path / "bad.toml"
    bad.write_text("voice = \n")
    with pytest.raises(ConfigError, match=r"not valid TOML"):
        load_config(bad, env={})


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("sample_rate", "0", "one of 32000, 44100, 48000"),
        ("sample_rate", "12345", "one of 32000, 44100, 48000"),
        ("bitrate_kbps", "77", "an MP3 bitrate"),
        ("bitrate_kbps", "-5", "an MP3 bitrate"),
        ("lame_quality", "42", "0 to 9"),
        ("id3_version", "5", "3 or 4"),
        ("loudness_lufs", "10", "between -40 and -8"),
        ("true_peak_dbtp", "3", "between -9 and 0"),
        ("pause_sentence_s", "-1", "0 to 10 seconds"),
        ("fetch_timeout_s", "-1", "more than 0"),
        ("service_worker_nice", "20", "0 to 19"),
    ],
)
def test_values_out_of_range_are_refused_when_read(name: str, value: str, expected: str) -> None:
    """Each of these failed deep in a render, after it, or not at all (a wrong file)."""
    with pytest.raises(ConfigError, match=rf"'{name}' must be {expected}.*example: {name} ="):
        load_config(env={f"NARRATE_{name.upper()}": value})


def test_values_in_range_are_kept() -> None:
    config = load_config(
        env={"NARRATE_SAMPLE_RATE": "48000", "NARRATE_BITRATE_KBPS": "320",
             "NARRATE_LOUDNESS_LUFS": "-23", "NARRATE_PAUSE_TITLE_S": "0"}
    )  # fmt: skip
    assert (config.sample_rate, config.bitrate_kbps, config.loudness_lufs) == (48000, 320, -23)
    assert config.pause_title_s == 0


def test_a_service_table_sets_the_service_settings_and_secrets_are_masked(tmp_path: Path) -> None:
    from narrate.config import SECRET_MASK, shown_value

    toml = tmp_path / "service.toml"
    toml.write_text('[render]\nvoice = "silent"\n\n[service]\nsecret = "s3cret"\nlease_s = 5\n')
    config = load_config(toml, env={"NARRATE_SERVICE_LEASE_S": "7"})
    assert config.service_secret == "s3cret" and config.voice == "silent"
    assert config.service_lease_s == 7.0  # the environment still wins
    assert shown_value(config, "service_secret") == SECRET_MASK
    assert shown_value(config, "service_token") == ""  # unset: nothing to hide
    assert shown_value(config, "voice") == "silent"


def test_a_config_files_paths_are_relative_to_it_and_tilde_is_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    site = tmp_path / "site"
    site.mkdir()
    toml = site / "narrate.toml"
    toml.write_text(
        'artwork = "cover.png"\nintro_audio = "~/jingle.wav"\noutro_audio = "/abs/out.wav"\n'
        'voice = "~/voices/house.toml"\n'
    )
    config = load_config(toml, env={"NARRATE_LEXICON": "mine.tsv"})
    assert config.artwork == str(site / "cover.png")
    assert config.intro_audio == str(tmp_path / "home" / "jingle.wav")
    assert config.outro_audio == "/abs/out.wav"
    assert config.voice == str(tmp_path / "home" / "voices" / "house.toml")
    assert config.lexicon == "mine.tsv", "the environment's paths are the user's, as given"
