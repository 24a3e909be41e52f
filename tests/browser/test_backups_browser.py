"""The backups page in a real Chromium on the organizer's laptop: from the dashboard, a folder that does not exist
is refused beside the field with what was typed kept, a real one is saved, "Back up now" lists the backup; axe-core
finds nothing on the page in either state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy.ext.asyncio import AsyncSession

from concours.settings import Settings
from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import LAPTOP, Watch, off_loop
from tests.conftest import run_db
from tests.scenes import SESSION_COOKIE, seed_scoring

expect.set_options(timeout=15_000)


@pytest.mark.browser
def test_the_organizer_names_the_backup_folder_and_backs_up_now(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings, tmp_path: Path
) -> None:
    async def seed(session: AsyncSession) -> str:
        return (await seed_scoring(session, settings, judges=1, cars=1)).organizer_token

    token = off_loop(run_db, db_url, seed)
    ctx = new_context(**LAPTOP)
    ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": settings.base_url}])
    watch = Watch()
    page = watch.page(ctx)
    page.goto("/organizer/")
    page.get_by_role("link", name="Backups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Backups")
    expect(page.get_by_role("button", name="Back up now")).to_be_disabled()  # no folder yet

    missing = str(tmp_path / "stick-not-plugged-in")
    page.get_by_label("Folder (full path)").fill(missing)
    page.get_by_label("Every how many minutes").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#e-folder")).to_contain_text("There is no folder at")
    expect(page.get_by_label("Folder (full path)")).to_have_value(missing)
    expect(page.get_by_label("Every how many minutes")).to_have_value("3")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)

    stick = tmp_path / "stick"
    stick.mkdir()
    page.get_by_label("Folder (full path)").fill(str(stick))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    page.get_by_role("button", name="Back up now").click()
    expect(page.get_by_role("status")).to_have_text("Backup written.")
    written = [p.name for p in stick.iterdir()]
    assert len(written) == 1
    expect(page.locator("#files")).to_contain_text(written[0])
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert watch.problems == []
