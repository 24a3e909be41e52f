"""The chief judge's oversight over HTTP: the live board (states, late sheets, outlier flags), a sheet's history,
reopening with a reason, and a paper sheet entered on a judge's behalf; nobody else gets in."""

from __future__ import annotations

import html
import re
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, EventClass, ScoreSheet, utcnow
from concours.services.oversight import outlier_flags
from concours.settings import Settings
from tests.conftest import run_db
from tests.helpers import htmx_post, post
from tests.scenes import categories, seed, signed_in


def score(judge: TestClient[Any], entry: int, cats: list[int], values: list[str], tag: str) -> None:
    for n, (cid, value) in enumerate(zip(cats, values, strict=True)):
        r = htmx_post(judge, f"/judging/entries/{entry}/lines/{cid}", {"value": value, "change_id": f"{tag}{n}"})
        assert r.status_code == 200, r.text


def test_board_reopen_history_and_paper_sheet(db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings, judges=3, cars=2)
    car, other_car = show.entries
    with (
        signed_in(settings, show.organizer_token) as chief,
        signed_in(settings, show.judge_tokens[0]) as j0,
        signed_in(settings, show.judge_tokens[1]) as j1,
        signed_in(settings, show.judge_tokens[2]) as j2,
    ):
        cats = categories(j0, car)
        score(j0, car, cats, ["1", "1", "0", "18"], "a")
        score(j1, car, cats, ["1.5", "1", "0", "17.5"], "b")
        score(j2, car, cats[:1], ["20"], "c")  # far from the others on Authenticity, and not finished
        for j in (j0, j1):
            assert post(j, f"/judging/entries/{car}/submit").status_code == 303

        assert chief.get("/chief/", follow_redirects=False).headers["location"] == f"/chief/events/{show.event_id}"
        board = html.unescape(chief.get(f"/chief/events/{show.event_id}").text)
        assert "2 of 6" in board  # three judges × two cars
        row = re.search(rf'<tr id="car-{car}">(.*?)</tr>', board, re.S).group(1)  # type: ignore[union-attr]
        assert row.count("Submitted") == 2 and "In progress" in row and "late" in row
        assert "⚑ Authenticity: 20 against the team's 38.5" in row
        other = re.search(rf'<tr id="car-{other_car}">(.*?)</tr>', board, re.S).group(1)  # type: ignore[union-attr]
        assert other.count("Not started") == 3 and "late" not in other

        # A judge and a stranger do not see the board.
        assert j0.get(f"/chief/events/{show.event_id}").status_code == 403
        assert j0.get("/chief/").status_code == 403

        # The chief judge reads a signed sheet's history and reopens it, with a reason.
        judge0 = re.search(r'data-judge="Judge 0">(.*?)</li>', row, re.S).group(1)  # type: ignore[union-attr]
        sheet_id = int(re.findall(r"/chief/sheets/(\d+)", judge0)[0])
        page = html.unescape(chief.get(f"/chief/sheets/{sheet_id}").text)
        assert "Reopen sheet" in page and "submit" in page and "testclient" in page
        assert post(chief, f"/chief/sheets/{sheet_id}/reopen", {"reason": " "}).status_code == 400
        assert post(j0, f"/chief/sheets/{sheet_id}/reopen", {"reason": "mine"}).status_code == 403
        r = post(chief, f"/chief/sheets/{sheet_id}/reopen", {"reason": "Authenticity deduction was for another car"})
        assert r.status_code == 303
        assert "Authenticity deduction was for another car" in html.unescape(
            chief.get(f"/chief/sheets/{sheet_id}").text
        )
        assert post(chief, f"/chief/sheets/{sheet_id}/reopen", {"reason": "again"}).status_code == 409
        # The judge whose sheet it is can change it again; the other signed sheet stays locked.
        r = htmx_post(j0, f"/judging/entries/{car}/lines/{cats[0]}", {"value": "1.5", "change_id": "fix"})
        assert r.status_code == 200
        r = htmx_post(j1, f"/judging/entries/{car}/lines/{cats[0]}", {"value": "1", "change_id": "fx"})
        assert r.status_code == 409

        # Judge 2's tablet died: the chief judge types in the paper sheet of the other car, and signs it.
        form = chief.get(f"/chief/entries/{other_car}/paper?judge_id={show.judge_ids[2]}")
        assert form.status_code == 200 and "Paper sheet of Judge 2" in form.text
        bad = post(
            chief,
            f"/chief/entries/{other_car}/paper",
            {"judge_id": show.judge_ids[2], f"value-{cats[0]}": "99", "submit": "on"},
        )
        assert bad.status_code == 400 and "between 0 and 40" in bad.text
        data: dict[str, Any] = {"judge_id": show.judge_ids[2], "submit": "on", "comment-": "From the paper sheet."}
        for cid, value in zip(cats, ["2", "1", "0.5", "16"], strict=True):
            data[f"value-{cid}"] = value
            data[f"note-{cid}"] = f"paper {cid}"
        r = post(chief, f"/chief/entries/{other_car}/paper", data)
        assert r.status_code == 303, r.text
        board = html.unescape(chief.get(f"/chief/events/{show.event_id}").text)
        other = re.search(rf'<tr id="car-{other_car}">(.*?)</tr>', board, re.S).group(1)  # type: ignore[union-attr]
        assert "entered from paper" in other and "Submitted" in other
        # The judge sees the paper sheet as theirs, signed.
        assert "Submitted" in j2.get("/judging/").text
        # Not on the team, or a car of nowhere: refused.
        assert chief.get(f"/chief/entries/{other_car}/paper?judge_id=999999").status_code == 404
        assert chief.get(f"/chief/entries/{2**40}/paper?judge_id=1").status_code == 404
        assert chief.get(f"/chief/entries/{other_car}/paper?judge_id=abc").status_code == 400

    async def paper(session: AsyncSession) -> tuple[int | None, list[str]]:
        sheet = await session.scalar(
            select(ScoreSheet).where(ScoreSheet.entry_id == other_car, ScoreSheet.judge_id == show.judge_ids[2])
        )
        assert sheet is not None
        devices = (await session.scalars(select(AuditLog.device).where(AuditLog.entity_id == sheet.id))).all()
        return sheet.entered_by_id, list(devices)

    entered_by, devices = run_db(db_url, paper)
    assert (
        entered_by is not None
        and devices
        and all(d.startswith("paper sheet entered by Charlotte Chief") for d in devices)
    )


