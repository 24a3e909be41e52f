"""SQLite's writer thread commits saves in groups (concours.db.writer): on a real SQLite file, calls that wait
together share one commit; a call that fails leaves nothing of its own behind and costs the others nothing;
nobody hears back before the commit, and after-commit work (live updates) runs only once it is on disk."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from concours.db.engine import Database
from concours.db.writer import AFTER_COMMIT_KEY
from concours.i18n import gettext, using_locale


class Refused(Exception):
    pass


def _database(tmp_path: Path) -> tuple[Database, Path, dict[str, int]]:
    path = tmp_path / "group.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE note (n INTEGER PRIMARY KEY)")
    database = Database.connect(f"sqlite+aiosqlite:///{path}")
    seen = {"begin": 0, "commit": 0, "rollback": 0}
    assert database.writer_engine is not None
    for name in seen:
        event.listen(database.writer_engine, name, lambda *_a, _n=name: seen.__setitem__(_n, seen[_n] + 1))
    return database, path, seen


def _stored(path: Path) -> list[int]:
    with sqlite3.connect(path) as raw:
        return [n for (n,) in raw.execute("SELECT n FROM note ORDER BY n")]


def _insert(n: int) -> Any:
    def work(session: Session) -> int:
        session.execute(text("INSERT INTO note (n) VALUES (:n)"), {"n": n})
        return n

    return work


async def _gather(database: Database, works: list[Any]) -> list[Any]:
    try:
        return await asyncio.gather(*(database.in_writer(w) for w in works), return_exceptions=True)
    finally:
        await database.dispose()


def test_calls_waiting_together_share_one_commit(tmp_path: Path) -> None:
    database, path, seen = _database(tmp_path)
    results = asyncio.run(_gather(database, [_insert(n) for n in range(1, 101)]))
    assert results == list(range(1, 101))
    assert _stored(path) == list(range(1, 101))
    # 100 calls queued at once: a few groups of at most 64, not 100 commits.
    assert 2 <= seen["commit"] <= 20, seen
    assert seen["rollback"] == 0


def test_a_call_that_wrote_then_failed_leaves_nothing_and_the_others_stay(tmp_path: Path) -> None:
    database, path, seen = _database(tmp_path)

    def wrote_then_refused(session: Session) -> int:
        session.execute(text("INSERT INTO note (n) VALUES (500)"))
        raise Refused("half written")

    works = [_insert(1), _insert(2), wrote_then_refused, _insert(3)]
    results = asyncio.run(_gather(database, works))
    assert results[:2] == [1, 2] and results[3] == 3
    assert isinstance(results[2], Refused)
    assert _stored(path) == [1, 2, 3]  # 500 was rolled back; 1 and 2 were run again with 3


def test_a_call_refused_before_writing_costs_the_others_nothing(tmp_path: Path) -> None:
    database, path, seen = _database(tmp_path)

    def refused(session: Session) -> int:
        session.execute(text("SELECT count(*) FROM note")).scalar()
        raise Refused("not yours")

    results = asyncio.run(_gather(database, [_insert(1), refused, _insert(2)]))
    assert results[0] == 1 and results[2] == 2 and isinstance(results[1], Refused)
    assert _stored(path) == [1, 2]
    assert seen["rollback"] == 0


def test_a_duplicate_key_fails_its_call_only(tmp_path: Path) -> None:
    database, path, _seen = _database(tmp_path)
    results = asyncio.run(_gather(database, [_insert(7), _insert(7), _insert(8)]))
    assert results[0] == 7 and results[2] == 8
    assert "UNIQUE" in str(results[1]) or "unique" in str(results[1]).lower()
    assert _stored(path) == [7, 8]


def test_after_commit_work_sees_the_commit_and_is_dropped_on_failure(tmp_path: Path) -> None:
    database, path, _seen = _database(tmp_path)
    ran: list[tuple[int, list[int]]] = []

    def with_action(n: int, fail: bool) -> Any:
        def work(session: Session) -> int:
            session.execute(text("INSERT INTO note (n) VALUES (:n)"), {"n": n})
            # What another reader sees when the action runs: the row must already be committed.
            session.info[AFTER_COMMIT_KEY].append(lambda: ran.append((n, _stored(path))))
            if fail:
                raise Refused("no")
            return n

        return work

    asyncio.run(_gather(database, [with_action(1, False), with_action(2, True), with_action(3, False)]))
    assert sorted(n for n, _ in ran) == [1, 3]
    assert all(n in stored for n, stored in ran)
    assert _stored(path) == [1, 3]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_call_runs_in_its_callers_context(tmp_path: Path, language: str) -> None:
    database, _path, _seen = _database(tmp_path)

    async def go() -> str:
        with using_locale(language):
            try:
                return await database.in_writer(lambda _s: gettext("Saved"))
            finally:
                await database.dispose()

    assert asyncio.run(go()) == ("Enregistré" if language == "fr" else "Saved")


def _held_commit(database: Database) -> tuple[Any, Any]:
    """The writer's next COMMIT waits until ``release`` is set (``reached`` is set when it does): the moment
    between a group's results and its commit, held open."""
    import threading

    reached, release = threading.Event(), threading.Event()
    assert database.writer_engine is not None

    def hold(_conn: Any) -> None:
        reached.set()
        assert release.wait(10), "the test never released the commit"

    event.listen(database.writer_engine, "commit", hold)
    return reached, release


