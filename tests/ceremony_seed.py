"""A show at the end of judging, for the ceremony and print tests: an event with certified classes (their frozen
results written as certification writes them), placed cars with photos and stories, two special awards, and a
signed-in organizer. Built through the services where they exist; the frozen results are written directly."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassResult, Entrant, Entry, SpecialAward, User, Vehicle, utcnow
from concours.services import accounts, events, photos
from concours.services.permissions import Viewer
from concours.settings import Settings

MAKES = [
    ("Talbot-Lago", "T150-C SS", "Figoni et Falaschi"),
    ("Delahaye", "135M", "Chapron"),
    ("Bugatti", "Type 57C Atalante", "Gangloff"),
    ("Alfa Romeo", "8C 2900B", "Touring"),
    ("Jaguar", "XK120 Roadster", ""),
]
PLACES = {1: "1st in class", 2: "2nd in class", 3: "3rd in class"}


@dataclass
class Show:
    event_id: int
    slug: str
    organizer_token: str
    class_ids: list[int]
    entries: dict[int, int] = field(default_factory=dict)  # car number -> entry id
    award_ids: list[int] = field(default_factory=list)
    unplaced: list[int] = field(default_factory=list)  # car numbers without an award


def jpeg(colour: tuple[int, int, int] = (120, 20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


async def seed_show(
    session: AsyncSession,
    settings: Settings,
    *,
    classes: int = 2,
    cars: int = 4,
    status: str = "results_certified",
    private_owner: int | None = None,
    prefix: str = "",
) -> Show:
    """``classes`` certified classes of ``cars`` cars each (three placed, the rest not), a sponsor's award and
    Best of Show. Car numbers are 100 * class + n. ``private_owner`` names a car whose owner is not named."""
    org = User(email=f"{prefix}org@example.com", name="Olivia Organizer", is_organizer=True)
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
    viewer = Viewer(org.id, org.name, org.email, True, None, None, frozenset({event.id}), frozenset({event.id}))
    show = Show(event.id, event.slug, "", [])
    for c in range(1, classes + 1):
        cls = await events.add_class(session, viewer, event, code=chr(64 + c), name=f"Class name {chr(64 + c)}")
        show.class_ids.append(cls.id)
        for n in range(1, cars + 1):
            number = 100 * c + n
            make, model, coach = MAKES[(c + n) % len(MAKES)]
            owner = User(email=f"{prefix}owner{number}@example.com", name=f"Owner {number}")
            session.add(owner)
            await session.flush()
            entrant = Entrant(user_id=owner.id, publish_name=number != private_owner)
            session.add(entrant)
            await session.flush()
            vehicle = Vehicle(
                entrant_id=entrant.id,
                year=1930 + n,
                make=make,
                model=f"{model} {number}",
                coachbuilder=coach,
                history=f"Car {number} was delivered new in Paris. It raced at Le Mans in 1938. Restored in 2019.",
            )
            session.add(vehicle)
            await session.flush()
            if n <= 2:
                await photos.store(session, settings, vehicle.id, [photos.process(jpeg((20 * n, 40, 90)))])
            entry = Entry(
                event_id=event.id,
                vehicle_id=vehicle.id,
                entrant_id=entrant.id,
                class_id=cls.id,
                status="accepted",
                car_number=number,
            )
            session.add(entry)
            await session.flush()
            show.entries[number] = entry.id
            placed = n <= 3
            if not placed:
                show.unplaced.append(number)
            session.add(
                ClassResult(
                    class_id=cls.id,
                    entry_id=entry.id,
                    rank=n,
                    score_units=1000 - 10 * n,
                    award=PLACES[n] if placed else "",
                    explanation={
                        "car_number": number,
                        "title": vehicle.title,
                        "coachbuilder": coach,
                        "owner": owner.name,
                        "score": f"{100 - n}.0",
                    },
                )
            )
        cls.certified_at = utcnow()
        cls.certified_by_id = org.id
    if not show.entries:
        event.status = status
        show.organizer_token = await accounts.start_session(session, settings, org.id, "seed")
        await session.flush()
        return show
    sponsor = SpecialAward(
        event_id=event.id,
        name="The Sponsor's Trophy",
        kind="designated",
        position=1,
        status="decided",
        entry_id=show.entries[102],
        chosen_by="the sponsor",
        decided_by_id=org.id,
    )
    best = SpecialAward(
        event_id=event.id,
        name="Best of Show",
        kind="designated",
        position=0,  # Best of Show closes the ceremony whatever its position
        status="decided",
        entry_id=show.entries[101],
        chosen_by="the honorary judges",
        decided_by_id=org.id,
    )
    session.add_all([best, sponsor])
    await session.flush()
    show.award_ids = [sponsor.id, best.id]
    event.status = status
    show.organizer_token = await accounts.start_session(session, settings, org.id, "seed")
    await session.flush()
    return show
