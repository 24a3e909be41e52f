"""The chief judge's oversight of scoring: the live progress board, what is late, sheets that stand out,
a sheet's history, reopening a signed sheet, and entering a paper sheet on a judge's behalf."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from statistics import median
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours import live
from concours.db import (
    AuditLog,
    Entry,
    Event,
    EventClass,
    Judge,
    JudgingSystem,
    Rubric,
    RubricCategory,
    ScoreLine,
    ScoreSheet,
    Team,
    TeamMember,
    User,
    Vehicle,
    utcnow,
)
from concours.db import Conflict as ConflictRow
from concours.domain.rubric import format_units
from concours.i18n import N_, gettext, localize_decimal
from concours.services import audit, class_systems, judging, placings
from concours.services.errors import Conflict, Forbidden, NotFound, ServiceError
from concours.services.permissions import (
    Viewer,
    conflict_binds,
    conflict_reason,
    event_for_chief_judge,
    require_in_event,
    why_not_run_judging,
)
from concours.services.whole_sheet import TypedLine, save_whole_sheet

# A sheet in progress with no change for this long is late (the judge has moved on or is stuck).
IDLE_LATE = timedelta(minutes=30)
# A judge's value stands out when it is this far (share of the category's maximum) from the rest of the team's
# mean on the same car and category; a sheet's total, this far (share of the sheet's maximum).
CATEGORY_SPREAD = Fraction(1, 5)
TOTAL_SPREAD = Fraction(1, 10)


@dataclass
class SeatState:
    """One expected sheet on a car: a judge's (or the team's) sheet, or one section of it."""

    judge_id: int | None
    judge_name: str
    section: str
    status: str = "not_started"
    sheet_id: int | None = None
    total: Fraction | None = None
    late: bool = False
    entered_on_paper: bool = False
    flags: list[str] = field(default_factory=list)


@dataclass
class BoardCar:
    entry_id: int
    car_number: int | None
    title: str
    seats: list[SeatState]

    @property
    def submitted(self) -> int:
        return sum(1 for s in self.seats if s.status == "submitted")


@dataclass
class BoardClass:
    class_id: int
    code: str
    name: str
    certified: bool
    mode: str
    scale: int
    cars: list[BoardCar]
    # points | placings | display (a placings class shows its judges' orders instead of per-car sheets)
    method: str = "points"
    orders: list[placings.OrderRow] = field(default_factory=list)
    judges: int = 0

    @property
    def expected(self) -> int:
        return sum(len(c.seats) for c in self.cars)

    @property
    def submitted(self) -> int:
        return sum(c.submitted for c in self.cars)

    @property
    def late(self) -> int:
        return sum(1 for c in self.cars for s in c.seats if s.late)

    @property
    def flagged(self) -> int:
        return sum(1 for c in self.cars for s in c.seats if s.flags)


@dataclass
class Board:
    event_id: int
    event_name: str
    event_status: str
    classes: list[BoardClass]
    event: Event | None = None

    @property
    def expected(self) -> int:
        return sum(c.expected for c in self.classes)

    @property
    def submitted(self) -> int:
        return sum(c.submitted for c in self.classes)


def outlier_flags(
    values: dict[int, dict[int, int | None]],
    maxima: dict[int, int],
    names: dict[int, str],
    scale: int,
) -> dict[int, list[str]]:
    """Pure: ``values[judge][category] = units`` for one car → the flags of each judge whose value is far from
    the team's median (per category, and on the sheet's total). The median, not the mean: one judge far off
    does not drag the others into the flags with them. With two judges far apart, both are flagged."""
    flags: dict[int, list[str]] = {j: [] for j in values}
    if len(values) < 2:
        return flags

    def check(scored: dict[int, int], limit: Fraction, category: str | None) -> None:
        if len(scored) < 2:
            return
        middle = Fraction(median(Fraction(v) for v in scored.values()))
        for j, mine in scored.items():
            if abs(mine - middle) > limit:
                shown = {
                    "value": localize_decimal(format_units(mine, scale)),
                    "median": localize_decimal(format_units(middle, scale)),
                }
                flags[j].append(
                    gettext("%(category)s: %(value)s against the team's %(median)s", category=category, **shown)
                    if category is not None
                    else gettext("total %(value)s against the team's %(median)s", **shown)
                )

    for cat, maximum in maxima.items():
        scored = {j: v for j, row in values.items() if (v := row.get(cat)) is not None}
        check(scored, CATEGORY_SPREAD * maximum, names.get(cat) or gettext("a category"))
    totals = {
        j: sum(row[c] or 0 for c in maxima) for j, row in values.items() if all(row.get(c) is not None for c in maxima)
    }
    check(totals, TOTAL_SPREAD * sum(maxima.values()), None)
    return flags


async def board(session: AsyncSession, viewer: Viewer, event_id: int, *, now: datetime | None = None) -> Board:
    """Every class, every car, every expected sheet's state, what is late and what stands out — a fixed
    number of queries however large the show."""
    event = await event_for_chief_judge(session, viewer, event_id)
    now = now or utcnow()
    mode = await session.scalar(select(JudgingSystem.sheet_mode).where(JudgingSystem.event_id == event_id))
    mode = mode or "individual"
    classes = (
        await session.scalars(
            select(EventClass).where(EventClass.event_id == event_id).order_by(EventClass.position, EventClass.code)
        )
    ).all()
    members = (
        await session.execute(
            select(Team.class_id, Team.id, TeamMember.judge_id, TeamMember.sections, User.name)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .join(Judge, Judge.id == TeamMember.judge_id)
            .join(User, User.id == Judge.user_id)
            .where(Team.event_id == event_id)
            .order_by(TeamMember.is_captain.desc(), TeamMember.id)
        )
    ).all()
    cars = (
        await session.execute(
            select(
                Entry.id, Entry.class_id, Entry.entrant_id, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model
            )
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .where(Entry.event_id == event_id, Entry.status == "accepted", Entry.class_id.is_not(None))
            .order_by(Entry.car_number, Entry.id)
        )
    ).all()
    sheets = (
        await session.scalars(
            select(ScoreSheet)
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .where(Entry.event_id == event_id, ScoreSheet.calibration.is_(False))
        )
    ).all()
    # The values as plain rows (not one ORM object per line): the board reads thousands of them at a large show.
    values_of: dict[int, dict[int, int | None]] = {}
    for sheet_id, category_id, value in (
        await session.execute(
            select(ScoreLine.sheet_id, ScoreLine.category_id, ScoreLine.value_units)
            .join(ScoreSheet, ScoreSheet.id == ScoreLine.sheet_id)
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .where(Entry.event_id == event_id, ScoreSheet.calibration.is_(False))
        )
    ).tuples():
        values_of.setdefault(sheet_id, {})[category_id] = value
    conflicts = (
        await session.execute(
            select(ConflictRow.judge_id, ConflictRow.entry_id, ConflictRow.entrant_id, ConflictRow.class_id).where(
                ConflictRow.event_id == event_id, conflict_binds()
            )
        )
    ).all()
    rubric_ids = {c.rubric_id or event.rubric_id for c in classes} | {s.rubric_id for s in sheets}
    categories = (
        await session.scalars(select(RubricCategory).where(RubricCategory.rubric_id.in_([r for r in rubric_ids if r])))
    ).all()
    scales = dict(
        (await session.execute(select(Rubric.id, Rubric.scale).where(Rubric.id.in_([r for r in rubric_ids if r]))))
        .tuples()
        .all()
    )
    cats_by_rubric: dict[int, list[RubricCategory]] = {}
    for c in categories:
        cats_by_rubric.setdefault(c.rubric_id, []).append(c)

    by_key: dict[tuple[int, int | None, int | None, str], ScoreSheet] = {
        (s.entry_id, s.judge_id, None if s.judge_id else s.team_id, s.section): s for s in sheets
    }
    methods = await class_systems.methods_of_classes(session, [c.id for c in classes])
    orders = await placings.orders_in_classes(session, [cid for cid, m in methods.items() if m == "placings"])
    out: list[BoardClass] = []
    for cls in classes:
        if methods.get(cls.id, "points") != "points":
            judges = len({m.judge_id for m in members if m.class_id == cls.id})
            out.append(
                BoardClass(
                    cls.id,
                    cls.code,
                    cls.name,
                    cls.certified_at is not None,
                    mode,
                    10,
                    [],
                    methods[cls.id],
                    orders.get(cls.id, []),
                    judges,
                )
            )
            continue
        rubric_id = cls.rubric_id or event.rubric_id or 0
        scale = scales.get(rubric_id, 10)
        cls_members = [m for m in members if m.class_id == cls.id]
        team_id = cls_members[0].id if cls_members else None
        sections = list(
            dict.fromkeys(c.section or "" for c in sorted(cats_by_rubric.get(rubric_id, []), key=lambda c: c.position))
        )
        board_cars: list[BoardCar] = []
        for car in (c for c in cars if c.class_id == cls.id):
            seats: list[SeatState] = []
            if mode == "team":
                seats.append(SeatState(None, gettext("Team sheet"), ""))
            else:
                for m in cls_members:
                    if any(
                        cf.judge_id == m.judge_id
                        and (cf.entry_id == car.id or cf.entrant_id == car.entrant_id or cf.class_id == cls.id)
                        for cf in conflicts
                    ):
                        continue
                    owned = [s for s in sections if s in (m.sections or [])] if mode == "section" else [""]
                    seats.extend(SeatState(m.judge_id, m.name, s) for s in owned)
            for seat in seats:
                sheet = by_key.get((car.id, seat.judge_id, None if seat.judge_id else team_id, seat.section))
                if sheet is None:
                    continue
                seat.sheet_id = sheet.id
                seat.status = judging._sheet_state(sheet)
                seat.entered_on_paper = sheet.entered_by_id is not None
                cats = {c.id: c for c in cats_by_rubric.get(sheet.rubric_id, [])}
                values = [
                    units * cats[category_id].weight_percent
                    for category_id, units in values_of.get(sheet.id, {}).items()
                    if units is not None and category_id in cats
                ]
                seat.total = Fraction(sum(values), 100) if values else None
                updated = sheet.updated_at.replace(tzinfo=None) if sheet.updated_at else None
                if seat.status == "in_progress" and updated and now.replace(tzinfo=None) - updated > IDLE_LATE:
                    seat.late = True
            # Not started or unfinished while teammates have signed this car: late.
            if any(s.status == "submitted" for s in seats):
                for s in seats:
                    if s.status != "submitted":
                        s.late = True
            _flag(seats, by_key, values_of, car.id, cats_by_rubric.get(rubric_id, []), scale, mode)
            board_cars.append(BoardCar(car.id, car.car_number, f"{car.year} {car.make} {car.model}", seats))
        out.append(BoardClass(cls.id, cls.code, cls.name, cls.certified_at is not None, mode, scale, board_cars))
    return Board(event.id, event.name, event.status, out, event)


def _flag(
    seats: list[SeatState],
    by_key: dict[tuple[int, int | None, int | None, str], ScoreSheet],
    values_of: dict[int, dict[int, int | None]],
    entry_id: int,
    categories: list[RubricCategory],
    scale: int,
    mode: str,
) -> None:
    """Flags for judges far from the rest of their team on the same car (per section in section mode)."""
    if mode == "team":
        return
    for section in {s.section for s in seats}:
        group = [s for s in seats if s.section == section and s.judge_id is not None and s.sheet_id is not None]
        cats = [c for c in categories if mode != "section" or (c.section or "") == section]
        values: dict[int, dict[int, int | None]] = {}
        for s in group:
            sheet = by_key[(entry_id, s.judge_id, None, section)]
            lines = values_of.get(sheet.id, {})
            assert s.judge_id is not None
            values[s.judge_id] = {c.id: lines.get(c.id) for c in cats}
        flags = outlier_flags(values, {c.id: c.max_units for c in cats}, {c.id: c.name for c in cats}, scale)
        for s in group:
            assert s.judge_id is not None
            s.flags = flags.get(s.judge_id, [])


# -- the board as the chief judge reads it: filtered, one page of cars at a time ------------------------------

BOARD_PAGE_SIZE = 50
# What a car's sheets say, as the board's filters name it: nobody started, started and not all signed, every
# sheet signed; and, across those, a late sheet or a flagged judge.
BOARD_STATES = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "late": N_("Late"),
    "submitted": N_("Submitted"),
    "flagged": N_("Flagged"),
}


@dataclass
class BoardFilters:
    class_id: int | None = None
    state: str = ""  # a key of BOARD_STATES
    q: str = ""  # a car number, or words of the car's name or a judge's name
    page: int = 1

    @classmethod
    def parse(cls, class_id: str | None, show: str | None, q: str | None, page: str | None) -> BoardFilters:
        return cls(
            class_id=int(class_id) if class_id and class_id.isdecimal() and len(class_id) < 10 else None,
            state=show if show in BOARD_STATES else "",
            q=" ".join((q or "").split())[:100],
            page=max(1, int(page)) if page and page.isdecimal() and len(page) < 7 else 1,
        )

    @property
    def active(self) -> bool:
        return bool(self.class_id or self.state or self.q)

    def query(self, **changes: object) -> str:
        """The query string of these filters with ``changes`` (``page=2``, ``state="late"`` …), empty ones left out."""
        values: dict[str, object] = {"class_id": self.class_id, "show": self.state, "q": self.q, "page": self.page}
        values.update({"show" if k == "state" else k: v for k, v in changes.items()})
        return urlencode(
            {k: str(v) for k, v in values.items() if v not in ("", None) and not (k == "page" and str(v) == "1")}
        )


def car_state(car: BoardCar) -> str:
    """not_started, in_progress or submitted: what the car's sheets say together."""
    if car.seats and all(s.status == "submitted" for s in car.seats):
        return "submitted"
    if all(s.status == "not_started" for s in car.seats):
        return "not_started"
    return "in_progress"


