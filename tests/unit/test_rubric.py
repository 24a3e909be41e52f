"""Rubric math: typed points to integer units, what a category can hold, display, weighted totals."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concours.domain.rubric import (
    Category,
    ScoreError,
    check_value,
    format_units,
    missing_lines,
    parse_points,
    sheet_max,
    sheet_total,
    weighted,
)

FAST = settings(max_examples=200, deadline=None)

# Scales whose one unit prints exactly with format_units' number of decimals.
EXACT_SCALES = (1, 2, 4, 5, 10, 20, 25, 50, 100)


# --- parse_points -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scale", "units"),
    [
        ("12.5", 10, 125),
        ("12", 10, 120),
        ("12.50", 10, 125),
        ("0", 10, 0),
        ("0.5", 10, 5),
        (".5", 10, 5),
        ("5.", 10, 50),
        ("12,5", 10, 125),  # comma decimal, as typed on a European tablet
        ("  7,5 ", 10, 75),  # surrounding whitespace
        ("+3", 10, 30),
        ("-2.5", 10, -25),  # parsed; check_value (or the service) refuses a negative
        ("92", 1, 92),
        ("12.25", 100, 1225),
        ("0.25", 4, 1),
        ("400", 10, 4000),
    ],
)
def test_parse_points_accepts(text: str, scale: int, units: int) -> None:
    assert parse_points(text, scale) == units


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ("12.25", 10),  # finer than tenths
        ("12.5", 1),  # whole points only
        ("0.01", 10),
        ("1.00000000000000000000000000001", 10),  # finer than tenths beyond Decimal's 28 digits: still refused
        ("0.3", 4),
    ],
)
def test_parse_points_refuses_finer_than_the_scale(text: str, scale: int) -> None:
    with pytest.raises(ScoreError, match="finer than this sheet allows"):
        parse_points(text, scale)


@pytest.mark.parametrize(
    "text",
    ["abc", "", "   ", "1.2.3", "12,5,0", "1/2", "five", "inf", "-Infinity", "nan", "sNaN", "1e3", "1e999990", "--1"],
)
def test_parse_points_refuses_what_is_not_a_number(text: str) -> None:
    # Always a ScoreError (the judge sees the message), never another exception and never a hang
    # ("1e999990" used to build a million-digit integer; "inf" and "sNaN" escaped as other errors).
    with pytest.raises(ScoreError):
        parse_points(text, 10)


def test_parse_points_message_quotes_what_was_typed() -> None:
    with pytest.raises(ScoreError, match="abc"):
        parse_points("abc", 10)
    with pytest.raises(ScoreError, match="steps of 0.1"):
        parse_points("12.25", 10)


# --- check_value --------------------------------------------------------------------------------------------------

BODY = Category(key="body", name="Body & paint", max_units=250, step_units=5)  # 25 points in halves
AUTH = Category(key="auth", name="Authenticity", max_units=400, step_units=5, mode="deduction")
# A maximum that is not a multiple of the step shows where the steps are counted from.
ODD_POINTS = Category(key="p", name="Odd points", max_units=25, step_units=10)
ODD_DEDUCTION = Category(key="d", name="Odd deduction", max_units=25, step_units=10, mode="deduction")


@pytest.mark.parametrize("value", [0, 5, 125, 245, 250])
def test_check_value_points_accepts_steps_from_zero(value: int) -> None:
    check_value(BODY, value, 10)


@pytest.mark.parametrize(("value", "message"), [(-5, "outside 0–25"), (255, "outside 0–25"), (123, "steps of 0.5")])
def test_check_value_points_refuses(value: int, message: str) -> None:
    with pytest.raises(ScoreError, match=message):
        check_value(BODY, value, 10)


@pytest.mark.parametrize("value", [400, 395, 200, 5, 0])
def test_check_value_deduction_accepts_steps_from_max(value: int) -> None:
    check_value(AUTH, value, 10)


@pytest.mark.parametrize(("value", "message"), [(-5, "outside 0–40"), (405, "outside 0–40"), (397, "steps of 0.5")])
def test_check_value_deduction_refuses(value: int, message: str) -> None:
    with pytest.raises(ScoreError, match=message):
        check_value(AUTH, value, 10)


def test_steps_count_from_zero_for_points_and_from_max_for_deductions() -> None:
    # points, max 2.5 in steps of 1: 0, 1, 2 — the maximum itself is off the grid
    for ok in (0, 10, 20):
        check_value(ODD_POINTS, ok, 10)
    for bad in (5, 15, 25):
        with pytest.raises(ScoreError):
            check_value(ODD_POINTS, bad, 10)
    # deduction, max 2.5 in steps of 1: 2.5, 1.5, 0.5 — zero is off the grid
    for ok in (25, 15, 5):
        check_value(ODD_DEDUCTION, ok, 10)
    for bad in (0, 10, 20):
        with pytest.raises(ScoreError):
            check_value(ODD_DEDUCTION, bad, 10)


@FAST
@given(
    max_steps=st.integers(min_value=1, max_value=40),
    step=st.integers(min_value=1, max_value=20),
    extra=st.integers(min_value=0, max_value=19),
    mode=st.sampled_from(["points", "deduction"]),
    value=st.integers(min_value=-50, max_value=1000),
)
def test_check_value_accepts_exactly_the_grid(max_steps: int, step: int, extra: int, mode: str, value: int) -> None:
    max_units = max_steps * step + extra % step
    cat = Category(key="k", name="K", max_units=max_units, step_units=step, mode=mode)
    grid = set(range(0, max_units + 1, step)) if mode == "points" else set(range(max_units, -1, -step))
    if value in grid:
        check_value(cat, value, 10)
    else:
        with pytest.raises(ScoreError):
            check_value(cat, value, 10)


# --- format_units -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "scale", "text"),
    [
        (925, 10, "92.5"),
        (1000, 10, "100"),
        (None, 10, "—"),
        (0, 10, "0"),
        (5, 10, "0.5"),
        (4000, 10, "400"),
        (-25, 10, "-2.5"),
        (1234, 100, "12.34"),
        (1230, 100, "12.3"),
        (1200, 100, "12"),
        (90, 1, "90"),
        (100, 1, "100"),
        (1, 2, "0.5"),
        (1, 4, "0.25"),
        (Fraction(1850, 2), 10, "92.5"),  # a Fraction that is a whole number of units
        (Fraction(2801, 3), 10, "93.4"),  # a mean of three judges: 93.366… shown to the scale's tenths
        (Fraction(1, 300), 10, "0"),
    ],
)
def test_format_units(units: int | Fraction | None, scale: int, text: str) -> None:
    assert format_units(units, scale) == text


def test_format_units_keeps_the_tens_of_a_rounded_whole_number() -> None:
    # At scale 1 a mean such as 100.5 rounds to a whole number; its zeros are digits, not decimals.
    for units in (Fraction(201, 2), Fraction(181, 2), Fraction(1, 3)):
        assert abs(Fraction(format_units(units, 1)) - units) <= Fraction(1, 2)


@FAST
@given(units=st.integers(min_value=-100_000, max_value=100_000), scale=st.sampled_from(EXACT_SCALES))
def test_format_then_parse_round_trips(units: int, scale: int) -> None:
    assert parse_points(format_units(units, scale), scale) == units


@FAST
@given(
    units=st.fractions(min_value=-100_000, max_value=100_000, max_denominator=60),
    scale=st.sampled_from((1, 10, 100)),
)
def test_format_is_within_half_a_displayed_digit(units: Fraction, scale: int) -> None:
    shown = Fraction(format_units(units, scale))
    half_digit = Fraction(1, 2 * scale)
    assert abs(shown - units / scale) <= half_digit


# --- weights and totals -------------------------------------------------------------------------------------------

HEAVY = Category(key="ext", name="Exterior", max_units=200, step_units=5, weight_percent=150)
LIGHT = Category(key="int", name="Interior", max_units=100, step_units=5, weight_percent=50)
PLAIN = Category(key="eng", name="Engine", max_units=100, step_units=5)


def test_weighted_is_an_exact_fraction() -> None:
    assert weighted(HEAVY, 100) == 150
    assert weighted(HEAVY, 5) == Fraction(15, 2)  # 0.75 points: kept exact, never a float
    assert weighted(LIGHT, 75) == Fraction(75, 2)
    assert weighted(PLAIN, 85) == 85
    assert isinstance(weighted(HEAVY, 5), Fraction)


def test_sheet_total_and_max_with_weights() -> None:
    cats = [HEAVY, LIGHT, PLAIN]
    assert sheet_max(cats) == 300 + 50 + 100
    total = sheet_total(cats, {"ext": 150, "int": 75, "eng": 80})
    assert total == 225 + Fraction(75, 2) + 80 == Fraction(685, 2)
    assert format_units(total, 10) in ("34.2", "34.3")  # 34.25 shown to the scale's tenths


def test_sheet_total_counts_missing_lines_as_nothing() -> None:
    cats = [HEAVY, LIGHT, PLAIN]
    values: dict[str, int | None] = {"ext": 100, "int": None, "other": 999}
    assert sheet_total(cats, values) == 150
    assert missing_lines(cats, values) == ["Interior", "Engine"]
    assert missing_lines(cats, {"ext": 0, "int": 0, "eng": 0}) == []
    assert sheet_total(cats, {}) == 0


@FAST
@given(
    weights=st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=8),
    data=st.data(),
)
def test_full_marks_total_equals_sheet_max(weights: list[int], data: st.DataObject) -> None:
    cats = [
        Category(key=f"c{i}", name=f"C{i}", max_units=data.draw(st.integers(1, 50)) * 5, step_units=5, weight_percent=w)
        for i, w in enumerate(weights)
    ]
    assert sheet_total(cats, {c.key: c.max_units for c in cats}) == sheet_max(cats)
    assert sheet_total(cats, {c.key: 0 for c in cats}) == 0
