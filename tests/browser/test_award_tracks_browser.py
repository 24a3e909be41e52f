"""The class's award tracks page on the organizer's laptop (issue 14): each car's track and where it came from;
setting a track without a reason shows the error beside the field with the choice kept, then with a reason the
ranking follows. axe-core finds nothing on the page, with or without the error."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy.ext.asyncio import AsyncSession

from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import LAPTOP, Watch, no_sideways_scroll, off_loop
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, TrackShows, award_track_shows


@pytest.mark.browser
def test_set_a_cars_track_with_a_reason(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    async def go(session: AsyncSession) -> TrackShows:
        return await award_track_shows(session, settings)

    summer = off_loop(run_db, db_url, go).summer
    ctx = new_context(**LAPTOP)
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": summer.organizer_token, "url": settings.base_url}])
    watch = Watch()
    page = watch.page(ctx)
    page.goto(f"/organizer/classes/{summer.class_id}/results")
    page.get_by_role("link", name="Award tracks: each car's track and where it came from").click()
    expect(page).to_have_url(re.compile(rf"/organizer/classes/{summer.class_id}/tracks$"))
    car = page.locator(f"#car-{summer.entries[0]}")
    expect(car).to_contain_text("Won its First at Spring Meet 2026: competes for the Senior award")
    assert axe_violations(page) == [], format_violations(axe_violations(page))
    assert no_sideways_scroll(page)

    car.get_by_label("Track of #10").select_option("First")
    car.get_by_role("button", name="Set the track of #10").click()
    car = page.locator(f"#car-{summer.entries[0]}")
    expect(car.locator(".field.has-error .error")).to_contain_text("Say why")
    expect(car.get_by_label("Track of #10")).to_have_value("First")
    expect(car.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == [], format_violations(axe_violations(page))

    car.get_by_label("Reason").fill("Repainted since Spring Meet: judged again for its First")
    car.get_by_role("button", name="Set the track of #10").click()
    car = page.locator(f"#car-{summer.entries[0]}")
    expect(car).to_contain_text("Set by Charlotte Chief: competes for the First award")
    expect(car).to_contain_text("Its history says: Won its First at Spring Meet 2026")
    page.get_by_role("link", name="Class ranking").click()
    expect(page.locator("table.results")).to_contain_text(
        "Track: Set by Charlotte Chief: competes for the First award (Repainted since Spring Meet"
    )
    assert not watch.problems, watch.problems
