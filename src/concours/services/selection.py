"""Selection and the field: the review queue, decisions on many entries, classes combined or split, car numbers
in class order, field positions and the check-in on the day.

Who is judged: an accepted car in a class, unless it was marked absent at check-in. A car not yet checked in is
still judged (and shown as "not checked in"): the check-in desk is often behind the judges on the lawn, and an
organizer excludes a car explicitly, with a reason, by marking it absent. :func:`in_judging` is that rule as a SQL
condition, and :func:`is_judged` as a Python test, for the judging and results code to call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entrant, Entry, Event, EventClass, User, Vehicle, VehiclePhoto, utcnow
from concours.domain.states import ENTRY_STATUSES, TransitionError, check_entry_transition
from concours.i18n import N_, gettext
from concours.services import audit, entries, photos
from concours.services.errors import FormErrors, ServiceError
from concours.services.permissions import Viewer

DECISIONS = ("accepted", "waitlisted", "declined")
# Each entry status as the organizer reads it (translated where shown).
STATUS_LABELS = {
    "applied": N_("Applied"),
    "accepted": N_("Accepted"),
    "waitlisted": N_("Waitlisted"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
}


def in_judging() -> ColumnElement[bool]:
    """The entries judges see and results rank: accepted, and not marked absent."""
    return and_(Entry.status == "accepted", Entry.absent_reason == "")


def is_judged(entry: Entry) -> bool:
    return entry.status == "accepted" and not entry.absent_reason


def era_of(year: int) -> str:
    return f"{year // 10 * 10}s"


# One page of the review queue: the page weighs the same at 60 cars and at 600.
PAGE_SIZE = 50
MAX_SEARCH = 100


@dataclass
class QueueFilters:
    status: str = ""
    class_id: int | None = None
    make: str = ""
    era: str = ""
    q: str = ""  # a car number, or part of the owner's name or e-mail, the make or the model
    page: int = 1

    @classmethod
    def parse(
        cls,
        status: str | None,
        class_id: str | None,
        make: str | None,
        era: str | None,
        q: str | None = None,
        page: str | None = None,
    ) -> QueueFilters:
        cid: int | None = None
        if class_id and class_id.isdecimal() and len(class_id) < 10:
            cid = int(class_id)
        era_value = era if era and len(era) == 5 and era[:4].isdecimal() and era.endswith("s") else ""
        number = int(page) if page and page.isdecimal() and len(page) < 7 else 1
        return cls(
            status=status if status in ENTRY_STATUSES else "",
            class_id=cid,
            make=(make or "").strip()[:100],
            era=era_value,
            q=" ".join((q or "").split())[:MAX_SEARCH],
            page=max(1, number),
        )

    @classmethod
    def from_query(cls, query: str) -> QueueFilters:
        """The filters of a list's query string (kept in a form so that a decision returns to the same list)."""
        values = {k: v[0] for k, v in parse_qs(query[:1000]).items()}
        return cls.parse(*(values.get(k) for k in ("status", "class_id", "make", "era", "q", "page")))

    @property
    def active(self) -> bool:
        return bool(self.status or self.class_id or self.make or self.era or self.q)

    def params(self, **changes: object) -> dict[str, str]:
        """The query parameters of these filters with ``changes`` (e.g. ``page=2``), empty ones left out."""
        values: dict[str, object] = {
            "status": self.status,
            "class_id": self.class_id or "",
            "make": self.make,
            "era": self.era,
            "q": self.q,
            "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in ("", None) and not (k == "page" and str(v) == "1")}

    def query(self, **changes: object) -> str:
        return urlencode(self.params(**changes))


@dataclass
class QueueRow:
    entry: Entry
    vehicle: Vehicle
    owner: str
    email: str
    class_code: str
    preferred_code: str
    photos: list[VehiclePhoto] = field(default_factory=list)


@dataclass
class Queue:
    rows: list[QueueRow]
    makes: list[str]
    eras: list[str]
    counts: dict[str, int]  # entries per status, under the other filters
    class_counts: dict[int, int] = field(default_factory=dict)  # entries per class, under the other filters
    total: int = 0  # entries matching every filter
    page: int = 1
    pages: int = 1

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * PAGE_SIZE)


