"""The judging system: how sheets become a result (sheet mode, combine rule, places or award levels,
caps, tie-break order); parse, update, describe in words, and its page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AwardLevel, Event, JudgingSystem
from concours.domain.calibration import MAX_PLACES, Threshold
from concours.domain.rubric import Category, format_units, sheet_max
from concours.domain.tabulation import AWARD_RULES, COMBINES, SHEET_MODES, place_name
from concours.i18n import N_
from concours.services import audit
from concours.services.errors import FormErrors
from concours.services.events import to_categories
from concours.services.permissions import Viewer
from concours.services.setup import (
    DEFAULT_SCALE,
    clean_text,
    current_rubric,
    indexed_rows,
    judging_system_of,
    lock_event,
    plural,
    points_units,
)

MAX_LEVELS = 20


LEVEL_FIELDS = ("name", "min", "percent", "band", "remove")


SHEET_MODE_LABELS = {
    "individual": N_("Individual: every judge fills a whole sheet"),
    "team": N_("Team: one consensus sheet per team and car"),
    "section": N_("Section: each judge owns some categories"),
}


COMBINE_LABELS = {
    "mean": N_("Mean of the judges' sheets"),
    "mean_drop_high_low": N_("Drop the highest and lowest, average the rest"),
    "sum": N_("Sections add up"),
    "consensus": N_("The team's consensus sheet"),
}


AWARD_RULE_LABELS = {
    "places": N_("Places by rank (1st, 2nd, 3rd …)"),
    "levels": N_("Award levels by score (shared by every car that reaches them)"),
}


@dataclass(frozen=True)
class LevelSpec:
    name: str
    min_units: int | None
    min_permille: int | None
    band_units: int | None


def _optional_points(
    text: str, scale: int, key: str, errors: dict[str, str], *, maximum: Fraction | None, what: str
) -> int | None:
    if not text:
        return None
    try:
        units = points_units(text, scale, what)
    except ValueError as exc:
        errors[key] = str(exc)
        return None
    if units <= 0:
        errors[key] = f"{what} must be more than 0, or leave it blank."
        return None
    if maximum is not None and maximum > 0 and units > maximum:
        errors[key] = f"{what} cannot be above the sheet's maximum of {format_units(maximum, scale)} points."
        return None
    return units


def _level_strength(level: LevelSpec, max_units: Fraction) -> Fraction:
    """A level's threshold as a fraction of the sheet's maximum, to compare points with percents."""
    if level.min_units is not None:
        return Fraction(level.min_units) / max_units if max_units else Fraction(level.min_units)
    return Fraction(level.min_permille or 0, 1000)


def parse_levels(form: Mapping[str, str], scale: int, max_units: Fraction, errors: dict[str, str]) -> list[LevelSpec]:
    levels: list[tuple[int, LevelSpec]] = []
    names: dict[str, int] = {}
    for i, row in indexed_rows(form, "level", LEVEL_FIELDS):
        if row.get("remove") or not any(row.get(k) for k in ("name", "min", "percent", "band")):
            continue
        e = f"level-{i}-"
        name = row.get("name", "")
        if not name:
            errors[e + "name"] = "Name the level, e.g. “Gold” or “First”."
        elif len(name) > 100:
            errors[e + "name"] = "At most 100 characters."
        elif name.casefold() in names:
            errors[e + "name"] = "Another level already has this name."
        else:
            names[name.casefold()] = i
        min_text, pct_text = row.get("min", ""), row.get("percent", "").rstrip("%").strip()
        min_units = min_permille = None
        if min_text and pct_text:
            errors[e + "min"] = "Give a minimum in points or in percent, not both."
        elif not min_text and not pct_text:
            errors[e + "min"] = "Give the minimum score for this level, in points or in percent."
        elif min_text:
            min_units = _optional_points(min_text, scale, e + "min", errors, maximum=max_units, what="The minimum")
        else:
            try:
                min_permille = points_units(pct_text, 10, "The percent")
                if not 0 < min_permille <= 1000:
                    errors[e + "percent"] = "A percent is more than 0 and at most 100."
                    min_permille = None
            except ValueError:
                errors[e + "percent"] = "A percent such as 94 or 93.9."
        band = _optional_points(row.get("band", ""), scale, e + "band", errors, maximum=None, what="The band")
        levels.append((i, LevelSpec(name, min_units, min_permille, band)))
    if len(levels) > MAX_LEVELS:
        errors["levels"] = f"At most {MAX_LEVELS} award levels."
    # Hardest first: the first level a car reaches is its award, so each must ask less than the one above.
    for (_, above), (i, below) in zip(levels, levels[1:], strict=False):
        if (above.min_units is None and above.min_permille is None) or (
            below.min_units is None and below.min_permille is None
        ):
            continue
        if _level_strength(below, max_units) >= _level_strength(above, max_units) and f"level-{i}-min" not in errors:
            errors[f"level-{i}-min"] = (
                f"List levels hardest first: this one must ask for less than “{above.name}” above it."
            )
    return [lv for _, lv in levels]


def parse_tie_break(form: Mapping[str, str], keys: Sequence[str], errors: dict[str, str]) -> list[str]:
    if "tie_break" in form:
        chosen = [clean_text(k) for k in clean_text(form.get("tie_break")).split(",")]
    else:
        indexed = {}
        for k, v in form.items():
            m = re.fullmatch(r"tie_break-(\d{1,3})", k)
            if m:
                indexed[int(m.group(1))] = clean_text(v)
        chosen = [indexed[i] for i in sorted(indexed)]
    chosen = [k for k in chosen if k]
    out: list[str] = []
    for k in chosen:
        if k not in keys:
            errors["tie_break"] = f"“{k[:60]}” is not a category of the current score sheet."
        elif k in out:
            errors["tie_break"] = "Each category can appear only once in the tie-break order."
        else:
            out.append(k)
    return out


@dataclass(frozen=True)
class SystemSpec:
    """A judging system as the organizer asked for it, checked against the current score sheet."""

    sheet_mode: str
    combine: str
    award_rule: str
    places: int
    min_units_for_first: int | None
    cap_units: int | None
    show_percent: bool
    tie_break_keys: tuple[str, ...]
    levels: tuple[LevelSpec, ...]
    # When a car is flagged for calibration; None: the form did not ask (the saved threshold stays).
    threshold: Threshold | None = None
    # The award levels form a track (AACA: First, then Senior): see concours.domain.tracks.
    award_tracks: bool = False


def parse_system(form: Mapping[str, str], categories: Sequence[Category], scale: int) -> SystemSpec:
    """Read the judging-system form against the current sheet's ``categories`` (in points of ``scale``).

    Pure: every field is checked, then the settings that only make sense together; :class:`FormErrors`
    names each wrong field."""
    max_units = sheet_max(categories)
    errors: dict[str, str] = {}

    sheet_mode = clean_text(form.get("sheet_mode"))
    combine = clean_text(form.get("combine"))
    award_rule = clean_text(form.get("award_rule"))
    if sheet_mode not in SHEET_MODES:
        errors["sheet_mode"] = "Choose individual, team or section judging."
    if combine not in COMBINES:
        errors["combine"] = "Choose how the sheets combine."
    if award_rule not in AWARD_RULES:
        errors["award_rule"] = "Choose places or award levels."
    places = 3
    try:
        places = int(clean_text(form.get("places")) or "0")
        if not 0 <= places <= 10:
            raise ValueError
    except ValueError:
        errors["places"] = "Places is a whole number from 0 to 10."
    min_first = _optional_points(
        clean_text(form.get("min_first")), scale, "min_first", errors, maximum=max_units, what="The minimum for a first"
    )
    cap = _optional_points(clean_text(form.get("cap")), scale, "cap", errors, maximum=max_units, what="The cap")
    show_percent = clean_text(form.get("show_percent")) in ("on", "1", "true", "yes")
    award_tracks = clean_text(form.get("award_tracks")) in ("on", "1", "true", "yes")
    tie_keys = parse_tie_break(form, [c.key for c in categories], errors)
    levels = parse_levels(form, scale, max_units, errors)

    # Settings that only make sense together.
    if sheet_mode == "section" and "sheet_mode" not in errors:
        missing = [c.name for c in categories if not c.section]
        if not categories:
            errors["sheet_mode"] = "Section judging needs a score sheet whose categories have sections."
        elif missing:
            errors["sheet_mode"] = (
                "Section judging needs a section on every category; these have none: "
                f"{', '.join(missing)}. Set them on the score sheet first."
            )
        elif combine in COMBINES and combine != "sum":
            errors["combine"] = "With section judging each judge scores part of the car: the sections add up (sum)."
    if combine == "sum" and sheet_mode in SHEET_MODES and sheet_mode != "section":
        errors.setdefault("combine", "Sections add up only with section judging; choose a mean.")
    if combine == "consensus" and sheet_mode in SHEET_MODES and sheet_mode != "team":
        errors.setdefault("combine", "A consensus sheet goes with team judging.")
    if sheet_mode == "team" and combine in COMBINES and combine != "consensus":
        errors.setdefault("combine", "With team judging the team's one sheet is the score: choose consensus.")
    if award_rule == "levels" and not levels and not any(k.startswith("level-") for k in errors):
        errors["levels"] = "Award levels need at least one level: name it and give its minimum."
    if cap is not None and min_first is not None and min_first > cap and "min_first" not in errors:
        errors["min_first"] = "The minimum for a first is above the cap: no car could win."
    if award_tracks and award_rule in AWARD_RULES and award_rule != "levels":
        errors["award_tracks"] = "A track is made of award levels: choose award levels, or untick the track."
    threshold = parse_threshold(form, errors)
    if errors:
        raise FormErrors(errors)
    return SystemSpec(
        sheet_mode,
        combine,
        award_rule,
        places,
        min_first,
        cap,
        show_percent,
        tuple(tie_keys),
        tuple(levels),
        threshold,
        award_tracks,
    )


def parse_threshold(form: Mapping[str, str], errors: dict[str, str]) -> Threshold | None:
    """The calibration threshold: ``disagreement_percent`` (a percent of a line's maximum, e.g. 10 or 7.5) and
    ``disagreement_places`` (placings: how many places apart). None when the form has neither field."""
    if "disagreement_percent" not in form and "disagreement_places" not in form:
        return None
    permille = 0
    text = clean_text(form.get("disagreement_percent")).rstrip("%").strip()
    try:
        permille = points_units(text, 10, "The percent")
        if not 0 < permille <= 1000:
            raise ValueError
    except ValueError:
        errors["disagreement_percent"] = "A percent of the maximum above 0 and at most 100, such as 10 or 7.5."
    places = 0
    try:
        places = int(clean_text(form.get("disagreement_places")))
        if not 1 <= places <= MAX_PLACES:
            raise ValueError
    except ValueError:
        errors["disagreement_places"] = f"A whole number of places from 1 to {MAX_PLACES}, such as 2."
    return Threshold(permille, places)


async def update_system(session: AsyncSession, viewer: Viewer, event: Event, form: Mapping[str, str]) -> None:
    """Save the judging system's settings from the form.

    Steps: lock the event (set-up changes queue behind one another); parse the form against the current
    score sheet (:func:`parse_system`, :class:`FormErrors` name each wrong field, nothing is written);
    apply it (:func:`apply_system`: write, audit)."""
    event = await lock_event(session, event)
    rubric = await current_rubric(session, event)
    scale = rubric.scale if rubric is not None else DEFAULT_SCALE
    categories = to_categories(rubric.categories) if rubric is not None else []
    await apply_system(session, viewer, event, parse_system(form, categories, scale))


async def apply_system(session: AsyncSession, viewer: Viewer, event: Event, spec: SystemSpec) -> JudgingSystem:
    """Make the event's judging system ``spec``. Steps: lock the system row; write the settings (the award
    levels are replaced only when they changed); audit what changed."""
    system = await judging_system_of(session, event, lock=True)
    if system is None:
        system = JudgingSystem(event_id=event.id, levels=[])
        session.add(system)
    before = _system_snapshot(system) if system.id is not None else None
    system.sheet_mode, system.combine, system.award_rule = spec.sheet_mode, spec.combine, spec.award_rule
    system.places, system.min_units_for_first, system.cap_units = spec.places, spec.min_units_for_first, spec.cap_units
    system.show_percent = spec.show_percent
    system.award_tracks = spec.award_tracks
    system.tie_break_keys = list(spec.tie_break_keys)
    if spec.threshold is not None:
        system.disagreement_permille, system.disagreement_places = spec.threshold.permille, spec.threshold.places
    old_levels = [(lv.name, lv.min_units, lv.min_permille, lv.band_units) for lv in system.levels]
    new_levels = [(lv.name, lv.min_units, lv.min_permille, lv.band_units) for lv in spec.levels]
    if old_levels != new_levels:
        system.levels = []
        await session.flush()
        system.levels = [
            AwardLevel(
                position=i, name=lv.name, min_units=lv.min_units, min_permille=lv.min_permille, band_units=lv.band_units
            )
            for i, lv in enumerate(spec.levels, start=1)
        ]
    await session.flush()
    audit.record_change(
        session,
        entity_type="judging_system",
        entity_id=system.id,
        action="update",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after=_system_snapshot(system, levels=new_levels),
    )
    return system


def _system_snapshot(system: JudgingSystem, levels: list[tuple[Any, ...]] | None = None) -> dict[str, Any]:
    return {
        "sheet_mode": system.sheet_mode,
        "combine": system.combine,
        "award_rule": system.award_rule,
        "places": system.places,
        "min_units_for_first": system.min_units_for_first,
        "cap_units": system.cap_units,
        "show_percent": system.show_percent,
        "award_tracks": system.award_tracks,
        "tie_break_keys": list(system.tie_break_keys or []),
        "disagreement_permille": system.disagreement_permille,
        "disagreement_places": system.disagreement_places,
        "levels": [list(lv) for lv in levels]
        if levels is not None
        else [[lv.name, lv.min_units, lv.min_permille, lv.band_units] for lv in system.levels],
    }


@dataclass
class SystemPage:
    form: dict[str, str]
    level_rows: list[dict[str, str]]
    categories: list[Category]
    scale: int
    maximum: str
    summary: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def system_form(system: JudgingSystem | None, scale: int) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The saved settings as the form's text fields, and the award levels as rows."""
    if system is None:
        return {
            "sheet_mode": "individual",
            "combine": "mean",
            "award_rule": "places",
            "places": "3",
            "disagreement_percent": format_units(Threshold().permille, 10),
            "disagreement_places": str(Threshold().places),
        }, []
    form = {
        "sheet_mode": system.sheet_mode,
        "combine": system.combine,
        "award_rule": system.award_rule,
        "places": str(system.places),
        "min_first": format_units(system.min_units_for_first, scale) if system.min_units_for_first else "",
        "cap": format_units(system.cap_units, scale) if system.cap_units else "",
        "show_percent": "on" if system.show_percent else "",
        "award_tracks": "on" if system.award_tracks else "",
        "disagreement_percent": format_units(system.disagreement_permille, 10),
        "disagreement_places": str(system.disagreement_places),
    }
    for i, key in enumerate(system.tie_break_keys or []):
        form[f"tie_break-{i}"] = str(key)
    levels = [
        {
            "name": lv.name,
            "min": format_units(lv.min_units, scale) if lv.min_units is not None else "",
            "percent": format_units(lv.min_permille, 10) if lv.min_permille is not None else "",
            "band": format_units(lv.band_units, scale) if lv.band_units is not None else "",
        }
        for lv in system.levels
    ]
    return form, levels


