"""The public page of a car at an event: what the windshield placard's QR code opens. Before publication it
shows the car, its class and only the awards already presented on the ramp; after publication, its class
result and special awards."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    CeremonyLine,
    ClassResult,
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    ScoreSheet,
    User,
    Vehicle,
    VehiclePhoto,
)
from concours.domain.states import results_public
from concours.i18n import gettext
from concours.reports.certified import certified_text
from concours.services import audit
from concours.services.awards import awards_for_entries
from concours.services.entries import vehicle_form
from concours.services.errors import NotFound
from concours.services.permissions import Viewer


@dataclass(frozen=True)
class CarAward:
    award: str
    chosen_by: str = ""
    score: str = ""


@dataclass
class PublicCar:
    event_name: str
    event_slug: str
    car_number: int
    title: str
    body_style: str
    coachbuilder: str
    colour: str
    history: str
    class_code: str
    class_name: str
    owner: str
    photo_count: int
    awards: list[CarAward] = field(default_factory=list)
    results_published: bool = False
    # The judges' overall comments (judge's name or "", comment), where the event publishes them.
    comments: list[tuple[str, str]] = field(default_factory=list)


def car_visible(event: Event) -> bool:
    """Cars have public pages once the event is public (placards are printed before the show)."""
    return event.status != "draft"


async def public_entry(session: AsyncSession, event: Event, number: int) -> Entry:
    """The accepted car with this number, or 404 for anything else (an applicant's car is not public)."""
    if not car_visible(event):
        raise NotFound("There is no such event.")
    entry = await session.scalar(
        select(Entry).where(Entry.event_id == event.id, Entry.car_number == number, Entry.status == "accepted")
    )
    if entry is None:
        raise NotFound(f"There is no car number {number} at this event.")
    return entry


async def public_photos(session: AsyncSession, entry: Entry) -> list[VehiclePhoto]:
    return list(
        (
            await session.scalars(
                select(VehiclePhoto)
                .where(VehiclePhoto.vehicle_id == entry.vehicle_id)
                .order_by(VehiclePhoto.position, VehiclePhoto.id)
            )
        ).all()
    )


def _awards_only(event: Event) -> bool:
    return not event.publish_scores


async def public_car(session: AsyncSession, event: Event, number: int) -> PublicCar:
    entry = await public_entry(session, event, number)
    row = (
        await session.execute(
            select(Vehicle, User.name, Entrant.publish_name, EventClass)
            .select_from(Entry)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .outerjoin(EventClass, EventClass.id == Entry.class_id)
            .where(Entry.id == entry.id)
        )
    ).one()
    vehicle, owner, publish_name, cls = row
    photos = await public_photos(session, entry)
    car = PublicCar(
        event_name=event.name,
        event_slug=event.slug,
        car_number=number,
        title=vehicle.title,
        body_style=vehicle.body_style,
        coachbuilder=vehicle.coachbuilder,
        colour=vehicle.colour,
        history=vehicle.history,
        class_code=cls.code if cls else "",
        class_name=cls.name if cls else "",
        owner=owner if publish_name else "",
        photo_count=len(photos),
        results_published=results_public(event.status),
    )
    if car.results_published:
        result = await session.scalar(
            select(ClassResult)
            .join(EventClass, EventClass.id == ClassResult.class_id)
            .where(ClassResult.entry_id == entry.id, EventClass.certified_at.is_not(None))
        )
        if result is not None and result.award and cls is not None:
            score = "" if _awards_only(event) else str(result.explanation.get("score", ""))
            car.awards.append(
                CarAward(
                    gettext("Class %(code)s: %(award)s", code=cls.code, award=certified_text(result.award)), "", score
                )
            )
        for award in (await awards_for_entries(session, event, [entry.id])).get(entry.id, []):
            car.awards.append(CarAward(award.name, award.how))
        if result is not None and event.publish_comments:
            car.comments = await public_comments(session, event, entry)
    else:
        for line in (
            await session.scalars(
                select(CeremonyLine)
                .where(CeremonyLine.entry_id == entry.id, CeremonyLine.presented_at.is_not(None))
                .order_by(CeremonyLine.presented_at)
            )
        ).all():
            car.awards.append(CarAward(line.award, line.chosen_by))
    return car


async def public_comments(session: AsyncSession, event: Event, entry: Entry) -> list[tuple[str, str]]:
    """The overall comments of the car's submitted sheets (never a calibration sheet), each with its judge's name
    where the event publishes the judges' names (one query). The caller checks the event publishes comments."""
    rows = (
        await session.execute(
            select(User.name, ScoreSheet.overall_comment)
            .select_from(ScoreSheet)
            .outerjoin(Judge, Judge.id == ScoreSheet.judge_id)
            .outerjoin(User, User.id == Judge.user_id)
            .where(
                ScoreSheet.entry_id == entry.id,
                ScoreSheet.status == "submitted",
                ScoreSheet.calibration.is_(False),
                ScoreSheet.overall_comment != "",
            )
            .order_by(ScoreSheet.section, ScoreSheet.id)
        )
    ).all()
    return [((name or "") if event.publish_judges else "", comment) for name, comment in rows]


async def entrant_of(session: AsyncSession, viewer: Viewer) -> Entrant:
    entrant = await session.get(Entrant, viewer.entrant_id) if viewer.entrant_id is not None else None
    if entrant is None:
        raise NotFound("This page is for entrants: you have no entries.")
    return entrant


async def set_publish_name(session: AsyncSession, viewer: Viewer, public: bool) -> Entrant:
    """Whether the entrant's name may be shown in public; recorded in the audit log."""
    entrant = await entrant_of(session, viewer)
    if entrant.publish_name != public:
        audit.record(
            session,
            entity_type="entrant",
            entity_id=entrant.id,
            action="publish_name",
            user_id=viewer.user_id,
            event_id=None,
            before={"publish_name": entrant.publish_name},
            after={"publish_name": public},
        )
        entrant.publish_name = public
    return entrant


async def personal_data(session: AsyncSession, viewer: Viewer) -> dict[str, Any]:
    """Everything the app keeps about an entrant as a person, for them to download: their account, contact details
    (with the optional street address and postcode), the publication choice, their cars and their applications with
    the conflicts of interest they declared. Three queries."""
    entrant = await entrant_of(session, viewer)
    user = await session.get(User, entrant.user_id)
    assert user is not None
    vehicles = (
        await session.scalars(select(Vehicle).where(Vehicle.entrant_id == entrant.id).order_by(Vehicle.id))
    ).all()
    applications = (
        await session.execute(
            select(Entry, Event.name)
            .join(Event, Event.id == Entry.event_id)
            .where(Entry.entrant_id == entrant.id)
            .order_by(Entry.id)
        )
    ).all()
    return {
        "account": {"name": user.name, "email": user.email},
        "contact": {
            "phone": entrant.phone,
            "address": entrant.address,
            "postcode": entrant.postcode,
            "city": entrant.city,
            "country": entrant.country,
        },
        "publish_name": entrant.publish_name,
        "cars": [
            {"id": v.id, **vehicle_form(v), "year": v.year}  # the year stays a number
            for v in vehicles
        ],
        "applications": [
            {
                "event": event_name,
                "car_id": entry.vehicle_id,
                "status": entry.status,
                "car_number": entry.car_number,
                "declared_conflicts": [
                    {"name": d.get("name", ""), "type": d.get("type", ""), "note": d.get("note", "")}
                    for d in entry.declared_conflicts or []
                    if isinstance(d, dict)
                ],
            }
            for entry, event_name in applications
        ],
    }
