"""The autosave path stays small: one save is at most 6 SQL statements (on SQLite BEGIN IMMEDIATE, the read and
four writes on the writer thread; on PostgreSQL the read, then the four writes as one statement, or that statement
alone when planned on the last save), a replayed change is one read (inside SQLite's BEGIN), and the answer carries
the totals without reading the car back."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    AuditLog,
    EventClass,
    ScoreLine,
    ScoreSheet,
    SheetChange,
    TeamMember,
    WebSession,
    driver,
    utcnow,
)
from concours.db import Conflict as ConflictRow
from concours.db.engine import Database
from concours.services import autosave
from concours.services.accounts import load_viewers, token_hash
from concours.settings import Settings
from concours.web import dependencies
from tests.conftest import new_client, run_db
from tests.helpers import htmx_post, statements
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring

MAX_STATEMENTS_PER_SAVE = 6


@contextmanager
def signed_in(settings: Settings, token: str) -> Iterator[TestClient[Any]]:
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, token)
        yield c


def seed(db_url: str, settings: Settings) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, judges=2, cars=2)

    return run_db(db_url, go)


def stored(db_url: str) -> tuple[int, int, int]:
    async def go(session: AsyncSession) -> tuple[int, int, int]:
        lines = await session.scalar(select(func.count()).select_from(ScoreLine))
        changes = await session.scalar(select(func.count()).select_from(SheetChange))
        audits = await session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "line"))
        return lines or 0, changes or 0, audits or 0

    return run_db(db_url, go)


def test_one_autosave_is_at_most_six_statements(db_url: str, settings: Settings) -> None:
    s = seed(db_url, settings)
    entry = s.entries[0]
    with signed_in(settings, s.judge_tokens[0]) as judge:
        page = judge.get(f"/judging/entries/{entry}").text
        cats = [int(x) for x in re.findall(r'/lines/(\d+)"', page)]
        url = f"/judging/entries/{entry}/lines/"
        # The first change of the sheet creates it (and signs the session in for the autosave path).
        first = htmx_post(
            judge, url + str(cats[0]), {"value": "35", "change_id": "c1", "base_value": "", "base_note": ""}
        )
        assert first.status_code == 200, first.text

        with statements(judge) as seen:
            r = htmx_post(
                judge,
                url + str(cats[1]),
                {"value": "2", "note": "chip", "change_id": "c2", "base_value": "", "base_note": ""},
            )
        assert r.status_code == 200 and "Saved" in r.text
        assert len(seen) <= MAX_STATEMENTS_PER_SAVE, seen
        if db_url.startswith("postgresql"):  # the read, then the writes as one statement outside a transaction
            assert seen == ["SELECT", "WITH"], seen
        else:  # BEGIN IMMEDIATE on the writer thread, the read, then the sheet, the change id, the line, the audit row
            assert seen.count("SELECT") == 1 and seen.count("INSERT") == 3 and seen.count("UPDATE") == 1, seen
        # The answer's total is the stored lines' total, as a page read afresh shows it.
        total = re.search(r"Total <strong>[^<]+</strong> / [^<]+(<small>[^<]+</small>)?", r.text)
        assert total and total.group(0) in judge.get(f"/judging/entries/{entry}").text, r.text
        assert "(2 to score)" in r.text

        # A replay of an applied change: one read, nothing written.
        with statements(judge) as seen:
            again = htmx_post(
                judge,
                url + str(cats[1]),
                {"value": "2", "note": "chip", "change_id": "c2", "base_value": "", "base_note": ""},
            )
        assert again.status_code == 200 and [s for s in seen if s != "BEGIN"] == ["SELECT"], seen

        # A stale change: one read, refused with the current value.
        with statements(judge) as seen:
            stale = htmx_post(
                judge, url + str(cats[1]), {"value": "5", "change_id": "c3", "base_value": "", "base_note": ""}
            )
        assert stale.status_code == 409 and "a deduction of 2" in stale.text, stale.text
        assert [s for s in seen if s != "BEGIN"] == ["SELECT"], seen

        # The comment: read, then the sheet (with its comment), the change id and the audit row.
        with statements(judge) as seen:
            c = htmx_post(
                judge, f"/judging/entries/{entry}/comment", {"comment": "Lovely", "change_id": "c4", "base_comment": ""}
            )
        assert c.status_code == 200 and len(seen) <= MAX_STATEMENTS_PER_SAVE - 1, seen

        # The first change on another car creates its sheet in the same few statements (PostgreSQL: one).
        other = s.entries[1]
        with statements(judge) as seen:
            created = htmx_post(
                judge,
                f"/judging/entries/{other}/lines/{cats[0]}",
                {"value": "30", "change_id": "c5", "base_value": "", "base_note": ""},
            )
        assert created.status_code == 200 and "Saved" in created.text, created.text
        assert len(seen) <= MAX_STATEMENTS_PER_SAVE, seen
        if db_url.startswith("postgresql"):
            assert seen == ["SELECT", "WITH"], seen
        # Stored like any save: a replay of it changes nothing and answers the same stored value.
        again = htmx_post(
            judge,
            f"/judging/entries/{other}/lines/{cats[0]}",
            {"value": "30", "change_id": "c5", "base_value": "", "base_note": ""},
        )
        base = re.search(r'data-base-value="[^"]*"', created.text)
        assert base and again.status_code == 200 and base.group(0) in again.text, again.text

    assert stored(db_url) == (3, 4, 3)  # three lines; four change ids (with the comment); three line audits


def test_the_save_reads_by_index_only(db_url: str, settings: Settings) -> None:
    """The save's read looks rows up by index: no step of it reads a whole table, so a save costs the same with
    the thousands of sheets of a large show as with a few (it once read every score sheet, to learn whether the
    rubric was in use). On PostgreSQL, with sequential scans priced out, a step that has no index to use still
    shows as one."""
    s = seed(db_url, settings)
    steps = run_db(db_url, lambda session: _explained(session, s.entries[0], no_seqscan=True))
    full_reads = [step for step in steps if step.startswith("SCAN ") or "Seq Scan" in step]
    assert steps and not full_reads, full_reads


def test_the_save_finds_a_replayed_change_by_its_key_as_the_changes_pile_up(db_url: str, settings: Settings) -> None:
    """Whether the change was applied before is one probe of ``sheet_change``'s key, whatever the database knows
    of the table: as ``EXISTS`` PostgreSQL planned it, while its statistics still called the table small, as a hash
    of every change ever stored, built again on every save (1.5 ms a read at 5,000 changes, and growing all day)."""
    s = seed(db_url, settings)
    with signed_in(settings, s.judge_tokens[0]) as judge:
        page = judge.get(f"/judging/entries/{s.entries[0]}").text
        cat = re.findall(r'/lines/(\d+)"', page)[0]
        saved = htmx_post(judge, f"/judging/entries/{s.entries[0]}/lines/{cat}", {"value": "35", "change_id": "p1"})
        assert saved.status_code == 200, saved.text

    async def pile_up(session: AsyncSession) -> list[str]:
        sheet_id = await session.scalar(select(ScoreSheet.id))
        now = utcnow()
        await session.execute(
            SheetChange.__table__.insert(),
            [
                {"change_id": f"{sheet_id}:old{n}", "sheet_id": sheet_id, "applied_at": now, "sheet_version": 1}
                for n in range(5000)
            ],
        )
        return await _explained(session, s.entries[0], no_seqscan=False)

    steps = run_db(db_url, pile_up)
    whole_table = [step for step in steps if "Seq Scan on sheet_change" in step or step.startswith("SCAN sheet_change")]
    assert steps and not whole_table, steps


async def _explained(session: AsyncSession, entry_id: int, *, no_seqscan: bool) -> list[str]:
    """The steps of the save's read as the database plans it (PostgreSQL: the SQL the driver runs)."""
    connection = await session.connection()
    statement = autosave._target_statement(True)
    values = {"judge_id": 1, "entry_id": entry_id, "change_suffix": ":c1"}
    if connection.dialect.name == "postgresql":
        compiled = driver._compile(statement, connection.dialect)
        if no_seqscan:
            await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        params = {**compiled.fixed, **values}
        positional = tuple(params[name] for name in compiled.names)
        sql = f"EXPLAIN {compiled.sql}"
    else:
        sqlite = statement.compile(dialect=connection.dialect)
        params = {**sqlite.params, **values}
        positional = tuple(params[name] for name in sqlite.positiontup or ())
        sql = f"EXPLAIN QUERY PLAN {sqlite}"
    return [str(row[-1]) for row in (await connection.exec_driver_sql(sql, positional)).all()]


