"""Applications and selection: an entrant applies with a car; organizers accept, waitlist or decline."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entrant, Entry, Event, EventClass, User, Vehicle, utcnow
from concours.domain.states import TransitionError, accepts_applications, check_entry_transition
from concours.i18n import DEFAULT_LOCALE, N_, gettext, using_locale
from concours.services import accounts, audit, conflict_declarations, invitations, outbox, photos
from concours.services.errors import FormErrors, ServiceError, SignInRequired
from concours.services.permissions import Viewer
from concours.settings import Settings

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESTORATION_STATES = {"original": N_("Original"), "preservation": N_("Preservation"), "restored": N_("Restored")}
APPLICATION_FIELDS = (
    "name",
    "email",
    "phone",
    "city",
    "address",
    "postcode",
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
    "restoration_notes",
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
    restoration_notes: str
    history: str
    prior_awards: str
    preferred_class_id: int | None
    address: str = ""
    postcode: str = ""
    # The conflicts of interest the owner declares (checked against the roster by ``_checked``).
    declarations: list[conflict_declarations.Declaration] = field(default_factory=list)


def parse_application(form: Mapping[str, str], event: Event, class_ids: set[int]) -> Application:
    """Validate every field at once; FormErrors maps each wrong field to what is wrong."""
    f = {k: (form.get(k) or "").strip() for k in APPLICATION_FIELDS}
    errors: dict[str, str] = {}
    for key, message in (
        ("name", N_("Enter your name.")),
        ("make", N_("Enter the make.")),
        ("model", N_("Enter the model.")),
    ):
        if not f[key]:
            errors[key] = gettext(message)
    if len(f["email"]) > 254 or not EMAIL_RE.match(f["email"]):
        errors["email"] = gettext("Enter an e-mail address such as name@example.com; your sign-in link goes there.")
    year = 0
    this_year = utcnow().year
    try:
        year = int(f["year"])
        if not 1885 <= year <= this_year + 1:
            errors["year"] = gettext("The model year is between 1885 and %(last)s.", last=this_year + 1)
    except ValueError:
        errors["year"] = gettext("Enter the model year as four digits, e.g. 1937.")
    if f["restoration_state"] not in RESTORATION_STATES:
        errors["restoration_state"] = gettext("Choose original, preservation or restored.")
    if len(f["history"]) > event.history_max_chars:
        errors["history"] = gettext(
            "The history is %(n)s characters; this event allows %(allowed)s.",
            n=len(f["history"]),
            allowed=event.history_max_chars,
        )
    preferred: int | None = None
    if f["preferred_class_id"]:
        try:
            preferred = int(f["preferred_class_id"])
        except ValueError:
            preferred = -1
        if preferred not in class_ids:
            errors["preferred_class_id"] = gettext("Choose one of the event's classes, or leave it to the committee.")
    if f["terms"] not in ("on", "yes", "1", "true"):
        errors["terms"] = gettext("You must accept the event's release and terms to apply.")
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
        ("address", 200),
        ("postcode", 20),
        ("country", 100),
        ("restoration_notes", 2000),
        ("prior_awards", 2000),
    ):
        if len(f[key]) > limit:
            errors[key] = gettext("At most %(n)s characters.", n=limit)
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
        restoration_notes=f["restoration_notes"],
        history=f["history"],
        prior_awards=f["prior_awards"],
        preferred_class_id=preferred,
        address=f["address"],
        postcode=f["postcode"],
    )


def registration_open(event: Event, now: datetime | None = None) -> bool:
    """Applications (and edits to them) are taken while registration is open and its deadline has not passed."""
    if not accepts_applications(event.status):
        return False
    return event.registration_closes_at is None or (now or utcnow()) < event.registration_closes_at


def closed_message(event: Event) -> str:
    if accepts_applications(event.status) and event.registration_closes_at is not None:
        return gettext("The deadline for applications to this event has passed; nothing was saved.")
    return gettext("Applications for this event are closed; nothing was saved.")


async def _duplicate_chassis(session: AsyncSession, event_id: int, chassis: str, *, except_entry: int | None) -> bool:
    if not chassis:
        return False
    query = (
        select(Entry.id)
        .join(Vehicle, Vehicle.id == Entry.vehicle_id)
        .where(
            Entry.event_id == event_id,
            func.lower(Vehicle.chassis_number) == chassis.lower(),
            Entry.status != "withdrawn",
        )
        .limit(1)
    )
    if except_entry is not None:
        query = query.where(Entry.id != except_entry)
    return (await session.scalar(query)) is not None


def _duplicate_message(chassis: str) -> str:
    return gettext(
        "A car with chassis number %(chassis)s has already applied to this event. If it is yours, sign in to your "
        "portal to follow or edit that application; if the number is mistyped, correct it.",
        chassis=chassis,
    )


VEHICLE_FIELDS = (
    "year",
    "make",
    "model",
    "body_style",
    "coachbuilder",
    "chassis_number",
    "engine_number",
    "colour",
    "restoration_state",
    "restoration_notes",
    "history",
    "prior_awards",
)


def vehicle_form(vehicle: Vehicle) -> dict[str, str]:
    """A saved car as the application form's fields (and the entries CSV's columns of the car)."""
    return {key: str(getattr(vehicle, key)) for key in VEHICLE_FIELDS}


async def _new_entrant(session: AsyncSession, user: User, app: Application) -> Entrant:
    """The owner's entrant record, made from what they gave on the form (stored, with its id)."""
    entrant = Entrant(
        user_id=user.id,
        phone=app.phone,
        city=app.city,
        country=app.country,
        address=app.address,
        postcode=app.postcode,
    )
    session.add(entrant)
    await session.flush()
    return entrant


