"""Tabulation: worked examples from real judging systems, and properties every result must have."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concours.domain.presets import RUBRIC_PRESETS, SYSTEM_PRESETS
from concours.domain.rubric import sheet_max
from concours.domain.tabulation import (
    EntryResult,
    Level,
    SheetScore,
    System,
    combine,
    place_name,
    tabulate_class,
)

FAST = settings(max_examples=200, deadline=None)

_next_id = iter(range(1, 10**9))


def sheet(total: int, sheet_id: int | None = None, section: str = "", **cats: int) -> SheetScore:
    """A submitted sheet with its total in units (scale 10: 925 = 92.5 points)."""
    sid = sheet_id if sheet_id is not None else next(_next_id)
    return SheetScore(sid, f"judge {sid}", Fraction(total), {k: Fraction(v) for k, v in cats.items()}, section)


def one_sheet_each(**scores: int) -> dict[int, list[SheetScore]]:
    """{entry id: [one sheet]} from keyword names e1=..., e2=..."""
    return {int(name[1:]): [sheet(total)] for name, total in scores.items()}


def by_entry(results: Sequence[EntryResult]) -> dict[int, EntryResult]:
    return {r.entry_id: r for r in results}


def preset_system(key: str) -> System:
    """A system preset completed as the service completes it (the sheet's maximum from its rubric)."""
    preset = SYSTEM_PRESETS[key]
    return replace(preset.system, max_units=sheet_max(RUBRIC_PRESETS[preset.rubric].categories))


PLACES = System()  # individual sheets, mean, 1st–3rd
DROP = preset_system("ccca_100")
AACA = replace(preset_system("aaca_400"), award_tracks=False)  # the levels and bands; its track: test_tracks.py
CLC = preset_system("clc_levels")
NCRS = preset_system("ncrs_percent")
CLASS = preset_system("class_placings")


# --- combining one entry's sheets ---------------------------------------------------------------------------------


def test_mean_of_judges() -> None:
    sheets = [sheet(900, 1, body=250), sheet(850, 2, body=240), sheet(800, 3, body=200)]
    score, cats, counted, dropped, note = combine(PLACES, sheets)
    assert score == 850
    assert cats == {"body": Fraction(690, 3)}
    assert counted == [1, 2, 3]
    assert dropped == []
    assert note == "mean of 3 sheets"


def test_mean_keeps_fractions_exact() -> None:
    score, *_ = combine(PLACES, [sheet(900, 1), sheet(901, 2), sheet(901, 3)])
    assert score == Fraction(2702, 3)


def test_drop_high_low_with_four_judges() -> None:
    # CCCA: 90, 85, 80, 70 → drop the 90 and the 70 → (85 + 80) / 2 = 82.5
    sheets = [sheet(900, 11, body=240), sheet(850, 12, body=220), sheet(800, 13, body=200), sheet(700, 14, body=100)]
    score, cats, counted, dropped, note = combine(DROP, sheets)
    assert score == 825
    assert counted == [12, 13]
    assert dropped == [11, 14]
    assert cats == {"body": 210}  # the category means come from the counted sheets only
    assert "dropping the highest and the lowest" in note


def test_drop_high_low_with_three_judges_keeps_the_middle_sheet() -> None:
    score, _, counted, dropped, _ = combine(DROP, [sheet(700, 1), sheet(950, 2), sheet(880, 3)])
    assert score == 880
    assert (counted, dropped) == ([3], [1, 2])


@pytest.mark.parametrize("totals", [[900], [900, 700]])
def test_drop_high_low_with_fewer_than_three_sheets_drops_nothing(totals: list[int]) -> None:
    sheets = [sheet(t, i) for i, t in enumerate(totals, start=1)]
    score, _, counted, dropped, note = combine(DROP, sheets)
    assert score == Fraction(sum(totals), len(totals))
    assert counted == list(range(1, len(totals) + 1))
    assert dropped == []
    assert "nothing dropped" in note


def test_drop_high_low_with_equal_totals_drops_by_sheet_id() -> None:
    # Two sheets share the lowest total: the one with the lower id is the dropped one, whatever the order.
    sheets = [sheet(800, 7, body=100), sheet(800, 3, body=200), sheet(900, 5), sheet(850, 9)]
    for order in (sheets, list(reversed(sheets))):
        score, _, counted, dropped, _ = combine(DROP, order)
        assert score == Fraction(800 + 850, 2)
        assert (counted, dropped) == ([7, 9], [3, 5])


def test_no_sheet_means_no_score() -> None:
    assert combine(PLACES, []) == (None, {}, [], [], "no submitted sheet")


def test_team_consensus_sheet() -> None:
    team = System(sheet_mode="team", combine="consensus")
    score, _, counted, _, note = combine(team, [sheet(912, 4)])
    assert (score, counted, note) == (912, [4], "team consensus sheet")


def test_section_sheets_add_up() -> None:
    # AACA: one judge per area deducts from the area's maximum; the four areas add up to the score.
    sheets = [
        sheet(1500, 1, "exterior", exterior=1500),
        sheet(880, 2, "interior", interior=880),
        sheet(740, 3, "chassis", chassis=740),
        sheet(780, 4, "engine", engine=780),
    ]
    score, cats, counted, dropped, note = combine(AACA, sheets)
    assert score == 3900
    assert cats == {"exterior": 1500, "interior": 880, "chassis": 740, "engine": 780}
    assert (counted, dropped) == ([1, 2, 3, 4], [])
    assert note == "sum of 4 section sheets"


def test_two_judges_on_one_section_are_averaged_then_added() -> None:
    # NCRS-style: two judges per area; each area is their mean, the areas add up.
    sheets = [sheet(1500, 1, "exterior"), sheet(1480, 2, "exterior"), sheet(880, 3, "interior")]
    score, *_ = combine(AACA, sheets)
    assert score == 1490 + 880


# --- ranking and places -------------------------------------------------------------------------------------------


def test_places_first_second_third() -> None:
    results = tabulate_class(PLACES, {**one_sheet_each(e1=850, e2=950, e3=800, e4=900), 5: []})
    assert [(r.entry_id, r.rank, r.award) for r in results] == [
        (2, 1, "1st in class"),
        (4, 2, "2nd in class"),
        (1, 3, "3rd in class"),
        (3, 4, ""),
        (5, None, ""),  # no submitted sheet: no score, no rank, listed last
    ]
    assert results[-1].score is None
    assert not any(r.unresolved_tie for r in results)


def test_places_setting_limits_the_awards() -> None:
    results = by_entry(tabulate_class(replace(PLACES, places=1), one_sheet_each(e1=900, e2=800)))
    assert (results[1].award, results[2].award) == ("1st in class", "")


def test_place_names() -> None:
    assert [place_name(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)] == [
        f"{s} in class"
        for s in ("1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th")
    ]


def test_touring_cap_makes_an_over_qualified_car_ineligible() -> None:
    # CCCA touring division: capped at 93 points (930 units); above it the car is out.
    touring = replace(DROP, cap_units=930)
    entries = {
        1: [sheet(940), sheet(935), sheet(930), sheet(920)],  # middle two: 935, 930 → 932.5 > 930
        2: [sheet(950), sheet(930), sheet(930), sheet(900)],  # exactly 93.0: at the cap is fine
        3: [sheet(900), sheet(900), sheet(900), sheet(900)],
    }
    results = tabulate_class(touring, entries)
    got = by_entry(results)
    assert got[1].score == Fraction(1865, 2)
    assert got[1].ineligible.startswith("over-qualified")
    assert (got[1].rank, got[1].award) == (None, "")
    assert (got[2].rank, got[2].award, got[2].ineligible) == (1, "1st in class", "")
    assert (got[3].rank, got[3].award) == (2, "2nd in class")
    assert results[-1].entry_id == 1  # ineligible cars are listed after the ranked ones


@pytest.mark.parametrize(("top", "first_awarded"), [(950, True), (900, True), (895, False)])
def test_minimum_score_for_first(top: int, first_awarded: bool) -> None:
    system = replace(PLACES, min_units_for_first=900)
    got = by_entry(tabulate_class(system, one_sheet_each(e1=top, e2=850, e3=800)))
    assert got[1].rank == 1
    assert got[1].award == ("1st in class" if first_awarded else "")
    assert bool(got[1].ineligible) is not first_awarded
    # the other places are still awarded
    assert (got[2].award, got[3].award) == ("2nd in class", "3rd in class")


# --- ties ---------------------------------------------------------------------------------------------------------


def test_tie_broken_by_category_order() -> None:
    # class_placings breaks a tie on authenticity, then condition.
    entries = {
        1: [sheet(900, authenticity=380, condition=280, elegance=160)],
        2: [sheet(900, authenticity=390, condition=250, elegance=180)],
        3: [sheet(900, authenticity=390, condition=260, elegance=150)],
        4: [sheet(950)],
    }
    got = by_entry(tabulate_class(CLASS, entries))
    assert [got[e].rank for e in (4, 3, 2, 1)] == [1, 2, 3, 4]
    assert [got[e].award for e in (4, 3, 2, 1)] == ["1st in class", "2nd in class", "3rd in class", ""]
    for e in (1, 2, 3):
        assert "category order" in got[e].tie_note
        assert not got[e].unresolved_tie
    assert got[4].tie_note == ""


def test_unresolved_tie_shares_the_rank_and_gets_no_award() -> None:
    entries = {
        1: [sheet(900, authenticity=380, condition=270)],
        2: [sheet(900, authenticity=380, condition=270)],
        3: [sheet(850)],
    }
    got = by_entry(tabulate_class(CLASS, entries))
    assert (got[1].rank, got[2].rank, got[3].rank) == (1, 1, 3)
    assert got[1].unresolved_tie and got[2].unresolved_tie and not got[3].unresolved_tie
    assert (got[1].award, got[2].award) == ("", "")
    assert "chief judge" in got[1].tie_note
    assert got[3].award == "3rd in class"  # ranks are 1, 1, 3: the third car is third


def test_chief_judge_decision_resolves_the_tie() -> None:
    entries = {
        1: [sheet(900, authenticity=380, condition=270)],
        2: [sheet(900, authenticity=380, condition=270)],
        3: [sheet(850)],
    }
    got = by_entry(tabulate_class(CLASS, entries, decisions=[(2, 1)]))
    assert [(got[e].rank, got[e].award) for e in (2, 1, 3)] == [
        (1, "1st in class"),
        (2, "2nd in class"),
        (3, "3rd in class"),
    ]
    assert not got[1].unresolved_tie and not got[2].unresolved_tie
    assert "chief judge's recorded decision" in got[2].tie_note


def test_three_way_tie_is_decided_one_place_at_a_time() -> None:
    entries = one_sheet_each(e1=900, e2=900, e3=900, e4=800)
    none = by_entry(tabulate_class(PLACES, entries, decisions=[(3, 1)]))
    assert [none[e].rank for e in (1, 2, 3, 4)] == [1, 1, 1, 4]
    assert all(none[e].unresolved_tie for e in (1, 2, 3))
    assert [none[e].award for e in (1, 2, 3, 4)] == ["", "", "", ""]
    # Car 3 is recorded above both others: it takes first; cars 1 and 2 are still tied for second.
    partial = by_entry(tabulate_class(PLACES, entries, decisions=[(3, 1), (3, 2)]))
    assert [partial[e].rank for e in (1, 2, 3, 4)] == [2, 2, 1, 4]
    assert [partial[e].unresolved_tie for e in (1, 2, 3)] == [True, True, False]
    assert [partial[e].award for e in (1, 2, 3, 4)] == ["", "", "1st in class", ""]
    full = by_entry(tabulate_class(PLACES, entries, decisions=[(3, 1), (3, 2), (2, 1)]))
    assert [full[e].rank for e in (1, 2, 3, 4)] == [3, 2, 1, 4]
    assert [full[e].award for e in (1, 2, 3)] == ["3rd in class", "2nd in class", "1st in class"]

    full = by_entry(tabulate_class(PLACES, entries, decisions=[(3, 1), (3, 2), (1, 2), (4, 9)]))
    assert [full[e].rank for e in (3, 1, 2, 4)] == [1, 2, 3, 4]
    assert [full[e].award for e in (3, 1, 2, 4)] == ["1st in class", "2nd in class", "3rd in class", ""]


def test_tie_for_second_holds_back_second_and_third() -> None:
    got = by_entry(tabulate_class(PLACES, one_sheet_each(e1=950, e2=900, e3=900, e4=850)))
    assert [got[e].rank for e in (1, 2, 3, 4)] == [1, 2, 2, 4]
    assert [got[e].award for e in (1, 2, 3, 4)] == ["1st in class", "", "", ""]


def test_decisions_outside_the_tied_group_change_nothing() -> None:
    entries = one_sheet_each(e1=950, e2=900)
    assert tabulate_class(PLACES, entries, decisions=[(2, 1)]) == tabulate_class(PLACES, entries)


# --- award levels -------------------------------------------------------------------------------------------------


def test_absolute_levels_are_shared_not_tied() -> None:
    # CLC: 99, 98, 95, 90, 80, 70 points; any number of cars share a level.
    entries = one_sheet_each(e1=955, e2=955, e3=995, e4=990, e5=989, e6=700, e7=699)
    got = by_entry(tabulate_class(CLC, entries))
    assert {e: got[e].award for e in got} == {
        1: "95 points",
        2: "95 points",
        3: "99 points",
        4: "99 points",
        5: "98 points",
        6: "70 points",
        7: "",
    }
    # Equal scores share a rank, and that is not a tie awaiting the chief judge.
    assert got[1].rank == got[2].rank == 4
    assert not any(r.unresolved_tie for r in got.values())


def test_six_cars_at_one_hundred_all_share_the_top_level() -> None:
    # One JCNA show had six cars at 100.0.
    jcna = System(award_rule="levels", levels=(Level("90", 900), Level("80", 800), Level("70", 700)))
    results = tabulate_class(jcna, one_sheet_each(**{f"e{i}": 1000 for i in range(1, 7)}, e7=850))
    assert [r.award for r in results] == ["90"] * 6 + ["80"]
    assert [r.rank for r in results] == [1] * 6 + [7]
    assert not any(r.unresolved_tie for r in results)


def aaca_car(total: int) -> list[SheetScore]:
    """Four section sheets (AACA areas: max 155, 90, 75, 80 points) adding up to ``total`` units."""
    exterior = 1550 - (4000 - total)
    return [
        sheet(exterior, section="exterior", exterior=exterior),
        sheet(900, section="interior", interior=900),
        sheet(750, section="chassis", chassis=750),
        sheet(800, section="engine", engine=800),
    ]


def test_aaca_band_first_for_every_car_within_ten_of_the_high() -> None:
    # First ≥ 365 and within 10 of the class high (3720): 372, 368, 365 all get First.
    entries = {1: aaca_car(3720), 2: aaca_car(3680), 3: aaca_car(3650), 4: aaca_car(3640), 5: aaca_car(3600)}
    got = by_entry(tabulate_class(AACA, entries))
    assert [got[e].score for e in (1, 2, 3, 4, 5)] == [3720, 3680, 3650, 3640, 3600]
    assert [got[e].award for e in (1, 2, 3, 4, 5)] == ["First", "First", "First", "", ""]


def test_aaca_band_senior_and_first_and_outside_the_band() -> None:
    # High 380: Senior needs ≥ 375 and ≥ 370; First needs ≥ 365 and ≥ 370.
    entries = {1: aaca_car(3800), 2: aaca_car(3760), 3: aaca_car(3710), 4: aaca_car(3700), 5: aaca_car(3690)}
    got = by_entry(tabulate_class(AACA, entries))
    assert [got[e].award for e in (1, 2, 3, 4, 5)] == ["Senior", "Senior", "First", "First", ""]
    # 369 is above 365 but more than 10 below the class high: no First.


def test_aaca_band_follows_the_class_high_not_an_ineligible_car() -> None:
    capped = replace(AACA, cap_units=3900)
    entries = {1: aaca_car(3950), 2: aaca_car(3700), 3: aaca_car(3660)}
    got = by_entry(tabulate_class(capped, entries))
    assert got[1].ineligible and got[1].award == ""
    assert (got[2].award, got[3].award) == ("First", "First")  # band measured from 370, the eligible high


@pytest.mark.parametrize(
    ("units", "award"),
    [
        (1000, "Top Flight"),
        (940, "Top Flight"),
        (939, "Second Flight"),
        (850, "Second Flight"),
        (849, "Third Flight"),
        (750, "Third Flight"),
        (749, ""),
    ],
)
def test_percent_levels_of_a_100_point_sheet(units: int, award: str) -> None:
    hundred = replace(NCRS, max_units=Fraction(1000))
    (result,) = tabulate_class(hundred, one_sheet_each(e1=units))
    assert result.award == award


def test_percent_levels_of_a_4500_point_sheet() -> None:
    ncrs = NCRS  # 94 % of 4,500 points is 4,230 points
    assert ncrs.max_units == 45000
    got = by_entry(tabulate_class(ncrs, one_sheet_each(e1=42300, e2=42299, e3=33750, e4=33749)))
    assert [got[e].award for e in (1, 2, 3, 4)] == ["Top Flight", "Second Flight", "Third Flight", ""]


def test_percent_levels_without_a_maximum_award_nothing() -> None:
    results = tabulate_class(replace(NCRS, max_units=Fraction(0)), one_sheet_each(e1=1000))
    assert results[0].award == ""


def test_levels_are_tried_in_order() -> None:
    system = System(award_rule="levels", levels=(Level("Gold", 900), Level("Silver", 800)))
    got = by_entry(tabulate_class(system, one_sheet_each(e1=950, e2=850, e3=100)))
    assert (got[1].award, got[2].award, got[3].award) == ("Gold", "Silver", "")


# --- properties ---------------------------------------------------------------------------------------------------

CATEGORY_KEYS = ("a", "b", "c")
SECTIONS = ("front", "back")


@st.composite
def sheets_strategy(draw: st.DrawFn, *, sections: bool) -> dict[int, list[SheetScore]]:
    """A class of up to 7 entries with 0–5 sheets each; small value ranges so that ties are common."""
    n_entries = draw(st.integers(min_value=1, max_value=7))
    entry_ids = draw(st.lists(st.integers(1, 50), min_size=n_entries, max_size=n_entries, unique=True))
    sheet_id = 0
    out: dict[int, list[SheetScore]] = {}
    for entry_id in entry_ids:
        sheets = []
        for _ in range(draw(st.integers(min_value=0, max_value=5))):
            sheet_id += draw(st.integers(1, 3))
            cats = {k: Fraction(draw(st.sampled_from((0, 5, 10, 20)))) for k in CATEGORY_KEYS}
            section = draw(st.sampled_from(SECTIONS)) if sections else ""
            sheets.append(SheetScore(sheet_id, f"j{sheet_id}", sum(cats.values(), Fraction(0)), cats, section))
        out[entry_id] = sheets
    return out


@st.composite
def system_strategy(draw: st.DrawFn) -> System:
    sheet_mode, combine_rule = draw(
        st.sampled_from(
            [("individual", "mean"), ("individual", "mean_drop_high_low"), ("team", "consensus"), ("section", "sum")]
        )
    )
    levels = (Level("Gold", 50), Level("Pct", min_permille=500), Level("Band", 10, band_units=15))
    return System(
        sheet_mode=sheet_mode,
        combine=combine_rule,
        award_rule=draw(st.sampled_from(["places", "levels"])),
        places=draw(st.integers(1, 4)),
        min_units_for_first=draw(st.none() | st.sampled_from([20, 40, 60])),
        cap_units=draw(st.none() | st.sampled_from([40, 55])),
        tie_break_keys=draw(st.sampled_from([(), ("a",), ("b", "a"), ("c", "b", "a")])),
        levels=levels,
        max_units=Fraction(60),
    )


@st.composite
def class_strategy(draw: st.DrawFn) -> tuple[System, dict[int, list[SheetScore]], list[tuple[int, int]]]:
    system = draw(system_strategy())
    entries = draw(sheets_strategy(sections=system.sheet_mode == "section"))
    ids = sorted(entries)
    decisions = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])))
    return system, entries, decisions


