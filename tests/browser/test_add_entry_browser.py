"""An organizer adds one car on a phone and on an iPad (issue 15): from the entries page, a wrong e-mail is refused
beside its field with everything typed (and the photo) kept, then the corrected form adds the car; axe-core finds
nothing on the page, empty, refused or at either size. On an iPad, classes pasted as a list: a wrong line is named
and nothing added, the corrected list adds them; axe-core finds nothing on the set-up page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import PHONE, TABLET, Watch, no_sideways_scroll, off_loop
from tests.conftest import run_db
from tests.helpers import image_bytes
from tests.scenes import SESSION_COOKIE, seed_scoring

expect.set_options(timeout=15_000)

FIELDS = {
    "Owner's full name": "Marcel Owner",
    "Owner's e-mail": "marcel at example",
    "City": "Lyon",
    "Model year": "1938",
    "Make": "Delahaye",
    "Model": "135 M",
    "Coachbuilder": "Figoni et Falaschi",
    "History": "Paris salon car, 1938.",
}


def _no_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


@pytest.mark.browser
@pytest.mark.parametrize("size", ["phone", "ipad"])
def test_an_organizer_adds_a_car(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings, tmp_path: Path, size: str
) -> None:
    async def seed(session: AsyncSession) -> tuple[str, int]:
        show = await seed_scoring(session, settings, judges=1, cars=1)
        return show.organizer_token, show.event_id

    token, event_id = off_loop(run_db, db_url, seed)
    ctx = new_context(**(PHONE if size == "phone" else TABLET))
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": settings.base_url}])
    watch = Watch()
    page = watch.page(ctx)
    page.goto(f"/organizer/events/{event_id}/entries")
    page.get_by_role("link", name="Add an entry").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add an entry")
    expect(page.get_by_label("Accepted")).to_be_checked()
    expect(page.get_by_label("Tell the owner (sends their sign-in link)")).to_be_checked()
    _no_violations(page)
    assert no_sideways_scroll(page), f"the add-an-entry form scrolls sideways on the {size}"

    front = tmp_path / "front.jpg"
    front.write_bytes(image_bytes("JPEG"))
    for label, value in FIELDS.items():
        page.get_by_role("textbox", name=label, exact=True).fill(value)
    page.get_by_label("Restoration state").select_option(label="Restored")
    page.get_by_label("Class", exact=True).select_option(index=1)
    page.get_by_label(re.compile(r"Photos of the car")).set_input_files([str(front)])
    page.get_by_role("button", name="Add the entry").click()

    expect(page.locator("#e-email")).to_contain_text("Enter the owner's e-mail address")
    expect(page.get_by_label("Owner's e-mail")).to_have_attribute("aria-invalid", "true")
    for label, value in FIELDS.items():
        expect(page.get_by_role("textbox", name=label, exact=True)).to_have_value(value)
    expect(page.locator("#pending-photos")).to_contain_text("Kept from your last try: 1 photo")
    _no_violations(page)
    assert no_sideways_scroll(page)

    page.get_by_label("Owner's e-mail").fill("marcel@example.com")
    page.get_by_role("button", name="Add the entry").click()
    expect(page).to_have_url(re.compile(rf"/organizer/events/{event_id}/entries\?added=\d+"))
    expect(page.get_by_role("status").filter(has_text="Added:")).to_contain_text("1938 Delahaye 135 M of Marcel Owner")
    assert watch.problems == []


@pytest.mark.browser
def test_classes_pasted_as_a_list_on_an_ipad(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    async def seed(session: AsyncSession) -> tuple[str, int]:
        show = await seed_scoring(session, settings, judges=1, cars=1)
        return show.organizer_token, show.event_id

    token, event_id = off_loop(run_db, db_url, seed)
    ctx = new_context(**TABLET)
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": settings.base_url}])
    watch = Watch()
    page = watch.page(ctx)
    page.goto(f"/organizer/events/{event_id}")
    classes = page.locator("#classes")
    rows = classes.locator("tbody tr").count()
    box = classes.get_by_label("Add several classes")
    box.fill("X1 — Pre-War European\nnot a class line\nX2, Post-War American")
    classes.get_by_role("button", name="Add these classes").click()
    expect(page.locator("#e-class_list")).to_contain_text("Line 2 (“not a class line”)")
    expect(classes.get_by_label("Add several classes")).to_have_value(
        "X1 — Pre-War European\nnot a class line\nX2, Post-War American"
    )
    expect(classes.locator("tbody tr")).to_have_count(rows)
    _no_violations(page)
    classes.get_by_label("Add several classes").fill("X1 — Pre-War European\nX2, Post-War American")
    classes.get_by_role("button", name="Add these classes").click()
    expect(classes.locator("tbody tr")).to_have_count(rows + 2)
    _no_violations(page)
    assert watch.problems == []
