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
from concours.domain.tabulation import AWARD_RULES, COMBINES, SHEET_MODES, ordinal
from concours.i18n import N_, gettext, ngettext
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
        errors[key] = gettext("%(what)s must be more than 0, or leave it blank.", what=gettext(what))
        return None
    if maximum is not None and maximum > 0 and units > maximum:
        errors[key] = gettext(
            "%(what)s cannot be above the sheet's maximum of %(max)s points.",
            what=gettext(what),
            max=format_units(maximum, scale),
        )
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
            errors[e + "name"] = gettext("Name the level, e.g. “Gold” or “First”.")
        elif len(name) > 100:
            errors[e + "name"] = gettext("At most 100 characters.")
        elif name.casefold() in names:
            errors[e + "name"] = gettext("Another level already has this name.")
        else:
            names[name.casefold()] = i
        min_text, pct_text = row.get("min", ""), row.get("percent", "").rstrip("%").strip()
        min_units = min_permille = None
        if min_text and pct_text:
            errors[e + "min"] = gettext("Give a minimum in points or in percent, not both.")
        elif not min_text and not pct_text:
            errors[e + "min"] = gettext("Give the minimum score for this level, in points or in percent.")
        elif min_text:
            min_units = _optional_points(min_text, scale, e + "min", errors, maximum=max_units, what="The minimum")
        else:
            try:
                min_permille = points_units(pct_text, 10, "The percent")
                if not 0 < min_permille <= 1000:
                    errors[e + "percent"] = gettext("A percent is more than 0 and at most 100.")
                    min_permille = None
            except ValueError:
                errors[e + "percent"] = gettext("A percent such as 94 or 93.9.")
        band = _optional_points(row.get("band", ""), scale, e + "band", errors, maximum=None, what="The band")
        levels.append((i, LevelSpec(name, min_units, min_permille, band)))
    if len(levels) > MAX_LEVELS:
        errors["levels"] = gettext("At most %(max)s award levels.", max=MAX_LEVELS)
    # Hardest first: the first level a car reaches is its award, so each must ask less than the one above.
    for (_, above), (i, below) in zip(levels, levels[1:], strict=False):
        if (above.min_units is None and above.min_permille is None) or (
            below.min_units is None and below.min_permille is None
        ):
            continue
        if _level_strength(below, max_units) >= _level_strength(above, max_units) and f"level-{i}-min" not in errors:
            errors[f"level-{i}-min"] = gettext(
                "List levels hardest first: this one must ask for less than “%(name)s” above it.", name=above.name
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
            errors["tie_break"] = gettext("“%(key)s” is not a category of the current score sheet.", key=k[:60])
        elif k in out:
            errors["tie_break"] = gettext("Each category can appear only once in the tie-break order.")
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
        errors["sheet_mode"] = gettext("Choose individual, team or section judging.")
    if combine not in COMBINES:
        errors["combine"] = gettext("Choose how the sheets combine.")
    if award_rule not in AWARD_RULES:
        errors["award_rule"] = gettext("Choose places or award levels.")
    places = 3
    try:
        places = int(clean_text(form.get("places")) or "0")
        if not 0 <= places <= 10:
            raise ValueError
    except ValueError:
        errors["places"] = gettext("Places is a whole number from 0 to 10.")
    min_first = _optional_points(
        clean_text(form.get("min_first")),
        scale,
        "min_first",
        errors,
        maximum=max_units,
        what=N_("The minimum for a first"),
    )
    cap = _optional_points(clean_text(form.get("cap")), scale, "cap", errors, maximum=max_units, what=N_("The cap"))
    show_percent = clean_text(form.get("show_percent")) in ("on", "1", "true", "yes")
    award_tracks = clean_text(form.get("award_tracks")) in ("on", "1", "true", "yes")
    tie_keys = parse_tie_break(form, [c.key for c in categories], errors)
    levels = parse_levels(form, scale, max_units, errors)

    # Settings that only make sense together.
    if sheet_mode == "section" and "sheet_mode" not in errors:
        missing = [c.name for c in categories if not c.section]
        if not categories:
            errors["sheet_mode"] = gettext("Section judging needs a score sheet whose categories have sections.")
        elif missing:
            errors["sheet_mode"] = gettext(
                "Section judging needs a section on every category; these have none: %(names)s. "
                "Set them on the score sheet first.",
                names=", ".join(missing),
            )
        elif combine in COMBINES and combine != "sum":
            errors["combine"] = gettext(
                "With section judging each judge scores part of the car: the sections add up (sum)."
            )
    if combine == "sum" and sheet_mode in SHEET_MODES and sheet_mode != "section":
        errors.setdefault("combine", gettext("Sections add up only with section judging; choose a mean."))
    if combine == "consensus" and sheet_mode in SHEET_MODES and sheet_mode != "team":
        errors.setdefault("combine", gettext("A consensus sheet goes with team judging."))
    if sheet_mode == "team" and combine in COMBINES and combine != "consensus":
        errors.setdefault("combine", gettext("With team judging the team's one sheet is the score: choose consensus."))
    if award_rule == "levels" and not levels and not any(k.startswith("level-") for k in errors):
        errors["levels"] = gettext("Award levels need at least one level: name it and give its minimum.")
    if cap is not None and min_first is not None and min_first > cap and "min_first" not in errors:
        errors["min_first"] = gettext("The minimum for a first is above the cap: no car could win.")
    if award_tracks and award_rule in AWARD_RULES and award_rule != "levels":
        errors["award_tracks"] = gettext("A track is made of award levels: choose award levels, or untick the track.")
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
        errors["disagreement_percent"] = gettext("A percent of the maximum above 0 and at most 100, such as 10 or 7.5.")
    places = 0
    try:
        places = int(clean_text(form.get("disagreement_places")))
        if not 1 <= places <= MAX_PLACES:
            raise ValueError
    except ValueError:
        errors["disagreement_places"] = gettext(
            "A whole number of places from 1 to %(max)s, such as 2.", max=MAX_PLACES
        )
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
    return gettext("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])


# The places a class awards (0 to 10), as the summary names them: "1st–3rd in class".
ORDINALS = {
    1: N_("1st"),
    2: N_("2nd"),
    3: N_("3rd"),
    4: N_("4th"),
    5: N_("5th"),
    6: N_("6th"),
    7: N_("7th"),
    8: N_("8th"),
    9: N_("9th"),
    10: N_("10th"),
}


def _ordinal(n: int) -> str:
    return gettext(ORDINALS[n]) if n in ORDINALS else ordinal(n)


def _sheet_words(system: JudgingSystem, categories: Sequence[Category]) -> str:
    """Who fills which sheet and how a car's sheets make its score, as one sentence."""
    sections = sorted({c.section for c in categories if c.section})
    if system.sheet_mode == "individual":
        first = gettext("Each judge scores the whole car")
    elif system.sheet_mode == "team":
        first = gettext("The class's team fills one consensus sheet per car")
    elif system.sheet_mode == "section" and sections:
        first = gettext(
            "Each judge scores only their own sections (%(sections)s)",
            sections=_join_names([s.replace("_", " ") for s in sections]),
        )
    elif system.sheet_mode == "section":
        first = gettext("Each judge scores only their own sections")
    else:
        first = gettext("Sheet mode “%(mode)s”", mode=system.sheet_mode)
    how = {
        "mean": N_("the car's score is the mean of the judges' totals"),
        "mean_drop_high_low": N_(
            "the highest and lowest sheets are dropped and the middle ones averaged "
            "(with fewer than three sheets nothing is dropped)"
        ),
        "sum": N_("the sections' scores add up to the car's score"),
        "consensus": N_("that sheet is the car's score"),
    }.get(system.combine)
    combine = gettext(how) if how else gettext("sheets combine by “%(combine)s”", combine=system.combine)
    return gettext("%(who)s; %(how)s.", who=first, how=combine)


def _level_words(lv: AwardLevel, scale: int) -> str:
    if lv.min_units is not None:
        text = gettext("%(name)s at %(points)s points", name=lv.name, points=format_units(lv.min_units, scale))
    else:
        text = gettext(
            "%(name)s at %(percent)s %% of the maximum", name=lv.name, percent=format_units(lv.min_permille or 0, 10)
        )
    if lv.band_units is not None:
        text += gettext(" and within %(points)s of the class's best car", points=format_units(lv.band_units, scale))
    return text


def describe_system(system: JudgingSystem | None, categories: Sequence[Category], scale: int) -> list[str]:
    """What the saved settings do, in plain words for the organizer (in the reader's language)."""
    if system is None:
        return [gettext("No judging system yet: pick a preset on the set-up page, or save the settings here.")]
    if system.method == "placings":
        if system.sheet_mode == "team":
            first = gettext(
                "Placings, the French way: no points sheet. "
                "The class's team agrees one order of the cars (the captain records it)."
            )
        else:
            first = gettext(
                "Placings, the French way: no points sheet. "
                "Each judge orders the class's cars by eye, best first, with a note for each owner."
            )
        return [
            first,
            gettext(
                "Orders combine by Borda count (a car placed p-th of n earns n − p points); equal points go to the "
                "car with more first places, then to the chief judge's recorded decision."
            ),
            gettext(
                "%(places)s places are awarded in each class. A class can use its own system instead.",
                places=system.places,
            ),
            threshold_words(system, Fraction(0), scale),
        ]

    def pts(units: int | Fraction) -> str:
        return format_units(units, scale)

    maximum = sheet_max(categories)
    out: list[str] = [_sheet_words(system, categories)]
    if categories:
        out.append(
            ngettext(
                "The score sheet has %(num)s category worth at most %(points)s points.",
                "The score sheet has %(num)s categories worth at most %(points)s points.",
                len(categories),
                points=pts(maximum),
            )
        )
    if system.award_rule == "levels":
        if system.levels:
            parts = "; ".join(_level_words(lv, scale) for lv in system.levels)
            if system.award_tracks:
                steps = [lv.name for lv in reversed(system.levels)]
                out.append(
                    gettext(
                        "Award levels, hardest first: %(levels)s. They form a track (%(steps)s): a car competes only "
                        "for the award after the one it won at an earlier event in the app (a car with none, for the "
                        "%(first)s); the organizer can set a car's track with a reason.",
                        levels=parts,
                        steps=" → ".join(steps),
                        first=steps[0],
                    )
                )
            else:
                out.append(
                    gettext(
                        "Award levels, hardest first: %(levels)s. Every car that reaches a level gets it.", levels=parts
                    )
                )
        else:
            out.append(gettext("Award levels are chosen but none is set yet."))
    elif system.places == 0:
        out.append(gettext("No placings are awarded."))
    elif system.places == 1:
        out.append(gettext("%(first)s in class only.", first=_ordinal(1)))
    else:
        out.append(gettext("%(first)s–%(last)s in class.", first=_ordinal(1), last=_ordinal(system.places)))
    if system.min_units_for_first is not None and system.award_rule == "places":
        out.append(gettext("No first is awarded below %(points)s points.", points=pts(system.min_units_for_first)))
    if system.cap_units is not None:
        out.append(
            gettext("Cars above %(points)s points are over-qualified and not placed.", points=pts(system.cap_units))
        )
    if system.show_percent:
        out.append(
            gettext("Scores are shown as a percent of the sheet's maximum (%(points)s points).", points=pts(maximum))
        )
    out.append(threshold_words(system, maximum, scale))
    names = {c.key: c.name for c in categories}
    if system.tie_break_keys:
        order = [names.get(k, k) for k in system.tie_break_keys]
        out.append(
            gettext(
                "Ties on score are broken by comparing %(categories)s; then the chief judge decides.",
                categories=gettext(", then ").join(order),
            )
        )
    elif system.award_rule == "places":
        out.append(gettext("A tie on score is decided by the chief judge."))
    return out


def threshold_words(system: JudgingSystem, maximum: Fraction, scale: int) -> str:
    """When a car is flagged for the chief judge to look at before certifying its class, in words."""
    percent = format_units(system.disagreement_permille, 10)
    places = ngettext("%(num)s place", "%(num)s places", system.disagreement_places)
    if system.method == "placings":
        return gettext(
            "A car is flagged for the chief judge when the judges' places for it are more than %(places)s apart "
            "(in a points class, when its sheets differ by more than %(percent)s %% of a line's maximum).",
            places=places,
            percent=percent,
        )
    if maximum:
        return gettext(
            "A car is flagged for the chief judge when its sheets differ by more than %(percent)s %% of a line's "
            "maximum: %(points)s points on the total, the same share of each category's maximum (in a placings "
            "class, more than %(places)s apart).",
            percent=percent,
            points=format_units(maximum * system.disagreement_permille / 1000, scale),
            places=places,
        )
    return gettext(
        "A car is flagged for the chief judge when its sheets differ by more than %(percent)s %% of a line's "
        "maximum, the same share of each category's maximum (in a placings class, more than %(places)s apart).",
        percent=percent,
        places=places,
    )


def system_warnings(system: JudgingSystem | None, categories: Sequence[Category], scale: int) -> list[str]:
    """Saved settings the current score sheet makes doubtful (e.g. after the sheet was edited)."""
    if system is None:
        return []
    maximum = sheet_max(categories)
    out: list[str] = []
    if system.sheet_mode == "section" and any(not c.section for c in categories):
        out.append(gettext("Section judging is set but some categories have no section."))
    for lv in system.levels if system.award_rule == "levels" else []:
        if lv.min_units is not None and lv.min_units > maximum:
            out.append(
                gettext(
                    "“%(name)s” asks for more points than the sheet's maximum of %(points)s.",
                    name=lv.name,
                    points=format_units(maximum, scale),
                )
            )
    if system.cap_units is not None and system.cap_units > maximum:
        out.append(
            gettext(
                "The cap is above the sheet's maximum of %(points)s: it never applies.",
                points=format_units(maximum, scale),
            )
        )
    if system.award_rule == "levels" and not system.levels:
        out.append(gettext("Award levels are chosen but none is set."))
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
