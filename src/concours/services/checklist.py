"""The organizer's checklist for an event: each step from set-up to published results, done or not, and what next.

One pass of aggregate queries whatever the show's size; shown at the top of the event's set-up page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassSystem, Entry, Event, EventClass, EventStaff, JudgingSystem, Team, TeamMember
from concours.domain.states import EVENT_STATUSES
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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else ('es' if word.endswith('s') else 's')}"


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
    steps = [
        Step(
            "Add the classes",
            bool(classes),
            _plural(len(classes), "class") if classes else "none yet: one at a time, a pasted list, or copied",
            base + "#classes",
        ),
        Step("Choose the score sheet", event.rubric_id is not None, "chosen" if event.rubric_id else "not yet", base),
        Step("Choose the judging system", has_system, "chosen" if has_system else "not yet", base),
        Step(
            "Open registration",
            _reached(event, "registration_open"),
            "open"
            if event.status == "registration_open"
            else ("done" if _reached(event, "registration_open") else "not yet"),
            base + "#status",
        ),
        Step(
            "Review applications",
            bool(accepted) and not applied,
            f"{accepted} accepted, {applied} waiting"
            if accepted or applied
            else (
                "by invitation only: invite the owners"
                if event.invitation_only
                else "no application yet; or add a car yourself"
            ),
            base + ("/invitations" if event.invitation_only and not (accepted or applied) else "/entries"),
        ),
        Step(
            "Number the cars",
            bool(accepted) and numbered == accepted,
            f"{numbered} of {accepted} numbered" if accepted else "no accepted car yet",
            base + "/field",
        ),
        Step(
            "Invite the judges",
            judges > 0 or on_teams > 0,
            f"{roster.get(ACCEPTED, 0)} accepted, {judges - roster.get(ACCEPTED, 0)} invited"
            if judges
            else (_plural(on_teams, "judge") + " on teams" if on_teams else "none yet"),
            base + "/judges",
        ),
        Step(
            "Put judges on every class",
            bool(judged_with_cars) and unstaffed == 0,
            (_plural(unstaffed, "class") + " without judges" if unstaffed else "every class has judges")
            if judged_with_cars
            else "no class with cars yet",
            base + "/assignment",
        ),
        Step(
            "Open judging",
            _reached(event, "judging"),
            "open" if _reached(event, "judging") else "not yet",
            base + "#status",
        ),
        Step(
            "Certify every class",
            bool(judged_with_cars) and certified == len(judged_with_cars),
            f"{certified} of {len(judged_with_cars)} certified" if judged_with_cars else "nothing to certify yet",
            f"/chief/events/{event.id}",
        ),
        Step(
            "Publish the results",
            _reached(event, "published"),
            "published" if _reached(event, "published") else "not yet",
            base + "#status",
        ),
    ]
    return Checklist(steps)
