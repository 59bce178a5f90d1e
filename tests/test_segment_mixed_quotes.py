"""Quotations whose opening and closing marks differ in kind (straight and curly), as pages
typed by hand and edited in a CMS often have them: the attribution between two quotations
must stay the narrator's."""

from __future__ import annotations

from narrate.model import Article, Block
from narrate.segment import segment


def voiced(text: str) -> list[tuple[str, bool]]:
    page = Article(title="", blocks=(Block("paragraph", text),))
    return [(s.text, s.quoted) for s in segment(page)]


def test_straight_open_curly_close_then_a_straight_quotation() -> None:
    text = (
        '"And I asked, well, on whose authority?” said Hill, who will testify Thursday. '
        '"And he said, the President."'
    )
    assert voiced(text) == [
        ('"And I asked, well, on whose authority?”', True),
        ("said Hill, who will testify Thursday.", False),
        ('"And he said, the President."', True),
    ]


def test_curly_open_straight_close() -> None:
    assert voiced('“We will be back very soon," she said. It rained.') == [
        ('“We will be back very soon,"', True),
        ("she said.", False),
        ("It rained.", False),
    ]


def test_a_quotation_of_several_sentences_is_spoken_whole() -> None:
    assert voiced('"Open the door! We’re coming in!” an officer shouts.') == [
        ('"Open the door!', True),
        ("We’re coming in!”", True),
        ("an officer shouts.", False),
    ]


def test_a_straight_quotation_nested_in_a_curly_one() -> None:
    text = '“He told me "no" twice, and then he left the room,” she said.'
    assert voiced(text) == [
        ('“He told me "no" twice, and then he left the room,”', True),
        ("she said.", False),
    ]
