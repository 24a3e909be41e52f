"""Calibration on worked examples: severity, spread and cars per judge; disagreement and flags per car.

Every expected number below is worked out by hand in the comment above it (points of the sheet)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from concours.domain.calibration import (
    CalSheet,
    JudgeOrder,
    PlacingsClass,
    PointsClass,
    Threshold,
    calibrate,
    calibration_car,
    median,
    points,
    severity_words,
    signed,
)
from concours.domain.rubric import Category

# Two categories at scale 10 (units are tenths): A out of 60 points, B out of 40; the sheet is out of 100.
CATS = (
    Category("a", "Exterior", max_units=600, step_units=5),
    Category("b", "Interior", max_units=400, step_units=5),
)
# (judge, car) -> (A, B) in points.
SCORES = {
    (1, 1): (50, 30),  # total 80
    (2, 1): (54, 34),  # total 88
    (3, 1): (52, 36),  # total 88
    (1, 2): (40, 30),  # total 70
    (2, 2): (56, 32),  # total 88
    (3, 2): (52, 34),  # total 86
}


def points_class(scores: dict[tuple[int, int], tuple[int, int]] = SCORES) -> PointsClass:
    sheets = tuple(
        CalSheet(sheet_id=10 * car + judge, entry_id=car, judge_id=judge, values={"a": a * 10, "b": b * 10})
        for (judge, car), (a, b) in scores.items()
    )
    return PointsClass(class_id=7, categories=CATS, scale=10, sheets=sheets)


def run(conflicts: set[tuple[int, int]] = set(), permille: int = 150):  # noqa: B006 - read only
    return calibrate([points_class()], threshold=Threshold(permille=permille), conflicts=conflicts)


# Deviations from the co-judges' mean total:
#   car 1: J1 80 − (88+88)/2 = −8;  J2 88 − (80+88)/2 = +4;  J3 88 − 84 = +4
#   car 2: J1 70 − (88+86)/2 = −17; J2 88 − (70+86)/2 = +10; J3 86 − (70+88)/2 = +7
# severity = mean, spread = population standard deviation of the two deviations (half their distance).
@pytest.mark.parametrize(
    ("judge", "severity", "spread", "cars"),
    [
        (1, F(-25, 2), 4.5, 2),  # (−8 − 17) / 2 = −12.5 (the severe judge); |−8 − −17| / 2 = 4.5
        (2, F(7), 3.0, 2),  # (4 + 10) / 2 = 7 (lenient); |4 − 10| / 2 = 3
        (3, F(11, 2), 1.5, 2),  # (4 + 7) / 2 = 5.5; 1.5
    ],
)
def test_severity_spread_and_cars(judge: int, severity: F, spread: float, cars: int) -> None:
    figures = run().judges[judge]
    assert figures.severity == severity
    assert figures.spread == pytest.approx(spread)
    assert figures.cars == cars
    assert figures.agreement is None


@pytest.mark.parametrize(
    ("judge", "category", "expected"),
    [
        # J1 on Exterior: car 1 50 − (54+52)/2 = −3; car 2 40 − (56+52)/2 = −14 → mean −8.5
        (1, "a", F(-17, 2)),
        # J1 on Interior: car 1 30 − (34+36)/2 = −5; car 2 30 − (32+34)/2 = −3 → −4
        (1, "b", F(-4)),
        # J2 on Exterior: car 1 54 − (50+52)/2 = +3; car 2 56 − (40+52)/2 = +10 → +6.5
        (2, "a", F(13, 2)),
    ],
)
def test_severity_per_category_in_points(judge: int, category: str, expected: F) -> None:
    assert run().judges[judge].category_severity[category] == expected


# Threshold 150 ‰: 15 points on the total (of 100), 9 on Exterior (of 60), 6 on Interior (of 40).
@pytest.mark.parametrize(
    ("car", "key", "spread", "threshold", "flagged"),
    [
        (1, "total", F(8), F(15), False),  # 88 − 80
        (1, "a", F(4), F(9), False),  # 54 − 50
        (1, "b", F(6), F(6), False),  # 36 − 30: exactly at the threshold is not above it
        (2, "total", F(18), F(15), True),  # 88 − 70
        (2, "a", F(16), F(9), True),  # 56 − 40
        (2, "b", F(4), F(6), False),  # 34 − 30
    ],
)
def test_disagreement_per_car_and_category(car: int, key: str, spread: F, threshold: F, flagged: bool) -> None:
    figures = {c.entry_id: c for c in run().cars}[car]
    line = {ln.key: ln for ln in figures.lines}[key]
    assert (line.spread, line.threshold, line.flagged) == (spread, threshold, flagged)


def test_flags_follow_the_threshold() -> None:
    assert [c.entry_id for c in run().flagged] == [2]
    # At 50 ‰ (5 points on the total, 2 on Interior) car 1 is flagged too: 8 > 5 on the total, 6 > 2 on Interior.
    assert [c.entry_id for c in run(permille=50).flagged] == [1, 2]
    # At 200 ‰ Exterior's threshold is 12: car 2's 16 is still above it (its total's 18 is under 20).
    assert [c.entry_id for c in run(permille=200).flagged] == [2]
    # At 300 ‰ (30 on the total, 18 on Exterior, 12 on Interior) nothing is above: no flag.
    assert run(permille=300).flagged == []
    headline = {c.entry_id: c for c in run().cars}[2].headline
    assert headline is not None and headline.key == "a"  # 16 / 9 is further past its threshold than 18 / 15


def test_a_judge_with_a_conflict_is_left_out_of_that_cars_figures() -> None:
    # J3 has a confirmed conflict on car 2: car 2 compares J1 (70) and J2 (88) only.
    cal = run(conflicts={(3, 2)})
    car2 = {c.entry_id: c for c in cal.cars}[2]
    assert car2.excluded == [3] and car2.judges == [1, 2]
    assert {ln.key: ln.spread for ln in car2.lines} == {"total": 18, "a": 16, "b": 2}
    # J1: car 1 −8, car 2 70 − 88 = −18 → −13;  J2: car 1 +4, car 2 88 − 70 = +18 → +11
    assert cal.judges[1].severity == -13 and cal.judges[2].severity == 11
    # J3 rests on car 1 alone: +4, and one car gives no spread.
    assert (cal.judges[3].severity, cal.judges[3].cars, cal.judges[3].spread) == (4, 1, None)


def test_one_sheet_gives_nothing_to_compare() -> None:
    cal = calibrate([points_class({(1, 1): (50, 30), (1, 2): (40, 30), (2, 2): (44, 30)})])
    car1 = {c.entry_id: c for c in cal.cars}[1]
    assert car1.lines == [] and not car1.flagged and car1.headline is None
    # J1 rests on car 2 only: 70 − 74 = −4.
    assert (cal.judges[1].severity, cal.judges[1].cars) == (-4, 1)


def test_section_judging_compares_judges_of_the_same_section() -> None:
    cats = (
        Category("ext", "Exterior", max_units=1000, step_units=10, section="exterior"),
        Category("int", "Interior", max_units=500, step_units=10, section="interior"),
    )
    sheets = (
        CalSheet(1, 5, 1, {"ext": 900}, "exterior"),
        CalSheet(2, 5, 2, {"ext": 800}, "exterior"),
        CalSheet(3, 5, 3, {"int": 400}, "interior"),
        CalSheet(4, 5, 4, {"int": 460}, "interior"),
    )
    cal = calibrate([PointsClass(1, cats, 10, sheets)], threshold=Threshold(permille=100))
    (car,) = cal.cars
    # Exterior: 90 vs 80, threshold 10 % of 100 = 10 → not above. Interior: 40 vs 46, threshold 5 → flagged.
    lines = {ln.key: (ln.label, ln.spread, ln.threshold, ln.flagged) for ln in car.lines}
    assert lines == {
        "total:exterior": ("Exterior total", 10, 10, False),
        "ext": ("Exterior", 10, 10, False),
        "total:interior": ("Interior total", 6, 5, True),
        "int": ("Interior", 6, 5, True),
    }
    # Each judge's co-judge is the other judge of the same section: 90 − 80, 80 − 90, 40 − 46, 46 − 40.
    assert {j: f.severity for j, f in cal.judges.items()} == {1: 10, 2: -10, 3: -6, 4: 6}


def test_weights_count_in_the_total_not_in_the_category_line() -> None:
    cats = (Category("a", "Elegance", max_units=200, step_units=10, weight_percent=200),)
    sheets = (CalSheet(1, 1, 1, {"a": 100}), CalSheet(2, 1, 2, {"a": 160}))
    (car,) = calibrate([PointsClass(1, cats, 10, sheets)], threshold=Threshold(permille=250)).cars
    lines = {ln.key: (ln.spread, ln.maximum, ln.threshold) for ln in car.lines}
    # Entered 10 and 16 of 20; weighted ×2 the totals are 20 and 32 of 40.
    assert lines == {"total": (12, 40, 10), "a": (6, 20, 5)}


# Placings: four cars; places threshold 2.
ORDERS = (
    JudgeOrder(101, 1, (1, 2, 3, 4)),
    JudgeOrder(102, 2, (2, 1, 3, 4)),
    JudgeOrder(103, 3, (4, 2, 3, 1)),
)


@pytest.mark.parametrize(
    ("conflicts", "car", "places", "flagged"),
    [
        (set(), 1, {1: 1, 2: 2, 3: 4}, True),  # 4 − 1 = 3 places apart > 2
        (set(), 2, {1: 2, 2: 1, 3: 2}, False),
        (set(), 3, {1: 3, 2: 3, 3: 3}, False),
        (set(), 4, {1: 4, 2: 4, 3: 1}, True),
        # J3 has a conflict with car 4: it leaves J3's order, which becomes 2, 3, 1 (car 1 now 3rd).
        ({(3, 4)}, 4, {1: 4, 2: 4}, False),
        ({(3, 4)}, 1, {1: 1, 2: 2, 3: 3}, False),
    ],
)
def test_placings_disagreement_is_the_spread_of_places(
    conflicts: set[tuple[int, int]], car: int, places: dict[int, int], flagged: bool
) -> None:
    cal = calibrate([], [PlacingsClass(9, ORDERS)], threshold=Threshold(places=2), conflicts=conflicts)
    figures = {c.entry_id: c for c in cal.cars}[car]
    (line,) = figures.lines
    assert dict(line.values) == places
    assert line.flagged is flagged and line.threshold == 2
    assert figures.method == "placings"


def test_placings_agreement_is_kendalls_tau_with_co_judges() -> None:
    # tau(J1, J2) = (5 − 1) / 6 = 2/3; tau(J1, J3) = (1 − 5) / 6 = −2/3; tau(J2, J3) = (2 − 4) / 6 = −1/3.
    cal = calibrate([], [PlacingsClass(9, ORDERS)])
    assert {j: f.agreement for j, f in cal.judges.items()} == {1: F(0), 2: F(1, 6), 3: F(-1, 2)}
    assert all(f.severity is None for f in cal.judges.values())


@pytest.mark.parametrize(
    ("value", "text"),
    [(F(-25, 2), "−12.5"), (F(7), "+7.0"), (F(0), "0.0"), (None, "—"), (F(1, 30), "0.0")],
)
def test_signed(value: F | None, text: str) -> None:
    assert signed(value) == text


def test_words() -> None:
    assert points(F(5, 2)) == "2.5" and points(F(10)) == "10" and points(None) == "—"
    assert severity_words(F(-25, 2)) == "−12.5 points below the co-judges on average"
    assert severity_words(None) == "no co-judged cars"


# -- the calibration car: each judge against the median of the others --------------------------------------------
# Four judges score the same car (A out of 60, B out of 40):
#   J1 50 + 30 = 80;  J2 54 + 34 = 88;  J3 52 + 36 = 88;  J4 30 + 20 = 50
# Medians of the others' totals: J1 median(88, 88, 50) = 88 → −8;  J2 median(80, 88, 50) = 80 → +8;
#   J3 likewise +8;  J4 median(80, 88, 88) = 88 → −38.
# Category A for J4: median(50, 54, 52) = 52 → 30 − 52 = −22; category B for J1: median(34, 36, 20) = 34 → −4.
CAR = {1: (50, 30), 2: (54, 34), 3: (52, 36), 4: (30, 20)}


def car_sheets(scores: dict[int, tuple[int, int]] = CAR) -> list[CalSheet]:
    return [CalSheet(judge, 99, judge, {"a": a * 10, "b": b * 10}) for judge, (a, b) in scores.items()]


def test_calibration_car_deviation_from_the_median_of_the_others() -> None:
    out = {d.judge_id: d for d in calibration_car(car_sheets(), CATS, 10)}
    assert {j: d.total for j, d in out.items()} == {1: 80, 2: 88, 3: 88, 4: 50}
    assert {j: d.deviation for j, d in out.items()} == {1: -8, 2: 8, 3: 8, 4: -38}
    assert out[4].by_category["a"] == -22 and out[1].by_category["b"] == -4


def test_calibration_car_two_judges_each_against_the_other_and_one_alone() -> None:
    # Two judges: the median of one is that one. J1 80 vs J2 88 → −8 and +8; a lone sheet has nothing to compare.
    two = {d.judge_id: d.deviation for d in calibration_car(car_sheets({1: CAR[1], 2: CAR[2]}), CATS, 10)}
    assert two == {1: -8, 2: 8}
    alone = calibration_car(car_sheets({1: CAR[1]}), CATS, 10)
    assert alone[0].deviation is None and alone[0].by_category == {"a": None, "b": None}


def test_calibration_car_leaves_out_a_conflicted_judge() -> None:
    # J4 is conflicted with car 99: left out, and the others' medians are of J1..J3 only:
    #   J1 median(88, 88) = 88 → −8; J2 median(80, 88) = 84 → +4.
    out = {d.judge_id: d.deviation for d in calibration_car(car_sheets(), CATS, 10, {(4, 99)})}
    assert out == {1: -8, 2: 4, 3: 4}


def test_median() -> None:
    assert median([]) is None
    assert median([F(3), F(1), F(2)]) == 2
    assert median([F(4), F(1), F(2), F(3)]) == F(5, 2)
