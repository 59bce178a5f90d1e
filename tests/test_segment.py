"""Tests for stage 3, ``narrate.segment``: sentences, quotations, chapters and pauses."""

from __future__ import annotations

import dataclasses
import time

import pytest

from narrate.model import Article, Block, BlockKind, Segment
from narrate.segment import Pauses, segment

# Paragraphs from a Kyiv Independent report (May 2025).
KYIV = (
    "The meeting between Russian President Vladimir Putin and U.S. President Donald Trump is "
    "necessary in many ways, but has not been scheduled yet, Kremlin spokesperson Dmitry Peskov "
    "said on May 5.",
    '"Such a meeting is clearly on the radar, and in many ways, we believe that it is certainly '
    "necessary. It must be prepared appropriately, and this requires efforts at a variety of "
    'expert levels," Peskov said.',
    "Trump has reportedly grown frustrated with the slow progression of peace negotiations, "
    'claiming on April 26 that Putin may be "tapping me along," and that he may not be '
    "interested in ending the war.",
    "Trump has also reportedly been wavering over his commitment to continue to serve as a "
    "mediator between Ukraine and Russia. A possible exit from the peace efforts raises concerns "
    "that the U.S. might also cease all backing for Ukraine, including intelligence support.",
    "The deal was negotiated over several months and led to a low point in bilateral relations "
    "following the infamous White House argument between President Volodymyr Zelensky and Trump "
    "on Feb. 28.",
)


def article(*blocks: Block, **meta: object) -> Article:
    return Article(title=str(meta.pop("title", "")), blocks=blocks, **meta)  # type: ignore[arg-type]


def body(*texts: str, kind: BlockKind = "paragraph") -> list[Segment]:
    """Segments of the body alone (no title) for paragraphs of one kind."""
    return segment(article(*(Block(kind, text) for text in texts)))


def texts(text: str) -> list[str]:
    return [s.text for s in body(text)]


def voiced(*paragraphs: str) -> list[tuple[str, bool]]:
    return [(s.text, s.quoted) for s in body(*paragraphs)]


