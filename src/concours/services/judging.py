"""Scoring: the score sheets of a car, autosaved lines (applied once per change id), comments, submission."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import (
    ClassSystem,
    Entry,
    Event,
    EventClass,
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
from concours.db.upsert import insert_ignore
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
from concours.services import audit
from concours.services.class_systems import method_of_class
from concours.services.errors import Conflict, Forbidden, ServiceError
from concours.services.events import load_rubric, to_categories
from concours.services.permissions import Viewer


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


def combined_status(statuses: list[str]) -> str:
    if statuses and all(st == "submitted" for st in statuses):
        return "submitted"
    if any(st in ("in_progress", "submitted") for st in statuses):
        return "in_progress"
    return "not_started"


@dataclass
class Seat:
    """Where a judge writes on a car of their class, by the event's judging system."""

    mode: str  # individual | team | section
    judge_id: int
    team_id: int
    is_captain: bool
    team_has_captain: bool
    sections: list[str]

    def sheet_filter(self, entry_id: int, section: str) -> list[Any]:
        owner = (
            [ScoreSheet.team_id == self.team_id, ScoreSheet.judge_id.is_(None)]
            if self.mode == "team"
            else [ScoreSheet.judge_id == self.judge_id]
        )
        return [ScoreSheet.entry_id == entry_id, ScoreSheet.section == section, *owner]

    def sections_of(self, categories: list[Category]) -> list[tuple[str, list[Category]]]:
        """The sheets this seat writes, each with its categories (in rubric order)."""
        if self.mode != "section":
            return [("", categories)]
        order = list(dict.fromkeys(c.section or "" for c in categories))
        return [(sec, [c for c in categories if (c.section or "") == sec]) for sec in order if sec in self.sections]

    @property
    def may_submit(self) -> bool:
        return self.mode != "team" or self.is_captain or not self.team_has_captain


async def _context(session: AsyncSession, entry: Entry) -> tuple[Event, EventClass, Rubric]:
    event = await session.get(Event, entry.event_id)
    cls = await session.get(EventClass, entry.class_id)
    assert event is not None and cls is not None
    method = await method_of_class(session, cls.id)
    if method != "points":
        raise ServiceError(
            "This class is judged by placings: order its cars on the class's placings sheet."
            if method == "placings"
            else "This is a display class: its cars are not judged."
        )
    rubric_id = cls.rubric_id or event.rubric_id
    if rubric_id is None:
        raise ServiceError("This event has no score sheet yet; the organizer must choose a rubric.")
    return event, cls, await _rubric(session, rubric_id)


async def _rubric(session: AsyncSession, rubric_id: int) -> Rubric:
    """The rubric, loaded once per request (a save loads it for the change and again for the answer)."""
    key = ("concours.rubric", rubric_id)
    if key not in session.info:
        session.info[key] = await load_rubric(session, rubric_id)
    return session.info[key]  # type: ignore[no-any-return]


async def _seat(session: AsyncSession, judge_id: int, entry: Entry) -> Seat:
    key = ("concours.seat", judge_id, entry.class_id)
    if key in session.info:  # once per request: the change and the answer both need it
        return session.info[key]  # type: ignore[no-any-return]
    session.info[key] = seat = await _find_seat(session, judge_id, entry)
    return seat


async def _find_seat(session: AsyncSession, judge_id: int, entry: Entry) -> Seat:
    row = (
        await session.execute(
            select(TeamMember, func.coalesce(ClassSystem.sheet_mode, JudgingSystem.sheet_mode))
            .join(Team, Team.id == TeamMember.team_id)
            .outerjoin(JudgingSystem, JudgingSystem.event_id == Team.event_id)
            .outerjoin(ClassSystem, ClassSystem.class_id == Team.class_id)
            .where(Team.class_id == entry.class_id, TeamMember.judge_id == judge_id)
        )
    ).first()
    if row is None:
        raise Forbidden("You are not on the judging team of this car's class.")
    member, mode = row
    has_captain = bool(
        await session.scalar(
            select(func.count())
            .select_from(TeamMember)
            .where(TeamMember.team_id == member.team_id, TeamMember.is_captain.is_(True))
        )
    )
    return Seat(
        mode or "individual", judge_id, member.team_id, member.is_captain, has_captain, list(member.sections or [])
    )