def shuffled(entries: Mapping[int, Sequence[SheetScore]], rng: random.Random) -> dict[int, list[SheetScore]]:
    keys = list(entries)
    rng.shuffle(keys)
    out: dict[int, list[SheetScore]] = {}
    for k in keys:
        sheets = list(entries[k])
        rng.shuffle(sheets)
        out[k] = sheets
    return out


@FAST
@given(case=class_strategy(), seed=st.integers(0, 2**32))
def test_result_does_not_depend_on_the_order_sheets_arrive(
    case: tuple[System, dict[int, list[SheetScore]], list[tuple[int, int]]], seed: int
) -> None:
    system, entries, decisions = case
    rng = random.Random(seed)
    expected = tabulate_class(system, entries, decisions)
    again = list(decisions)
    rng.shuffle(again)
    assert tabulate_class(system, shuffled(entries, rng), again) == expected
    assert tabulate_class(system, entries, iter(decisions)) == expected  # decisions may be any iterable


@FAST
@given(case=class_strategy())
def test_every_score_is_the_combine_of_its_own_sheets(
    case: tuple[System, dict[int, list[SheetScore]], list[tuple[int, int]]],
) -> None:
    system, entries, decisions = case
    results = tabulate_class(system, entries, decisions)
    assert sorted(r.entry_id for r in results) == sorted(entries)
    for r in results:
        score, cats, counted, dropped, note = combine(system, entries[r.entry_id])
        assert (r.score, r.by_category, r.counted, r.dropped, r.combine_note) == (score, cats, counted, dropped, note)
        # every submitted sheet is either counted or dropped, once
        assert sorted(r.counted + r.dropped) == sorted(s.sheet_id for s in entries[r.entry_id])
        assert not set(r.counted) & set(r.dropped)
        if r.score is not None and system.combine != "sum" and system.sheet_mode != "section":
            totals = [s.total for s in entries[r.entry_id]]
            assert min(totals) <= r.score <= max(totals)


