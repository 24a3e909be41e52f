"""Placings sheets: a judge (or the team's captain, for the team's consensus) orders a class's cars.

A placings sheet is a ranking, not line autosaves: every change sends the whole order (or one car's
note), so a change applied twice, or replayed from the tablet's offline queue, leaves the same sheet.
The tablet queues changes in order (``static/js/concours.js`` and ``static/js/placings.js``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import (
    Conflict as ConflictRow,
)
from concours.db import (
    Entry,
    Event,
    EventClass,
    Judge,
    PlacingLine,
    PlacingSheet,
    Team,
    TeamMember,
    User,
    Vehicle,
    utcnow,
)
from concours.db.upsert import insert_ignore
from concours.domain.placings import GUIDANCE, PlacingError, Ranking, agreement, agreement_words, check_order
from concours.domain.states import judging_open
from concours.i18n import gettext
from concours.services import audit
from concours.services.class_systems import judging_of, method_of_class, methods_of_classes
from concours.services.errors import Conflict, Forbidden, NotFound, ServiceError
from concours.services.permissions import Viewer, conflict_binds, require, why_not_judge, why_not_run_judging

NOTE_MAX = 2000


@dataclass
class PlacingCar:
    entry_id: int
    car_number: int | None
    title: str
    field_position: str
    position: int | None
    note: str


@dataclass
class PlacingSheetView:
    class_id: int
    class_code: str
    class_name: str
    event_name: str
    team_mode: bool
    team_name: str
    cars: list[PlacingCar]
    status: str = "not_started"  # not_started | in_progress | submitted
    version: int = 0
    overall_comment: str = ""
    locked_reason: str = ""
    may_edit: bool = True  # team mode: only the captain records the consensus
    excluded: list[str] = field(default_factory=list)
    guidance: tuple[tuple[str, str], ...] = GUIDANCE

    @property
    def editable(self) -> bool:
        return self.status != "submitted" and not self.locked_reason and self.may_edit

    @property
    def order_text(self) -> str:
        return ",".join(str(c.entry_id) for c in self.cars)


@dataclass(frozen=True)
class _Seat:
    team_id: int
    team_name: str
    is_captain: bool
    has_captain: bool
    team_mode: bool

    @property
    def may_edit(self) -> bool:
        return not self.team_mode or self.is_captain or not self.has_captain


async def class_for_judge(session: AsyncSession, viewer: Viewer, class_id: int) -> tuple[EventClass, Event]:
    """A placings class the viewer judges (404 when not a placings class, 403 when not on its team)."""
    require(why_not_judge(viewer))
    row = (
        await session.execute(
            select(EventClass, Event).join(Event, Event.id == EventClass.event_id).where(EventClass.id == class_id)
        )
    ).first()
    if row is None or await method_of_class(session, class_id) != "placings":
        raise NotFound(gettext("There is no placings sheet for this class."))
    return row[0], row[1]


async def _seat(session: AsyncSession, judge_id: int, cls: EventClass, event: Event) -> _Seat:
    row = (
        await session.execute(
            select(TeamMember, Team.name)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.class_id == cls.id, TeamMember.judge_id == judge_id)
        )
    ).first()
    if row is None:
        raise Forbidden(gettext("You are not on the judging team of this class."))
    member, team_name = row
    class_conflict = await session.scalar(
        select(ConflictRow.id)
        .where(ConflictRow.judge_id == judge_id, ConflictRow.class_id == cls.id, conflict_binds())
        .limit(1)
    )
    if class_conflict:
        raise Forbidden(gettext("You have a declared conflict with this class."))
    has_captain = bool(
        await session.scalar(
            select(func.count())
            .select_from(TeamMember)
            .where(TeamMember.team_id == member.team_id, TeamMember.is_captain.is_(True))
        )
    )
    mode = (await judging_of(session, event, cls)).system.sheet_mode
    return _Seat(member.team_id, team_name or f"Class {cls.code}", member.is_captain, has_captain, mode == "team")


async def _cars(session: AsyncSession, cls: EventClass, judge_id: int) -> tuple[list[PlacingCar], list[str]]:
    """The class's cars this judge places (accepted, present), and the cars left out for a conflict."""
    rows = (
        await session.execute(
            select(
                Entry.id,
                Entry.entrant_id,
                Entry.car_number,
                Entry.field_position,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
            )
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .where(Entry.class_id == cls.id, Entry.status == "accepted", Entry.absent_reason == "")
            .order_by(Entry.car_number, Entry.id)
        )
    ).all()
    conflicts = (
        await session.execute(
            select(ConflictRow.entry_id, ConflictRow.entrant_id).where(
                ConflictRow.judge_id == judge_id, conflict_binds()
            )
        )
    ).all()
    no_entries = {c.entry_id for c in conflicts if c.entry_id}
    no_entrants = {c.entrant_id for c in conflicts if c.entrant_id}
    cars, excluded = [], []
    for r in rows:
        title = f"{r.year} {r.make} {r.model}"
        if r.id in no_entries or r.entrant_id in no_entrants:
            excluded.append(f"#{r.car_number} {title}")
            continue
        cars.append(PlacingCar(r.id, r.car_number, title, r.field_position or "", None, ""))
    return cars, excluded