def fill_vehicle(vehicle: Vehicle, app: Application) -> None:
    for key in VEHICLE_FIELDS:
        setattr(vehicle, key, getattr(app, key))


def _application_snapshot(vehicle: Vehicle, entrant: Entrant, entry: Entry) -> dict[str, Any]:
    """What an entrant's edit can change: the car's details, their contact details, the class they ask for."""
    return {
        **audit.snapshot(vehicle, VEHICLE_FIELDS),
        **audit.snapshot(entrant, ("phone", "city", "address", "postcode", "country")),
        "preferred_class_id": entry.preferred_class_id,
    }


async def _checked(
    session: AsyncSession,
    event: Event,
    form: Mapping[str, str],
    uploads: list[photos.Upload],
    *,
    existing_photos: int = 0,
    except_entry: int | None = None,
    photo_problem: str | None = None,
    roster: dict[int, str] | None = None,
) -> tuple[Application, list[photos.Processed]]:
    """The application and its photos, every problem reported at once (fields, declared conflicts and photos
    together). ``photo_problem``: photos the web layer could not take (too large to arrive, not images).
    ``roster``: the judges the owner may pick from when declaring conflicts (None: they name people in their own
    words)."""
    class_ids = set((await session.scalars(select(EventClass.id).where(EventClass.event_id == event.id))).all())
    errors: dict[str, str] = {}
    app: Application | None = None
    try:
        app = parse_application(form, event, class_ids)
    except FormErrors as exc:
        errors.update(exc.errors)
    declared, declared_errors = conflict_declarations.parse_declarations(form, roster)
    errors.update(declared_errors)
    processed: list[photos.Processed] = []
    try:
        processed = await photos.check_uploads(uploads, allowed=event.max_photos, existing=existing_photos)
    except FormErrors as exc:
        errors.update(exc.errors)
    if photo_problem:
        errors["photos"] = photo_problem + (" " + errors["photos"] if errors.get("photos") else "")
    if app is not None and await _duplicate_chassis(session, event.id, app.chassis_number, except_entry=except_entry):
        errors["chassis_number"] = _duplicate_message(app.chassis_number)
    if errors or app is None:
        raise FormErrors(errors)
    app.declarations = declared
    return app, processed


async def declaration_roster(session: AsyncSession, event: Event) -> dict[int, str] | None:
    """The judges an owner picks from when declaring conflicts on the application: the event's roster when it is
    shown to entrants, else None (they name people in their own words, matched by name)."""
    return await conflict_declarations.roster_names(session, event, public=True) if event.roster_public else None