@FAST
@given(
    combine_rule=st.sampled_from(["mean", "mean_drop_high_low"]),
    per_entry=st.integers(min_value=1, max_value=5),
    data=st.data(),
)
def test_a_car_never_outranks_a_car_whose_every_sheet_is_higher(
    combine_rule: str, per_entry: int, data: st.DataObject
) -> None:
    system = System(combine=combine_rule, tie_break_keys=("a",))
    n = data.draw(st.integers(min_value=2, max_value=6))
    totals = data.draw(
        st.lists(
            st.lists(st.integers(0, 30), min_size=per_entry, max_size=per_entry),
            min_size=n,
            max_size=n,
        )
    )
    sheet_id = iter(range(1, 1000))
    entries = {
        e: [SheetScore(next(sheet_id), "j", Fraction(t), {"a": Fraction(30 - t)}) for t in ts]
        for e, ts in enumerate(totals, start=1)
    }
    got = by_entry(tabulate_class(system, entries))
    for a, ta in enumerate(totals, start=1):
        for b, tb in enumerate(totals, start=1):
            # b's sheets, sorted, are each strictly higher than a's (in particular: min(b) > max(a))
            if all(y > x for x, y in zip(sorted(ta), sorted(tb), strict=True)):
                assert got[b].score > got[a].score  # type: ignore[operator]
                assert got[b].rank < got[a].rank  # type: ignore[operator]


