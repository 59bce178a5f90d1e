"""Japanese and Chinese sentences end at full-width marks with no space after them (a review
page read a 434-character Japanese paragraph as one segment)."""

from __future__ import annotations

from narrate.model import Article, Block
from narrate.segment import segment


def texts(text: str, language: str = "ja") -> list[str]:
    page = Article(title="", blocks=(Block("paragraph", text),), language=language)
    return [s.text for s in segment(page)]


def test_japanese_splits_at_full_width_marks() -> None:
    text = (
        "使わない時はタスクバーに格納しておきます。"
        "ところがKindleが立ち上がってしまいます！ "
        "なぜでしょうか？これが困ったもの。"
    )
    assert texts(text) == [
        "使わない時はタスクバーに格納しておきます。",
        "ところがKindleが立ち上がってしまいます！",
        "なぜでしょうか？",
        "これが困ったもの。",
    ]


def test_closing_brackets_stay_with_their_sentence() -> None:
    text = "彼は「もう帰る。」と言った。「また明日。」そして帰った。"
    assert texts(text) == ["彼は「もう帰る。」と言った。", "「また明日。」", "そして帰った。"]


def test_a_short_bracketed_quotation_is_not_cut() -> None:
    text = "「もう帰る。明日また来る。」と彼は言った。"
    assert texts(text) == [text]


def test_chinese_splits_too() -> None:
    assert texts("今天下雨了。我们没有出门！你呢？", "zh") == [
        "今天下雨了。",
        "我们没有出门！",
        "你呢？",
    ]


def test_a_run_of_marks_is_one_end() -> None:
    assert texts("本当ですか！？信じられない。") == ["本当ですか！？", "信じられない。"]
