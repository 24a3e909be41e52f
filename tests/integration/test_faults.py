"""A database that is briefly away answers 503 with Retry-After (a page, or plain text for htmx and the
tablet's queue), never 500; on PostgreSQL a connection killed between requests is replaced unseen (pool
pre-ping) and one killed in the middle of a request gives a 503, with nothing half-saved."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ScoreLine
from concours.db.engine import PING_AFTER_IDLE_SECONDS
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import csrf
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring

PG_URL = os.environ.get("CONCOURS_TEST_DATABASE_URL", "")
needs_pg = pytest.mark.skipif(
    not PG_URL.startswith("postgresql"), reason="PostgreSQL only (set CONCOURS_TEST_DATABASE_URL)"
)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: connecting is refused


def _assert_unavailable(r: Any, *, htmx: bool = False) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"].isdigit() and int(r.headers["retry-after"]) > 0
    if htmx:
        assert r.headers["content-type"].startswith("text/plain") and "briefly unavailable" in r.text
    else:
        assert r.headers["content-type"].startswith("text/html") and "briefly unavailable" in r.text


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_an_unreachable_database_answers_503_with_retry_after(settings: Settings, tmp_path: Any, kind: str) -> None:
    url = (
        f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/nowhere"
        if kind == "postgresql"
        else f"sqlite+aiosqlite:///{tmp_path / 'no-such-folder' / 'concours.db'}"
    )
    with new_client(replace(settings, database_url=url)) as c:
        assert c.get("/healthz").status_code == 200  # the app itself is up
        _assert_unavailable(c.get("/"))
        c.cookies.set(SESSION_COOKIE, "a-session-token")
        _assert_unavailable(c.get("/organizer/"))
        token = csrf(c)
        _assert_unavailable(c.post("/login", data={"email": "a@b.org", "password": "x", "_csrf_token": token}))
        r = c.post(
            "/judging/entries/1/lines/1", data={"value": "3"}, headers={"x-csrftoken": token, "hx-request": "true"}
        )
        _assert_unavailable(r, htmx=True)


def _seed(db_url: str, settings: Settings) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, judges=1, cars=1)

    return run_db(db_url, go)


async def _terminate_app_backends(pg_url: str, *, waiting_on_lock: bool) -> int:
    """Terminate the app's connections to OUR test database (never anyone else's), from another connection."""
    url = make_url(pg_url)
    conn = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database=url.database
    )
    try:
        return len(
            await conn.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"
                " AND (NOT $2 OR wait_event_type = 'Lock')",
                url.database,
                waiting_on_lock,
            )
        )
    finally:
        await conn.close()


async def _until_gone(pg_url: str) -> None:
    """Wait until the terminated backends have exited (pg_terminate_backend only signals them)."""
    url = make_url(pg_url)
    conn = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database=url.database
    )
    try:
        for _ in range(100):
            left = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", url.database
            )
            if not left:
                return
            await asyncio.sleep(0.05)
    finally:
        await conn.close()


@needs_pg
def test_connections_killed_between_requests_are_replaced_unseen(db_url: str, settings: Settings) -> None:
    seeded = _seed(db_url, settings)
    with new_client(settings) as judge:
        judge.cookies.set(SESSION_COOKIE, seeded.judge_tokens[0])
        assert judge.get(f"/judging/entries/{seeded.entries[0]}").status_code == 200
        assert asyncio.run(_terminate_app_backends(db_url, waiting_on_lock=False)) >= 1
        asyncio.run(_until_gone(db_url))
        time.sleep(PING_AFTER_IDLE_SECONDS + 0.5)
        # The pool finds the dead connection at checkout (closed, or not answering the ping a connection idle for
        # more than two seconds gets) and opens a new one.
        assert judge.get(f"/judging/entries/{seeded.entries[0]}").status_code == 200


@needs_pg
def test_a_connection_killed_mid_request_answers_503_and_saves_nothing(db_url: str, settings: Settings) -> None:
    seeded = _seed(db_url, settings)
    url = make_url(db_url)

    with new_client(settings) as judge:
        judge.cookies.set(SESSION_COOKIE, seeded.judge_tokens[0])
        page = judge.get(f"/judging/entries/{seeded.entries[0]}").text
        category = int(page.split("/lines/", 1)[1].split('"', 1)[0])
        token = csrf(judge)
        answers: list[Any] = []

        async def hold_lock_and_kill() -> int:
            holder = await asyncpg.connect(
                host=url.host, port=url.port, user=url.username, password=url.password, database=url.database
            )
            try:
                tr = holder.transaction()
                await tr.start()
                await holder.execute("LOCK TABLE score_line IN ACCESS EXCLUSIVE MODE")

                def send() -> None:
                    answers.append(
                        judge.post(
                            f"/judging/entries/{seeded.entries[0]}/lines/{category}",
                            data={"value": "5", "change_id": "c-kill-1", "device": "tablet"},
                            headers={"x-csrftoken": token, "hx-request": "true"},
                        )
                    )

                thread = threading.Thread(target=send)
                thread.start()
                killed = 0
                deadline = time.monotonic() + 20
                while not killed and time.monotonic() < deadline:  # wait until the save waits on our lock
                    await asyncio.sleep(0.1)
                    killed = await _terminate_app_backends(db_url, waiting_on_lock=True)
                await tr.rollback()
                await asyncio.get_running_loop().run_in_executor(None, thread.join, 30)
                return killed
            finally:
                await holder.close()

        assert asyncio.run(hold_lock_and_kill()) == 1
        assert len(answers) == 1
        _assert_unavailable(answers[0], htmx=True)

        async def lines(session: AsyncSession) -> int:
            return int(await session.scalar(select(func.count()).select_from(ScoreLine)) or 0)

        assert run_db(db_url, lines) == 0  # nothing half-saved
        # The tablet sends the same change again: now it is stored, once.
        again = judge.post(
            f"/judging/entries/{seeded.entries[0]}/lines/{category}",
            data={"value": "5", "change_id": "c-kill-1", "device": "tablet"},
            headers={"x-csrftoken": token, "hx-request": "true"},
        )
        assert again.status_code == 200, again.text
        assert run_db(db_url, lines) == 1
