"""The judge sheet as a judge on the lawn uses it, in a real Chromium at iPad size: Return in a score box keeps
the page; typing saves without leaving the box; a refused value is marked, named in the bar and scrolled to; a
save that gets no answer is counted as queued and retried; the sheet reloads while offline (the service worker
keeps the judge's sheets); a page restored from the back/forward cache re-syncs; signing out forgets the kept
pages. axe-core finds nothing on the sheet."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ScoreLine, ScoreSheet, SheetChange
from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import PHONE, TABLET, Watch, no_sideways_scroll, off_loop, sheet_line, wait_until
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring

expect.set_options(timeout=15_000)


def seed(db_url: str, settings: Settings) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, judges=2, cars=2)

    return off_loop(run_db, db_url, go)


def stored(db_url: str, entry_id: int) -> tuple[list[tuple[int | None, str]], int]:
    """The car's stored lines (value, note) and how many changes were applied to its sheet."""

    async def go(session: AsyncSession) -> tuple[list[tuple[int | None, str]], int]:
        sheet = await session.scalar(select(ScoreSheet).where(ScoreSheet.entry_id == entry_id))
        if sheet is None:
            return [], 0
        lines = (
            await session.execute(select(ScoreLine.value_units, ScoreLine.note).where(ScoreLine.sheet_id == sheet.id))
        ).all()
        changes = await session.scalar(
            select(func.count()).select_from(SheetChange).where(SheetChange.sheet_id == sheet.id)
        )
        return sorted((v, n) for v, n in lines), int(changes or 0)

    return off_loop(run_db, db_url, go)


def judge_page(
    new_context: Callable[..., BrowserContext],
    settings: Settings,
    token: str,
    *,
    routed: bool = False,
    **device: object,
) -> Page:
    """A judge's tablet. ``routed``: the test cuts or holds requests with Playwright's routing, so no service worker
    (a request a service worker lets through escapes the routing, whenever it has taken control of the page)."""
    ctx = new_context(**(device or TABLET), **({"service_workers": "block"} if routed else {}))
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": settings.base_url}])
    return ctx.new_page()


def bar(page: Page) -> object:
    return page.locator("#sync-state")


