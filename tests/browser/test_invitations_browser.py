"""Invitation-only events in the browser (issue 15): the organizer invites owners from the entries page on an
iPad (a wrong address refused beside its field, kept as typed), an uninvited visitor on a phone meets the
refusal page, the invited owner's link opens the form with their address; axe-core finds nothing on the
invitation form (empty, refused, listing) or on the refusal page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from concours.services import accounts
from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import PHONE, TABLET, Watch, no_sideways_scroll, off_loop
from tests.conftest import run_db
from tests.helpers import mails
from tests.scenes import SESSION_COOKIE, advance, lakeside_event

expect.set_options(timeout=15_000)


def _no_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


@pytest.mark.browser
def test_invite_an_owner_and_refuse_the_others(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    async def seed(session: AsyncSession) -> tuple[str, int, str]:
        org, event, viewer = await lakeside_event(session, email="org@example.com", name="Olivia Organizer")
        await advance(session, viewer, event, "registration_open")
        token = await accounts.start_session(session, settings, org.id, "browser")
        return token, event.id, event.slug

    token, event_id, slug = off_loop(run_db, db_url, seed)
    watch = Watch()
    org_ctx = new_context(**TABLET)
    org_ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": settings.base_url}])
    org = watch.page(org_ctx)
    org.goto(f"/organizer/events/{event_id}/entries")
    org.get_by_role("link", name="Invite owners").click()
    expect(org.get_by_role("heading", level=1)).to_contain_text("Invitations")
    _no_violations(org)
    org.get_by_label("Applications by invitation only").check()
    org.get_by_role("button", name="Save").click()
    expect(org.get_by_label("Applications by invitation only")).to_be_checked()

    org.get_by_label("E-mail addresses").fill("edith@example.com, edith at example")
    org.get_by_label("Message").fill("Do bring the Talbot.")
    org.get_by_role("button", name="Send the invitations").click()
    expect(org.locator("#e-emails")).to_contain_text("is not an e-mail address")
    expect(org.get_by_label("E-mail addresses")).to_have_attribute("aria-invalid", "true")
    expect(org.get_by_label("E-mail addresses")).to_have_value("edith@example.com, edith at example")
    expect(org.get_by_label("Message")).to_have_value("Do bring the Talbot.")
    _no_violations(org)
    assert no_sideways_scroll(org)

    org.get_by_label("E-mail addresses").fill("Edith Entrant <edith@example.com>")
    org.get_by_role("button", name="Send the invitations").click()
    expect(org.get_by_role("status")).to_contain_text("1 invitation sent")
    expect(org.locator("#sent")).to_contain_text("edith@example.com")
    _no_violations(org)

    visitor = watch.page(new_context(**PHONE))
    visitor.goto(f"/events/{slug}/apply")
    expect(visitor.get_by_role("alert")).to_contain_text("This event accepts applications by invitation only")
    expect(visitor.get_by_role("link", name="org@example.com")).to_be_visible()
    _no_violations(visitor)
    assert no_sideways_scroll(visitor)

    body = off_loop(mails, db_url, "edith@example.com")[0].body_text
    link = re.search(r"(/events/[^/\s]+/invitation/[A-Za-z0-9_\-]+)", body)
    assert link, body
    owner = watch.page(new_context(**PHONE))
    owner.goto(link.group(1))
    expect(owner.get_by_label("E-mail")).to_have_value("edith@example.com")
    expect(owner.get_by_label("Full name")).to_have_value("Edith Entrant")
    owner.goto(f"/events/{slug}/invitation/not-a-real-token")
    expect(owner.get_by_role("alert")).to_contain_text("This invitation link is not valid")
    _no_violations(owner)
    assert watch.problems == []
