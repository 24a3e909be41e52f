"""Judges on class teams, and who owns which sections of the sheet in section judging."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import (
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    Team,
    TeamMember,
    Vehicle,
)
from concours.i18n import gettext
from concours.services import accounts, audit
from concours.services.errors import FormErrors, ServiceError
from concours.services.events import load_rubric
from concours.services.permissions import Viewer
from concours.settings import Settings


async def add_judge_to_class(
    session: AsyncSession,
    settings: Settings,
    viewer: Viewer,
    cls: EventClass,
    *,
    name: str,
    email: str,
    captain: bool = False,
) -> Judge:
    errors: dict[str, str] = {}
    if not name.strip() or len(name.strip()) > 200:
        errors["name"] = gettext("Enter the judge's name (at most 200 characters).")
    if "@" not in email or len(email) > 254:
        errors["email"] = gettext("Enter the judge's e-mail address; the sign-in link goes there.")
    if errors:
        raise FormErrors(errors)
    user = await accounts.get_or_create_user(session, email, name)
    judge = await session.scalar(select(Judge).where(Judge.user_id == user.id))
    if judge is None:
        judge = Judge(user_id=user.id)
        session.add(judge)
        await session.flush()
    # Automatic conflict: a judge with a car in this class never judges it.
    own = await session.scalar(
        select(Vehicle.make)
        .select_from(Entry)
        .join(Entrant, Entrant.id == Entry.entrant_id)
        .join(Vehicle, Vehicle.id == Entry.vehicle_id)
        .where(Entrant.user_id == user.id, Entry.class_id == cls.id, Entry.status != "withdrawn")
        .limit(1)
    )
    if own is not None:
        raise FormErrors(
            {
                "email": gettext(
                    "%(name)s has a car entered in class %(code)s and cannot judge it.", name=user.name, code=cls.code
                )
            }
        )
    team = await session.scalar(select(Team).where(Team.class_id == cls.id))
    if team is None:
        team = Team(event_id=cls.event_id, class_id=cls.id, name=f"Class {cls.code}")
        session.add(team)
        await session.flush()
    exists = await session.scalar(
        select(TeamMember.id).where(TeamMember.team_id == team.id, TeamMember.judge_id == judge.id)
    )
    if exists:
        raise FormErrors(
            {"email": gettext("%(name)s is already on the class %(code)s team.", name=user.name, code=cls.code)}
        )
    session.add(TeamMember(team_id=team.id, judge_id=judge.id, is_captain=captain))
    audit.record(
        session,
        entity_type="team",
        entity_id=team.id,
        action="add_judge",
        user_id=viewer.user_id,
        event_id=cls.event_id,
        after={"judge_id": judge.id, "captain": captain},
    )
    event = await session.get(Event, cls.event_id)
    assert event is not None
    await accounts.send_login_link(
        session,
        settings,
        user,
        next_url="/judging/",
        event_id=cls.event_id,
        intro=lambda: gettext(
            "You are judging class %(code)s, %(name)s, at %(event)s.", code=cls.code, name=cls.name, event=event.name
        ),
        minutes=accounts.link_minutes_for_event(settings, event),
    )
    return judge


async def _team_and_sections(session: AsyncSession, cls: EventClass) -> tuple[Team, list[TeamMember], list[str]]:
    team = await session.scalar(select(Team).options(selectinload(Team.members)).where(Team.class_id == cls.id))
    if team is None or not team.members:
        raise ServiceError(gettext("Class %(code)s has no judges yet.", code=cls.code))
    event = await session.get(Event, cls.event_id)
    assert event is not None
    rubric = await load_rubric(session, cls.rubric_id or event.rubric_id or 0)
    sections = list(dict.fromkeys(c.section for c in sorted(rubric.categories, key=lambda c: c.position) if c.section))
    if not sections:
        raise ServiceError(gettext("This score sheet has no sections: choose a section-judging system first."))
    return team, sorted(team.members, key=lambda m: (not m.is_captain, m.id)), sections


async def share_sections(session: AsyncSession, viewer: Viewer, cls: EventClass) -> None:
    """Give each section of the sheet to one team member, spread as evenly as the team allows."""
    team, members, sections = await _team_and_sections(session, cls)
    before = {m.judge_id: list(m.sections or []) for m in members}
    owned: dict[int, list[str]] = {m.id: [] for m in members}
    # Every section gets a judge and every judge a section: with more judges than sections, sections are
    # doubled up (their sheets are averaged), as clubs with two judges per area do.
    for i in range(max(len(sections), len(members))):
        owned[members[i % len(members)].id].append(sections[i % len(sections)])
    for m in members:
        m.sections = [s for s in sections if s in owned[m.id]]
    audit.record_change(
        session,
        entity_type="team",
        entity_id=team.id,
        action="sections",
        user_id=viewer.user_id,
        event_id=cls.event_id,
        before={"sections": before},
        after={"sections": {m.judge_id: m.sections for m in members}},
    )


async def set_sections(
    session: AsyncSession, viewer: Viewer, cls: EventClass, assignment: dict[int, list[str]]
) -> None:
    """Set which sections each member owns (judge id → sections); every section needs at least one owner
    (two judges on one area have their sheets averaged)."""
    team, members, sections = await _team_and_sections(session, cls)
    owners: dict[str, list[int]] = {s: [] for s in sections}
    on_team = {m.judge_id for m in members}
    for judge_id, owned in assignment.items():
        if judge_id not in on_team:
            raise ServiceError(gettext("Sections go only to judges of this class's team."))
        for s in owned:
            if s not in owners:
                raise ServiceError(gettext("“%(section)s” is not a section of this sheet.", section=s))
            owners[s].append(judge_id)
    missing = [s for s, o in owners.items() if not o]
    if missing:
        raise ServiceError(
            gettext("Every section needs a judge; nobody owns %(sections)s.", sections=", ".join(missing))
        )
    before = {m.judge_id: list(m.sections or []) for m in members}
    for m in members:
        m.sections = [s for s in sections if s in assignment.get(m.judge_id, [])]
    audit.record_change(
        session,
        entity_type="team",
        entity_id=team.id,
        action="sections",
        user_id=viewer.user_id,
        event_id=cls.event_id,
        before={"sections": before},
        after={"sections": {m.judge_id: m.sections for m in members}},
    )


TEAM_LIMIT = 12  # judges on one class's team, at most (a large class splits into two classes before that)


def parse_team_size(minimum: str, maximum: str, field: str) -> tuple[int, int]:
    """``"2", "4"`` → ``(2, 4)``: the fewest and most judges a class's team may have, or :class:`FormErrors`
    under ``field`` saying what is wrong."""
    low, high = minimum.strip(), maximum.strip()
    if not (low.isdecimal() and high.isdecimal() and len(low) <= 3 and len(high) <= 3):
        raise FormErrors({field: gettext("Give the team size as two whole numbers of judges, for example 2 and 4.")})
    lo, hi = int(low), int(high)
    if lo < 1:
        raise FormErrors({field: gettext("A team needs at least one judge.")})
    if hi > TEAM_LIMIT:
        raise FormErrors(
            {field: gettext("A team has at most %(n)s judges; split a class that needs more.", n=TEAM_LIMIT)}
        )
    if lo > hi:
        raise FormErrors(
            {field: gettext("The fewest judges (%(least)s) is more than the most (%(most)s).", least=lo, most=hi)}
        )
    return lo, hi


async def set_team_size(session: AsyncSession, viewer: Viewer, cls: EventClass, minimum: str, maximum: str) -> None:
    """How many judges the class's team needs (the assignment board and its automatic plan follow it)."""
    field = f"team-{cls.id}"
    lo, hi = parse_team_size(minimum, maximum, field)
    if cls.certified_at is not None:
        raise FormErrors({field: gettext("Class %(code)s is certified: its team is settled.", code=cls.code)})
    before = {"team_min": cls.team_min, "team_max": cls.team_max}
    cls.team_min, cls.team_max = lo, hi
    audit.record_change(
        session,
        entity_type="event_class",
        entity_id=cls.id,
        action="team_size",
        user_id=viewer.user_id,
        event_id=cls.event_id,
        before=before,
        after={"team_min": lo, "team_max": hi},
    )
