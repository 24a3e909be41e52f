"""The autosave path: one change to a line (or the comment) of a judge's sheet, in a few statements.

A save reads what its checks need in ONE query outside the write (the car, the judge's seat on its team,
the event's and class's locks, a conflict of interest, the judge's sheet(s) on the car with their lines,
and whether this change id was applied before); the rubric comes from a per-process cache (a rubric that
sheets use never changes: editing it then makes a new version). Then one short write transaction:

1. bump the sheet's version with its optimistic check (``UPDATE … WHERE version = :read``), or create the
   sheet (``INSERT … ON CONFLICT DO NOTHING RETURNING id``);
2. claim the tablet's change id (``INSERT … ON CONFLICT DO NOTHING``: applied once however often it is sent);
3. upsert the line (``INSERT … ON CONFLICT (sheet, category) DO UPDATE``) — or, for a comment, nothing more:
   the comment is written by step 1;
4. append the audit row (with the device); commit.

If step 1 or 2 finds that someone else wrote the sheet since the read, the transaction rolls back and the
save starts again from the read (a few times at most): a stale base is then refused with a 409 naming the
current value, a replayed change id is answered as already applied. The answer (the line as stored, the
totals) is computed from what was read plus the change just written, which the version check guarantees
is what the sheet now holds: nothing is read back.

On SQLite the same read, checks and writes run as ONE transaction on the database's writer thread
(``Database.in_writer``, ``BEGIN IMMEDIATE`` first): nobody else writes meanwhile, so no race is possible, and the
whole save is one hand-over between the event loop and a thread instead of one per cursor call (aiosqlite). Its
statements run on the thread's ``sqlite3`` connection directly (:func:`concours.db.driver.run_in_writer`).

On PostgreSQL the four writes are one statement (data-modifying CTEs, :func:`_one_statement`) in autocommit, and the
read and that statement run on the driver's connection directly (:mod:`concours.db.driver`): no session, no
transaction, SQLAlchemy only to build them once. A round trip to the database is most of a save's cost there (the
socket write that wakes the server's process was half a save's CPU under load), so a process remembers what its last
save on a judge's sheet of a car read and left (:func:`_known`), plans the next change on that, and sends only the
write, which checks in the same statement that the state it was planned on still holds (the read's checked values
and the judge's sheets with their versions, :func:`_state_statement`); if anything moved, it writes nothing and the
save goes on from a read as above. A refusal or a replay is always answered from a read.

The tablet's answer is made while the change is being stored (the caller's ``answer``, its HTML): on SQLite once the
writer thread has run the save, while the commit syncs the disk; on PostgreSQL, for a change to a sheet that exists,
from the plan while the statement runs (its outcome is the plan's, or nothing was written and the answer is made again
from a read). It is given only once the change is stored: a save's wait for the disk no longer comes on top of
building its answer.

Statements per save: SQLite 6 (BEGIN IMMEDIATE, the read, the four writes), PostgreSQL 2, or 1 after a save on the
same sheet by the same process.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction
from functools import cache
from typing import Any, TypeVar
from typing import cast as cast_session

from sqlalchemy import (
    Integer,
    Select,
    String,
    Text,
    TextClause,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, aliased

from concours import live
from concours.db import (
    AuditLog,
    ClassSystem,
    Entry,
    Event,
    EventClass,
    EventStaff,
    Judge,
    JudgingSystem,
    Rubric,
    RubricCategory,
    ScoreLine,
    ScoreSheet,
    SheetChange,
    Team,
    TeamMember,
    utcnow,
)
from concours.db import (
    Conflict as ConflictRow,
)
from concours.db.driver import DriverConnection, on_driver, postgresql_text, run_in_writer
from concours.db.engine import Database
from concours.domain.rubric import (
    Category,
    ScoreError,
    check_value,
    format_units,
    missing_lines,
    parse_points,
    sheet_max,
    sheet_total,
)
from concours.domain.states import judging_open
from concours.i18n import gettext
from concours.services.errors import Conflict, Forbidden, NotFound, ServiceError
from concours.services.events import to_categories
from concours.services.permissions import ACCEPTED, Viewer, conflict_binds

MAX_ATTEMPTS = 5
T = TypeVar("T")
A = TypeVar("A")  # the caller's answer to a save (the tablet's HTML)


class StaleChange(Conflict):
    """A change based on values the sheet no longer holds (another device, or a stale page)."""


class _Raced(Exception):
    """Someone wrote the sheet between the read and the write: read again."""


# -- what a change says ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineChange:
    category_id: int
    value: str  # as typed: points in points mode, the deduction in deduction mode; "" clears the line
    note: str
    change_id: str
    device: str
    base_value: str | None = None  # the stored value units the change was made on ("" = empty), if sent
    base_note: str | None = None


@dataclass(frozen=True)
class CommentChange:
    comment: str
    change_id: str
    device: str
    section: str = ""
    base_comment: str | None = None


# -- what the read returns -----------------------------------------------------------------------------


@dataclass
class RubricData:
    id: int
    scale: int
    categories: list[Category]


@dataclass
class SheetData:
    id: int
    section: str
    version: int
    status: str
    rubric_id: int
    comment: str
    lines: dict[int, tuple[int | None, str]] = field(default_factory=dict)  # category id → (value, note)
    applied: bool = False  # this change id was applied to this sheet before


@dataclass
class Target:
    """Everything a save's checks need, from one read."""

    entry_id: int
    event_id: int
    judge_id: int
    mode: str
    team_id: int
    is_captain: bool
    team_has_captain: bool
    sections: list[str]
    lock_reason: str
    rubric: RubricData  # the class's current rubric (new sheets use it)
    rubrics: dict[int, RubricData]
    sheets: dict[str, SheetData]  # by section ("" = the whole sheet)
    rubric_stamps: dict[int, Any] = field(default_factory=dict)  # id → created_at (the cache's key)
    calibration: bool = False  # the judge's sheet on the event's calibration car (never counts)
    # PostgreSQL: the checked values as the read saw them (:func:`_state_statement`), when a later save may be
    # planned on this read (its rubric is in use, so it cannot change); None otherwise.
    state: str | None = None

    def state_seen(self) -> str:
        """The state this target was read in, as :func:`_state_statement` writes it (``state`` must be set)."""
        assert self.state is not None
        return f"{self.state}/{_sheets_text(self.sheets.values())}"

    def sections_of(self, categories: list[Category]) -> list[tuple[str, list[Category]]]:
        if self.mode != "section":
            return [("", categories)]
        order = list(dict.fromkeys(c.section or "" for c in categories))
        return [(sec, [c for c in categories if (c.section or "") == sec]) for sec in order if sec in self.sections]

    @property
    def may_submit(self) -> bool:
        return self.mode != "team" or self.is_captain or not self.team_has_captain

    def categories_of(self, section: str) -> list[Category]:
        """The categories of the judge's sheet for ``section``, on the rubric version that sheet was scored on."""
        sheet = self.sheets.get(section)
        rubric = self.rubrics[sheet.rubric_id] if sheet else self.rubric
        return [c for c in rubric.categories if self.mode != "section" or (c.section or "") == section]


# -- the answer ------------------------------------------------------------------------------------------


@dataclass
class LineView:
    category: Category
    value_units: int | None
    note: str


@dataclass
class SheetView:
    """One sheet this judge writes on a car: the whole sheet, the team's, or one section of it."""

    entry_id: int
    scale: int
    lines: list[LineView]
    section: str = ""
    title: str = ""
    status: str = "not_started"
    version: int = 0
    overall_comment: str = ""
    total: Fraction = Fraction(0)
    maximum: Fraction = Fraction(0)
    locked_reason: str = ""
    missing: list[str] = field(default_factory=list)

    @property
    def editable(self) -> bool:
        return self.status != "submitted" and not self.locked_reason