# --- sentences that must stay whole -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith met Mrs. Jones and Ms. Lee at the clinic of Dr. Brown.",
        "The church of St. Mary stands on the hill.",
        "Gen. Mark Milley spoke to reporters.",
        "Lt. Col. John Smith and Col. Jane Doe arrived together.",
        "Sgt. Pepper met Capt. Kirk, Maj. Tom and Adm. Nelson.",
        "Gov. Newsom, Sen. Warren and Rep. Ocasio-Cortez spoke with Rev. Sharpton.",
        "Prof. Jane Goodall gave the lecture.",
        "Martin Luther King Jr. Day is a holiday, and John Smith Sr. Memorial Park is open.",
        "Apple Inc. Chief Executive Tim Cook spoke.",
        "Acme Co. Chairman Bob Jones and Ford Motor Corp. President Ann Lee met.",
        "Widgets Ltd. Director Sam Roe resigned.",
        "He lives at No. 10 Downing Street.",
        "It was Real Madrid vs. Barcelona on Sunday.",
        "Bring fruit, e.g. Apples and pears, to the picnic.",
        "Bring the papers, i.e. Passports and visas, to the desk.",
        "The crowd was approx. 5,000 people.",
        "The damage was est. 300 million dollars.",
        "The shop is open Mon.–Sun. from 9 a.m. every week.",
        "He spoke to reporters (Gen. Milley was absent) on Friday.",
        'The memo, titled "Dr. Strangelove" by staff, leaked.',
    ],
)
def test_abbreviations_do_not_end_a_sentence(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize(
    "month", ["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"]
)
def test_month_abbreviations_before_a_day(month: str) -> None:
    text = f"The talks began on {month}. 5 and ended later."
    assert texts(text) == [text]


@pytest.mark.parametrize(
    "day", ["Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun"]
)
def test_weekday_abbreviations_before_a_name(day: str) -> None:
    text = f"The vote is on {day}. Nov. 3 in Ohio."
    assert texts(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "J. R. R. Tolkien wrote the book.",
        "Donald J. Trump spoke on Monday.",
        "The author J. K. Rowling agreed.",
        "George W. Bush met John F. Kennedy Jr. in a dream.",
        "The architect I. M. Pei designed it.",
        "The author J. A. Smith agreed.",
    ],
)
def test_initials_do_not_end_a_sentence(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. might also cease all backing.",
        "U.S. President Donald Trump spoke.",
        "The U.K. Parliament voted on Tuesday.",
        "The U.N. Security Council met.",
        "The meeting is at 9 a.m. Monday and ends at 5 p.m. tomorrow.",
    ],
)
def test_dotted_acronyms_mid_sentence(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Growth was 3.5 percent this year.",
        "The deal is worth $1.2 billion, officials said.",
        "The figure was 1,000.5 tonnes.",
        "Version 2.0.1 shipped with 0.5% fewer bugs.",
    ],
)
def test_decimals_and_money_stay_whole(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Visit example.com for details.",
        "Write to a.b@c.org or see www.example.co.uk today.",
        "The file lives at https://example.com/a.b/c.html now.",
    ],
)
def test_urls_and_emails_stay_whole(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize("text", ["Wait... what happened here?", "Wait… what happened?"])
def test_ellipsis_before_lowercase_does_not_split(text: str) -> None:
    assert texts(text) == [text]


def test_spaced_ellipsis_does_not_split() -> None:
    assert texts("Wait . . . what now?") == ["Wait . . . what now?"]


def test_wordless_tail_is_glued_to_the_sentence_before() -> None:
    assert texts("It ended. **") == ["It ended. **"]


def test_whitespace_is_collapsed() -> None:
    assert texts("Hello   world.\n  Next\tline.") == ["Hello world.", "Next line."]


# --- sentences that must split ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He met Mr. Smith. The talks failed.", ["He met Mr. Smith.", "The talks failed."]),
        (
            "He works for Apple Inc. The company is big.",
            ["He works for Apple Inc.", "The company is big."],
        ),
        ("He lives on Main St. It is quiet.", ["He lives on Main St.", "It is quiet."]),
        ("The answer was No. Nobody agreed.", ["The answer was No.", "Nobody agreed."]),
        ("They chose plan B. The vote was close.", ["They chose plan B.", "The vote was close."]),
        ("They chose plan B. A vote followed.", ["They chose plan B.", "A vote followed."]),
        (
            "(He was born in the U.S.) Officials confirmed it.",
            ["(He was born in the U.S.)", "Officials confirmed it."],
        ),
        (
            "The list goes A, B, C... Nobody knows the rest.",
            ["The list goes A, B, C...", "Nobody knows the rest."],
        ),
        (
            "The vote was in 2024. 2025 will be different.",
            ["The vote was in 2024.", "2025 will be different."],
        ),
        ("Sales hit $1.2 billion. Profits fell.", ["Sales hit $1.2 billion.", "Profits fell."]),
        ("Is it over? Nobody knows. Stop!", ["Is it over?", "Nobody knows.", "Stop!"]),
        ("He paused… Then he spoke.", ["He paused…", "Then he spoke."]),
        ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
        ("Visit example.com. The site is free.", ["Visit example.com.", "The site is free."]),
    ],
)
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_us_at_the_end_of_a_sentence_splits() -> None:
    text = "Kyiv wants backing for the U.S. The deal was signed on Friday."
    assert texts(text) == ["Kyiv wants backing for the U.S.", "The deal was signed on Friday."]


def test_pm_at_the_end_of_a_sentence_splits() -> None:
    assert texts("He left at 5 p.m. He returned later.") == [
        "He left at 5 p.m.",
        "He returned later.",
    ]


def test_sentence_ending_in_a_closing_quote_splits() -> None:
    assert texts('She wrote "the end." Next sentence.') == [
        'She wrote "the end."',
        "Next sentence.",
    ]


def test_sentence_ending_in_a_closing_bracket_splits() -> None:
    assert texts("He spoke (like this.) Next one.") == ["He spoke (like this.)", "Next one."]


