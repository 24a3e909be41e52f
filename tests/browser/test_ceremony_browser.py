"""The ceremony in Chromium: a spectator's browser on the live page (projector mode) sees each award appear the
moment the organizer presses "Presented" in another browser, without reloading; the run sheet reorders in place
through htmx; both pages pass axe-core. The organizer makes the results book from the documents page: its
progress page polls until the job is done and offers the download; the documents page then says the copy is
current."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession

from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import off_loop
from tests.conftest import run_db
from tests.scenes import Show, seed_show

SESSION_COOKIE = "concours_session"


def _show(db_url: str, settings: Settings) -> Show:
    async def go(session: AsyncSession) -> Show:
        return await seed_show(session, settings, private_owner=102)

    return run_db(db_url, go)


@pytest.mark.browser
def test_a_reveal_reaches_the_live_page_without_reloading(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    show: Any = off_loop(_show, db_url, settings)
    host = settings.base_url.split("//", 1)[1].split(":")[0]
    organizer = new_context(viewport={"width": 1280, "height": 900})
    organizer.add_cookies([{"name": SESSION_COOKIE, "value": show.organizer_token, "domain": host, "path": "/"}])
    desk = organizer.new_page()
    desk.goto(f"/organizer/events/{show.event_id}/ceremony")
    desk.get_by_role("button", name="Build the run sheet from the results").click()
    rows = desk.locator("#run-sheet tbody tr")
    expect(rows).to_have_count(8)
    # Reorder through htmx: the second line moves up, in place.
    second = rows.nth(1).get_attribute("id")
    rows.nth(1).get_by_role("button", name="up").click()
    expect(rows.nth(0)).to_have_attribute("id", second or "")
    violations = axe_violations(desk)
    assert violations == [], format_violations(violations)

    spectator = new_context(viewport={"width": 1920, "height": 1080})
    screen = spectator.new_page()
    errors: list[str] = []
    screen.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    screen.goto(f"/events/{show.slug}/live")
    expect(screen.locator("#live-status")).to_have_text("The ceremony will begin shortly.")
    expect(screen.locator("#live")).to_have_attribute("data-count", "0")
    marker = screen.evaluate("() => (window.__notReloaded = true)")
    assert marker is True
    violations = axe_violations(screen)
    assert violations == [], format_violations(violations)

    # The first line presented (car 102, whose owner is private), then the next one.
    rows.nth(0).get_by_role("button", name="Presented").click()
    expect(screen.locator("#live-current .live-award")).to_have_text("Class A, Class name A: 2nd in class")
    expect(screen.locator("#live-current .live-number")).to_have_text("No. 102")
    expect(screen.locator("#live-current .live-owner")).to_have_count(0)
    expect(screen.locator("#live-current img")).to_be_visible()
    expect(desk.locator("#run-sheet tbody tr").nth(0).locator(".badge")).to_have_text("Presented")
    desk.locator("#run-sheet tbody tr").nth(1).get_by_role("button", name="Presented").click()
    expect(screen.locator("#live-current .live-number")).to_have_text("No. 103")
    expect(screen.locator("#live-list li")).to_have_count(1)
    expect(screen.locator("#live-status")).to_have_text("2 awards presented")
    assert screen.evaluate("() => window.__notReloaded") is True  # the same page: nothing reloaded
    assert "1st in class" not in screen.content() and "Best of Show" not in screen.content()
    assert not errors, errors


@pytest.mark.browser
def test_a_long_document_starts_from_the_documents_page_and_downloads_when_done(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    show: Any = off_loop(_show, db_url, settings)
    host = settings.base_url.split("//", 1)[1].split(":")[0]
    organizer = new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    organizer.add_cookies([{"name": SESSION_COOKIE, "value": show.organizer_token, "domain": host, "path": "/"}])
    page = organizer.new_page()
    page.goto(f"/organizer/events/{show.event_id}/documents")
    book = page.locator("#document-results-book")
    expect(book.locator(".copy-status")).to_contain_text("No copy made yet")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)

    book.get_by_role("button", name="Make: Results book, with the scores (PDF)").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.get_by_role("heading", name="Results book")).to_be_visible()
    link = page.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible(timeout=60_000)  # the progress polls until the job is done
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    with page.expect_download() as download:
        link.click()
    reader = PdfReader(download.value.path())
    assert "Contents" in (reader.pages[1].extract_text() or "")

    page.goto(f"/organizer/events/{show.event_id}/documents")
    expect(page.locator("#document-results-book .copy-status")).to_contain_text("is up to date")
    expect(page.locator("#document-placards .copy-status")).to_contain_text("No copy made yet")
