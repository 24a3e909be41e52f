"""Presets: every rubric is a sheet a judge can fill; every judging system fits its rubric."""

from __future__ import annotations

from fractions import Fraction

import pytest

from concours.domain.presets import RUBRIC_PRESETS, SYSTEM_PRESETS, RubricPreset, SystemPreset
from concours.domain.rubric import check_value, format_units, sheet_max
from concours.domain.tabulation import AWARD_RULES, COMBINES, SHEET_MODES

RUBRICS = list(RUBRIC_PRESETS.values())
SYSTEMS = list(SYSTEM_PRESETS.values())


def test_presets_are_keyed_by_their_key() -> None:
    assert all(key == p.key for key, p in RUBRIC_PRESETS.items())
    assert all(key == p.key for key, p in SYSTEM_PRESETS.items())
    assert {"classic_100", "class_elegance", "aaca_400"} <= set(RUBRIC_PRESETS)


@pytest.mark.parametrize("preset", RUBRICS, ids=lambda p: p.key)
def test_rubric_categories_are_fillable(preset: RubricPreset) -> None:
    assert preset.scale > 0
    assert preset.categories
    keys = [c.key for c in preset.categories]
    assert len(keys) == len(set(keys)), "category keys must be unique"
    assert len({c.name for c in preset.categories}) == len(keys), "category names must be unique"
    for c in preset.categories:
        assert c.step_units > 0, c.key
        assert c.max_units > 0, c.key
        assert c.max_units % c.step_units == 0, c.key
        assert c.mode in ("points", "deduction"), c.key
        assert c.weight_percent > 0, c.key
        assert c.guidance, c.key
        # the sheet's extremes are values the category holds: nothing deducted, everything deducted
        check_value(c, 0, preset.scale)
        check_value(c, c.max_units, preset.scale)


@pytest.mark.parametrize("preset", RUBRICS, ids=lambda p: p.key)
def test_quick_deductions_fit_their_category(preset: RubricPreset) -> None:
    for c in preset.categories:
        if c.quick_deductions:
            assert c.mode == "deduction", c.key
        labels = [label for label, _ in c.quick_deductions]
        assert len(labels) == len(set(labels)), c.key
        for label, units in c.quick_deductions:
            assert 0 < units <= c.max_units, (c.key, label)
            assert units % c.step_units == 0, (c.key, label)
            check_value(c, c.max_units - units, preset.scale)


@pytest.mark.parametrize(("key", "points"), [("classic_100", 100), ("class_elegance", 100), ("aaca_400", 400)])
def test_sheet_totals(key: str, points: int) -> None:
    preset = RUBRIC_PRESETS[key]
    assert preset.scale == 10
    assert sheet_max(preset.categories) == points * preset.scale
    assert format_units(sheet_max(preset.categories), preset.scale) == str(points)


def test_classic_100_areas_as_published() -> None:
    cats = RUBRIC_PRESETS["classic_100"].categories
    assert [(c.key, c.max_units // 10) for c in cats] == [
        ("body_paint", 25),
        ("interior", 20),
        ("engine", 15),
        ("chrome_trim", 15),
        ("undercarriage", 15),
        ("wheels_tires", 10),
    ]
    assert all(c.mode == "points" and c.step_units == 5 for c in cats)  # points in halves


def test_aaca_400_is_four_deduction_sections() -> None:
    cats = RUBRIC_PRESETS["aaca_400"].categories
    assert [c.section for c in cats] == ["exterior", "interior", "chassis", "engine"]
    assert all(c.mode == "deduction" for c in cats)


@pytest.mark.parametrize("preset", SYSTEMS, ids=lambda p: p.key)
def test_system_preset_fits_its_rubric(preset: SystemPreset) -> None:
    assert preset.rubric in RUBRIC_PRESETS
    rubric = RUBRIC_PRESETS[preset.rubric]
    keys = {c.key for c in rubric.categories}
    system = preset.system
    assert set(system.tie_break_keys) <= keys, f"unknown tie-break keys {set(system.tie_break_keys) - keys}"
    assert len(system.tie_break_keys) == len(set(system.tie_break_keys))
    assert system.sheet_mode in SHEET_MODES
    assert system.combine in COMBINES
    assert system.award_rule in AWARD_RULES
    assert system.places >= 1
    if system.award_rule == "levels":
        assert system.levels
    if system.sheet_mode == "section":
        assert all(c.section for c in rubric.categories), "section judging needs a section on every category"
    maximum = sheet_max(rubric.categories)
    for level in system.levels:
        assert level.min_units is not None or level.min_permille is not None, level.name
        if level.min_units is not None:
            assert 0 < level.min_units <= maximum, level.name
        if level.min_permille is not None:
            assert 0 < level.min_permille <= 1000, level.name


@pytest.mark.parametrize("preset", SYSTEMS, ids=lambda p: p.key)
def test_levels_go_from_the_hardest_down(preset: SystemPreset) -> None:
    # Levels are tried in order and the first one met is the award: the hardest must come first.
    levels = preset.system.levels
    names = [lv.name for lv in levels]
    assert len(names) == len(set(names))
    mins = [lv.min_units for lv in levels if lv.min_units is not None]
    permilles = [lv.min_permille for lv in levels if lv.min_permille is not None]
    assert mins == sorted(mins, reverse=True)
    assert permilles == sorted(permilles, reverse=True)


def test_level_presets_as_published() -> None:
    aaca = SYSTEM_PRESETS["aaca_400"].system
    assert [(lv.name, lv.min_units, lv.band_units) for lv in aaca.levels] == [
        ("Senior", 3750, 100),
        ("First", 3650, 100),
    ]
    clc = SYSTEM_PRESETS["clc_levels"].system
    assert [lv.min_units for lv in clc.levels] == [990, 980, 950, 900, 800, 700]
    ncrs = SYSTEM_PRESETS["ncrs_percent"].system
    assert [(lv.name, lv.min_permille) for lv in ncrs.levels] == [
        ("Top Flight", 940),
        ("Second Flight", 850),
        ("Third Flight", 750),
    ]
    ccca = SYSTEM_PRESETS["ccca_100"].system
    assert (ccca.combine, ccca.cap_units) == ("mean_drop_high_low", None)  # the touring cap is set per event
    # a preset's maximum is filled in from the rubric by the service; the preset itself leaves it empty
    assert all(p.system.max_units == Fraction(0) for p in SYSTEMS)