@pytest.mark.browser
def test_return_typing_and_refusal_on_the_sheet(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    show = seed(db_url, settings)
    watch = Watch()
    page = watch.page(new_context(**TABLET))
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": show.judge_tokens[0], "url": settings.base_url}])
    car = show.entries[0]
    page.goto(f"/judging/entries/{car}")
    assert axe_violations(page) == [], format_violations(axe_violations(page))

    # Typing saves once the judge pauses: nothing is left in the box with "All changes saved" showing.
    elegance = sheet_line(page, "Elegance & design")
    points = elegance.get_by_role("textbox", name="Points")
    points.click()
    points.press_sequentially("12")
    expect(bar(page)).not_to_have_text("All changes saved", timeout=500)
    expect(elegance.get_by_role("status")).to_have_text("Saved")
    expect(bar(page)).to_have_text("All changes saved")
    expect(points).to_be_focused()  # saved without leaving the box
    lines, changes = stored(db_url, car)
    assert lines == [(120, "")] and changes == 1

    # Return in the box keeps the page where it is: no reload, no query string, no second save.
    page.evaluate("window.__kept = true")
    url_before = page.url
    points.press("Enter")
    page.wait_for_timeout(1200)
    assert page.evaluate("window.__kept === true"), "Return reloaded the page"
    assert page.url == url_before and "?" not in page.url
    assert stored(db_url, car)[1] == 1

    # A value the sheet does not allow: refused, marked invalid, its message beside the line, the bar names
    # the line, and the line is in view with the box focused.
    page.evaluate("window.scrollTo(0, 0)")
    points.fill("")
    points.press_sequentially("999")
    status = elegance.get_by_role("status")
    expect(status).to_contain_text("Elegance")
    expect(points).to_have_attribute("aria-invalid", "true")
    expect(points).to_have_attribute("aria-describedby", status.get_attribute("id") or "")
    expect(bar(page)).to_contain_text("Not saved — Elegance & design")
    expect(elegance).to_be_in_viewport()
    expect(points).to_be_focused()
    assert stored(db_url, car) == ([(120, "")], 1)
    # Put right, the mark goes and the bar says all is saved.
    points.fill("")
    points.press_sequentially("15")
    expect(status).to_have_text("Saved")
    expect(points).not_to_have_attribute("aria-invalid", "true")
    expect(bar(page)).to_have_text("All changes saved")
    assert stored(db_url, car) == ([(150, "")], 2)
    assert not watch.problems, watch.problems


@pytest.mark.browser
def test_a_save_with_no_answer_is_queued_and_retried(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    show = seed(db_url, settings)
    page = judge_page(new_context, settings, show.judge_tokens[0], routed=True)
    car = show.entries[0]
    page.goto(f"/judging/entries/{car}")
    held: list[Route] = []
    page.route("**/judging/entries/*/lines/*", lambda route: held.append(route))  # the Wi-Fi hangs: no answer

    line = sheet_line(page, "Authenticity")
    line.get_by_role("button", name="Deduct more").tap()
    expect(bar(page)).to_contain_text("Saving… 1 change waiting")
    # After about 8 seconds without an answer the change counts as queued (it stays on the tablet).
    expect(bar(page)).to_contain_text("Offline — 1 change waiting", timeout=12_000)
    expect(line.get_by_role("status")).to_have_text("Queued")
    assert stored(db_url, car)[1] == 0

    page.unroute("**/judging/entries/*/lines/*")
    expect(line.get_by_role("status")).to_have_text("Saved", timeout=20_000)
    expect(bar(page)).to_have_text("All changes saved")
    lines, changes = stored(db_url, car)
    assert changes == 1 and len(lines) == 1, (lines, changes)  # sent twice (the hung try and the retry), kept once


@pytest.mark.browser
def test_a_note_typed_while_the_value_is_saving_is_saved_too(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    """Slow Wi-Fi: the judge sets a value, and types the line's note while that save is on its way. The answer
    arriving mid-typing must not count the note as sent (it once did: the note was never saved, and the page
    said "All changes saved")."""
    show = seed(db_url, settings)
    page = judge_page(new_context, settings, show.judge_tokens[0], routed=True)
    car = show.entries[0]
    page.goto(f"/judging/entries/{car}")
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/judging/entries/*/lines/*", hold_the_first)

    elegance = sheet_line(page, "Elegance & design")
    elegance.get_by_role("button", name="More", exact=True).tap()
    deadline = time.monotonic() + 10
    while not held:  # the value's save is on its way, its answer held back
        assert time.monotonic() < deadline, "the value was not sent"
        page.wait_for_timeout(50)
    note = elegance.get_by_label("Note for the entrant")
    note.fill("Lovely lines.")  # typed; the pause that saves it has not come yet
    held[0].continue_()  # ... when the value's answer arrives
    expect(elegance.get_by_role("status")).to_have_text("Saved")
    page.wait_for_timeout(1500)  # the typing pause passes
    note.blur()
    expect(elegance.get_by_role("status")).to_have_text("Saved")
    expect(bar(page)).to_have_text("All changes saved")
    deadline = time.monotonic() + 10
    while stored(db_url, car)[0] != [(5, "Lovely lines.")]:
        assert time.monotonic() < deadline, stored(db_url, car)
        page.wait_for_timeout(200)


@pytest.mark.browser
def test_the_sheet_reloads_offline_and_signing_out_forgets_it(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    show = seed(db_url, settings)
    watch = Watch()
    ctx = new_context(**TABLET)
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": show.judge_tokens[0], "url": settings.base_url}])
    page = watch.page(ctx)
    first, second = show.entries
    # My cars: the service worker starts and keeps every one of my sheets, opened or not.
    page.goto("/judging/")
    wait_until(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    wait_until(page, "caches.open('concours-judging-v1').then(c => c.keys()).then(k => k.length >= 2)")
    page.goto(f"/judging/entries/{first}")
    expect(page.locator("#sheet-total")).to_contain_text("Total 0 / 100")

    # The Wi-Fi drops and the judge reloads: the sheet is still there, and scoring goes on into the queue.
    ctx.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_contain_text("#")
    line = sheet_line(page, "Authenticity")
    line.get_by_role("button", name="Deduct more").tap()
    expect(line.get_by_role("status")).to_have_text("Queued")
    # A sheet never opened on this tablet opens too (kept from the list of my cars).
    page.goto(f"/judging/entries/{second}")
    expect(page.locator("#sheet-total")).to_contain_text("Total")
    expect(bar(page)).to_contain_text("1 change waiting")

    # Back online: the queued change is sent, once.
    ctx.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(bar(page)).to_have_text("All changes saved", timeout=20_000)
    assert stored(db_url, first)[1] == 1

    # A page restored from the back/forward cache loads afresh before it can be edited.
    page.evaluate("window.__restored = true")
    with page.expect_navigation():
        page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    assert page.evaluate("window.__restored === undefined")

    # Signing out forgets the kept pages (a shared tablet: the next judge cannot read them offline).
    page.goto("/judging/")
    page.get_by_role("button", name="Sign out").click()
    wait_until(page, "caches.keys().then(k => !k.includes('concours-judging-v1'))")
    assert not watch.problems, watch.problems


@pytest.mark.browser
def test_the_sheet_on_a_phone(new_context: Callable[..., BrowserContext], db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings)
    page = judge_page(new_context, settings, show.judge_tokens[1], **PHONE)
    page.goto(f"/judging/entries/{show.entries[0]}")
    assert no_sideways_scroll(page)
    back = page.get_by_role("link", name="← My cars")
    box = back.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    # Keyboard focus is visible: a focused control draws an outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), outline
    assert axe_violations(page) == [], format_violations(axe_violations(page))
