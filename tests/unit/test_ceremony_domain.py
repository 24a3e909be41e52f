"""The ceremony's pure rules: the default order of presentation, moving a line, the emcee's short story, colours;
and what the show-day documents' samples print."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from concours.domain.ceremony import AwardToPresent, default_order, move, short_story, valid_colour
from concours.reports import Report, render_html, render_pdf
from concours.reports.emcee_cards import EmceeCards
from concours.reports.placards import PlacardSet
from concours.reports.results_book import ResultsBook


def test_default_order_classes_third_to_first_then_specials_best_of_show_last() -> None:
    lines = [
        AwardToPresent("bos", "best_of_show", award_position=0),
        AwardToPresent("b1", "class", class_position=2, rank=1),
        AwardToPresent("a1", "class", class_position=1, rank=1),
        AwardToPresent("sponsor", "special", award_position=5),
        AwardToPresent("a3", "class", class_position=1, rank=3),
        AwardToPresent("chair", "special", award_position=1),
        AwardToPresent("a2", "class", class_position=1, rank=2),
        AwardToPresent("b-level", "class", class_position=2, rank=None),
    ]
    assert default_order(lines) == ["a3", "a2", "a1", "b-level", "b1", "chair", "sponsor", "bos"]


@pytest.mark.parametrize(
    ("key", "direction", "expected"),
    [
        ("b", "up", ["b", "a", "c"]),
        ("b", "down", ["a", "c", "b"]),
        ("a", "up", ["a", "b", "c"]),
        ("c", "down", ["a", "b", "c"]),
        ("x", "up", ["a", "b", "c"]),
        ("b", "left", ["a", "b", "c"]),
    ],
)
def test_move(key: str, direction: str, expected: list[str]) -> None:
    assert move(["a", "b", "c"], key, direction) == expected


def test_short_story_cuts_at_a_sentence_or_a_word() -> None:
    assert short_story("  Short   and\nsweet. ") == "Short and sweet."
    long = "First sentence here. " + "word " * 200
    assert short_story(long, limit=50) == "First sentence here."
    words = "word " * 200
    cut = short_story(words, limit=50)
    assert cut.endswith(" …") and len(cut) <= 52 and "wor …" not in cut


def test_colours() -> None:
    assert valid_colour("#a1B2c3") and not valid_colour("red") and not valid_colour("#12345")
    assert not valid_colour("#12345g") and not valid_colour(" #123456")


def test_show_day_documents_from_their_samples_say_what_matters() -> None:
    cards = _text(EmceeCards.sample())
    assert "Award 1 of 2" in cards and "do not announce the name" in cards
    placards = PdfReader(io.BytesIO(render_pdf(render_html(PlacardSet.sample()))))
    assert len(placards.pages) == 2 and "Figoni et Falaschi" in placards.pages[0].extract_text()
    book = _text(ResultsBook.sample())
    assert "Contents" in book and "Special awards" in book and "97.5" in book


def _text(report: Report) -> str:
    reader = PdfReader(io.BytesIO(render_pdf(render_html(report))))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
