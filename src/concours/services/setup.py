"""Adjusting an event's score sheet (rubric) and judging system after a preset was picked.

Changing a rubric never destroys a score: while no sheet uses the event's current rubric it is edited
in place; once one does, the change becomes a new version of the rubric and every existing sheet keeps
the version it was scored on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import AwardLevel, Event, EventClass, JudgingSystem, Rubric, RubricCategory, ScoreSheet
from concours.domain.rubric import Category, ScoreError, format_units, parse_points, sheet_max
from concours.domain.tabulation import AWARD_RULES, COMBINES, SHEET_MODES, place_name
from concours.services import audit
from concours.services.errors import FormErrors
from concours.services.events import to_categories
from concours.services.permissions import Viewer

DEFAULT_SCALE = 10
MAX_CATEGORIES = 100
MAX_LEVELS = 20
# No single category may exceed this many points: keeps every total well inside a 32-bit integer.
MAX_CATEGORY_POINTS = 10_000
MAX_GUIDANCE_CHARS = 2_000
CATEGORY_MODES = ("points", "deduction")
ROW_FIELDS = ("position", "name", "key", "mode", "max", "step", "weight", "section", "guidance", "remove")
LEVEL_FIELDS = ("name", "min", "percent", "band", "remove")

SHEET_MODE_LABELS = {
    "individual": "Individual: every judge fills a whole sheet",
    "team": "Team: one consensus sheet per team and car",
    "section": "Section: each judge owns some categories",
}
COMBINE_LABELS = {
    "mean": "Mean of the judges' sheets",
    "mean_drop_high_low": "Drop the highest and lowest, average the rest",
    "sum": "Sections add up",
    "consensus": "The team's consensus sheet",
}
AWARD_RULE_LABELS = {
    "places": "Places by rank (1st, 2nd, 3rd …)",
    "levels": "Award levels by score (shared by every car that reaches them)",
}


def clean_text(value: Any) -> str:
    """Form text as the database can hold it: no NUL, no lone surrogates, trimmed."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8").strip()


