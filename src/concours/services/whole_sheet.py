"""A judge's whole score sheet for one car, saved at once: every line's value and note, the overall comment, and
the signature when asked — a paper sheet the chief judge types in, the demo's sheets.

The checks are the tablet's (``services/autosave.py``), on what ONE read returns (``read_target``: the car, the
judge's seat on its team, the event's and class's locks, a binding conflict, the judge's sheet(s) with their lines):
the car is one this judge may score (as ``permissions.entry_for_judge`` and ``require_may_score`` decide: on the
class's team, not their own car, no binding conflict); a locked or submitted sheet, or another judge's section, is
refused (``_open_section``); each value is checked against its category's bounds and steps and each note's length
by the line save's own code (``line_value``, ``line_note``); a team's sheet is signed by its captain; a sheet is
signed only complete. Every invalid line is named (its category) in one refusal, raised before anything is written.

Then, in the caller's transaction (a refusal after a write leaves it to the caller to roll back):

1. each sheet written: its version bumped ONCE with the optimistic check (``UPDATE … WHERE version = :read AND
   status = 'draft'``; the comment, and the signature when submitting, in the same statement), or the sheet
   created (``INSERT … RETURNING id``, already signed when submitted);
2. every changed line of every sheet in ONE multi-row upsert (``INSERT … VALUES (…), (…) ON CONFLICT DO UPDATE``);
3. every audit row in ONE executemany, in the shape the tablet's saves write them: a ``line`` row per changed line
   (before: the line as it was, or nothing for a new line), a ``comment`` row for a changed comment, and a
   ``submit`` row per sheet signed;

and the chief judge's board is told once the transaction commits. Only what changes is written: a line typed as it
is stored is neither written nor audited, and a sheet with nothing to change (nor to sign) is left alone.

Statements for one sheet (the individual or team sheet, or one section): the read and three writes, four in all;
each more section written adds one. The rubric costs one more read when this process has not cached it (a rubric
is cached once sheets use it, as on the tablet's path).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sqlalchemy import Integer, TextClause, Update, bindparam, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours import live
from concours.db import ScoreSheet, utcnow
from concours.domain.rubric import Category
from concours.i18n import gettext
from concours.services.autosave import (
    _AUDIT_ROW,
    SheetData,
    Target,
    _core,
    _open_section,
    car_sheets_of,
    line_note,
    line_value,
    read_target,
    require_submittable,
    sheet_owner,
)
from concours.services.errors import Conflict, ServiceError
from concours.services.permissions import Viewer

__all__ = ["TypedLine", "save_whole_sheet"]


@dataclass(frozen=True)
class TypedLine:
    """One category of a sheet as the judge writes it."""

    value: str  # points, or the deduction in deduction mode, as typed; "" leaves the line without a value
    note: str = ""


@dataclass
class _SheetWrite:
    """What one sheet (one section of it, in section mode) gets: its changed lines, its comment, its signature."""

    section: str
    sheet: SheetData | None  # None: the sheet is created
    rubric_id: int
    lines: dict[int, tuple[Category, int | None, str]]  # category id → (category, value units, note): changed only
    comment: str | None = None  # the new comment, when it changes
    submit: bool = False


def _plan(
    target: Target,
    lines: Mapping[int, TypedLine],
    comments: Mapping[str, str],
    submit: bool,
) -> list[_SheetWrite]:
    """The checked writes, sheet by sheet; refuses (raises) before anything is written."""
    writes: dict[str, _SheetWrite] = {}
    errors: list[str] = []

    def sheet_write(section: str) -> _SheetWrite:
        if section not in writes:
            sheet, rubric = _open_section(target, section)  # locked, signed, or another judge's section: refused
            writes[section] = _SheetWrite(section, sheet, rubric.id, {})
        return writes[section]

    for category_id, typed in lines.items():
        current = next((c for c in target.rubric.categories if c.id == category_id), None)
        section = (current.section or "") if current is not None and target.mode == "section" else ""
        write = sheet_write(section)
        rubric = target.rubrics[write.rubric_id]
        category = next((c for c in rubric.categories if c.id == category_id), None)
        if category is None or (target.mode == "section" and (category.section or "") != section):
            errors.append(gettext("That category is not on this car's score sheet."))
            continue
        try:
            note = line_note(category, typed.note)
            value_units = line_value(category, typed.value, rubric.scale)
        except ServiceError as exc:
            message = exc.message
            if category.name not in message:  # "“abc” is not a number" says nothing of where, on a whole sheet
                message = gettext("%(category)s: %(error)s", category=category.name, error=message)
            errors.append(message)
            continue
        stored = write.sheet.lines.get(category_id, (None, "")) if write.sheet else (None, "")
        if (value_units, note) != stored:
            write.lines[category_id] = (category, value_units, note)
    for section, comment in comments.items():
        section = section if target.mode == "section" else ""
        if len(comment) > 5000:
            errors.append(gettext("The overall comment is limited to 5000 characters."))
            continue
        write = sheet_write(section)
        if comment.strip() != (write.sheet.comment if write.sheet else ""):
            write.comment = comment.strip()
    if errors:
        raise ServiceError(" ".join(errors))
    if submit:
        _plan_submit(target, writes)
    return [w for w in writes.values() if w.lines or w.comment is not None or w.submit]


def _plan_submit(target: Target, writes: dict[str, _SheetWrite]) -> None:
    """Sign every sheet the judge writes on the car, as ``judging.submit_sheet`` does: each must be complete once
    the lines are written, a team's sheet is the captain's to sign, a sheet already signed stays as it is."""
    after = dict(target.sheets)
    for section, write in writes.items():
        base = write.sheet or SheetData(0, section, 0, "draft", write.rubric_id, "", {})
        merged = dict(base.lines)
        merged.update({cid: (units, note) for cid, (_, units, note) in write.lines.items()})
        after[section] = replace(base, version=base.version + 1, lines=merged)
    view = car_sheets_of(replace(target, sheets=after))
    require_submittable(view)
    for sv in view.sheets:
        stored = target.sheets.get(sv.section)
        if stored is not None and stored.status == "submitted":
            continue
        if sv.section not in writes:
            sheet, rubric = _open_section(target, sv.section)
            writes[sv.section] = _SheetWrite(sv.section, sheet, rubric.id, {})
        writes[sv.section].submit = True


# -- the writes ------------------------------------------------------------------------------------------------

_SHEETS = ScoreSheet.metadata.tables[ScoreSheet.__tablename__]
_SHEET_TIME = _SHEETS.c.updated_at.type

_CREATE_SHEET = text(
    "INSERT INTO score_sheet (entry_id, judge_id, team_id, section, rubric_id, status, version, overall_comment, "
    "calibration, submitted_at, entered_by_id, created_at, updated_at) VALUES (:entry_id, :judge_id, :team_id, "
    ":section, :rubric_id, :status, 1, :overall_comment, :calibration, :submitted_at, :entered_by_id, :now, :now) "
    "ON CONFLICT DO NOTHING RETURNING id"
).bindparams(
    bindparam("calibration", type_=_SHEETS.c.calibration.type),
    bindparam("now", type_=_SHEET_TIME),
    bindparam("submitted_at", type_=_SHEET_TIME),
    bindparam("judge_id", type_=Integer),
    bindparam("team_id", type_=Integer),
    bindparam("entered_by_id", type_=Integer),
)


@cache
def _bump_sheet(*, comment: bool, submit: bool, entered_by: bool) -> Update:
    """The sheet's one version bump, with its optimistic check, carrying the comment and signature when they change
    (built once per shape)."""
    values: dict[str, Any] = {"version": bindparam("new_version"), "updated_at": bindparam("now")}
    if comment:
        values["overall_comment"] = bindparam("comment")
    if submit:
        values |= {"status": "submitted", "submitted_at": bindparam("now")}
    if entered_by:
        values["entered_by_id"] = bindparam("entered_by_id")
    return (
        update(_SHEETS)
        .where(_SHEETS.c.id == bindparam("sheet_id"))
        .where(_SHEETS.c.version == bindparam("version"))
        .where(_SHEETS.c.status == "draft")
        .values(values)
    )


@cache
def _upsert_lines(rows: int) -> TextClause:
    """``rows`` lines in one statement: insert, or replace the value and note of the line already there (SQL both
    databases speak, built once per number of rows)."""
    sql = ["INSERT INTO score_line (sheet_id, category_id, value_units, note) VALUES "]
    sql.append(", ".join(f"(:sheet_id_{n}, :category_id_{n}, :value_units_{n}, :note_{n})" for n in range(rows)))
    sql.append(
        " ON CONFLICT (sheet_id, category_id) DO UPDATE SET value_units = excluded.value_units, note = excluded.note"
    )
    return text("".join(sql)).bindparams(*(bindparam(f"value_units_{n}", type_=Integer) for n in range(rows)))


async def save_whole_sheet(
    session: AsyncSession,
    viewer: Viewer,
    entry_id: int,
    *,
    lines: Mapping[int, TypedLine],
    comments: Mapping[str, str] | None = None,
    submit: bool = False,
    device: str,
    entered_by_id: int | None = None,
) -> dict[str, int]:
    """Save the judge's (``viewer.judge_id``) whole sheet on the car in the caller's transaction (see the module):
    ``lines`` by category id (categories left out stay as they are), ``comments`` by section ("" for the whole or
    the team's sheet), and with ``submit`` sign it. Returns the ids of the sheets written, by section.

    ``entered_by_id``: the chief judge typing in the judge's paper sheet (recorded on the sheet; the caller checked
    that the judge is on the car's team and free of conflicts, and ``viewer`` is the chief judge acting in the
    judge's seat, so the audit rows name who typed). Without it the judge scores the car themselves and is checked
    as the tablet checks them."""
    await session.flush()  # the read and the writes go to the connection: the session's pending rows first
    on_paper = entered_by_id is not None
    target = await read_target(
        session, viewer.judge_id, entry_id, entrant_id=viewer.entrant_id, as_judge_page=not on_paper
    )
    writes = _plan(target, lines, comments or {}, submit)
    if not writes:
        return {}
    now = utcnow()
    device = device[:300]
    written: dict[str, int] = {}
    audit_rows: list[dict[str, Any]] = []

    def audit(sheet_id: int, action: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        audit_rows.append(
            {
                "at": now,
                "entity_type": "score_sheet",
                "entity_id": sheet_id,
                "action": action,
                "user_id": viewer.user_id,
                "event_id": target.event_id,
                "before": before,
                "after": after,
                "device": device,
            }
        )

    for write in writes:
        sheet = write.sheet
        if sheet is None:
            sheet_id = (
                await _core(
                    session,
                    _CREATE_SHEET,
                    sheet_owner(target)
                    | {
                        "section": write.section,
                        "rubric_id": write.rubric_id,
                        "status": "submitted" if write.submit else "draft",
                        "overall_comment": write.comment or "",
                        "calibration": False,
                        "submitted_at": now if write.submit else None,
                        "entered_by_id": entered_by_id,
                        "now": now,
                    },
                )
            ).scalar()
            if sheet_id is None:  # another device created it since the read
                raise Conflict(gettext("The sheet was changed meanwhile; try again."))
        else:
            sheet_id = sheet.id
            params: dict[str, Any] = {
                "sheet_id": sheet.id,
                "version": sheet.version,
                "new_version": sheet.version + 1,
                "now": now,
            }
            if write.comment is not None:
                params["comment"] = write.comment
            if on_paper:
                params["entered_by_id"] = entered_by_id
            statement = _bump_sheet(comment=write.comment is not None, submit=write.submit, entered_by=on_paper)
            if (await _core(session, statement, params)).rowcount != 1:
                raise Conflict(gettext("The sheet was changed meanwhile; try again."))
        written[write.section] = sheet_id
        for category_id, (category, units, note) in write.lines.items():
            had = sheet.lines.get(category_id) if sheet else None
            before = {"value": had[0], "note": had[1]} if had is not None else None
            audit(sheet_id, "line", before, {"category": category.key, "value": units, "note": note})
        if write.comment is not None:
            audit(sheet_id, "comment", {"comment": sheet.comment if sheet else ""}, {"comment": write.comment})
        if write.submit:
            audit(sheet_id, "submit", None, {"status": "submitted"})
    rows = [
        (written[w.section], category_id, units, note)
        for w in writes
        for category_id, (_, units, note) in w.lines.items()
    ]
    if rows:
        params = {}
        for n, (sheet_id, category_id, units, note) in enumerate(rows):
            params |= {f"sheet_id_{n}": sheet_id, f"category_id_{n}": category_id, f"value_units_{n}": units}
            params[f"note_{n}"] = note
        await _core(session, _upsert_lines(len(rows)), params)
    await _core(session, _AUDIT_ROW, audit_rows)
    live.publish_after_commit(session, live.board_channel(target.event_id), {"entry_id": target.entry_id})
    return written
