"""Moving an event through its statuses, as an organizer on a laptop: each move says what it means and asks to
confirm (a dismissed question changes nothing), a step back is offered to correct a mistake, and publishing is
not offered before judging."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Dialog, expect

from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import LAPTOP, PHONE, Watch, no_sideways_scroll, off_loop, set_up, status_badge
from tests.helpers import make_organizer

expect.set_options(timeout=15_000)


@pytest.mark.browser
def test_status_moves_ask_first_and_can_go_back(new_context: Callable[..., BrowserContext], db_url: str) -> None:
    off_loop(make_organizer, db_url)
    watch = Watch()
    org = watch.page(new_context(**LAPTOP))
    set_up(org)  # a new event with one class, moved to "Registration open" (confirmed)
    event_url = org.url
    status = org.locator("#status")
    expect(status_badge(org)).to_have_text("Registration open")
    expect(status).to_contain_text("The public application form is open")
    expect(status.get_by_role("button", name="Publish certified results")).to_have_count(0)
    # The checklist says where set-up stands and what is next, and follows the event.
    checklist = org.locator("#checklist")
    expect(checklist.locator("summary")).to_have_text("Checklist: 4 of 11 done — next: review applications")
    expect(checklist.locator("li.next")).to_contain_text("Review applications")

    # The move asks first and says what it means; dismissed, nothing changes.
    questions: list[str] = []

    def answer(accept: bool) -> Callable[[Dialog], None]:
        def handle(dialog: Dialog) -> None:
            questions.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        return handle

    org.once("dialog", answer(False))
    status.get_by_role("button", name="Move to “Registration closed”").click()
    org.wait_for_timeout(500)
    assert questions == [
        "Move the event to “Registration closed”? Applications are closed. Judges can already score; place cars "
        "and assign judges."
    ]
    org.goto(event_url)
    expect(status_badge(org)).to_have_text("Registration open")

    # Confirmed, it moves; publishing is still not offered (nothing can be certified yet).
    org.once("dialog", answer(True))
    status.get_by_role("button", name="Move to “Registration closed”").click()
    expect(status_badge(org)).to_have_text("Registration closed")
    expect(status.get_by_role("button", name="Publish certified results")).to_have_count(0)

    # A mistake is put right with one step back, confirmed too.
    org.once("dialog", answer(True))
    status.get_by_role("button", name="Back to “Registration open”").click()
    expect(status_badge(org)).to_have_text("Registration open")
    assert questions[-1].startswith("Go back to “Registration open”?")
    expect(checklist.locator("li.done")).to_have_count(4)
    assert axe_violations(org) == [], format_violations(axe_violations(org))

    phone = watch.page(new_context(**PHONE, storage_state=org.context.storage_state()))
    phone.goto(event_url)
    expect(status_badge(phone)).to_have_text("Registration open")
    assert no_sideways_scroll(phone)
    assert not watch.problems, watch.problems