def test_the_save_s_read_is_planned_once_per_connection_on_postgresql(db_url: str, settings: Settings) -> None:
    """asyncpg prepares the read once per connection; PostgreSQL then plans it once for all saves (a generic plan)
    only if that plan does not look dearer than one made for the values at hand. With the read's constants sent as
    parameters ('team', 'points', a LIMIT) it looked so, and the read was planned again on every save: about 1 ms of
    the database's CPU a save. The driver writes them into the SQL (``driver._compile``)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no plan cache to speak of: each statement is prepared and planned together")
    s = seed(db_url, settings)

    async def go() -> tuple[int, int]:
        database = Database.connect(db_url)
        statement = autosave._target_statement(True)
        try:
            async with database.driver() as connection:
                for n in range(8):  # PostgreSQL decides after five plans made for the values
                    params = {"judge_id": 1, "entry_id": s.entries[n % 2], "change_suffix": f":plan{n}"}
                    await connection.execute(statement, params)
                compiled = driver._COMPILED[id(statement), "postgresql"]
                # Only what changes from save to save is sent as a parameter.
                assert sorted(compiled.names) == ["change_suffix", "entry_id", "judge_id"], compiled.names
                plans = await connection.driver.fetchrow(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1", compiled.sql
                )
                return plans["generic_plans"], plans["custom_plans"]
        finally:
            await database.dispose()

    generic, custom = asyncio.run(go())
    assert generic >= 3 and custom <= 5, (generic, custom)


def test_a_save_stores_its_values_as_the_rest_of_the_app_reads_them(db_url: str, settings: Settings) -> None:
    """On PostgreSQL the save's statements run on the driver directly (``db/driver.py``), their parameters through
    the column types' own bind processors: the audit row's before and after, the times and the line read back
    through SQLAlchemy as any other write's do (and the same on SQLite, where the save runs through SQLAlchemy)."""
    s = seed(db_url, settings)
    entry = s.entries[0]
    started = utcnow()
    with signed_in(settings, s.judge_tokens[0]) as judge:
        page = judge.get(f"/judging/entries/{entry}").text
        cat = int(re.findall(r'/lines/(\d+)"', page)[1])
        url = f"/judging/entries/{entry}/lines/{cat}"
        first = htmx_post(judge, url, {"value": "2", "note": "chip", "change_id": "d1", "device": "tablet 7"})
        assert first.status_code == 200, first.text
        base = re.search(r'data-base-value="([^"]*)"', first.text)
        assert base, first.text
        second = htmx_post(
            judge,
            url,
            {"value": "1.5", "note": "chip é", "change_id": "d2", "base_value": base.group(1), "base_note": "chip"},
        )
        assert second.status_code == 200, second.text

    async def go(session: AsyncSession) -> tuple[list[AuditLog], list[ScoreSheet], list[ScoreLine]]:
        audits = (await session.scalars(select(AuditLog).where(AuditLog.action == "line").order_by(AuditLog.id))).all()
        sheets = (await session.scalars(select(ScoreSheet))).all()
        lines = (await session.scalars(select(ScoreLine))).all()
        return list(audits), list(sheets), list(lines)

    audits, sheets, lines = run_db(db_url, go)
    key = audits[0].after and audits[0].after["category"]
    assert [(a.before, a.after, a.device) for a in audits] == [
        (None, {"category": key, "value": 280, "note": "chip"}, "tablet 7 | testclient"),
        ({"value": 280, "note": "chip"}, {"category": key, "value": 285, "note": "chip é"}, "testclient"),
    ]
    assert len(sheets) == 1 and sheets[0].version == 2 and sheets[0].status == "draft"
    for when in (sheets[0].created_at, sheets[0].updated_at, *(a.at for a in audits)):
        assert when.tzinfo is not None and started <= when <= utcnow()
    assert [(line.category_id, line.value_units, line.note) for line in lines] == [(cat, 285, "chip é")]


