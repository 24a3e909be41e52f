"""The calibration page in a real Chromium: on the chief judge's iPad (axe-core clean, the charts drawn in the
page, a flagged car acknowledged through its form) and on a phone (nothing wider than the screen)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy.ext.asyncio import AsyncSession

from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import PHONE, SCREENSHOTS, TABLET, Watch, no_sideways_scroll, off_loop
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, Seeded, score_and_submit, seed_scoring

expect.set_options(timeout=15_000)

AGREED = ["24", "19", "14", "14", "14", "9"]  # CCCA sheet: 94
CALM = ["22", "19", "14", "14", "14", "9"]  # 92
HARSH = ["14", "19", "14", "14", "14", "9"]  # 84: body & paint 10 below the others (threshold 2.5)


def seed(db_url: str, settings: Settings) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        show = await seed_scoring(session, settings, judges=3, cars=2, preset="ccca_100")
        sheets = {(j, 0): CALM for j in range(3)} | {(j, 1): HARSH if j == 0 else AGREED for j in range(3)}
        await score_and_submit(session, show, sheets)
        return show

    return off_loop(run_db, db_url, go)


def signed_in(
    new_context: Callable[..., BrowserContext], base_url: str, token: str, device: dict[str, Any]
) -> BrowserContext:
    ctx = new_context(**device)
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base_url}])
    return ctx


@pytest.mark.browser
def test_calibration_page_on_an_ipad_and_a_phone(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    show = seed(db_url, settings)
    url = f"/chief/events/{show.event_id}/calibration"
    watch = Watch()
    chief = watch.page(signed_in(new_context, settings.base_url, show.organizer_token, TABLET))
    chief.goto(f"/chief/events/{show.event_id}")
    chief.get_by_role("link", name="Calibration: judges' severity and the cars they disagree on").tap()
    expect(chief.get_by_role("heading", level=1)).to_contain_text("calibration")
    # Both charts are drawn in the page (inline SVG, named for assistive technology) beside their tables.
    expect(chief.get_by_role("img", name="Judges' severity, points from their co-judges' mean")).to_be_visible()
    expect(chief.get_by_role("img", name="Each car's largest disagreement as a share of the threshold")).to_be_visible()
    assert chief.locator("#severity-chart rect").count() == 3 and chief.locator("#spread-chart rect").count() == 2
    expect(chief.locator("#judges-table tr[data-judge='Judge 0'] .severity")).to_have_text("−5.0")
    expect(chief.locator("#flagged-table")).to_contain_text("Body & paint: 10 points apart")
    assert no_sideways_scroll(chief)
    violations = axe_violations(chief)
    assert violations == [], format_violations(violations)
    chief.screenshot(path=str(SCREENSHOTS / "calibration-ipad.png"), full_page=True)

    # The chief judge acknowledges the flagged car with a note; it is no longer waiting.
    row = chief.locator(f"#car-{show.entries[1]}")
    row.get_by_label("Acknowledge: what you looked at and why the sheets stand").fill("ok")
    row.get_by_role("button", name="Acknowledge car #11").tap()
    expect(chief.locator(f"#car-{show.entries[1]} .error")).to_contain_text("a few words at least")
    violations = axe_violations(chief)  # the refused form, its error beside the field
    assert violations == [], format_violations(violations)
    row = chief.locator(f"#car-{show.entries[1]}")
    row.get_by_label("Acknowledge: what you looked at and why the sheets stand").fill(
        "Walked the car with Judge 0: the repaint flaw is real."
    )
    row.get_by_role("button", name="Acknowledge car #11").tap()
    expect(chief.locator(f"#car-{show.entries[1]} .review")).to_contain_text("Acknowledged by Charlotte Chief")
    expect(chief.locator(".summary-line")).to_contain_text("0 still to look at")

    phone = watch.page(signed_in(new_context, settings.base_url, show.organizer_token, PHONE))
    phone.goto(url)
    expect(phone.get_by_role("img", name="Judges' severity, points from their co-judges' mean")).to_be_visible()
    assert no_sideways_scroll(phone)
    for chart in ("#severity-chart", "#spread-chart"):
        box = phone.locator(chart).bounding_box()
        assert box is not None and box["width"] <= 390, box
    violations = axe_violations(phone)
    assert violations == [], format_violations(violations)
    phone.screenshot(path=str(SCREENSHOTS / "calibration-phone.png"), full_page=True)
    assert watch.problems == []