def _sheet_filter(seat: _Seat, cls: EventClass, judge_id: int) -> list[ColumnElement[bool]]:
    if seat.team_mode:
        return [PlacingSheet.class_id == cls.id, PlacingSheet.team_id == seat.team_id, PlacingSheet.judge_id.is_(None)]
    return [PlacingSheet.class_id == cls.id, PlacingSheet.judge_id == judge_id]


def _lock_reason(event: Event, cls: EventClass) -> str:
    if cls.certified_at is not None:
        return gettext("The class is certified: its sheets are locked.")
    if not judging_open(event.status):
        return gettext("Judging is not open for this event.")
    return ""


async def sheet_view(session: AsyncSession, viewer: Viewer, cls: EventClass, event: Event) -> PlacingSheetView:
    """The judge's placings sheet: the cars in the order saved so far (cars not yet placed last)."""
    assert viewer.judge_id is not None
    seat = await _seat(session, viewer.judge_id, cls, event)
    cars, excluded = await _cars(session, cls, viewer.judge_id)
    sheet = await session.scalar(
        select(PlacingSheet).options(selectinload(PlacingSheet.lines)).where(*_sheet_filter(seat, cls, viewer.judge_id))
    )
    view = PlacingSheetView(
        cls.id,
        cls.code,
        cls.name,
        event.name,
        seat.team_mode,
        seat.team_name,
        cars,
        locked_reason=_lock_reason(event, cls),
        may_edit=seat.may_edit,
        excluded=excluded,
    )
    if sheet is not None:
        lines = {ln.entry_id: ln for ln in sheet.lines}
        for car in cars:
            if car.entry_id in lines:
                car.position, car.note = lines[car.entry_id].position, lines[car.entry_id].note
        view.cars = sorted(cars, key=lambda c: (c.position is None, c.position or 0, c.car_number or 0, c.entry_id))
        view.version, view.overall_comment = sheet.version, sheet.overall_comment
        view.status = (
            "submitted" if sheet.status == "submitted" else ("in_progress" if sheet.version else "not_started")
        )
    return view


async def _open(session: AsyncSession, viewer: Viewer, cls: EventClass, event: Event) -> tuple[PlacingSheet, _Seat]:
    assert viewer.judge_id is not None
    reason = _lock_reason(event, cls)
    if reason:
        raise Conflict(reason)
    seat = await _seat(session, viewer.judge_id, cls, event)
    if not seat.may_edit:
        raise Forbidden(gettext("The team's captain records the team's consensus order."))
    await insert_ignore(
        session,
        PlacingSheet,
        {
            "class_id": cls.id,
            "judge_id": None if seat.team_mode else viewer.judge_id,
            "team_id": seat.team_id if seat.team_mode else None,
            "status": "draft",
            "version": 0,
            "overall_comment": "",
            "created_at": utcnow(),
            "updated_at": utcnow(),
        },
    )
    sheet = await session.scalar(
        select(PlacingSheet)
        .options(selectinload(PlacingSheet.lines))
        .execution_options(populate_existing=True)
        .where(*_sheet_filter(seat, cls, viewer.judge_id))
        .with_for_update(of=PlacingSheet)
    )
    assert sheet is not None
    if sheet.status == "submitted":
        raise Conflict(gettext("This order is submitted and signed; only the chief judge can reopen it."))
    return sheet, seat


def parse_order(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > 500 or not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in parts):
        raise ServiceError(gettext("This order is malformed; reload the page."), field="order")
    return [int(p) for p in parts]