def _search(q: str) -> ColumnElement[bool]:
    """A car number (``12`` or ``#12``), or words each found in the owner's name or e-mail, the make or model."""
    number = q.lstrip("#")
    words = [
        or_(
            *(
                func.lower(col).contains(word.lower(), autoescape=True)
                for col in (User.name, User.email, Vehicle.make, Vehicle.model)
            )
        )
        for word in q.split()
    ]
    if number.isdecimal() and len(number) < 9:
        return or_(Entry.car_number == int(number), and_(*words))
    return and_(*words)


def _queue_conditions(
    event: Event, filters: QueueFilters, *, status: bool = True, cls: bool = True
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Entry.event_id == event.id]
    if status and filters.status:
        where.append(Entry.status == filters.status)
    if cls and filters.class_id is not None:
        where.append(or_(Entry.class_id == filters.class_id, Entry.preferred_class_id == filters.class_id))
    if filters.make:
        where.append(func.lower(Vehicle.make) == filters.make.lower())
    if filters.era:
        start = int(filters.era[:4])
        where.extend([Vehicle.year >= start, Vehicle.year < start + 10])
    if filters.q:
        where.append(_search(filters.q))
    return where


def _count_by(column: Any) -> Select[tuple[Any, int]]:
    """Entries counted per ``column`` (one aggregate), joined to what the filters look at."""
    return (
        select(column, func.count(Entry.id))
        .select_from(Entry)
        .join(Vehicle, Vehicle.id == Entry.vehicle_id)
        .join(Entrant, Entrant.id == Entry.entrant_id)
        .join(User, User.id == Entrant.user_id)
    )


async def review_queue(
    session: AsyncSession, event: Event, filters: QueueFilters, *, focus: int | None = None
) -> Queue:
    """One page of an event's entries with their cars and photos, filtered, with the counts per status and per
    class under the other filters: five queries whatever the size (``focus``, an entry whose form was refused,
    is shown first even when the filters or the page would leave it out: one more query)."""
    cls_alias = EventClass.__table__.alias("cls")
    pref_alias = EventClass.__table__.alias("pref")
    counts: dict[str, int] = dict(
        (
            await session.execute(
                _count_by(Entry.status).where(*_queue_conditions(event, filters, status=False)).group_by(Entry.status)
            )
        )
        .tuples()
        .all()
    )
    total = counts.get(filters.status, 0) if filters.status else sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    query = (
        select(Entry, Vehicle, User.name, User.email, cls_alias.c.code, pref_alias.c.code)
        .join(Vehicle, Vehicle.id == Entry.vehicle_id)
        .join(Entrant, Entrant.id == Entry.entrant_id)
        .join(User, User.id == Entrant.user_id)
        .outerjoin(cls_alias, cls_alias.c.id == Entry.class_id)
        .outerjoin(pref_alias, pref_alias.c.id == Entry.preferred_class_id)
    )
    listed = query.where(*_queue_conditions(event, filters)).order_by(
        Entry.car_number.is_(None), Entry.car_number, Entry.id
    )
    found = (await session.execute(listed.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))).all()
    if focus is not None and all(e.id != focus for e, *_ in found):
        found = [*(await session.execute(query.where(Entry.event_id == event.id, Entry.id == focus))).all(), *found]
    rows = [
        QueueRow(entry=e, vehicle=v, owner=name, email=email, class_code=code or "", preferred_code=pref or "")
        for e, v, name, email, code, pref in found
    ]
    by_vehicle = await photos.photos_by_vehicle(session, [r.vehicle.id for r in rows])
    for r in rows:
        r.photos = by_vehicle.get(r.vehicle.id, [])
    class_counts: dict[int, int] = dict(
        (
            await session.execute(
                _count_by(EventClass.id)
                .join(
                    EventClass,
                    or_(EventClass.id == Entry.class_id, EventClass.id == Entry.preferred_class_id),
                )
                .where(*_queue_conditions(event, filters, cls=False))
                .group_by(EventClass.id)
            )
        )
        .tuples()
        .all()
    )
    facets = (
        await session.execute(
            select(Vehicle.make, Vehicle.year)
            .join(Entry, Entry.vehicle_id == Vehicle.id)
            .where(Entry.event_id == event.id)
            .distinct()
        )
    ).all()
    return Queue(
        rows=rows,
        makes=sorted({m for m, _ in facets}, key=str.lower),
        eras=sorted({era_of(y) for _, y in facets}),
        counts=counts,
        class_counts=class_counts,
        total=total,
        page=page,
        pages=pages,
    )