def test_a_judge_who_opened_the_sheet_saves_without_a_session_lookup_until_signed_out(
    db_url: str, settings: Settings
) -> None:
    """Opening the sheet looks the judge's session up, and the autosave path uses that for its first save (200
    tablets opening their sheets and saving at once each looked their session up a second time); signing out
    forgets it at once."""
    s = seed(db_url, settings)
    entry = s.entries[0]
    with signed_in(settings, s.judge_tokens[0]) as judge:
        page = judge.get(f"/judging/entries/{entry}").text
        cat = re.findall(r'/lines/(\d+)"', page)[0]
        url = f"/judging/entries/{entry}/lines/{cat}"
        with statements(judge, whole=True) as seen:
            first = htmx_post(judge, url, {"value": "30", "change_id": "v1", "base_value": "", "base_note": ""})
        assert first.status_code == 200, first.text
        assert seen and not [sql for sql in seen if "web_session" in sql], seen
        base = re.search(r'data-base-value="([^"]*)"', first.text)
        assert base
        out = htmx_post(judge, "/logout")
        assert out.status_code in (302, 303), out.status_code
        judge.cookies.set(SESSION_COOKIE, s.judge_tokens[0])  # the tablet still sends the old cookie
        refused = htmx_post(judge, url, {"value": "31", "change_id": "v2", "base_value": base.group(1)})
        assert refused.status_code in (401, 303), refused.status_code
    assert stored(db_url)[1] == 1  # the change before signing out only


