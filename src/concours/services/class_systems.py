"""A judging system per class: a class may use its own system (and rubric) instead of the event's.

The event's judging system stays the default; a class with a :class:`~concours.db.ClassSystem` row is
judged by points on its own preset (a touring division with its cap beside a championship division),
by placings (the French way), or is a display class that is not judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import (
    ClassSystem,
    Entry,
    Event,
    EventClass,
    JudgingSystem,
    PlacingSheet,
    ScoreSheet,
)
from concours.domain import presets
from concours.domain.rubric import ScoreError, format_units, parse_points, sheet_max
from concours.domain.tabulation import Level, System
from concours.i18n import N_, gettext
from concours.services import audit
from concours.services.errors import FormErrors, ServiceError
from concours.services.events import load_rubrics, rubric_from_preset, to_categories
from concours.services.permissions import Viewer

METHOD_LABELS = {
    "points": N_("Points sheet"),
    "placings": N_("Placings, the French way"),
    "display": N_("Display class, not judged"),
}
CHOICES = ("event", "placings", "points", "display")


@dataclass(frozen=True)
class ClassJudging:
    """How one class is judged: method, the domain system (with its rubric's maximum), scale."""

    class_id: int
    method: str  # points | placings | display
    system: System
    scale: int
    show_percent: bool
    own: bool  # the class has its own system (not the event's)
    preset: str | None = None

    @property
    def label(self) -> str:
        name = presets.SYSTEM_PRESETS[self.preset].name if self.preset in presets.SYSTEM_PRESETS else ""
        if self.method == "points" and name:
            base = gettext(name)
        elif self.method == "placings" and self.system.sheet_mode == "team":
            base = gettext("Placings, the French way, team consensus")
        elif self.method == "placings":
            base = gettext("Placings, the French way, Borda count of the judges' orders")
        else:
            base = gettext(METHOD_LABELS[self.method]) if self.method in METHOD_LABELS else self.method
        return base if self.own else gettext("%(system)s (the event's system)", system=base)


def _system_of(row: JudgingSystem | ClassSystem, levels: tuple[Level, ...], max_units: Fraction, scale: int) -> System:
    return System(
        sheet_mode=row.sheet_mode,
        combine=row.combine,
        award_rule=row.award_rule,
        places=row.places,
        min_units_for_first=row.min_units_for_first,
        cap_units=row.cap_units,
        tie_break_keys=tuple(row.tie_break_keys or ()),
        levels=levels,
        max_units=max_units,
        method=row.method if row.method in ("points", "placings") else "points",
        scale=scale,
        award_tracks=row.award_tracks,
    )


async def class_judging(session: AsyncSession, event: Event, class_ids: list[int]) -> dict[int, ClassJudging]:
    """Each class's judging, in three queries however many classes."""
    js = await session.scalar(
        select(JudgingSystem).options(selectinload(JudgingSystem.levels)).where(JudgingSystem.event_id == event.id)
    )
    classes = (
        (await session.execute(select(EventClass.id, EventClass.rubric_id).where(EventClass.id.in_(class_ids)))).all()
        if class_ids
        else []
    )
    own = (
        {
            cs.class_id: cs
            for cs in (await session.scalars(select(ClassSystem).where(ClassSystem.class_id.in_(class_ids))))
        }
        if class_ids
        else {}
    )
    rubric_ids = {rid for _, rid in classes if rid is not None} | ({event.rubric_id} if event.rubric_id else set())
    rubrics = await load_rubrics(session, rubric_ids)
    out: dict[int, ClassJudging] = {}
    for class_id, class_rubric_id in classes:
        rubric = rubrics.get(class_rubric_id or event.rubric_id or -1)
        maximum = sheet_max(to_categories(rubric.categories)) if rubric is not None else Fraction(0)
        scale = rubric.scale if rubric is not None else 10
        cs = own.get(class_id)
        if cs is not None:
            levels = tuple(
                Level(lv["name"], lv.get("min_units"), lv.get("min_permille"), lv.get("band_units"))
                for lv in cs.levels or ()
            )
            out[class_id] = ClassJudging(
                class_id, cs.method, _system_of(cs, levels, maximum, scale), scale, cs.show_percent, True, cs.preset
            )
        elif js is not None:
            levels = tuple(Level(lv.name, lv.min_units, lv.min_permille, lv.band_units) for lv in js.levels)
            out[class_id] = ClassJudging(
                class_id, js.method, _system_of(js, levels, maximum, scale), scale, js.show_percent, False, js.preset
            )
        else:
            raise ServiceError("This event has no judging system yet.")
        if out[class_id].method != "display" and rubric is None and out[class_id].method == "points":
            raise ServiceError("This event has no judging system yet.")
    return out


async def judging_of(session: AsyncSession, event: Event, cls: EventClass) -> ClassJudging:
    return (await class_judging(session, event, [cls.id]))[cls.id]


async def method_of_class(session: AsyncSession, class_id: int) -> str:
    """``points``, ``placings`` or ``display`` for one class (one query)."""
    row = (
        await session.execute(
            select(ClassSystem.method, JudgingSystem.method)
            .select_from(EventClass)
            .outerjoin(ClassSystem, ClassSystem.class_id == EventClass.id)
            .outerjoin(JudgingSystem, JudgingSystem.event_id == EventClass.event_id)
            .where(EventClass.id == class_id)
        )
    ).first()
    if row is None:
        return "points"
    return row[0] or row[1] or "points"


async def methods_of_classes(session: AsyncSession, class_ids: list[int]) -> dict[int, str]:
    if not class_ids:
        return {}
    rows = await session.execute(
        select(EventClass.id, ClassSystem.method, JudgingSystem.method)
        .outerjoin(ClassSystem, ClassSystem.class_id == EventClass.id)
        .outerjoin(JudgingSystem, JudgingSystem.event_id == EventClass.event_id)
        .where(EventClass.id.in_(class_ids))
    )
    return {cid: own or event or "points" for cid, own, event in rows}


def class_form(judging: ClassJudging) -> dict[str, str]:
    """The class system form's values for what the class uses now."""
    choice = "event" if not judging.own else judging.method
    return {
        "judging": choice,
        "places": str(judging.system.places),
        "team": "1" if judging.method == "placings" and judging.system.sheet_mode == "team" else "",
        "preset": judging.preset or "",
        "cap": format_units(judging.system.cap_units, judging.scale) if judging.system.cap_units else "",
    }


def points_presets() -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in presets.SYSTEM_PRESETS.values() if p.system.method == "points"]


