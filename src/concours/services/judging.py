"""Scoring: the score sheets of a car as a judge sees them, autosaved lines and comments, submission.

The save path itself (one read, one short write transaction) lives in ``services/autosave.py``; this module
keeps the use cases in the caller's transaction (a page's line, comment or submission). A whole sheet at once (a
paper sheet typed in by the chief judge, the demo's sheets) is ``services/whole_sheet.py``."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from concours import live
from concours.db import AuditLog, Entry, ScoreSheet, utcnow
from concours.i18n import gettext
from concours.services.autosave import (
    CarSheets,
    CommentChange,
    LineChange,
    LineView,
    SheetView,
    StaleChange,
    Target,
    _open_section,
    car_sheets_of,
    combined_status,
    read_calibration_target,
    read_target,
    require_submittable,
    save_in_session,
    sheet_state,
)
from concours.services.permissions import Viewer

__all__ = [
    "CarSheets",
    "LineView",
    "SheetView",
    "StaleChange",
    "car_sheets",
    "combined_status",
    "save_comment",
    "save_line",
    "submit_sheet",
]


def _sheet_state(sheet: ScoreSheet | None) -> str:
    return sheet_state(sheet.status, sheet.version) if sheet is not None else "not_started"


async def _target(session: AsyncSession, judge_id: int, entry: Entry, calibration: bool) -> Target:
    if calibration:
        return await read_calibration_target(session, judge_id, entry.id)
    return await read_target(session, judge_id, entry.id, as_judge_page=False)


async def car_sheets(session: AsyncSession, judge_id: int, entry: Entry, *, calibration: bool = False) -> CarSheets:
    """The sheet(s) this judge writes on this car (or their calibration sheet on it), with what is scored so far."""
    return car_sheets_of(await _target(session, judge_id, entry, calibration))


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
    calibration: bool = False,
) -> None:
    """Save one category of the judge's sheet (or their calibration sheet) in the caller's transaction (see
    ``autosave.plan_line``)."""
    change = LineChange(category_id, value, note, change_id, device, base_value, base_note)
    await save_in_session(session, viewer, entry.id, change, calibration=calibration)


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
    await save_in_session(session, viewer, entry.id, CommentChange(comment, change_id, device, section, base_comment))


async def submit_sheet(
    session: AsyncSession, viewer: Viewer, entry: Entry, *, device: str, calibration: bool = False
) -> None:
    """Sign every sheet this judge writes on the car (or their calibration sheet on it); each must be complete."""
    assert viewer.judge_id is not None
    target = await _target(session, viewer.judge_id, entry, calibration)
    view = car_sheets_of(target)
    require_submittable(view)
    now = utcnow()
    for sv in view.sheets:
        if sv.status == "submitted":
            continue
        sheet, _ = _open_section(target, sv.section)
        assert sheet is not None  # every category is scored, so the sheet exists
        done = await session.execute(
            update(ScoreSheet)
            .where(ScoreSheet.id == sheet.id, ScoreSheet.version == sheet.version, ScoreSheet.status == "draft")
            .values(status="submitted", submitted_at=now, version=sheet.version + 1, updated_at=now)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleChange(gettext("The sheet was changed meanwhile; check it and submit again."))
        session.add(
            AuditLog(
                entity_type="score_sheet",
                entity_id=sheet.id,
                action="submit",
                user_id=viewer.user_id,
                event_id=entry.event_id,
                after={"status": "submitted"},
                device=device[:300],
            )
        )
    live.publish_after_commit(session, live.board_channel(entry.event_id), {"entry_id": entry.id})