async def apply(
    session: AsyncSession,
    settings: Settings,
    event: Event,
    form: Mapping[str, str],
    uploads: list[photos.Upload] | None = None,
    *,
    viewer: Viewer | None = None,
    photo_problem: str | None = None,
    invitation: str | None = None,
) -> Entry:
    """A new application. A signed-in entrant may bring one of their saved cars (``vehicle_id``). An
    invitation-only event needs the token of an unused ``invitation`` link, which the application then uses up."""
    if not registration_open(event):
        raise ServiceError(closed_message(event))
    invited = await invitations.admit(session, settings, event, invitation)
    uploads = uploads or []
    vehicle: Vehicle | None = None
    if form.get("vehicle_id") and viewer is not None and viewer.entrant_id is not None:
        raw_id = form["vehicle_id"].strip()
        vehicle = await session.get(Vehicle, int(raw_id)) if raw_id.isdecimal() and len(raw_id) < 10 else None
        if vehicle is None or vehicle.entrant_id != viewer.entrant_id:
            raise FormErrors({"vehicle_id": gettext("Choose one of your own cars.")})
        already = await session.scalar(
            select(Entry.id).where(Entry.event_id == event.id, Entry.vehicle_id == vehicle.id)
        )
        if already is not None:
            raise FormErrors(
                {"vehicle_id": gettext("This car already has an application at this event; see your portal.")}
            )
    existing = await photos.count(session, vehicle.id) if vehicle is not None else 0
    app, processed = await _checked(
        session,
        event,
        form,
        uploads,
        existing_photos=existing,
        photo_problem=photo_problem,
        roster=await declaration_roster(session, event),
    )
    if vehicle is not None and viewer is not None:
        user = await session.get(User, viewer.user_id)
        assert user is not None
        entrant = await session.get(Entrant, viewer.entrant_id)
        assert entrant is not None
    else:
        known = await session.scalar(select(User).where(User.email == accounts.normalize_email(app.email)))
        if known is not None and (viewer is None or viewer.user_id != known.id):
            # Nobody applies into someone else's account: the owner of the address signs in first.
            await accounts.send_login_link(
                session,
                settings,
                known,
                next_url=f"/events/{event.slug}/apply",
                event_id=event.id,
                intro=lambda: gettext(
                    "An application to %(event)s was started with this address. Sign in with the link below, then "
                    "send the application form again; nothing was saved until you do.",
                    event=event.name,
                ),
            )
            raise SignInRequired(
                gettext(
                    "This e-mail address already has an account, so we have e-mailed it a sign-in link. Keep this "
                    "page open, sign in from the e-mail, then send this form again: nothing is saved until then."
                )
            )
        user = await accounts.get_or_create_user(session, app.email, app.name)
        entrant = await session.scalar(select(Entrant).where(Entrant.user_id == user.id))
    accounts.remember_locale(user)  # the owner applies in the language they read
    if entrant is None:
        entrant = await _new_entrant(session, user, app)
    else:
        entrant.phone, entrant.city, entrant.country = (
            app.phone or entrant.phone,
            app.city or entrant.city,
            app.country or entrant.country,
        )
        entrant.address, entrant.postcode = app.address or entrant.address, app.postcode or entrant.postcode
    if vehicle is None:
        vehicle = Vehicle(entrant_id=entrant.id, year=app.year, make=app.make, model=app.model)
        session.add(vehicle)
    fill_vehicle(vehicle, app)
    await session.flush()
    await photos.store(session, settings, vehicle.id, processed)
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
        after={
            "vehicle": f"{app.year} {app.make} {app.model}",
            "photos": len(processed),
            "declared_conflicts": len(app.declarations),
        },
    )
    await conflict_declarations.record_declarations(session, event, entry, app.declarations, user.id)
    if invited is not None:
        invitations.mark_used(invited, entry)
    car = f"{app.year} {app.make} {app.model}"
    await accounts.send_login_link(
        session,
        settings,
        user,
        next_url="/my/",
        event_id=event.id,
        intro=lambda: gettext(
            "Thank you for applying to %(event)s with your %(car)s. The selection committee will review it; follow "
            "your application in your portal. You can edit it there until the deadline, or withdraw it.",
            event=event.name,
            car=car,
        ),
    )
    return entry


