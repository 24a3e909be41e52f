"""A judge's whole score sheet saved at once (``services/whole_sheet.py``): the tablet's checks and audit rows, the
lines in one statement, a fixed number of statements per sheet whatever its length; refusals name the category
and write nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, Entry, Judge, ScoreLine, ScoreSheet, TeamMember, User
from concours.db import Conflict as ConflictRow
from concours.db.engine import Database
from concours.services import judging
from concours.services.errors import Conflict, Forbidden, ServiceError
from concours.services.permissions import Viewer
from concours.services.whole_sheet import TypedLine, save_whole_sheet
from concours.settings import Settings
from tests.conftest import run_db
from tests.scenes import Seeded, seed_scoring

T = TypeVar("T")
DEVICE = "test tablet"
# class_elegance: Authenticity (deduction from 40), Condition & presentation (from 30), Function (from 10), Elegance &
# design (points, 0-20).
GOOD = ["1", "1.5", "0", "18"]


def counted(db_url: str, fn: Callable[[AsyncSession, Callable[[], list[str]]], Awaitable[T]]) -> tuple[T, list[str]]:
    """Run ``fn(session, counting)`` in one committed write transaction; from the moment it calls ``counting()``, the
    first word of every SQL statement sent is kept in the list that call returns (the transaction's BEGIN left out)."""
    seen: list[str] = []
    on = False

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if on:
            seen.append(statement.split(None, 1)[0].upper())

    def counting() -> list[str]:
        nonlocal on
        on = True
        return seen

    async def go() -> T:
        db = Database.connect(db_url)
        for engine in db.engines():
            event.listen(engine, "before_cursor_execute", count)
        try:
            async with db.write() as session:
                result = await fn(session, counting)
                await session.commit()
                return result
        finally:
            await db.dispose()

    result = asyncio.run(go())
    return result, [s for s in seen if s not in ("BEGIN", "COMMIT")]


async def judge_viewer(session: AsyncSession, judge_id: int) -> Viewer:
    user = await session.scalar(select(User).join(Judge, Judge.user_id == User.id).where(Judge.id == judge_id))
    assert user is not None
    return Viewer(user.id, user.name, user.email, False, judge_id, None)


async def category_ids(session: AsyncSession, judge_id: int, entry_id: int) -> list[int]:
    entry = await session.get(Entry, entry_id)
    assert entry is not None
    view = await judging.car_sheets(session, judge_id, entry)
    return [ln.category.id for sv in view.sheets for ln in sv.lines if ln.category.id is not None]


async def typed(
    session: AsyncSession, show: Seeded, judge: int, car: int, values: list[str]
) -> tuple[Viewer, int, dict[int, TypedLine]]:
    """What judge ``judge`` of the show types on car ``car``'s sheet: these values in category order, a note each."""
    judge_id, entry_id = show.judge_ids[judge], show.entries[car]
    cats = await category_ids(session, judge_id, entry_id)
    lines = {cid: TypedLine(value, f"note {n}") for n, (cid, value) in enumerate(zip(cats, values, strict=True))}
    return await judge_viewer(session, judge_id), entry_id, lines


async def whole(
    session: AsyncSession, show: Seeded, judge: int, car: int, values: list[str], **kwargs: Any
) -> dict[str, int]:
    """Judge ``judge`` of the show saves car ``car``'s sheet with these values (in category order), a note each."""
    viewer, entry_id, lines = await typed(session, show, judge, car, values)
    return await save_whole_sheet(session, viewer, entry_id, lines=lines, device=DEVICE, **kwargs)


async def stored(session: AsyncSession) -> tuple[int, int, int]:
    sheets = await session.scalar(select(func.count()).select_from(ScoreSheet))
    lines = await session.scalar(select(func.count()).select_from(ScoreLine))
    audits = await session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.entity_type == "score_sheet")
    )
    return sheets or 0, lines or 0, audits or 0


def seeded(db_url: str, settings: Settings, **kwargs: Any) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, **kwargs)

    return run_db(db_url, go)


