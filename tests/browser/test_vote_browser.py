"""People's Choice on a phone in a real Chromium: a spectator scans a card (opens its URL), finds a car by its
number, votes, and the vote is counted once; the same card then says it has been used."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AwardCandidate, Event, User, VotingCode
from concours.services import awards, ballots, peoples_choice
from concours.services.permissions import Viewer
from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import off_loop
from tests.conftest import run_db
from tests.scenes import Seeded, seed_scoring

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}

expect.set_options(timeout=15_000)


def seed(db_url: str, settings: Settings) -> tuple[Seeded, str, list[str]]:
    async def go(session: AsyncSession) -> tuple[Seeded, str, list[str]]:
        scene = await seed_scoring(session, settings, judges=1, cars=3)
        event = await session.get(Event, scene.event_id)
        org = await session.scalar(select(User).where(User.email == "chief@example.com"))
        assert event is not None and org is not None
        ids = frozenset({event.id})
        viewer = Viewer(org.id, org.name, org.email, True, None, None, ids, ids)
        form = {"name": "People's Choice", "kind": "peoples_choice", "eligibility": "accepted", "position": "1"}
        award = await awards.create_award(session, viewer, event, form, [])
        batch = await peoples_choice.generate_codes(session, settings.secret_key, viewer, award, event, "2")
        await ballots.open_voting(session, viewer, award, event)
        return scene, event.slug, peoples_choice.batch_codes(settings.secret_key, batch)

    return off_loop(run_db, db_url, go)


def test_spectator_votes_on_a_phone(
    db_url: str, settings: Settings, live_server: str, new_context: Callable[..., BrowserContext]
) -> None:
    scene, slug, codes = seed(db_url, settings)
    page = new_context(**PHONE).new_page()
    page.goto(f"/events/{slug}/vote?code={codes[0]}")
    expect(page.locator("#f-code")).to_have_value(f"{codes[0][:5]}-{codes[0][5:]}")
    cars = page.locator("#vote-cars li[data-car-number]")
    expect(cars).to_have_count(3)
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    page.locator("#vote-q").fill("11")  # search by number, as typed on the phone
    expect(page.locator("#vote-cars li[data-car-number]:visible")).to_have_count(1)
    page.get_by_text("#11").tap()
    page.get_by_role("button", name="Vote").tap()
    expect(page.get_by_text("Your vote for #11")).to_be_visible()

    async def counted(session: AsyncSession) -> tuple[dict[int, int], int]:
        votes = dict((await session.execute(select(AwardCandidate.entry_id, AwardCandidate.votes))).all())
        spent = len((await session.scalars(select(VotingCode).where(VotingCode.spent.is_(True)))).all())
        return votes, spent

    votes, spent = off_loop(run_db, db_url, counted)
    assert votes == {scene.entries[0]: 0, scene.entries[1]: 1, scene.entries[2]: 0} and spent == 1
    # Scanning the same card again: it says so at once.
    page.goto(f"/events/{slug}/vote?code={codes[0]}")
    expect(page.get_by_text("already been used")).to_be_visible()