EDITABLE_STATUSES = ("applied", "waitlisted", "accepted")
# The statuses an application cannot be edited in, as a sentence says them.
ENTRY_STATUS_WORDS = {"declined": N_("declined"), "withdrawn": N_("withdrawn")}


def may_edit(entry: Entry, event: Event) -> bool:
    return entry.status in EDITABLE_STATUSES and registration_open(event)


async def update_application(
    session: AsyncSession,
    settings: Settings,
    viewer: Viewer,
    entry: Entry,
    form: Mapping[str, str],
    uploads: list[photos.Upload],
    remove_photo_ids: list[int],
    *,
    photo_problem: str | None = None,
) -> None:
    """The entrant corrects their application (and car) before the deadline; photos added or removed."""
    event = await session.get(Event, entry.event_id)
    assert event is not None
    if entry.status not in EDITABLE_STATUSES:
        raise ServiceError(
            gettext(
                "An application that is %(status)s cannot be edited.",
                status=gettext(ENTRY_STATUS_WORDS.get(entry.status, entry.status)),
            )
        )
    if not registration_open(event):
        raise ServiceError(gettext("The deadline has passed: applications can no longer be edited."))
    vehicle = await session.get(Vehicle, entry.vehicle_id)
    assert vehicle is not None
    # The car is shared with its entries at other events: once one of those is judged, its record is history.
    judged_elsewhere = await session.scalar(
        select(Event.name)
        .join(Entry, Entry.event_id == Event.id)
        .where(
            Entry.vehicle_id == vehicle.id,
            Entry.id != entry.id,
            Entry.status == "accepted",
            Event.status.not_in(("draft", "registration_open", "registration_closed")),
        )
        .limit(1)
    )
    if judged_elsewhere is not None:
        raise ServiceError(
            gettext(
                "This car was judged at %(event)s, and its record there must stay as it was. "
                "Withdraw this application and apply with the car as a new vehicle to change its details.",
                event=judged_elsewhere,
            )
        )
    data = dict(form, name=viewer.name, email=viewer.email, terms="on")
    removed = await photos.remove(session, vehicle.id, remove_photo_ids)
    existing = await photos.count(session, vehicle.id)
    app, processed = await _checked(
        session,
        event,
        data,
        uploads,
        existing_photos=existing,
        except_entry=entry.id,
        photo_problem=photo_problem,
        roster=await declaration_roster(session, event),
    )
    entrant = await session.get(Entrant, entry.entrant_id)
    assert entrant is not None
    before = {**_application_snapshot(vehicle, entrant, entry), "photos_added": 0, "photos_removed": 0}
    fill_vehicle(vehicle, app)
    entrant.phone, entrant.city, entrant.country = app.phone, app.city, app.country
    entrant.address, entrant.postcode = app.address, app.postcode
    entry.preferred_class_id = app.preferred_class_id
    await photos.store(session, settings, vehicle.id, processed)
    audit.record_change(
        session,
        entity_type="entry",
        entity_id=entry.id,
        action="edit_application",
        user_id=viewer.user_id,
        event_id=entry.event_id,
        before=before,
        after={
            **_application_snapshot(vehicle, entrant, entry),
            "photos_added": len(processed),
            "photos_removed": removed,
        },
    )
    await conflict_declarations.record_declarations(session, event, entry, app.declarations, viewer.user_id)


