"""narrate's own words around a story in the story's language, and the language of a page that
declares none or the wrong one (tests/fixtures/lang: Ukrainian, Russian and German pages with an
author and a date; a windows-1251 Ukrainian page without ``lang``; a German page tagged English
and an English one tagged German)."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from conftest import FIXTURES
from mutagen.id3 import ID3

import narrate
from narrate.clean._language import resolve_language
from narrate.config import Config
from narrate.framing import framing_for
from narrate.model import Article, Block
from narrate.pipeline import Script
from narrate.segment import segment

PAGES = FIXTURES / "lang"
LATIN = re.compile(r"[A-Za-z]")


def script(page: str, config: Config | None = None) -> Script:
    config = config or Config()
    return narrate.script(narrate.extract(str(PAGES / page), config), config)


def frame(spoken: Script) -> list[tuple[str, str, str]]:
    """(role, chapter, spoken) of every segment that is narrate's, not the story's."""
    return [(s.role, s.chapter, s.spoken) for s in spoken.segments if s.role != "body"]


# --- (a) the frame in the article's language ----------------------------------------------


def test_a_ukrainian_page_is_framed_in_ukrainian() -> None:
    spoken = script("uk.html")
    assert spoken.voice == "uk"
    assert frame(spoken) == [
        ("title", "Вступ", "Київ отримав сорок нових автобусів."),
        ("byline", "Вступ", "Автор: Олена Петренко."),
        ("date", "Вступ", "п'ятого травня дві тисячі двадцять п'ятого року."),
        ("heading", "Що зміниться для пасажирів", "Що зміниться для пасажирів"),
        ("disclosure", "Про цей запис", "Цей аудіозапис озвучено синтезованим голосом."),
    ]
    assert {s.chapter for s in spoken.segments if s.role == "body"} == {
        "Стаття",
        "Що зміниться для пасажирів",
    }
    # The page has no Latin letter, so nothing the Ukrainian voice says may have one.
    assert not [s.spoken for s in spoken.segments if LATIN.search(s.spoken)]


def test_a_russian_page_is_framed_in_russian() -> None:
    spoken = script("ru.html")
    assert spoken.voice == "ru"
    assert frame(spoken) == [
        ("title", "Вступление", "Город получил сорок новых автобусов."),
        ("byline", "Вступление", "Автор: Ирина Смирнова."),
        ("date", "Вступление", "пятого мая две тысячи двадцать пятого года."),
        ("heading", "Что изменится для пассажиров", "Что изменится для пассажиров"),
        ("disclosure", "Об этой записи", "Эта аудиозапись озвучена синтезированным голосом."),
    ]
    assert not [s.spoken for s in spoken.segments if LATIN.search(s.spoken)]


def test_a_language_narrate_does_not_frame_hears_no_english() -> None:
    spoken = script("de.html")
    assert spoken.voice == "espeak-de"
    # The names alone, no date (no German date words) and no English disclosure.
    assert frame(spoken) == [
        ("title", "Introduction", "Die Stadt bekommt vierzig neue Busse."),
        ("byline", "Introduction", "Anna Schmidt."),
    ]
    assert not any(s.role == "disclosure" for s in spoken.segments)


def test_a_disclosure_the_user_wrote_is_spoken_in_any_language() -> None:
    spoken = script("de.html", Config(disclosure="Diese Stimme ist synthetisch."))
    assert frame(spoken)[-1] == ("disclosure", "About this audio", "Diese Stimme ist synthetisch.")
    # ... and replaces narrate's own sentence in the languages it frames
    spoken = script("uk.html", Config(disclosure="Голос синтезовано."))
    assert frame(spoken)[-1] == ("disclosure", "Про цей запис", "Голос синтезовано.")
    assert not any(
        s.role == "disclosure" for s in script("uk.html", Config(disclosure="")).segments
    )


def test_an_english_page_keeps_its_english_frame() -> None:
    page = Article(
        title="T", blocks=(Block("paragraph", "Body."),), authors=("Ann Lee", "Bo Chen"),
        published="2025-05-05", language="en-GB",
    )  # fmt: skip
    spoken = narrate.script(page, Config())
    assert frame(spoken) == [
        ("title", "Introduction", "T."),
        ("byline", "Introduction", "By Ann Lee and Bo Chen."),
        ("date", "Introduction", "May fifth, twenty twenty-five."),
        (
            "disclosure",
            "About this audio",
            "This audio was generated with an offline synthetic voice.",
        ),
    ]


def test_the_frame_follows_an_explicitly_chosen_voice() -> None:
    # A Ukrainian page forced to the English voice is framed, and its date read, in English.
    spoken = script("uk.html", Config(voice="en-gb"))
    roles = {s.role: s.spoken for s in spoken.segments}
    assert roles["byline"] == "By Олена Петренко."
    assert roles["date"].startswith("May fifth")
    assert roles["disclosure"].startswith("This audio")


@pytest.mark.parametrize(
    ("language", "authors", "line"),
    [
        ("uk", ("Олена Петренко", "Іван Коваль"), "Автори: Олена Петренко та Іван Коваль."),
        ("ru", ("А", "Б", "В"), "Авторы: А, Б и В."),
        ("uk", ("Автор: Олена Петренко",), "Автор: Олена Петренко."),
        ("de", ("Anna Schmidt", "Jan Berg"), "Anna Schmidt, Jan Berg."),
    ],
)
def test_bylines_in_other_languages(language: str, authors: tuple[str, ...], line: str) -> None:
    page = Article(title="", blocks=(Block("paragraph", "x"),), authors=authors, language=language)
    assert [s.text for s in segment(page) if s.role == "byline"] == [line]


@pytest.mark.parametrize(
    ("language", "published", "line"),
    [
        ("uk", "2024-12-31T23:59:59Z", "31 грудня 2024 року."),
        ("ru", "2024-02-29", "29 февраля 2024 года."),
        ("uk-UA", "2025-01-01", "1 січня 2025 року."),
    ],
)
def test_dates_in_other_languages(language: str, published: str, line: str) -> None:
    page = Article(
        title="", blocks=(Block("paragraph", "x"),), published=published, language=language
    )
    assert [s.text for s in segment(page) if s.role == "date"] == [line]


def test_the_article_byline_joins_names_in_its_language() -> None:
    page = Article(title="", blocks=(), authors=("А", "Б"), language="ru")
    assert page.byline == "А и Б"
    assert Article(title="", blocks=(), authors=("A", "B")).byline == "A and B"


def _tone(path: Path, seconds: float) -> Path:
    rate = 22050
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                int(12000 * math.sin(2 * math.pi * 440 * i / rate)).to_bytes(
                    2, "little", signed=True
                )
                for i in range(int(seconds * rate))
            )
        )
    return path


def test_a_ukrainian_render_has_ukrainian_chapters_and_transcript(tmp_path: Path) -> None:
    episode = narrate.render(
        str(PAGES / "uk.html"), tmp_path / "uk.mp3", Config(artwork_from_page=False)
    )
    titles = ["Вступ", "Стаття", "Що зміниться для пасажирів", "Про цей запис"]
    assert [c.title for c in episode.chapters] == titles
    chapters = json.loads((tmp_path / "uk.chapters.json").read_text(encoding="utf-8"))
    assert [c["title"] for c in chapters["chapters"]] == titles
    tags = ID3(tmp_path / "uk.mp3")
    frames = sorted(tags.getall("CHAP"), key=lambda f: f.start_time)
    assert [str(f.sub_frames["TIT2"]) for f in frames] == titles
    lines = (tmp_path / "uk.txt").read_text(encoding="utf-8").splitlines()
    assert lines[1:3] == ["Автор: Олена Петренко.", "5 травня 2025 року."]
    assert lines[-1] == "Цей аудіозапис озвучено синтезованим голосом."


def test_outro_music_after_a_ukrainian_story_is_a_ukrainian_chapter(tmp_path: Path) -> None:
    config = Config(outro_audio=str(_tone(tmp_path / "outro.wav", 1.0)), disclosure="")
    episode = narrate.render(str(PAGES / "ru.html"), tmp_path / "ru.mp3", config)
    assert [c.title for c in episode.chapters][-1] == "Завершение"
    # With the disclosure, the outro joins its chapter, as in English.
    config = Config(outro_audio=config.outro_audio)
    episode = narrate.render(str(PAGES / "uk.html"), tmp_path / "uk.mp3", config)
    assert [c.title for c in episode.chapters][-1] == "Про цей запис"
    assert framing_for("uk").outro_chapter not in [c.title for c in episode.chapters]


# --- (b) a page without lang ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (["Місто отримало нові автобуси, і вони вже їздять."], "uk"),
        (["Город получил новые автобусы, и они уже ездят."], "ru"),
        (["Їжак", "Съешь же ещё этих мягких французских булок."], "ru"),  # more Russian letters
        (["Україна підписала угоду з NATO та EBRD щодо Starlink."], "uk"),  # Latin words inside
        (["Город"], "ru"),  # neither language's own letters: Russian (see _language.py)
        (["Kyiv signed a deal with the EBRD (ЄБРР) on Tuesday."], None),  # mostly Latin
        (["Die Stadt bekommt neue Busse."], None),
        (["", "123 456 — %"], None),
    ],
)
def test_infer_language(texts: list[str], language: str | None) -> None:
    assert resolve_language(None, texts) == language


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NARRATE_")}
    return subprocess.run(
        [sys.executable, "-m", "narrate", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_a_cyrillic_page_without_lang_says_its_language_and_gets_its_voice() -> None:
    page = PAGES / "uk-windows-1251-no-lang.html"
    assert b'lang="' not in page.read_bytes()
    result = _cli("clean", "--json", str(page))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["language"] == "uk"
    assert data["title"] == "Київ отримав сорок нових автобусів"
    spoken = script(page.name)
    assert spoken.voice == "uk"
    assert ("byline", "Вступ", "Автор: Олена Петренко.") in frame(spoken)
    assert any("сорок нових автобусів" in s.spoken for s in spoken.segments if s.role == "body")


def test_a_declared_language_gives_way_only_to_plain_evidence(tmp_path: Path) -> None:
    # Cyrillic under lang="en" was once kept as English; the English voice cannot read a word
    # of it, so the alphabet now wins (see (c) for Latin-script text).
    page = tmp_path / "en.html"
    text = (PAGES / "ru.html").read_text(encoding="utf-8").replace('lang="ru"', 'lang="en"')
    page.write_text(text, encoding="utf-8")
    assert narrate.extract(str(page), Config()).language == "ru"
    # A short German page without lang has too few words to call: the default voice, en-us.
    latin = tmp_path / "latin.html"
    latin.write_text(
        (PAGES / "de.html").read_text(encoding="utf-8").replace(' lang="de"', ""), encoding="utf-8"
    )
    assert narrate.extract(str(latin), Config()).language is None
    # ... and the same page under lang="en" stays English.
    latin.write_text(
        (PAGES / "de.html").read_text(encoding="utf-8").replace('lang="de"', 'lang="en"'),
        encoding="utf-8",
    )
    assert narrate.extract(str(latin), Config()).language == "en"


# --- (c) a page that declares the wrong language ------------------------------------------

GERMAN = (
    "Die Messe in Köln hat in diesem Jahr mehr als 40.000 Besucher gezählt, teilten die "
    "Veranstalter am Freitag mit. Das sind deutlich mehr als im vergangenen Jahr, als die Halle "
    "wegen der Bauarbeiten nur zur Hälfte genutzt werden konnte. Die meisten Aussteller kamen "
    "aus Deutschland und den Niederlanden. Viele von ihnen zeigten neue Geräte für die Arbeit "
    "im Büro, aber auch Programme, mit denen sich die Daten der Kunden besser schützen lassen."
)
ENGLISH = (
    "The trade fair in Cologne counted more than 40,000 visitors this year, the organisers said "
    "on Friday. That is far more than last year, when only half of the hall could be used "
    "because of the building work. Most of the exhibitors came from Germany and the "
    "Netherlands. Many of them showed new devices for office work, but also programs that keep "
    "their customers' data safer, and the city said it would improve the rail link."
)


@pytest.mark.parametrize(
    ("declared", "texts", "language"),
    [
        ("en", [GERMAN], "de"),  # a German story under a template's lang="en"
        ("de", [ENGLISH], "en"),
        ("en-US", [ENGLISH], "en-US"),  # agreeing: the tag is kept, region and all
        ("de-AT", [GERMAN], "de-AT"),
        ("en", [GERMAN[:120]], "en"),  # too few words to overrule the page
        ("en", [ENGLISH, GERMAN[:200]], "en"),  # an English story quoting some German
        ("tr", [ENGLISH], "tr"),  # no word list for Turkish: nothing to say it is wrong
        ("ru", [ENGLISH], "en"),  # Russian is never written in Latin letters
        ("ja", ["ショートカットキーで立ち上がらなくする方法です。" * 20, ENGLISH], "ja"),
        ("en", ["Город получил новые автобусы, и они уже ездят."], "ru"),
        ("bg", ["Градът получи нови автобуси."], "bg"),  # Cyrillic, not only uk or ru
        (None, [GERMAN], "de"),
        (None, [ENGLISH], "en"),
    ],
)
def test_resolve_language(declared: str | None, texts: list[str], language: str | None) -> None:
    assert resolve_language(declared, texts) == language


def test_a_german_page_tagged_english_is_read_by_the_german_voice() -> None:
    spoken = script("de-tagged-en.html")
    assert spoken.voice == "espeak-de"
    # German number rules: the thousands dot is not an English decimal point.
    assert not [s.spoken for s in spoken.segments if "point" in s.spoken]


def test_an_english_page_tagged_german_is_read_by_the_english_voice() -> None:
    spoken = script("en-tagged-de.html")
    assert spoken.voice == "en-us"
    assert any("forty thousand" in s.spoken for s in spoken.segments)
