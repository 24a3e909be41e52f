"""The organizer's conflicts page in a real Chromium (issue 14): the app's suggestions first, with their type,
source and state; a dismissal without a reason is refused beside its field; confirming one moves it to the
conflicts that bind. axe-core clean as first shown and with the refused form."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import LAPTOP, SCREENSHOTS, Watch, off_loop
from tests.conflict_scene import build
from tests.scenes import SESSION_COOKIE

expect.set_options(timeout=15_000)


@pytest.mark.browser
def test_conflicts_page_suggest_dismiss_confirm(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    show = off_loop(build, db_url, settings).show
    ctx = new_context(**LAPTOP)
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": show.organizer_token, "url": settings.base_url}])
    watch = Watch()
    page = watch.page(ctx)
    page.goto(f"/organizer/events/{show.event_id}/conflicts")
    expect(page.get_by_role("heading", name="Suggested by the app (0)")).to_be_visible()
    page.get_by_role("button", name="Look for conflicts").click()
    expect(page.get_by_role("status")).to_have_text("Done: 3 new suggestions.")
    suggested = page.locator("#suggested")
    expect(suggested.get_by_role("heading", level=2)).to_have_text("Suggested by the app (3)")
    row = suggested.locator("tr", has_text="Paul Delacroix")
    expect(row).to_contain_text("Family")
    expect(row).to_contain_text("Suggested by the app")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)

    # Dismiss without a reason: refused beside the field; then with one.
    row.get_by_role("button", name="Dismiss").click()
    row = page.locator("#suggested tr", has_text="Paul Delacroix")
    expect(row.locator(".error")).to_contain_text("Say why this is not a conflict")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    row.get_by_label("Why it is not a conflict").fill("No relation: a common name")
    row.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("status")).to_have_text("Done: suggestion dismissed.")
    expect(page.get_by_role("heading", name="Dismissed (1)")).to_be_visible()

    # Confirm one: it binds, listed with the others.
    page.locator("#suggested tr", has_text="Spring Show 2024").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_have_text("Done: conflict confirmed.")
    expect(page.get_by_role("heading", name="Suggested by the app (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Every conflict (1)")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    page.screenshot(path=str(SCREENSHOTS / "conflicts-organizer.png"), full_page=True)
    assert watch.problems == [], watch.problems