async def withdraw(session: AsyncSession, viewer: Viewer, entry: Entry) -> None:
    """The entrant withdraws; the car number is freed for another car. Not once judging has begun."""
    event = await session.get(Event, entry.event_id)
    if event is None or event.status not in ("draft", "registration_open", "registration_closed"):
        raise ServiceError(gettext("Judging has begun: to withdraw now, speak to the organizers."))
    try:
        check_entry_transition(entry.status, "withdrawn")
    except TransitionError as exc:
        raise ServiceError(gettext("This application cannot be withdrawn: %(reason)s.", reason=exc)) from exc
    before = {"status": entry.status, "car_number": entry.car_number}
    entry.status = "withdrawn"
    entry.car_number = None
    entry.decided_at = utcnow()
    audit.record(
        session,
        entity_type="entry",
        entity_id=entry.id,
        action="withdraw",
        user_id=viewer.user_id,
        event_id=entry.event_id,
        before=before,
        after={"status": "withdrawn"},
    )


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
    """Accept (into a class, with a car number), waitlist or decline an entry; e-mails the entrant.

    Steps: check every field (:class:`FormErrors`, nothing written); write the decision (a car number from
    the pool when accepted without one); audit what changed; outbox: the entrant's e-mail when the status
    changed."""
    errors: dict[str, str] = {}
    if status != entry.status:
        try:
            check_entry_transition(entry.status, status)
        except TransitionError as exc:
            errors["status"] = str(exc)
    cls: EventClass | None = None
    if class_id:
        class_id = class_id.strip()
        cls = await session.get(EventClass, int(class_id)) if class_id.isdecimal() and len(class_id) < 10 else None
        if cls is None or cls.event_id != entry.event_id:
            errors["class_id"] = gettext("Choose a class of this event.")
    if status == "accepted" and cls is None and entry.class_id is None:
        errors["class_id"] = gettext("An accepted car must be placed in a class.")
    # A certified class's results are frozen: no car moves into or out of it, nor changes its standing.
    touched = {c for c in (entry.class_id, cls.id if cls else None) if c is not None}
    if (cls is not None and cls.id != entry.class_id) or status != entry.status:
        certified = (
            await session.scalar(
                select(EventClass.code).where(EventClass.id.in_(touched), EventClass.certified_at.is_not(None)).limit(1)
            )
            if touched
            else None
        )
        if certified is not None:
            errors["class_id"] = gettext(
                "Class %(code)s is certified: reopen it before changing its cars.", code=certified
            )
    number: int | None = entry.car_number
    if car_number.strip():
        try:
            number = int(car_number)
            if not 1 <= number <= 99999:
                raise ValueError
        except ValueError:
            errors["car_number"] = gettext("A car number is a whole number from 1 to 99999.")
        else:
            taken = await session.scalar(
                select(Entry.id).where(
                    Entry.event_id == entry.event_id, Entry.car_number == number, Entry.id != entry.id
                )
            )
            if taken:
                errors["car_number"] = gettext("Car number %(number)s is already taken.", number=number)
    if errors:
        raise FormErrors(errors)
    old_number = entry.car_number
    before = {
        "status": entry.status,
        "class_id": entry.class_id,
        "car_number": entry.car_number,
        "message": entry.decision_message,
    }
    if cls is not None:
        entry.class_id = cls.id
    if status in ("declined", "withdrawn"):
        number = None  # the number goes back to the pool for another car
    if status == "accepted" and number is None:
        top = await session.scalar(select(func.max(Entry.car_number)).where(Entry.event_id == entry.event_id))
        number = (top or 0) + 1
    entry.car_number = number
    changed = status != entry.status
    entry.status = status
    entry.decision_message = message.strip()
    entry.decided_at = utcnow()
    audit.record_change(
        session,
        entity_type="entry",
        entity_id=entry.id,
        action="decide",
        user_id=viewer.user_id,
        event_id=entry.event_id,
        before=before,
        after={"status": status, "class_id": entry.class_id, "car_number": number, "message": entry.decision_message},
    )
    if changed:
        await _notify_decision(session, entry, message.strip())
    elif status == "accepted" and old_number is not None and number != old_number:
        await notify_number_changes(session, {entry.id: (old_number, number)})


