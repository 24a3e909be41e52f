"""Section judging (each judge owns areas of the sheet) and team consensus sheets, end to end over HTTP."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import JudgingSystem
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import htmx_post, login_by_link, post
from tests.scenes import event_with_car, line_ids


def test_section_judging_assembles_the_sheet_from_each_judges_areas(
    client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    event_id, class_id, entry_id = event_with_car(
        client, db_url, settings, "aaca_400", [("sam@example.com", True), ("sue@example.com", False)]
    )
    page = client.get(f"/organizer/events/{event_id}/judges").text
    assert "Share sections evenly" in page
    assert post(client, f"/organizer/classes/{class_id}/sections", {"share": "evenly"}).status_code == 303
    page = client.get(f"/organizer/events/{event_id}/judges").text
    assert "owns exterior, chassis" in page and "owns interior, engine" in page

    sam, sue = new_client(settings), new_client(settings)
    with sam, sue:
        login_by_link(sam, db_url, "sam@example.com")
        login_by_link(sue, db_url, "sue@example.com")
        sam_page, sue_page = sam.get(f"/judging/entries/{entry_id}").text, sue.get(f"/judging/entries/{entry_id}").text
        assert "Exterior" in sam_page and "Chassis" in sam_page and "Interior" not in sam_page
        assert "Interior" in sue_page and "Engine" in sue_page and "Exterior" not in sue_page
        sam_lines, sue_lines = line_ids(sam_page), line_ids(sue_page)
        # Sam may not write Sue's area.
        r = htmx_post(sam, f"/judging/entries/{entry_id}/lines/{sue_lines[0]}", {"value": "1", "change_id": "x"})
        assert r.status_code == 403
        for judge, lines, deduction in ((sam, sam_lines, "5"), (sue, sue_lines, "3")):
            for n, cid in enumerate(lines):
                r = htmx_post(
                    judge, f"/judging/entries/{entry_id}/lines/{cid}", {"value": deduction, "change_id": f"{cid}-{n}"}
                )
                assert r.status_code == 200, r.text
            assert post(judge, f"/judging/entries/{entry_id}/submit").status_code == 303
            assert "Submitted" in judge.get("/judging/").text
    ranking = client.get(f"/organizer/classes/{class_id}/results").text
    # 400 − 2×5 − 2×3 = 384: enough for a Senior, but a car with no earlier award competes for its First.
    assert "384" in ranking and "First" in ranking and "sum of 4 section sheets" in ranking
    assert "No First or Senior recorded at an earlier event: competes for the First award" in ranking


def test_team_consensus_sheet_is_shared_and_signed_by_the_captain(
    client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    event_id, class_id, entry_id = event_with_car(
        client, db_url, settings, "class_placings", [("cap@example.com", True), ("mem@example.com", False)]
    )

    async def team_mode(session: AsyncSession) -> None:
        await session.execute(
            update(JudgingSystem)
            .where(JudgingSystem.event_id == event_id)
            .values(sheet_mode="team", combine="consensus")
        )

    run_db(db_url, team_mode)
    cap, mem = new_client(settings), new_client(settings)
    with cap, mem:
        login_by_link(cap, db_url, "cap@example.com")
        login_by_link(mem, db_url, "mem@example.com")
        page = mem.get(f"/judging/entries/{entry_id}").text
        assert "One consensus sheet for the team" in page and "The team captain submits it" in page
        assert "Submit sheet" not in page
        lines = line_ids(page)
        for n, cid in enumerate(lines):
            assert (
                htmx_post(
                    mem, f"/judging/entries/{entry_id}/lines/{cid}", {"value": "2", "change_id": f"m{n}"}
                ).status_code
                == 200
            )
        # The captain sees the member's values on the same sheet, and signs it.
        cap_page = cap.get(f"/judging/entries/{entry_id}").text
        assert cap_page.count('value="2"') == len(lines) and "Submit sheet" in cap_page
        assert post(mem, f"/judging/entries/{entry_id}/submit").status_code == 403
        assert post(cap, f"/judging/entries/{entry_id}/submit").status_code == 303
        assert "Submitted" in mem.get("/judging/").text
    ranking = client.get(f"/organizer/classes/{class_id}/results").text
    # Deductions of 2 on three categories (40, 30, 10) and 2 points of elegance: 38 + 28 + 8 + 2 = 76.
    assert "team consensus sheet" in ranking and "76" in ranking
