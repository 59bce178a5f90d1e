"""What the transcript shows where the engine reads phonemes or a respelling."""

from __future__ import annotations

import re

from narrate.model import Respelling
from narrate.normalize import normalize_text
from narrate.respell import shown_text, shown_words, substitute
from narrate.voices import Lexicon, LexiconEntry, builtin_voices_dir, load_lexicon


def _shown(text: str, respelled: tuple[Respelling, ...]) -> list[tuple[str, str]]:
    """Each shown word and the read text it stands for."""
    return [(w.text, text[w.start : w.end]) for w in shown_words(text, respelled)]


def test_lexicon_replacements_are_kept_with_the_words_they_replace() -> None:
    lexicon = Lexicon((LexiconEntry("Kyiv", "Keev", "k'i:Iv"), LexiconEntry("Putin", "Pootin")))
    text, respelled, _ = lexicon.respell("Putin's Kyiv, and Kyiv-based firms.", phonemes=True)
    assert text == "Pootin's [[k'i:Iv]], and [[k'i:Iv]]-based firms."
    assert respelled == (
        Respelling(0, 6, "Putin"),
        Respelling(9, 19, "Kyiv"),
        Respelling(25, 35, "Kyiv"),
    )
    assert shown_text(text, respelled) == "Putin's Kyiv, and Kyiv-based firms."
    assert _shown(text, respelled) == [
        ("Putin's", "Pootin's"),
        ("Kyiv", "[[k'i:Iv]],"),
        ("and", "and"),
        ("Kyiv-based", "[[k'i:Iv]]-based"),
        ("firms", "firms."),
    ]


def test_a_respelling_that_reads_as_written_is_not_recorded() -> None:
    lexicon = Lexicon((LexiconEntry("Odesa", "Odesa", "oUd'Es@"),))
    assert lexicon.respell("Odesa", phonemes=False) == ("Odesa", (), [("Odesa", "Odesa")])


def test_a_pattern_that_cuts_into_a_respelling_takes_it_whole() -> None:
    lexicon = Lexicon(
        (
            LexiconEntry("Kyiv", "Keev", "k'i:Iv"),
            LexiconEntry("i:", "EE", pattern=True),  # inside the phonemes
            LexiconEntry(r"(\w+)-based", r"\1 based", pattern=True),  # across a respelling
        )
    )
    text, respelled, _ = lexicon.respell("Kyiv and Kyiv-based firms", phonemes=True)
    assert text == "[[k'EEIv]] and [[k'EEIv]]-based firms"
    assert shown_text(text, respelled) == "Kyiv and Kyiv-based firms"
    text, respelled, _ = lexicon.respell("Kyiv-based firms", phonemes=False)
    assert text == "Keev based firms"
    assert respelled == (Respelling(0, 10, "Kyiv-based"),)
    assert _shown(text, respelled) == [("Kyiv-based", "Keev based"), ("firms", "firms")]


def test_substitute_moves_earlier_respellings_with_the_text() -> None:
    before = (Respelling(0, 3, "one"), Respelling(9, 12, "two"))
    text, respelled = substitute("aaa bb c ddd", before, re.compile("bb"), lambda m: "BBBBB")
    assert text == "aaa BBBBB c ddd"
    assert respelled == (
        Respelling(0, 3, "one"),
        Respelling(4, 9, "bb"),
        Respelling(12, 15, "two"),
    )
    # An insertion just before a respelling is a span of its own.
    text, respelled = substitute("ddd", (Respelling(0, 3, "two"),), re.compile("^"), lambda m: "x ")
    assert text == "x ddd" and respelled == (Respelling(0, 2, ""), Respelling(2, 5, "two"))
    assert [w.text for w in shown_words(text, respelled)] == ["x", "two"]


def test_several_written_words_said_as_one_share_its_span() -> None:
    lexicon = Lexicon((LexiconEntry("т. н.", "так называемый"),))
    text, respelled, _ = lexicon.respell("это т. н. элита")
    assert text == "это так называемый элита"
    words = shown_words(text, respelled)
    assert [w.text for w in words] == ["это", "т", "н", "элита"]
    assert (words[1].start, words[1].end) == (4, 18) and words[2].start == 18


def test_normalize_keeps_the_written_words_of_every_phoneme_span() -> None:
    english = load_lexicon([builtin_voices_dir() / "lexicon" / "en.tsv"])
    written = "Peskov's aide met Putin in Kyiv at 10 a.m., the USA said."
    said = normalize_text(written, english, "en-US", phonemes=True)
    assert "[[" in said.text and "Kyiv" not in said.text
    # The English rules' phonemes for the letter A are shown as the letter, in a time as "a".
    assert shown_text(said.text, said.respelled) == normalize_text(written, None, "en-US").text
    assert [w.text for w in shown_words(said.text, said.respelled)] == [
        *["Peskov's", "aide", "met", "Putin", "in", "Kyiv", "at", "ten", "a", "m"],
        *["the", "U", "S", "A", "said"],
    ]
