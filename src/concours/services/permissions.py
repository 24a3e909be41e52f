"""Who may do what, checked where the data is loaded (object level)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Conflict, Entry, Event, EventClass, EventStaff, Judge, Team, TeamMember
from concours.services.errors import Forbidden, NotFound

# The roster lives in ``event_staff``: an invited judge has the role ``judge_invited``, ``judge`` once accepted.
INVITED, ACCEPTED = "judge_invited", "judge"
ROSTER_ROLES = (INVITED, ACCEPTED)


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, as plain data for templates and authorization."""

    user_id: int
    name: str
    email: str
    is_organizer: bool
    judge_id: int | None
    entrant_id: int | None
    organizer_event_ids: frozenset[int] = frozenset()
    chief_judge_event_ids: frozenset[int] = frozenset()

    def organizes(self, event_id: int) -> bool:
        return event_id in self.organizer_event_ids

    def is_chief_judge(self, event_id: int) -> bool:
        return event_id in self.chief_judge_event_ids or event_id in self.organizer_event_ids


async def event_for_organizer(session: AsyncSession, viewer: Viewer, event_id: int) -> Event:
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound("There is no such event.")
    if not viewer.organizes(event.id):
        raise Forbidden("You are not an organizer of this event.")
    return event


async def event_for_chief_judge(session: AsyncSession, viewer: Viewer, event_id: int) -> Event:
    """The event, if the viewer runs its judging (an organizer or the chief judge)."""
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound("There is no such event.")
    if not viewer.is_chief_judge(event.id):
        raise Forbidden("You do not run the judging of this event.")
    return event


async def class_for_organizer(session: AsyncSession, viewer: Viewer, class_id: int) -> tuple[EventClass, Event]:
    row = (
        await session.execute(
            select(EventClass, Event).join(Event, Event.id == EventClass.event_id).where(EventClass.id == class_id)
        )
    ).first()
    if row is None:
        raise NotFound("There is no such class.")
    if not viewer.is_chief_judge(row[1].id):
        raise Forbidden("You do not run the judging of this event.")
    return row[0], row[1]


async def entry_for_organizer(session: AsyncSession, viewer: Viewer, entry_id: int) -> Entry:
    entry = await session.get(Entry, entry_id)
    if entry is None:
        raise NotFound("There is no such entry.")
    if not viewer.organizes(entry.event_id):
        raise Forbidden("You are not an organizer of this event.")
    return entry


async def conflict_reason(session: AsyncSession, judge_id: int, entry: Entry) -> str | None:
    """Why this judge must not score this entry, or None."""
    conditions = [Conflict.entry_id == entry.id, Conflict.entrant_id == entry.entrant_id]
    if entry.class_id is not None:
        conditions.append(Conflict.class_id == entry.class_id)
    reason = await session.scalar(
        select(Conflict.reason)
        .where(Conflict.judge_id == judge_id, Conflict.event_id == entry.event_id, or_(*conditions))
        .limit(1)
    )
    return reason


async def entry_for_judge(session: AsyncSession, viewer: Viewer, entry_id: int) -> Entry:
    """The entry, if the viewer judges its class and has no conflict with it."""
    if viewer.judge_id is None:
        raise Forbidden("Only judges score cars.")
    entry = await session.get(Entry, entry_id)
    if entry is None or entry.status != "accepted" or entry.class_id is None or entry.absent_reason:
        raise NotFound("There is no such car in judging.")
    on_team = await session.scalar(
        select(TeamMember.id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(and_(Team.class_id == entry.class_id, TeamMember.judge_id == viewer.judge_id))
    )
    if on_team is None:
        raise Forbidden("You are not on the judging team of this car's class.")
    if viewer.entrant_id is not None and entry.entrant_id == viewer.entrant_id:
        raise Forbidden("This is your own car: you cannot judge it.")
    reason = await conflict_reason(session, viewer.judge_id, entry)
    if reason is not None:
        raise Forbidden(f"You have a conflict of interest with this car: {reason}")
    return entry


async def entry_for_entrant(session: AsyncSession, viewer: Viewer, entry_id: int) -> Entry:
    entry = await session.get(Entry, entry_id)
    if entry is None or viewer.entrant_id is None or entry.entrant_id != viewer.entrant_id:
        # Same answer whether it exists or not: an entrant learns nothing about other entries.
        raise NotFound("There is no such entry among yours.")
    return entry


async def roster_judge_ids(session: AsyncSession, event_id: int) -> set[int]:
    """The judges on the event's roster: invited or accepted, or put straight on a class team."""
    staff = (
        select(Judge.id)
        .join(EventStaff, EventStaff.user_id == Judge.user_id)
        .where(EventStaff.event_id == event_id, EventStaff.role.in_(ROSTER_ROLES))
    )
    teams = select(TeamMember.judge_id).join(Team, Team.id == TeamMember.team_id).where(Team.event_id == event_id)
    return set((await session.scalars(staff.union(teams))).all())