def combined_status(statuses: list[str]) -> str:
    if statuses and all(st == "submitted" for st in statuses):
        return "submitted"
    if any(st in ("in_progress", "submitted") for st in statuses):
        return "in_progress"
    return "not_started"


@dataclass
class CarSheets:
    """What a judge sees under a car: their sheet(s), and the totals across them."""

    mode: str
    sheets: list[SheetView]
    scale: int
    notice: str = ""
    can_submit: bool = True

    @property
    def total(self) -> Fraction:
        return sum((s.total for s in self.sheets), Fraction(0))

    @property
    def maximum(self) -> Fraction:
        return sum((s.maximum for s in self.sheets), Fraction(0))

    @property
    def missing(self) -> list[str]:
        return [m for s in self.sheets for m in s.missing]

    @property
    def editable(self) -> bool:
        return any(s.editable for s in self.sheets)

    @property
    def status(self) -> str:
        return combined_status([s.status for s in self.sheets])

    @property
    def locked_reason(self) -> str:
        return next((s.locked_reason for s in self.sheets if s.locked_reason), "")


def sheet_state(status: str | None, version: int | None) -> str:
    if status is None or (status == "draft" and not version):
        return "not_started"
    return "submitted" if status == "submitted" else "in_progress"


def car_sheets_of(target: Target) -> CarSheets:
    """The judge's sheet(s) on the car as a page or a save's answer shows them (no query: from the read)."""
    views = []
    for section, _ in target.sections_of(target.rubric.categories):
        sheet = target.sheets.get(section)
        cats = target.categories_of(section)
        lines = sheet.lines if sheet else {}
        values = {c.key: lines[c.id][0] if c.id in lines else None for c in cats}
        view = SheetView(
            entry_id=target.entry_id,
            scale=target.rubric.scale,
            section=section,
            title=section.replace("_", " ").capitalize() if section else "",
            lines=[LineView(c, values[c.key], lines[c.id][1] if c.id in lines else "") for c in cats],
            total=sheet_total(cats, values),
            maximum=sheet_max(cats),
            missing=missing_lines(cats, values),
            locked_reason=target.lock_reason,
            status=sheet_state(sheet.status if sheet else None, sheet.version if sheet else None),
        )
        if sheet is not None:
            view.version, view.overall_comment = sheet.version, sheet.comment
        views.append(view)
    notice = ""
    if target.mode == "section" and not views:
        notice = gettext("The chief judge has not given you a section of this sheet yet.")
    elif target.mode == "team":
        notice = (
            gettext("One consensus sheet for the team: every member sees and edits the same sheet.")
            if target.may_submit
            else gettext(
                "One consensus sheet for the team: every member sees and edits the same sheet. "
                "The team captain submits it."
            )
        )
    return CarSheets(target.mode, views, target.rubric.scale, notice, target.may_submit)


@dataclass
class Saved:
    """A save's answer: the judge's sheets as they now are, the line (or comment) it was about, and a refusal."""

    sheets: CarSheets
    line: LineView | None
    comment: str | None  # the stored comment, for a comment's answer
    error: str = ""
    status_code: int = 200
    applied: bool = False  # False: nothing was written (a refusal, or a replay of an applied change)


# -- the rubric cache ------------------------------------------------------------------------------------

_rubrics: dict[tuple[int, Any], RubricData] = {}  # by (id, created_at): SQLite may reuse a deleted row's id
_rubrics_lock = threading.Lock()


async def _load_rubrics(session: AsyncSession, wanted: dict[int, Any], frozen: set[int]) -> dict[int, RubricData]:
    """The rubrics by id (``wanted``: id → created_at): from the cache, else one query. Only rubrics that sheets
    use are cached (they are immutable); a rubric no sheet uses yet may still be edited in place, so it is read
    every time."""
    with _rubrics_lock:
        found = {rid: _rubrics[(rid, stamp)] for rid, stamp in wanted.items() if (rid, stamp) in _rubrics}
    missing = wanted.keys() - found.keys()
    if missing:
        rows = (
            await session.execute(
                select(Rubric.id, Rubric.scale, RubricCategory)
                .outerjoin(RubricCategory, RubricCategory.rubric_id == Rubric.id)
                .where(Rubric.id.in_(missing))
            )
        ).all()
        grouped: dict[int, tuple[int, list[RubricCategory]]] = {}
        for rid, scale, category in rows:
            grouped.setdefault(rid, (scale, []))[1].extend([category] if category is not None else [])
        for rid, (scale, categories) in grouped.items():
            found[rid] = RubricData(rid, scale, to_categories(categories))
        with _rubrics_lock:
            for rid in missing & frozen & grouped.keys():
                if wanted[rid] is not None:
                    _rubrics[(rid, wanted[rid])] = found[rid]
    return found


def _remember_rubric(rubric: RubricData, stamp: Any) -> None:
    if stamp is not None:
        with _rubrics_lock:
            _rubrics[(rubric.id, stamp)] = rubric


# -- the read ---------------------------------------------------------------------------------------------


def _change_key(sheet_id: int, change_id: str) -> str:
    """The stored key of a tablet's change on a sheet (the read matches it in SQL: see :func:`_target_statement`)."""
    return f"{sheet_id}:{change_id}"[:64]


def _clean_change_id(change_id: str) -> str:
    return change_id.strip()[:64]


def _binding_conflict(judge_id: Any) -> Any:
    """The reason of a binding conflict between the judge and the car (``Entry``) in the query, or NULL."""
    return (
        select(ConflictRow.reason)
        .where(
            ConflictRow.judge_id == judge_id,
            ConflictRow.event_id == Entry.event_id,
            conflict_binds(),
            or_(
                ConflictRow.entry_id == Entry.id,
                ConflictRow.entrant_id == Entry.entrant_id,
                ConflictRow.class_id == Entry.class_id,
            ),
        )
        .limit(1)
        .scalar_subquery()
    )


def _probe(*where: Any) -> Any:
    """1 when a row matches ``where``, else NULL: a correlated subquery of one row, which PostgreSQL runs as an
    index probe per row read. As ``EXISTS`` it may plan it as a hash of the whole table, built on every save
    (what it chose for ``sheet_change`` while its statistics still said the table was small: 1.5 ms a read at
    5,000 changes, growing with the show)."""
    return select(literal(1)).where(*where).limit(1).scalar_subquery()


def _applied(change_suffix: Any) -> Any:
    """Whether the change (``change_suffix``: ":" + its id) was applied to the sheet read (its key's index probe)."""
    return _probe(SheetChange.change_id == func.substr(cast(ScoreSheet.id, String) + change_suffix, 1, 64))