def test_an_early_result_comes_before_its_commit_and_the_commit_after(tmp_path: Path) -> None:
    database, path, _seen = _database(tmp_path)
    reached, release = _held_commit(database)

    async def go() -> tuple[int, list[int], bool, list[int]]:
        try:
            result, committed = await database.in_writer_early(_insert(4))
            before = _stored(path)  # another connection: not committed yet
            waiting = not committed.done()
            assert await asyncio.to_thread(reached.wait, 10)
            release.set()
            await committed
            return result, before, waiting, _stored(path)
        finally:
            release.set()
            await database.dispose()

    result, before, waiting, after = asyncio.run(go())
    assert result == 4
    assert before == [] and waiting
    assert after == [4]


def _failing_commits(database: Database) -> None:
    """The writer's COMMITs fail as a disk gone would make them: in the driver's commit, which SQLAlchemy wraps."""
    assert database.writer_engine is not None

    def disk_gone(_dbapi_connection: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    database.writer_engine.dialect.do_commit = disk_gone  # type: ignore[method-assign]


def test_a_failed_commit_fails_the_early_calls_wait_and_nothing_stays(tmp_path: Path) -> None:
    database, path, _seen = _database(tmp_path)
    _failing_commits(database)

    async def go() -> tuple[int, BaseException | None]:
        try:
            result, committed = await database.in_writer_early(_insert(5))
            try:
                await committed
            except Exception as exc:
                return result, exc
            return result, None
        finally:
            await database.dispose()

    result, error = asyncio.run(go())
    assert result == 5  # handed out before the commit...
    assert error is not None and "disk I/O error" in str(error)  # ...which then failed
    assert _stored(path) == []


def test_early_results_are_those_of_the_run_that_is_committed(tmp_path: Path) -> None:
    """A call that wrote and failed rolls its group back and the others run again: none of them is handed a result
    early from the run that was rolled back, only from the one that is committed."""
    import threading

    database, path, seen = _database(tmp_path)
    gate = threading.Event()
    runs: dict[int, int] = {}

    def blocker(_session: Session) -> int:
        assert gate.wait(10), "the test never opened the gate"
        return 0

    def counted(n: int) -> Any:
        def work(session: Session) -> int:
            runs[n] = runs.get(n, 0) + 1
            session.execute(text("INSERT INTO note (n) VALUES (:n)"), {"n": n})
            return runs[n]  # which run of the call this is

        return work

    def wrote_then_refused(session: Session) -> int:
        session.execute(text("INSERT INTO note (n) VALUES (600)"))
        time.sleep(0.2)  # time for a result handed out too early (1's first run) to reach its caller
        raise Refused("half written")

    async def early(work: Any) -> int:
        result, committed = await database.in_writer_early(work)
        await committed
        return int(result)

    async def go() -> list[Any]:
        try:
            first = asyncio.ensure_future(early(blocker))
            await asyncio.sleep(0.2)  # the thread has taken the blocker alone and waits in it
            others = [asyncio.ensure_future(early(w)) for w in (counted(1), wrote_then_refused, counted(2))]
            await asyncio.sleep(0.2)  # the three are queued behind it: one group
            gate.set()
            return await asyncio.gather(first, *others, return_exceptions=True)
        finally:
            gate.set()
            await database.dispose()

    results = asyncio.run(go())
    assert isinstance(results[2], Refused)
    assert runs == {1: 2, 2: 1}  # 1 ran in the group rolled back, then with 2 in the one committed
    assert results[1] == 2 and results[3] == 1  # the committed run's results, not the first run's
    assert _stored(path) == [1, 2]
    assert seen["rollback"] >= 1