@FAST
@given(case=class_strategy())
def test_ranks_are_one_based_competition_ranks(
    case: tuple[System, dict[int, list[SheetScore]], list[tuple[int, int]]],
) -> None:
    system, entries, decisions = case
    results = tabulate_class(system, entries, decisions)
    ranked = [r for r in results if r.rank is not None]
    eligible = [r for r in results if r.score is not None and not (r.ineligible and r.ineligible.startswith("over"))]
    assert {r.entry_id for r in ranked} == {r.entry_id for r in eligible}
    for r in results:
        if r.score is None:
            assert r.rank is None and r.award == ""
    ranks = sorted(r.rank for r in ranked)  # type: ignore[type-var]
    for rank in ranks:
        # 1 + the number of cars ahead: 1, 1, 3, 4 …
        assert rank == 1 + sum(1 for other in ranks if other < rank)
    if not any(r.unresolved_tie for r in ranked) and system.award_rule == "places":
        assert ranks == list(range(1, len(ranks) + 1))
    # a higher score is always a better rank
    for x in ranked:
        for y in ranked:
            if x.score > y.score:  # type: ignore[operator]
                assert x.rank < y.rank  # type: ignore[operator]
    # the list comes ordered by rank, unranked last
    assert [r.rank for r in results] == sorted((r.rank for r in results), key=lambda k: (k is None, k or 0))


