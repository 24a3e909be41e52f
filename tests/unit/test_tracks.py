"""Award tracks (AACA style: a car that has won its First competes for the Senior award): the track from a car's
past awards, the organizer's override, and a worked class with the expected explanation for every car."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from concours.domain.presets import SYSTEM_PRESETS
from concours.domain.tabulation import SheetScore, System, tabulate_class
from concours.domain.tracks import PastAward, Track, has_tracks, overridden, track_from_history, track_steps

AACA = replace(SYSTEM_PRESETS["aaca_400"].system, scale=10, max_units=Fraction(4000))


def sheet(entry_id: int, points: float) -> list[SheetScore]:
    return [SheetScore(entry_id * 10, "team", Fraction(round(points * 10)))]


def test_the_aaca_preset_has_a_track_first_then_senior() -> None:
    assert has_tracks(AACA)
    assert [s.name for s in track_steps(AACA)] == ["First", "Senior"]


@pytest.mark.parametrize(
    "system",
    [
        SYSTEM_PRESETS["clc_levels"].system,
        SYSTEM_PRESETS["ncrs_percent"].system,
        SYSTEM_PRESETS["ccca_100"].system,
        replace(AACA, award_tracks=False),
        replace(AACA, levels=()),
        replace(AACA, award_rule="places"),
    ],
)
def test_systems_without_tracks_have_none(system: System) -> None:
    assert not has_tracks(system)
    assert track_from_history(system, [PastAward("First", "Spring Meet", 2025)]) is None


@pytest.mark.parametrize(
    ("past", "level", "reason", "source"),
    [
        ([], "First", "No First or Senior recorded at an earlier event: competes for the First award", "first"),
        (
            [PastAward("1st in class", "Spring Meet", 2025), PastAward("Gold", "Fall Meet", 2024)],
            "First",
            "No First or Senior recorded at an earlier event: competes for the First award",
            "first",
        ),
        (
            [PastAward("First", "Spring Meet", 2025)],
            "Senior",
            "Won its First at Spring Meet 2025: competes for the Senior award",
            "history",
        ),
        (  # the event's name already carries its year: not twice
            [PastAward("first", "Hershey Fall Meet 2024", 2024)],
            "Senior",
            "Won its First at Hershey Fall Meet 2024: competes for the Senior award",
            "history",
        ),
        (  # won First twice: the latest is named
            [PastAward("First", "Spring Meet", 2023), PastAward("First", "Fall Meet", 2025)],
            "Senior",
            "Won its First at Fall Meet 2025: competes for the Senior award",
            "history",
        ),
        (  # the highest step won decides, whatever the order
            [PastAward("Senior", "Fall Meet", 2024), PastAward("First", "Spring Meet", 2023)],
            None,
            "Won its Senior at Fall Meet 2024, the last award of this track",
            "history",
        ),
    ],
)
def test_track_from_history(past: list[PastAward], level: str | None, reason: str, source: str) -> None:
    assert track_from_history(AACA, past) == Track(level, reason, source)


def test_three_step_track() -> None:
    system = replace(
        AACA,
        levels=(
            replace(AACA.levels[0], name="Grand National Senior", min_units=3900),
            *AACA.levels,
        ),
    )
    track = track_from_history(system, [PastAward("Senior", "Fall Meet", 2024)])
    assert track == Track(
        "Grand National Senior", "Won its Senior at Fall Meet 2024: competes for the Grand National Senior award"
    )
    first = track_from_history(system, [])
    assert first is not None
    assert first.reason == (
        "No First, Senior or Grand National Senior recorded at an earlier event: competes for the First award"
    )


def test_override() -> None:
    track = overridden(AACA, "first", "restored again since its Senior in 2015", "Olive Organizer")
    assert track == Track(
        "First",
        "Set by Olive Organizer: competes for the First award (restored again since its Senior in 2015)",
        "override",
    )
    with pytest.raises(ValueError):
        overridden(AACA, "Preservation", "no such step", "Olive Organizer")


def test_worked_class_with_tracks() -> None:
    """Seven cars of an AACA class; the class's best is 380. Every car's award, track and explanation."""
    tracks = {
        1: track_from_history(AACA, []),
        2: track_from_history(AACA, [PastAward("First", "Spring Meet", 2025)]),
        3: track_from_history(AACA, [PastAward("First", "Spring Meet", 2025)]),
        4: track_from_history(AACA, []),
        5: track_from_history(AACA, [PastAward("First", "Spring Meet", 2023), PastAward("Senior", "Fall Meet", 2024)]),
        6: overridden(AACA, "First", "restored again since its Senior in 2015", "Olive Organizer"),
        7: track_from_history(AACA, []),
    }
    sheets = {1: sheet(1, 380), 2: sheet(2, 378), 3: sheet(3, 372), 4: sheet(4, 366), 5: sheet(5, 379)}
    sheets |= {6: sheet(6, 370), 7: []}
    results = {
        r.entry_id: r for r in tabulate_class(AACA, sheets, tracks={k: v for k, v in tracks.items() if v is not None})
    }
    expected = {
        1: ("First", "", "No First or Senior recorded at an earlier event: competes for the First award"),
        2: ("Senior", "", "Won its First at Spring Meet 2025: competes for the Senior award"),
        3: (
            "",
            "competes for the Senior award: 372 is below its minimum of 375",
            "Won its First at Spring Meet 2025: competes for the Senior award",
        ),
        4: (
            "",
            "competes for the First award: 366 is 14 below the class's best (380), more than the 10 its band allows",
            "No First or Senior recorded at an earlier event: competes for the First award",
        ),
        5: (
            "",
            "none left to compete for: won its Senior at Fall Meet 2024, the last award of this track",
            "Won its Senior at Fall Meet 2024, the last award of this track",
        ),
        6: (
            "First",
            "",
            "Set by Olive Organizer: competes for the First award (restored again since its Senior in 2015)",
        ),
        7: (
            "",
            "not judged: no submitted sheet",
            "No First or Senior recorded at an earlier event: competes for the First award",
        ),
    }
    assert {k: (r.award, r.no_award, r.track) for k, r in results.items()} == expected
    assert [r.entry_id for r in results.values() if r.rank] == [1, 5, 2, 3, 6, 4]  # ranks stay by score
    assert results[5].rank == 2


def test_a_car_missing_both_minimum_and_band() -> None:
    system = replace(AACA)
    results = tabulate_class(
        system, {1: sheet(1, 390), 2: sheet(2, 374)}, tracks={2: Track("Senior", "Won its First at X 2020: ...")}
    )
    two = next(r for r in results if r.entry_id == 2)
    assert two.no_award == (
        "competes for the Senior award: 374 is below its minimum of 375; "
        "374 is 16 below the class's best (390), more than the 10 its band allows"
    )


def test_a_car_without_a_given_track_competes_for_the_first_step() -> None:
    results = tabulate_class(AACA, {1: sheet(1, 380)})
    assert (results[0].award, results[0].track_level, results[0].track) == (
        "First",
        "First",
        "competes for the First award",
    )


def test_without_tracks_nothing_changes() -> None:
    """The same class judged by the same levels without a track: the best level reached, whatever the history."""
    system = replace(AACA, award_tracks=False)
    sheets = {1: sheet(1, 380), 2: sheet(2, 378), 3: sheet(3, 372), 4: sheet(4, 366)}
    results = {r.entry_id: r for r in tabulate_class(system, sheets, tracks={2: Track("Senior", "ignored")})}
    assert {k: (r.award, r.no_award, r.track) for k, r in results.items()} == {
        1: ("Senior", "", ""),
        2: ("Senior", "", ""),
        3: ("First", "", ""),
        4: (
            "",
            "below every award level: First goes to cars within 10 points of the class's best (380); "
            "this car is 14 below it",
            "",
        ),
    }


def test_percent_levels_on_a_track() -> None:
    """A track of percent levels (NCRS-like) reads its minimum in percent and points."""
    system = replace(SYSTEM_PRESETS["ncrs_percent"].system, award_tracks=True, scale=10, max_units=Fraction(45000))
    assert [s.name for s in track_steps(system)] == ["Third Flight", "Second Flight", "Top Flight"]
    results = tabulate_class(
        system, {1: sheet(1, 4000)}, tracks={1: Track("Top Flight", "Won its Second Flight at Nationals 2024: ...")}
    )
    assert results[0].no_award == "competes for the Top Flight award: 4000 is below its minimum of 94% (4230)"
