"""Event set-up: create an event, classes, rubric and judging system from presets, status changes."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import (
    AwardLevel,
    ClassSystem,
    Entry,
    Event,
    EventClass,
    EventStaff,
    JudgingSystem,
    Rubric,
    RubricCategory,
    ScoreSheet,
)
from concours.domain import presets
from concours.domain.rubric import Category
from concours.domain.states import TransitionError, check_event_transition
from concours.i18n import gettext
from concours.services import audit
from concours.services.errors import FormErrors, NotFound, ServiceError
from concours.services.permissions import Viewer, require, why_not_create_event


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "event"


@dataclass(frozen=True)
class EventFields:
    """An event's name, venue, dates and time zone, checked."""

    name: str
    venue: str
    starts_on: date
    ends_on: date
    timezone: str


def parse_event_fields(*, name: str, venue: str, starts_on: str, ends_on: str, timezone: str) -> EventFields:
    """Check what a new-event form gives (name, venue, first and last day, time zone); FormErrors by field."""
    errors: dict[str, str] = {}
    if not name.strip() or len(name.strip()) > 200:
        errors["name"] = gettext("Give the event a name (at most 200 characters).")
    if len(venue.strip()) > 200:
        errors["venue"] = gettext("At most 200 characters.")
    start = end = None
    try:
        start = date.fromisoformat(starts_on)
    except ValueError:
        errors["starts_on"] = gettext("Enter the first day as YYYY-MM-DD.")
    try:
        end = date.fromisoformat(ends_on or starts_on)
    except ValueError:
        errors["ends_on"] = gettext("Enter the last day as YYYY-MM-DD.")
    if start and end and end < start:
        errors["ends_on"] = gettext("The last day cannot be before the first.")
    from zoneinfo import available_timezones

    if timezone not in available_timezones():
        errors["timezone"] = gettext("Choose a time zone such as Europe/London or America/Los_Angeles.")
    if errors:
        raise FormErrors(errors)
    assert start is not None and end is not None
    return EventFields(name.strip(), venue.strip(), start, end, timezone)


async def free_slug(session: AsyncSession, name: str) -> str:
    """The event's web address made from its name, numbered (``-2``, ``-3`` ...) when taken."""
    base = slugify(name)
    slug, n = base, 1
    while await slug_taken(session, slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


async def slug_taken(session: AsyncSession, slug: str) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(Event).where(Event.slug == slug)))


async def create_event(
    session: AsyncSession, viewer: Viewer, *, name: str, venue: str, starts_on: str, ends_on: str, timezone: str
) -> Event:
    """A new event in draft, the viewer its organizer and chief judge, judged by the class placings preset."""
    require(why_not_create_event(viewer))
    fields = parse_event_fields(name=name, venue=venue, starts_on=starts_on, ends_on=ends_on, timezone=timezone)
    slug = await free_slug(session, fields.name)
    start, end, timezone = fields.starts_on, fields.ends_on, fields.timezone
    event = Event(slug=slug, name=fields.name, venue=fields.venue, starts_on=start, ends_on=end, timezone=timezone)
    session.add(event)
    await session.flush()
    session.add(EventStaff(event_id=event.id, user_id=viewer.user_id, role="organizer"))
    session.add(EventStaff(event_id=event.id, user_id=viewer.user_id, role="chief_judge"))
    await apply_presets(session, event, "class_placings")
    audit.record(
        session,
        entity_type="event",
        entity_id=event.id,
        action="create",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"name": event.name, "slug": slug},
    )
    return event


async def add_class(
    session: AsyncSession, viewer: Viewer, event: Event, *, code: str, name: str, places: str = "3"
) -> EventClass:
    errors: dict[str, str] = {}
    code, name = code.strip().upper(), name.strip()
    if not code or len(code) > 10:
        errors["code"] = gettext("A short code such as “B” or “P-2” (at most 10 characters).")
    if not name or len(name) > 200:
        errors["name"] = gettext("Name the class, e.g. “Pre-War European Classics” (at most 200 characters).")
    try:
        places_n = int(places or 3)
        if not 0 <= places_n <= 10:
            raise ValueError
    except ValueError:
        errors["places"] = gettext("Places awarded is a whole number from 0 to 10.")
        places_n = 3
    if code and await session.scalar(
        select(func.count()).select_from(EventClass).where(EventClass.event_id == event.id, EventClass.code == code)
    ):
        errors["code"] = gettext("Class %(code)s already exists in this event.", code=code)
    if errors:
        raise FormErrors(errors)
    position = (
        await session.scalar(
            select(func.coalesce(func.max(EventClass.position), 0)).where(EventClass.event_id == event.id)
        )
    ) or 0
    cls = EventClass(event_id=event.id, code=code, name=name, position=position + 1, places_awarded=places_n)
    session.add(cls)
    await session.flush()
    audit.record(
        session,
        entity_type="class",
        entity_id=cls.id,
        action="create",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"code": code, "name": name},
    )
    return cls


def rubric_from_preset(event_id: int, preset: presets.RubricPreset) -> Rubric:
    rubric = Rubric(event_id=event_id, name=preset.name, preset=preset.key, scale=preset.scale)
    rubric.categories = [
        RubricCategory(
            position=i,
            key=c.key,
            name=c.name,
            mode=c.mode,
            max_units=c.max_units,
            step_units=c.step_units,
            weight_percent=c.weight_percent,
            section=c.section,
            guidance=c.guidance,
            quick_deductions=[{"label": label, "units": units} for label, units in c.quick_deductions],
        )
        for i, c in enumerate(preset.categories, start=1)
    ]
    return rubric