def test_a_busy_judges_saves_never_wait_for_the_session_lookup_yet_a_session_ended_elsewhere_stops_them(
    db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save whose session was looked up more than VIEWER_REFRESH ago is answered from that lookup and looks the
    session up again in the background (under 200 judges a save that waited for the lookup took seconds): a session
    ended on another worker (its row gone) is refused from then on. Past VIEWER_TTL a save waits for the lookup."""
    s = seed(db_url, settings)
    entry = s.entries[0]
    real = time.monotonic
    later = [0.0]
    monkeypatch.setattr(dependencies, "_clock", lambda: real() + later[0])

    def end_session(token: str) -> None:
        async def go(session: AsyncSession) -> None:
            await session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))

        run_db(db_url, go)

    with signed_in(settings, s.judge_tokens[0]) as judge, signed_in(settings, s.judge_tokens[1]) as other:
        cat = re.findall(r'/lines/(\d+)"', judge.get(f"/judging/entries/{entry}").text)[0]
        other.get(f"/judging/entries/{entry}")
        url = f"/judging/entries/{entry}/lines/{cat}"
        first = htmx_post(judge, url, {"value": "30", "change_id": "b1", "base_value": "", "base_note": ""})
        assert first.status_code == 200, first.text

        def base(answer: Any) -> str:
            found = re.search(r'data-base-value="([^"]*)"', answer.text)
            assert found, answer.text
            return found.group(1)

        later[0] = dependencies.VIEWER_REFRESH + 1
        end_session(s.judge_tokens[0])  # signed out on another worker
        second = htmx_post(judge, url, {"value": "31", "change_id": "b2", "base_value": base(first)})
        assert second.status_code == 200, second.text  # answered from the lookup made 11 s ago
        deadline = real() + 10
        while dependencies.refreshing(judge.app.state.db):
            assert real() < deadline, "the session was not looked up again"
            time.sleep(0.02)
        refused = htmx_post(judge, url, {"value": "32", "change_id": "b3", "base_value": base(second)})
        assert refused.status_code in (401, 303), refused.status_code

        later[0] = dependencies.VIEWER_TTL + 1  # the other judge's lookup is too old to answer from
        with statements(other, whole=True) as seen:
            saved = htmx_post(other, url, {"value": "20", "change_id": "b4", "base_value": "", "base_note": ""})
        assert saved.status_code == 200, saved.text
        assert [sql for sql in seen if "web_session" in sql], seen
    assert stored(db_url)[1] == 3  # b1, b2 and b4


def test_sessions_due_are_looked_up_again_together_in_one_statement(db_url: str, settings: Settings) -> None:
    """The background lookup takes every session due at once: one statement for all of them, each found by its
    token, an ended one left out."""
    s = seed(db_url, settings)
    alive, ended = s.judge_tokens[0], s.judge_tokens[1]

    async def go(session: AsyncSession) -> tuple[dict[str, Any], list[str]]:
        await session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(ended)))
        seen: list[str] = []
        engine = session.bind.sync_engine  # run_db's session is on the app's async engine

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            found = await load_viewers(session, [alive, ended, "no such token"])
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return found, seen

    found, seen = run_db(db_url, go)
    assert list(found) == [alive]
    assert found[alive].judge_id is not None
    assert len([sql for sql in seen if "web_session" in sql]) == 1, seen


def test_a_save_planned_on_the_last_one_is_one_statement_and_written_only_while_what_it_saw_holds(
    db_url: str, settings: Settings
) -> None:
    """PostgreSQL: once a save on a car read the state (the judge's seat, the locks, a conflict, the system, the
    rubric in use, the judge's sheets and their versions), the next change is planned on what that save left and
    written in one statement that checks the state is still that one: no read. Whatever moved since (another
    device's change, the class certified, a conflict declared, the judge off the team) makes that write change
    nothing, and the save goes on from a read, refusing as it always did."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite's save reads and writes in one transaction on the writer thread: no round trip to save")
    s = seed(db_url, settings)
    entry = s.entries[0]
    base = re.compile(r'data-base-value="(-?\d*)" data-base-note="([^"]*)"')
    with signed_in(settings, s.judge_tokens[0]) as judge, signed_in(settings, s.judge_tokens[0]) as other_worker:
        cat = int(re.findall(r'/lines/(\d+)"', judge.get(f"/judging/entries/{entry}").text)[1])
        url = f"/judging/entries/{entry}/lines/{cat}"
        held = ("", "")

        def save(client: TestClient[Any], value: str, change_id: str, on: tuple[str, str] | None = None) -> Any:
            nonlocal held
            based = held if on is None else on
            r = htmx_post(
                client, url, {"value": value, "change_id": change_id, "base_value": based[0], "base_note": based[1]}
            )
            found = base.search(r.text)
            if r.status_code == 200 and found:
                held = (found.group(1), found.group(2))
            return r

        assert save(judge, "2", "k1").status_code == 200  # creates the sheet: its rubric is now in use
        assert save(judge, "1.5", "k2").status_code == 200  # a read that is remembered
        with statements(judge) as seen:
            r = save(judge, "1", "k3")
        assert r.status_code == 200 and "Saved" in r.text and seen == ["WITH"], (seen, r.text)
        assert stored_value(db_url, cat) == 290

        # A replay of that change: the write changes nothing (applied), the read answers it as applied.
        with statements(judge) as seen:
            again = save(judge, "1", "k3", on=("285", ""))
        assert again.status_code == 200 and seen == ["SELECT"], seen  # its old base: stale on what was left
        assert stored_changes(db_url) == 3

        # Another worker (another process, its own memory) changes the line: the version moved.
        assert save(other_worker, "0.5", "w1").status_code == 200
        with statements(judge) as seen:
            stale = save(judge, "3", "k4", on=("290", ""))
        assert stale.status_code == 409 and "a deduction of 0.5" in stale.text, stale.text
        assert seen == ["WITH", "SELECT"], seen
        assert stored_value(db_url, cat) == 295

        # The class certified meanwhile: refused, as a read would have.
        run_db(db_url, lambda session: _set(session, update(EventClass).values(certified_at=utcnow())))
        with statements(judge) as seen:
            locked = save(judge, "3", "k5")
        assert locked.status_code == 409 and "certified" in locked.text, locked.text
        assert seen == ["WITH", "SELECT"], seen
        run_db(db_url, lambda session: _set(session, update(EventClass).values(certified_at=None)))
        assert save(judge, "3", "k6").status_code == 200  # from a read (the state moved back), remembered again
        assert stored_value(db_url, cat) == 270

        # A conflict of interest with the car, declared since: refused.
        run_db(
            db_url,
            lambda session: _add(
                session,
                ConflictRow(event_id=s.event_id, judge_id=s.judge_ids[0], entry_id=entry, reason="Sold it to him"),
            ),
        )
        with statements(judge) as seen:
            bound = save(judge, "4", "k7")
        assert bound.status_code == 403 and "Sold it to him" in bound.text, bound.text
        assert seen == ["WITH", "SELECT"], seen
        run_db(db_url, lambda session: _set(session, delete(ConflictRow)))
        assert save(judge, "4", "k8").status_code == 200

        # Off the class's team since: refused.
        run_db(db_url, lambda session: _set(session, delete(TeamMember).where(TeamMember.judge_id == s.judge_ids[0])))
        with statements(judge) as seen:
            off = save(judge, "5", "k9")
        assert off.status_code == 403 and seen == ["WITH", "SELECT"], (seen, off.text)
    assert stored_value(db_url, cat) == 260  # k8's deduction of 4, nothing since
    assert stored_changes(db_url) == 6  # k1, k2, k3, w1, k6, k8: each once


async def _set(session: AsyncSession, statement: Any) -> None:
    await session.execute(statement)


async def _add(session: AsyncSession, row: Any) -> None:
    session.add(row)


def stored_value(db_url: str, category_id: int) -> int | None:
    async def go(session: AsyncSession) -> int | None:
        return await session.scalar(select(ScoreLine.value_units).where(ScoreLine.category_id == category_id))

    return run_db(db_url, go)


def stored_changes(db_url: str) -> int:
    async def go(session: AsyncSession) -> int:
        return await session.scalar(select(func.count()).select_from(SheetChange)) or 0

    return run_db(db_url, go)


def test_a_save_s_answer_is_made_while_it_is_stored_and_given_only_once_it_is(db_url: str, settings: Settings) -> None:
    """SQLite: the answer is made while the commit syncs the disk (``Database.in_writer_early``), but given only once
    the commit is done. A commit that fails (the disk gone) answers 503, not "Saved", and nothing of the change stayed;
    the tablet sends it again and it is stored once."""
    if db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's save is one statement in autocommit: stored once it returns")
    import sqlite3

    s = seed(db_url, settings)
    entry = s.entries[0]
    with signed_in(settings, s.judge_tokens[0]) as judge:
        cat = int(re.findall(r'/lines/(\d+)"', judge.get(f"/judging/entries/{entry}").text)[0])
        url = f"/judging/entries/{entry}/lines/{cat}"
        change = {"value": "1", "change_id": "d1", "base_value": "", "base_note": ""}
        dialect = judge.app.state.db.writer_engine.dialect

        def disk_gone(_dbapi_connection: Any) -> None:  # the driver's commit fails, as a disk gone makes it
            raise sqlite3.OperationalError("disk I/O error")

        dialect.do_commit = disk_gone
        try:
            failed = htmx_post(judge, url, change)
        finally:
            del dialect.do_commit  # the class's again
        assert failed.status_code == 503 and "Saved" not in failed.text, failed.text
        assert failed.headers.get("retry-after")
        assert stored(db_url) == (0, 0, 0)

        again = htmx_post(judge, url, change)
        assert again.status_code == 200 and "Saved" in again.text, again.text
        assert stored(db_url) == (1, 1, 1)