@dataclass(frozen=True)
class _CarState:
    """The expressions of what a save's checks read about the car and the judge's seat (one set per statement:
    aliases and bind parameters are the statement's own)."""

    judge_id: Any
    entry_id: Any
    mode: Any
    method: Any
    current_rubric: Any
    has_captain: Any
    conflict: Any
    frozen: Any
    current_rubric_row: Any

    def seat_sheet(self, sheet: Any) -> Any:
        """``sheet`` is one of the judge's sheets on the car: theirs, or their team's in team mode."""
        return and_(
            sheet.entry_id == Entry.id,
            sheet.calibration.is_(False),
            or_(
                and_(self.mode == "team", sheet.team_id == TeamMember.team_id, sheet.judge_id.is_(None)),
                and_(self.mode != "team", sheet.judge_id == self.judge_id),
            ),
        )

    def checked(self) -> tuple[Any, ...]:
        """The values the checks decide on (in :func:`read_target`'s order, then the method and the current
        rubric's stamp): the same values give the same decisions."""
        return (
            Entry.event_id,
            Entry.class_id,
            Entry.entrant_id,
            Entry.status,
            Entry.absent_reason,
            Event.status,
            EventClass.certified_at,
            self.current_rubric,
            self.frozen,
            TeamMember.team_id,
            TeamMember.is_captain,
            TeamMember.sections,
            self.mode,
            self.has_captain,
            self.conflict,
            self.method,
            self.current_rubric_row.created_at,
        )

    def joined(self, statement: Select[Any]) -> Select[Any]:
        """``statement`` from the car (``Entry``), its event, class, judging system and the judge's seat."""
        return (
            statement.select_from(Entry)
            .join(Event, Event.id == Entry.event_id)
            .outerjoin(EventClass, EventClass.id == Entry.class_id)
            .outerjoin(JudgingSystem, JudgingSystem.event_id == Entry.event_id)
            .outerjoin(ClassSystem, ClassSystem.class_id == Entry.class_id)
            .outerjoin(
                TeamMember,
                and_(
                    TeamMember.judge_id == self.judge_id,
                    TeamMember.team_id.in_(select(Team.id).where(Team.class_id == Entry.class_id)),
                ),
            )
            .outerjoin(self.current_rubric_row, self.current_rubric_row.id == self.current_rubric)
        )


def _car_state() -> _CarState:
    judge_id = bindparam("judge_id", type_=Integer)
    captain = aliased(TeamMember)
    current_rubric = func.coalesce(EventClass.rubric_id, Event.rubric_id)
    any_sheet = aliased(ScoreSheet)
    return _CarState(
        judge_id=judge_id,
        entry_id=bindparam("entry_id", type_=Integer),
        mode=func.coalesce(ClassSystem.sheet_mode, JudgingSystem.sheet_mode, "individual"),
        method=func.coalesce(ClassSystem.method, JudgingSystem.method, "points"),
        current_rubric=current_rubric,
        has_captain=_probe(captain.team_id == TeamMember.team_id, captain.is_captain.is_(True)),
        conflict=_binding_conflict(judge_id),
        frozen=_probe(any_sheet.rubric_id == current_rubric),  # sheets use it: it never changes
        current_rubric_row=aliased(Rubric),
    )


def _state_text(values: tuple[Any, ...]) -> Any:
    """PostgreSQL: the checked values as one text (a row's text form), to compare with what a save was planned on."""
    return cast(tuple_(*values), Text)


def _sheets_text(sheets: Any) -> str:
    """The judge's sheets on the car as :func:`_state_statement` writes them: ``id:version`` by id, comma-separated."""
    return ",".join(f"{s.id}:{s.version}" for s in sorted(sheets, key=lambda s: s.id))


@cache
def _state_statement() -> Select[Any]:
    """PostgreSQL: the state a save is checked against, as text: the checked values of the read (the same
    expressions, see :class:`_CarState`) and the judge's sheets on the car with their versions. A save planned on
    an earlier read is written only if this is still what that read saw (see :func:`_one_statement`)."""
    state = _car_state()
    sheet = aliased(ScoreSheet)
    sheets = (
        select(
            func.string_agg(
                cast(sheet.id, Text) + literal(":") + cast(sheet.version, Text),
                aggregate_order_by(literal(","), sheet.id),
            )
        )
        .where(state.seat_sheet(sheet))
        .scalar_subquery()
    )
    statement = state.joined(
        select(_state_text(state.checked()) + literal("/") + func.coalesce(sheets, literal("")))
    ).where(Entry.id == state.entry_id)
    return statement


@cache
def _target_statement(with_change: bool, with_state: bool = False) -> Select[Any]:
    """The read of :func:`read_target`, built once (its aliases and subqueries cost more to build than to run);
    ``judge_id``, ``entry_id`` and ``change_suffix`` (":" + the change id) are bound per save. ``with_state``
    (PostgreSQL) adds the checked values as text (:func:`_state_statement`'s first part)."""
    state = _car_state()
    sheet_rubric = aliased(Rubric)
    applied = _applied(bindparam("change_suffix")) if with_change else literal(False)
    checked = state.checked()
    statement = state.joined(
        select(
            *checked[:15],
            ScoreSheet.id,
            ScoreSheet.section,
            ScoreSheet.version,
            ScoreSheet.status,
            ScoreSheet.rubric_id,
            ScoreSheet.overall_comment,
            applied,
            ScoreLine.category_id,
            ScoreLine.value_units,
            ScoreLine.note,
            state.current_rubric_row.created_at,
            sheet_rubric.created_at,
            state.method,
            *([_state_text(checked)] if with_state else []),
        )
    )
    statement = (
        statement.outerjoin(ScoreSheet, state.seat_sheet(ScoreSheet))
        .outerjoin(sheet_rubric, sheet_rubric.id == ScoreSheet.rubric_id)
        .outerjoin(ScoreLine, ScoreLine.sheet_id == ScoreSheet.id)
        .where(Entry.id == state.entry_id)
    )
    on_driver(statement)  # PostgreSQL's autosave runs it on asyncpg directly
    return statement


async def read_target(
    session: AsyncSession,
    judge_id: int | None,
    entry_id: int,
    change_id: str = "",
    *,
    entrant_id: int | None = None,
    as_judge_page: bool = True,
    with_state: bool = False,
) -> Target:
    """One query: the car, the judge's seat, the locks, a conflict, the judge's sheets and lines on the car, and
    whether ``change_id`` was applied. With ``as_judge_page`` it refuses as ``entry_for_judge`` does (for a judge
    who is also the entrant ``entrant_id``); without, only a judge off the class's team is refused. With
    ``with_state`` (PostgreSQL) the target carries its :attr:`Target.state`."""
    if judge_id is None:
        raise Forbidden(gettext("Only judges score cars."))
    change_id = _clean_change_id(change_id)
    params: dict[str, Any] = {"judge_id": judge_id, "entry_id": entry_id}
    if change_id:
        params["change_suffix"] = f":{change_id}"
    rows = (await _core(session, _target_statement(bool(change_id), with_state), params)).all()
    if not rows:
        raise NotFound(gettext("There is no such car in judging."))
    (
        event_id,
        class_id,
        car_entrant_id,
        entry_status,
        absent_reason,
        event_status,
        certified_at,
        rubric_id,
        rubric_frozen,
        team_id,
        is_captain,
        sections,
        sheet_mode,
        team_has_captain,
        conflict_reason,
    ) = rows[0][:15]
    if as_judge_page:
        if entry_status != "accepted" or class_id is None or absent_reason:
            raise NotFound(gettext("There is no such car in judging."))
        if team_id is None:
            raise Forbidden(gettext("You are not on the judging team of this car's class."))
        if entrant_id is not None and car_entrant_id == entrant_id:
            raise Forbidden(gettext("This is your own car: you cannot judge it."))
        if conflict_reason is not None:
            raise Forbidden(
                gettext("You have a conflict of interest with this car: %(reason)s", reason=conflict_reason)
            )
    elif team_id is None:
        raise Forbidden(gettext("You are not on the judging team of this car's class."))
    if rows[0][27] != "points":
        raise ServiceError(
            gettext("This class is judged by placings: order its cars on the class's placings sheet.")
            if rows[0][27] == "placings"
            else gettext("This is a display class: its cars are not judged.")
        )
    if rubric_id is None:
        raise ServiceError(gettext("This event has no score sheet yet; the organizer must choose a rubric."))
    sheets: dict[str, SheetData] = {}
    for row in rows:
        sheet_id = row[15]
        if sheet_id is None:
            continue
        sheet = sheets.get(row[16])
        if sheet is None:
            sheet = sheets[row[16]] = SheetData(
                sheet_id, row[16], row[17], row[18], row[19], row[20], {}, bool(row[21])
            )
        if row[22] is not None:
            sheet.lines[row[22]] = (row[23], row[24] or "")
    wanted: dict[int, Any] = {rubric_id: rows[0][25]}
    for row in rows:
        if row[19] is not None:
            wanted[row[19]] = row[26]
    frozen_ids = {s.rubric_id for s in sheets.values()} | ({rubric_id} if rubric_frozen else set())
    rubrics = await _load_rubrics(session, wanted, frozen_ids)
    if rubric_id not in rubrics:
        raise NotFound(gettext("This class has no score sheet yet."))
    lock = ""
    if certified_at is not None:
        lock = gettext("The class is certified: its sheets are locked.")
    elif not judging_open(event_status):
        lock = gettext("Judging is not open for this event.")
    return Target(
        entry_id=entry_id,
        event_id=event_id,
        judge_id=judge_id,
        mode=sheet_mode or "individual",
        team_id=team_id,
        is_captain=bool(is_captain),
        team_has_captain=bool(team_has_captain),
        sections=list(sections or []),
        lock_reason=lock,
        rubric=rubrics[rubric_id],
        rubrics=rubrics,
        sheets=sheets,
        rubric_stamps=wanted,
        state=rows[0][28] if with_state and rubric_frozen else None,
    )


