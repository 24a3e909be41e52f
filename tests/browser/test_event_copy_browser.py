"""Copy an event in the browser (issue 15): from the organizer's event page on a laptop, the copy form comes
filled in for next year; reversed dates are refused beside the field with everything typed kept; the corrected
form makes the draft copy. axe-core finds nothing on the form, empty or refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from concours.services import accounts, events
from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import LAPTOP, Watch, off_loop
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, lakeside_event

expect.set_options(timeout=15_000)


def _no_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


@pytest.mark.browser
def test_copy_an_event_for_next_year(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    async def seed(session: AsyncSession) -> tuple[str, int]:
        org, event, viewer = await lakeside_event(session, email="org@example.com", name="Olivia Organizer")
        event.name = "Lakeside Concours 2027"
        await events.add_class(session, viewer, event, code="C", name="French Curves 1935-1939")
        token = await accounts.start_session(session, settings, org.id, "browser")
        return token, event.id

    token, event_id = off_loop(run_db, db_url, seed)
    ctx = new_context(**LAPTOP)
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": settings.base_url}])
    watch = Watch()
    page = watch.page(ctx)
    page.goto(f"/organizer/events/{event_id}")
    page.get_by_role("link", name="Copy this event").click()
    expect(page.get_by_label("Name")).to_have_value("Lakeside Concours 2028")
    expect(page.get_by_label("First day")).to_have_value("2028-06-12")
    _no_violations(page)

    page.get_by_label("Venue").fill("Lakeside Park, North Lawn")
    page.get_by_label("Last day").fill("2028-06-01")
    page.get_by_role("button", name="Create the copy").click()
    expect(page.locator("#e-ends_on")).to_contain_text("The last day cannot be before the first.")
    expect(page.get_by_label("Last day")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Venue")).to_have_value("Lakeside Park, North Lawn")
    expect(page.get_by_label("Name")).to_have_value("Lakeside Concours 2028")
    _no_violations(page)

    page.get_by_label("Last day").fill("2028-06-13")
    page.get_by_role("button", name="Create the copy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lakeside Concours 2028")
    expect(page.locator("#classes")).to_contain_text("French Curves 1935-1939")
    assert watch.problems == []