def _apply_order(sheet: PlacingSheet, order: list[int]) -> None:
    lines = {ln.entry_id: ln for ln in sheet.lines}
    for position, entry_id in enumerate(order, start=1):
        if entry_id in lines:
            lines[entry_id].position = position
        else:
            sheet.lines.append(PlacingLine(entry_id=entry_id, position=position, note=""))
    placed = set(order)
    for ln in list(sheet.lines):
        if ln.entry_id not in placed:  # a car withdrawn or now conflicted since the last save
            sheet.lines.remove(ln)


async def save_order(
    session: AsyncSession, viewer: Viewer, cls: EventClass, event: Event, *, order: str, device: str
) -> None:
    """Save the judge's whole order of the class (best first). Idempotent: a replay changes nothing."""
    sheet, _ = await _open(session, viewer, cls, event)
    assert viewer.judge_id is not None
    cars, _ = await _cars(session, cls, viewer.judge_id)
    try:
        placed = list(check_order(parse_order(order), [c.entry_id for c in cars]))
    except PlacingError as exc:
        raise ServiceError(str(exc), field="order") from exc
    before = [ln.entry_id for ln in sorted(sheet.lines, key=lambda ln: ln.position)]
    if before == placed:
        return
    _apply_order(sheet, placed)
    sheet.version += 1
    sheet.entered_by_id = viewer.user_id
    audit.record(
        session,
        entity_type="placing_sheet",
        entity_id=sheet.id,
        action="order",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"order": before},
        after={"order": placed},
        device=device,
    )


async def save_note(
    session: AsyncSession,
    viewer: Viewer,
    cls: EventClass,
    event: Event,
    *,
    entry_id: int,
    note: str,
    device: str,
) -> None:
    """Save the note for one car's owner (the car keeps its place; an unplaced car goes last)."""
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(
            gettext("The note is %(n)s characters; keep it under %(max)s.", n=len(note), max=NOTE_MAX), field="note"
        )
    sheet, _ = await _open(session, viewer, cls, event)
    assert viewer.judge_id is not None
    cars, _ = await _cars(session, cls, viewer.judge_id)
    if entry_id not in {c.entry_id for c in cars}:
        raise ServiceError(gettext("That car is not on your placings sheet."), field="note")
    line = next((ln for ln in sheet.lines if ln.entry_id == entry_id), None)
    if line is None:
        # The first change of a sheet: the cars as shown (car-number order) become the order.
        order = [ln.entry_id for ln in sorted(sheet.lines, key=lambda ln: ln.position)]
        order += [c.entry_id for c in cars if c.entry_id not in order]
        _apply_order(sheet, order)
        line = next(ln for ln in sheet.lines if ln.entry_id == entry_id)
    if line.note == note:
        return
    before = line.note
    line.note = note
    sheet.version += 1
    sheet.entered_by_id = viewer.user_id
    audit.record(
        session,
        entity_type="placing_sheet",
        entity_id=sheet.id,
        action="note",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"entry_id": entry_id, "note": before},
        after={"entry_id": entry_id, "note": note},
        device=device,
    )


async def save_comment(
    session: AsyncSession, viewer: Viewer, cls: EventClass, event: Event, *, comment: str, device: str
) -> None:
    comment = comment.strip()
    if len(comment) > NOTE_MAX:
        raise ServiceError(
            gettext("The comment is %(n)s characters; keep it under %(max)s.", n=len(comment), max=NOTE_MAX),
            field="comment",
        )
    sheet, _ = await _open(session, viewer, cls, event)
    if sheet.overall_comment == comment:
        return
    before = sheet.overall_comment
    sheet.overall_comment = comment
    sheet.version += 1
    audit.record(
        session,
        entity_type="placing_sheet",
        entity_id=sheet.id,
        action="comment",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"comment": before},
        after={"comment": comment},
        device=device,
    )