async def read_calibration_target(
    session: AsyncSession, judge_id: int | None, entry_id: int, change_id: str = "", *, entrant_id: int | None = None
) -> Target:
    """The judge's calibration sheet on the event's calibration car (two queries): any judge of the event scores it,
    on the rubric the organizer chose, whatever their class, unless a confirmed conflict binds them to the car (or
    it is their own). Refuses as a page would: 404 when the car is not a calibration car, 403 when not theirs."""
    if judge_id is None:
        raise Forbidden("Only judges score cars.")
    change_id = _clean_change_id(change_id)
    on_team = exists().where(
        TeamMember.judge_id == judge_id,
        TeamMember.team_id.in_(select(Team.id).where(Team.event_id == Event.id)),
    )
    on_roster = exists().where(
        EventStaff.event_id == Event.id,
        EventStaff.role == ACCEPTED,
        EventStaff.user_id == select(Judge.user_id).where(Judge.id == judge_id).scalar_subquery(),
    )
    conflict = _binding_conflict(judge_id)
    rubric_id_col = func.coalesce(Event.calibration_rubric_id, EventClass.rubric_id, Event.rubric_id)
    row = (
        await session.execute(
            select(
                Entry.event_id,
                Entry.entrant_id,
                Entry.status,
                Event.status,
                rubric_id_col,
                or_(on_team, on_roster),
                conflict,
            )
            .select_from(Entry)
            .join(Event, and_(Event.id == Entry.event_id, Event.calibration_entry_id == Entry.id))
            .outerjoin(EventClass, EventClass.id == Entry.class_id)
            .where(Entry.id == entry_id)
        )
    ).first()
    if row is None or row[2] != "accepted":
        raise NotFound("There is no such calibration car.")
    event_id, car_entrant_id, _, event_status, rubric_id, on_event, conflict_reason = row
    if not on_event:
        raise Forbidden("You are not a judge of this event.")
    if entrant_id is not None and car_entrant_id == entrant_id:
        raise Forbidden("This is your own car: you cannot judge it.")
    if conflict_reason is not None:
        raise Forbidden(f"You have a conflict of interest with this car: {conflict_reason}")
    if rubric_id is None:
        raise ServiceError("This event has no score sheet yet; the organizer must choose a rubric.")
    applied = _applied(literal(f":{change_id}")) if change_id else literal(False)
    sheet_rows = (
        await session.execute(
            select(
                ScoreSheet.id,
                ScoreSheet.version,
                ScoreSheet.status,
                ScoreSheet.rubric_id,
                ScoreSheet.overall_comment,
                applied,
                ScoreLine.category_id,
                ScoreLine.value_units,
                ScoreLine.note,
            )
            .outerjoin(ScoreLine, ScoreLine.sheet_id == ScoreSheet.id)
            .where(
                ScoreSheet.entry_id == entry_id,
                ScoreSheet.judge_id == judge_id,
                ScoreSheet.section == "",
                ScoreSheet.calibration.is_(True),
            )
        )
    ).all()
    sheets: dict[str, SheetData] = {}
    for r in sheet_rows:
        sheet = sheets.get("")
        if sheet is None:
            sheet = sheets[""] = SheetData(r[0], "", r[1], r[2], r[3], r[4], {}, bool(r[5]))
        if r[6] is not None:
            sheet.lines[r[6]] = (r[7], r[8] or "")
    ids = {rubric_id} | {s.rubric_id for s in sheets.values()}
    wanted: dict[int, Any] = {
        rid: stamp
        for rid, stamp in (await session.execute(select(Rubric.id, Rubric.created_at).where(Rubric.id.in_(ids))))
    }
    frozen = {
        rid for (rid,) in (await session.execute(select(ScoreSheet.rubric_id).where(ScoreSheet.rubric_id.in_(ids))))
    }
    rubrics = await _load_rubrics(session, wanted, frozen)
    if rubric_id not in rubrics:
        raise NotFound("This calibration car has no score sheet yet.")
    return Target(
        entry_id=entry_id,
        event_id=event_id,
        judge_id=judge_id,
        mode="individual",
        team_id=0,
        is_captain=False,
        team_has_captain=False,
        sections=[],
        lock_reason="" if judging_open(event_status) else "Judging is not open for this event.",
        rubric=rubrics[rubric_id],
        rubrics=rubrics,
        sheets=sheets,
        rubric_stamps=wanted,
        calibration=True,
    )


# -- the checks (pure: on what was read) -------------------------------------------------------------------


@dataclass
class Plan:
    """A checked change, ready to write."""

    section: str
    sheet: SheetData | None  # None: the first change creates the sheet
    rubric_id: int
    change_id: str
    audit_action: str
    before: dict[str, Any] | None
    after: dict[str, Any]
    device: str
    category: Category | None = None
    value_units: int | None = None
    note: str = ""
    comment: str | None = None


def _shown(category: Category, value_units: int | None, scale: int) -> str:
    """A stored value as the judge reads it: points, or the deduction in deduction mode."""
    if value_units is None:
        return gettext("nothing")
    if category.mode == "deduction":
        return gettext("a deduction of %(value)s", value=format_units(category.max_units - value_units, scale))
    return gettext("%(value)s points", value=format_units(value_units, scale))


def _parse_base(text: str | None) -> int | None:
    """The stored value a change was based on, as sent by the tablet ("" = the line was empty)."""
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"-?\d{1,9}", text):
        raise ServiceError(gettext("This change carries a malformed base value; reload the page."))
    return int(text)


