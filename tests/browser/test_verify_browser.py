"""The public verification page on a phone: someone types the code printed on a certified document, lands on the
record (published results shown), and an unknown code gives the 404 page with the form; no sideways scroll, and
axe-core finds nothing on any of them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Certification, Event, EventClass, User
from concours.domain.certificate import grouped
from concours.services import results
from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import PHONE, Watch, no_sideways_scroll, off_loop
from tests.conftest import run_db
from tests.scenes import score_and_submit, seed_scoring, viewer_of

SHEET = ["24", "19", "14", "14", "14", "9"]


@pytest.mark.browser
def test_type_a_printed_code_on_a_phone(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    async def go(session: AsyncSession) -> str:
        show = await seed_scoring(session, settings, judges=1, cars=2, preset="ccca_100")
        await score_and_submit(session, show, {(0, 0): SHEET, (0, 1): SHEET[:-1] + ["8"]})
        event = await session.get(Event, show.event_id)
        cls = await session.get(EventClass, show.class_id)
        chief = await session.scalar(select(User).where(User.email == "chief@example.com"))
        assert event is not None and cls is not None and chief is not None
        viewer = viewer_of(chief, event.id)
        await results.certify_class(session, viewer, event, cls)
        await results.publish(session, viewer, event)
        code = await session.scalar(select(Certification.code).where(Certification.class_id == cls.id))
        assert code is not None
        return code

    code = off_loop(run_db, db_url, go)
    watch = Watch()
    page = watch.page(new_context(**PHONE))
    page.goto("/verify")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify a certified document")
    assert axe_violations(page) == [], format_violations(axe_violations(page))
    page.get_by_label("Code printed on the document").fill(grouped(code))
    page.get_by_role("button", name="Verify").tap()
    expect(page).to_have_url(f"{settings.base_url}/verify/{code}")
    expect(page.get_by_role("status")).to_contain_text("This code matches a certified record")
    expect(page.get_by_role("table")).to_contain_text("1st in class")
    assert no_sideways_scroll(page)
    assert axe_violations(page) == [], format_violations(axe_violations(page))

    page.goto("/verify/0123456789ab")
    expect(page.get_by_role("heading", level=1)).to_have_text("No certified record with this code")
    assert axe_violations(page) == [], format_violations(axe_violations(page))
    page.get_by_label("Code printed on the document").fill("12AB")
    page.get_by_role("button", name="Verify").tap()
    expect(page.locator(".field.has-error .error")).to_contain_text("12 letters and digits")
    assert axe_violations(page) == [], format_violations(axe_violations(page))
    assert not watch.problems, watch.problems
