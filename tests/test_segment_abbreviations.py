"""Sentence ends after titles, datelines, initials and per-language abbreviations (review pages:
a Nigerian Senate motion, an AP dateline, a German health-IT article, an Indonesian citation)."""

from __future__ import annotations

import pytest

from narrate.model import Article, Block
from narrate.segment import segment


def texts(text: str, language: str | None = None) -> list[str]:
    page = Article(title="", blocks=(Block("paragraph", text),), language=language)
    return [s.text for s in segment(page)]


@pytest.mark.parametrize(
    "text",
    [
        "He mourned former Speaker of the House Rt. Hon. B. U. Nzeribe and Hon. Funke Adedoyin "
        "on Tuesday.",
        "ST. JOSEPH, Mich. (AP) — Michigan health authorities report a sixth death.",
        "SACRAMENTO, Calif. (AP) — The governor signed the bill.",
        "He was born in Tampa, Fla. and moved to Phoenix, Ariz. last year.",
        # A state before a dash, not a capital: the old rule split here (the case above holds
        # on the lower-case word alone).
        "He was born in Phoenix, Ariz. — The governor said so.",
        "REP. JOHN SMITH and SEN. ANN LEE spoke.",
        "Msgr. Ryan and Supt. Hale met Det. Cruz.",
        "The story was first reported by E! News on Monday.",
        "The hadith is sound [HR. At-Tirmidzi no. 1997, Shahih Al-Jami’ no. 178] and well known.",
        "See the ruling (Art. 5 Abs. 2. Nr. 3) before you sign.",
    ],
)
def test_titles_datelines_and_asides_stay_whole(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He lives in Mich. He left in May.", ["He lives in Mich.", "He left in May."]),
        ("They moved to Calif. The rent was high.", ["They moved to Calif.", "The rent was high."]),
        ("She got an A! Then she went home.", ["She got an A!", "Then she went home."]),
        (
            "The symposium is at Riveredge in Chesapeake City, MD. VIP tickets sold out.",
            ["The symposium is at Riveredge in Chesapeake City, MD.", "VIP tickets sold out."],
        ),
        (
            "He spoke at length (he always does. Nobody minds.) and left. It rained.",
            ["He spoke at length (he always does. Nobody minds.) and left.", "It rained."],
        ),
    ],
)
def test_real_sentence_ends_still_split(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "TK-Safe steht bundesweit ca. 10 Mio. Versicherten zur Verfügung.",
        "Die Kosten liegen bei 2 Mrd. Euro pro Jahr.",
        "Viele Daten, z.B. Arztbriefe, liegen nur auf Papier vor.",
        "Das betrifft Disruption bzw. Digital Darwinismus gleichermaßen.",
        "Die Messe beginnt am 3. Oktober in Köln.",
        "Geregelt ist das in Nr. 4 SGB V und in Abs. 3 des Gesetzes.",
    ],
)
def test_german_abbreviations_in_a_german_article(text: str) -> None:
    assert texts(text, "de-DE") == [text]


def test_german_abbreviations_still_end_german_sentences() -> None:
    assert texts("Es gab Äpfel, Birnen usw. Die Kinder aßen alles.", "de") == [
        "Es gab Äpfel, Birnen usw.",
        "Die Kinder aßen alles.",
    ]


def test_german_rules_stay_with_german_articles() -> None:
    # An English article ending a sentence on a year keeps the split German ordinals would undo.
    assert texts("The vote was in 2024. 2025 will be different.") == [
        "The vote was in 2024.",
        "2025 will be different.",
    ]


def test_indonesian_etc_still_ends_a_sentence() -> None:
    text = "Imam Bukhari, Imam Muslim dsb. Sebagian perawi haditsnya dari Syiah."
    assert texts(text, "id-ID") == [
        "Imam Bukhari, Imam Muslim dsb.",
        "Sebagian perawi haditsnya dari Syiah.",
    ]