def _open_section(target: Target, section: str) -> tuple[SheetData | None, RubricData]:
    """The sheet a change of ``section`` goes to, refusing what the judge may not write (409 locked, 403 not theirs)."""
    if target.lock_reason:
        raise Conflict(target.lock_reason)
    section = section if target.mode == "section" else ""
    if target.mode == "section" and section not in target.sections:
        raise Forbidden(gettext("That part of the sheet belongs to another judge of your team."))
    sheet = target.sheets.get(section)
    if sheet is not None and sheet.status == "submitted":
        raise Conflict(gettext("This sheet is submitted and signed; only the chief judge can reopen it."))
    return sheet, target.rubrics[sheet.rubric_id] if sheet else target.rubric


def line_note(category: Category, note: str) -> str:
    """A line's note as stored (trimmed); refuses one too long to keep."""
    if len(note) > 2000:
        raise ServiceError(
            gettext(
                "%(category)s: the note is %(n)s characters; keep it under 2000.", category=category.name, n=len(note)
            )
        )
    return note.strip()


def line_value(category: Category, typed: str, scale: int) -> int | None:
    """A value as the judge types it (points, or the deduction in deduction mode; blank: none) in the rubric's units,
    checked against the category's bounds and steps; refuses what the line cannot hold."""
    if not typed.strip():
        return None
    try:
        units = parse_points(typed, scale)
        if category.mode == "deduction" and not 0 <= units <= category.max_units:
            raise ScoreError(
                gettext(
                    "%(category)s: a deduction is between 0 and %(maximum)s",
                    category=category.name,
                    maximum=format_units(category.max_units, scale),
                )
            )
        value_units = units if category.mode == "points" else category.max_units - units
        check_value(category, value_units, scale)
    except ScoreError as exc:
        raise ServiceError(str(exc)) from exc
    return value_units


def plan_line(target: Target, change: LineChange) -> Plan | None:
    """Check a line change against what was read; None when it was applied before (a harmless replay)."""
    current_category = next((c for c in target.rubric.categories if c.id == change.category_id), None)
    section = (current_category.section or "") if current_category is not None and target.mode == "section" else ""
    sheet, rubric = _open_section(target, section)
    category = next((c for c in rubric.categories if c.id == change.category_id), None)
    if category is None or (target.mode == "section" and (category.section or "") != section):
        raise ServiceError(gettext("That category is not on this car's score sheet."))
    note = line_note(category, change.note)
    value_units = line_value(category, change.value, rubric.scale)
    change_id = _clean_change_id(change.change_id)
    if sheet is not None and sheet.applied and change_id:
        return None
    current = sheet.lines.get(change.category_id, (None, "")) if sheet else (None, "")
    based_on = (change.base_value, change.base_note)
    if based_on != (None, None) and (_parse_base(change.base_value), (change.base_note or "").strip()) != current:
        raise StaleChange(
            gettext(
                "%(category)s was changed on another device or page: it now holds %(value)s. Your change was not "
                "saved; check the value and enter it again if it is still right.",
                category=category.name,
                value=_shown(category, current[0], rubric.scale),
            )
        )
    had_line = sheet is not None and category.id in sheet.lines
    return Plan(
        section=section,
        sheet=sheet,
        rubric_id=rubric.id,
        change_id=change_id,
        audit_action="line",
        before={"value": current[0], "note": current[1]} if had_line else None,
        after={"category": category.key, "value": value_units, "note": note},
        device=change.device,
        category=category,
        value_units=value_units,
        note=note,
    )


def plan_comment(target: Target, change: CommentChange) -> Plan | None:
    sheet, rubric = _open_section(target, change.section)
    if len(change.comment) > 5000:
        raise ServiceError(gettext("The overall comment is limited to 5000 characters."))
    change_id = _clean_change_id(change.change_id)
    if sheet is not None and sheet.applied and change_id:
        return None
    current = sheet.comment if sheet else ""
    if change.base_comment is not None and change.base_comment.strip() != current:
        raise StaleChange(
            gettext(
                "The comment was changed on another device or page; your change was not saved. "
                "The current comment is shown: add to it and save again."
            )
        )
    comment = change.comment.strip()
    return Plan(
        section=change.section if target.mode == "section" else "",
        sheet=sheet,
        rubric_id=rubric.id,
        change_id=change_id,
        audit_action="comment",
        before={"comment": current},
        after={"comment": comment},
        device=change.device,
        comment=comment,
    )


# -- the write --------------------------------------------------------------------------------------------


# The two writes of every save as SQL both databases speak, so they are compiled once: SQLAlchemy does not cache
# its dialect-specific ``INSERT … ON CONFLICT`` constructs, and compiling them on every save cost more than running.
_CLAIM_CHANGE = text(
    "INSERT INTO sheet_change (change_id, sheet_id, applied_at, sheet_version) "
    "VALUES (:change_id, :sheet_id, :applied_at, :sheet_version) ON CONFLICT DO NOTHING"
).bindparams(bindparam("applied_at", type_=SheetChange.__table__.c.applied_at.type))
_UPSERT_LINE = text(
    "INSERT INTO score_line (sheet_id, category_id, value_units, note) "
    "VALUES (:sheet_id, :category_id, :value_units, :note) "
    "ON CONFLICT (sheet_id, category_id) DO UPDATE SET value_units = excluded.value_units, note = excluded.note"
)

# The sheet's version bump with its optimistic check, and the audit row: built once with bind parameters, so a save
# neither builds nor keys a statement (an ORM ``update(...).values(...)`` or ``insert(AuditLog).values(...)`` built
# per save was a third of the writer thread's time under load).
_SHEETS = ScoreSheet.metadata.tables[ScoreSheet.__tablename__]
_BUMP_SHEET = (
    update(_SHEETS)
    .where(_SHEETS.c.id == bindparam("sheet_id"))
    .where(_SHEETS.c.version == bindparam("version"))
    .where(_SHEETS.c.status == "draft")
    .values(version=bindparam("new_version"), updated_at=bindparam("now"))
)
_BUMP_SHEET_COMMENT = _BUMP_SHEET.values(overall_comment=bindparam("comment"))
_CREATE_SHEET = text(
    "INSERT INTO score_sheet (entry_id, judge_id, team_id, section, rubric_id, status, version, overall_comment, "
    "calibration, created_at, updated_at) VALUES (:entry_id, :judge_id, :team_id, :section, :rubric_id, 'draft', 1, "
    ":overall_comment, :calibration, :now, :now) ON CONFLICT DO NOTHING RETURNING id"
).bindparams(
    bindparam("calibration", type_=_SHEETS.c.calibration.type), bindparam("now", type_=_SHEETS.c.created_at.type)
)
_AUDITS = AuditLog.metadata.tables[AuditLog.__tablename__]
_AUDIT_ROW = sa_insert(_AUDITS).values(
    {
        name: bindparam(name, type_=_AUDITS.c[name].type)
        for name in ("at", "entity_type", "entity_id", "action", "user_id", "event_id", "before", "after", "device")
    }
)
# SQLite's writer thread runs these on the sqlite3 connection directly (see _ConnectionInThread).
for _statement in (_CLAIM_CHANGE, _UPSERT_LINE, _BUMP_SHEET, _BUMP_SHEET_COMMENT, _CREATE_SHEET, _AUDIT_ROW):
    on_driver(_statement)


def sheet_owner(target: Target) -> dict[str, Any]:
    """Whose a new sheet on the target's car is: the judge's own, or (team judging) the team's."""
    team = target.mode == "team"
    return {
        "entry_id": target.entry_id,
        "judge_id": None if team else target.judge_id,
        "team_id": target.team_id if team else None,
    }


def require_submittable(view: CarSheets) -> None:
    """A judge signs the car's sheets only when there are some, they may sign them (a team's captain), and every
    category is scored."""
    if not view.sheets:
        raise ServiceError(view.notice or gettext("There is nothing for you to score on this car."))
    if not view.can_submit:
        raise Forbidden(gettext("The team captain submits the team's sheet."))
    if view.missing:
        raise ServiceError(
            gettext("Score every category before submitting. Missing: %(lines)s.", lines=", ".join(view.missing))
        )