@FAST
@given(case=class_strategy())
def test_awards_follow_the_rule(case: tuple[System, dict[int, list[SheetScore]], list[tuple[int, int]]]) -> None:
    system, entries, decisions = case
    results = tabulate_class(system, entries, decisions)
    ranked = [r for r in results if r.rank is not None]
    if system.award_rule == "places":
        for r in results:
            shares_rank = sum(1 for o in ranked if o.rank == r.rank) > 1
            assert r.unresolved_tie == (r.rank is not None and shares_rank)
            expected = (
                r.rank is not None
                and not r.unresolved_tie
                and r.rank <= system.places
                and not (
                    r.rank == 1 and system.min_units_for_first is not None and r.score < system.min_units_for_first
                )  # type: ignore[operator]
            )
            assert r.award == (place_name(r.rank) if expected else "")  # type: ignore[arg-type]
    else:
        # levels are shared: equal scores get equal awards, and nothing waits on the chief judge
        assert not any(r.unresolved_tie for r in results)
        for x in ranked:
            for y in ranked:
                if x.score == y.score:
                    assert x.award == y.award
        for r in results:
            if r.rank is None:
                assert r.award == ""


# -- every car without an award says why, in points (scale 10: the units are tenths of a point) --


def test_places_say_why_each_car_has_no_award() -> None:
    system = System(places=3, min_units_for_first=900, cap_units=970, scale=10)
    entries = one_sheet_each(e1=985, e2=895, e3=880, e4=870, e5=860)
    entries[6] = []  # no submitted sheet
    got = by_entry(tabulate_class(system, entries))
    assert {e: (got[e].award, got[e].no_award) for e in got} == {
        1: ("", "over-qualified: 98.5 points is above the cap of 97"),
        2: ("", "below the minimum for a first: 89.5 points, 0.5 short of 90"),
        3: ("2nd in class", ""),
        4: ("3rd in class", ""),
        5: ("", "placed 4th: awards go to the first 3 places"),
        6: ("", "not judged: no submitted sheet"),
    }


