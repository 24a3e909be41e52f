"""Judges on classes, and scoring: autosaved lines (applied once per change id), comments, submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import (
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    Rubric,
    ScoreLine,
    ScoreSheet,
    SheetChange,
    Team,
    TeamMember,
    User,
    Vehicle,
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
from concours.services import accounts, audit
from concours.services.errors import Conflict, FormErrors, ServiceError
from concours.services.events import load_rubric, to_categories
from concours.services.permissions import Viewer
from concours.settings import Settings


async def add_judge_to_class(
    session: AsyncSession,
    settings: Settings,
    viewer: Viewer,
    cls: EventClass,
    *,
    name: str,
    email: str,
    captain: bool = False,
) -> Judge:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the judge's name."
    if "@" not in email or len(email) > 254:
        errors["email"] = "Enter the judge's e-mail address; the sign-in link goes there."
    if errors:
        raise FormErrors(errors)
    user = await accounts.get_or_create_user(session, email, name)
    judge = await session.scalar(select(Judge).where(Judge.user_id == user.id))
    if judge is None:
        judge = Judge(user_id=user.id)
        session.add(judge)
        await session.flush()
    # Automatic conflict: a judge with a car in this class never judges it.
    own = await session.scalar(
        select(Vehicle.make)
        .select_from(Entry)
        .join(Entrant, Entrant.id == Entry.entrant_id)
        .join(Vehicle, Vehicle.id == Entry.vehicle_id)
        .where(Entrant.user_id == user.id, Entry.class_id == cls.id, Entry.status != "withdrawn")
        .limit(1)
    )
    if own is not None:
        raise FormErrors({"email": f"{user.name} has a car entered in class {cls.code} and cannot judge it."})
    team = await session.scalar(select(Team).where(Team.class_id == cls.id))
    if team is None:
        team = Team(event_id=cls.event_id, class_id=cls.id, name=f"Class {cls.code}")
        session.add(team)
        await session.flush()
    exists = await session.scalar(
        select(TeamMember.id).where(TeamMember.team_id == team.id, TeamMember.judge_id == judge.id)
    )
    if exists:
        raise FormErrors({"email": f"{user.name} is already on the class {cls.code} team."})
    session.add(TeamMember(team_id=team.id, judge_id=judge.id, is_captain=captain))
    audit.record(
        session,
        entity_type="team",
        entity_id=team.id,
        action="add_judge",
        user_id=viewer.user_id,
        event_id=cls.event_id,
        after={"judge_id": judge.id, "captain": captain},
    )
    event = await session.get(Event, cls.event_id)
    assert event is not None
    await accounts.send_login_link(
        session,
        settings,
        user,
        next_url="/judging/",
        event_id=cls.event_id,
        intro=f"You are judging class {cls.code}, {cls.name}, at {event.name}.",
    )
    return judge


@dataclass
class LineView:
    category: Category
    value_units: int | None
    note: str


@dataclass
class SheetView:
    entry_id: int
    scale: int
    lines: list[LineView]
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


async def _context(session: AsyncSession, entry: Entry) -> tuple[Event, EventClass, Rubric]:
    event = await session.get(Event, entry.event_id)
    cls = await session.get(EventClass, entry.class_id)
    assert event is not None and cls is not None
    rubric_id = cls.rubric_id or event.rubric_id
    if rubric_id is None:
        raise ServiceError("This event has no score sheet yet; the organizer must choose a rubric.")
    return event, cls, await load_rubric(session, rubric_id)


def _lock_reason(event: Event, cls: EventClass) -> str:
    if cls.certified_at is not None:
        return "The class is certified: its sheets are locked."
    if not judging_open(event.status):
        return "Judging is not open for this event."
    return ""


async def sheet_view(session: AsyncSession, judge_id: int, entry: Entry) -> SheetView:
    event, cls, rubric = await _context(session, entry)
    sheet = await session.scalar(
        select(ScoreSheet)
        .options(selectinload(ScoreSheet.lines))
        .where(ScoreSheet.entry_id == entry.id, ScoreSheet.judge_id == judge_id, ScoreSheet.section == "")
    )
    if sheet is not None and sheet.rubric_id != rubric.id:
        rubric = await load_rubric(session, sheet.rubric_id)  # the sheet keeps the rubric it was scored on
    cats = to_categories(rubric.categories)
    lines = {ln.category_id: ln for ln in (sheet.lines if sheet else [])}
    values = {c.key: lines[c.id].value_units if c.id in lines else None for c in cats}
    view = SheetView(
        entry_id=entry.id,
        scale=rubric.scale,
        lines=[LineView(c, values[c.key], lines[c.id].note if c.id in lines else "") for c in cats],
        total=sheet_total(cats, values),
        maximum=sheet_max(cats),
        missing=missing_lines(cats, values),
        locked_reason=_lock_reason(event, cls),
    )
    if sheet is not None:
        view.status, view.version, view.overall_comment = sheet.status, sheet.version, sheet.overall_comment
        if sheet.status == "draft" and not any(v is not None for v in values.values()) and not sheet.overall_comment:
            view.status = "not_started"
    return view


async def _open_sheet(session: AsyncSession, viewer: Viewer, entry: Entry) -> tuple[ScoreSheet, Rubric]:
    assert viewer.judge_id is not None
    event, cls, rubric = await _context(session, entry)
    reason = _lock_reason(event, cls)
    if reason:
        raise Conflict(reason)
    await insert_ignore(
        session,
        ScoreSheet,
        {
            "entry_id": entry.id,
            "judge_id": viewer.judge_id,
            "section": "",
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
        .where(ScoreSheet.entry_id == entry.id, ScoreSheet.judge_id == viewer.judge_id, ScoreSheet.section == "")
    )
    assert sheet is not None
    if sheet.rubric_id != rubric.id:
        rubric = await load_rubric(session, sheet.rubric_id)
    if sheet.status == "submitted":
        raise Conflict("This sheet is submitted and signed; only the chief judge can reopen it.")
    return sheet, rubric


async def _claim_change(session: AsyncSession, sheet: ScoreSheet, change_id: str) -> bool:
    """Record the tablet's change id; False when this change was already applied."""
    change_id = change_id.strip()[:64]
    if not change_id:
        return True
    return await insert_ignore(
        session,
        SheetChange,
        {
            "change_id": f"{sheet.id}:{change_id}"[:64],
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
) -> None:
    """Save one category of the judge's sheet. ``value`` is points in points mode and the deduction in
    deduction mode (both as typed, e.g. "2.5"); empty clears the line."""
    sheet, rubric = await _open_sheet(session, viewer, entry)
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
    if not await _claim_change(session, sheet, change_id):
        return
    line = next((ln for ln in sheet.lines if ln.category_id == category.id), None)
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


async def save_comment(
    session: AsyncSession, viewer: Viewer, entry: Entry, *, comment: str, change_id: str, device: str
) -> None:
    sheet, _ = await _open_sheet(session, viewer, entry)
    if len(comment) > 5000:
        raise ServiceError("The overall comment is limited to 5000 characters.")
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
    sheet, rubric = await _open_sheet(session, viewer, entry)
    cats = to_categories(rubric.categories)
    by_cat = {ln.category_id: ln.value_units for ln in sheet.lines}
    missing = missing_lines(cats, {c.key: by_cat.get(c.id) for c in cats})
    if missing:
        raise ServiceError("Score every category before submitting. Missing: " + ", ".join(missing) + ".")
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


@dataclass
class JudgeCar:
    entry_id: int
    car_number: int | None
    title: str
    field_position: str
    sheet_status: str


@dataclass
class JudgeClass:
    event_name: str
    event_status: str
    class_id: int
    code: str
    name: str
    is_captain: bool
    cars: list[JudgeCar]

    @property
    def submitted(self) -> int:
        return sum(1 for c in self.cars if c.sheet_status == "submitted")


async def judge_home(session: AsyncSession, judge_id: int) -> list[JudgeClass]:
    """The judge's classes and cars (field order), with each sheet's state — two queries."""
    teams = (
        await session.execute(
            select(EventClass, Event.name, Event.status, TeamMember.is_captain)
            .join(Team, Team.class_id == EventClass.id)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .join(Event, Event.id == EventClass.event_id)
            .where(TeamMember.judge_id == judge_id, Event.status != "archived")
            .order_by(Event.starts_on, EventClass.position)
        )
    ).all()
    class_ids = [t[0].id for t in teams]
    cars = (
        (
            await session.execute(
                select(
                    Entry.id,
                    Entry.class_id,
                    Entry.car_number,
                    Entry.field_position,
                    Vehicle.year,
                    Vehicle.make,
                    Vehicle.model,
                    ScoreSheet.status,
                    ScoreSheet.version,
                )
                .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                .outerjoin(ScoreSheet, (ScoreSheet.entry_id == Entry.id) & (ScoreSheet.judge_id == judge_id))
                .where(Entry.class_id.in_(class_ids), Entry.status == "accepted")
                .order_by(Entry.car_number)
            )
        ).all()
        if class_ids
        else []
    )
    from concours.db import Conflict as ConflictRow

    conflicted = set(
        (
            await session.scalars(
                select(ConflictRow.entry_id).where(ConflictRow.judge_id == judge_id, ConflictRow.entry_id.is_not(None))
            )
        ).all()
    )
    out = []
    for cls, event_name, event_status, captain in teams:
        mine = [
            JudgeCar(
                c.id,
                c.car_number,
                f"{c.year} {c.make} {c.model}",
                c.field_position,
                "not_started"
                if c.status is None or (c.status == "draft" and not c.version)
                else ("submitted" if c.status == "submitted" else "in_progress"),
            )
            for c in cars
            if c.class_id == cls.id and c.id not in conflicted
        ]
        out.append(JudgeClass(event_name, event_status, cls.id, cls.code, cls.name, captain, mine))
    return out


async def car_details(session: AsyncSession, entry: Entry) -> dict[str, object]:
    row = (
        await session.execute(
            select(Vehicle, EventClass.code, EventClass.name, User.name)
            .join(Entry, Entry.vehicle_id == Vehicle.id)
            .join(EventClass, EventClass.id == Entry.class_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(Entry.id == entry.id)
        )
    ).one()
    v: Vehicle = row[0]
    return {
        "entry_id": entry.id,
        "car_number": entry.car_number,
        "title": v.title,
        "year": v.year,
        "make": v.make,
        "model": v.model,
        "body_style": v.body_style,
        "coachbuilder": v.coachbuilder,
        "colour": v.colour,
        "chassis_number": v.chassis_number,
        "restoration_state": v.restoration_state,
        "history": v.history,
        "class_code": row[1],
        "class_name": row[2],
        "field_position": entry.field_position,
    }
