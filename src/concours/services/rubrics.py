"""The score sheet (rubric): parse the category table, update it (versioned once sheets exist), its page.

Changing a rubric never destroys a score: while no sheet uses the event's current rubric it is edited
in place; once one does, the change becomes a new version of the rubric and every existing sheet keeps
the version it was scored on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass, JudgingSystem, Rubric, RubricCategory, ScoreSheet
from concours.domain.rubric import Category, format_units, sheet_max
from concours.i18n import gettext, ngettext
from concours.services import audit
from concours.services.errors import FormErrors
from concours.services.events import to_categories
from concours.services.permissions import Viewer
from concours.services.setup import (
    DEFAULT_SCALE,
    category_key,
    clean_text,
    current_rubric,
    judging_system_of,
    lock_event,
    points_units,
)

MAX_CATEGORIES = 100


# No single category may exceed this many points: keeps every total well inside a 32-bit integer.
MAX_CATEGORY_POINTS = 10_000


MAX_GUIDANCE_CHARS = 2_000


CATEGORY_MODES = ("points", "deduction")


ROW_FIELDS = ("position", "name", "key", "mode", "max", "step", "weight", "section", "guidance", "remove")


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
        errors[f"row-{index}-position"] = gettext("A position is a whole number such as 1, 2, 3.")
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
            errors[e + "name"] = gettext("Name the category, e.g. “Interior”.")
        elif len(name) > 100:
            errors[e + "name"] = gettext("At most 100 characters.")
        elif name.casefold() in names:
            errors[e + "name"] = gettext(
                "“%(name)s” is already on the sheet (row %(row)s).", name=name, row=names[name.casefold()] + 1
            )
        else:
            names[name.casefold()] = i
        if key_text:
            key = category_key(key_text)
            if not key:
                errors[e + "key"] = gettext(
                    "A key uses letters and digits, e.g. “body_paint”; leave it blank to derive one."
                )
            elif key in typed_keys:
                errors[e + "key"] = gettext(
                    "Row %(row)s already uses the key “%(key)s”.", row=typed_keys[key] + 1, key=key
                )
            else:
                typed_keys[key] = i
        else:
            key = ""
            pending_keys.append((i, name))
        if mode not in CATEGORY_MODES:
            errors[e + "mode"] = gettext(
                "Choose points (award 0 up to the maximum) or deduction (deduct from the maximum)."
            )
        max_units = step_units = 0
        if not max_text:
            errors[e + "max"] = gettext("Give the most points this category is worth, e.g. 25.")
        else:
            try:
                max_units = points_units(max_text, scale, "Maximum")
                if max_units <= 0:
                    errors[e + "max"] = gettext("The maximum must be more than 0.")
                elif max_units > MAX_CATEGORY_POINTS * scale:
                    errors[e + "max"] = gettext("At most %(max)s points per category.", max=MAX_CATEGORY_POINTS)
            except ValueError as exc:
                errors[e + "max"] = str(exc)
        if not step_text:
            step_units = 1  # the finest step the sheet holds
        else:
            try:
                step_units = points_units(step_text, scale, "Step")
                if step_units <= 0:
                    errors[e + "step"] = gettext(
                        "The step must be more than 0 (the finest is %(finest)s).", finest=finest
                    )
            except ValueError as exc:
                errors[e + "step"] = str(exc)
        if max_units > 0 and step_units > 0 and e + "max" not in errors and e + "step" not in errors:
            if step_units > max_units:
                errors[e + "step"] = gettext("The step cannot be larger than the maximum.")
            elif max_units % step_units:
                errors[e + "step"] = gettext(
                    "The maximum (%(max)s) must be a whole number of steps of %(step)s.",
                    max=format_units(max_units, scale),
                    step=format_units(step_units, scale),
                )
        weight = 100
        if weight_text:
            try:
                weight = int(weight_text)
            except ValueError:
                weight = 0
            if not 1 <= weight <= 1000:
                errors[e + "weight"] = gettext("A weight is a whole percent from 1 to 1000 (100 = counted once).")
        if sections_required and section is None:
            errors[e + "section"] = gettext("The judging system uses section judging: give every category a section.")
        if len(guidance) > MAX_GUIDANCE_CHARS:
            errors[e + "guidance"] = gettext("At most %(max)s characters.", max=MAX_GUIDANCE_CHARS)
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
        errors["rows"] = gettext("Keep at least one category on the sheet.")
    elif len(drafts) > MAX_CATEGORIES:
        errors["rows"] = gettext("A sheet has at most %(max)s categories.", max=MAX_CATEGORIES)
    if errors:
        raise FormErrors(errors)
    for d in drafts.values():
        order = d.pop("order")
        parsed.append((order, CategorySpec(**d)))
    parsed.sort(key=lambda p: p[0])
    return [spec for _, spec in parsed]


async def sheets_on_rubric(session: AsyncSession, rubric_id: int) -> int:
    return (
        await session.scalar(select(func.count()).select_from(ScoreSheet).where(ScoreSheet.rubric_id == rubric_id))
    ) or 0


def _kept_note(new_version: int, old_version: int, sheets: int) -> str:
    """Why a change made a new version: the sheets already scored keep the old one (a whole sentence)."""
    return ngettext(
        "Scoring had started: this is version %(new)s; the %(num)s sheet already scored keeps version %(old)s.",
        "Scoring had started: this is version %(new)s; the %(num)s sheets already scored keep version %(old)s.",
        sheets,
        new=new_version,
        old=old_version,
    )


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


@dataclass(frozen=True)
class RubricSpec:
    """A score sheet as the organizer asked for it: its name and its categories in order."""

    name: str
    categories: tuple[CategorySpec, ...]


def parse_rubric(
    rows: Sequence[Mapping[str, str]], name: str | None, *, current_name: str, scale: int, sections_required: bool
) -> RubricSpec:
    """Read the sheet's name (``None`` keeps ``current_name``) and its category table (see :func:`parse_rows`).

    Pure; :class:`FormErrors` names each wrong field, the name's and the rows' together."""
    errors: dict[str, str] = {}
    new_name = clean_text(name) if name is not None else current_name
    if not new_name:
        errors["sheet_name"] = gettext("Name the score sheet, e.g. “100 points, six areas”.")
    elif len(new_name) > 200:
        errors["sheet_name"] = gettext("At most 200 characters.")
    try:
        specs = parse_rows(rows, scale, sections_required=sections_required)
    except FormErrors as exc:
        raise FormErrors({**errors, **exc.errors}) from None
    if errors:
        raise FormErrors(errors)
    return RubricSpec(new_name, tuple(specs))


async def update_rubric(
    session: AsyncSession,
    viewer: Viewer,
    event: Event,
    rows: list[dict[str, str]],
    *,
    name: str | None = None,
) -> RubricUpdate:
    """Replace the event's category table with ``rows`` (and its name with ``name``, if given).

    Steps: lock the event, its current rubric and its judging system; parse (:func:`parse_rubric`;
    :class:`FormErrors` and nothing written when a row is wrong); apply (:func:`apply_rubric`)."""
    event = await lock_event(session, event)
    old = await current_rubric(session, event, lock=True)
    system = await judging_system_of(session, event, lock=True)
    spec = parse_rubric(
        rows,
        name,
        current_name=old.name if old is not None else "Score sheet",
        scale=old.scale if old is not None else DEFAULT_SCALE,
        sections_required=system is not None and system.sheet_mode == "section",
    )
    return await apply_rubric(session, viewer, event, spec)


async def apply_rubric(session: AsyncSession, viewer: Viewer, event: Event, spec: RubricSpec) -> RubricUpdate:
    """Make the event's score sheet ``spec``.

    Steps: lock the current rubric and the judging system; nothing changed → nothing written; write — in
    place while no sheet uses the current rubric, otherwise as a new version that the event (and every class
    that used the old one) points to, leaving the old version and its sheets as they were; drop tie-break
    keys that no longer exist; audit."""
    old = await current_rubric(session, event, lock=True)
    system = await judging_system_of(session, event, lock=True)
    specs = list(spec.categories)
    before = [_spec_of(c) for c in old.categories] if old is not None else []
    if old is not None and before == specs and spec.name == old.name:
        return RubricUpdate(old, changed=False, versioned=False, sheets_kept=0, message=gettext("Nothing changed."))

    sheets = await sheets_on_rubric(session, old.id) if old is not None else 0
    if old is None or sheets:
        rubric = await _new_version(session, event, old, spec)
    else:
        rubric = _edit_in_place(old, spec)

    message = gettext("Score sheet saved.")
    if old is not None and sheets:
        message = _kept_note(rubric.version, old.version, sheets)
    dropped: list[str] = []
    if system is not None:
        keys = {s.key for s in specs}
        dropped = [k for k in system.tie_break_keys or [] if k not in keys]
        if dropped:
            system.tie_break_keys = [k for k in system.tie_break_keys or [] if k in keys]
            message += " " + gettext("Removed from the tie-break order: %(keys)s.", keys=", ".join(dropped))
    await session.flush()
    audit.record_change(
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


async def _new_version(session: AsyncSession, event: Event, old: Rubric | None, spec: RubricSpec) -> Rubric:
    """A new rubric (the next version of ``old``) that the event and old's classes now use."""
    old_by_key = {c.key: c for c in old.categories} if old is not None else {}
    rubric = Rubric(
        event_id=event.id,
        name=spec.name,
        preset=old.preset if old is not None else None,
        scale=old.scale if old is not None else DEFAULT_SCALE,
        version=old.version + 1 if old is not None else 1,
        replaces_id=old.id if old is not None else None,
    )
    rubric.categories = [
        _fill(RubricCategory(), i, c, old_by_key.get(c.key)) for i, c in enumerate(spec.categories, start=1)
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
    return rubric


def _edit_in_place(rubric: Rubric, spec: RubricSpec) -> Rubric:
    """Unchanged keys keep their row (and id, which an open tablet page may still name); the rest are deleted
    or added. Keys never collide: a kept key is matched, not re-added."""
    old_by_key = {c.key: c for c in rubric.categories}
    rubric.name = spec.name
    kept: list[RubricCategory] = []
    for i, c in enumerate(spec.categories, start=1):
        existing = old_by_key.get(c.key)
        kept.append(_fill(existing if existing is not None else RubricCategory(), i, c, existing))
    rubric.categories = kept
    return rubric


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
    rubric = await current_rubric(session, event)
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
            note = _kept_note(rubric.version, previous, kept)
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