def _join_names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def describe_system(system: JudgingSystem | None, categories: Sequence[Category], scale: int) -> list[str]:
    """What the saved settings do, in plain words for the organizer."""
    if system is None:
        return ["No judging system yet: pick a preset on the set-up page, or save the settings here."]
    if system.method == "placings":
        who = (
            "The class's team agrees one order of the cars (the captain records it)"
            if system.sheet_mode == "team"
            else "Each judge orders the class's cars by eye, best first, with a note for each owner"
        )
        return [
            f"Placings, the French way: no points sheet. {who}.",
            "Orders combine by Borda count (a car placed p-th of n earns n − p points); equal points go to the "
            "car with more first places, then to the chief judge's recorded decision.",
            f"{system.places} places are awarded in each class. A class can use its own system instead.",
            threshold_words(system, Fraction(0), scale),
        ]

    def pts(units: int | Fraction) -> str:
        return format_units(units, scale)

    maximum = sheet_max(categories)
    out: list[str] = []
    sections = sorted({c.section for c in categories if c.section})
    first = {
        "individual": "Each judge scores the whole car",
        "team": "The class's team fills one consensus sheet per car",
        "section": "Each judge scores only their own sections"
        + (f" ({_join_names([s.replace('_', ' ') for s in sections])})" if sections else ""),
    }.get(system.sheet_mode, f"Sheet mode “{system.sheet_mode}”")
    how = {
        "mean": "the car's score is the mean of the judges' totals",
        "mean_drop_high_low": "the highest and lowest sheets are dropped and the middle ones averaged "
        "(with fewer than three sheets nothing is dropped)",
        "sum": "the sections' scores add up to the car's score",
        "consensus": "that sheet is the car's score",
    }.get(system.combine, f"sheets combine by “{system.combine}”")
    out.append(f"{first}; {how}.")
    if categories:
        count = plural(len(categories), "category", "categories")
        out.append(f"The score sheet has {count} worth at most {pts(maximum)} points.")
    if system.award_rule == "levels":
        if system.levels:
            parts = []
            for lv in system.levels:
                if lv.min_units is not None:
                    text = f"{lv.name} at {pts(lv.min_units)} points"
                else:
                    text = f"{lv.name} at {format_units(lv.min_permille, 10)} % of the maximum"
                if lv.band_units is not None:
                    text += f" and within {pts(lv.band_units)} of the class's best car"
                parts.append(text)
            if system.award_tracks:
                steps = [lv.name for lv in reversed(system.levels)]
                out.append(
                    "Award levels, hardest first: "
                    + "; ".join(parts)
                    + f". They form a track ({' → '.join(steps)}): a car competes only for the award after the one "
                    f"it won at an earlier event in the app (a car with none, for the {steps[0]}); the organizer can "
                    "set a car's track with a reason."
                )
            else:
                out.append(
                    "Award levels, hardest first: " + "; ".join(parts) + ". Every car that reaches a level gets it."
                )
        else:
            out.append("Award levels are chosen but none is set yet.")
    elif system.places == 0:
        out.append("No placings are awarded.")
    else:
        span = place_name(1).removesuffix(" in class")
        if system.places > 1:
            span += "–" + place_name(system.places).removesuffix(" in class")
        out.append(f"{span} in class" + (" only" if system.places == 1 else "") + ".")
    if system.min_units_for_first is not None and system.award_rule == "places":
        out.append(f"No first is awarded below {pts(system.min_units_for_first)} points.")
    if system.cap_units is not None:
        out.append(f"Cars above {pts(system.cap_units)} points are over-qualified and not placed.")
    if system.show_percent:
        out.append(f"Scores are shown as a percent of the sheet's maximum ({pts(maximum)} points).")
    out.append(threshold_words(system, maximum, scale))
    names = {c.key: c.name for c in categories}
    if system.tie_break_keys:
        order = [names.get(k, k) for k in system.tie_break_keys]
        out.append(f"Ties on score are broken by comparing {', then '.join(order)}; then the chief judge decides.")
    elif system.award_rule == "places":
        out.append("A tie on score is decided by the chief judge.")
    return out