async def notify_number_changes(session: AsyncSession, changes: dict[int, tuple[int | None, int | None]]) -> None:
    """Tell each owner whose accepted car had a number and now has another (or none): the number is on the
    windshield placard and in the programme, so the owner must know. One query for all the cars."""
    moved = {entry_id: (old, new) for entry_id, (old, new) in changes.items() if old is not None and old != new}
    if not moved:
        return
    rows = (
        await session.execute(
            select(
                Entry.id,
                Entry.event_id,
                Event.name,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                User.name,
                User.email,
                User.locale,
            )
            .join(Event, Event.id == Entry.event_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(Entry.id.in_(moved))
        )
    ).all()
    for entry_id, event_id, event_name, year, make, model, name, email, locale in rows:
        old, new = moved[entry_id]
        car = f"{year} {make} {model}"
        with using_locale(locale or DEFAULT_LOCALE):
            now = (
                gettext("Its new number is %(number)s.", number=new)
                if new is not None
                else gettext("It has no number for now; a new one will follow.")
            )
            body = (
                gettext("Hello %(name)s,", name=name)
                + "\n\n"
                + gettext(
                    "The car number of your %(car)s at %(event)s has changed: it was %(old)s.",
                    car=car,
                    event=event_name,
                    old=old,
                )
                + f" {now}\n"
                + gettext("Please use the new number on the day (it is on your windshield placard).")
                + "\n\n"
                + gettext("Follow your application in your portal.")
                + "\n"
            )
            subject = gettext("%(event)s: your car number has changed", event=event_name)
        outbox.queue(session, to=email, subject=subject, body=body, event_id=event_id)


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
    user = await session.get(User, row.user_id)
    assert user is not None
    with using_locale(accounts.reader_locale(user)):
        body = gettext("Hello %(name)s,", name=user.name) + "\n\n"
        body += _decision_sentence(entry.status, f"{row.year} {row.make} {row.model}", row.name) + "\n"
        if entry.status == "accepted" and entry.car_number:
            body += gettext("Your car number is %(number)s.", number=entry.car_number) + "\n"
        if message:
            body += "\n" + gettext("A message from the committee:") + f"\n{message}\n"
        body += "\n" + gettext("Follow your application in your portal.") + "\n"
        subject = gettext("%(event)s: your application", event=row.name)
    outbox.queue(session, to=user.email, subject=subject, body=body, event_id=entry.event_id)


def _decision_sentence(status: str, car: str, event: str) -> str:
    """What the committee decided, as one sentence in the reader's language (each its own, for the grammar)."""
    if status == "accepted":
        return gettext("Your %(car)s has been accepted for %(event)s.", car=car, event=event)
    if status == "waitlisted":
        return gettext("Your %(car)s is on the waiting list for %(event)s.", car=car, event=event)
    if status == "declined":
        return gettext("Your %(car)s was not selected for %(event)s.", car=car, event=event)
    return gettext("Your %(car)s is now “%(status)s” for %(event)s.", car=car, status=status, event=event)


# -- an organizer adds one entry -------------------------------------------------------------------------------

ORGANIZER_DECISIONS = {"accepted": N_("Accepted"), "applied": N_("Applied (to review with the others)")}
ADD_ENTRY_STATUSES = ("draft", "registration_open", "registration_closed", "judging")


def why_not_add_entry(event: Event) -> str | None:
    """An organizer adds cars until judging ends; once results are certified the field is frozen."""
    if event.status in ADD_ENTRY_STATUSES:
        return None
    return gettext(
        "The results of this event are certified: the field is frozen, so no car can be added. Nothing was saved."
    )


def organizer_entry_form(form: Mapping[str, str]) -> dict[str, str]:
    """The add-an-entry form as the application's fields: the class chosen is the class asked for, and the
    organizer's entry needs no acceptance of the terms by the owner (as an import does)."""
    return dict(form, preferred_class_id=form.get("class_id", ""), terms="on")


async def add_entry(
    session: AsyncSession,
    settings: Settings,
    viewer: Viewer,
    event: Event,
    form: Mapping[str, str],
    uploads: list[photos.Upload] | None = None,
    *,
    photo_problem: str | None = None,
) -> Entry:
    """An organizer enters one car for its owner (the caller loaded ``event`` for its organizer).

    Steps: guard (event status); check every field as the application does, with the decision and class
    (:class:`FormErrors`, nothing written); the owner by e-mail (an existing account and entrant record are
    reused, their details kept and blanks filled in; else created); the car, its photos and the entry (accepted
    with the next free car number, or applied); audit; outbox: the owner's sign-in link when ``tell_owner``."""
    reason = why_not_add_entry(event)
    if reason is not None:
        raise ServiceError(reason)
    errors: dict[str, str] = {}
    decision = (form.get("decision") or "").strip()
    if decision not in ORGANIZER_DECISIONS:
        errors["decision"] = gettext("Choose accepted or applied.")
    app: Application | None = None
    processed: list[photos.Processed] = []
    try:
        app, processed = await _checked(
            session,
            event,
            organizer_entry_form(form),
            uploads or [],
            photo_problem=photo_problem,
            roster=await conflict_declarations.roster_names(session, event, public=False),
        )
    except FormErrors as exc:
        for key, message in exc.errors.items():
            if key == "preferred_class_id":
                errors["class_id"] = gettext("Choose one of the event's classes.")
            elif key == "name" and not (form.get("name") or "").strip():
                errors["name"] = gettext("Enter the owner's name.")
            elif key == "email":
                errors["email"] = gettext("Enter the owner's e-mail address, such as name@example.com.")
            else:
                errors[key] = message
    cls: EventClass | None = None
    if app is not None and app.preferred_class_id is not None:
        cls = await session.get(EventClass, app.preferred_class_id)
    if decision == "accepted" and "class_id" not in errors:
        if cls is None:
            errors["class_id"] = gettext("An accepted car must be placed in a class.")
        elif cls.certified_at is not None:
            errors["class_id"] = gettext(
                "Class %(code)s is certified: reopen it before adding a car to it.", code=cls.code
            )
    if errors or app is None:
        raise FormErrors(errors)
    tell_owner = form.get("tell_owner", "") in ("on", "yes", "1", "true")

    user = await session.scalar(select(User).where(User.email == accounts.normalize_email(app.email)))
    known_owner = user is not None
    if user is None:
        user = await accounts.get_or_create_user(session, app.email, app.name)
    entrant = await session.scalar(select(Entrant).where(Entrant.user_id == user.id))
    if entrant is None:
        entrant = await _new_entrant(session, user, app)
    else:  # an owner we know keeps the details they gave; only blanks are filled in
        entrant.phone = entrant.phone or app.phone
        entrant.city = entrant.city or app.city
        entrant.country = entrant.country or app.country
        entrant.address = entrant.address or app.address
        entrant.postcode = entrant.postcode or app.postcode
    vehicle = Vehicle(entrant_id=entrant.id, year=app.year, make=app.make, model=app.model)
    fill_vehicle(vehicle, app)
    session.add(vehicle)
    await session.flush()
    await photos.store(session, settings, vehicle.id, processed)
    number: int | None = None
    if decision == "accepted":
        top = await session.scalar(select(func.max(Entry.car_number)).where(Entry.event_id == event.id))
        number = (top or 0) + 1
    entry = Entry(
        event_id=event.id,
        vehicle_id=vehicle.id,
        entrant_id=entrant.id,
        preferred_class_id=app.preferred_class_id,
        class_id=cls.id if decision == "accepted" and cls is not None else None,
        status=decision,
        car_number=number,
        decided_at=utcnow() if decision == "accepted" else None,
    )
    session.add(entry)
    await session.flush()
    audit.record(
        session,
        entity_type="entry",
        entity_id=entry.id,
        action="add_by_organizer",
        user_id=viewer.user_id,
        event_id=event.id,
        after={
            "vehicle": f"{app.year} {app.make} {app.model}",
            "entrant_id": entrant.id,
            "owner": "existing" if known_owner else "new",
            "status": decision,
            "class_id": entry.class_id,
            "car_number": number,
            "photos": len(processed),
            "owner_told": tell_owner,
            "declared_conflicts": len(app.declarations),
        },
    )
    await conflict_declarations.record_declarations(session, event, entry, app.declarations, viewer.user_id)
    if tell_owner:
        car = f"{app.year} {app.make} {app.model}"

        def intro() -> str:
            if decision == "accepted" and cls is not None:
                news = gettext(
                    "It is accepted in class %(code)s — %(name)s, with car number %(number)s.",
                    code=cls.code,
                    name=cls.name,
                    number=number,
                )
            elif decision == "accepted":
                news = gettext("It is accepted, with car number %(number)s.", number=number)
            else:
                news = gettext("The selection committee will review it with the other applications.")
            return gettext(
                "The organizers of %(event)s have entered your %(car)s. %(news)s Follow the entry in your portal, "
                "and check the car's details there.",
                event=event.name,
                car=car,
                news=news,
            )

        await accounts.send_login_link(session, settings, user, next_url="/my/", event_id=event.id, intro=intro)
    return entry
