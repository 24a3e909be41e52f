"""Classes in bulk: a pasted list added at once (all or nothing), and the classes of an earlier event copied.

The copy helpers (:func:`copy_rubrics`, :func:`copy_class_rows`) are shared with copying a whole event
(``services/event_copy.py``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassSystem, Event, EventClass, Rubric, RubricCategory
from concours.domain.class_list import ClassListError, parse_class_list
from concours.services import audit
from concours.services.errors import FormErrors
from concours.services.events import load_rubrics
from concours.services.permissions import Viewer, can_organize

LIST_FIELD = "class_list"
COPY_FIELD = "copy_from"


def copy_rubric(source: Rubric, event_id: int) -> Rubric:
    """A new version-1 score sheet of ``event_id`` with ``source``'s categories (rubrics belong to one event)."""
    rubric = Rubric(event_id=event_id, name=source.name, preset=source.preset, scale=source.scale, version=1)
    rubric.categories = [
        RubricCategory(
            position=c.position,
            key=c.key,
            name=c.name,
            mode=c.mode,
            max_units=c.max_units,
            step_units=c.step_units,
            weight_percent=c.weight_percent,
            section=c.section,
            guidance=c.guidance,
            quick_deductions=list(c.quick_deductions or []),
        )
        for c in source.categories
    ]
    return rubric


async def copy_rubrics(session: AsyncSession, rubric_ids: Collection[int], event_id: int) -> dict[int, int]:
    """Each of these score sheets copied to ``event_id``: old rubric id → new rubric id."""
    rubrics = await load_rubrics(session, rubric_ids)
    new: dict[int, int] = {}
    for old in sorted(rubrics.values(), key=lambda r: r.id):
        copy = copy_rubric(old, event_id)
        session.add(copy)
        await session.flush()
        new[old.id] = copy.id
    return new


async def copy_class_rows(
    session: AsyncSession,
    event_id: int,
    classes: Sequence[EventClass],
    rubric_ids: Mapping[int, int],
    *,
    position_offset: int = 0,
) -> dict[int, EventClass]:
    """New classes of ``event_id`` like ``classes``: code, name, description, position (after
    ``position_offset``), places awarded, team size, their own score sheet (through ``rubric_ids``, old → new)
    and their own judging system where they have one. Returns old class id → new class (flushed)."""
    new_class: dict[int, EventClass] = {}
    for cls in classes:
        new = EventClass(
            event_id=event_id,
            code=cls.code,
            name=cls.name,
            description=cls.description,
            position=position_offset + cls.position,
            places_awarded=cls.places_awarded,
            rubric_id=rubric_ids.get(cls.rubric_id) if cls.rubric_id else None,
            team_min=cls.team_min,
            team_max=cls.team_max,
        )
        session.add(new)
        new_class[cls.id] = new
    await session.flush()
    systems = (
        (await session.scalars(select(ClassSystem).where(ClassSystem.class_id.in_(list(new_class))))).all()
        if new_class
        else []
    )
    for cs in systems:
        session.add(
            ClassSystem(
                class_id=new_class[cs.class_id].id,
                method=cs.method,
                preset=cs.preset,
                sheet_mode=cs.sheet_mode,
                combine=cs.combine,
                award_rule=cs.award_rule,
                places=cs.places,
                min_units_for_first=cs.min_units_for_first,
                cap_units=cs.cap_units,
                show_percent=cs.show_percent,
                award_tracks=cs.award_tracks,
                tie_break_keys=list(cs.tie_break_keys or []),
                levels=list(cs.levels or []),
            )
        )
    await session.flush()
    return new_class


async def _codes_and_last_position(session: AsyncSession, event: Event) -> tuple[set[str], int]:
    rows = (
        await session.execute(select(EventClass.code, EventClass.position).where(EventClass.event_id == event.id))
    ).all()
    return {code.upper() for code, _ in rows}, max((p for _, p in rows), default=0)