def test_an_unresolved_tie_says_it_awaits_the_chief_judge() -> None:
    got = by_entry(tabulate_class(System(scale=10), one_sheet_each(e1=900, e2=900)))
    assert got[1].no_award == got[2].no_award == "tied for 1st: awaiting the chief judge's decision"


def test_levels_say_by_how_much_a_car_missed_the_lowest_one() -> None:
    # AACA-style: First needs 365 points and to be within 10 of the class's best.
    entries = {1: aaca_car(3800), 2: aaca_car(3690), 3: aaca_car(3600)}
    got = by_entry(tabulate_class(replace(AACA, scale=10), entries))
    assert got[2].no_award == (
        "below every award level: First goes to cars within 10 points of the class's best (380); "
        "this car is 11 below it"
    )
    assert got[3].no_award == (
        "below every award level: First needs 365 points, 5 more than its 360; "
        "First goes to cars within 10 points of the class's best (380); this car is 20 below it"
    )
    percent = System(award_rule="levels", levels=(Level("Gold", None, 900),), max_units=Fraction(1000), scale=10)
    got = by_entry(tabulate_class(percent, one_sheet_each(e1=950, e2=880)))
    assert got[1].award == "Gold" and got[1].no_award == ""
    assert got[2].no_award == "below every award level: Gold needs 90% (90 points), 2 more than its 88"
