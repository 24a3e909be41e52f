"""Parse, then act: the judging-system and score-sheet forms are read by pure functions, tested row by row."""

from __future__ import annotations

from typing import Any

import pytest

from concours.domain.calibration import Threshold
from concours.domain.rubric import Category
from concours.services.errors import FormErrors
from concours.services.judging_systems import LevelSpec, SystemSpec, parse_system
from concours.services.rubrics import CategorySpec, RubricSpec, parse_rubric

# A 100-point sheet in tenths: two sections.
SHEET = [
    Category("exterior", "Exterior", 600, 5, "points", section="Outside"),
    Category("interior", "Interior", 400, 5, "deduction", section="Inside"),
]
NO_SECTIONS = [Category("exterior", "Exterior", 600, 5), Category("interior", "Interior", 400, 5)]
BASE = {"sheet_mode": "individual", "combine": "mean", "award_rule": "places", "places": "3"}


def spec(**changes: Any) -> SystemSpec:
    values: dict[str, Any] = {
        "sheet_mode": "individual",
        "combine": "mean",
        "award_rule": "places",
        "places": 3,
        "min_units_for_first": None,
        "cap_units": None,
        "show_percent": False,
        "tie_break_keys": (),
        "levels": (),
    }
    values.update(changes)
    return SystemSpec(**values)


@pytest.mark.parametrize(
    ("form", "categories", "expected"),
    [
        pytest.param({}, SHEET, spec(), id="the plain default"),
        pytest.param({"places": " 5 "}, SHEET, spec(places=5), id="places trimmed"),
        pytest.param({"places": ""}, SHEET, spec(places=0), id="no places"),
        pytest.param(
            {"min_first": "80", "cap": "95.5"}, SHEET, spec(min_units_for_first=800, cap_units=955), id="points"
        ),
        pytest.param({"show_percent": "on"}, SHEET, spec(show_percent=True), id="percent shown"),
        pytest.param(
            {"tie_break-1": "interior", "tie_break-0": "exterior"},
            SHEET,
            spec(tie_break_keys=("exterior", "interior")),
            id="tie-break in index order",
        ),
        pytest.param(
            {"tie_break": "interior, exterior"}, SHEET, spec(tie_break_keys=("interior", "exterior")), id="csv"
        ),
        pytest.param(
            {"sheet_mode": "section", "combine": "sum"}, SHEET, spec(sheet_mode="section", combine="sum"), id="section"
        ),
        pytest.param(
            {"sheet_mode": "team", "combine": "consensus"}, SHEET, spec(sheet_mode="team", combine="consensus")
        ),
        pytest.param(
            {
                "award_rule": "levels",
                "level-0-name": "Gold",
                "level-0-percent": "94%",
                "level-1-name": "Silver",
                "level-1-min": "80",
                "level-1-band": "2",
                "level-2-name": "Bronze",
                "level-2-min": "70",
                "level-2-remove": "on",
            },
            SHEET,
            spec(award_rule="levels", levels=(LevelSpec("Gold", None, 940, None), LevelSpec("Silver", 800, None, 20))),
            id="levels hardest first, a removed row dropped",
        ),
        pytest.param(
            {
                "award_rule": "levels",
                "award_tracks": "on",
                "level-0-name": "Senior",
                "level-0-min": "85",
                "level-1-name": "First",
                "level-1-min": "75",
            },
            SHEET,
            spec(
                award_rule="levels",
                award_tracks=True,
                levels=(LevelSpec("Senior", 850, None, None), LevelSpec("First", 750, None, None)),
            ),
            id="levels that form a track (First, then Senior)",
        ),
    ],
)
def test_parse_system_reads_the_form(form: dict[str, str], categories: list[Category], expected: SystemSpec) -> None:
    assert parse_system({**BASE, **form}, categories, 10) == expected


@pytest.mark.parametrize(
    ("form", "categories", "field", "message"),
    [
        ({"sheet_mode": "solo"}, SHEET, "sheet_mode", "Choose individual, team or section"),
        ({"combine": "median"}, SHEET, "combine", "Choose how the sheets combine"),
        ({"award_rule": "lottery"}, SHEET, "award_rule", "Choose places or award levels"),
        ({"places": "11"}, SHEET, "places", "from 0 to 10"),
        ({"places": "three"}, SHEET, "places", "from 0 to 10"),
        ({"min_first": "-1"}, SHEET, "min_first", ""),
        ({"cap": "101"}, SHEET, "cap", "above the sheet's maximum of 100"),
        ({"cap": "0"}, SHEET, "cap", "more than 0"),
        ({"min_first": "90", "cap": "80"}, SHEET, "min_first", "above the cap"),
        ({"tie_break": "engine"}, SHEET, "tie_break", "not a category of the current score sheet"),
        ({"tie_break": "exterior,exterior"}, SHEET, "tie_break", "only once"),
        ({"sheet_mode": "section", "combine": "sum"}, NO_SECTIONS, "sheet_mode", "these have none: Exterior, Interior"),
        ({"sheet_mode": "section", "combine": "sum"}, [], "sheet_mode", "categories have sections"),
        ({"sheet_mode": "section", "combine": "mean"}, SHEET, "combine", "the sections add up (sum)"),
        ({"combine": "sum"}, SHEET, "combine", "only with section judging"),
        ({"combine": "consensus"}, SHEET, "combine", "goes with team judging"),
        ({"sheet_mode": "team", "combine": "mean"}, SHEET, "combine", "choose consensus"),
        ({"award_rule": "levels"}, SHEET, "levels", "at least one level"),
        ({"award_tracks": "on"}, SHEET, "award_tracks", "A track is made of award levels"),
        ({"award_rule": "levels", "level-0-name": "Gold"}, SHEET, "level-0-min", "Give the minimum score"),
        ({"level-0-name": "Gold", "level-0-min": "90", "level-0-percent": "90"}, SHEET, "level-0-min", "not both"),
        ({"level-0-name": "Gold", "level-0-percent": "101"}, SHEET, "level-0-percent", "at most 100"),
        ({"level-0-min": "90"}, SHEET, "level-0-name", "Name the level"),
        (
            {"level-0-name": "Gold", "level-0-min": "90", "level-1-name": "gold", "level-1-min": "80"},
            SHEET,
            "level-1-name",
            "already has this name",
        ),
        (
            {"level-0-name": "Silver", "level-0-min": "80", "level-1-name": "Gold", "level-1-percent": "90"},
            SHEET,
            "level-1-min",
            "hardest first",
        ),
    ],
)
def test_parse_system_names_each_wrong_field(
    form: dict[str, str], categories: list[Category], field: str, message: str
) -> None:
    with pytest.raises(FormErrors) as exc:
        parse_system({**BASE, **form}, categories, 10)
    assert field in exc.value.errors, exc.value.errors
    assert message in exc.value.errors[field]


