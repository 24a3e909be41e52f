"""Rubric and judging-system presets drawn from how clubs and shows actually judge (see DOMAIN.md).

An organizer picks one and can adjust it; every value lands in ordinary rubric and judging-system
rows, so nothing downstream special-cases a preset.
"""

from __future__ import annotations

from dataclasses import dataclass

from concours.domain.calibration import Threshold
from concours.domain.rubric import Category
from concours.domain.tabulation import Level, System
from concours.i18n import N_


@dataclass(frozen=True)
class RubricPreset:
    key: str
    name: str
    description: str
    scale: int
    categories: tuple[Category, ...]


def _pts(key: str, name: str, max_points: int, guidance: str, *, step: int = 5, section: str | None = None) -> Category:
    return Category(key=key, name=name, max_units=max_points * 10, step_units=step, guidance=guidance, section=section)


def _ded(
    key: str,
    name: str,
    max_points: int,
    guidance: str,
    *,
    step: int = 5,
    section: str | None = None,
    quick: tuple[tuple[str, int], ...] = (),
) -> Category:
    return Category(
        key=key,
        name=name,
        max_units=max_points * 10,
        step_units=step,
        mode="deduction",
        guidance=guidance,
        section=section,
        quick_deductions=quick,
    )


RUBRIC_PRESETS: dict[str, RubricPreset] = {
    p.key: p
    for p in (
        RubricPreset(
            "classic_100",
            "100 points, six areas",
            "The common club sheet: body & paint 25, interior 20, engine compartment 15, chrome & trim 15, "
            "undercarriage 15, wheels & tires 10; points in halves.",
            10,
            (
                _pts("body_paint", "Body & paint", 25, "Panel fit, paint finish and correctness, rust, dents."),
                _pts("interior", "Interior", 20, "Upholstery, carpets, dash and instruments, trunk, tools, spare."),
                _pts("engine", "Engine compartment", 15, "Cleanliness, correct finishes, hoses, wiring, leaks."),
                _pts("chrome_trim", "Chrome & trim", 15, "Plating quality, pitting, correct trim and badges."),
                _pts("undercarriage", "Undercarriage", 15, "Frame, suspension, exhaust, floor pans."),
                _pts("wheels_tires", "Wheels & tires", 10, "Correct type and size, condition, hubcaps."),
            ),
        ),
        RubricPreset(
            "class_elegance",
            "Class judging with elegance (Pebble Beach / ICJAG style)",
            "Class judges deduct for flaws in authenticity and condition (½ to 5 points an item); elegance "
            "and design are awarded as points.",
            10,
            (
                _ded(
                    "authenticity",
                    "Authenticity",
                    40,
                    "Deduct ½–5 per incorrect item: wrong engine type, "
                    "out-of-period rebody, non-original frame are the maximum 5.",
                    quick=(("Incorrect detail", 5), ("Wrong tires", 20), ("Wrong engine type", 50)),
                ),
                _ded(
                    "condition",
                    "Condition & presentation",
                    30,
                    "Deduct ½–5 per flaw in paint, plating, upholstery, engine bay and chassis.",
                    quick=(("Minor flaw", 5), ("Visible damage", 20)),
                ),
                _ded(
                    "operations",
                    "Function",
                    10,
                    "Starts; instruments, lights, signals, horn. A car that will not start loses the maximum 5.",
                    step=5,
                    quick=(("Does not start", 50), ("Lights", 10)),
                ),
                _pts("elegance", "Elegance & design", 20, "Line, proportion, presence and historical significance."),
            ),
        ),
        RubricPreset(
            "aaca_400",
            "400 points by deduction, four areas (AACA style)",
            "Every car starts at 400; one judge per area deducts: exterior, interior, chassis, engine.",
            10,
            (
                _ded(
                    "exterior",
                    "Exterior",
                    155,
                    "Paint, body, plating, glass, lights, wheels and tires. "
                    "Examples: wrong radial tires −15, wrong hubcaps −12, valve caps −5.",
                    step=10,
                    section="exterior",
                    quick=(("Wrong radial tires", 150), ("Wrong hubcaps", 120), ("Valve caps", 50)),
                ),
                _ded(
                    "interior",
                    "Interior",
                    90,
                    "Upholstery, dash, instruments, headliner, trunk.",
                    step=10,
                    section="interior",
                ),
                _ded(
                    "chassis",
                    "Chassis",
                    75,
                    "Frame, suspension, brakes, exhaust, underbody.",
                    step=10,
                    section="chassis",
                ),
                _ded(
                    "engine",
                    "Engine",
                    80,
                    "Engine, compartment, wiring, hoses, correct finishes.",
                    step=10,
                    section="engine",
                ),
            ),
        ),
        RubricPreset(
            "ncrs_4500",
            "4,500 points over five areas (NCRS style)",
            "Judges deduct from each area's maximum in whole points; areas add up and the score is shown as a "
            "percent of 4,500.",
            10,
            (
                _ded(
                    "exterior",
                    "Exterior",
                    1200,
                    "Paint, body, trim, glass, lamps, wheels, tires.",
                    step=10,
                    section="exterior",
                ),
                _ded(
                    "interior",
                    "Interior",
                    800,
                    "Upholstery, carpet, dash, instruments, trunk.",
                    step=10,
                    section="interior",
                ),
                _ded(
                    "chassis",
                    "Chassis",
                    900,
                    "Frame, suspension, brakes, exhaust, underbody finishes.",
                    step=10,
                    section="chassis",
                ),
                _ded(
                    "mechanical",
                    "Mechanical",
                    1000,
                    "Engine and compartment: correct parts, finishes, markings.",
                    step=10,
                    section="mechanical",
                ),
                _ded(
                    "operations",
                    "Operations",
                    600,
                    "Starts; lights, signals, horn, wipers, radio, heater, A/C.",
                    step=10,
                    section="operations",
                    quick=(("Wipers inoperative", 100), ("Radio inoperative", 100), ("Horn", 50)),
                ),
            ),
        ),
    )
}


