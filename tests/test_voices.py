"""Voice profiles and lexicons are validated data."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.errors import ConfigError
from narrate.normalize import normalize_text
from narrate.voices import (
    Lexicon,
    LexiconEntry,
    builtin_voices_dir,
    find_profile,
    lexicon_for,
    list_profiles,
    load_lexicon,
    load_profile,
)


def test_shipped_profiles_load_and_default_is_espeak() -> None:
    names = {p.name for p in list_profiles()}
    assert {"en-us", "en-gb", "en-us-pyttsx3", "silent"} <= names
    default = find_profile("en-us")
    assert default.engine == "espeak"
    assert default.quote.id != default.narrator.id or default.quote.pitch != default.narrator.pitch


def _profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "key", "example"),
    [
        ('engine = "espeak"\nlanguage = "en"\n', "voice", 'voice = "en-us"'),
        (
            'engine = "espeak"\nvoice = "en-us"\nlanguage = "en"\nrate = "fast"\n',
            "rate",
            "rate = 175",
        ),
        (
            'engine = "espeak"\nvoice = "en-us"\nlanguage = "en"\npitch = 300\n',
            "pitch",
            "pitch = 50",
        ),
        (
            'engine = "espeak"\nvoice = "en-us"\nlanguage = "en"\n[quote]\nrate = 20\n',
            "quote.rate",
            "rate = 175",
        ),
    ],
)
def test_bad_profile_names_file_key_and_example(
    tmp_path: Path, text: str, key: str, example: str
) -> None:
    path = _profile(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_profile(path)
    message = str(info.value)
    assert str(path) in message and f"'{key}'" in message and example in message
    assert "\n" not in message


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    path = _profile(tmp_path, 'engine = "espeak"\nvoice = "x"\nlanguage = "en"\nspeed = 3\n')
    with pytest.raises(ConfigError, match=r"unknown key 'speed'"):
        load_profile(path)


def test_profile_by_path_and_extra_folder(tmp_path: Path) -> None:
    path = tmp_path / "house.toml"
    path.write_text('engine = "silent"\nvoice = "silent"\nlanguage = "en"\n')
    assert find_profile(str(path)).name == "house"
    assert find_profile("house", str(tmp_path)).engine == "silent"
    with pytest.raises(ConfigError, match=r"Available voices: .*en-us"):
        find_profile("nowhere")


def test_lexicon_is_whole_word_and_case_sensitive() -> None:
    lexicon = Lexicon((LexiconEntry("Kyiv", "Keev"), LexiconEntry("Kryvyi Rih", "Krivy Rih")))
    text, changes = lexicon.apply("Kyiv's mayor, not kyiv or Kyivstar, visited Kryvyi Rih.")
    assert text == "Keev's mayor, not kyiv or Kyivstar, visited Krivy Rih."
    assert changes == [("Kyiv", "Keev"), ("Kryvyi Rih", "Krivy Rih")]


def test_lexicon_phonemes_only_for_engines_that_read_them() -> None:
    lexicon = Lexicon((LexiconEntry("Kyiv", "Keev", "k'i:v"),))
    assert lexicon.apply("Kyiv", phonemes=True)[0] == "[[k'i:v]]"
    assert lexicon.apply("Kyiv", phonemes=False)[0] == "Keev"


def test_lexicon_files_with_regex_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "x.tsv"
    good.write_text("# comment\nPeskov\tPeskoff\nre:\\bkm/h\\b\tkilometres an hour\n")
    lexicon = load_lexicon([good])
    assert lexicon.apply("Peskov drove at 50 km/h")[0] == "Peskoff drove at 50 kilometres an hour"
    bad = tmp_path / "bad.tsv"
    bad.write_text("Peskov Peskoff\n")
    with pytest.raises(ConfigError, match=r"line 1.*Example"):
        load_lexicon([bad])


def test_shipped_english_lexicon_covers_the_example_names() -> None:
    lexicon = lexicon_for(find_profile("en-us"))
    spoken = normalize_text("Kyiv, Kharkiv and Zaporizhzhia; Peskov told Zelensky.", lexicon)
    assert "Kharkiv" not in spoken.text
    assert ("Kharkiv", "Harkiv") in spoken.changes
    assert (builtin_voices_dir() / "lexicon" / "en.tsv").is_file()


def test_the_english_lexicon_respells_for_voices_that_read_no_phonemes() -> None:
    # Measured with Whisper tiny.en (voices/lexicon/en.tsv says how): the neural voices say
    # Kyiv, Peskov, Volodymyr and Odesa best as written, Kharkiv as "Harkiv", and never a
    # syllable at a time ("Vo-lo-di-mir" was heard as three words).
    lexicon = lexicon_for(find_profile("en-us-hibari"))
    text = "Kyiv, Kharkiv: Peskov told President Volodymyr Zelensky and Putin."
    respelled = normalize_text(text, lexicon, phonemes=False).text
    assert respelled == "Kyiv, Harkiv: Peskov told President Volodymyr Zelensky and Putin."
    said = normalize_text(text, lexicon, phonemes=True).text
    assert "[[k'i:Iv]]" in said and "[[p'Esk0f]]" in said and "[[p'u:tIn]]" in said
    hyphenated = [e.written for e in lexicon.entries if "-" in e.respelling]
    assert "Volodymyr" not in hyphenated and len(hyphenated) <= 4


def test_normalize_drops_symbols_that_are_never_read() -> None:
    assert normalize_text("Breaking | *Live*  updates •  (  )").text == "Breaking Live updates"


@pytest.mark.parametrize(
    ("language", "profile"),
    [
        ("en", "en-us"),
        ("en-US", "en-us"),
        ("en-GB", "en-gb"),
        ("en_gb", "en-gb"),
        ("uk", "uk"),
        ("uk-UA", "uk"),
        ("ru", "ru"),
        ("de", "espeak-de"),
        (None, "en-us"),
    ],
)
def test_the_article_language_picks_the_profile(language: str | None, profile: str) -> None:
    from narrate.voices import choose_profile

    assert choose_profile("auto", language).name == profile
    assert choose_profile("en-gb", language).name == "en-gb"