@cache
def _one_statement(*, create: bool, comment: bool, line: bool, claim: bool, checked: bool = False) -> TextClause:
    """PostgreSQL: a save as **one** statement (data-modifying CTEs), run outside a transaction (one statement is
    atomic). ``sheet`` is the sheet written: on an existing sheet its version bump with the optimistic check, on
    the first save of a sheet its creation (nothing if another device created it meanwhile). Then the change id is
    claimed, then the line upserted and the audit row appended, each step only if the one before it happened. A
    failed check changes nothing; a claim that would fail after the sheet was written (it cannot: every write bumps
    the version, and a new sheet has no changes) divides by zero, which undoes the whole statement. One round trip
    instead of six (BEGIN, four writes, COMMIT).

    ``checked`` (an existing sheet): the sheet is written only if the state is still ``:state``, the one the change
    was planned on (:func:`_state_statement`, for ``:judge_id`` and ``:entry_id``), and the change id was not applied
    to it: a plan made without a read is written only where a read would have made the same plan."""
    if create:
        sql = [
            "WITH sheet AS (INSERT INTO score_sheet (entry_id, judge_id, team_id, section, rubric_id, status, version,"
            " overall_comment, calibration, created_at, updated_at) VALUES (:entry_id, :judge_id, :team_id, :section,"
            " :rubric_id, 'draft', :new_version, :comment, :calibration, :now, :now) ON CONFLICT DO NOTHING"
            " RETURNING id)"
        ]
    else:
        sql = [
            "WITH sheet AS (UPDATE score_sheet SET version = :new_version, updated_at = :now",
            ", overall_comment = :comment" if comment else "",
            " WHERE id = :sheet_id AND version = :version AND status = 'draft'",
            f" AND ({postgresql_text(_state_statement())}) = :state" if checked else "",
            " AND NOT EXISTS (SELECT 1 FROM sheet_change WHERE sheet_change.change_id"
            " = substr(CAST(score_sheet.id AS TEXT) || :change_suffix, 1, 64))"
            if checked and claim
            else "",
            " RETURNING id)",
        ]
    # ``done``: the sheet, once its change id is claimed (or written, for a change without one). The change's key
    # is the sheet's id and the tablet's change id, as :func:`_change_key` makes it.
    sql.append(
        ", done AS (INSERT INTO sheet_change (change_id, sheet_id, applied_at, sheet_version)"
        " SELECT substr(CAST(id AS TEXT) || :change_suffix, 1, 64), id, :now, :new_version FROM sheet"
        " ON CONFLICT DO NOTHING RETURNING sheet_id AS id)"
        if claim
        else ", done AS (SELECT id FROM sheet)"
    )
    if line:
        sql.append(
            ", line AS (INSERT INTO score_line (sheet_id, category_id, value_units, note)"
            " SELECT id, :category_id, :value_units, :note FROM done"
            " ON CONFLICT (sheet_id, category_id) DO UPDATE SET value_units = excluded.value_units,"
            " note = excluded.note RETURNING 1)"
        )
    sql.append(
        ", audit AS (INSERT INTO audit_log (at, entity_type, entity_id, action, user_id, event_id, before, after,"
        " device) SELECT :now, 'score_sheet', id, :action, :user_id, :event_id, :before, :after, :device FROM done"
        " RETURNING 1)"
    )
    sql.append(
        " SELECT CASE WHEN (SELECT count(*) FROM sheet) = 0 THEN 0 ELSE 1 / (SELECT count(*) FROM done) END AS done,"
        " (SELECT id FROM sheet) AS sheet_id"
    )
    if line:
        sql.append(", (SELECT count(*) FROM line) AS lines")
    audit = AuditLog.metadata.tables[AuditLog.__tablename__]
    params = [
        bindparam("now", type_=_SHEETS.c.updated_at.type),
        bindparam("new_version", type_=Integer),
        bindparam("user_id", type_=Integer),
        bindparam("event_id", type_=Integer),
        bindparam("action", type_=String),
        bindparam("device", type_=String),
        bindparam("before", type_=audit.c.before.type),
        bindparam("after", type_=audit.c.after.type),
    ]
    if create:
        params += [
            bindparam("entry_id", type_=Integer),
            bindparam("judge_id", type_=Integer),
            bindparam("team_id", type_=Integer),
            bindparam("section", type_=String),
            bindparam("rubric_id", type_=Integer),
            bindparam("calibration", type_=_SHEETS.c.calibration.type),
        ]
    else:
        params += [bindparam("sheet_id", type_=Integer), bindparam("version", type_=Integer)]
        if checked:
            params += [
                bindparam("state", type_=String),
                bindparam("judge_id", type_=Integer),
                bindparam("entry_id", type_=Integer),
            ]
    if comment or create:
        params.append(bindparam("comment", type_=String))
    if claim:
        params.append(bindparam("change_suffix", type_=String))
    if line:
        params += [
            bindparam("category_id", type_=Integer),
            bindparam("value_units", type_=Integer),
            bindparam("note", type_=String),
        ]
    statement = text("".join(sql)).bindparams(*params)
    on_driver(statement)  # run on asyncpg directly (see :func:`_write_at_once`)
    return statement


async def _write_at_once(
    driver: DriverConnection, viewer: Viewer, target: Target, plan: Plan, *, state: str | None = None
) -> SheetData:
    """PostgreSQL: :func:`_one_statement` on the read's connection (one pooled connection a save), in the driver's
    autocommit: stored once it returns. Raises :class:`_Raced` when the sheet changed since the read, or was created
    by another device meanwhile (nothing was written). With ``state`` (a plan made on an earlier read, whose
    :meth:`Target.state_seen` it is), also when that is no longer the state, or the change id was applied."""
    sheet = plan.sheet
    now = utcnow()
    params: dict[str, Any] = {
        "now": now,
        "new_version": 1 if sheet is None else sheet.version + 1,
        "user_id": viewer.user_id,
        "event_id": target.event_id,
        "action": plan.audit_action,
        "device": plan.device[:300],
        "before": plan.before,
        "after": plan.after,
    }
    if sheet is None:
        params |= sheet_owner(target) | {
            "section": plan.section,
            "rubric_id": plan.rubric_id,
            "calibration": target.calibration,
            "comment": plan.comment or "",
        }
    else:
        params |= {"sheet_id": sheet.id, "version": sheet.version}
        if plan.comment is not None:
            params["comment"] = plan.comment
        if state is not None:
            params |= {"state": state, "judge_id": target.judge_id, "entry_id": target.entry_id}
    if plan.change_id:
        params["change_suffix"] = ":" + plan.change_id
    if plan.category is not None:
        params |= {"category_id": plan.category.id, "value_units": plan.value_units, "note": plan.note}
    statement = _one_statement(
        create=sheet is None,
        comment=plan.comment is not None,
        line=plan.category is not None,
        claim=bool(plan.change_id),
        checked=state is not None and sheet is not None,
    )
    done, sheet_id = (await driver.execute(statement, params)).one()[:2]
    if not done:
        raise _Raced()
    # Stored: the chief judge's board is told (one non-blocking call).
    live.publish_committed(driver.info, live.board_channel(target.event_id), {"entry_id": target.entry_id})
    if sheet is None:
        return _as_written(SheetData(sheet_id, plan.section, 0, "draft", plan.rubric_id, "", {}), plan)
    return _as_written(sheet, plan)


