"""A tablet whose save is answered 503 (its database connection was lost mid-save) keeps the change queued
and sends it again after Retry-After; it lands once. PostgreSQL only: the backend serving the save is really
terminated (``pg_terminate_backend``, filtered on this test database) while it waits on a lock we hold."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable

import asyncpg
import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ScoreLine, SheetChange
from concours.settings import Settings
from tests.browser.conftest import TABLET, Watch, off_loop, sheet_line
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring

PG_URL = os.environ.get("CONCOURS_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not PG_URL.startswith("postgresql"), reason="needs PostgreSQL (set CONCOURS_TEST_DATABASE_URL) to kill a backend"
)


def _seed(db_url: str, settings: Settings) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, judges=1, cars=1)

    return off_loop(run_db, db_url, go)


def _stored(db_url: str) -> tuple[int, int]:
    async def go(session: AsyncSession) -> tuple[int, int]:
        lines = await session.scalar(select(func.count()).select_from(ScoreLine).where(ScoreLine.value_units > 0))
        changes = await session.scalar(select(func.count()).select_from(SheetChange))
        return int(lines or 0), int(changes or 0)

    return off_loop(run_db, db_url, go)


class LockHolder:
    """A connection of our own holding an exclusive lock on score_line, so the next save waits on it."""

    def __init__(self, db_url: str) -> None:
        self.url = make_url(db_url)
        self.loop = asyncio.new_event_loop()
        self.conn: asyncpg.Connection | None = None

    def _connect(self) -> asyncpg.Connection:
        u = self.url
        return self.loop.run_until_complete(
            asyncpg.connect(host=u.host, port=u.port, user=u.username, password=u.password, database=u.database)
        )

    def lock(self) -> None:
        self.conn = self._connect()
        self.loop.run_until_complete(self.conn.execute("BEGIN; LOCK TABLE score_line IN ACCESS EXCLUSIVE MODE"))

    def kill_waiting_backend(self, timeout: float = 30) -> int:
        """Terminate the app's backend that waits on our lock (only in this test database)."""
        assert self.conn is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            killed = self.loop.run_until_complete(
                self.conn.fetch(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 "
                    "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
                    self.url.database,
                )
            )
            if killed:
                return len(killed)
            time.sleep(0.1)
        return 0

    def release(self) -> None:
        if self.conn is not None:
            self.loop.run_until_complete(self.conn.execute("ROLLBACK"))
            self.loop.run_until_complete(self.conn.close())
            self.conn = None
        self.loop.close()


@pytest.mark.browser
def test_a_503_keeps_the_change_queued_and_it_lands_once_after_retry_after(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    show = _seed(db_url, settings)
    watch = Watch()
    ctx = new_context(**TABLET)
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": show.judge_tokens[0], "url": settings.base_url}])
    judge = watch.page(ctx)
    answers: list[tuple[int, str | None]] = []
    judge.on(
        "response",
        lambda r: answers.append((r.status, r.headers.get("retry-after"))) if "/lines/" in r.url else None,
    )
    judge.goto(f"/judging/entries/{show.entries[0]}")
    line = sheet_line(judge, "Authenticity")

    holder = LockHolder(db_url)
    off_loop(holder.lock)
    try:
        line.get_by_role("button", name="Deduct more").tap()
        assert off_loop(holder.kill_waiting_backend) == 1
        # The answer is a 503 with Retry-After: the change stays queued on the tablet.
        expect(line.get_by_role("status")).to_have_text("Queued")
        expect(judge.locator("#sync-state")).to_contain_text("1 change waiting")
        assert (503, "5") in answers
        assert judge.evaluate("JSON.parse(localStorage.getItem('concours-queue-v1') || '[]').length") == 1
    finally:
        off_loop(holder.release)
    # After Retry-After the queue sends it again, and it is stored once.
    expect(line.get_by_role("status")).to_have_text("Saved", timeout=30_000)
    expect(judge.locator("#sync-state")).to_have_text("All changes saved")
    assert _stored(db_url) == (1, 1)
    assert [a for a in answers if a[0] >= 500 and a[0] != 503] == []
    # The Watch counts every 5xx as a problem: the one 503 is the point of this test, nothing else.
    assert [p for p in watch.problems if not p.startswith("503 ")] == []