def test_sentence_starting_with_a_quote_mark_splits() -> None:
    assert voiced('He left. "We will be back very soon," she said.') == [
        ("He left.", False),
        ('"We will be back very soon,"', True),
        ("she said.", False),
    ]


# --- the Kyiv Independent paragraphs ------------------------------------------------------


def test_kyiv_report_sentence_with_us_president_is_one_segment() -> None:
    assert voiced(KYIV[0]) == [(KYIV[0], False)]


def test_kyiv_quote_then_attribution() -> None:
    assert voiced(KYIV[1]) == [
        (
            '"Such a meeting is clearly on the radar, and in many ways, we believe that it is '
            "certainly necessary.",
            True,
        ),
        (
            "It must be prepared appropriately, and this requires efforts at a variety of "
            'expert levels,"',
            True,
        ),
        ("Peskov said.", False),
    ]


def test_kyiv_scare_quote_stays_inline() -> None:
    assert voiced(KYIV[2]) == [(KYIV[2], False)]


def test_kyiv_us_mid_sentence_and_two_sentences() -> None:
    assert texts(KYIV[3]) == [
        "Trump has also reportedly been wavering over his commitment to continue to serve as a "
        "mediator between Ukraine and Russia.",
        "A possible exit from the peace efforts raises concerns that the U.S. might also cease all "
        "backing for Ukraine, including intelligence support.",
    ]


def test_kyiv_feb_abbreviation_before_day() -> None:
    assert texts(KYIV[4]) == [KYIV[4]]


def test_kyiv_blocks_and_pauses() -> None:
    segments = body(*KYIV)
    assert [s.block for s in segments] == [0, 1, 1, 1, 2, 3, 3, 4]
    assert [s.pause_after_s for s in segments] == [0.7, 0.35, 0.35, 0.7, 0.7, 0.35, 0.7, 0.7]
    assert all(s.chapter == "Article" and s.role == "body" for s in segments)


# --- quotations ---------------------------------------------------------------------------


def test_multi_sentence_quote_with_interrupting_attribution() -> None:
    text = (
        '"First sentence of the quote. Second sentence of it," Peskov said, '
        '"and a third clause follows here."'
    )
    assert voiced(text) == [
        ('"First sentence of the quote.', True),
        ('Second sentence of it,"', True),
        ("Peskov said,", False),
        ('"and a third clause follows here."', True),
    ]


def test_curly_quote_with_attribution() -> None:
    text = "“Such a meeting is clearly on the radar,” Peskov said."
    assert voiced(text) == [
        ("“Such a meeting is clearly on the radar,”", True),
        ("Peskov said.", False),
    ]


def test_long_quote_mid_sentence_is_split_out() -> None:
    text = 'He said the plan "would never work without the support of Congress" and left.'
    assert voiced(text) == [
        ("He said the plan", False),
        ('"would never work without the support of Congress"', True),
        ("and left.", False),
    ]


def test_three_word_quote_ending_a_sentence_is_split_out() -> None:
    assert voiced('He said: "We will win." Then he left.') == [
        ("He said:", False),
        ('"We will win."', True),
        ("Then he left.", False),
    ]


def test_three_word_quote_opening_a_sentence_with_a_comma() -> None:
    assert voiced('"We will win," he said.') == [('"We will win,"', True), ("he said.", False)]


def test_comma_quote_after_a_closed_sentence_in_brackets_is_split_out() -> None:
    assert voiced('(He paused.) "We will win," she said.') == [
        ("(He paused.)", False),
        ('"We will win,"', True),
        ("she said.", False),
    ]


def test_short_quote_with_period_stays_inline() -> None:
    assert voiced('He called it "a farce." Then he left.') == [
        ('He called it "a farce."', False),
        ("Then he left.", False),
    ]


def test_one_word_question_quote_stays_inline() -> None:
    assert voiced('"Really?" he asked.') == [('"Really?" he asked.', False)]


def test_four_word_scare_quote_stays_inline() -> None:
    text = 'Officials called the plan "dead on arrival" on Monday.'
    assert voiced(text) == [(text, False)]