async def _event_entries(session: AsyncSession, event: Event, ids: Sequence[int]) -> list[Entry]:
    if not ids:
        return []
    return list(
        (
            await session.scalars(select(Entry).where(Entry.event_id == event.id, Entry.id.in_(ids)).order_by(Entry.id))
        ).all()
    )


def parse_ids(values: Sequence[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdecimal() and 0 < len(v) < 10})


async def decide_many(
    session: AsyncSession,
    viewer: Viewer,
    event: Event,
    entry_ids: Sequence[int],
    *,
    status: str,
    class_id: str = "",
    message: str = "",
) -> int:
    """Accept, waitlist or decline several entries at once; all or nothing, each entrant e-mailed."""
    if status not in DECISIONS:
        raise FormErrors({"bulk_status": gettext("Choose accept, waitlist or decline.")})
    chosen = await _event_entries(session, event, entry_ids)
    if not chosen:
        raise FormErrors({"bulk": gettext("Tick at least one entry first.")})
    problems = []
    for e in chosen:
        if e.status == status:
            continue
        try:
            check_entry_transition(e.status, status)
        except TransitionError as exc:
            problems.append(gettext("entry %(id)s: %(problem)s", id=e.id, problem=str(exc)))
        if status == "accepted" and not class_id and e.class_id is None and e.preferred_class_id is None:
            problems.append(gettext("entry %(id)s has no class: choose the class to accept them into", id=e.id))
    if problems:
        raise FormErrors({"bulk": gettext("Nothing was changed: %(problems)s.", problems="; ".join(problems))})
    for e in chosen:
        cid = class_id or str(e.class_id or e.preferred_class_id or "")
        try:
            await entries.decide(session, viewer, e, status=status, class_id=cid, message=message)
        except FormErrors as exc:
            problem = " ".join(exc.errors.values())
            raise FormErrors(
                {"bulk": gettext("Nothing was changed: entry %(id)s: %(problem)s", id=e.id, problem=problem)}
            ) from exc
    return len(chosen)


async def move_to_class(
    session: AsyncSession, viewer: Viewer, event: Event, entry_ids: Sequence[int], class_id: str
) -> int:
    """Put these entries in another class (how a class is split): their status and car numbers are kept."""
    target = await _class_of(session, event, class_id, "move_class_id")
    chosen = await _event_entries(session, event, entry_ids)
    if not chosen:
        raise FormErrors({"bulk": gettext("Tick at least one entry first.")})
    for e in chosen:
        if e.class_id != target.id:
            audit.record_change(
                session,
                entity_type="entry",
                entity_id=e.id,
                action="move_class",
                user_id=viewer.user_id,
                event_id=event.id,
                before={"class_id": e.class_id},
                after={"class_id": target.id},
            )
            e.class_id = target.id
    return len(chosen)