def test_a_certified_class_locks_its_sheets(db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings, judges=1, cars=1)
    car = show.entries[0]
    with signed_in(settings, show.organizer_token) as chief, signed_in(settings, show.judge_tokens[0]) as judge:
        cats = categories(judge, car)
        score(judge, car, cats, ["1", "1", "0", "18"], "a")
        assert post(judge, f"/judging/entries/{car}/submit").status_code == 303

        async def certify(session: AsyncSession) -> None:
            await session.execute(update(EventClass).values(certified_at=utcnow()))

        run_db(db_url, certify)
        board = chief.get(f"/chief/events/{show.event_id}").text
        # A certified class starts folded on the board (a class still being judged starts open).
        assert re.search(r'<details class="board-class" data-fold="[\d-]+">', board), board
        sheet_id = int(re.findall(r"/chief/sheets/(\d+)", board)[0])
        assert "Reopen sheet" not in chief.get(f"/chief/sheets/{sheet_id}").text
        r = post(chief, f"/chief/sheets/{sheet_id}/reopen", {"reason": "late correction"})
        assert r.status_code == 409 and "certified" in r.text
        r = htmx_post(judge, f"/judging/entries/{car}/lines/{cats[0]}", {"value": "2", "change_id": "late"})
        assert r.status_code == 409 and "certified" in r.text


def test_outlier_flags() -> None:
    values = {1: {10: 390, 11: 290}, 2: {10: 385, 11: 290}, 3: {10: 200, 11: 280}}
    flags = outlier_flags(values, {10: 400, 11: 300}, {10: "Authenticity", 11: "Condition"}, 10)
    assert flags[1] == [] and flags[2] == []
    assert flags[3][0] == "Authenticity: 20 against the team's 38.5"
    assert flags[3][1] == "total 48 against the team's 67.5"
    # Two judges far apart: both flagged (nobody can tell which is right).
    two = outlier_flags({1: {10: 390}, 2: {10: 100}}, {10: 400}, {10: "A"}, 10)
    assert two[1] and two[2]
    assert outlier_flags({1: {10: 0}}, {10: 400}, {10: "A"}, 10) == {1: []}
