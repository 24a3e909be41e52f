"""CSV import of entries (from another registration tool) and CSV export of the field.

The import checks every row first and imports nothing if any row is wrong, naming each wrong row and column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entrant, Entry, Event, EventClass, User, Vehicle
from concours.domain.spreadsheet import csv_text, unescape_cell
from concours.i18n import gettext
from concours.services import accounts, audit, entries
from concours.services.errors import FormErrors, ServiceError
from concours.services.permissions import Viewer

COLUMNS = (
    "name",
    "email",
    "phone",
    "city",
    "country",
    *entries.VEHICLE_FIELDS,
    "class_code",
    "status",
    "car_number",
)
REQUIRED = ("name", "email", "year", "make", "model", "restoration_state")
EXPORT_EXTRA = ("field_position", "checked_in", "absent_reason")
IMPORT_STATUSES = ("applied", "accepted", "waitlisted", "declined")
MAX_ROWS = 2000
EXAMPLE = {
    "name": "Edith Entrant",
    "email": "edith@example.com",
    "phone": "+44 20 7946 0000",
    "city": "Bath",
    "country": "United Kingdom",
    "year": "1937",
    "make": "Talbot-Lago",
    "model": "T150-C SS",
    "body_style": "Coupé",
    "coachbuilder": "Figoni et Falaschi",
    "chassis_number": "90034",
    "engine_number": "85012",
    "colour": "Silver",
    "restoration_state": "restored",
    "restoration_notes": "2019, by a specialist in Paris",
    "history": "Delivered new in Paris.",
    "prior_awards": "",
    "class_code": "C",
    "status": "accepted",
    "car_number": "",
}


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> str:
    return csv_text(rows, columns)


def template_csv() -> str:
    return _csv([EXAMPLE], COLUMNS)


async def export_csv(session: AsyncSession, event: Event, *, field_only: bool = True) -> str:
    """The field (accepted cars) in class and car-number order; every entry when ``field_only`` is False."""
    query = (
        select(Entry, Vehicle, User.name, User.email, Entrant, EventClass.code)
        .join(Vehicle, Vehicle.id == Entry.vehicle_id)
        .join(Entrant, Entrant.id == Entry.entrant_id)
        .join(User, User.id == Entrant.user_id)
        .outerjoin(EventClass, EventClass.id == Entry.class_id)
        .where(Entry.event_id == event.id)
        .order_by(EventClass.position, Entry.car_number.is_(None), Entry.car_number, Entry.id)
    )
    if field_only:
        query = query.where(Entry.status == "accepted")
    rows = []
    for e, v, name, email, entrant, code in (await session.execute(query)).all():
        rows.append(
            {
                "name": name,
                "email": email,
                "phone": entrant.phone,
                "city": entrant.city,
                "country": entrant.country,
                **entries.vehicle_form(v),
                "class_code": code or "",
                "status": e.status,
                "car_number": str(e.car_number or ""),
                "field_position": e.field_position,
                "checked_in": "yes" if e.checked_in_at else "",
                "absent_reason": e.absent_reason,
            }
        )
    return _csv(rows, COLUMNS + EXPORT_EXTRA)


@dataclass
class ImportRow:
    line: int
    app: entries.Application
    class_id: int | None
    status: str
    car_number: int | None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(gettext("The file is not text in UTF-8; save it from your spreadsheet as “CSV UTF-8”."))


async def check_rows(session: AsyncSession, event: Event, data: bytes) -> list[ImportRow]:
    """Every row checked; FormErrors (``rows``: one line per wrong row and column) if any is wrong."""
    text = _decode(data).replace("\x00", "")
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        records = list(reader)
    except csv.Error as exc:
        raise ServiceError(gettext("The file is not a readable CSV: %(problem)s.", problem=str(exc))) from exc
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FormErrors(
            {
                "file": gettext(
                    "The header row lacks the column(s) %(columns)s. Use the template.", columns=", ".join(missing)
                )
            }
        )
    if not records:
        raise FormErrors({"file": gettext("The file has a header but no entries.")})
    if len(records) > MAX_ROWS:
        raise FormErrors({"file": gettext("At most %(max)s rows at a time.", max=MAX_ROWS)})
    classes = {
        c.code.lower(): c.id
        for c in (await session.scalars(select(EventClass).where(EventClass.event_id == event.id))).all()
    }
    taken_numbers = set(
        (
            await session.scalars(
                select(Entry.car_number).where(Entry.event_id == event.id, Entry.car_number.isnot(None))
            )
        ).all()
    )
    taken_chassis = {
        c.lower()
        for c in (
            await session.scalars(
                select(func.lower(Vehicle.chassis_number))
                .join(Entry, Entry.vehicle_id == Vehicle.id)
                .where(Entry.event_id == event.id, Entry.status != "withdrawn", Vehicle.chassis_number != "")
            )
        ).all()
    }
    problems: list[str] = []
    out: list[ImportRow] = []
    seen_chassis: dict[str, int] = {}
    seen_numbers: dict[int, int] = {}
    for n, raw in enumerate(records, start=2):  # line 1 is the header
        rec = {(k or "").strip().lower(): (unescape_cell(v) if isinstance(v, str) else "") for k, v in raw.items()}
        row_errors: dict[str, str] = {}
        code = rec.get("class_code", "").strip()
        class_id: int | None = None
        if code:
            class_id = classes.get(code.lower())
            if class_id is None:
                row_errors["class_code"] = gettext("no class “%(code)s” at this event", code=code)
        form = dict(rec, terms="on", preferred_class_id=str(class_id or ""))
        try:
            app = entries.parse_application(form, event, set(classes.values()))
        except FormErrors as exc:
            app = None
            for key, msg in exc.errors.items():
                row_errors.setdefault("class_code" if key == "preferred_class_id" else key, msg)
        status = (rec.get("status") or "applied").strip().lower()
        if status not in IMPORT_STATUSES:
            row_errors["status"] = gettext(
                "“%(status)s” is not one of %(statuses)s", status=status, statuses=", ".join(IMPORT_STATUSES)
            )
        elif status == "accepted" and class_id is None and "class_code" not in row_errors:
            row_errors["class_code"] = gettext("an accepted car needs a class")
        number: int | None = None
        raw_number = (rec.get("car_number") or "").strip()
        if raw_number:
            if not raw_number.isdecimal() or not 0 < int(raw_number) < 100000:
                row_errors["car_number"] = gettext("a car number is a positive whole number")
            else:
                number = int(raw_number)
                if number in taken_numbers:
                    row_errors["car_number"] = gettext(
                        "car number %(number)s is already taken at this event", number=number
                    )
                elif number in seen_numbers:
                    row_errors["car_number"] = gettext(
                        "car number %(number)s is also on row %(row)s", number=number, row=seen_numbers[number]
                    )
                else:
                    seen_numbers[number] = n
        if app is not None and app.chassis_number:
            key = app.chassis_number.lower()
            if key in taken_chassis:
                row_errors["chassis_number"] = gettext(
                    "chassis %(chassis)s has already applied to this event", chassis=app.chassis_number
                )
            elif key in seen_chassis:
                row_errors["chassis_number"] = gettext(
                    "chassis %(chassis)s is also on row %(row)s", chassis=app.chassis_number, row=seen_chassis[key]
                )
            else:
                seen_chassis[key] = n
        for column, msg in row_errors.items():
            problems.append(
                gettext("Row %(row)s, column %(column)s: %(problem)s.", row=n, column=column, problem=msg.rstrip("."))
            )
        if not row_errors and app is not None:
            out.append(ImportRow(n, app, class_id, status, number))
    if problems:
        raise FormErrors({"rows": "\n".join(problems)})
    return out


async def import_csv(session: AsyncSession, viewer: Viewer, event: Event, data: bytes) -> int:
    """Check every row, then import them all in this transaction (or none)."""
    rows = await check_rows(session, event, data)
    emails = {r.app.email.lower() for r in rows}
    users = {u.email: u for u in (await session.scalars(select(User).where(User.email.in_(emails)))).all()}
    entrants = {
        e.user_id: e
        for e in (
            await session.scalars(select(Entrant).where(Entrant.user_id.in_([u.id for u in users.values()])))
        ).all()
    }
    for r in rows:
        email = accounts.normalize_email(r.app.email)
        user = users.get(email)
        if user is None:
            user = User(email=email, name=r.app.name)
            session.add(user)
            await session.flush()
            users[email] = user
        entrant = entrants.get(user.id)
        if entrant is None:
            entrant = Entrant(user_id=user.id, phone=r.app.phone, city=r.app.city, country=r.app.country)
            session.add(entrant)
            await session.flush()
            entrants[user.id] = entrant
        vehicle = Vehicle(entrant_id=entrant.id, year=r.app.year, make=r.app.make, model=r.app.model)
        entries.fill_vehicle(vehicle, r.app)
        session.add(vehicle)
        await session.flush()
        entry = Entry(
            event_id=event.id,
            vehicle_id=vehicle.id,
            entrant_id=entrant.id,
            preferred_class_id=r.class_id,
            class_id=r.class_id if r.status == "accepted" else None,
            status=r.status,
            car_number=r.car_number,
        )
        session.add(entry)
    await session.flush()
    audit.record(
        session,
        entity_type="event",
        entity_id=event.id,
        action="import_entries",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"rows": len(rows)},
    )
    return len(rows)