def test_guillemets() -> None:
    assert voiced("«Nous allons gagner cette guerre», a dit le président.") == [
        ("«Nous allons gagner cette guerre»", True),
        ("a dit le président.", False),
    ]


def test_german_low_high_quotes() -> None:
    assert voiced("„Wir werden diesen Krieg gewinnen“, sagte der Kanzler.") == [
        ("„Wir werden diesen Krieg gewinnen“", True),
        ("sagte der Kanzler.", False),
    ]


def test_period_outside_the_marks_moves_onto_the_quote() -> None:
    assert voiced('"We will never give up on this". He left.') == [
        ('"We will never give up on this".', True),
        ("He left.", False),
    ]


def test_quote_only_paragraph_has_no_narrator_segment() -> None:
    text = '"This entire paragraph is one quotation from someone."'
    assert voiced(text) == [(text, True)]


def test_dash_before_attribution_is_dropped() -> None:
    assert voiced('"We will never surrender to anyone at all" — and he left.') == [
        ('"We will never surrender to anyone at all"', True),
        ("and he left.", False),
    ]


def test_bracketed_quote_keeps_its_brackets_on_the_quote() -> None:
    assert voiced('He added ("we will never surrender to anyone") and left.') == [
        ("He added", False),
        ('("we will never surrender to anyone")', True),
        ("and left.", False),
    ]


def test_unbalanced_straight_quote_is_narrator_text() -> None:
    text = 'He said "we will keep fighting until the very end. Then he left.'
    assert voiced(text) == [
        ('He said "we will keep fighting until the very end.', False),
        ("Then he left.", False),
    ]


def test_unbalanced_curly_quote_is_narrator_text() -> None:
    text = "“Unclosed quote starts here and runs on. More text follows."
    assert [q for _, q in voiced(text)] == [False, False]


def test_unbalanced_quote_ignores_earlier_balanced_pairs() -> None:
    text = '"We will win this war at any cost," he said, and "then some.'
    assert voiced(text) == [(text, False)]


def test_unclosed_quote_followed_by_plain_paragraph_is_narrator_text() -> None:
    segments = voiced('"This never closes and goes on and on.', "The next paragraph is narration.")
    assert segments == [
        ('"This never closes and goes on and on.', False),
        ("The next paragraph is narration.", False),
    ]


def test_multi_paragraph_quotation() -> None:
    segments = voiced(
        '"We shall fight on the beaches. We shall never surrender.',
        '"We shall go on to the end," he said.',
    )
    assert segments == [
        ('"We shall fight on the beaches.', True),
        ("We shall never surrender.", True),
        ('"We shall go on to the end,"', True),
        ("he said.", False),
    ]


def test_multi_paragraph_quotation_with_a_lead_in() -> None:
    segments = voiced(
        'He said: "The first part of the speech.',
        "“The middle part of the speech.",
        "“The last part ends here,” he added.",
    )
    assert segments == [
        ("He said:", False),
        ('"The first part of the speech.', True),
        ("“The middle part of the speech.", True),
        ("“The last part ends here,”", True),
        ("he added.", False),
    ]


def test_short_opening_of_a_multi_paragraph_quotation_is_still_quoted() -> None:
    segments = voiced('He said: "Never', '"We will fight on and on," he said.')
    assert segments == [
        ("He said:", False),
        ('"Never', True),
        ('"We will fight on and on,"', True),
        ("he said.", False),
    ]


def test_multi_paragraph_quotation_does_not_cross_into_a_heading() -> None:
    segments = segment(
        article(
            Block("paragraph", '"This opens and never closes at all here.'),
            Block("heading", '"Quoted heading"'),
        )
    )
    assert [(s.role, s.quoted) for s in segments] == [("body", False), ("heading", False)]


@pytest.mark.parametrize(
    "text",
    [
        "Putin's plan in the '90s was rock 'n' roll, he said.",
        "He said 'we will never ever give up on this fight' today.",
        "The ’90s were the era of Britain’s ‘Cool Britannia’ and other things.",
    ],
)
def test_apostrophes_and_single_quotes_are_not_quotations(text: str) -> None:
    assert voiced(text) == [(text, False)]


