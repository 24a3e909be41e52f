"""Demo: the finished 2025 edition's placings class, judged the French way (places and notes, no points).

Three judges each ordered the class's five cars by eye and left a note for each owner; the orders are
combined by Borda count and the class is certified with the rest of the edition, so the published results
show its places with no numbers, and each owner reads the judges' notes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours import demo_photos
from concours.db import Entrant, Entry, Event, Judge, PlacingSheet, User
from concours.services import entries, placings, selection, teams
from concours.services.class_systems import set_class_system
from concours.services.events import add_class
from concours.services.permissions import Viewer
from concours.services.results import certify_class
from concours.settings import Settings

PLACINGS_CODE = "H"
PLACINGS_NAME = "Hemmings Cup: French-style, judged by eye"
DEVICE = "demo"  # the device the demo's audit entries name

# (year, make, model, body style, coachbuilder, colour, history)
CARS: tuple[tuple[int, str, str, str, str, str, str], ...] = (
    (
        1937,
        "Delahaye",
        "135 M",
        "Cabriolet",
        "Figoni et Falaschi",
        "Ivory over burgundy",
        "Shown at the 1937 Paris Salon; a single family owned it from 1952 until 2011.",
    ),
    (
        1938,
        "Talbot-Lago",
        "T150-C",
        "Coupé",
        "Pourtout",
        "Midnight blue",
        "Raced at Montlhéry in 1939, hidden through the war in a barn near Lyon.",
    ),
    (
        1936,
        "Bugatti",
        "Type 57",
        "Ventoux coupé",
        "Gangloff",
        "Black over yellow",
        "Ordered new by a Strasbourg industrialist; preserved with its original interior.",
    ),
    (
        1939,
        "Hotchkiss",
        "686 GS",
        "Roadster",
        "Henri Chapron",
        "Silver grey",
        "A Monte Carlo Rally entrant in 1939; restored in 2018 with its rally plates.",
    ),
    (
        1935,
        "Voisin",
        "C25 Aérodyne",
        "Saloon",
        "Voisin",
        "Aluminium",
        "One of seven built; its sliding roof still works as Gabriel Voisin drew it.",
    ),
)

# Each judge's order (indexes into CARS, best first) and a note per car for its owner.
ORDERS: tuple[tuple[tuple[int, ...], dict[int, str]], ...] = (
    (
        (0, 4, 1, 2, 3),
        {
            0: "The most complete expression of the Figoni line on the lawn; it stopped people in their tracks.",
            4: "Startling and brave; the Aérodyne roof makes it a story car of the first order.",
            1: "A purposeful, beautifully proportioned coupé; the blue suits it perfectly.",
            2: "An honest, unrestored interior we loved; the paint shows its age next to its rivals.",
            3: "Charming rally history; the stance is a touch high on its later tyres.",
        },
    ),
    (
        (4, 0, 1, 3, 2),
        {
            0: "Elegance itself, though the chrome is brighter than period.",
            4: "Presence no other car matched; tell visitors about the roof mechanism.",
            1: "Superb line from the rear three-quarter.",
            3: "The rally plates and log book make a lovely display; bring them again.",
            2: "A rare survivor; condition is honest rather than perfect.",
        },
    ),
    (
        (0, 1, 4, 2, 3),
        {
            0: "The car of the class: proportion, colour and condition in harmony.",
            1: "A close second for me; the Pourtout roofline is exquisite.",
            4: "Fascinating engineering; less graceful from the front than its rivals.",
            2: "Its originality is a treasure; keep it this way.",
            3: "Well restored and well presented.",
        },
    ),
)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=UTC)


async def build_placings_class(
    session: AsyncSession, settings: Settings, viewer: Viewer, event: Event, judges: list[Judge]
) -> None:
    """Add the placings class to the finished edition as its organizer does (the class, its own judging system, the
    cars entered for their owners and accepted into it, their places on the terrace, the team), let three judges
    order the cars and leave their notes, and certify it. When each thing happened is the demo's history, set last."""
    cls = await add_class(session, viewer, event, code=PLACINGS_CODE, name=PLACINGS_NAME, places="3")
    cls.description = (
        "No points sheet: the judges choose 1st, 2nd and 3rd by their eye for elegance, presence, "
        "condition and story, as the French concours do."
    )
    await set_class_system(session, viewer, event, cls, {"judging": "placings", "places": "3"})
    # The owners: the demo entrant brings a second car; the others are owners of last year's field.
    owners = (
        await session.execute(
            select(User.name, User.email)
            .join(Entrant, Entrant.user_id == User.id)
            .join(Entry, Entry.entrant_id == Entrant.id)
            .where(Entry.event_id == event.id)
            .order_by(User.email == "henry.caldwell@example.com", Entrant.id)
        )
    ).all()
    chosen = [owners[-1], *list(dict.fromkeys(owners[:-1]))[: len(CARS) - 1]]
    last_number = (
        await session.scalar(
            select(Entry.car_number).where(Entry.event_id == event.id).order_by(Entry.car_number.desc()).limit(1)
        )
    ) or 0
    entries_: list[Entry] = []
    for n, ((year, make, model, body, coach, colour, history), (name, email)) in enumerate(
        zip(CARS, chosen, strict=True)
    ):
        form = {
            "name": name,
            "email": email,
            "year": str(year),
            "make": make,
            "model": model,
            "body_style": body,
            "coachbuilder": coach,
            "colour": colour,
            "history": history,
            "restoration_state": "preservation" if make == "Bugatti" else "restored",
            "class_id": str(cls.id),
            "decision": "applied",
        }
        look = demo_photos.look_for(year, body, colour, f"{year} {make} {model}")
        entry = await entries.add_entry(session, settings, viewer, event, form, [demo_photos.upload(look)])
        await entries.decide(
            session,
            viewer,
            entry,
            status="accepted",
            class_id=str(cls.id),
            car_number=str(last_number + 1 + n),
            message=f"Congratulations: your car is invited to show in the {PLACINGS_NAME}.",
        )
        await selection.update_field(session, viewer, entry, action="position", field_position=f"Terrace, {n + 1}")
        await selection.update_field(session, viewer, entry, action="check_in")
        entries_.append(entry)
    for n, judge in enumerate(judges[: len(ORDERS)]):
        user = await session.get(User, judge.user_id)
        assert user is not None
        await teams.add_judge_to_class(session, settings, viewer, cls, name=user.name, email=user.email, captain=n == 0)
        seat = Viewer(user.id, user.name, user.email, False, judge.id, None)
        order, notes = ORDERS[n]
        await placings.save_order(
            session, seat, cls, event, order=",".join(str(entries_[car].id) for car in order), device=DEVICE
        )
        for car in order:
            if car in notes:
                await placings.save_note(
                    session, seat, cls, event, entry_id=entries_[car].id, note=notes[car], device=DEVICE
                )
        await placings.submit(session, seat, cls, event, order="", device=DEVICE)
    # History: when the cars were accepted and checked in, and when each judge submitted.
    for n, entry in enumerate(entries_):
        entry.decided_at, entry.checked_in_at = _at(1, 10), _at(30, 7, 10 + n)
    for n, sheet in enumerate(
        await session.scalars(select(PlacingSheet).where(PlacingSheet.class_id == cls.id).order_by(PlacingSheet.id))
    ):
        sheet.submitted_at = _at(30, 11, 20 + 5 * n)
    await session.flush()
    await certify_class(session, viewer, event, cls, at=_at(30, 13, 45))
