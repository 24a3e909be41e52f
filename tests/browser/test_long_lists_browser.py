"""The long lists of a large show in Chromium, on an iPad and a phone: the organizer's entries and the chief
judge's board page through htmx (the address follows, so Back and a reload show the same page), the filters
keep each other, the board's live refresh reloads the view the chief judge is on, and both pages pass axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import PHONE, SCREENSHOTS, TABLET, Watch, no_sideways_scroll, off_loop
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, BigShow, big_show


def _show(db_url: str, settings: Settings) -> BigShow:
    async def go(session: AsyncSession) -> BigShow:
        return await big_show(session, settings, cars=120)

    return run_db(db_url, go)


def _signed_in(new_context: Callable[..., BrowserContext], settings: Settings, token: str, device: Any) -> Page:
    host = settings.base_url.split("//", 1)[1].split(":")[0]
    ctx = new_context(**device)
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "domain": host, "path": "/"}])
    return ctx.new_page()


def _accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


@pytest.mark.browser
@pytest.mark.parametrize("device", [TABLET, PHONE], ids=["ipad", "phone"])
def test_entries_and_board_page_and_filter_in_place(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings, device: dict[str, Any]
) -> None:
    show: BigShow = off_loop(_show, db_url, settings)
    watch = Watch()
    page = _signed_in(new_context, settings, show.organizer_token, device)
    page.on("pageerror", lambda exc: watch.problems.append(str(exc)))
    name = "ipad" if device is TABLET else "phone"

    # -- the organizer's entries
    page.goto(f"/organizer/events/{show.event_id}/entries")
    cards = page.locator("article.entry")
    expect(cards).to_have_count(50)
    expect(page.get_by_role("status").filter(has_text="Entries 1–50 of 120")).to_be_visible()
    _accessible(page)
    assert no_sideways_scroll(page), "the entries page scrolls sideways"
    page.evaluate("() => (window.__sameDocument = true)")
    page.get_by_role("navigation", name="Pages of entries").get_by_role("link", name="Next ›").click()
    expect(page).to_have_url(re.compile(r"/entries\?page=2$"))
    expect(page.get_by_role("status").filter(has_text="Entries 51–100 of 120")).to_be_visible()
    expect(cards.first).to_have_id(f"entry-{show.accepted[50]}")
    assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded rather than swapped"
    # A status keeps the class chosen; the list goes back to its first page.
    page.get_by_label("Class").first.select_option(str(show.class_ids[0]))
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"class_id={show.class_ids[0]}"))
    expect(cards).to_have_count(10)
    page.get_by_role("navigation", name="Entries by status").get_by_role("link", name="Applied (1)").click()
    expect(page).to_have_url(re.compile(rf"status=applied&class_id={show.class_ids[0]}$"))
    expect(cards).to_have_count(1)
    _accessible(page)
    page.go_back()
    expect(cards).to_have_count(10)
    page.screenshot(path=str(SCREENSHOTS / f"organizer-entries-filtered-{name}.png"), full_page=False)

    # -- the chief judge's board
    page.goto(f"/chief/events/{show.event_id}")
    rows = page.locator("#board tr[id^=car-]")
    expect(rows).to_have_count(50)
    _accessible(page)
    assert no_sideways_scroll(page), "the board scrolls sideways"
    page.evaluate("() => (window.__sameDocument = true)")
    page.get_by_role("navigation", name="Cars by the state of their sheets").get_by_role(
        "link", name="Late (25)"
    ).click()
    expect(page).to_have_url(re.compile(r"\?show=late$"))
    expect(rows).to_have_count(25)
    expect(page.locator("#board")).to_have_attribute("hx-get", f"/chief/events/{show.event_id}?show=late")
    # The live refresh (what a saved sheet sets off) reloads the same filtered view.
    page.evaluate("() => window.htmx.trigger(document.body, 'board-changed')")
    page.wait_for_timeout(500)
    expect(rows).to_have_count(25)
    for text in rows.all_inner_texts()[:5]:
        assert "late" in text and "⚑" in text
    page.get_by_role("link", name=re.compile(r"^K03 — Class 3")).click()
    expect(page).to_have_url(re.compile(rf"class_id={show.class_ids[3]}&show=late$"))
    expect(page.locator("#board section h2")).to_have_text([re.compile(r"Class K03")])
    assert page.evaluate("() => window.__sameDocument === true")
    _accessible(page)
    page.screenshot(path=str(SCREENSHOTS / f"chief-board-late-{name}.png"), full_page=False)
    assert watch.problems == []