def test_a_whole_sheet_is_four_statements_and_audited_as_the_tablet_does(db_url: str, settings: Settings) -> None:
    show = seeded(db_url, settings, judges=3, cars=1)

    async def start(session: AsyncSession) -> None:  # a draft of two lines: the rubric is now in use
        await whole(session, show, 0, 0, GOOD[:2] + ["", ""])

    run_db(db_url, start)

    # A new sheet, every line and the comment, signed: the read, the sheet, the lines, the audit rows.
    async def new_sheet(session: AsyncSession, counting: Callable[[], list[str]]) -> dict[str, int]:
        viewer, entry_id, lines = await typed(session, show, 1, 0, GOOD)
        counting()
        return await save_whole_sheet(
            session, viewer, entry_id, lines=lines, comments={"": "Lovely car."}, submit=True, device=DEVICE
        )

    written, seen = counted(db_url, new_sheet)
    assert written.keys() == {""}
    assert seen == ["SELECT", "INSERT", "INSERT", "INSERT"], seen

    # An existing draft finished and signed: the read, the version bump (with the signature), the lines, the audit.
    async def finish(session: AsyncSession, counting: Callable[[], list[str]]) -> dict[str, int]:
        viewer, entry_id, lines = await typed(session, show, 0, 0, ["2", "1.5", "0", "17.5"])
        counting()
        return await save_whole_sheet(session, viewer, entry_id, lines=lines, submit=True, device=DEVICE)

    _, seen = counted(db_url, finish)
    assert seen == ["SELECT", "UPDATE", "INSERT", "INSERT"], seen

    async def check(session: AsyncSession) -> None:
        sheets = {
            s.judge_id: s
            for s in (await session.scalars(select(ScoreSheet).where(ScoreSheet.entry_id == show.entries[0])))
        }
        new, finished = sheets[show.judge_ids[1]], sheets[show.judge_ids[0]]
        assert (new.status, new.version, new.overall_comment, new.entered_by_id) == (
            "submitted",
            1,
            "Lovely car.",
            None,
        )
        assert new.submitted_at is not None
        assert (finished.status, finished.version) == ("submitted", 2)  # the draft's one save, then this one
        values = dict(
            (
                await session.execute(
                    select(ScoreLine.category_id, ScoreLine.value_units).where(ScoreLine.sheet_id == new.id)
                )
            ).all()
        )
        cats = await category_ids(session, show.judge_ids[2], show.entries[0])
        assert [values[c] for c in cats] == [390, 285, 100, 180]  # deductions counted down from the maximum
        audits = (
            await session.execute(
                select(AuditLog.action, AuditLog.before, AuditLog.after, AuditLog.device, AuditLog.user_id)
                .where(AuditLog.entity_type == "score_sheet", AuditLog.entity_id == new.id)
                .order_by(AuditLog.id)
            )
        ).all()
        assert [a[0] for a in audits] == ["line"] * 4 + ["comment", "submit"]
        assert audits[0][1] is None and audits[0][2] == {"category": "authenticity", "value": 390, "note": "note 0"}
        assert audits[4][1:3] == ({"comment": ""}, {"comment": "Lovely car."})
        assert audits[5][2] == {"status": "submitted"}
        assert {a[3] for a in audits} == {DEVICE} and len({a[4] for a in audits}) == 1
        # Only what changes is audited: the draft wrote four lines (two of them a note only); finishing it changed
        # the first line (audited with what it was) and the last two, not the second (typed as it was stored).
        changed = (
            await session.execute(
                select(AuditLog.before, AuditLog.after)
                .where(AuditLog.entity_id == finished.id, AuditLog.action == "line")
                .order_by(AuditLog.id)
            )
        ).all()
        assert [a["category"] for _, a in changed[4:]] == ["authenticity", "operations", "elegance"]
        assert changed[4][0] == {"value": 390, "note": "note 0"} and changed[4][1]["value"] == 380
        assert changed[5][0] == {"value": None, "note": "note 2"}

    run_db(db_url, check)


def test_the_same_values_store_as_the_tablets_line_saves_do(db_url: str, settings: Settings) -> None:
    show = seeded(db_url, settings, judges=2, cars=1)
    values = ["0.5", "3", "5", "12.5"]

    async def go(session: AsyncSession) -> None:
        await whole(session, show, 0, 0, values)
        entry = await session.get(Entry, show.entries[0])
        assert entry is not None
        viewer = await judge_viewer(session, show.judge_ids[1])
        cats = await category_ids(session, show.judge_ids[1], show.entries[0])
        for n, (cid, value) in enumerate(zip(cats, values, strict=True)):
            await judging.save_line(
                session, viewer, entry, category_id=cid, value=value, note=f"note {n}", change_id="", device=DEVICE
            )
        rows = (
            await session.execute(
                select(ScoreSheet.judge_id, ScoreLine.category_id, ScoreLine.value_units, ScoreLine.note).join(
                    ScoreSheet, ScoreSheet.id == ScoreLine.sheet_id
                )
            )
        ).all()
        by_judge = {j: {(c, v, n) for jj, c, v, n in rows if jj == j} for j in show.judge_ids}
        assert len(by_judge[show.judge_ids[0]]) == 4 and by_judge[show.judge_ids[0]] == by_judge[show.judge_ids[1]]

    run_db(db_url, go)


