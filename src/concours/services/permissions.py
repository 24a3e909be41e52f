"""Who may do what, checked where the data is loaded (object level).

**The rule for refusals, everywhere: 404 where the object's existence is private to its owner, 403 where the viewer
may know it exists.** What belongs to a person is private to them: an entrant's entries, applications and sheets
(another entrant or the public get 404, as for an id that names nothing), a judge's own declared conflicts. An event
in draft is private to its organizers (and chief judge). Once an event is out of draft anyone may know it and what it
holds (classes, cars, sheets, awards, conflicts): a viewer who may not act on them gets 403 with the reason, and the
owner of a thing gets 403 on an action that is not theirs to take (an entrant checking in their own car).

Each action is a named rule, a pair: ``why_not_<action>(viewer, ...) -> str | None`` gives the reason it is refused
(None: allowed), ``can_<action>(...) -> bool`` is for templates, so a button and the check behind it agree. The
loaders below (``event_for_organizer`` ...) load the object and apply a rule through :func:`require`; a service
that re-checks a role does it the same way, ``require(why_not_<action>(viewer, ...))``, never inline. A reason is
said in the viewer's language."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Conflict, Entry, Event, EventClass, EventStaff, Judge, Team, TeamMember
from concours.i18n import gettext
from concours.services.errors import Forbidden, NotFound

# The roster lives in ``event_staff``: an invited judge has the role ``judge_invited``, ``judge`` once accepted.
INVITED, ACCEPTED = "judge_invited", "judge"
ROSTER_ROLES = (INVITED, ACCEPTED)

NO_EVENT = "There is no such event."


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


# -- the rules ------------------------------------------------------------------------------------------------


def why_not_organize(viewer: Viewer | None, event_id: int) -> str | None:
    """Set-up, entries, the roster, awards, publication, the ceremony's run sheet: the event's organizers."""
    if viewer is None or not viewer.organizes(event_id):
        return gettext("You are not an organizer of this event.")
    return None


def can_organize(viewer: Viewer | None, event_id: int) -> bool:
    return why_not_organize(viewer, event_id) is None


def why_not_run_judging(viewer: Viewer | None, event_id: int) -> str | None:
    """Teams, conflicts, the assignment board, oversight, ties, certification, reopening a judge's order: the chief
    judge or an organizer."""
    if viewer is None or not viewer.is_chief_judge(event_id):
        return gettext("You do not run the judging of this event.")
    return None


def can_run_judging(viewer: Viewer | None, event_id: int) -> bool:
    return why_not_run_judging(viewer, event_id) is None


def why_not_create_event(viewer: Viewer | None) -> str | None:
    """A new event, or a copy of one: organizer accounts."""
    if viewer is None or not viewer.is_organizer:
        return gettext("Only organizer accounts create events.")
    return None


def can_create_event(viewer: Viewer | None) -> bool:
    return why_not_create_event(viewer) is None


def why_not_manage_backups(viewer: Viewer | None) -> str | None:
    """The installation's backups (folder, interval, backing up now): organizer accounts."""
    if viewer is None or not viewer.is_organizer:
        return gettext("Only organizer accounts manage the backups.")
    return None


def why_not_judge(viewer: Viewer | None) -> str | None:
    """The judge's own pages (their cars, profile, invitations, conflicts): a judge."""
    if viewer is None or viewer.judge_id is None:
        return gettext("This page is for judges.")
    return None


def why_not_enter(viewer: Viewer | None) -> str | None:
    """The entrant's portal: someone who has applied with a car."""
    if viewer is None or viewer.entrant_id is None:
        return gettext("This page is for entrants: apply to an event with your car first.")
    return None


def judge_id_of(viewer: Viewer) -> int:
    """The viewer's judge id, for the judge's own pages; anyone else is refused."""
    require(why_not_judge(viewer))
    assert viewer.judge_id is not None
    return viewer.judge_id


def entrant_id_of(viewer: Viewer) -> int:
    """The viewer's entrant id, for the entrant's portal; anyone else is refused."""
    require(why_not_enter(viewer))
    assert viewer.entrant_id is not None
    return viewer.entrant_id


def knows_event(viewer: Viewer | None, event: Event) -> bool:
    """Whether the viewer may know the event exists: it is out of draft, or they organize or chief-judge it."""
    return event.status != "draft" or (viewer is not None and viewer.is_chief_judge(event.id))


def require(reason: str | None, *, hide: str | None = None) -> None:
    """Refuse when a rule gives a ``reason``: 403 with the reason, or, where the object's existence is private
    (``hide`` is the not-found message to answer instead), 404 as for an id that names nothing."""
    if reason is None:
        return
    if hide is not None:
        raise NotFound(hide)
    raise Forbidden(reason)


