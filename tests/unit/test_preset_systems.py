"""Worked examples through the shipped presets: each club's system reproduced as configuration."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from concours.domain.presets import RUBRIC_PRESETS, SYSTEM_PRESETS
from concours.domain.rubric import sheet_max
from concours.domain.tabulation import SheetScore, System, tabulate_class


def system(key: str) -> System:
    preset = SYSTEM_PRESETS[key]
    return replace(preset.system, max_units=sheet_max(RUBRIC_PRESETS[preset.rubric].categories))


def sheets(*totals: int, start: int = 1) -> list[SheetScore]:
    return [SheetScore(start + i, f"judge {i}", Fraction(t)) for i, t in enumerate(totals)]


def test_ccca_drops_high_and_low_and_averages_the_middle_two() -> None:
    results = tabulate_class(
        system("ccca_100"),
        {
            1: sheets(960, 910, 930, 880, start=1),  # drop 960 and 880 → (910 + 930) / 2 = 92.0
            2: sheets(990, 700, 900, 905, start=10),  # drop 990 and 700 → 90.25
        },
    )
    first, second = results
    assert (first.entry_id, first.score, first.award, first.dropped) == (1, 920, "1st in class", [1, 4])
    assert (second.entry_id, second.score, second.award) == (2, Fraction(1805, 2), "2nd in class")


def test_ccca_touring_cap_makes_an_over_qualified_car_ineligible() -> None:
    results = {
        r.entry_id: r
        for r in tabulate_class(
            system("ccca_touring"),
            {
                1: sheets(950, 940, 945, 935, start=1),  # 94.25: above 93, over-qualified
                2: sheets(920, 925, 915, 930, start=10),  # 92.25
            },
        )
    }
    assert "over-qualified" in results[1].ineligible and results[1].award == "" and results[1].rank is None
    assert results[2].award == "1st in class" and results[2].rank == 1


def test_aaca_band_gives_first_to_every_car_within_ten_points_of_the_high() -> None:
    aaca = system("aaca_400")

    def car(entry_id: int, total: int) -> list[SheetScore]:
        return [SheetScore(entry_id * 10, "exterior judge", Fraction(total), section="exterior")]

    results = {
        r.entry_id: r
        for r in tabulate_class(
            aaca, {1: car(1, 3780), 2: car(2, 3700), 3: car(3, 3680), 4: car(4, 3660), 5: car(5, 3600)}
        )
    }
    # 378 ≥ 375 and the high, but a car with no earlier award competes for its First (the track: test_tracks.py)
    assert results[1].award == "First"
    assert [results[e].award for e in (2, 3)] == ["First", "First"]  # ≥ 365 and within 10 of 378
    assert results[4].award == ""  # 366 ≥ 365 but 12 below the high
    assert results[5].award == ""


def test_clc_levels_are_shared_not_tied() -> None:
    results = {
        r.entry_id: r
        for r in tabulate_class(
            system("clc_levels"),
            {1: sheets(985, start=1), 2: sheets(985, start=2), 3: sheets(960, start=3), 4: sheets(650, start=4)},
        )
    }
    assert results[1].award == results[2].award == "98 points"
    assert not results[1].unresolved_tie and results[1].rank == results[2].rank == 1
    assert results[3].award == "95 points" and results[4].award == ""


def test_ncrs_percent_of_4500_with_two_judges_on_an_area() -> None:
    ncrs = system("ncrs_percent")
    assert ncrs.max_units == 45000
    area_max = {"exterior": 12000, "interior": 8000, "chassis": 9000, "mechanical": 10000, "operations": 6000}
    # Every area loses 4 % except exterior, judged twice: 3 % and 5 % deducted, averaged to 4 %.
    car = [SheetScore(i, "j", Fraction(m * 96, 100), section=a) for i, (a, m) in enumerate(area_max.items())]
    car[0] = SheetScore(0, "j1", Fraction(12000 * 97, 100), section="exterior")
    car.append(SheetScore(9, "j2", Fraction(12000 * 95, 100), section="exterior"))
    (result,) = tabulate_class(ncrs, {1: car})
    assert result.score == Fraction(45000 * 96, 100) and result.award == "Top Flight"