def test_inch_mark_is_not_an_opening_quote() -> None:
    text = 'He bought a 12" screen and said "this is the best screen I have ever owned" today.'
    assert voiced(text) == [
        ('He bought a 12" screen and said', False),
        ('"this is the best screen I have ever owned"', True),
        ("today.", False),
    ]


def test_blockquote_is_quoted_and_split_into_sentences() -> None:
    segments = body("First sentence here. Second sentence there.", kind="quote")
    assert [(s.text, s.quoted, s.pause_after_s) for s in segments] == [
        ("First sentence here.", True, 0.35),
        ("Second sentence there.", True, 0.7),
    ]


def test_blockquote_keeps_inner_marks_and_stays_quoted() -> None:
    segments = body('"Short one," she wrote.', kind="quote")
    assert [(s.text, s.quoted) for s in segments] == [('"Short one," she wrote.', True)]


def test_list_items_are_split_like_paragraphs() -> None:
    segments = body("First point. Second point.", kind="list_item")
    assert [s.text for s in segments] == ["First point.", "Second point."]


TRICKY = [
    *KYIV,
    '"…", he said.',
    '"" , — .',
    '"We will never give up on this" , .',
    "( ) . . .",
    "End. *",
    "“A quote long enough to count here” “another one long enough to count”",
    '"Why?" "Because." "Fine," he said, "we will go then, all right."',
]


@pytest.mark.parametrize("text", TRICKY)
def test_no_segment_is_only_punctuation(text: str) -> None:
    for s in body(text):
        assert any(c.isalnum() for c in s.text), s
        assert s.text == s.text.strip()
        assert not s.text.startswith((",", ";", ":"))


def test_stray_punctuation_after_quote_is_dropped_not_spoken() -> None:
    assert voiced('"We will never give up on this" , .') == [
        ('"We will never give up on this".', True)
    ]


# --- headings and chapters ----------------------------------------------------------------


def test_headings_start_chapters() -> None:
    segments = segment(
        article(
            Block("paragraph", "Lead paragraph."),
            Block("heading", "Background", 2),
            Block("paragraph", "Old news."),
            Block("heading", "What next", 2),
            Block("paragraph", "New news."),
            title="Title",
        )
    )
    assert [(s.role, s.chapter, s.text) for s in segments] == [
        ("title", "Introduction", "Title."),
        ("body", "Article", "Lead paragraph."),
        ("heading", "Background", "Background"),
        ("body", "Background", "Old news."),
        ("heading", "What next", "What next"),
        ("body", "What next", "New news."),
    ]
    assert [s.block for s in segments] == [-1, 0, 1, 2, 3, 4]


def test_heading_is_not_split_into_sentences() -> None:
    segments = segment(article(Block("heading", "Dr. Who? No. Mr. Who."), Block("paragraph", "x")))
    assert segments[0].text == "Dr. Who? No. Mr. Who."
    assert segments[0].role == "heading"


def test_empty_blocks_are_skipped() -> None:
    segments = segment(
        article(Block("heading", "   "), Block("paragraph", " "), Block("paragraph", "Text."))
    )
    assert [(s.text, s.block, s.chapter) for s in segments] == [("Text.", 2, "Article")]


# --- pauses and indexing ------------------------------------------------------------------


def test_default_pauses() -> None:
    assert Pauses() == Pauses(sentence_s=0.35, paragraph_s=0.7, heading_s=1.0, after_title_s=0.9)


def test_pauses_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Pauses().sentence_s = 1.0  # type: ignore[misc]


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_pauses_reject_negative_and_non_finite(bad: float) -> None:
    with pytest.raises(ValueError, match="sentence_s"):
        Pauses(sentence_s=bad)


