"""An entrant applies on a phone with photos, gets the e-mail (delivered to a real SMTP server on loopback), opens
the portal, edits and later withdraws; an organizer on a laptop accepts the car and the entrant sees it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import BrowserContext, expect

from concours.settings import Settings
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
)
from tests.helpers import Inbox, deliver, free_port, image_bytes, jpeg_with_location, make_organizer


@pytest.mark.browser
def test_apply_on_a_phone_with_photos_edit_accept_withdraw(
    new_context: Callable[..., BrowserContext], db_url: str, settings: Settings, tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    off_loop(make_organizer, db_url)
    org = watch.page(new_context(**LAPTOP))
    public_path = set_up(org)

    front, side, fake = tmp_path / "front.jpg", tmp_path / "side.png", tmp_path / "engine.jpg"
    front.write_bytes(jpeg_with_location())
    side.write_bytes(image_bytes("PNG"))
    fake.write_bytes(b"this is not a photo at all" * 50)

    # ---- The entrant applies on a phone; a disguised file is refused and nothing typed is lost.
    ent = watch.page(new_context(**PHONE))
    ent.goto(public_path + "/apply")
    fields = {
        "Full name": "Edith Entrant",
        "E-mail": "edith@example.com",
        "Phone": "+44 20 7946 0000",
        "City": "Bath",
        "Country": "United Kingdom",
        "Model year": "1937",
        "Make": "Talbot-Lago",
        "Model": "T150-C SS",
        "Coachbuilder": "Figoni et Falaschi",
        "Chassis number": "90034",
        "Colour": "Silver",
        "Restoration: when and by whom": "2019, Paris",
        "History": "Delivered new in Paris; restored 2019.",
    }
    for label, value in fields.items():
        ent.get_by_role("textbox", name=label, exact=True).fill(value)
    ent.get_by_label("Restoration state").select_option(label="Restored")
    ent.get_by_label("Preferred class").select_option(label=CLASS)
    ent.get_by_label("I accept the event's release and terms").tap()
    ent.get_by_label(re.compile(r"Photos of your car")).set_input_files([str(front), str(fake)])
    assert no_sideways_scroll(ent), "the application form scrolls sideways on a phone"
    ent.get_by_role("button", name="Send my application").tap()
    expect(ent.locator("#e-photos")).to_contain_text("engine.jpg is not a JPEG, PNG or WebP photo")
    expect(ent.get_by_role("textbox", name="Make", exact=True)).to_have_value("Talbot-Lago")
    expect(ent.get_by_role("textbox", name="History", exact=True)).to_have_value(
        "Delivered new in Paris; restored 2019."
    )
    expect(ent.get_by_label("I accept the event's release and terms")).to_be_checked()
    # The valid photo was kept as a pending upload: only the other one is chosen again.
    expect(ent.locator("#pending-photos")).to_contain_text("Kept from your last try: 1 photo")
    ent.get_by_label(re.compile(r"Photos of your car")).set_input_files([str(side)])
    ent.get_by_role("button", name="Send my application").tap()
    expect(ent.get_by_role("heading", name="Thank you — your application is in")).to_be_visible()

    # ---- The e-mail arrives at a real SMTP server; its link opens the portal.
    port = off_loop(free_port)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert off_loop(deliver, replace(settings, smtp_host="127.0.0.1", smtp_port=port)) == 1
    finally:
        controller.stop()
    (mail,) = inbox.messages
    assert mail["To"] == "edith@example.com"
    link = re.search(r"http://\S+/auth/link/\S+", mail.get_payload())
    assert link, mail.get_payload()
    ent.goto(link.group(0))
    ent.get_by_role("button", name="Sign in", exact=True).tap()
    expect(ent).to_have_url(re.compile(r"/my/$"))
    mine = ent.locator("article.card").filter(has_text="Talbot-Lago")
    expect(mine).to_contain_text("Application: Applied")
    expect(mine.locator(".thumbs img")).to_have_count(2)
    ent.wait_for_load_state("networkidle")
    assert thumbs_loaded(ent, "article.card .thumbs") == 2
    assert no_sideways_scroll(ent), "the portal scrolls sideways on a phone"

    # ---- Edit: a new colour and one photo fewer.
    mine.get_by_role("link", name="Edit application").tap()
    expect(ent.get_by_role("heading", name="Edit your application")).to_be_visible()
    ent.get_by_role("textbox", name="Colour", exact=True).fill("Bleu de France")
    ent.get_by_label("Remove photo 2").check()
    assert no_sideways_scroll(ent), "the edit form scrolls sideways on a phone"
    ent.screenshot(path=str(SCREENSHOTS / "entrant-edit-phone.png"), full_page=True)
    ent.get_by_role("button", name="Save changes").tap()
    expect(ent).to_have_url(re.compile(r"/my/#entry-\d+$"))
    expect(mine.locator(".thumbs img")).to_have_count(1)

    # ---- The organizer sees the car with its photo and history, and accepts it.
    org.get_by_role("link", name="Entries", exact=True).click()
    entry = org.locator("article.entry").filter(has_text="Talbot-Lago")
    expect(entry).to_contain_text("prefers class C")
    expect(entry.locator(".thumbs img")).to_have_count(1)
    entry.get_by_label("Decision").select_option("accepted")
    entry.get_by_label("Class").select_option(label=CLASS)
    entry.get_by_label("Message to the entrant").fill("Welcome to the lawn!")
    entry.get_by_role("button", name="Save decision").click()
    entry = org.locator("article.entry").filter(has_text="Talbot-Lago")
    expect(entry.locator(".badge")).to_have_text("accepted")
    org.screenshot(path=str(SCREENSHOTS / "organizer-review-laptop.png"), full_page=True)

    # ---- The entrant sees the decision, then withdraws.
    ent.goto("/my/")
    mine = ent.locator("article.card").filter(has_text="Talbot-Lago")
    expect(mine).to_contain_text("Application: Accepted")
    expect(mine).to_contain_text(re.compile(r"Class C — French Curves 1935-1939 · Car #\d+"))
    expect(mine).to_contain_text("From the committee: Welcome to the lawn!")
    ent.screenshot(path=str(SCREENSHOTS / "entrant-accepted-phone.png"), full_page=True)
    ent.once("dialog", lambda dialog: dialog.accept())
    mine.get_by_role("button", name="Withdraw").tap()
    expect(mine).to_contain_text("Application: Withdrawn")
    expect(mine.get_by_role("button", name="Withdraw")).to_have_count(0)
    expect(ent.locator("#my-cars")).to_contain_text("1937 Talbot-Lago T150-C SS")

    assert watch.problems == [], watch.problems
