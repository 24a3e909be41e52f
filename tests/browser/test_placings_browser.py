"""The placings sheet on an iPad in a real Chromium: the judge orders the class's cars with big ▲/▼ buttons
(no dragging), writes a note per car, keeps going while the Wi-Fi is down, reloads with changes still queued,
and everything lands once the connection is back. Function checks on a points sheet toggle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import ClassSystem, PlacingSheet
from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import TABLET, Watch, off_loop, sheet_line
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring

SCREENSHOTS = Path("/tmp/concours-browser")
QUEUE = "JSON.parse(localStorage.getItem('concours-queue-v1') || '[]').length"

expect.set_options(timeout=15_000)


def seed(db_url: str, settings: Settings, *, placings: bool) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        show = await seed_scoring(session, settings, judges=2, cars=3)
        if placings:
            session.add(ClassSystem(class_id=show.class_id, method="placings", combine="borda", places=3))
        return show

    return off_loop(run_db, db_url, go)


def tablet(new_context: Callable[..., BrowserContext], base_url: str, token: str) -> BrowserContext:
    # No service worker: requests it lets through would escape Playwright's routing (the Wi-Fi cut below).
    ctx = new_context(**TABLET, service_workers="block")
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base_url}])
    return ctx


def saved_order(db_url: str) -> tuple[list[int], dict[int, str], str]:
    async def go(session: AsyncSession) -> tuple[list[int], dict[int, str], str]:
        sheet = await session.scalar(select(PlacingSheet).options(selectinload(PlacingSheet.lines)))
        if sheet is None:
            return [], {}, ""
        lines = sorted(sheet.lines, key=lambda ln: ln.position)
        return [ln.entry_id for ln in lines], {ln.entry_id: ln.note for ln in lines if ln.note}, sheet.status

    return off_loop(run_db, db_url, go)


def places(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("ol.placings-order li .num").all_inner_texts()]


@pytest.mark.browser
def test_ordering_a_class_on_an_ipad_survives_the_wifi(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    show = seed(db_url, settings, placings=True)
    e0, e1, e2 = show.entries
    watch = Watch()
    ctx = tablet(new_context, settings.base_url, show.judge_tokens[0])
    judge = watch.page(ctx)
    judge.goto("/judging/")
    judge.get_by_role("link", name="Order the cars (placings sheet)").tap()
    expect(judge.get_by_role("heading", level=1)).to_contain_text("Class C")
    expect(judge.locator("main")).to_contain_text("What to weigh")
    expect(judge.locator(".weigh")).to_contain_text("Presence")
    assert judge.locator("input[name=value]").count() == 0  # no numbers to fill in
    assert places(judge) == ["#10", "#11", "#12"]
    violations = axe_violations(judge)
    assert violations == [], format_violations(violations)
    for button in judge.locator("ol.placings-order button.move").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, box

    # Online: car #12 goes up twice, to first place; each move is saved.
    judge.get_by_role("button", name="Move #12 1939 Talbot-Lago T150-C SS 2 up").tap()
    judge.get_by_role("button", name="Move #12 1939 Talbot-Lago T150-C SS 2 up").tap()
    assert places(judge) == ["#12", "#10", "#11"]
    expect(judge.locator("ol.placings-order li").first.locator(".place")).to_have_text("1st")
    expect(judge.locator("#sync-state")).to_have_text("All changes saved")
    expect(judge.locator("#state-order")).to_have_text("Saved")
    assert saved_order(db_url)[0] == [e2, e0, e1]

    # The Wi-Fi drops: the judge moves #10 down and writes a note; both wait in the queue.
    ctx.set_offline(True)
    judge.get_by_role("button", name="Move #10 1937 Talbot-Lago T150-C SS 0 down").tap()
    note = judge.get_by_label("Note for the owner of #12")
    note.fill("The finest line on the lawn.")
    note.blur()
    expect(judge.locator("#sync-state")).to_have_text(
        "Offline — 2 changes waiting (queued, sent when the connection is back)"
    )
    assert places(judge) == ["#12", "#11", "#10"]
    judge.screenshot(path=str(SCREENSHOTS / "judge-placings-ipad.png"), full_page=True)
    assert saved_order(db_url)[0] == [e2, e0, e1]  # nothing reached the server

    # Reload while saves still cannot reach the server: the queued order and note are what the judge sees.
    judge.route("**/judging/classes/*/placings/order", lambda route: route.abort("internetdisconnected"))
    judge.route("**/judging/classes/*/placings/notes/*", lambda route: route.abort("internetdisconnected"))
    ctx.set_offline(False)
    judge.reload()
    expect(judge.locator("#sync-state")).to_contain_text("2 changes waiting")
    assert places(judge) == ["#12", "#11", "#10"]
    expect(judge.get_by_label("Note for the owner of #12")).to_have_value("The finest line on the lawn.")
    # Submitting now is held on the tablet until the queue is sent.
    judge.get_by_role("button", name="Submit my order").tap()
    expect(judge.locator("#sync-state")).to_contain_text("Not submitted")

    # Back online: the queue is replayed in order, once.
    judge.unroute("**/judging/classes/*/placings/order")
    judge.unroute("**/judging/classes/*/placings/notes/*")
    expect(judge.locator("#sync-state")).to_have_text("All changes saved", timeout=30_000)
    assert judge.evaluate(QUEUE) == 0
    order, notes, status = saved_order(db_url)
    assert order == [e2, e1, e0] and notes == {e2: "The finest line on the lawn."} and status == "draft"

    judge.get_by_role("button", name="Submit my order").tap()
    expect(judge.get_by_role("heading", name="Your judging")).to_be_visible()
    assert saved_order(db_url)[2] == "submitted"
    assert not watch.problems, watch.problems


@pytest.mark.browser
def test_a_function_check_toggles(new_context: Callable[..., BrowserContext], db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings, placings=False)
    watch = Watch()
    judge = watch.page(tablet(new_context, settings.base_url, show.judge_tokens[0]))
    judge.goto(f"/judging/entries/{show.entries[0]}")
    function = sheet_line(judge, "Function")
    lights = function.get_by_role("button", name="Lights −1")
    deduction = function.get_by_role("textbox", name="Deduction")
    lights.tap()
    expect(lights).to_have_attribute("aria-pressed", "true")
    expect(deduction).to_have_value("1")
    expect(function.get_by_label("Note for the entrant")).to_have_value("Failed checks: Lights")
    expect(function.get_by_role("status")).to_have_text("Saved")
    # A second tap clears the check: nothing deducted twice.
    lights.tap()
    expect(lights).to_have_attribute("aria-pressed", "false")
    expect(deduction).to_have_value("0")
    expect(function.get_by_label("Note for the entrant")).to_have_value("")
    expect(judge.locator("#sync-state")).to_have_text("All changes saved")
    # Failed again, then the page is reloaded: the check is still shown selected.
    lights.tap()
    expect(judge.locator("#sync-state")).to_have_text("All changes saved")
    judge.reload()
    expect(sheet_line(judge, "Function").get_by_role("button", name="Lights −1")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(sheet_line(judge, "Function").get_by_role("textbox", name="Deduction")).to_have_value("1")
    assert not watch.problems, watch.problems
