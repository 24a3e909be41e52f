"""The judge's sheet in French, in a real Chromium at iPad size whose language is French (its Accept-Language): the
page, the save states beside the lines, the refusals from the server and the status bar the offline queue writes
(its texts come from the page, not from the script) all speak French; axe-core finds nothing on the French sheet."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy.ext.asyncio import AsyncSession

from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import TABLET, Watch, off_loop, sheet_line
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring

expect.set_options(timeout=15_000)

ALL_SAVED = "Toutes les modifications sont enregistrées"


def seed(db_url: str, settings: Settings) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, judges=2, cars=2)

    return off_loop(run_db, db_url, go)


@pytest.mark.browser
def test_the_sheet_saves_and_queues_in_french(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    show = seed(db_url, settings)
    watch = Watch()
    # No service worker: the test cuts the Wi-Fi, and a request a service worker lets through would escape it.
    ctx = new_context(**TABLET, locale="fr-FR", service_workers="block")
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": show.judge_tokens[0], "url": settings.base_url}])
    page = watch.page(ctx)
    page.goto(f"/judging/entries/{show.entries[0]}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    bar = page.locator("#sync-state")
    expect(bar).to_have_text(ALL_SAVED)
    expect(page.get_by_role("button", name="Soumettre la feuille")).to_be_visible()
    assert axe_violations(page) == [], format_violations(axe_violations(page))

    # Typing a score saves it: the line says so, and the bar comes back to all saved.
    elegance = sheet_line(page, "Elegance & design")
    points = elegance.get_by_role("textbox", name="Points")
    points.click()
    points.press_sequentially("12")
    expect(elegance.get_by_role("status")).to_have_text("Enregistré")
    expect(bar).to_have_text(ALL_SAVED)
    expect(page.locator("#sheet-total")).to_contain_text("Total 12")

    # A value the sheet does not allow: the server's reason, in French, beside the line and in the bar.
    points.fill("")
    points.press_sequentially("999")
    expect(elegance.get_by_role("status")).to_contain_text("est hors de 0–")
    expect(bar).to_contain_text("Non enregistré — Elegance & design : Elegance & design : 999 est hors de 0–")
    expect(points).to_have_attribute("aria-invalid", "true")
    points.fill("")
    points.press_sequentially("15")
    expect(elegance.get_by_role("status")).to_have_text("Enregistré")
    expect(bar).to_have_text(ALL_SAVED)

    # The Wi-Fi drops: the change is queued, and the bar counts what waits, in French.
    ctx.set_offline(True)
    authenticity = sheet_line(page, "Authenticity")
    authenticity.get_by_role("button", name="Pénaliser plus").tap()
    expect(authenticity.get_by_role("status")).to_have_text("En attente")
    expect(bar).to_contain_text("Hors ligne — 1 modification en attente")
    expect(page.locator("#sheet-total")).to_contain_text("pas encore enregistré")
    assert axe_violations(page) == [], format_violations(axe_violations(page))

    # Back online: the queued change is sent, and all is saved again.
    ctx.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(bar).to_have_text(ALL_SAVED, timeout=20_000)
    expect(authenticity.get_by_role("status")).to_have_text("Enregistré")
    assert not watch.problems, watch.problems
