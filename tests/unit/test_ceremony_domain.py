"""The ceremony's pure rules: the default order of presentation, moving a line, the emcee's short story, colours;
and every show-day document renders from its sample."""

from __future__ import annotations

import asyncio
import io

import pytest
from pypdf import PdfReader

from concours.domain.ceremony import AwardToPresent, default_order, move, short_story, valid_colour
from concours.reports import emcee_cards
from concours.reports.placards import Document, PlacardSet, html, render_document
from concours.reports.results_book import ResultsBook
from concours.services.branding import css_string


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


def test_colours_and_css_strings() -> None:
    assert valid_colour("#a1B2c3") and not valid_colour("red") and not valid_colour("#12345")
    assert css_string('Lake\'s "Best" </style>') == '"Lake\\27 s \\22 Best\\22  \\3c \\2f style\\3e "'


@pytest.mark.parametrize("name", ["emcee", "placards", "book"])
def test_every_show_day_document_renders_from_its_sample(name: str) -> None:
    if name == "emcee":
        pdf = asyncio.run(emcee_cards.render(emcee_cards.EmceeCards.sample()))
        expected = ["Award 1 of 2", "Best of Show"]
    elif name == "placards":
        s = PlacardSet.sample()
        doc = Document("p.pdf", [html("reports/placards.html", brand=s.brand, placards=s.placards, awards=s.awards)])
        pdf = asyncio.run(render_document(doc))
        expected = ["Figoni et Falaschi", "Best of Show"]
    else:
        b = ResultsBook.sample()
        pdf = asyncio.run(
            render_document(Document("b.pdf", [html("reports/results_book.html", book=b, brand=b.brand)]))
        )
        expected = ["Contents", "Special awards", "French Curves", "97.5"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for word in expected:
        assert word in text