async def apply_presets(session: AsyncSession, event: Event, system_key: str) -> None:
    """Give the event the judging system ``system_key`` and a fresh rubric from the preset it names.

    Refused once scoring has started: sheets keep the rubric they were scored on.
    """
    if system_key not in presets.SYSTEM_PRESETS:
        raise ServiceError(gettext("Choose one of the judging systems listed."), field="preset")
    scored = await session.scalar(
        select(func.count())
        .select_from(ScoreSheet)
        .join(Rubric, Rubric.id == ScoreSheet.rubric_id)
        .where(Rubric.event_id == event.id)
    )
    if scored:
        raise ServiceError(
            gettext(
                "Scoring has started (%(n)s sheet(s) exist), so the rubric and judging system cannot be "
                "replaced: existing scores would lose their meaning.",
                n=scored,
            ),
            field="preset",
        )
    sp = presets.SYSTEM_PRESETS[system_key]
    rubric = rubric_from_preset(event.id, presets.RUBRIC_PRESETS[sp.rubric])
    session.add(rubric)
    await session.flush()
    event.rubric_id = rubric.id
    system = await session.scalar(
        select(JudgingSystem).options(selectinload(JudgingSystem.levels)).where(JudgingSystem.event_id == event.id)
    )
    if system is None:
        system = JudgingSystem(event_id=event.id)
        session.add(system)
    s = sp.system
    system.preset = sp.key
    system.method = s.method
    system.sheet_mode, system.combine, system.award_rule = s.sheet_mode, s.combine, s.award_rule
    system.places, system.min_units_for_first, system.cap_units = s.places, s.min_units_for_first, s.cap_units
    system.show_percent = any(lv.min_permille is not None for lv in s.levels)
    system.award_tracks = s.award_tracks
    system.tie_break_keys = list(s.tie_break_keys)
    system.disagreement_permille, system.disagreement_places = sp.calibration.permille, sp.calibration.places
    system.levels = [
        AwardLevel(
            position=i, name=lv.name, min_units=lv.min_units, min_permille=lv.min_permille, band_units=lv.band_units
        )
        for i, lv in enumerate(s.levels, start=1)
    ]


async def change_status(session: AsyncSession, viewer: Viewer, event: Event, target: str) -> None:
    try:
        check_event_transition(event.status, target)
    except TransitionError as exc:
        raise ServiceError(str(exc)) from exc
    if target == "published":
        # Publishing has its own checks (certified classes) and stamps the time: only through results.publish.
        raise ServiceError(gettext("Publish with “Publish certified results”: it checks that classes are certified."))
    if target == "results_certified":
        await _require_classes_certified(session, event)
    before = event.status
    event.status = target
    audit.record(
        session,
        entity_type="event",
        entity_id=event.id,
        action="status",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"status": before},
        after={"status": target},
    )


async def _require_classes_certified(session: AsyncSession, event: Event) -> None:
    """Results are certified when every judged class with cars is: an event is never certified with nothing scored."""
    pending = (
        await session.scalars(
            select(EventClass.code)
            .outerjoin(ClassSystem, ClassSystem.class_id == EventClass.id)
            .where(
                EventClass.event_id == event.id,
                EventClass.certified_at.is_(None),
                or_(ClassSystem.method.is_(None), ClassSystem.method != "display"),
                EventClass.id.in_(
                    select(Entry.class_id).where(
                        Entry.event_id == event.id, Entry.status == "accepted", Entry.absent_reason == ""
                    )
                ),
            )
            .order_by(EventClass.position, EventClass.code)
        )
    ).all()
    if pending:
        raise ServiceError(
            gettext(
                "Certify every judged class first; not certified yet: %(classes)s.",
                classes=", ".join(gettext("class %(code)s", code=c) for c in pending),
            )
        )


async def get_event_by_slug(session: AsyncSession, slug: str) -> Event:
    event = await session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(gettext("There is no such event."))
    return event


async def classes_of(session: AsyncSession, event_id: int) -> list[EventClass]:
    """The event's classes, in their order."""
    query = select(EventClass).where(EventClass.event_id == event_id).order_by(EventClass.position)
    return list((await session.scalars(query)).all())


def to_categories(rows: list[RubricCategory]) -> list[Category]:
    return [
        Category(
            id=r.id,
            key=r.key,
            name=r.name,
            max_units=r.max_units,
            step_units=r.step_units,
            mode=r.mode,
            weight_percent=r.weight_percent,
            section=r.section,
            guidance=r.guidance,
            quick_deductions=tuple((q["label"], int(q["units"])) for q in r.quick_deductions or ()),
        )
        for r in sorted(rows, key=lambda r: r.position)
    ]


async def load_rubrics(session: AsyncSession, rubric_ids: Collection[int]) -> dict[int, Rubric]:
    """These score sheets with their categories, by id (one query; none for no ids)."""
    if not rubric_ids:
        return {}
    query = select(Rubric).options(selectinload(Rubric.categories)).where(Rubric.id.in_(list(rubric_ids)))
    return {r.id: r for r in await session.scalars(query)}


async def load_rubric(session: AsyncSession, rubric_id: int) -> Rubric:
    rubric = await session.scalar(select(Rubric).options(selectinload(Rubric.categories)).where(Rubric.id == rubric_id))
    if rubric is None:
        raise NotFound(gettext("This class has no score sheet yet."))
    return rubric