@dataclass(frozen=True)
class SystemPreset:
    key: str
    name: str
    description: str
    system: System
    rubric: str
    # When a car's sheets disagree enough to flag it for the chief judge (see concours.domain.calibration):
    # 10 % of a line's maximum by default; 5 % where the club's award levels sit a few points apart.
    calibration: Threshold = Threshold()


SYSTEM_PRESETS: dict[str, SystemPreset] = {
    p.key: p
    for p in (
        # The key is kept from when this preset was (wrongly) named after Hemmings: events store it.
        SystemPreset(
            "class_placings",
            N_("ICJAG-style deductions plus elegance points, 1st–3rd (Pebble Beach style)"),
            "Each judge deducts for authenticity and condition (½–5 points an item) and awards points for "
            "elegance; the entry's score is the judges' mean; 1st, 2nd, 3rd in class. Ties go to the category "
            "order, then the chief judge.",
            System(
                sheet_mode="individual",
                combine="mean",
                award_rule="places",
                places=3,
                tie_break_keys=("authenticity", "condition"),
            ),
            "class_elegance",
        ),
        SystemPreset(
            "french_placings",
            N_("French / placings, 1st–3rd by eye (Hemmings style)"),
            "No points sheet: each judge orders the class's cars by elegance, presence, condition and story, "
            "with a note for each owner (or the team's captain records the team's consensus order). Orders "
            "combine by Borda count; equal points go to more first places, then to the chief judge.",
            System(sheet_mode="individual", combine="mean", award_rule="places", places=3, method="placings"),
            "class_elegance",
        ),
        SystemPreset(
            "ccca_100",
            N_("100 points, four judges, drop high and low (CCCA style)"),
            "Four judges score the car; the highest and lowest totals are dropped and the middle two "
            "averaged. Set a cap for a touring division (93: above it the car is over-qualified).",
            System(
                sheet_mode="individual",
                combine="mean_drop_high_low",
                award_rule="places",
                places=3,
                tie_break_keys=("body_paint", "interior", "engine"),
            ),
            "classic_100",
        ),
        SystemPreset(
            "ccca_touring",
            N_("100 points, drop high and low, touring cap 93 (CCCA touring division)"),
            "As the CCCA 100-point system; a car scoring above 93 is over-qualified for the touring division and "
            "not eligible for its awards.",
            System(
                sheet_mode="individual",
                combine="mean_drop_high_low",
                award_rule="places",
                places=3,
                cap_units=930,
                tie_break_keys=("body_paint", "interior", "engine"),
            ),
            "classic_100",
        ),
        SystemPreset(
            "aaca_400",
            N_("400 points, section judging, award bands (AACA style)"),
            "One judge per area deducts from 400; areas add up. First needs 365 and to be within 10 of the "
            "class's highest car; Senior 375 in the same band. A car competes for the award after the one it has "
            "won at an earlier event: First, then Senior.",
            System(
                sheet_mode="section",
                combine="sum",
                award_rule="levels",
                award_tracks=True,
                levels=(
                    Level("Senior", min_units=3750, band_units=100),
                    Level("First", min_units=3650, band_units=100),
                ),
            ),
            "aaca_400",
            Threshold(permille=50),
        ),
        SystemPreset(
            "clc_levels",
            N_("Absolute levels, shared awards (Cadillac & LaSalle Club style)"),
            "99, 98, 95, 90, 80 and 70 points name award levels; any number of cars share a level.",
            System(
                sheet_mode="individual",
                combine="mean",
                award_rule="levels",
                levels=tuple(Level(f"{p} points", min_units=p * 10) for p in (99, 98, 95, 90, 80, 70)),
            ),
            "classic_100",
            Threshold(permille=50),
        ),
        SystemPreset(
            "ncrs_percent",
            N_("Percent of 4,500 points, area judging (NCRS style)"),
            "Judges own areas of a 4,500-point sheet (two per area where the team allows: their deductions are "
            "averaged); areas add up; shown as a percent: Top Flight 94 %, Second 85 %, Third 75 %.",
            System(
                sheet_mode="section",
                combine="sum",
                award_rule="levels",
                levels=(
                    Level("Top Flight", min_permille=940),
                    Level("Second Flight", min_permille=850),
                    Level("Third Flight", min_permille=750),
                ),
            ),
            "ncrs_4500",
            Threshold(permille=50),
        ),
    )
}
