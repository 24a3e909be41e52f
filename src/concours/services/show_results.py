"""The show's results as the printed documents and the run sheet need them: every certified class with its placed
cars (as certification froze them), the decided special awards Best of Show first, and the winners' photos.

One place loads them (a fixed number of queries, whatever the size of the show); the results book, the award
placards and the ceremony's run sheet build their views from what these functions return."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    ClassResult,
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    Team,
    TeamMember,
    User,
    Vehicle,
    VehiclePhoto,
)
from concours.domain.ceremony import is_best_of_show
from concours.services import photos
from concours.services.awards import DecidedAward, decided_awards
from concours.settings import Settings


@dataclass(frozen=True)
class PlacedCar:
    """One car's line in a certified class, as certification froze it (its explanation), the car's own data
    where the explanation lacks them. ``owner`` is empty where the owner does not allow their name."""

    entry_id: int
    vehicle_id: int
    rank: int | None
    award: str  # "" for a car without an award
    car_number: int | None
    title: str
    coachbuilder: str
    owner: str
    score: str
    note: str  # why the car could not be placed, if so


@dataclass(frozen=True)
class CertifiedClass:
    id: int
    code: str
    name: str
    position: int
    cars: list[PlacedCar] = field(default_factory=list)  # ranked first, by rank, then the rest by car number

    @property
    def winners(self) -> list[PlacedCar]:
        """The cars with an award, first place first."""
        return [c for c in self.cars if c.award]


async def certified_classes(session: AsyncSession, event: Event) -> list[CertifiedClass]:
    """Every certified class of the event in class order, each with its cars (two queries)."""
    classes = (
        await session.scalars(
            select(EventClass)
            .where(EventClass.event_id == event.id, EventClass.certified_at.is_not(None))
            .order_by(EventClass.position, EventClass.code)
        )
    ).all()
    if not classes:
        return []
    rows = (
        await session.execute(
            select(
                ClassResult,
                Entry.vehicle_id,
                Entry.car_number,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                Vehicle.coachbuilder,
                User.name,
                Entrant.publish_name,
            )
            .join(Entry, Entry.id == ClassResult.entry_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(ClassResult.class_id.in_([c.id for c in classes]))
            .order_by(ClassResult.rank.is_(None), ClassResult.rank, Entry.car_number)
        )
    ).all()
    out = {c.id: CertifiedClass(c.id, c.code, c.name, c.position) for c in classes}
    for res, vehicle_id, number, year, make, model, coach, owner, public in rows:
        ex = res.explanation
        out[res.class_id].cars.append(
            PlacedCar(
                entry_id=res.entry_id,
                vehicle_id=vehicle_id,
                rank=res.rank,
                award=res.award,
                car_number=ex.get("car_number", number),
                title=ex.get("title", f"{year} {make} {model}"),
                coachbuilder=ex.get("coachbuilder", coach),
                owner=ex.get("owner", owner) if public else "",
                score=str(ex.get("score", "")),
                note=ex.get("ineligible", ""),
            )
        )
    return list(out.values())


async def judging_teams(session: AsyncSession, class_ids: Iterable[int]) -> dict[int, list[str]]:
    """The judges of each class's team by name, the captain first (one query): what the public documents show when
    the organizer publishes the judges' names (``Event.publish_judges``)."""
    ids = list(class_ids)
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    for class_id, name in (
        await session.execute(
            select(Team.class_id, User.name)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .join(Judge, Judge.id == TeamMember.judge_id)
            .join(User, User.id == Judge.user_id)
            .where(Team.class_id.in_(ids))
            .order_by(Team.class_id, TeamMember.is_captain.desc(), User.name)
        )
    ).all():
        out.setdefault(class_id, []).append(name)
    return out


def best_of_show_first(awards: Iterable[DecidedAward]) -> list[DecidedAward]:
    """Special awards as the printed documents list them: Best of Show first, then the ceremony order."""
    listed = list(awards)
    return [a for a in listed if is_best_of_show(a.name)] + [a for a in listed if not is_best_of_show(a.name)]


async def special_awards(session: AsyncSession, event: Event) -> list[DecidedAward]:
    """The decided special awards, Best of Show first (two queries)."""
    return best_of_show_first(await decided_awards(session, event))


async def first_photos(session: AsyncSession, settings: Settings, vehicle_ids: Iterable[int]) -> dict[int, Path]:
    """Each car's first photo (its file), for the cars that have one (one query)."""
    wanted = set(vehicle_ids)
    if not wanted:
        return {}
    out: dict[int, Path] = {}
    for photo in (
        await session.scalars(
            select(VehiclePhoto)
            .where(VehiclePhoto.vehicle_id.in_(wanted))
            .order_by(VehiclePhoto.vehicle_id, VehiclePhoto.position, VehiclePhoto.id)
        )
    ).all():
        out.setdefault(photo.vehicle_id, photos.photo_path(settings, photo, thumb=False))
    return out


@dataclass(frozen=True)
class FieldCar:
    """An accepted, numbered car on the field, for its windshield placard."""

    car_number: int
    title: str
    coachbuilder: str
    class_code: str  # "" for a car not in a class yet
    class_name: str
    owner: str  # "" where the owner does not allow their name
    vehicle_id: int | None = None


async def numbered_cars(session: AsyncSession, event: Event) -> list[FieldCar]:
    """Every accepted car with a number, class by class in class order, then by car number (one query)."""
    rows = (
        await session.execute(
            select(
                Entry.car_number,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                Vehicle.coachbuilder,
                EventClass.code,
                EventClass.name,
                User.name,
                Entrant.publish_name,
                Vehicle.id,
            )
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .outerjoin(EventClass, EventClass.id == Entry.class_id)
            .where(Entry.event_id == event.id, Entry.status == "accepted", Entry.car_number.is_not(None))
            .order_by(EventClass.id.is_(None), EventClass.position, EventClass.code, Entry.car_number)
        )
    ).all()
    return [
        FieldCar(number, f"{year} {make} {model}", coach, code or "", class_name or "", owner if public else "", vid)
        for number, year, make, model, coach, code, class_name, owner, public, vid in rows
    ]