def test_custom_pauses_are_applied() -> None:
    pauses = Pauses(sentence_s=0.1, paragraph_s=0.2, heading_s=0.3, after_title_s=0.4)
    segments = segment(
        article(
            Block("heading", "Head"),
            Block("paragraph", "One. Two."),
            title="T",
            authors=("A",),
            published="2025-05-05",
        ),
        pauses,
    )
    assert [s.pause_after_s for s in segments] == [0.4, 0.4, 0.4, 0.3, 0.1, 0.2]


def test_index_is_sequential_and_spoken_is_empty() -> None:
    segments = segment(article(*(Block("paragraph", p) for p in KYIV), title="T", authors=("A",)))
    assert [s.index for s in segments] == list(range(len(segments)))
    assert all(s.spoken == "" for s in segments)


# --- title, byline, date ------------------------------------------------------------------


def test_title_byline_and_date_lines() -> None:
    segments = segment(
        article(
            Block("paragraph", "Body."),
            title="Kremlin says Putin-Trump meeting necessary",
            authors=("Kateryna Hodunova", "Olena Goncharova"),
            published="2025-05-05T21:13:00+03:00",
        )
    )
    head = [(s.role, s.text, s.block, s.chapter, s.pause_after_s, s.quoted) for s in segments[:3]]
    assert head == [
        ("title", "Kremlin says Putin-Trump meeting necessary.", -1, "Introduction", 0.9, False),
        ("byline", "By Kateryna Hodunova and Olena Goncharova.", -1, "Introduction", 0.9, False),
        ("date", "May 5, 2025.", -1, "Introduction", 0.9, False),
    ]
    assert segments[3].text == "Body."


@pytest.mark.parametrize(
    ("title", "spoken"),
    [
        ("Is peace near?", "Is peace near?"),
        ("Peace is near!", "Peace is near!"),
        ('Trump says "no deal"', 'Trump says "no deal".'),
        ('Trump: "No deal."', 'Trump: "No deal."'),
        ("Breaking:", "Breaking."),
        ("  Spaced   out  title ", "Spaced out title."),
    ],
)
def test_title_gets_a_final_stop(title: str, spoken: str) -> None:
    assert segment(article(Block("paragraph", "x"), title=title))[0].text == spoken


@pytest.mark.parametrize(
    ("authors", "line"),
    [
        (("Jane Doe",), "By Jane Doe."),
        (("A", "B", "C"), "By A, B and C."),
        (("John Smith Jr.",), "By John Smith Jr."),
        (("By Jane Doe",), "By Jane Doe."),
    ],
)
def test_byline(authors: tuple[str, ...], line: str) -> None:
    segments = segment(article(Block("paragraph", "x"), authors=authors))
    assert [(s.role, s.text) for s in segments if s.role == "byline"] == [("byline", line)]


def test_no_authors_no_byline_no_date() -> None:
    segments = segment(article(Block("paragraph", "Body."), title="T"))
    assert [s.role for s in segments] == ["title", "body"]


@pytest.mark.parametrize(
    ("published", "line"),
    [
        ("2025-05-05", "May 5, 2025."),
        ("2025-05-05T21:13:00+03:00", "May 5, 2025."),
        ("2024-12-31T23:59:59Z", "December 31, 2024."),
        ("2024-02-29", "February 29, 2024."),
    ],
)
def test_date_line(published: str, line: str) -> None:
    segments = segment(article(Block("paragraph", "x"), published=published))
    assert [(s.role, s.text) for s in segments if s.role == "date"] == [("date", line)]


@pytest.mark.parametrize("published", ["2025-13-45", "2023-02-29", "yesterday", "20250505", ""])
def test_unparseable_date_is_skipped(published: str) -> None:
    segments = segment(article(Block("paragraph", "x"), published=published))
    assert [s.role for s in segments] == ["body"]


# --- speed --------------------------------------------------------------------------------


def test_ten_thousand_words_is_fast() -> None:
    paragraphs = [KYIV[i % len(KYIV)] for i in range(300)]
    big = article(*(Block("paragraph", p) for p in paragraphs), title="T")
    assert sum(len(p.split()) for p in paragraphs) >= 10_000
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        segment(big)
        best = min(best, time.perf_counter() - start)
    assert best < 0.05