async def _sheets_started(session: AsyncSession, cls: EventClass) -> int:
    scored = await session.scalar(
        select(func.count())
        .select_from(ScoreSheet)
        .join(Entry, Entry.id == ScoreSheet.entry_id)
        .where(
            Entry.class_id == cls.id,
            ScoreSheet.calibration.is_(False),
            or_(ScoreSheet.version > 0, ScoreSheet.status == "submitted"),
        )
    )
    placed = await session.scalar(
        select(func.count())
        .select_from(PlacingSheet)
        .where(PlacingSheet.class_id == cls.id, or_(PlacingSheet.version > 0, PlacingSheet.status == "submitted"))
    )
    return int(scored or 0) + int(placed or 0)


async def set_class_system(
    session: AsyncSession, viewer: Viewer, event: Event, cls: EventClass, form: Mapping[str, str]
) -> None:
    """Give the class its own judging system, or put it back on the event's.

    Steps: parse (field errors, nothing written) → guard (certified, judging started) → write the
    class system (and the class's rubric for a points preset) → audit.
    """
    choice = form.get("judging", "").strip()
    errors: dict[str, str] = {}
    if choice not in CHOICES:
        errors["judging"] = "Choose how this class is judged."
    places = 3
    places_text = form.get("places", "3").strip() or "3"
    if not places_text.isascii() or not places_text.isdigit() or not 1 <= int(places_text) <= 10:
        errors["places"] = "Places awarded: a whole number from 1 to 10."
    else:
        places = int(places_text)
    preset_key = form.get("preset", "").strip()
    cap_units: int | None = None
    if choice == "points":
        sp = presets.SYSTEM_PRESETS.get(preset_key)
        if sp is None or sp.system.method != "points":
            errors["preset"] = "Choose the points system this class uses."
        else:
            cap_text = form.get("cap", "").strip()
            if cap_text:
                scale = presets.RUBRIC_PRESETS[sp.rubric].scale
                try:
                    cap_units = parse_points(cap_text, scale)
                except ScoreError as exc:
                    errors["cap"] = str(exc)
                else:
                    maximum = sheet_max(presets.RUBRIC_PRESETS[sp.rubric].categories)
                    if not 0 < cap_units <= maximum:
                        errors["cap"] = f"A cap is a score between 0 and the sheet's {format_units(maximum, scale)}."
    if errors:
        raise FormErrors(errors)
    if cls.certified_at is not None:
        raise ServiceError(f"Class {cls.code} is certified; reopen it before changing how it is judged.")
    current = await session.scalar(select(ClassSystem).where(ClassSystem.class_id == cls.id))
    before = (
        {"method": current.method, "preset": current.preset, "places": current.places} if current else {"event": True}
    )
    started = await _sheets_started(session, cls)
    if started:
        raise ServiceError(
            f"Judging of class {cls.code} has started ({started} sheet(s) exist), so its judging system cannot "
            "change: the sheets would lose their meaning."
        )
    if choice == "event":
        if current is not None:
            if current.preset:
                cls.rubric_id = None  # the rubric came with the class's own preset
            await session.delete(current)
        cls.places_awarded = places
        after: dict[str, object] = {"event": True}
    else:
        if current is None:
            current = ClassSystem(class_id=cls.id)
            session.add(current)
        current.method = choice
        current.places = places
        current.min_units_for_first = None
        current.show_percent = False
        current.tie_break_keys = []
        current.levels = []
        current.cap_units = None
        current.preset = None
        current.award_rule = "places"
        current.award_tracks = False
        if choice == "placings":
            team = form.get("team", "") in ("1", "on", "true")
            current.sheet_mode = "team" if team else "individual"
            current.combine = "consensus" if team else "borda"
            current.preset = "french_placings"
        elif choice == "display":
            current.sheet_mode, current.combine = "individual", "mean"
        else:
            sp = presets.SYSTEM_PRESETS[preset_key]
            s = sp.system
            current.preset = sp.key
            current.sheet_mode, current.combine, current.award_rule = s.sheet_mode, s.combine, s.award_rule
            current.min_units_for_first = s.min_units_for_first
            current.cap_units = cap_units if cap_units is not None else s.cap_units
            current.show_percent = any(lv.min_permille is not None for lv in s.levels)
            current.award_tracks = s.award_tracks
            current.tie_break_keys = list(s.tie_break_keys)
            current.levels = [
                {
                    "name": lv.name,
                    "min_units": lv.min_units,
                    "min_permille": lv.min_permille,
                    "band_units": lv.band_units,
                }
                for lv in s.levels
            ]
            rubric = rubric_from_preset(event.id, presets.RUBRIC_PRESETS[sp.rubric])
            rubric.name = f"{rubric.name} — class {cls.code}"
            session.add(rubric)
            await session.flush()
            cls.rubric_id = rubric.id
        cls.places_awarded = places
        after = {"method": choice, "preset": current.preset, "places": places, "cap_units": current.cap_units}
    audit.record(
        session,
        entity_type="class",
        entity_id=cls.id,
        action="judging_system",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after=after,
    )
