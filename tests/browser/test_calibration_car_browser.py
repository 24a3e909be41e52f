"""The calibration car in a real Chromium: a judge of another class finds it first on their tablet's home, scores it
on the normal sheet (autosave, submit) and sees it submitted; the chief judge's iPad then shows each judge's
deviation from the others' median, drawn in the page, and who has not scored it. axe-core finds nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry, Event, Judge, User
from concours.services import accounts, events, judging, teams
from concours.services.permissions import Viewer
from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import SCREENSHOTS, TABLET, Watch, no_sideways_scroll, off_loop, sheet_line
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring, viewer_of

expect.set_options(timeout=15_000)

# The CCCA sheet's categories, in order, with what the judge of class D types.
TYPED = [("Body & paint", "20"), ("Interior", "15"), ("Engine", "12"), ("Chrome & trim", "12")]
TYPED += [("Undercarriage", "12"), ("Wheels & tires", "8")]  # 79
AGREED = ["24", "19", "14", "14", "14", "9"]  # 94
LOW = ["20", "19", "14", "14", "14", "9"]  # 90


def seed(db_url: str, settings: Settings) -> tuple[Seeded, str]:
    """Class C's judges 0 and 1 have scored the calibration car (#10); judge 2 has not; Dana of class D is to."""

    async def go(session: AsyncSession) -> tuple[Seeded, str]:
        show = await seed_scoring(session, settings, judges=3, cars=2, preset="ccca_100")
        event = await session.get(Event, show.event_id)
        org = await session.scalar(select(User).where(User.email == "chief@example.com"))
        assert event is not None and org is not None
        event.calibration_entry_id, event.calibration_rubric_id = show.entries[0], event.rubric_id
        cls = await events.add_class(session, viewer_of(org, event.id), event, code="D", name="Post-war Open")
        dana = await teams.add_judge_to_class(
            session, settings, viewer_of(org, event.id), cls, name="Dana Dee", email="dana@example.com"
        )
        entry = await session.get(Entry, show.entries[0])
        assert entry is not None
        for j, values in ((0, AGREED), (1, LOW)):
            user = await session.scalar(
                select(User).join(Judge, Judge.user_id == User.id).where(Judge.id == show.judge_ids[j])
            )
            assert user is not None
            viewer = Viewer(user.id, user.name, user.email, False, show.judge_ids[j], None)
            view = await judging.car_sheets(session, show.judge_ids[j], entry, calibration=True)
            for n, line in enumerate(view.sheets[0].lines):
                assert line.category.id is not None
                await judging.save_line(
                    session,
                    viewer,
                    entry,
                    category_id=line.category.id,
                    value=values[n],
                    note="",
                    change_id=f"cal{j}-{n}",
                    device="seed",
                    calibration=True,
                )
            await judging.submit_sheet(session, viewer, entry, device="seed", calibration=True)
        user_id = await session.scalar(select(Judge.user_id).where(Judge.id == dana.id))
        assert user_id is not None
        return show, await accounts.start_session(session, settings, user_id, "seed")

    return off_loop(run_db, db_url, go)


@pytest.mark.browser
def test_a_judge_of_another_class_scores_the_calibration_car_and_the_chief_sees_it(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    show, dana_token = seed(db_url, settings)
    car = show.entries[0]
    watch = Watch()
    judge = watch.page(new_context(**TABLET))
    judge.context.add_cookies([{"name": SESSION_COOKIE, "value": dana_token, "url": settings.base_url}])
    judge.goto("/judging/")
    offer = judge.locator(f"#calibration-{car}")
    expect(offer.get_by_role("heading", level=2)).to_have_text("Calibration car — score this before judging starts")
    expect(offer).to_contain_text("Not started")
    assert violations_of(judge) == []
    offer.get_by_role("link").tap()
    expect(judge.locator("#calibration-note")).to_contain_text("never counts in the results")
    assert violations_of(judge) == []
    for category, value in TYPED:
        points = sheet_line(judge, category).get_by_role("textbox", name="Points")
        points.click()
        points.press_sequentially(value)
        expect(sheet_line(judge, category).get_by_role("status")).to_have_text("Saved")
    expect(judge.locator("#sync-state")).to_have_text("All changes saved")
    judge.get_by_role("button", name="Submit sheet").tap()
    expect(judge.locator(f"#calibration-{car}")).to_contain_text("Submitted")
    judge.screenshot(path=str(SCREENSHOTS / "calibration-car-judge.png"), full_page=True)

    chief = watch.page(new_context(**TABLET))
    chief.context.add_cookies([{"name": SESSION_COOKIE, "value": show.organizer_token, "url": settings.base_url}])
    chief.goto(f"/chief/events/{show.event_id}/calibration")
    section = chief.locator("#calibration-car")
    # Totals 94, 90, 79: the medians of the others 84.5, 86.5, 92 → +9.5, +3.5, −13.0.
    expect(
        chief.get_by_role("img", name="Each judge's total on the calibration car, points from the median of the others")
    ).to_be_visible()
    assert chief.locator("#calibration-car-chart rect").count() == 3
    expect(section.locator("tr[data-judge='Dana Dee'] .deviation")).to_have_text("−13.0")
    expect(section.locator("tr[data-judge='Judge 0'] .deviation")).to_have_text("+9.5")
    expect(section.locator("#calibration-car-waiting")).to_have_text("Not scored yet (1): Judge 2.")
    expect(section.get_by_label("Change the calibration car")).to_have_value(str(car))
    assert no_sideways_scroll(chief)
    assert violations_of(chief) == []
    section.screenshot(path=str(SCREENSHOTS / "calibration-car-chief.png"))
    assert watch.problems == []


def violations_of(page: object) -> list[object]:
    found = axe_violations(page)  # type: ignore[arg-type]
    assert found == [], format_violations(found)
    return found