def car_in_state(car: BoardCar, state: str) -> bool:
    if state == "late":
        return any(s.late for s in car.seats)
    if state == "flagged":
        return any(s.flags for s in car.seats)
    return not state or car_state(car) == state


def _car_found(car: BoardCar, q: str) -> bool:
    number = q.lstrip("#")
    if number.isdecimal():
        return car.car_number == int(number)
    text = " ".join([car.title, *(s.judge_name for s in car.seats)]).lower()
    return all(word in text for word in q.lower().split())


@dataclass
class BoardPage:
    """One page of the board's cars under the filters, grouped by class, with the counts the filters show."""

    board: Board
    filters: BoardFilters
    groups: list[tuple[BoardClass, list[BoardCar]]]  # this page's cars, by class in class order
    counts: dict[str, int]  # cars per state, under the class and search filters
    class_counts: dict[int, int]  # cars per class, under the state and search filters
    total: int  # cars under every filter
    page: int
    pages: int
    shown_class: BoardClass | None  # the class filtered on, if any (a placings class shows its orders)

    @property
    def first(self) -> int:
        return (self.page - 1) * BOARD_PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * BOARD_PAGE_SIZE)


def board_page(board: Board, filters: BoardFilters) -> BoardPage:
    """Pure: the cars of ``board`` under ``filters``, one page of :data:`BOARD_PAGE_SIZE` cars."""
    counts = dict.fromkeys(BOARD_STATES, 0)
    class_counts: dict[int, int] = {}
    matching: list[tuple[BoardClass, BoardCar]] = []
    for cls in board.classes:
        class_counts[cls.class_id] = 0
        for car in cls.cars:
            if filters.q and not _car_found(car, filters.q):
                continue
            in_state = car_in_state(car, filters.state)
            if in_state:
                class_counts[cls.class_id] += 1
            if filters.class_id is not None and cls.class_id != filters.class_id:
                continue
            for state in BOARD_STATES:
                counts[state] += car_in_state(car, state)
            if in_state:
                matching.append((cls, car))
    total = len(matching)
    pages = max(1, -(-total // BOARD_PAGE_SIZE))
    page = min(filters.page, pages)
    groups: list[tuple[BoardClass, list[BoardCar]]] = []
    for cls, car in matching[(page - 1) * BOARD_PAGE_SIZE : page * BOARD_PAGE_SIZE]:
        if not groups or groups[-1][0] is not cls:
            groups.append((cls, []))
        groups[-1][1].append(car)
    shown = next((c for c in board.classes if c.class_id == filters.class_id), None)
    return BoardPage(board, filters, groups, counts, class_counts, total, page, pages, shown)


@dataclass
class HistoryRow:
    at: datetime
    who: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    device: str


@dataclass
class SheetDetail:
    sheet_id: int
    event_id: int
    entry_id: int
    car_number: int | None
    title: str
    class_code: str
    judge_name: str
    section: str
    status: str
    version: int
    certified: bool
    entered_by: str
    lines: list[tuple[str, str, str]]  # category, value as shown, note
    overall_comment: str
    history: list[HistoryRow]


async def sheet_for_chief(session: AsyncSession, viewer: Viewer, sheet_id: int) -> tuple[ScoreSheet, Entry, EventClass]:
    row = (
        await session.execute(
            select(ScoreSheet, Entry, EventClass, Event)
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .join(EventClass, EventClass.id == Entry.class_id)
            .join(Event, Event.id == Entry.event_id)
            .where(ScoreSheet.id == sheet_id)
        )
    ).first()
    if row is None:
        raise NotFound(gettext("There is no such score sheet."))
    sheet, entry, cls, event = row
    require_in_event(
        why_not_run_judging(viewer, event.id), viewer, event, hide=gettext("There is no such score sheet.")
    )
    return sheet, entry, cls


async def sheet_detail(session: AsyncSession, viewer: Viewer, sheet_id: int) -> SheetDetail:
    """A sheet as it stands, and every change made to it (who, when, before, after, from which device)."""
    sheet, entry, cls = await sheet_for_chief(session, viewer, sheet_id)
    vehicle = await session.get(Vehicle, entry.vehicle_id)
    assert vehicle is not None
    judge_name = gettext("Team sheet")
    if sheet.judge_id is not None:
        judge_name = (
            await session.scalar(
                select(User.name).join(Judge, Judge.user_id == User.id).where(Judge.id == sheet.judge_id)
            )
        ) or "?"
    entered_by = ""
    if sheet.entered_by_id is not None:
        entered_by = (await session.scalar(select(User.name).where(User.id == sheet.entered_by_id))) or "?"
    rows = (
        await session.execute(
            select(ScoreLine, RubricCategory)
            .join(RubricCategory, RubricCategory.id == ScoreLine.category_id)
            .where(ScoreLine.sheet_id == sheet.id)
            .order_by(RubricCategory.position)
        )
    ).all()
    scale = (await session.scalar(select(Rubric.scale).where(Rubric.id == sheet.rubric_id))) or 10
    lines = []
    for ln, cat in rows:
        if ln.value_units is None:
            shown = "—"
        elif cat.mode == "deduction":
            shown = f"−{format_units(cat.max_units - ln.value_units, scale)} (= {format_units(ln.value_units, scale)})"
        else:
            shown = format_units(ln.value_units, scale)
        lines.append((cat.name, shown, ln.note))
    history = (
        await session.execute(
            select(AuditLog, User.name)
            .outerjoin(User, User.id == AuditLog.user_id)
            .where(AuditLog.entity_type == "score_sheet", AuditLog.entity_id == sheet.id)
            .order_by(AuditLog.at, AuditLog.id)
        )
    ).all()
    return SheetDetail(
        sheet.id,
        entry.event_id,
        entry.id,
        entry.car_number,
        vehicle.title,
        cls.code,
        judge_name,
        sheet.section,
        judging._sheet_state(sheet),
        sheet.version,
        cls.certified_at is not None,
        entered_by,
        lines,
        sheet.overall_comment,
        [HistoryRow(a.at, name or "—", a.action, a.before, a.after, a.device) for a, name in history],
    )


async def reopen_sheet(session: AsyncSession, viewer: Viewer, sheet_id: int, *, reason: str, device: str) -> None:
    """Put a signed sheet back in the judge's hands; the reason is kept in the audit log."""
    sheet, entry, cls = await sheet_for_chief(session, viewer, sheet_id)
    if not reason.strip():
        raise ServiceError(
            gettext("Say why the sheet is reopened; the judge and the audit log need the reason."), field="reason"
        )
    if len(reason) > 1000:
        raise ServiceError(gettext("Keep the reason under 1000 characters."), field="reason")
    if cls.certified_at is not None:
        raise Conflict(
            gettext(
                "Class %(code)s is certified: its sheets are locked. Reopen the class's results first.", code=cls.code
            )
        )
    if sheet.status != "submitted":
        raise Conflict(gettext("This sheet is not submitted; the judge can still change it."))
    sheet.status = "draft"
    sheet.submitted_at = None
    sheet.version += 1
    audit.record(
        session,
        entity_type="score_sheet",
        entity_id=sheet.id,
        action="reopen",
        user_id=viewer.user_id,
        event_id=entry.event_id,
        before={"status": "submitted"},
        after={"status": "draft", "reason": reason.strip()},
        device=device,
    )
    live.publish_after_commit(session, live.board_channel(entry.event_id), {"entry_id": entry.id})


@dataclass
class PaperTarget:
    """Whose paper sheet the chief judge is typing in: the judge, the car, the sheet(s) it fills."""

    entry: Entry
    judge_id: int
    judge_name: str
    proxy: Viewer
    sheets: judging.CarSheets


async def paper_target(session: AsyncSession, viewer: Viewer, entry_id: int, judge_id: int) -> PaperTarget:
    """The chief judge acts for ``judge_id`` on this car: only a judge on the car's team, without a conflict."""
    entry = await session.get(Entry, entry_id)
    if entry is None or entry.status != "accepted" or entry.class_id is None:
        raise NotFound(gettext("There is no such car in judging."))
    event = await session.get(Event, entry.event_id)
    assert event is not None
    require_in_event(
        why_not_run_judging(viewer, event.id), viewer, event, hide=gettext("There is no such car in judging.")
    )
    row = (
        await session.execute(
            select(Judge.id, User.name)
            .join(User, User.id == Judge.user_id)
            .join(TeamMember, TeamMember.judge_id == Judge.id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Judge.id == judge_id, Team.class_id == entry.class_id)
        )
    ).first()
    if row is None:
        raise NotFound(gettext("That judge is not on the team of this car's class."))
    reason = await conflict_reason(session, judge_id, entry)
    if reason is not None:
        raise Forbidden(gettext("That judge has a conflict with this car: %(reason)s", reason=reason))
    # The chief judge writes as the judge's seat, but every audit entry names the chief judge who typed it.
    proxy = dataclasses.replace(viewer, judge_id=judge_id)
    return PaperTarget(entry, judge_id, row[1], proxy, await judging.car_sheets(session, judge_id, entry))


async def enter_paper_sheet(
    session: AsyncSession,
    viewer: Viewer,
    entry_id: int,
    judge_id: int,
    *,
    values: dict[int, str],
    notes: dict[int, str],
    comments: dict[str, str],
    submit: bool,
    device: str,
) -> None:
    """Type in a judge's paper sheet as one whole-sheet save (``whole_sheet.save_whole_sheet``): the same checks as on
    a tablet, every refused line named at once and nothing kept of a refused sheet; the sheet records who entered it,
    and the audit log says it came from paper."""
    target = await paper_target(session, viewer, entry_id, judge_id)
    device = f"paper sheet entered by {viewer.name} | {device}"[:300]
    for sv in target.sheets.sheets:
        if not sv.editable:
            raise Conflict(
                sv.locked_reason or gettext("This sheet is submitted; reopen it before entering the paper sheet.")
            )
    # What the form holds for the judge's own sheet(s): a category typed in (value or note), a comment per sheet.
    on_sheets = [ln.category.id for sv in target.sheets.sheets for ln in sv.lines if ln.category.id is not None]
    lines = {
        cid: TypedLine(values.get(cid, ""), notes.get(cid, "")) for cid in on_sheets if cid in values or cid in notes
    }
    sections = {sv.section for sv in target.sheets.sheets}
    await save_whole_sheet(
        session,
        target.proxy,
        entry_id,
        lines=lines,
        comments={section: text for section, text in comments.items() if section in sections},
        submit=submit,
        device=device,
        entered_by_id=viewer.user_id,
    )


async def chief_events(session: AsyncSession, viewer: Viewer) -> list[Event]:
    """The events whose judging this viewer runs, newest first."""
    ids = viewer.chief_judge_event_ids | viewer.organizer_event_ids
    if not ids:
        return []
    return list((await session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.starts_on.desc()))).all())
