"""Applications and selection: an entrant applies with a car; organizers accept, waitlist or decline."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entrant, Entry, Event, EventClass, Vehicle, utcnow
from concours.domain.states import TransitionError, accepts_applications, check_entry_transition
from concours.services import accounts, audit, outbox
from concours.services.errors import FormErrors, ServiceError
from concours.services.permissions import Viewer
from concours.settings import Settings

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESTORATION_STATES = {"original": "Original", "preservation": "Preservation", "restored": "Restored"}
APPLICATION_FIELDS = (
    "name",
    "email",
    "phone",
    "city",
    "country",
    "year",
    "make",
    "model",
    "body_style",
    "coachbuilder",
    "chassis_number",
    "engine_number",
    "colour",
    "restoration_state",
    "history",
    "prior_awards",
    "preferred_class_id",
    "terms",
)


@dataclass
class Application:
    name: str
    email: str
    phone: str
    city: str
    country: str
    year: int
    make: str
    model: str
    body_style: str
    coachbuilder: str
    chassis_number: str
    engine_number: str
    colour: str
    restoration_state: str
    history: str
    prior_awards: str
    preferred_class_id: int | None


def parse_application(form: Mapping[str, str], event: Event, class_ids: set[int]) -> Application:
    """Validate every field at once; FormErrors maps each wrong field to what is wrong."""
    f = {k: (form.get(k) or "").strip() for k in APPLICATION_FIELDS}
    errors: dict[str, str] = {}
    for key, label in (("name", "your name"), ("make", "the make"), ("model", "the model")):
        if not f[key]:
            errors[key] = f"Enter {label}."
    if not EMAIL_RE.match(f["email"]):
        errors["email"] = "Enter an e-mail address such as name@example.com; your sign-in link goes there."
    year = 0
    this_year = utcnow().year
    try:
        year = int(f["year"])
        if not 1885 <= year <= this_year + 1:
            errors["year"] = f"The model year is between 1885 and {this_year + 1}."
    except ValueError:
        errors["year"] = "Enter the model year as four digits, e.g. 1937."
    if f["restoration_state"] not in RESTORATION_STATES:
        errors["restoration_state"] = "Choose original, preservation or restored."
    if len(f["history"]) > event.history_max_chars:
        errors["history"] = (
            f"The history is {len(f['history'])} characters; this event allows {event.history_max_chars}."
        )
    preferred: int | None = None
    if f["preferred_class_id"]:
        try:
            preferred = int(f["preferred_class_id"])
        except ValueError:
            preferred = -1
        if preferred not in class_ids:
            errors["preferred_class_id"] = "Choose one of the event's classes, or leave it to the committee."
    if f["terms"] not in ("on", "yes", "1", "true"):
        errors["terms"] = "You must accept the event's release and terms to apply."
    for key, limit in (
        ("name", 200),
        ("make", 100),
        ("model", 100),
        ("body_style", 100),
        ("coachbuilder", 100),
        ("chassis_number", 50),
        ("engine_number", 50),
        ("colour", 100),
        ("phone", 50),
        ("city", 100),
        ("country", 100),
    ):
        if len(f[key]) > limit:
            errors[key] = f"At most {limit} characters."
    if errors:
        raise FormErrors(errors)
    return Application(
        name=f["name"],
        email=f["email"],
        phone=f["phone"],
        city=f["city"],
        country=f["country"],
        year=year,
        make=f["make"],
        model=f["model"],
        body_style=f["body_style"],
        coachbuilder=f["coachbuilder"],
        chassis_number=f["chassis_number"],
        engine_number=f["engine_number"],
        colour=f["colour"],
        restoration_state=f["restoration_state"],
        history=f["history"],
        prior_awards=f["prior_awards"],
        preferred_class_id=preferred,
    )


async def apply(session: AsyncSession, settings: Settings, event: Event, form: Mapping[str, str]) -> Entry:
    if not accepts_applications(event.status):
        raise ServiceError("Applications for this event are closed.")
    class_ids = set((await session.scalars(select(EventClass.id).where(EventClass.event_id == event.id))).all())
    app = parse_application(form, event, class_ids)
    if app.chassis_number:
        dup = await session.scalar(
            select(func.count())
            .select_from(Entry)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .where(
                Entry.event_id == event.id,
                func.lower(Vehicle.chassis_number) == app.chassis_number.lower(),
                Entry.status != "withdrawn",
            )
        )
        if dup:
            raise FormErrors(
                {
                    "chassis_number": (
                        f"A car with chassis number {app.chassis_number} has already applied to this event. If it is "
                        "yours, sign in to your portal to follow or edit that application."
                    )
                }
            )
    user = await accounts.get_or_create_user(session, app.email, app.name)
    entrant = await session.scalar(select(Entrant).where(Entrant.user_id == user.id))
    if entrant is None:
        entrant = Entrant(user_id=user.id, phone=app.phone, city=app.city, country=app.country)
        session.add(entrant)
        await session.flush()
    vehicle = Vehicle(
        entrant_id=entrant.id,
        year=app.year,
        make=app.make,
        model=app.model,
        body_style=app.body_style,
        coachbuilder=app.coachbuilder,
        chassis_number=app.chassis_number,
        engine_number=app.engine_number,
        colour=app.colour,
        restoration_state=app.restoration_state,
        history=app.history,
        prior_awards=app.prior_awards,
    )
    session.add(vehicle)
    await session.flush()
    entry = Entry(
        event_id=event.id, vehicle_id=vehicle.id, entrant_id=entrant.id, preferred_class_id=app.preferred_class_id
    )
    session.add(entry)
    await session.flush()
    audit.record(
        session,
        entity_type="entry",
        entity_id=entry.id,
        action="apply",
        user_id=user.id,
        event_id=event.id,
        after={"vehicle": f"{app.year} {app.make} {app.model}"},
    )
    await accounts.send_login_link(
        session,
        settings,
        user,
        next_url="/my/",
        event_id=event.id,
        intro=f"Thank you for applying to {event.name} with your {app.year} {app.make} {app.model}. "
        "The selection committee will review it; follow your application in your portal.",
    )
    return entry


async def decide(
    session: AsyncSession,
    viewer: Viewer,
    entry: Entry,
    *,
    status: str,
    class_id: str = "",
    car_number: str = "",
    message: str = "",
) -> None:
    """Accept (into a class, with a car number), waitlist or decline an entry; e-mails the entrant."""
    errors: dict[str, str] = {}
    if status != entry.status:
        try:
            check_entry_transition(entry.status, status)
        except TransitionError as exc:
            errors["status"] = str(exc)
    cls: EventClass | None = None
    if class_id:
        try:
            cls = await session.get(EventClass, int(class_id))
        except ValueError:
            cls = None
        if cls is None or cls.event_id != entry.event_id:
            errors["class_id"] = "Choose a class of this event."
    if status == "accepted" and cls is None and entry.class_id is None:
        errors["class_id"] = "An accepted car must be placed in a class."
    number: int | None = entry.car_number
    if car_number.strip():
        try:
            number = int(car_number)
            if number < 1:
                raise ValueError
        except ValueError:
            errors["car_number"] = "A car number is a positive whole number."
        else:
            taken = await session.scalar(
                select(Entry.id).where(
                    Entry.event_id == entry.event_id, Entry.car_number == number, Entry.id != entry.id
                )
            )
            if taken:
                errors["car_number"] = f"Car number {number} is already taken."
    if errors:
        raise FormErrors(errors)
    before = {"status": entry.status, "class_id": entry.class_id, "car_number": entry.car_number}
    if cls is not None:
        entry.class_id = cls.id
    if status == "accepted" and number is None:
        top = await session.scalar(select(func.max(Entry.car_number)).where(Entry.event_id == entry.event_id))
        number = (top or 0) + 1
    entry.car_number = number
    changed = status != entry.status
    entry.status = status
    entry.decision_message = message.strip()
    entry.decided_at = utcnow()
    audit.record(
        session,
        entity_type="entry",
        entity_id=entry.id,
        action="decide",
        user_id=viewer.user_id,
        event_id=entry.event_id,
        before=before,
        after={"status": status, "class_id": entry.class_id, "car_number": number},
    )
    if changed:
        await _notify_decision(session, entry, message.strip())


async def _notify_decision(session: AsyncSession, entry: Entry, message: str) -> None:
    row = (
        await session.execute(
            select(Event.name, Vehicle.year, Vehicle.make, Vehicle.model, Entrant.user_id)
            .select_from(Entry)
            .join(Event, Event.id == Entry.event_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .where(Entry.id == entry.id)
        )
    ).one()
    from concours.db import User

    user = await session.get(User, row.user_id)
    assert user is not None
    words = {"accepted": "has been accepted", "waitlisted": "is on the waiting list", "declined": "was not selected"}
    text = words.get(entry.status, f"is now {entry.status}")
    body = f"Hello {user.name},\n\nYour {row.year} {row.make} {row.model} {text} for {row.name}.\n"
    if entry.status == "accepted" and entry.car_number:
        body += f"Your car number is {entry.car_number}.\n"
    if message:
        body += f"\nA message from the committee:\n{message}\n"
    body += "\nFollow your application in your portal.\n"
    outbox.queue(session, to=user.email, subject=f"{row.name}: your application", body=body, event_id=entry.event_id)