def _lock_reason(event: Event, cls: EventClass) -> str:
    if cls.certified_at is not None:
        return "The class is certified: its sheets are locked."
    if not judging_open(event.status):
        return "Judging is not open for this event."
    return ""


def _sheet_state(sheet: ScoreSheet | None) -> str:
    if sheet is None or (sheet.status == "draft" and not sheet.version):
        return "not_started"
    return "submitted" if sheet.status == "submitted" else "in_progress"


async def car_sheets(session: AsyncSession, judge_id: int, entry: Entry) -> CarSheets:
    """The sheet(s) this judge writes on this car, with what is scored so far."""
    event, cls, rubric = await _context(session, entry)
    seat = await _seat(session, judge_id, entry)
    sheets = {
        s.section: s
        for s in (
            await session.scalars(
                select(ScoreSheet)
                .options(selectinload(ScoreSheet.lines))
                .where(*seat.sheet_filter(entry.id, ScoreSheet.section))
            )
        ).all()
    }
    rubrics = {rubric.id: rubric}
    for s in sheets.values():  # a sheet keeps the rubric version it was scored on
        if s.rubric_id not in rubrics:
            rubrics[s.rubric_id] = await _rubric(session, s.rubric_id)
    lock = _lock_reason(event, cls)
    views = []
    for section, _ in seat.sections_of(to_categories(rubric.categories)):
        sheet = sheets.get(section)
        cats = [
            c
            for c in to_categories(rubrics[sheet.rubric_id if sheet else rubric.id].categories)
            if seat.mode != "section" or (c.section or "") == section
        ]
        lines = {ln.category_id: ln for ln in (sheet.lines if sheet else [])}
        values = {c.key: lines[c.id].value_units if c.id in lines else None for c in cats}
        view = SheetView(
            entry_id=entry.id,
            scale=rubric.scale,
            section=section,
            title=section.replace("_", " ").capitalize() if section else "",
            lines=[LineView(c, values[c.key], lines[c.id].note if c.id in lines else "") for c in cats],
            total=sheet_total(cats, values),
            maximum=sheet_max(cats),
            missing=missing_lines(cats, values),
            locked_reason=lock,
            status=_sheet_state(sheet),
        )
        if sheet is not None:
            view.version, view.overall_comment = sheet.version, sheet.overall_comment
        views.append(view)
    notice = ""
    if seat.mode == "section" and not views:
        notice = "The chief judge has not given you a section of this sheet yet."
    elif seat.mode == "team":
        notice = "One consensus sheet for the team: every member sees and edits the same sheet."
        if not seat.may_submit:
            notice += " The team captain submits it."
    return CarSheets(seat.mode, views, rubric.scale, notice, seat.may_submit)


