"""Concurrent autosaves from several judges (each through its own app instance, like separate workers)
all land, exactly once, with no "database is locked"; every change is in the audit log."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, ScoreLine
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import find_id, htmx_post, login_by_link, post
from tests.scenes import APPLICATION, set_up_event

JUDGES = 4
CARS = 3


def test_concurrent_autosaves_all_land_once(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event(client, db_url)
    entries = []
    for n in range(CARS):
        with new_client(settings) as c:
            post(c, f"/events/{ev['slug']}/apply", dict(APPLICATION, email=f"o{n}@example.com", chassis_number=f"X{n}"))
        page = client.get(f"/organizer/events/{ev['event_id']}/entries?status=applied").text
        entry_id = find_id(page, r"/organizer/entries/(\d+)/decision")
        post(client, f"/organizer/entries/{entry_id}/decision", {"status": "accepted", "class_id": ev["class_id"]})
        entries.append(entry_id)
    for j in range(JUDGES):
        post(
            client,
            f"/organizer/events/{ev['event_id']}/judges",
            {"name": f"Judge {j}", "email": f"j{j}@example.com", "class_id": ev["class_id"]},
        )
    for status in ("registration_closed", "judging"):
        post(client, f"/organizer/events/{ev['event_id']}/status", {"status": status})

    stack = ExitStack()
    judges = []
    for j in range(JUDGES):
        c = stack.enter_context(new_client(settings))
        login_by_link(c, db_url, f"j{j}@example.com")
        judges.append(c)
    cats = [int(x) for x in re.findall(r'/lines/(\d+)"', judges[0].get(f"/judging/entries/{entries[0]}").text)]

    def judge_works(j: int) -> list[int]:
        statuses = []
        for e in entries:
            for n, cid in enumerate(cats):
                # Every save is sent twice (a retry after a lost answer): applied once.
                for _ in range(2):
                    r = htmx_post(
                        judges[j],
                        f"/judging/entries/{e}/lines/{cid}",
                        {"value": "1", "note": f"j{j} e{e} c{n}", "change_id": f"{j}-{e}-{cid}"},
                    )
                    statuses.append(r.status_code)
        return statuses

    with stack, ThreadPoolExecutor(max_workers=JUDGES) as pool:
        results = [s for statuses in pool.map(judge_works, range(JUDGES)) for s in statuses]
    assert set(results) == {200}

    async def count(session: AsyncSession) -> tuple[int, int]:
        lines = await session.scalar(select(func.count()).select_from(ScoreLine))
        audits = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.entity_type == "score_sheet")
        )
        return lines or 0, audits or 0

    lines, audits = run_db(db_url, count)
    assert lines == JUDGES * CARS * len(cats)
    assert audits == JUDGES * CARS * len(cats)  # the retries changed nothing, so they left no audit entry