async def submit(
    session: AsyncSession, viewer: Viewer, cls: EventClass, event: Event, *, order: str, device: str
) -> None:
    """Save the order as shown and sign the sheet; every car must be placed."""
    if order.strip():
        await save_order(session, viewer, cls, event, order=order, device=device)
    sheet, seat = await _open(session, viewer, cls, event)
    assert viewer.judge_id is not None
    cars, _ = await _cars(session, cls, viewer.judge_id)
    if not cars:
        raise ServiceError(gettext("There is no car for you to place in this class."))
    try:
        check_order([ln.entry_id for ln in sorted(sheet.lines, key=lambda ln: ln.position)], [c.entry_id for c in cars])
    except PlacingError as exc:
        raise ServiceError(str(exc)) from exc
    sheet.status = "submitted"
    sheet.submitted_at = utcnow()
    sheet.version += 1
    audit.record(
        session,
        entity_type="placing_sheet",
        entity_id=sheet.id,
        action="submit",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"status": "submitted", "team": seat.team_mode},
        device=device,
    )


@dataclass(frozen=True)
class SubmittedOrder:
    sheet_id: int
    class_id: int
    ranker: str
    order: tuple[int, ...]
    notes: dict[int, str]


async def submitted_orders(session: AsyncSession, class_ids: list[int]) -> dict[int, list[SubmittedOrder]]:
    """Every submitted placings sheet of these classes (two queries), with its order over accepted cars."""
    if not class_ids:
        return {}
    sheets = (
        await session.execute(
            select(PlacingSheet.id, PlacingSheet.class_id, User.name, Team.name)
            .outerjoin(Judge, Judge.id == PlacingSheet.judge_id)
            .outerjoin(User, User.id == Judge.user_id)
            .outerjoin(Team, Team.id == PlacingSheet.team_id)
            .where(PlacingSheet.class_id.in_(class_ids), PlacingSheet.status == "submitted")
            .order_by(PlacingSheet.id)
        )
    ).all()
    if not sheets:
        return {}
    lines = (
        await session.execute(
            select(PlacingLine.sheet_id, PlacingLine.entry_id, PlacingLine.position, PlacingLine.note)
            .join(Entry, Entry.id == PlacingLine.entry_id)
            .where(
                PlacingLine.sheet_id.in_([s.id for s in sheets]),
                Entry.status == "accepted",
                Entry.absent_reason == "",
            )
            .order_by(PlacingLine.sheet_id, PlacingLine.position)
        )
    ).all()
    by_sheet: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for ln in lines:
        by_sheet[ln.sheet_id].append((ln.entry_id, ln.note))
    out: dict[int, list[SubmittedOrder]] = defaultdict(list)
    for s in sheets:
        ranker = s[2] or (gettext("%(team)s (consensus)", team=s[3]) if s[3] else gettext("team (consensus)"))
        placed = by_sheet.get(s.id, [])
        out[s.class_id].append(
            SubmittedOrder(s.id, s.class_id, ranker, tuple(e for e, _ in placed), {e: n for e, n in placed if n})
        )
    return out


def rankings_of(orders: list[SubmittedOrder]) -> list[Ranking]:
    return [Ranking(o.ranker, o.order) for o in orders]


async def notes_for_entries(session: AsyncSession, entry_ids: list[int]) -> dict[int, list[str]]:
    """The judges' notes for these cars' owners from submitted placings sheets (no judge names, no places)."""
    if not entry_ids:
        return {}
    rows = (
        await session.execute(
            select(PlacingLine.entry_id, PlacingLine.note)
            .join(PlacingSheet, PlacingSheet.id == PlacingLine.sheet_id)
            .where(PlacingLine.entry_id.in_(entry_ids), PlacingSheet.status == "submitted", PlacingLine.note != "")
            .order_by(PlacingLine.entry_id, PlacingSheet.id)
        )
    ).all()
    out: dict[int, list[str]] = defaultdict(list)
    for entry_id, note in rows:
        out[entry_id].append(note)
    return out


async def drafts_in_class(session: AsyncSession, class_id: int) -> int:
    """Placings sheets started but not submitted."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(PlacingSheet)
            .where(PlacingSheet.class_id == class_id, PlacingSheet.status == "draft", PlacingSheet.version > 0)
        )
        or 0
    )


async def placings_class_ids(session: AsyncSession, class_ids: list[int]) -> set[int]:
    return {cid for cid, m in (await methods_of_classes(session, class_ids)).items() if m == "placings"}


@dataclass(frozen=True)
class AgreementView:
    """The calibration figure of a placings class: how far the judges' submitted orders agree."""

    overall: str
    judges: list[tuple[str, str]]
    pairs: list[tuple[str, str, str]]


