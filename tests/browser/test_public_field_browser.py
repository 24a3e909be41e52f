"""The public event page with its field of cars, on a phone: no sideways scroll, axe-core finds nothing, and a car
opens its public page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import PHONE, Watch, no_sideways_scroll, off_loop
from tests.conftest import run_db
from tests.scenes import seed_scoring

expect.set_options(timeout=15_000)


@pytest.mark.browser
def test_the_field_on_a_phone(new_context: Callable[..., BrowserContext], db_url: str, settings: Settings) -> None:
    async def go(session: AsyncSession) -> str:
        show = await seed_scoring(session, settings, judges=1, cars=3)
        slug = await session.scalar(select(Event.slug).where(Event.id == show.event_id))
        assert slug is not None
        return slug

    slug = off_loop(run_db, db_url, go)
    watch = Watch()
    page = watch.page(new_context(**PHONE))
    page.goto(f"/events/{slug}")
    field = page.locator("#field")
    expect(field.get_by_role("heading", level=2)).to_have_text("The field (3 cars)")
    assert no_sideways_scroll(page)
    assert axe_violations(page) == [], format_violations(axe_violations(page))
    first = field.get_by_role("link").first
    href = first.get_attribute("href")
    assert href and href.startswith(f"/events/{slug}/cars/")
    first.tap()
    expect(page).to_have_url(settings.base_url + href)
    expect(page.get_by_role("heading", level=1)).to_contain_text("No. " + href.rsplit("/", 1)[1])
    assert not watch.problems, watch.problems