def threshold_words(system: JudgingSystem, maximum: Fraction, scale: int) -> str:
    """When a car is flagged for the chief judge to look at before certifying its class, in words."""
    percent = format_units(system.disagreement_permille, 10)
    places = plural(system.disagreement_places, "place")
    if system.method == "placings":
        return (
            f"A car is flagged for the chief judge when the judges' places for it are more than {places} apart "
            f"(in a points class, when its sheets differ by more than {percent} % of a line's maximum)."
        )
    on_total = (
        f": {format_units(maximum * system.disagreement_permille / 1000, scale)} points on the total" if maximum else ""
    )
    return (
        f"A car is flagged for the chief judge when its sheets differ by more than {percent} % of a line's maximum"
        f"{on_total}, the same share of each category's maximum (in a placings class, more than {places} apart)."
    )


def system_warnings(system: JudgingSystem | None, categories: Sequence[Category], scale: int) -> list[str]:
    """Saved settings the current score sheet makes doubtful (e.g. after the sheet was edited)."""
    if system is None:
        return []
    maximum = sheet_max(categories)
    out: list[str] = []
    if system.sheet_mode == "section" and any(not c.section for c in categories):
        out.append("Section judging is set but some categories have no section.")
    for lv in system.levels if system.award_rule == "levels" else []:
        if lv.min_units is not None and lv.min_units > maximum:
            out.append(f"“{lv.name}” asks for more points than the sheet's maximum of {format_units(maximum, scale)}.")
    if system.cap_units is not None and system.cap_units > maximum:
        out.append(f"The cap is above the sheet's maximum of {format_units(maximum, scale)}: it never applies.")
    if system.award_rule == "levels" and not system.levels:
        out.append("Award levels are chosen but none is set.")
    return out


async def system_page(session: AsyncSession, event: Event) -> SystemPage:
    system = await judging_system_of(session, event)
    rubric = await current_rubric(session, event)
    scale = rubric.scale if rubric is not None else DEFAULT_SCALE
    categories = to_categories(rubric.categories) if rubric is not None else []
    form, level_rows = system_form(system, scale)
    return SystemPage(
        form=form,
        level_rows=level_rows,
        categories=categories,
        scale=scale,
        maximum=format_units(sheet_max(categories), scale),
        summary=describe_system(system, categories, scale),
        warnings=system_warnings(system, categories, scale),
    )