async def class_agreement(session: AsyncSession, class_id: int) -> AgreementView:
    orders = (await submitted_orders(session, [class_id])).get(class_id, [])
    ag = agreement(rankings_of(orders))
    return AgreementView(
        agreement_words(ag.overall),
        [(name, agreement_words(tau)) for name, tau in sorted(ag.by_judge.items())],
        [(a, b, agreement_words(tau)) for (a, b), tau in sorted(ag.pairs.items())],
    )


async def sheet_progress(session: AsyncSession, class_id: int) -> dict[str, int]:
    """Placings sheets of the class by status (a draft counts once a change is saved)."""
    rows = await session.execute(
        select(PlacingSheet.status, func.count())
        .where(PlacingSheet.class_id == class_id, or_(PlacingSheet.status == "submitted", PlacingSheet.version > 0))
        .group_by(PlacingSheet.status)
    )
    return {status: n for status, n in rows}


async def move_car(
    session: AsyncSession, viewer: Viewer, cls: EventClass, event: Event, *, entry_id: str, direction: str, device: str
) -> None:
    """Move one car a place up or down the judge's order (the page without scripts)."""
    view = await sheet_view(session, viewer, cls, event)
    order = [c.entry_id for c in view.cars]
    car = int(entry_id) if entry_id.isascii() and entry_id.isdigit() and len(entry_id) <= 9 else -1
    if car not in order or direction not in ("up", "down"):
        raise ServiceError(gettext("Choose a car on your sheet and a direction."))
    i = order.index(car)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    await save_order(session, viewer, cls, event, order=",".join(map(str, order)), device=device)


async def reopen_order(
    session: AsyncSession, viewer: Viewer, cls: EventClass, event: Event, sheet_id: int, *, reason: str, device: str
) -> None:
    """The chief judge puts a submitted order back in its judge's (or team's) hands; the reason is audited."""
    require(why_not_run_judging(viewer, event.id))
    sheet = await session.scalar(
        select(PlacingSheet).where(PlacingSheet.id == sheet_id, PlacingSheet.class_id == cls.id)
    )
    if sheet is None:
        raise NotFound(gettext("There is no such order in this class."))
    reason = reason.strip()
    if not reason:
        raise ServiceError(
            gettext("Say why the order is reopened; the judge and the audit log need the reason."), field="reason"
        )
    if len(reason) > 1000:
        raise ServiceError(gettext("Keep the reason under 1000 characters."), field="reason")
    if cls.certified_at is not None:
        raise Conflict(
            gettext(
                "Class %(code)s is certified: its orders are locked. Reopen the class's results first.", code=cls.code
            )
        )
    if sheet.status != "submitted":
        raise Conflict(gettext("This order is not submitted; the judge can still change it."))
    sheet.status = "draft"
    sheet.submitted_at = None
    sheet.version += 1
    audit.record(
        session,
        entity_type="placing_sheet",
        entity_id=sheet.id,
        action="reopen",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"status": "submitted"},
        after={"status": "draft", "reason": reason},
        device=device,
    )


@dataclass(frozen=True)
class OrderRow:
    sheet_id: int
    ranker: str
    status: str


async def orders_in_class(session: AsyncSession, class_id: int) -> list[OrderRow]:
    """The class's placings sheets for the chief judge: whose, and where each stands."""
    return (await orders_in_classes(session, [class_id])).get(class_id, [])


async def orders_in_classes(session: AsyncSession, class_ids: list[int]) -> dict[int, list[OrderRow]]:
    """The placings sheets of these classes, in one query."""
    if not class_ids:
        return {}
    rows = await session.execute(
        select(PlacingSheet.class_id, PlacingSheet.id, PlacingSheet.status, PlacingSheet.version, User.name, Team.name)
        .outerjoin(Judge, Judge.id == PlacingSheet.judge_id)
        .outerjoin(User, User.id == Judge.user_id)
        .outerjoin(Team, Team.id == PlacingSheet.team_id)
        .where(PlacingSheet.class_id.in_(class_ids))
        .order_by(PlacingSheet.id)
    )
    out: dict[int, list[OrderRow]] = defaultdict(list)
    for class_id, sid, status, version, judge, team in rows:
        out[class_id].append(
            OrderRow(
                sid,
                judge or (f"{team} (consensus)" if team else "team (consensus)"),
                "submitted" if status == "submitted" else ("in progress" if version else "not started"),
            )
        )
    return out
