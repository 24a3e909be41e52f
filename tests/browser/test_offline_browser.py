"""Scoring on a tablet in a real Chromium: a whole car by touch; the Wi-Fi drops (the browser's offline mode)
while the judge keeps scoring; the page is reloaded with the changes still queued; the connection comes back and
every change is on the server exactly once. Then two tablets on one sheet: the stale one is refused and shown
the current values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, ScoreLine, ScoreSheet, SheetChange
from concours.settings import Settings
from tests.browser.conftest import TABLET, Watch, off_loop, sheet_line
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring

SCREENSHOTS = Path("/tmp/concours-browser")
QUEUE = "JSON.parse(localStorage.getItem('concours-queue-v1') || '[]').length"

expect.set_options(timeout=15_000)


def seed(db_url: str, settings: Settings) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, judges=2, cars=2)

    return off_loop(run_db, db_url, go)


def tablet(new_context: Callable[..., BrowserContext], base_url: str, token: str) -> BrowserContext:
    # No service worker: requests it lets through would escape Playwright's routing (the Wi-Fi cut below).
    ctx = new_context(**TABLET, service_workers="block")
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base_url}])
    return ctx


def server_state(db_url: str, entry_id: int) -> dict[str, object]:
    async def go(session: AsyncSession) -> dict[str, object]:
        sheet = await session.scalar(select(ScoreSheet).where(ScoreSheet.entry_id == entry_id))
        assert sheet is not None
        lines = (
            await session.execute(select(ScoreLine.value_units, ScoreLine.note).where(ScoreLine.sheet_id == sheet.id))
        ).all()
        changes = await session.scalar(
            select(func.count()).select_from(SheetChange).where(SheetChange.sheet_id == sheet.id)
        )
        audits = await session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.entity_type == "score_sheet", AuditLog.entity_id == sheet.id)
        )
        return {
            "lines": sorted((v, n) for v, n in lines),
            "changes": changes,
            "audits": audits,
            "version": sheet.version,
            "comment": sheet.overall_comment,
        }

    return off_loop(run_db, db_url, go)


def sync(page: Page) -> object:
    return page.locator("#sync-state")


@pytest.mark.browser
def test_offline_scoring_survives_a_reload_and_lands_once(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    show = seed(db_url, settings)
    watch = Watch()
    ctx = tablet(new_context, settings.base_url, show.judge_tokens[0])
    judge = watch.page(ctx)
    car = show.entries[0]

    # Home: my class, my cars, the judging window and my progress.
    judge.goto("/judging/")
    expect(judge.locator("main")).to_contain_text("Judging: Sat 12 Jun – Sun 13 Jun 2027 (Europe/London)")
    expect(judge.locator("main")).to_contain_text("0 of 2 sheets submitted")
    judge.locator("a.car").first.tap()
    expect(judge.locator("#sheet-total")).to_have_text("Total 0 / 100 (4 to score)")

    # ---- Online, by touch: Authenticity two taps and a chip; Function checks: "Lights" fails.
    authenticity = sheet_line(judge, "Authenticity")
    authenticity.get_by_role("button", name="Deduct more").tap()
    authenticity.get_by_role("button", name="Deduct more").tap()
    authenticity.get_by_role("button", name="Incorrect detail −0.5").tap()
    expect(authenticity.get_by_role("textbox", name="Deduction")).to_have_value("1.5")
    function = sheet_line(judge, "Function")
    expect(function).to_contain_text("Tap each check that fails.")
    function.get_by_role("button", name="Lights −1").tap()
    expect(function.get_by_role("status")).to_have_text("Saved")
    expect(sync(judge)).to_have_text("All changes saved")
    expect(judge.locator("#sheet-total")).to_have_text("Total 47.5 / 100 (2 to score)")
    for button in judge.locator("form.line button").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, (button.inner_text(), box)
    online_changes = 4

    # ---- The Wi-Fi drops. The judge keeps scoring: condition by taps, elegance typed with a note, a comment.
    ctx.set_offline(True)
    condition = sheet_line(judge, "Condition & presentation")
    condition.get_by_role("button", name="Deduct more").tap()
    condition.get_by_role("button", name="Deduct more").tap()
    expect(condition.get_by_role("status")).to_have_text("Queued")
    elegance = sheet_line(judge, "Elegance & design")
    elegance.get_by_role("textbox", name="Points").fill("17.5")
    elegance.get_by_label("Note for the entrant").fill("Graceful line.")
    elegance.get_by_label("Note for the entrant").blur()
    overall = judge.locator("textarea[name=comment]")
    overall.fill("Scored while offline.")
    overall.blur()
    offline_changes = 5  # two taps, the points (on leaving the field), the note, the comment
    expect(sync(judge)).to_have_text(
        f"Offline — {offline_changes} changes waiting (queued, sent when the connection is back)"
    )
    # The running total follows the screen while the changes wait: 38.5 + 29 + 9 + 17.5.
    expect(judge.locator("#sheet-total")).to_have_text("Total 94 / 100 (not yet saved)")
    assert judge.evaluate(QUEUE) == offline_changes
    judge.screenshot(path=str(SCREENSHOTS / "judge-offline-tablet.png"))
    assert server_state(db_url, car)["changes"] == online_changes  # nothing of it reached the server

    # ---- The page is reloaded while the server is still unreachable for saves (the network is back for the
    # page itself: a reload cannot work offline without a service worker). The queue survives, and the
    # judge sees the queued values, not the server's older ones.
    judge.route("**/judging/entries/*/lines/*", lambda route: route.abort("internetdisconnected"))
    judge.route("**/judging/entries/*/comment", lambda route: route.abort("internetdisconnected"))
    ctx.set_offline(False)
    judge.reload()
    expect(sync(judge)).to_contain_text(f"{offline_changes} changes waiting")
    condition = sheet_line(judge, "Condition & presentation")
    expect(condition.get_by_role("textbox", name="Deduction")).to_have_value("1")
    expect(condition.get_by_role("status")).to_have_text("Queued")
    expect(sheet_line(judge, "Elegance & design").get_by_role("textbox", name="Points")).to_have_value("17.5")
    expect(judge.locator("textarea[name=comment]")).to_have_value("Scored while offline.")
    # Submitting now would sign an incomplete sheet: refused on the tablet until the queue is sent.
    judge.get_by_role("button", name="Submit sheet").tap()
    expect(sync(judge)).to_contain_text("Not submitted: 5 changes are still waiting to be sent")

    # ---- The connection comes back: the queue is replayed in order, each change once.
    judge.unroute("**/judging/entries/*/lines/*")
    judge.unroute("**/judging/entries/*/comment")
    expect(sync(judge)).to_have_text("All changes saved", timeout=30_000)
    assert judge.evaluate(QUEUE) == 0
    expect(judge.locator("#sheet-total")).to_have_text("Total 94 / 100")  # 38.5 + 29 + 9 + 17.5
    state = server_state(db_url, car)
    assert state["changes"] == online_changes + offline_changes
    assert state["audits"] == online_changes + offline_changes
    assert state["lines"] == [(90, "Failed checks: Lights"), (175, "Graceful line."), (290, ""), (385, "")]
    assert state["comment"] == "Scored while offline."

    # A reload shows the server's values; the sheet can be signed.
    judge.reload()
    expect(sheet_line(judge, "Condition & presentation").get_by_role("textbox", name="Deduction")).to_have_value("1")
    judge.get_by_role("button", name="Submit sheet").tap()
    expect(judge.locator("main")).to_contain_text("1 of 2 sheets submitted")
    assert not watch.problems, watch.problems


@pytest.mark.browser
def test_two_tablets_on_one_sheet(new_context: Callable[..., BrowserContext], db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings)
    watch = Watch()
    car = show.entries[1]
    first = watch.page(tablet(new_context, settings.base_url, show.judge_tokens[0]))
    second = watch.page(tablet(new_context, settings.base_url, show.judge_tokens[0]))
    for page in (first, second):
        page.goto(f"/judging/entries/{car}")
        expect(page.locator("#sheet-total")).to_have_text("Total 0 / 100 (4 to score)")

    sheet_line(first, "Function").get_by_role("button", name="Does not start −5").tap()
    expect(sheet_line(first, "Function").get_by_role("status")).to_have_text("Saved")

    # The second tablet still shows the empty line: its change is refused, and it shows what the server holds.
    stale = sheet_line(second, "Function")
    stale.get_by_role("button", name="Deduct more").tap()
    expect(stale.get_by_role("status")).to_contain_text("was changed on another device or page")
    expect(stale.get_by_role("textbox", name="Deduction")).to_have_value("5")
    expect(stale.get_by_role("button", name="Does not start −5")).to_have_attribute("aria-pressed", "true")
    expect(sync(second)).to_contain_text("Not saved — Function: Function was changed on another device or page")
    # Now based on the current value, the second tablet's change goes through.
    stale.get_by_role("button", name="Deduct more").tap()
    expect(stale.get_by_role("status")).to_have_text("Saved")
    expect(stale.get_by_role("textbox", name="Deduction")).to_have_value("5.5")
    expect(sync(second)).to_have_text("All changes saved")
    state = server_state(db_url, car)
    assert state["lines"] == [(45, "Failed checks: Does not start")]
    assert state["changes"] == 2 and state["audits"] == 2
    assert not watch.problems, watch.problems
