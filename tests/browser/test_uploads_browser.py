"""On a phone: a photo too large is caught in the browser before anything is sent, with a clear message;
a photo chosen before a form error is kept (pending) and attached when the form is sent again."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry, VehiclePhoto
from tests.browser.conftest import (
    CLASS,
    LAPTOP,
    PHONE,
    SCREENSHOTS,
    Watch,
    no_sideways_scroll,
    off_loop,
    set_up,
    thumbs_loaded,
    wait_until,
)
from tests.conftest import run_db
from tests.helpers import jpeg_with_location, make_organizer

MB = 1024 * 1024


def _counts(db_url: str) -> tuple[int, int]:
    async def go(session: AsyncSession) -> tuple[int, int]:
        entries = await session.scalar(select(func.count()).select_from(Entry))
        photos = await session.scalar(select(func.count()).select_from(VehiclePhoto))
        return int(entries or 0), int(photos or 0)

    return run_db(db_url, go)


@pytest.mark.browser
def test_photo_sizes_checked_in_the_browser_and_kept_across_a_form_error(
    new_context: Callable[..., BrowserContext], db_url: str, tmp_path: Path
) -> None:
    watch = Watch()
    off_loop(make_organizer, db_url)
    public_path = set_up(watch.page(new_context(**LAPTOP)))

    front = tmp_path / "front.jpg"
    front.write_bytes(jpeg_with_location())
    huge = tmp_path / "huge.jpg"
    huge.write_bytes(b"\0" * (9 * MB))
    several = []
    for n in range(4):
        p = tmp_path / f"big{n}.jpg"
        p.write_bytes(b"\0" * (7 * MB))
        several.append(str(p))

    ent = watch.page(new_context(**PHONE))
    ent.goto(public_path + "/apply")
    fields = {
        "Full name": "Edith Entrant",
        "E-mail": "edith@example.com",
        "Model year": "1937",
        "Model": "T150-C SS",
        "Chassis number": "90034",
        "History": "Typed on a phone at the show gate.",
    }
    for label, value in fields.items():
        ent.get_by_role("textbox", name=label, exact=True).fill(value)
    ent.get_by_label("Restoration state").select_option(label="Restored")
    ent.get_by_label("Preferred class").select_option(label=CLASS)
    ent.get_by_label("I accept the event's release and terms").tap()
    photos = ent.get_by_label(re.compile(r"Photos of your car"))

    # Too large: refused in the browser, nothing sent, a clear message beside the field.
    photos.set_input_files([str(front), str(huge)])
    message = ent.locator("#e-photos-browser")
    expect(message).to_be_visible()
    expect(message).to_contain_text("huge.jpg is 9.0 MB; a photo may be at most 8.0 MB")
    assert ent.evaluate("document.getElementById('f-photos').files.length") == 0
    photos.set_input_files(several)
    expect(message).to_contain_text("These photos come to 28.0 MB; one sending carries at most 24.0 MB")
    assert no_sideways_scroll(ent), "the photo message makes the form scroll sideways on a phone"
    ent.screenshot(path=str(SCREENSHOTS / "photo-too-large-phone.png"), full_page=True)

    # A valid photo, but the Make is missing: the form comes back with the photo kept.
    photos.set_input_files([str(front)])
    expect(message).to_be_hidden()
    ent.get_by_role("button", name="Send my application").tap()
    expect(ent.locator(".field.has-error")).to_contain_text("Make")
    expect(ent.locator("#pending-photos")).to_contain_text("Kept from your last try: 1 photo")
    expect(ent.locator("#pending-photos img")).to_have_count(1)
    wait_until(ent, "Array.from(document.querySelectorAll('#pending-photos img')).every(i => i.complete)")
    assert thumbs_loaded(ent, "#pending-photos") == 1
    expect(ent.get_by_role("textbox", name="History", exact=True)).to_have_value("Typed on a phone at the show gate.")
    assert off_loop(_counts, db_url) == (0, 0)

    # Fixed and sent again without choosing the photo again: it is attached.
    ent.get_by_role("textbox", name="Make", exact=True).fill("Talbot-Lago")
    ent.get_by_role("button", name="Send my application").tap()
    expect(ent.get_by_role("heading", name="Thank you — your application is in")).to_be_visible()
    assert off_loop(_counts, db_url) == (1, 1)
    assert watch.problems == []
