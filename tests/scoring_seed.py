"""A show ready for scoring, built through the services (not the organizer's pages): an event in judging, one
class of cars, a team of judges, and signed-in sessions for each of them. Shared by the scoring, chief-judge
and offline browser tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entrant, Entry, Judge, JudgingSystem, User, Vehicle
from concours.services import accounts, events, teams
from concours.services.permissions import Viewer
from concours.settings import Settings

SESSION_COOKIE = "concours_session"


@dataclass
class Seeded:
    event_id: int
    class_id: int
    entries: list[int]
    judge_ids: list[int]
    judge_tokens: list[str]
    organizer_token: str
    judge_emails: list[str] = field(default_factory=list)


async def seed_scoring(
    session: AsyncSession,
    settings: Settings,
    *,
    judges: int = 3,
    cars: int = 2,
    preset: str = "class_placings",
    sheet_mode: str | None = None,
    prefix: str = "",
) -> Seeded:
    org = User(email=f"{prefix}chief@example.com", name="Charlotte Chief", is_organizer=True)
    session.add(org)
    await session.flush()
    viewer = Viewer(org.id, org.name, org.email, True, None, None)
    event = await events.create_event(
        session,
        viewer,
        name=f"{prefix}Lakeside Concours",
        venue="Lakeside Park",
        starts_on="2027-06-12",
        ends_on="2027-06-13",
        timezone="Europe/London",
    )
    if preset != "class_placings":
        await events.apply_presets(session, event, preset)
    if sheet_mode:
        system = await session.scalar(select(JudgingSystem).where(JudgingSystem.event_id == event.id))
        assert system is not None
        system.sheet_mode = sheet_mode
    viewer = Viewer(org.id, org.name, org.email, True, None, None, frozenset({event.id}), frozenset({event.id}))
    cls = await events.add_class(session, viewer, event, code="C", name="French Curves 1935-1939")
    entries = []
    for n in range(cars):
        owner = User(email=f"{prefix}owner{n}@example.com", name=f"Owner {n}")
        session.add(owner)
        await session.flush()
        entrant = Entrant(user_id=owner.id)
        session.add(entrant)
        await session.flush()
        vehicle = Vehicle(
            entrant_id=entrant.id,
            year=1937 + n,
            make="Talbot-Lago",
            model=f"T150-C SS {n}",
            history="Delivered new in Paris; restored 2019.",
        )
        session.add(vehicle)
        await session.flush()
        entry = Entry(
            event_id=event.id,
            vehicle_id=vehicle.id,
            entrant_id=entrant.id,
            class_id=cls.id,
            status="accepted",
            car_number=10 + n,
        )
        session.add(entry)
        await session.flush()
        entries.append(entry.id)
    judge_ids, tokens, emails = [], [], []
    for j in range(judges):
        email = f"{prefix}judge{j}@example.com"
        judge = await teams.add_judge_to_class(
            session, settings, viewer, cls, name=f"Judge {j}", email=email, captain=j == 0
        )
        judge_ids.append(judge.id)
        emails.append(email)
        user_id = await session.scalar(select(Judge.user_id).where(Judge.id == judge.id))
        assert user_id is not None
        tokens.append(await accounts.start_session(session, settings, user_id, "seed"))
    event.status = "judging"
    org_token = await accounts.start_session(session, settings, org.id, "seed")
    await session.flush()
    return Seeded(event.id, cls.id, entries, judge_ids, tokens, org_token, emails)