def _as_written(sheet: SheetData, plan: Plan) -> SheetData:
    """The sheet as the plan's writes leave it: the next version, the new comment, the changed line."""
    written = replace(
        sheet,
        version=sheet.version + 1,
        comment=plan.comment if plan.comment is not None else sheet.comment,
        lines=dict(sheet.lines),
    )
    if plan.category is not None:
        assert plan.category.id is not None
        written.lines[plan.category.id] = (plan.value_units, plan.note)
    return written


async def write_plan(session: AsyncSession, viewer: Viewer, target: Target, plan: Plan) -> SheetData:
    """The plan's writes (steps 1-4 of the module's docstring) in the session's transaction; raises
    :class:`_Raced` when the sheet changed since the read. Returns the sheet as it now is."""
    now: datetime = utcnow()
    sheet = plan.sheet
    # The chief judge's board is told once this commits (one non-blocking call; nothing on a rollback).
    live.publish_after_commit(session, live.board_channel(target.event_id), {"entry_id": target.entry_id})
    if sheet is None:
        sheet_id = (
            await _core(
                session,
                _CREATE_SHEET,
                sheet_owner(target)
                | {
                    "section": plan.section,
                    "rubric_id": plan.rubric_id,
                    "overall_comment": plan.comment or "",
                    "calibration": target.calibration,
                    "now": now,
                },
            )
        ).scalar()
        if sheet_id is None:
            raise _Raced()
        written = _as_written(SheetData(sheet_id, plan.section, 0, "draft", plan.rubric_id, "", {}), plan)
    else:
        bump = {"sheet_id": sheet.id, "version": sheet.version, "new_version": sheet.version + 1, "now": now}
        if plan.comment is not None:
            result = await _core(session, _BUMP_SHEET_COMMENT, {**bump, "comment": plan.comment})
        else:
            result = await _core(session, _BUMP_SHEET, bump)
        if result.rowcount != 1:
            raise _Raced()
        written = _as_written(sheet, plan)
    if plan.change_id:
        claimed = await _core(
            session,
            _CLAIM_CHANGE,
            {
                "change_id": _change_key(written.id, plan.change_id),
                "sheet_id": written.id,
                "applied_at": now,
                "sheet_version": written.version,
            },
        )
        if claimed.rowcount != 1:
            raise _Raced()
    if plan.category is not None:
        assert plan.category.id is not None
        await _core(
            session,
            _UPSERT_LINE,
            {
                "sheet_id": written.id,
                "category_id": plan.category.id,
                "value_units": plan.value_units,
                "note": plan.note,
            },
        )
    await _core(
        session,
        _AUDIT_ROW,
        {
            "at": now,
            "entity_type": "score_sheet",
            "entity_id": written.id,
            "action": plan.audit_action,
            "user_id": viewer.user_id,
            "event_id": target.event_id,
            "before": plan.before,
            "after": plan.after,
            "device": plan.device[:300],
        },
    )
    return written


def _after(target: Target, written: SheetData) -> Target:
    return replace(target, sheets={**target.sheets, written.section: written})


def _answer(
    target: Target, *, category_id: int | None, section: str, error: str = "", status: int = 200, applied: bool = False
) -> Saved:
    sheets = car_sheets_of(target)
    line = (
        next((ln for sv in sheets.sheets for ln in sv.lines if ln.category.id == category_id), None)
        if category_id is not None
        else None
    )
    comment = (
        next((sv.overall_comment for sv in sheets.sheets if sv.section == section), "") if category_id is None else None
    )
    return Saved(sheets, line, comment, error, status, applied)


def refusal_status(exc: ServiceError) -> int:
    """A refused change answers with its reason: 403 not yours, 409 locked or stale, 422 invalid."""
    return exc.status_code if exc.status_code in (403, 409) else 422


async def autosave(
    database: Database,
    viewer: Viewer,
    entry_id: int,
    change: LineChange | CommentChange,
    answer: Callable[[Saved], A],
    *,
    calibration: bool = False,
) -> A:
    """Save one change from a tablet (see the module): on SQLite the read, the checks and the writes as one
    transaction on the writer thread; on PostgreSQL the read, then the writes as one statement, on the driver.
    Returns ``answer`` of the outcome, made while the change is being stored, once it is stored.

    Refusals of the car itself (not in judging, not the judge's, a conflict) raise, as the page would;
    refusals of the change come back in :class:`Saved` with the line as the server holds it."""
    if database.writer_engine is not None:
        saved, stored = await database.in_writer_early(
            lambda session: _run_now(
                _save_at_once(_in_thread(session), viewer, entry_id, change, calibration=calibration)
            )
        )
        try:
            return answer(saved)  # while the commit syncs the disk
        finally:
            await stored  # given only once it is on disk (raises if the commit failed)
    return await _save_on_driver(database, viewer, entry_id, change, answer, calibration=calibration)


async def _read_and_plan(
    session: AsyncSession,
    viewer: Viewer,
    change: LineChange | CommentChange,
    entry_id: int,
    calibration: bool,
    *,
    with_state: bool = False,
) -> tuple[Target, Plan | Saved]:
    """The save's read and its checks: the plan of its writes, or the answer when nothing is to be written (a
    refused change, with the line as the server holds it; a replay of an applied change)."""
    if calibration:
        target = await read_calibration_target(
            session, viewer.judge_id, entry_id, change.change_id, entrant_id=viewer.entrant_id
        )
    else:
        target = await read_target(
            session, viewer.judge_id, entry_id, change.change_id, entrant_id=viewer.entrant_id, with_state=with_state
        )
    return target, _plan(target, change)


def _plan(target: Target, change: LineChange | CommentChange) -> Plan | Saved:
    """The plan of the change's writes on ``target``, or the answer when nothing is to be written."""
    try:
        plan = plan_line(target, change) if isinstance(change, LineChange) else plan_comment(target, change)
    except ServiceError as exc:
        return _answer_for(target, change, error=exc.message, status=refusal_status(exc))
    if plan is None:  # applied before: answer with what the sheet holds
        return _answer_for(target, change)
    return plan


def _answer_for(target: Target, change: LineChange | CommentChange, **outcome: Any) -> Saved:
    if isinstance(change, LineChange):
        return _answer(target, category_id=change.category_id, section="", **outcome)
    return _answer(target, category_id=None, section=change.section, **outcome)


def _saved(target: Target, change: LineChange | CommentChange, plan: Plan, written: SheetData) -> Saved:
    if plan.sheet is None:  # the first sheet on this rubric may have made it immutable: keep it
        _remember_rubric(target.rubrics[plan.rubric_id], target.rubric_stamps.get(plan.rubric_id))
    return _answer_for(_after(target, written), change, applied=True)


