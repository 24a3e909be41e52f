"""A certified record keeps its words in English (it is hashed); a French document says them in French: every
text the domain writes, certified in English and translated when shown, reads as the domain writes it in French."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pytest

from concours.domain.awards import how_decided
from concours.domain.placings import Ranking, combine_placings
from concours.domain.tabulation import Level, SheetScore, System, place_name, tabulate_class
from concours.i18n import using_locale
from concours.reports.certified import certified_text


def _sheets(*totals: float, section: str = "") -> list[SheetScore]:
    return [SheetScore(i, f"judge-{i}", Fraction(t), {}, section) for i, t in enumerate(totals, start=1)]


def _texts(system: System, sheets: dict[int, list[SheetScore]], decisions: list[tuple[int, int]]) -> list[str]:
    out = []
    for r in tabulate_class(system, sheets, decisions):
        out += [r.combine_note, r.award, r.ineligible, r.tie_note, r.no_award]
    return [t for t in out if t]


def _placings() -> list[str]:
    orders = [
        Ranking("Anne", (1, 2, 3, 4)),
        Ranking("Bob", (2, 1, 3, 4)),
        Ranking("Carl", (1, 3, 2)),
        Ranking("Dee", (2, 1, 4, 3)),
    ]
    out = []
    for r in combine_placings([1, 2, 3, 4], orders, places=2, decisions=[(1, 2)], decision_reasons={1: "better paint"}):
        out += [r.explanation, r.award, r.tie_note]
    return [t for t in out if t]


CASES: list[Callable[[], list[str]]] = [
    lambda: _texts(System(places=3), {1: _sheets(90, 92.5), 2: _sheets(80), 3: _sheets(70), 4: _sheets(60), 5: []}, []),
    lambda: _texts(System(combine="mean_drop_high_low"), {1: _sheets(90, 91, 95, 99), 2: _sheets(80, 81)}, []),
    lambda: _texts(System(sheet_mode="section"), {1: _sheets(40, section="a") + _sheets(45, section="b")}, []),
    lambda: _texts(
        System(combine="consensus", min_units_for_first=95, cap_units=99), {1: _sheets(90), 2: _sheets(100)}, []
    ),
    lambda: _texts(System(places=1), {1: _sheets(90), 2: _sheets(90), 3: _sheets(80)}, []),
    lambda: _texts(System(places=1), {1: _sheets(90), 2: _sheets(90)}, [(2, 1)]),
    lambda: _texts(
        System(
            award_rule="levels",
            max_units=Fraction(100),
            levels=(Level("Gold", min_units=95), Level("Silver", min_permille=875, band_units=5)),
        ),
        {1: _sheets(99), 2: _sheets(85.5), 3: _sheets(60)},
        [],
    ),
    lambda: _texts(System(award_rule="levels"), {1: _sheets(80)}, []),
    _placings,
    lambda: [place_name(n) for n in (1, 2, 3, 4, 11, 21, 22, 23)],
    lambda: [how_decided("designated", "the chairman", 0, 0), how_decided("designated", "", 0, 0)],
    lambda: [
        how_decided("ballot", "", 1, 0),
        how_decided("ballot", "", 3, 0),
        how_decided("ballot", "the jury", 2, 0),
        how_decided("vote", "", 0, 1),
    ],
]


@pytest.mark.parametrize("case", CASES)
def test_a_certified_english_text_reads_in_french_as_the_domain_writes_it(case: Callable[[], list[str]]) -> None:
    english = case()
    with using_locale("fr"):
        french = case()
        shown = [certified_text(t) for t in english]
    assert english and english != french
    assert shown == french


def test_english_is_shown_as_certified_and_unknown_text_as_it_is() -> None:
    assert certified_text("mean of 2 sheets") == "mean of 2 sheets"
    with using_locale("fr"):
        assert certified_text("Gold") == "Gold"  # an award level's name, typed by the organizer
        assert certified_text("") == ""
        assert certified_text("Class A, Pre-war: 2nd in class") == "Classe A, Pre-war : 2e de la classe"
        assert certified_text("mean of 3 sheets") == "moyenne de 3 feuilles"
        assert certified_text("not judged: no submitted sheet (acknowledged by the chief judge at certification)") == (
            "non jugée : aucune feuille soumise (constaté par le juge en chef à la certification)"
        )