def test_a_bad_value_names_its_category_and_nothing_is_written(db_url: str, settings: Settings) -> None:
    show = seeded(db_url, settings, judges=1, cars=1)

    async def go(session: AsyncSession) -> None:
        with pytest.raises(ServiceError) as refused:
            await whole(session, show, 0, 0, ["abc", "1", "0", "25"], comments={"": "x"}, submit=True)
        message = refused.value.message
        assert "Authenticity" in message and "is not a number" in message
        assert "Elegance & design: 25 is outside 0–20" in message
        assert "Condition" not in message
        with pytest.raises(ServiceError, match="Authenticity: scores go in steps of"):
            await whole(session, show, 0, 0, ["1.3", "1", "0", "18"])
        with pytest.raises(ServiceError, match="the note is 2001 characters"):
            cats = await category_ids(session, show.judge_ids[0], show.entries[0])
            await save_whole_sheet(
                session,
                await judge_viewer(session, show.judge_ids[0]),
                show.entries[0],
                lines={cats[0]: TypedLine("1", "n" * 2001)},
                device=DEVICE,
            )
        # Incomplete, then signed: refused, naming what is missing.
        with pytest.raises(ServiceError, match="Missing: Condition"):
            await whole(session, show, 0, 0, ["1", "", "0", "18"], submit=True)
        assert await stored(session) == (0, 0, 0)

    run_db(db_url, go)


def test_a_submitted_sheet_and_a_conflicted_judge_are_refused(db_url: str, settings: Settings) -> None:
    show = seeded(db_url, settings, judges=2, cars=1)

    async def go(session: AsyncSession) -> None:
        await whole(session, show, 0, 0, GOOD, submit=True)
        before = await stored(session)
        with pytest.raises(Conflict, match="submitted and signed"):
            await whole(session, show, 0, 0, ["2", "1.5", "0", "18"])
        entry = await session.get(Entry, show.entries[0])
        assert entry is not None
        session.add(
            ConflictRow(
                event_id=show.event_id, judge_id=show.judge_ids[1], entry_id=entry.id, reason="Restored this car"
            )
        )
        with pytest.raises(Forbidden, match="conflict of interest with this car: Restored this car"):
            await whole(session, show, 1, 0, GOOD)
        assert await stored(session) == before

    run_db(db_url, go)


def test_a_team_sheet_is_signed_by_its_captain(db_url: str, settings: Settings) -> None:
    show = seeded(db_url, settings, judges=2, cars=1, sheet_mode="team")

    async def go(session: AsyncSession) -> None:
        with pytest.raises(Forbidden, match="The team captain submits"):
            await whole(session, show, 1, 0, GOOD, submit=True)  # judge 1 is not the captain
        await whole(session, show, 1, 0, GOOD)
        await whole(session, show, 0, 0, ["2", "1.5", "0", "18"], submit=True)
        sheets = (await session.execute(select(ScoreSheet.judge_id, ScoreSheet.team_id, ScoreSheet.status))).all()
        assert len(sheets) == 1 and sheets[0][0] is None and sheets[0][1] is not None and sheets[0][2] == "submitted"

    run_db(db_url, go)


def test_section_judging_writes_each_of_the_judges_sections(db_url: str, settings: Settings) -> None:
    show = seeded(db_url, settings, judges=2, cars=1, preset="aaca_400")

    async def go(session: AsyncSession) -> None:
        await session.execute(
            update(TeamMember).where(TeamMember.judge_id == show.judge_ids[0]).values(sections=["exterior", "interior"])
        )
        await session.execute(
            update(TeamMember).where(TeamMember.judge_id == show.judge_ids[1]).values(sections=["chassis", "engine"])
        )
        entry = await session.get(Entry, show.entries[0])
        assert entry is not None
        mine = await judging.car_sheets(session, show.judge_ids[0], entry)
        theirs = await judging.car_sheets(session, show.judge_ids[1], entry)
        assert [sv.section for sv in mine.sheets] == ["exterior", "interior"]
        viewer = await judge_viewer(session, show.judge_ids[0])
        lines = {ln.category.id: TypedLine("0", "") for sv in mine.sheets for ln in sv.lines if ln.category.id}
        other = next(ln.category.id for sv in theirs.sheets for ln in sv.lines if ln.category.id)
        with pytest.raises(Forbidden, match="belongs to another judge"):
            await save_whole_sheet(session, viewer, entry.id, lines={**lines, other: TypedLine("0")}, device=DEVICE)
        written = await save_whole_sheet(
            session, viewer, entry.id, lines=lines, comments={"interior": "Clean."}, submit=True, device=DEVICE
        )
        assert written.keys() == {"exterior", "interior"}
        sheets = (
            await session.execute(select(ScoreSheet.section, ScoreSheet.status, ScoreSheet.overall_comment))
        ).all()
        assert sorted(sheets) == [("exterior", "submitted", ""), ("interior", "submitted", "Clean.")]

    run_db(db_url, go)
