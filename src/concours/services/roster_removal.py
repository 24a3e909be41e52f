"""Removing a judge from an event's roster, part way through judging if need be.

Their submitted sheets stay and still count; their open work (assignments without a submitted sheet,
and draft sheets, whose values are kept in the audit log) goes back to the assignment board; their seat on
a class team and their invitation end. The chief judge is not removed this way: name another first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Assignment,
    Entry,
    Event,
    EventClass,
    EventStaff,
    Judge,
    ScoreLine,
    ScoreSheet,
    Team,
    TeamMember,
    User,
)
from concours.services import audit
from concours.services.errors import ServiceError
from concours.services.permissions import ROSTER_ROLES, Viewer


@dataclass
class RemovalPlan:
    """What removing the judge does, shown on the confirmation page before anything changes."""

    judge_id: int
    name: str
    email: str
    team_class: str = ""  # "C" when the judge sits on the class C team
    is_captain: bool = False
    submitted: list[str] = field(default_factory=list)  # car labels whose sheets stay and count
    drafts: list[str] = field(default_factory=list)  # car labels whose draft sheets are set aside
    open_assignments: list[str] = field(default_factory=list)  # car labels going back to the board
    is_chief_judge: bool = False


def _car(number: int | None, entry_id: int) -> str:
    return f"car {number}" if number is not None else f"entry {entry_id}"


async def _sheets(session: AsyncSession, event: Event, judge_id: int) -> list[tuple[ScoreSheet, int | None]]:
    rows = await session.execute(
        select(ScoreSheet, Entry.car_number)
        .join(Entry, Entry.id == ScoreSheet.entry_id)
        .where(Entry.event_id == event.id, ScoreSheet.judge_id == judge_id)
        .order_by(Entry.car_number, ScoreSheet.id)
    )
    return [(sheet, number) for sheet, number in rows.all()]


async def plan_removal(session: AsyncSession, event: Event, judge: Judge) -> RemovalPlan:
    user = await session.get(User, judge.user_id)
    assert user is not None
    plan = RemovalPlan(judge.id, user.name, user.email)
    seat = (
        await session.execute(
            select(EventClass.code, TeamMember.is_captain)
            .join(Team, Team.class_id == EventClass.id)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.event_id == event.id, TeamMember.judge_id == judge.id)
        )
    ).first()
    if seat is not None:
        plan.team_class, plan.is_captain = seat.code, bool(seat.is_captain)
    submitted_entries: set[int] = set()
    for sheet, number in await _sheets(session, event, judge.id):
        label = _car(number, sheet.entry_id) + (f" ({sheet.section})" if sheet.section else "")
        label += " (calibration car)" if sheet.calibration else ""
        if sheet.status == "submitted":
            if not sheet.calibration:  # a calibration sheet does not judge the car: its assignment stays open
                submitted_entries.add(sheet.entry_id)
            plan.submitted.append(label)
        else:
            plan.drafts.append(label)
    for entry_id, number in await session.execute(
        select(Assignment.entry_id, Entry.car_number)
        .join(Entry, Entry.id == Assignment.entry_id)
        .where(Assignment.event_id == event.id, Assignment.judge_id == judge.id)
        .order_by(Entry.car_number)
    ):
        if entry_id not in submitted_entries:
            plan.open_assignments.append(_car(number, entry_id))
    plan.is_chief_judge = (
        await session.scalar(
            select(EventStaff.id).where(
                EventStaff.event_id == event.id, EventStaff.user_id == judge.user_id, EventStaff.role == "chief_judge"
            )
        )
        is not None
    )
    return plan


async def remove_from_roster(
    session: AsyncSession, viewer: Viewer, event: Event, judge: Judge, device: str = ""
) -> RemovalPlan:
    """Take the judge off the event (the caller has loaded both through the organizer's checks).

    Steps: refuse the chief judge; lock the judge's sheets of this event; delete their draft sheets
    (values kept in the audit entry) and the assignments without a submitted sheet; leave the class
    team; end the invitation; audit one entry with what was undone and what stays."""
    plan = await plan_removal(session, event, judge)
    if plan.is_chief_judge:
        raise ServiceError(f"{plan.name} is the chief judge of this event: name another chief judge first.")
    sheets = await _sheets(session, event, judge.id)
    drafts = [sheet for sheet, _ in sheets if sheet.status != "submitted"]
    submitted_entries = {sheet.entry_id for sheet, _ in sheets if sheet.status == "submitted" and not sheet.calibration}
    draft_record: list[dict[str, Any]] = []
    if drafts:
        lines: dict[int, dict[str, Any]] = {}
        for line in await session.scalars(select(ScoreLine).where(ScoreLine.sheet_id.in_([s.id for s in drafts]))):
            lines.setdefault(line.sheet_id, {})[str(line.category_id)] = {"value": line.value_units, "note": line.note}
        for sheet in drafts:
            draft_record.append(
                {
                    "sheet_id": sheet.id,
                    "entry_id": sheet.entry_id,
                    "section": sheet.section,
                    "version": sheet.version,
                    "comment": sheet.overall_comment,
                    "lines": lines.get(sheet.id, {}),
                }
            )
        await session.execute(delete(ScoreSheet).where(ScoreSheet.id.in_([s.id for s in drafts])))
    open_filter = [Assignment.event_id == event.id, Assignment.judge_id == judge.id]
    if submitted_entries:
        open_filter.append(Assignment.entry_id.not_in(submitted_entries))
    await session.execute(delete(Assignment).where(*open_filter))
    team_ids = select(Team.id).where(Team.event_id == event.id).scalar_subquery()
    await session.execute(delete(TeamMember).where(TeamMember.judge_id == judge.id, TeamMember.team_id.in_(team_ids)))
    await session.execute(
        delete(EventStaff).where(
            EventStaff.event_id == event.id, EventStaff.user_id == judge.user_id, EventStaff.role.in_(ROSTER_ROLES)
        )
    )
    audit.record(
        session,
        entity_type="judge",
        entity_id=judge.id,
        action="remove_from_roster",
        user_id=viewer.user_id,
        event_id=event.id,
        before={
            "name": plan.name,
            "email": plan.email,
            "team_class": plan.team_class,
            "captain": plan.is_captain,
            "open_assignments": plan.open_assignments,
            "draft_sheets": draft_record,
        },
        after={"submitted_sheets_kept": plan.submitted},
        device=device,
    )
    await session.flush()
    return plan