def require_in_event(reason: str | None, viewer: Viewer | None, event: Event, *, hide: str = NO_EVENT) -> None:
    """:func:`require` for something of ``event``: hidden (404) while the viewer may not know the event."""
    require(reason, hide=None if knows_event(viewer, event) else hide)


# -- the loaders ----------------------------------------------------------------------------------------------


async def _event(session: AsyncSession, event_id: int) -> Event:
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound(NO_EVENT)
    return event


async def event_for_organizer(session: AsyncSession, viewer: Viewer, event_id: int) -> Event:
    event = await _event(session, event_id)
    require_in_event(why_not_organize(viewer, event.id), viewer, event)
    return event


async def event_for_chief_judge(session: AsyncSession, viewer: Viewer, event_id: int) -> Event:
    """The event, if the viewer runs its judging (an organizer or the chief judge)."""
    event = await _event(session, event_id)
    require_in_event(why_not_run_judging(viewer, event.id), viewer, event)
    return event


async def event_for_public(session: AsyncSession, viewer: Viewer | None, slug: str) -> Event:
    """The event's public pages: anyone, once it is out of draft; its organizers before."""
    event = await session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(NO_EVENT)
    if event.status == "draft":
        require(why_not_organize(viewer, event.id), hide=NO_EVENT)
    return event


NO_CLASS = "There is no such class."


async def _class(session: AsyncSession, class_id: int) -> tuple[EventClass, Event]:
    row = (
        await session.execute(
            select(EventClass, Event).join(Event, Event.id == EventClass.event_id).where(EventClass.id == class_id)
        )
    ).first()
    if row is None:
        raise NotFound(NO_CLASS)
    cls, event = row._tuple()
    return cls, event


async def class_for_chief_judge(session: AsyncSession, viewer: Viewer, class_id: int) -> tuple[EventClass, Event]:
    """The class and its event, if the viewer runs the event's judging (results, ties, certification, sections)."""
    cls, event = await _class(session, class_id)
    require_in_event(why_not_run_judging(viewer, event.id), viewer, event, hide=NO_CLASS)
    return cls, event


async def class_for_organizer(session: AsyncSession, viewer: Viewer, class_id: int) -> tuple[EventClass, Event]:
    """The class and its event, if the viewer organizes the event (how the class is judged, its cars' award
    tracks); a chief judge who does not organize it is refused (403)."""
    cls, event = await _class(session, class_id)
    require_in_event(why_not_organize(viewer, event.id), viewer, event, hide=NO_CLASS)
    return cls, event


async def entry_for_organizer(session: AsyncSession, viewer: Viewer, entry_id: int) -> Entry:
    return (await entry_and_event_for_organizer(session, viewer, entry_id))[0]


async def entry_and_event_for_organizer(session: AsyncSession, viewer: Viewer, entry_id: int) -> tuple[Entry, Event]:
    """An entry of an event the viewer organizes, with its event (one query)."""
    row = (
        await session.execute(select(Entry, Event).join(Event, Event.id == Entry.event_id).where(Entry.id == entry_id))
    ).first()
    if row is None:
        raise NotFound("There is no such entry.")
    entry, event = row._tuple()
    require_in_event(why_not_organize(viewer, event.id), viewer, event, hide="There is no such entry.")
    return entry, event


def conflict_binds() -> ColumnElement[bool]:
    """The one condition under which a stored conflict binds (assignment, sheets, ballots, calibration, the judge's
    pages): it is confirmed. A suggestion waits for an organizer's decision; a dismissed one never binds."""
    return Conflict.state == "confirmed"


async def conflict_reason(session: AsyncSession, judge_id: int, entry: Entry) -> str | None:
    """Why this judge must not score this entry, or None."""
    conditions = [Conflict.entry_id == entry.id, Conflict.entrant_id == entry.entrant_id]
    if entry.class_id is not None:
        conditions.append(Conflict.class_id == entry.class_id)
    reason = await session.scalar(
        select(Conflict.reason)
        .where(Conflict.judge_id == judge_id, Conflict.event_id == entry.event_id, conflict_binds(), or_(*conditions))
        .limit(1)
    )
    return reason


async def entry_for_judge(session: AsyncSession, viewer: Viewer, entry_id: int) -> Entry:
    """The entry, if the viewer judges its class and has no conflict with it."""
    require(why_not_judge(viewer))
    assert viewer.judge_id is not None
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
    await require_may_score(session, viewer, entry)
    return entry


async def require_may_score(session: AsyncSession, viewer: Viewer, entry: Entry) -> None:
    """A judge never scores their own car, nor a car a binding conflict keeps them from (403 with the reason)."""
    if viewer.entrant_id is not None and entry.entrant_id == viewer.entrant_id:
        raise Forbidden("This is your own car: you cannot judge it.")
    reason = await conflict_reason(session, viewer.judge_id, entry) if viewer.judge_id is not None else None
    if reason is not None:
        raise Forbidden(f"You have a conflict of interest with this car: {reason}")


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