def test_parse_system_reports_every_wrong_field_at_once() -> None:
    with pytest.raises(FormErrors) as exc:
        parse_system({"sheet_mode": "x", "combine": "y", "award_rule": "z", "places": "-1"}, SHEET, 10)
    assert set(exc.value.errors) == {"sheet_mode", "combine", "award_rule", "places"}


ROWS = [
    {"name": "Exterior", "mode": "points", "max": "60", "step": "0.5"},
    {"name": "Interior", "mode": "deduction", "max": "40", "step": "0.5", "section": "Inside"},
]


@pytest.mark.parametrize(
    ("rows", "name", "expected"),
    [
        pytest.param(
            ROWS,
            None,
            RubricSpec(
                "Current sheet",
                (
                    CategorySpec("exterior", "Exterior", "points", 600, 5, 100, None, ""),
                    CategorySpec("interior", "Interior", "deduction", 400, 5, 100, "inside", ""),
                ),
            ),
            id="no name given keeps the current one",
        ),
        pytest.param(ROWS[:1], "  100 points  ", None, id="the name is trimmed"),
    ],
)
def test_parse_rubric_reads_the_table(
    rows: list[dict[str, str]], name: str | None, expected: RubricSpec | None
) -> None:
    got = parse_rubric(rows, name, current_name="Current sheet", scale=10, sections_required=False)
    if expected is not None:
        assert got == expected
    else:
        assert got.name == "100 points" and [c.key for c in got.categories] == ["exterior"]


@pytest.mark.parametrize(
    ("rows", "name", "sections_required", "fields"),
    [
        pytest.param(ROWS, "", False, {"sheet_name"}, id="a blank name"),
        pytest.param(ROWS, "x" * 201, False, {"sheet_name"}, id="a long name"),
        pytest.param(ROWS, "", True, {"sheet_name", "row-0-section"}, id="name and rows reported together"),
        pytest.param([{**ROWS[0], "max": ""}], None, False, {"row-0-max"}, id="a row without maximum"),
        pytest.param([ROWS[0], ROWS[0]], None, False, {"row-1-name"}, id="a category twice"),
    ],
)
def test_parse_rubric_names_each_wrong_field(
    rows: list[dict[str, str]], name: str | None, sections_required: bool, fields: set[str]
) -> None:
    with pytest.raises(FormErrors) as exc:
        parse_rubric(rows, name, current_name="Current sheet", scale=10, sections_required=sections_required)
    assert fields <= set(exc.value.errors), exc.value.errors


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, None),  # the form did not ask: the saved threshold stays
        ({"disagreement_percent": "10", "disagreement_places": "2"}, Threshold(100, 2)),
        ({"disagreement_percent": "7.5 %", "disagreement_places": " 3 "}, Threshold(75, 3)),
        ({"disagreement_percent": "100", "disagreement_places": "50"}, Threshold(1000, 50)),
    ],
)
def test_parse_system_reads_the_calibration_threshold(form: dict[str, str], expected: Threshold | None) -> None:
    assert parse_system({**BASE, **form}, SHEET, 10).threshold == expected


@pytest.mark.parametrize(
    ("percent", "places", "wrong"),
    [
        ("", "2", {"disagreement_percent"}),
        ("0", "2", {"disagreement_percent"}),
        ("100.5", "2", {"disagreement_percent"}),
        ("7.55", "2", {"disagreement_percent"}),  # finer than a tenth of a percent
        ("ten", "0", {"disagreement_percent", "disagreement_places"}),
        ("10", "51", {"disagreement_places"}),
        ("10", "2.5", {"disagreement_places"}),
    ],
)
def test_parse_system_names_a_wrong_threshold(percent: str, places: str, wrong: set[str]) -> None:
    with pytest.raises(FormErrors) as caught:
        parse_system({**BASE, "disagreement_percent": percent, "disagreement_places": places}, SHEET, 10)
    assert set(caught.value.errors) == wrong
