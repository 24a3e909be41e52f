"""A show whose conflicts the app can see (issue 14): the same surname as a car's owner, and judges who judged the
same car (by vehicle or by chassis number) at earlier events of the app, one of them too long ago to count. Used by
the conflict-state tests and their browser twin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry, Event, EventClass, Team, TeamMember, User, Vehicle
from concours.settings import Settings
from tests.conftest import run_db
from tests.scenes import Seeded, owned_car, seed_scoring


@dataclass
class World:
    show: Seeded
    earlier_ids: list[int]


async def _earlier_event(
    session: AsyncSession, name: str, starts_on: date, cars: list[Vehicle], judges: list[int]
) -> int:
    """An earlier event of the app where ``judges`` sat on the team of the class these ``cars`` were entered in."""
    event = Event(
        name=name, slug=name.lower().replace(" ", "-"), venue="Old Park", starts_on=starts_on, ends_on=starts_on
    )
    session.add(event)
    await session.flush()
    cls = EventClass(event_id=event.id, code="A", name="Earlier class", position=1)
    session.add(cls)
    await session.flush()
    for n, car in enumerate(cars):
        session.add(
            Entry(
                event_id=event.id,
                vehicle_id=car.id,
                entrant_id=car.entrant_id,
                class_id=cls.id,
                status="accepted",
                car_number=n + 1,
            )
        )
    team = Team(event_id=event.id, class_id=cls.id)
    session.add(team)
    await session.flush()
    session.add_all(TeamMember(team_id=team.id, judge_id=j) for j in judges)
    await session.flush()
    return event.id


def build(db_url: str, settings: Settings) -> World:
    """The Lakeside show (June 2027, class C: car 0 of Margaret Delacroix, car 1 of Owner 1; judges 0, 1, 2) and:
    judge 1 is Paul Delacroix; judge 2 judged car 1 itself at the 2024 Spring Show; judge 0 judged a car with car
    0's chassis number (another vehicle record) at the 2023 Autumn Show; judge 1 judged car 1 in 2019 (too long
    ago to count)."""

    async def go(session: AsyncSession) -> World:
        show = await seed_scoring(session, settings, judges=3, cars=2)
        entries = (await session.scalars(select(Entry).where(Entry.id.in_(show.entries)).order_by(Entry.id))).all()
        car0 = await session.get(Vehicle, entries[0].vehicle_id)
        car1 = await session.get(Vehicle, entries[1].vehicle_id)
        assert car0 is not None and car1 is not None
        car0.chassis_number = "90034 TL"
        owner0 = await session.scalar(select(User).where(User.email == "owner0@example.com"))
        judge1 = await session.scalar(select(User).where(User.email == "judge1@example.com"))
        assert owner0 is not None and judge1 is not None
        owner0.name, judge1.name = "Margaret Delacroix", "Paul Delacroix"
        _, twin = await owned_car(
            session,
            email="twin@example.com",
            name="Earlier Owner",
            year=1937,
            make="Talbot-Lago",
            model="T150",
            chassis_number="90034tl",
        )
        ids = [
            await _earlier_event(session, "Spring Show 2024", date(2024, 5, 4), [car1], [show.judge_ids[2]]),
            await _earlier_event(session, "Autumn Show 2023", date(2023, 9, 9), [twin], [show.judge_ids[0]]),
            await _earlier_event(session, "Old Show 2019", date(2019, 6, 1), [car1], [show.judge_ids[1]]),
        ]
        return World(show, ids)

    return run_db(db_url, go)