async def _open_sheet(
    session: AsyncSession, viewer: Viewer, entry: Entry, *, category_id: int | None = None, section: str | None = None
) -> tuple[ScoreSheet, Rubric]:
    """The sheet a change goes to (created on the first change), refusing what the judge may not write."""
    assert viewer.judge_id is not None
    event, cls, rubric = await _context(session, entry)
    reason = _lock_reason(event, cls)
    if reason:
        raise Conflict(reason)
    seat = await _seat(session, viewer.judge_id, entry)
    if category_id is not None:
        category = next((c for c in rubric.categories if c.id == category_id), None)
        section = (category.section or "") if category is not None and seat.mode == "section" else ""
    section = section if seat.mode == "section" else ""
    if seat.mode == "section" and section not in seat.sections:
        raise Forbidden("That part of the sheet belongs to another judge of your team.")
    await insert_ignore(
        session,
        ScoreSheet,
        {
            "entry_id": entry.id,
            "judge_id": None if seat.mode == "team" else viewer.judge_id,
            "team_id": seat.team_id if seat.mode == "team" else None,
            "section": section,
            "rubric_id": rubric.id,
            "status": "draft",
            "version": 0,
            "overall_comment": "",
            "created_at": utcnow(),
            "updated_at": utcnow(),
        },
    )
    sheet = await session.scalar(
        select(ScoreSheet)
        .options(selectinload(ScoreSheet.lines))
        .execution_options(populate_existing=True)
        .where(*seat.sheet_filter(entry.id, section))
        .with_for_update(of=ScoreSheet)  # PostgreSQL: one writer per sheet, so a stale base is always caught
    )
    assert sheet is not None
    if sheet.rubric_id != rubric.id:
        rubric = await _rubric(session, sheet.rubric_id)
    if sheet.status == "submitted":
        raise Conflict("This sheet is submitted and signed; only the chief judge can reopen it.")
    return sheet, rubric


def _change_key(sheet: ScoreSheet, change_id: str) -> str:
    return f"{sheet.id}:{change_id.strip()[:64]}"[:64]


async def _already_applied(session: AsyncSession, sheet: ScoreSheet, change_id: str) -> bool:
    """True when this tablet change was applied before (a retry, a double tap, a replay)."""
    if not change_id.strip():
        return False
    return bool(
        await session.scalar(select(SheetChange.sheet_id).where(SheetChange.change_id == _change_key(sheet, change_id)))
    )


def _parse_base(text: str | None) -> int | None:
    """The stored value a change was based on, as sent by the tablet ("" = the line was empty)."""
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"-?\d{1,9}", text):
        raise ServiceError("This change carries a malformed base value; reload the page.")
    return int(text)


class StaleChange(Conflict):
    """A change based on values the sheet no longer holds (another device, or a stale page)."""


async def _claim_change(session: AsyncSession, sheet: ScoreSheet, change_id: str) -> bool:
    """Record the tablet's change id; False when this change was already applied."""
    change_id = change_id.strip()[:64]
    if not change_id:
        return True
    return await insert_ignore(
        session,
        SheetChange,
        {
            "change_id": _change_key(sheet, change_id),
            "sheet_id": sheet.id,
            "applied_at": utcnow(),
            "sheet_version": sheet.version + 1,
        },
    )


async def save_line(
    session: AsyncSession,
    viewer: Viewer,
    entry: Entry,
    *,
    category_id: int,
    value: str,
    note: str,
    change_id: str,
    device: str,
    base_value: str | None = None,
    base_note: str | None = None,
) -> None:
    """Save one category of the judge's sheet. ``value`` is points in points mode and the deduction in
    deduction mode (both as typed, e.g. "2.5"); empty clears the line.

    ``base_value``/``base_note`` (when sent) are the stored value units and note the change was made on: if the
    line holds something else now (another device wrote it, or the page is stale) the change is refused with
    :class:`StaleChange` (409) — unless this very change was applied before, which is a harmless replay."""
    sheet, rubric = await _open_sheet(session, viewer, entry, category_id=category_id)
    category = next((c for c in rubric.categories if c.id == category_id), None)
    if category is None:
        raise ServiceError("That category is not on this car's score sheet.")
    if len(note) > 2000:
        raise ServiceError(f"{category.name}: the note is {len(note)} characters; keep it under 2000.")
    value_units: int | None = None
    if value.strip():
        try:
            typed = parse_points(value, rubric.scale)
            if category.mode == "deduction" and not 0 <= typed <= category.max_units:
                raise ScoreError(
                    f"{category.name}: a deduction is between 0 and {format_units(category.max_units, rubric.scale)}"
                )
            value_units = typed if category.mode == "points" else category.max_units - typed
            check_value(to_categories([category])[0], value_units, rubric.scale)
        except ScoreError as exc:
            raise ServiceError(str(exc)) from exc
    line = next((ln for ln in sheet.lines if ln.category_id == category.id), None)
    if base_value is not None or base_note is not None:
        if await _already_applied(session, sheet, change_id):
            return
        current = (line.value_units, line.note) if line else (None, "")
        if (_parse_base(base_value), (base_note or "").strip()) != current:
            raise StaleChange(
                f"{category.name} was changed on another device or page: it now holds "
                f"{_shown(category, current[0], rubric.scale)}. Your change was not saved; check the value and "
                "enter it again if it is still right."
            )
    if not await _claim_change(session, sheet, change_id):
        return
    before = {"value": line.value_units, "note": line.note} if line else None
    if line is None:
        line = ScoreLine(sheet_id=sheet.id, category_id=category.id, value_units=value_units, note=note.strip())
        sheet.lines.append(line)
    else:
        line.value_units, line.note = value_units, note.strip()
    sheet.version += 1
    sheet.updated_at = utcnow()
    audit.record(
        session,
        entity_type="score_sheet",
        entity_id=sheet.id,
        action="line",
        user_id=viewer.user_id,
        event_id=entry.event_id,
        before=before,
        after={"category": category.key, "value": value_units, "note": note.strip()},
        device=device,
    )