async def _class_of(session: AsyncSession, event: Event, class_id: str, field_name: str) -> EventClass:
    cls = None
    if class_id.isdecimal() and len(class_id) < 10:
        cls = await session.get(EventClass, int(class_id))
    if cls is None or cls.event_id != event.id:
        raise FormErrors({field_name: gettext("Choose a class of this event.")})
    if cls.certified_at is not None:
        raise FormErrors({field_name: gettext("Class %(code)s is certified; its cars cannot change.", code=cls.code)})
    return cls


async def combine_classes(session: AsyncSession, viewer: Viewer, event: Event, source_id: str, target_id: str) -> int:
    """Every entry of the source class (and every application preferring it) goes to the target class."""
    source = await _class_of(session, event, source_id, "combine_from")
    target = await _class_of(session, event, target_id, "combine_into")
    if source.id == target.id:
        raise FormErrors({"combine_into": gettext("Choose two different classes.")})
    moved = (await session.scalars(select(Entry.id).where(Entry.class_id == source.id))).all()
    await session.execute(update(Entry).where(Entry.class_id == source.id).values(class_id=target.id))
    await session.execute(
        update(Entry).where(Entry.preferred_class_id == source.id).values(preferred_class_id=target.id)
    )
    audit.record(
        session,
        entity_type="event_class",
        entity_id=source.id,
        action="combine_classes",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"class": source.code, "entries": list(moved)},
        after={"into": target.code},
    )
    return len(moved)


async def number_by_class(session: AsyncSession, viewer: Viewer, event: Event, *, start: int = 1) -> int:
    """Car numbers 1, 2, 3 … for the accepted cars, in class order (then by model year); others lose theirs."""
    rows = (
        await session.execute(
            select(Entry)
            .join(EventClass, EventClass.id == Entry.class_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .where(Entry.event_id == event.id, Entry.status == "accepted")
            .order_by(EventClass.position, EventClass.code, Vehicle.year, Entry.id)
        )
    ).scalars()
    ordered = list(rows)
    before = {e.id: e.car_number for e in ordered}
    # Clear first, so the unique (event, car number) key never sees two cars on one number mid-way.
    await session.execute(update(Entry).where(Entry.event_id == event.id).values(car_number=None))
    await session.flush()
    for n, e in enumerate(ordered, start=start):
        e.car_number = n
    await session.flush()
    audit.record_change(
        session,
        entity_type="event",
        entity_id=event.id,
        action="number_cars",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"numbers": {str(k): v for k, v in before.items()}},
        after={"numbers": {str(e.id): e.car_number for e in ordered}},
    )
    await entries.notify_number_changes(session, {e.id: (before[e.id], e.car_number) for e in ordered})
    return len(ordered)


@dataclass
class FieldRow:
    entry: Entry
    vehicle: Vehicle
    owner: str
    class_code: str
    class_name: str


async def field_rows(session: AsyncSession, event: Event) -> list[FieldRow]:
    """The accepted cars in class and car-number order, for the field and the check-in desk."""
    rows = (
        await session.execute(
            select(Entry, Vehicle, User.name, EventClass.code, EventClass.name)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .outerjoin(EventClass, EventClass.id == Entry.class_id)
            .where(Entry.event_id == event.id, Entry.status == "accepted")
            .order_by(EventClass.position, EventClass.code, Entry.car_number.is_(None), Entry.car_number, Entry.id)
        )
    ).all()
    return [FieldRow(e, v, owner, code or "", name or "") for e, v, owner, code, name in rows]


