"""What a judge sees before scoring: their classes and cars in field order, each sheet's state, the
car's details, and when each event judges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    ClassSystem,
    Entrant,
    Entry,
    Event,
    EventClass,
    JudgingSystem,
    ScoreSheet,
    Team,
    TeamMember,
    User,
    Vehicle,
)
from concours.db import Conflict as ConflictRow
from concours.i18n import DEFAULT_LOCALE, current_locale, format_date
from concours.services.judging import combined_status
from concours.services.permissions import conflict_binds


@dataclass
class JudgeCar:
    entry_id: int
    car_number: int | None
    title: str
    field_position: str
    sheet_status: str
    checked_in: bool = True


@dataclass
class JudgeClass:
    event_name: str
    event_status: str
    class_id: int
    code: str
    name: str
    is_captain: bool
    cars: list[JudgeCar]

    @property
    def submitted(self) -> int:
        return sum(1 for c in self.cars if c.sheet_status == "submitted")


async def judge_home(session: AsyncSession, judge_id: int) -> list[JudgeClass]:
    """The judge's classes and cars (field order), with each sheet's state — four queries in all."""
    teams = (
        await session.execute(
            select(
                EventClass,
                Event.name,
                Event.status,
                TeamMember.is_captain,
                Team.id,
                TeamMember.sections,
                func.coalesce(ClassSystem.sheet_mode, JudgingSystem.sheet_mode),
            )
            .join(Team, Team.class_id == EventClass.id)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .join(Event, Event.id == EventClass.event_id)
            .outerjoin(JudgingSystem, JudgingSystem.event_id == Event.id)
            .outerjoin(ClassSystem, ClassSystem.class_id == EventClass.id)
            .where(TeamMember.judge_id == judge_id, Event.status.not_in(("published", "archived")))
            .order_by(Event.starts_on, EventClass.position)
        )
    ).all()
    class_ids = [t[0].id for t in teams]
    if not class_ids:
        return []
    cars = (
        await session.execute(
            select(
                Entry.id,
                Entry.class_id,
                Entry.entrant_id,
                Entry.car_number,
                Entry.field_position,
                Entry.checked_in_at,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
            )
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .where(Entry.class_id.in_(class_ids), Entry.status == "accepted", Entry.absent_reason == "")
            .order_by(Entry.car_number)
        )
    ).all()
    team_ids = [t[4] for t in teams]
    sheets = (
        await session.execute(
            select(ScoreSheet.entry_id, ScoreSheet.section, ScoreSheet.status, ScoreSheet.version)
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .where(Entry.class_id.in_(class_ids), ScoreSheet.calibration.is_(False))
            .where(
                or_(
                    ScoreSheet.judge_id == judge_id,
                    and_(ScoreSheet.judge_id.is_(None), ScoreSheet.team_id.in_(team_ids)),
                )
            )
        )
    ).all()
    states: dict[int, dict[str, str]] = {}
    for sh in sheets:
        states.setdefault(sh.entry_id, {})[sh.section] = (
            "not_started"
            if sh.status == "draft" and not sh.version
            else ("submitted" if sh.status == "submitted" else "in_progress")
        )
    conflicts = (
        await session.execute(
            select(ConflictRow.entry_id, ConflictRow.entrant_id, ConflictRow.class_id).where(
                ConflictRow.judge_id == judge_id, conflict_binds()
            )
        )
    ).all()
    no_entries = {c.entry_id for c in conflicts if c.entry_id}
    no_entrants = {c.entrant_id for c in conflicts if c.entrant_id}
    no_classes = {c.class_id for c in conflicts if c.class_id}
    out = []
    for cls, event_name, event_status, captain, _team_id, sections, mode in teams:
        if cls.id in no_classes:
            continue
        expected = list(sections or []) if mode == "section" else [""]
        mine = [
            JudgeCar(
                c.id,
                c.car_number,
                f"{c.year} {c.make} {c.model}",
                c.field_position,
                combined_status([states.get(c.id, {}).get(sec, "not_started") for sec in expected]),
                c.checked_in_at is not None,
            )
            for c in cars
            if c.class_id == cls.id and c.id not in no_entries and c.entrant_id not in no_entrants
        ]
        out.append(JudgeClass(event_name, event_status, cls.id, cls.code, cls.name, captain, mine))
    return out


async def car_details(session: AsyncSession, entry: Entry) -> dict[str, object]:
    row = (
        await session.execute(
            select(Vehicle, EventClass.code, EventClass.name, User.name)
            .join(Entry, Entry.vehicle_id == Vehicle.id)
            .join(EventClass, EventClass.id == Entry.class_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(Entry.id == entry.id)
        )
    ).one()
    v: Vehicle = row[0]
    return {
        "entry_id": entry.id,
        "car_number": entry.car_number,
        "title": v.title,
        "year": v.year,
        "make": v.make,
        "model": v.model,
        "body_style": v.body_style,
        "coachbuilder": v.coachbuilder,
        "colour": v.colour,
        "chassis_number": v.chassis_number,
        "restoration_state": v.restoration_state,
        "history": v.history,
        "class_code": row[1],
        "class_name": row[2],
        "field_position": entry.field_position,
    }


@dataclass
class JudgingWindow:
    """When an event judges: its days in its own time zone (the schema has no time-of-day window yet)."""

    event_name: str
    starts_on: date
    ends_on: date
    timezone: str

    @property
    def label(self) -> str:
        days = (
            _day(self.starts_on, True)
            if self.starts_on == self.ends_on
            else f"{_day(self.starts_on, False)} – {_day(self.ends_on, True)}"
        )
        return f"{days} ({self.timezone})"


def _day(day: date, with_year: bool) -> str:
    """``Sun 14 Jun 2026`` in English as always; in another language its own day and month names."""
    if current_locale() == DEFAULT_LOCALE:
        return day.strftime("%a %d %b %Y" if with_year else "%a %d %b")
    return format_date(day, "EEE d MMM y" if with_year else "EEE d MMM")


async def judging_windows(session: AsyncSession, class_ids: list[int]) -> dict[int, JudgingWindow]:
    """The judging window of each class's event, by class id (one query)."""
    if not class_ids:
        return {}
    rows = (
        await session.execute(
            select(EventClass.id, Event.name, Event.starts_on, Event.ends_on, Event.timezone)
            .join(Event, Event.id == EventClass.event_id)
            .where(EventClass.id.in_(class_ids))
        )
    ).all()
    return {r[0]: JudgingWindow(r[1], r[2], r[3], r[4]) for r in rows}
