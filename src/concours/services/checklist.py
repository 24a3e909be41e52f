"""The organizer's checklist for an event: each step from set-up to published results, done or not, and what next.

One pass of aggregate queries whatever the show's size; shown at the top of the event's set-up page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassSystem, Entry, Event, EventClass, EventStaff, JudgingSystem, Team, TeamMember
from concours.domain.states import EVENT_STATUSES
from concours.i18n import gettext, ngettext, pgettext
from concours.services.permissions import ACCEPTED, ROSTER_ROLES


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    detail: str  # what there is so far, in a few words
    href: str  # where the organizer does it


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]

    @property
    def next(self) -> Step | None:
        """The first step not done yet (None when everything is)."""
        return next((s for s in self.steps if not s.done), None)

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done)


def _reached(event: Event, status: str) -> bool:
    return EVENT_STATUSES.index(event.status) >= EVENT_STATUSES.index(status)


async def checklist(session: AsyncSession, event: Event) -> Checklist:
    base = f"/organizer/events/{event.id}"
    classes = (
        await session.execute(
            select(EventClass.id, EventClass.certified_at, ClassSystem.method)
            .outerjoin(ClassSystem, ClassSystem.class_id == EventClass.id)
            .where(EventClass.event_id == event.id)
        )
    ).all()
    accepted, numbered = (
        await session.execute(
            select(func.count(Entry.id), func.count(Entry.car_number)).where(
                Entry.event_id == event.id, Entry.status == "accepted"
            )
        )
    ).one()
    applied = await session.scalar(
        select(func.count(Entry.id)).where(Entry.event_id == event.id, Entry.status == "applied")
    )
    roster_rows = await session.execute(
        select(EventStaff.role, func.count(EventStaff.id))
        .where(EventStaff.event_id == event.id, EventStaff.role.in_(ROSTER_ROLES))
        .group_by(EventStaff.role)
    )
    roster: dict[str, int] = {role: n for role, n in roster_rows.all()}
    judged_with_cars = {
        class_id
        for (class_id,) in await session.execute(
            select(Entry.class_id).where(Entry.event_id == event.id, Entry.status == "accepted").distinct()
        )
    } & {c.id for c in classes if c.method != "display"}
    seats = (
        await session.execute(
            select(Team.class_id, TeamMember.judge_id)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.event_id == event.id)
        )
    ).all()
    staffed = {class_id for class_id, _ in seats}
    on_teams = len({judge_id for _, judge_id in seats})
    has_system = await session.scalar(select(JudgingSystem.id).where(JudgingSystem.event_id == event.id)) is not None
    certified = sum(1 for c in classes if c.id in judged_with_cars and c.certified_at is not None)
    judges = sum(roster.values())
    unstaffed = len(judged_with_cars - staffed)
    accepted_judges = roster.get(ACCEPTED, 0)
    steps = [
        Step(
            gettext("Add the classes"),
            bool(classes),
            ngettext("%(num)s class", "%(num)s classes", len(classes))
            if classes
            else gettext("none yet: one at a time, a pasted list, or copied"),
            base + "#classes",
        ),
        Step(
            gettext("Choose the score sheet"),
            event.rubric_id is not None,
            gettext("chosen") if event.rubric_id else gettext("not yet"),
            base,
        ),
        Step(
            gettext("Choose the judging system"),
            has_system,
            gettext("chosen") if has_system else gettext("not yet"),
            base,
        ),
        Step(
            gettext("Open registration"),
            _reached(event, "registration_open"),
            pgettext("registration", "open")
            if event.status == "registration_open"
            else (gettext("done") if _reached(event, "registration_open") else gettext("not yet")),
            base + "#status",
        ),
        Step(
            gettext("Review applications"),
            bool(accepted) and not applied,
            gettext("%(accepted)s accepted, %(applied)s waiting", accepted=accepted, applied=applied)
            if accepted or applied
            else (
                gettext("by invitation only: invite the owners")
                if event.invitation_only
                else gettext("no application yet; or add a car yourself")
            ),
            base + ("/invitations" if event.invitation_only and not (accepted or applied) else "/entries"),
        ),
        Step(
            gettext("Number the cars"),
            bool(accepted) and numbered == accepted,
            gettext("%(numbered)s of %(accepted)s numbered", numbered=numbered, accepted=accepted)
            if accepted
            else gettext("no accepted car yet"),
            base + "/field",
        ),
        Step(
            gettext("Invite the judges"),
            judges > 0 or on_teams > 0,
            gettext(
                "%(accepted)s accepted, %(invited)s invited", accepted=accepted_judges, invited=judges - accepted_judges
            )
            if judges
            else (
                ngettext("%(num)s judge on teams", "%(num)s judges on teams", on_teams)
                if on_teams
                else gettext("none yet")
            ),
            base + "/judges",
        ),
        Step(
            gettext("Put judges on every class"),
            bool(judged_with_cars) and unstaffed == 0,
            (
                ngettext("%(num)s class without judges", "%(num)s classes without judges", unstaffed)
                if unstaffed
                else gettext("every class has judges")
            )
            if judged_with_cars
            else gettext("no class with cars yet"),
            base + "/assignment",
        ),
        Step(
            gettext("Open judging"),
            _reached(event, "judging"),
            pgettext("judging", "open") if _reached(event, "judging") else gettext("not yet"),
            base + "#status",
        ),
        Step(
            gettext("Certify every class"),
            bool(judged_with_cars) and certified == len(judged_with_cars),
            gettext("%(certified)s of %(total)s certified", certified=certified, total=len(judged_with_cars))
            if judged_with_cars
            else gettext("nothing to certify yet"),
            f"/chief/events/{event.id}",
        ),
        Step(
            gettext("Publish the results"),
            _reached(event, "published"),
            gettext("published") if _reached(event, "published") else gettext("not yet"),
            base + "#status",
        ),
    ]
    return Checklist(steps)