async def update_field(
    session: AsyncSession, viewer: Viewer, entry: Entry, *, action: str, field_position: str = "", reason: str = ""
) -> None:
    """On the day: check a car in, mark it absent (with a reason: it is then out of judging), or set its place."""
    if entry.status != "accepted":
        raise ServiceError("Only accepted cars are on the field.")
    if action in ("absent", "present", "check_in") and entry.class_id is not None:
        cls = await session.get(EventClass, entry.class_id)
        if cls is not None and cls.certified_at is not None and (action == "absent") != bool(entry.absent_reason):
            raise ServiceError(f"Class {cls.code} is certified: reopen it before changing who was judged.")
    before = {
        "checked_in": entry.checked_in_at is not None,
        "absent_reason": entry.absent_reason,
        "field_position": entry.field_position,
    }
    if action == "check_in":
        entry.checked_in_at = entry.checked_in_at or utcnow()
        entry.absent_reason = ""
    elif action == "undo_check_in":
        entry.checked_in_at = None
    elif action == "absent":
        reason = " ".join(reason.split())[:200]
        if not reason:
            raise FormErrors({"reason": "Say why the car is absent; judges and the results show it."})
        entry.absent_reason = reason
        entry.checked_in_at = None
    elif action == "present":
        entry.absent_reason = ""
    elif action == "position":
        position = " ".join(field_position.split())
        if len(position) > 50:
            raise FormErrors({"field_position": "At most 50 characters."})
        entry.field_position = position
    else:
        raise ServiceError("Unknown field action.")
    audit.record_change(
        session,
        entity_type="entry",
        entity_id=entry.id,
        action=f"field_{action}",
        user_id=viewer.user_id,
        event_id=entry.event_id,
        before=before,
        after={
            "checked_in": entry.checked_in_at is not None,
            "absent_reason": entry.absent_reason,
            "field_position": entry.field_position,
        },
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def deadline_local(event: Event) -> datetime | None:
    """The application deadline in the event's time zone (None: no deadline)."""
    if event.registration_closes_at is None:
        return None
    return event.registration_closes_at.astimezone(_zone(event.timezone))


def registration_form(event: Event) -> dict[str, str]:
    closes = ""
    if event.registration_closes_at is not None:
        closes = event.registration_closes_at.astimezone(_zone(event.timezone)).strftime("%Y-%m-%dT%H:%M")
    return {
        "registration_closes_at": closes,
        "max_photos": str(event.max_photos),
        "history_max_chars": str(event.history_max_chars),
        "terms_text": event.terms_text,
    }


async def update_registration(session: AsyncSession, viewer: Viewer, event: Event, form: dict[str, str]) -> None:
    """The application deadline (in the event's time zone), photos per car, history length and the terms."""
    errors: dict[str, str] = {}
    closes_at: datetime | None = None
    raw = form.get("registration_closes_at", "").strip()
    if raw:
        try:
            closes_at = datetime.fromisoformat(raw).replace(tzinfo=_zone(event.timezone)).astimezone(UTC)
            if not 2000 <= closes_at.year <= 2100:
                raise ValueError(raw)
        except (ValueError, OverflowError):
            errors["registration_closes_at"] = gettext("Enter a date and time, e.g. 2027-05-01 23:59.")
    numbers: dict[str, int] = {}
    for key, low, high, problem in (
        ("max_photos", 0, 20, N_("Photos per car is a whole number from %(low)s to %(high)s.")),
        ("history_max_chars", 100, 20000, N_("The history limit is a whole number from %(low)s to %(high)s.")),
    ):
        value = form.get(key, "").strip()
        if not value.isdecimal() or not low <= int(value) <= high:
            errors[key] = gettext(problem, low=low, high=high)
        else:
            numbers[key] = int(value)
    terms = form.get("terms_text", "").strip()
    if len(terms) > 5000:
        errors["terms_text"] = gettext("At most 5000 characters.")
    if errors:
        raise FormErrors(errors)
    before = registration_form(event)
    event.registration_closes_at = closes_at
    event.max_photos = numbers["max_photos"]
    event.history_max_chars = numbers["history_max_chars"]
    event.terms_text = terms
    audit.record_change(
        session,
        entity_type="event",
        entity_id=event.id,
        action="registration_settings",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after=registration_form(event),
    )
