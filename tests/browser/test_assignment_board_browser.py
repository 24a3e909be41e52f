"""The assignment board in a real Chromium: the chief judge's laptop view — propose, review and apply the
automatic plan, then adjust teams by hand: a conflicted move is refused with the reason next to the judge,
a valid one moves the judge and their load."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from concours.settings import Settings
from tests.browser.conftest import LAPTOP, SCREENSHOTS, off_loop
from tests.conftest import new_client
from tests.scenes import JudgeScene

expect.set_options(timeout=10_000)


def _scene(db_url: str, settings: Settings) -> tuple[JudgeScene, ExitStack]:
    stack = ExitStack()
    client = stack.enter_context(new_client(settings))
    scene = JudgeScene(client, db_url, settings)
    stack.callback(scene.close)
    scene.accept()
    return scene, stack


@pytest.fixture
def scene(db_url: str, settings: Settings, live_server: str) -> Iterator[JudgeScene]:
    s, stack = off_loop(_scene, db_url, settings)
    yield s
    off_loop(stack.close)


def card(page: Page, name: str) -> Any:
    return page.locator("li.judge-card", has=page.get_by_text(name, exact=True))


@pytest.mark.browser
def test_assignment_board(new_context: Callable[..., BrowserContext], scene: JudgeScene) -> None:
    problems: list[str] = []
    ctx = new_context(**LAPTOP)
    page = ctx.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.goto("/login")
    page.locator("#f-email").fill("org@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/organizer/$"))

    page.goto(f"/organizer/events/{scene.event_id}/judges")
    page.get_by_role("link", name="Assignment board").click()
    expect(page.get_by_role("heading", name=re.compile("^Assignment board"))).to_be_visible()
    expect(page.locator("#unassigned")).to_contain_text("Jo Master")

    # Propose: the plan is shown, not yet written.
    page.get_by_role("link", name="Propose teams").click()
    proposal = page.locator("#proposal")
    expect(proposal).to_contain_text("Class C")
    expect(proposal).to_contain_text("Jo Master (master)")
    expect(page.locator("#class-" + str(scene.classes["C"]))).to_contain_text("No team yet.")
    page.get_by_role("button", name="Apply these teams").click()
    expect(page.get_by_role("status")).to_have_text("The automatic plan is in place.")

    class_c = page.locator(f"#class-{scene.classes['C']}")
    class_d = page.locator(f"#class-{scene.classes['D']}")
    expect(class_c.locator("li.judge-card")).to_have_count(3)
    expect(card(page, "Jo Master")).to_contain_text("Captain")
    expect(card(page, "Jo Master")).to_contain_text("2 cars")
    expect(card(page, "Jo Master").locator(".match")).to_have_text(["talbot-lago"])
    expect(card(page, "Ann")).to_contain_text("Conflicts: own car")

    # A conflicted move is refused, with the reason next to the judge; nothing moves.
    ann = card(page, "Ann")
    ann.get_by_label("Move Ann to").select_option(label="Class C")
    ann.get_by_role("button", name="Move Ann").click()
    expect(card(page, "Ann").locator("p.error")).to_contain_text("Ann has a car entered in class C")
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(class_d.locator("li.judge-card")).to_have_count(2)

    # A valid move: Lee joins class D; both teams and Lee's load update.
    lee = card(page, "Lee Judge")
    lee.get_by_label("Move Lee Judge to").select_option(label="Class D")
    lee.get_by_role("button", name="Move Lee Judge").click()
    expect(page.get_by_role("status")).to_have_text("Lee Judge is on the class D team.")
    expect(class_d.locator("li.judge-card")).to_have_count(3)
    expect(class_c.locator("li.judge-card")).to_have_count(2)
    expect(class_d).to_contain_text("Lee Judge")

    # Making Lee captain over a senior judge is refused with the rule.
    card(page, "Lee Judge").get_by_role("button", name="Make Lee Judge captain").click()
    expect(card(page, "Lee Judge").locator("p.error")).to_contain_text("is not the most senior member")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "assignment-board-laptop.png"), full_page=True)

    # The packets print from the same page.
    page.get_by_role("button", name="Judge packets (PDF)").click()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=120_000)
    with page.expect_response(re.compile(r"/document\.pdf$")) as resp:
        page.evaluate("url => fetch(url)", page.get_by_role("link", name="Download the PDF").get_attribute("href"))
    assert resp.value.status == 200
    assert not problems, problems