async def _save_on_driver(
    database: Database,
    viewer: Viewer,
    entry_id: int,
    change: LineChange | CommentChange,
    answer: Callable[[Saved], A],
    *,
    calibration: bool = False,
) -> A:
    """PostgreSQL: the read, then the write as one statement (:func:`_one_statement`), both on one pooled
    connection in autocommit, run on asyncpg directly (:mod:`concours.db.driver`); from the read again when the
    sheet changed in between. When this process saved on the judge's sheet of the car before, the change is first
    planned on what that save left (:func:`_known`) and written in one statement that checks the state is still
    that (:func:`_state_statement`): no read, unless the state moved (then from the read, as above)."""
    key = _known_key(viewer, entry_id)
    known = None if calibration else _known(database).pop(key, None)
    if known is not None:
        plan = _plan(known, change)
        if isinstance(plan, Plan) and plan.sheet is not None:  # a refusal or a replay is answered from a read
            async with database.driver() as driver:
                write = _write_at_once(driver, viewer, known, plan, state=known.state_seen())
                try:
                    written, answered = await _answered_while_written(write, known, change, plan, answer)
                except _Raced:
                    pass  # the state moved: from a read
                else:
                    _remember(database, key, _after(known, written))
                    return answered
    for _attempt in range(MAX_ATTEMPTS):
        async with database.driver() as driver:
            session = cast_session(AsyncSession, driver)  # the face of a session the read uses
            target, plan = await _read_and_plan(
                session, viewer, change, entry_id, calibration, with_state=not calibration
            )
            if isinstance(plan, Saved):
                _remember(database, key, target)
                return answer(plan)
            try:
                if plan.sheet is not None:
                    write = _write_at_once(driver, viewer, target, plan)
                    written, answered = await _answered_while_written(write, target, change, plan, answer)
                    _remember(database, key, _after(target, written))
                    return answered
                written = await _write_at_once(driver, viewer, target, plan)
            except _Raced:
                continue
        return answer(_saved_and_known(database, key, target, change, plan, written))
    raise Conflict(gettext("The sheet is being changed from several places at once; try again."))


async def _answered_while_written(
    write: Coroutine[Any, Any, SheetData],
    target: Target,
    change: LineChange | CommentChange,
    plan: Plan,
    answer: Callable[[Saved], A],
) -> tuple[SheetData, A]:
    """PostgreSQL, a change to a sheet that exists: send ``write``, make the answer from the plan while the database
    runs it and syncs its log, then wait for it. Done, it wrote what the plan says (:func:`_as_written`); raced
    (:class:`_Raced`), it wrote nothing and the answer is dropped."""
    assert plan.sheet is not None
    sending = asyncio.ensure_future(write)
    try:
        await asyncio.sleep(0)  # the write runs up to its wait for the database: the statement is sent
        answered = answer(_saved(target, change, plan, _as_written(plan.sheet, plan)))
    except BaseException:
        # Never left running on a connection about to go back to the pool; the error raised here (a cancellation,
        # a failed answer) is the one to hear of, not the write's outcome.
        with contextlib.suppress(Exception):
            await sending
        raise
    return await sending, answered


def _saved_and_known(
    database: Database,
    key: tuple[int, int, int],
    target: Target,
    change: LineChange | CommentChange,
    plan: Plan,
    written: SheetData,
) -> Saved:
    _remember(database, key, _after(target, written))
    return _saved(target, change, plan, written)


# -- what this process's saves left, per judge and car (PostgreSQL) ---------------------------------------------

KNOWN_MAX = 20_000  # judges × cars remembered per database (a few KB each); the least recently saved go first
_known_by_engine: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[int, int, int], Target]] = (
    weakref.WeakKeyDictionary()
)


def _known(database: Database) -> OrderedDict[tuple[int, int, int], Target]:
    """The targets this process's saves last read or left on ``database``, by :func:`_known_key` (the event loop's
    thread only). A target is only ever a plan's starting point: the write checks it is still the state."""
    known = _known_by_engine.get(database.engine.sync_engine)
    if known is None:
        known = _known_by_engine[database.engine.sync_engine] = OrderedDict()
    return known


def _known_key(viewer: Viewer, entry_id: int) -> tuple[int, int, int]:
    return (viewer.judge_id or 0, viewer.entrant_id or 0, entry_id)  # the entrant: the own-car check


def _remember(database: Database, key: tuple[int, int, int], target: Target) -> None:
    if target.state is None:
        return
    known = _known(database)
    # A change id's "applied" is the read's answer for that change only.
    if any(v.applied for v in target.sheets.values()):
        target = replace(target, sheets={k: replace(v, applied=False) for k, v in target.sheets.items()})
    known[key] = target
    known.move_to_end(key)
    while len(known) > KNOWN_MAX:
        known.popitem(last=False)


async def _save_at_once(
    session: AsyncSession,
    viewer: Viewer,
    entry_id: int,
    change: LineChange | CommentChange,
    *,
    calibration: bool = False,
) -> Saved:
    """The read, the checks and the writes in the caller's write transaction (SQLite's writer thread: nobody else
    writes meanwhile, so what was read is what is written over)."""
    target, plan = await _read_and_plan(session, viewer, change, entry_id, calibration)
    if isinstance(plan, Saved):
        return plan
    try:
        written = await write_plan(session, viewer, target, plan)
    except _Raced:
        raise Conflict(gettext("The sheet is being changed from several places at once; try again.")) from None
    return _saved(target, change, plan, written)


async def _core(session: AsyncSession, statement: Any, params: dict[str, Any] | list[dict[str, Any]]) -> Any:
    """Run a statement of the save on the session's connection: the save's statements are Core (columns, not
    entities), and going through the ORM session's execution cost as much again per statement."""
    connection = await session.connection()
    return await connection.execute(statement, params)


class _InThread:
    """The face of an :class:`AsyncSession` the save uses (``execute``, ``scalar``, ``bind``, ``sync_session``) over
    a synchronous session on the writer thread: every await completes at once, so :func:`_run_now` runs the same
    coroutine the PostgreSQL path awaits to its end in one go, without an event loop."""

    def __init__(self, session: Session) -> None:
        self.sync_session = session
        self.bind = session.bind
        self._connection: _ConnectionInThread | None = None

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync_session.execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return self.sync_session.scalar(*args, **kwargs)

    async def connection(self) -> _ConnectionInThread:
        if self._connection is None:
            # The group's connection, in the group's transaction, which the session is bound to: the session's own
            # transaction (begun by ``Session.connection()``, a fifth of the save's work on the thread) only when
            # an ORM read needs it (a rubric not yet cached), joining the same transaction.
            connection = self.sync_session.bind
            assert isinstance(connection, Connection) and connection.in_transaction()
            self._connection = _ConnectionInThread(connection)
        return self._connection


class _ConnectionInThread:
    """The face of an ``AsyncConnection`` over the writer thread's connection (see :class:`_InThread`): the save's
    registered statements run on the sqlite3 connection directly (:func:`concours.db.driver.run_in_writer`)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    async def execute(self, statement: Any, params: dict[str, Any] | list[dict[str, Any]]) -> Any:
        rows = run_in_writer(self.connection, statement, params) if isinstance(params, dict) else None
        return self.connection.execute(statement, params) if rows is None else rows  # else: many rows at once


def _in_thread(session: Session) -> AsyncSession:
    return cast_session(AsyncSession, _InThread(session))


def _run_now(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (see :class:`_InThread`) and return its result."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("the save waited for something: it cannot run on the writer thread")


async def save_in_session(
    session: AsyncSession,
    viewer: Viewer,
    entry_id: int,
    change: LineChange | CommentChange,
    *,
    calibration: bool = False,
) -> None:
    """The same save inside a caller's transaction (``judging.save_line``/``save_comment``; a whole sheet at once is
    ``whole_sheet.save_whole_sheet``); refusals raise. The caller checked who acts for whom."""
    if calibration:
        target = await read_calibration_target(session, viewer.judge_id, entry_id, change.change_id)
    else:
        target = await read_target(session, viewer.judge_id, entry_id, change.change_id, as_judge_page=False)
    plan = plan_line(target, change) if isinstance(change, LineChange) else plan_comment(target, change)
    if plan is None:
        return
    try:
        await write_plan(session, viewer, target, plan)
    except _Raced:
        raise Conflict(gettext("The sheet was changed meanwhile; try again.")) from None