async def add_classes(session: AsyncSession, viewer: Viewer, event: Event, text: str) -> list[EventClass]:
    """A pasted list of classes (see :mod:`concours.domain.class_list`), added after the event's classes.

    Steps: parse the whole list against the event's codes (every wrong line named under ``class_list``,
    nothing added); add the classes in the list's order, three places each as one added alone; audit each."""
    existing, last = await _codes_and_last_position(session, event)
    try:
        lines = parse_class_list(text, existing)
    except ClassListError as exc:
        raise FormErrors({LIST_FIELD: "\n".join(["Nothing was added.", *exc.problems])}) from exc
    made: list[EventClass] = []
    for n, line in enumerate(lines, start=1):
        cls = EventClass(event_id=event.id, code=line.code, name=line.name, position=last + n, places_awarded=3)
        session.add(cls)
        made.append(cls)
    await session.flush()
    for cls in made:
        audit.record(
            session,
            entity_type="class",
            entity_id=cls.id,
            action="create",
            user_id=viewer.user_id,
            event_id=event.id,
            after={"code": cls.code, "name": cls.name, "from": "list"},
        )
    return made


async def copy_sources(session: AsyncSession, viewer: Viewer, event: Event) -> list[tuple[Event, int]]:
    """The viewer's other events that have classes, newest first, each with its number of classes."""
    ids = viewer.organizer_event_ids - {event.id}
    if not ids:
        return []
    rows = await session.execute(
        select(Event, func.count(EventClass.id))
        .join(EventClass, EventClass.event_id == Event.id)
        .where(Event.id.in_(ids))
        .group_by(Event.id)
        .order_by(Event.starts_on.desc(), Event.id.desc())
    )
    return [(e, n) for e, n in rows.all()]


@dataclass(frozen=True)
class Copied:
    added: list[str]  # the codes copied
    skipped: list[str]  # the codes the event already had

    @property
    def message(self) -> str:
        said = f"Copied {len(self.added)} class{'es' if len(self.added) != 1 else ''}"
        said += f": {', '.join(self.added)}." if self.added else "."
        if self.skipped:
            said += f" Skipped, as this event already has them: {', '.join(self.skipped)}."
        return said


async def copy_classes(session: AsyncSession, viewer: Viewer, event: Event, source_id: str) -> Copied:
    """The classes of another of the viewer's events copied to ``event`` (the caller loaded it for its organizer):
    codes, names, order, places, team size, their own judging system and score sheet. A code ``event`` already
    has is skipped, and said.

    Steps: check the source (one of the viewer's other events; else a field error); copy the class-own score
    sheets and the classes after the event's; audit the copy with what was copied and skipped."""
    raw = source_id.strip()
    source_event_id = int(raw) if raw.isdecimal() and len(raw) < 10 else None
    if source_event_id is None or source_event_id == event.id or not can_organize(viewer, source_event_id):
        raise FormErrors({COPY_FIELD: "Choose one of your other events."})
    classes = (
        await session.scalars(
            select(EventClass)
            .where(EventClass.event_id == source_event_id)
            .order_by(EventClass.position, EventClass.id)
        )
    ).all()
    if not classes:
        raise FormErrors({COPY_FIELD: "That event has no classes to copy."})
    existing, last = await _codes_and_last_position(session, event)
    to_copy = [c for c in classes if c.code.upper() not in existing]
    skipped = [c.code for c in classes if c.code.upper() in existing]
    rubrics = await copy_rubrics(session, {c.rubric_id for c in to_copy if c.rubric_id is not None}, event.id)
    # The copies keep their order among themselves, after the event's own classes.
    offset = last - min((c.position for c in to_copy), default=0) + 1 if last else 0
    await copy_class_rows(session, event.id, to_copy, rubrics, position_offset=offset)
    copied = Copied([c.code for c in to_copy], skipped)
    audit.record(
        session,
        entity_type="event",
        entity_id=event.id,
        action="copy_classes",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"source_event_id": source_event_id, "added": copied.added, "skipped": copied.skipped},
    )
    return copied
