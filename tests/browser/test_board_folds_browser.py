"""The chief judge's board on an iPad: a class folds away and stays folded through the board's live reloads and a
page reload (a certified class starts folded, see test_chief); axe-core finds nothing on the folded board."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy.ext.asyncio import AsyncSession

from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import TABLET, off_loop
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring


@pytest.mark.browser
def test_a_class_folds_and_stays_folded(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, judges=2, cars=2)

    show = off_loop(run_db, db_url, go)
    ctx = new_context(**TABLET)
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": show.organizer_token, "url": settings.base_url}])
    page = ctx.new_page()
    page.goto(f"/chief/events/{show.event_id}")
    fold = page.locator("details.board-class")
    cars = fold.locator("tr[id^=car-]")
    expect(fold).to_have_count(1)
    expect(cars.first).to_be_visible()  # a class being judged starts open

    fold.locator("summary").click()
    expect(cars.first).to_be_hidden()
    assert axe_violations(page) == [], format_violations(axe_violations(page))
    # A saved sheet somewhere reloads the board (what the live stream sets off): the class stays folded.
    page.evaluate("() => window.htmx.trigger(document.body, 'board-changed')")
    page.wait_for_timeout(1500)
    expect(page.locator("details.board-class")).to_have_count(1)
    expect(page.locator("details.board-class tr[id^=car-]").first).to_be_hidden()
    page.reload()
    expect(page.locator("details.board-class tr[id^=car-]").first).to_be_hidden()
    # Opened again, it stays open.
    page.locator("details.board-class summary").click()
    expect(page.locator("details.board-class tr[id^=car-]").first).to_be_visible()
    page.reload()
    expect(page.locator("details.board-class tr[id^=car-]").first).to_be_visible()
