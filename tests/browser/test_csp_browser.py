"""Every main page shape works under the Content-Security-Policy: Chromium reports no violation (no inline
script, handler, style or eval is needed), htmx still saves a score, a confirm dialog still asks; and axe finds
no WCAG 2.1 A/AA violation on the pages the CSP change touched."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, User
from concours.services import accounts
from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import off_loop
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring

# Records what the browser reports, before any page script runs (an init script is not governed by the CSP).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective
    + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


@dataclass
class World:
    seeded: Seeded
    slug: str
    entrant_token: str


def _world(db_url: str, settings: Settings) -> World:
    async def go(session: AsyncSession) -> World:
        seeded = await seed_scoring(session, settings, judges=2, cars=2)
        event = await session.get(Event, seeded.event_id)
        assert event is not None
        owner = await session.scalar(select(User).where(User.email == "owner0@example.com"))
        assert owner is not None
        token = await accounts.start_session(session, settings, owner.id, "seed")
        return World(seeded, event.slug, token)

    return run_db(db_url, go)


class Console:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def page(self, ctx: BrowserContext) -> Page:
        ctx.add_init_script(RECORD_VIOLATIONS)
        page = ctx.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"JS error on {page.url}: {exc}"))
        return page

    def _console(self, msg: object) -> None:
        text = getattr(msg, "text", "")
        if "Content Security Policy" in text or "Refused to" in text:
            self.problems.append(text)

    def visit(self, page: Page, url: str) -> None:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert "content-security-policy" in response.headers, url
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__csp")
        self.problems += [f"{url}: {v}" for v in violations]


@pytest.mark.browser
def test_pages_run_under_the_csp(
    new_context: Callable[..., BrowserContext], live_server: str, db_url: str, settings: Settings
) -> None:
    world = off_loop(_world, db_url, settings)
    s = world.seeded
    console = Console()
    axe_problems: dict[str, str] = {}

    def as_(token: str | None) -> Page:
        ctx = new_context()
        if token:
            ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_server}])
        return console.page(ctx)

    def check(page: Page, url: str) -> None:
        console.visit(page, url)
        found = axe_violations(page)
        if found:
            axe_problems[url] = format_violations(found)

    public = as_(None)
    for url in ("/", "/login", f"/events/{world.slug}"):
        check(public, url)
    org = as_(s.organizer_token)
    for url in (
        "/organizer/",
        f"/organizer/events/{s.event_id}",
        f"/organizer/events/{s.event_id}/rubric",
        f"/organizer/events/{s.event_id}/system/settings",
        f"/organizer/events/{s.event_id}/entries",
        f"/organizer/events/{s.event_id}/judges",
        f"/organizer/classes/{s.class_id}/results",
        f"/chief/events/{s.event_id}",
    ):
        check(org, url)
    entrant = as_(world.entrant_token)
    check(entrant, "/my/")
    judge = as_(s.judge_tokens[0])
    check(judge, "/judging/")
    check(judge, f"/judging/entries/{s.entries[0]}")

    # htmx works under the policy: a stepper tap is saved.
    line = judge.locator("form.line").first
    line.locator("button.step, button.chip").last.click()
    expect(line.get_by_role("status")).to_have_text("Saved")
    expect(judge.locator("#sync-state")).to_have_text("All changes saved")

    assert console.problems == [], "\n".join(console.problems)
    assert axe_problems == {}, "\n\n".join(f"{u}\n{p}" for u, p in axe_problems.items())


@pytest.mark.browser
def test_data_confirm_asks_before_sending(
    new_context: Callable[..., BrowserContext], live_server: str, db_url: str, settings: Settings
) -> None:
    """The withdraw button's question (once an inline onsubmit) still comes from concours.js."""
    world = off_loop(_world, db_url, settings)

    async def reopen(session: AsyncSession) -> None:
        event = await session.get(Event, world.seeded.event_id)
        assert event is not None
        event.status = "registration_open"

    off_loop(run_db, db_url, reopen)
    console = Console()
    ctx = new_context()
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": world.entrant_token, "url": live_server}])
    page = console.page(ctx)
    console.visit(page, "/my/")
    asked: list[str] = []

    def dismiss(dialog: object) -> None:
        asked.append(getattr(dialog, "message", ""))
        dialog.dismiss()  # type: ignore[attr-defined]

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Withdraw").first.click()
    expect(page.get_by_role("button", name="Withdraw").first).to_be_visible()
    assert asked == ["Withdraw this application? This cannot be undone."]
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Withdraw").first.click()
    expect(page.locator("main")).to_contain_text("Application: Withdrawn")
    assert console.problems == [], "\n".join(console.problems)