def category_key(text: str) -> str:
    """``"Body & paint" → "body_paint"``: lower-case ASCII letters, digits and underscores."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:40]


# ---------------------------------------------------------------------------------------------------------
# The rubric


@dataclass(frozen=True)
class CategorySpec:
    """One validated line of the sheet, in units."""

    key: str
    name: str
    mode: str
    max_units: int
    step_units: int
    weight_percent: int
    section: str | None
    guidance: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "mode": self.mode,
            "max_units": self.max_units,
            "step_units": self.step_units,
            "weight_percent": self.weight_percent,
            "section": self.section,
            "guidance": self.guidance,
        }


def _spec_of(c: RubricCategory) -> CategorySpec:
    return CategorySpec(
        key=c.key,
        name=c.name,
        mode=c.mode,
        max_units=c.max_units,
        step_units=c.step_units,
        weight_percent=c.weight_percent,
        section=c.section,
        guidance=c.guidance,
    )


@dataclass(frozen=True)
class RubricUpdate:
    """What :func:`update_rubric` did, for the page to say."""

    rubric: Rubric
    changed: bool
    versioned: bool
    sheets_kept: int
    message: str


def _points(text: str, scale: int, what: str) -> int:
    try:
        return parse_points(text, scale)
    except ScoreError as exc:
        raise ValueError(f"{what}: {exc}.") from exc


def _is_blank_row(row: Mapping[str, str]) -> bool:
    # Mode, step, weight and position may come pre-filled on the blank rows of the form.
    return not any(clean_text(row.get(k)) for k in ("name", "key", "max", "section", "guidance"))


def _parse_position(text: str, index: int, errors: dict[str, str]) -> int:
    if not text:
        return index + 1
    try:
        position = int(text)
    except ValueError:
        position = -1
    if not 1 <= position <= 1000:
        errors[f"row-{index}-position"] = "A position is a whole number such as 1, 2, 3."
        return index + 1
    return position


def parse_rows(rows: Sequence[Mapping[str, str]], scale: int, *, sections_required: bool = False) -> list[CategorySpec]:
    """Validate the submitted category table; raise :class:`FormErrors` keyed ``row-<index>-<field>``.

    Rows are returned in the order their positions give (ties keep the submitted order, except that a
    row moved to a position comes before the row that already stood there)."""
    errors: dict[str, str] = {}
    parsed: list[tuple[tuple[int, int, int], CategorySpec]] = []
    names: dict[str, int] = {}
    typed_keys: dict[str, int] = {}
    pending_keys: list[tuple[int, str]] = []  # (row index, name) for keys derived after typed keys are known
    drafts: dict[int, dict[str, Any]] = {}
    finest = format_units(1, scale)
    for i, row in enumerate(rows):
        if clean_text(row.get("remove")) or _is_blank_row(row):
            continue
        e = f"row-{i}-"
        name = clean_text(row.get("name"))
        key_text = clean_text(row.get("key"))
        mode = clean_text(row.get("mode")) or "points"
        max_text = clean_text(row.get("max"))
        step_text = clean_text(row.get("step"))
        weight_text = clean_text(row.get("weight")).rstrip("%").strip()
        section = category_key(clean_text(row.get("section"))) or None  # "Front & rear" → "front_rear"
        guidance = clean_text(row.get("guidance"))
        position = _parse_position(clean_text(row.get("position")), i, errors)

        if not name:
            errors[e + "name"] = "Name the category, e.g. “Interior”."
        elif len(name) > 100:
            errors[e + "name"] = "At most 100 characters."
        elif name.casefold() in names:
            errors[e + "name"] = f"“{name}” is already on the sheet (row {names[name.casefold()] + 1})."
        else:
            names[name.casefold()] = i
        if key_text:
            key = category_key(key_text)
            if not key:
                errors[e + "key"] = "A key uses letters and digits, e.g. “body_paint”; leave it blank to derive one."
            elif key in typed_keys:
                errors[e + "key"] = f"Row {typed_keys[key] + 1} already uses the key “{key}”."
            else:
                typed_keys[key] = i
        else:
            key = ""
            pending_keys.append((i, name))
        if mode not in CATEGORY_MODES:
            errors[e + "mode"] = "Choose points (award 0 up to the maximum) or deduction (deduct from the maximum)."
        max_units = step_units = 0
        if not max_text:
            errors[e + "max"] = "Give the most points this category is worth, e.g. 25."
        else:
            try:
                max_units = _points(max_text, scale, "Maximum")
                if max_units <= 0:
                    errors[e + "max"] = "The maximum must be more than 0."
                elif max_units > MAX_CATEGORY_POINTS * scale:
                    errors[e + "max"] = f"At most {MAX_CATEGORY_POINTS} points per category."
            except ValueError as exc:
                errors[e + "max"] = str(exc)
        if not step_text:
            step_units = 1  # the finest step the sheet holds
        else:
            try:
                step_units = _points(step_text, scale, "Step")
                if step_units <= 0:
                    errors[e + "step"] = f"The step must be more than 0 (the finest is {finest})."
            except ValueError as exc:
                errors[e + "step"] = str(exc)
        if max_units > 0 and step_units > 0 and e + "max" not in errors and e + "step" not in errors:
            if step_units > max_units:
                errors[e + "step"] = "The step cannot be larger than the maximum."
            elif max_units % step_units:
                errors[e + "step"] = (
                    f"The maximum ({format_units(max_units, scale)}) must be a whole number of steps of "
                    f"{format_units(step_units, scale)}."
                )
        weight = 100
        if weight_text:
            try:
                weight = int(weight_text)
            except ValueError:
                weight = 0
            if not 1 <= weight <= 1000:
                errors[e + "weight"] = "A weight is a whole percent from 1 to 1000 (100 = counted once)."
        if sections_required and section is None:
            errors[e + "section"] = "The judging system uses section judging: give every category a section."
        if len(guidance) > MAX_GUIDANCE_CHARS:
            errors[e + "guidance"] = f"At most {MAX_GUIDANCE_CHARS} characters."
        moved = 0 if position != i + 1 else 1
        drafts[i] = {
            "order": (position, moved, i),
            "key": key,
            "name": name,
            "mode": mode,
            "max_units": max_units,
            "step_units": step_units,
            "weight_percent": weight,
            "section": section,
            "guidance": guidance,
        }
    # Derive the blank keys from the names, unique among every key on the sheet.
    used = set(typed_keys)
    for i, name in pending_keys:
        base = category_key(name) or "category"
        key, n = base, 1
        while key in used:
            n += 1
            key = f"{base}_{n}"
        used.add(key)
        drafts[i]["key"] = key
    if not drafts and not errors:
        errors["rows"] = "Keep at least one category on the sheet."
    elif len(drafts) > MAX_CATEGORIES:
        errors["rows"] = f"A sheet has at most {MAX_CATEGORIES} categories."
    if errors:
        raise FormErrors(errors)
    for d in drafts.values():
        order = d.pop("order")
        parsed.append((order, CategorySpec(**d)))
    parsed.sort(key=lambda p: p[0])
    return [spec for _, spec in parsed]


async def _lock_event(session: AsyncSession, event: Event) -> Event:
    """Lock the event row (PostgreSQL; SQLite writers already hold the lock) and refresh it.

    ``FOR NO KEY UPDATE``: organizers' set-up changes queue behind one another, while rows that merely
    reference the event (a judge's audit entry, say) are not blocked, so a judge who holds the rubric
    (see :func:`_current_rubric`) and then writes such a row cannot deadlock with us."""
    locked = await session.scalar(
        select(Event)
        .where(Event.id == event.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


async def _current_rubric(session: AsyncSession, event: Event, *, lock: bool = False) -> Rubric | None:
    if event.rubric_id is None:
        return None
    query = select(Rubric).options(selectinload(Rubric.categories)).where(Rubric.id == event.rubric_id)
    if lock:
        # FOR UPDATE (not NO KEY UPDATE) conflicts with the key-share lock a new sheet's foreign key takes:
        # it waits for (and then counts) any sheet a judge is creating against this rubric, and a judge
        # starting a sheet meanwhile waits for our change.
        query = query.with_for_update(of=Rubric).execution_options(populate_existing=True)
    rubric: Rubric | None = await session.scalar(query)
    return rubric


async def _system(session: AsyncSession, event: Event, *, lock: bool = False) -> JudgingSystem | None:
    query = select(JudgingSystem).options(selectinload(JudgingSystem.levels)).where(JudgingSystem.event_id == event.id)
    if lock:
        query = query.with_for_update(of=JudgingSystem, key_share=True).execution_options(populate_existing=True)
    system: JudgingSystem | None = await session.scalar(query)
    return system


async def sheets_on_rubric(session: AsyncSession, rubric_id: int) -> int:
    return (
        await session.scalar(select(func.count()).select_from(ScoreSheet).where(ScoreSheet.rubric_id == rubric_id))
    ) or 0


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def _kept_note(new_version: int, old_version: int, sheets: int) -> str:
    verb = "keeps" if sheets == 1 else "keep"
    return f"this is version {new_version}; the {_plural(sheets, 'sheet')} already scored {verb} version {old_version}"


def _quick_for(old: RubricCategory | None, spec: CategorySpec) -> list[Any]:
    """Carry a category's quick deductions over when they still fit its maximum and step."""
    if old is None or spec.mode != "deduction":
        return []
    kept = []
    for q in old.quick_deductions or []:
        try:
            units = int(q["units"])
        except (KeyError, TypeError, ValueError):
            continue
        if 0 < units <= spec.max_units and units % spec.step_units == 0:
            kept.append({"label": str(q.get("label", "")), "units": units})
    return kept


def _fill(cat: RubricCategory, position: int, spec: CategorySpec, old: RubricCategory | None) -> RubricCategory:
    cat.position = position
    cat.key = spec.key
    cat.name = spec.name
    cat.mode = spec.mode
    cat.max_units = spec.max_units
    cat.step_units = spec.step_units
    cat.weight_percent = spec.weight_percent
    cat.section = spec.section
    cat.guidance = spec.guidance
    cat.quick_deductions = _quick_for(old, spec)
    return cat


async def update_rubric(
    session: AsyncSession,
    viewer: Viewer,
    event: Event,
    rows: list[dict[str, str]],
    *,
    name: str | None = None,
) -> RubricUpdate:
    """Replace the event's category table with ``rows`` (see :func:`parse_rows`).

    Edited in place while no sheet uses the current rubric; otherwise saved as a new version that the
    event (and every class that used the old one) points to, leaving the old version and its sheets as
    they were. The tie-break order loses keys that no longer exist."""
    event = await _lock_event(session, event)
    old = await _current_rubric(session, event, lock=True)
    system = await _system(session, event, lock=True)
    scale = old.scale if old is not None else DEFAULT_SCALE
    errors: dict[str, str] = {}
    new_name = clean_text(name) if name is not None else (old.name if old is not None else "Score sheet")
    if not new_name:
        errors["sheet_name"] = "Name the score sheet, e.g. “100 points, six areas”."
    elif len(new_name) > 200:
        errors["sheet_name"] = "At most 200 characters."
    try:
        specs = parse_rows(rows, scale, sections_required=system is not None and system.sheet_mode == "section")
    except FormErrors as exc:
        raise FormErrors({**errors, **exc.errors}) from None
    if errors:
        raise FormErrors(errors)

    before = [_spec_of(c) for c in old.categories] if old is not None else []
    if old is not None and before == specs and new_name == old.name:
        return RubricUpdate(old, changed=False, versioned=False, sheets_kept=0, message="Nothing changed.")

    sheets = await sheets_on_rubric(session, old.id) if old is not None else 0
    old_by_key = {c.key: c for c in old.categories} if old is not None else {}
    if old is None or sheets:
        rubric = Rubric(
            event_id=event.id,
            name=new_name,
            preset=old.preset if old is not None else None,
            scale=scale,
            version=old.version + 1 if old is not None else 1,
            replaces_id=old.id if old is not None else None,
        )
        rubric.categories = [
            _fill(RubricCategory(), i, spec, old_by_key.get(spec.key)) for i, spec in enumerate(specs, start=1)
        ]
        session.add(rubric)
        await session.flush()
        event.rubric_id = rubric.id
        if old is not None:
            await session.execute(
                update(EventClass)
                .where(EventClass.event_id == event.id, EventClass.rubric_id == old.id)
                .values(rubric_id=rubric.id)
                .execution_options(synchronize_session="fetch")
            )
    else:
        rubric = old
        rubric.name = new_name
        # Unchanged keys keep their row (and id, which an open tablet page may still name);
        # the rest are deleted or added. Keys never collide: a kept key is matched, not re-added.
        kept: list[RubricCategory] = []
        for i, spec in enumerate(specs, start=1):
            existing = old_by_key.get(spec.key)
            kept.append(_fill(existing if existing is not None else RubricCategory(), i, spec, existing))
        rubric.categories = kept

    message = "Score sheet saved."
    if old is not None and sheets:
        message = f"Scoring had started: {_kept_note(rubric.version, old.version, sheets)}."
    dropped: list[str] = []
    if system is not None:
        keys = {s.key for s in specs}
        tie_keys = [k for k in system.tie_break_keys or [] if k in keys]
        dropped = [k for k in system.tie_break_keys or [] if k not in keys]
        if dropped:
            system.tie_break_keys = tie_keys
            message += f" Removed from the tie-break order: {', '.join(dropped)}."
    await session.flush()
    audit.record(
        session,
        entity_type="rubric",
        entity_id=rubric.id,
        action="new_version" if old is not None and sheets else "update",
        user_id=viewer.user_id,
        event_id=event.id,
        before={
            "rubric_id": old.id if old is not None else None,
            "version": old.version if old is not None else None,
            "name": old.name if old is not None else None,
            "categories": [s.as_dict() for s in before],
        },
        after={
            "rubric_id": rubric.id,
            "version": rubric.version,
            "name": rubric.name,
            "categories": [s.as_dict() for s in specs],
            "sheets_kept_on_previous": sheets,
            "tie_break_keys_dropped": dropped,
        },
    )
    return RubricUpdate(
        rubric, changed=True, versioned=bool(old is not None and sheets), sheets_kept=sheets, message=message
    )


# ---------------------------------------------------------------------------------------------------------
# The judging system


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
        units = _points(text, scale, what)
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


def rows_from_form(form: Mapping[str, str]) -> list[dict[str, str]]:
    """The category table as posted (``name-0``, ``max-0``, ``name-1`` …): one dict per row index, gaps
    kept as blank rows so that an error's ``row-<index>`` names the row the person sees."""
    pattern = re.compile(rf"^({'|'.join(ROW_FIELDS)})-(\d{{1,3}})$")
    found: dict[int, dict[str, str]] = {}
    for k, v in form.items():
        m = pattern.match(k)
        if m and isinstance(v, str):
            found.setdefault(int(m.group(2)), {})[m.group(1)] = v.replace("\x00", "")
    if not found:
        return []
    return [found.get(i, {}) for i in range(max(found) + 1)]


def indexed_rows(form: Mapping[str, str], prefix: str, fields: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """``level-0-name``, ``level-0-min`` … grouped by index, in index order."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d{{1,3}})-({'|'.join(map(re.escape, fields))})$")
    rows: dict[int, dict[str, str]] = {}
    for k, v in form.items():
        m = pattern.match(k)
        if m:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = clean_text(v)
    return sorted(rows.items())


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
                min_permille = _points(pct_text, 10, "The percent")
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


async def update_system(session: AsyncSession, viewer: Viewer, event: Event, form: dict[str, str]) -> None:
    """Save the judging system's settings from the form; :class:`FormErrors` name each wrong field."""
    event = await _lock_event(session, event)
    system = await _system(session, event, lock=True)
    rubric = await _current_rubric(session, event)
    scale = rubric.scale if rubric is not None else DEFAULT_SCALE
    categories = to_categories(rubric.categories) if rubric is not None else []
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
    if errors:
        raise FormErrors(errors)

    if system is None:
        system = JudgingSystem(event_id=event.id, levels=[])
        session.add(system)
    before = _system_snapshot(system) if system.id is not None else None
    system.sheet_mode, system.combine, system.award_rule = sheet_mode, combine, award_rule
    system.places, system.min_units_for_first, system.cap_units = places, min_first, cap
    system.show_percent = show_percent
    system.tie_break_keys = tie_keys
    old_levels = [(lv.name, lv.min_units, lv.min_permille, lv.band_units) for lv in system.levels]
    new_levels = [(lv.name, lv.min_units, lv.min_permille, lv.band_units) for lv in levels]
    if old_levels != new_levels:
        system.levels = []
        await session.flush()
        system.levels = [
            AwardLevel(
                position=i, name=lv.name, min_units=lv.min_units, min_permille=lv.min_permille, band_units=lv.band_units
            )
            for i, lv in enumerate(levels, start=1)
        ]
    await session.flush()
    audit.record(
        session,
        entity_type="judging_system",
        entity_id=system.id,
        action="update",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after=_system_snapshot(system, levels=new_levels),
    )


def _system_snapshot(system: JudgingSystem, levels: list[tuple[Any, ...]] | None = None) -> dict[str, Any]:
    return {
        "sheet_mode": system.sheet_mode,
        "combine": system.combine,
        "award_rule": system.award_rule,
        "places": system.places,
        "min_units_for_first": system.min_units_for_first,
        "cap_units": system.cap_units,
        "show_percent": system.show_percent,
        "tie_break_keys": list(system.tie_break_keys or []),
        "levels": [list(lv) for lv in levels]
        if levels is not None
        else [[lv.name, lv.min_units, lv.min_permille, lv.band_units] for lv in system.levels],
    }


# ---------------------------------------------------------------------------------------------------------
# What the pages show (plain data)


@dataclass
class RubricPage:
    rubric_id: int | None
    name: str
    version: int
    scale: int
    rows: list[dict[str, str]]
    categories: list[Category]
    maximum: str
    sheets: int
    history_note: str
    finest_step: str
    sections_required: bool


def category_rows(categories: Sequence[RubricCategory], scale: int) -> list[dict[str, str]]:
    return [
        {
            "position": str(i),
            "name": c.name,
            "key": c.key,
            "mode": c.mode,
            "max": format_units(c.max_units, scale),
            "step": format_units(c.step_units, scale),
            "weight": str(c.weight_percent),
            "section": c.section or "",
            "guidance": c.guidance,
        }
        for i, c in enumerate(sorted(categories, key=lambda c: c.position), start=1)
    ]


async def rubric_page(session: AsyncSession, event: Event) -> RubricPage:
    rubric = await _current_rubric(session, event)
    system = await session.scalar(select(JudgingSystem.sheet_mode).where(JudgingSystem.event_id == event.id))
    if rubric is None:
        return RubricPage(
            None,
            "Score sheet",
            1,
            DEFAULT_SCALE,
            [],
            [],
            "0",
            0,
            "",
            format_units(1, DEFAULT_SCALE),
            system == "section",
        )
    cats = to_categories(rubric.categories)
    note = ""
    if rubric.replaces_id is not None:
        previous = await session.scalar(select(Rubric.version).where(Rubric.id == rubric.replaces_id))
        kept = await sheets_on_rubric(session, rubric.replaces_id)
        if previous is not None and kept:
            note = f"Scoring had started: {_kept_note(rubric.version, previous, kept)}."
    return RubricPage(
        rubric_id=rubric.id,
        name=rubric.name,
        version=rubric.version,
        scale=rubric.scale,
        rows=category_rows(rubric.categories, rubric.scale),
        categories=cats,
        maximum=format_units(sheet_max(cats), rubric.scale),
        sheets=await sheets_on_rubric(session, rubric.id),
        history_note=note,
        finest_step=format_units(1, rubric.scale),
        sections_required=system == "section",
    )


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
        return {"sheet_mode": "individual", "combine": "mean", "award_rule": "places", "places": "3"}, []
    form = {
        "sheet_mode": system.sheet_mode,
        "combine": system.combine,
        "award_rule": system.award_rule,
        "places": str(system.places),
        "min_first": format_units(system.min_units_for_first, scale) if system.min_units_for_first else "",
        "cap": format_units(system.cap_units, scale) if system.cap_units else "",
        "show_percent": "on" if system.show_percent else "",
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
        count = _plural(len(categories), "category", "categories")
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
            out.append("Award levels, hardest first: " + "; ".join(parts) + ". Every car that reaches a level gets it.")
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
    names = {c.key: c.name for c in categories}
    if system.tie_break_keys:
        order = [names.get(k, k) for k in system.tie_break_keys]
        out.append(f"Ties on score are broken by comparing {', then '.join(order)}; then the chief judge decides.")
    elif system.award_rule == "places":
        out.append("A tie on score is decided by the chief judge.")
    return out


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
    system = await _system(session, event)
    rubric = await _current_rubric(session, event)
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