def _shown(category: Category | RubricCategory, value_units: int | None, scale: int) -> str:
    """A stored value as the judge reads it: points, or the deduction in deduction mode."""
    if value_units is None:
        return "nothing"
    if category.mode == "deduction":
        return f"a deduction of {format_units(category.max_units - value_units, scale)}"
    return f"{format_units(value_units, scale)} points"


async def save_comment(
    session: AsyncSession,
    viewer: Viewer,
    entry: Entry,
    *,
    comment: str,
    change_id: str,
    device: str,
    section: str = "",
    base_comment: str | None = None,
) -> None:
    """Save the overall comment; ``base_comment`` (when sent) is the comment the change was made on."""
    sheet, _ = await _open_sheet(session, viewer, entry, section=section)
    if len(comment) > 5000:
        raise ServiceError("The overall comment is limited to 5000 characters.")
    if base_comment is not None and base_comment.strip() != sheet.overall_comment:
        if await _already_applied(session, sheet, change_id):
            return
        raise StaleChange(
            "The comment was changed on another device or page; your change was not saved. "
            "The current comment is shown: add to it and save again."
        )
    if not await _claim_change(session, sheet, change_id):
        return
    before = sheet.overall_comment
    sheet.overall_comment = comment.strip()
    sheet.version += 1
    audit.record(
        session,
        entity_type="score_sheet",
        entity_id=sheet.id,
        action="comment",
        user_id=viewer.user_id,
        event_id=entry.event_id,
        before={"comment": before},
        after={"comment": sheet.overall_comment},
        device=device,
    )


async def submit_sheet(session: AsyncSession, viewer: Viewer, entry: Entry, *, device: str) -> None:
    """Sign every sheet this judge writes on the car; each must be complete."""
    assert viewer.judge_id is not None
    view = await car_sheets(session, viewer.judge_id, entry)
    if not view.sheets:
        raise ServiceError(view.notice or "There is nothing for you to score on this car.")
    if not view.can_submit:
        raise Forbidden("The team captain submits the team's sheet.")
    if view.missing:
        raise ServiceError("Score every category before submitting. Missing: " + ", ".join(view.missing) + ".")
    for sv in view.sheets:
        if sv.status == "submitted":
            continue
        sheet, _ = await _open_sheet(session, viewer, entry, section=sv.section)
        sheet.status = "submitted"
        sheet.submitted_at = utcnow()
        sheet.version += 1
        audit.record(
            session,
            entity_type="score_sheet",
            entity_id=sheet.id,
            action="submit",
            user_id=viewer.user_id,
            event_id=entry.event_id,
            after={"status": "submitted"},
            device=device,
        )


















