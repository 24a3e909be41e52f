"""The thin path of tests/integration/test_thin_path.py, as people do it in a real Chromium: the organizer on a
laptop, the entrant on a phone, the judge on a tablet with a finger; htmx autosave, the sticky total, the PDF."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pypdf import PdfReader

from concours.settings import Settings
from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    SCREENSHOTS,
    TABLET,
    Watch,
    move_status,
    no_sideways_scroll,
    off_loop,
    sheet_line,
    status_badge,
)
from tests.helpers import login_link, make_organizer

CAR = "1937 Talbot-Lago T150-C SS"
CLASS = "C — French Curves 1935-1939"
COMMENT = "A superb restoration; refit the correct tyres."
CONDITION_NOTE = "Small chip in the paint of the left front wing."
ELEGANCE_NOTE = "Perfect proportions; the teardrop line is breathtaking."

expect.set_options(timeout=10_000)


def expect_saved(page: Page, line: Locator, total: str) -> None:
    """The line says Saved, the page says all changes are saved, and the sticky bar shows ``total``."""
    expect(line.get_by_role("status")).to_have_text("Saved")
    expect(page.locator("#sync-state")).to_have_text("All changes saved")
    expect(page.locator("#sheet-total")).to_have_text(total)


@pytest.mark.browser
def test_thin_path_in_a_browser(new_context: Callable[..., BrowserContext], db_url: str, settings: Settings) -> None:
    started = time.monotonic()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    off_loop(make_organizer, db_url)

    # ---- 1. The organizer, on a laptop, sets the event up and opens registration.
    org = watch.page(new_context(**LAPTOP))
    org.goto("/login")
    org.locator("#f-email").fill("org@example.com")
    org.get_by_label("Password").fill("correct horse battery")
    org.get_by_role("button", name="Sign in", exact=True).click()
    expect(org).to_have_url(re.compile(r"/organizer/$"))
    expect(org.get_by_role("heading", name="Your events")).to_be_visible()
    expect(org.get_by_role("button", name="Sign out Olivia Organizer")).to_be_visible()

    new_event = org.locator("#new-event")
    new_event.get_by_label("Name").fill("Lakeside Concours")
    new_event.get_by_label("Venue").fill("Lakeside Park")
    new_event.get_by_label("First day").fill("2027-06-12")
    new_event.get_by_label("Last day").fill("2027-06-12")
    new_event.get_by_label("Time zone").select_option("Europe/London")
    new_event.get_by_role("button", name="Create the event").click()
    expect(org).to_have_url(re.compile(r"/organizer/events/\d+$"))
    event_url = org.url
    expect(org.get_by_role("heading", name="Lakeside Concours", level=1)).to_be_visible()
    expect(status_badge(org)).to_have_text("Draft")

    classes = org.locator("#classes")
    expect(classes).to_contain_text("No classes yet.")
    classes.get_by_label("Code").fill("C")
    classes.get_by_label("Name").fill("French Curves 1935-1939")
    classes.get_by_role("button", name="Add class").click()
    expect(classes.locator("tbody tr")).to_have_count(1)
    expect(classes.locator("tbody tr").first).to_contain_text("French Curves 1935-1939")

    system = org.locator("#system")
    preset = system.get_by_label("Use a preset")
    expect(preset).to_have_value("class_placings")  # the default; applying it again is harmless
    preset.select_option("class_placings")
    system.get_by_role("button", name="Apply preset").click()
    expect(system).to_contain_text("ICJAG-style deductions plus elegance points, 1st–3rd")
    expect(system.locator("tbody tr")).to_have_count(4)
    for category in ("Authenticity", "Condition & presentation", "Function", "Elegance & design"):
        expect(system.get_by_role("cell", name=category, exact=True)).to_be_visible()

    move_status(org, "Registration open")
    slug_href = org.get_by_role("link", name="Public page").get_attribute("href")
    assert slug_href and re.fullmatch(r"/events/[a-z0-9-]+", slug_href), slug_href
    public_event_path = slug_href

    # ---- 2. The entrant, on a phone, applies with the car.
    phone = new_context(**PHONE)
    ent = watch.page(phone)
    ent.goto(public_event_path)
    expect(ent.get_by_role("heading", name="Lakeside Concours")).to_be_visible()
    expect(ent.locator(".badge")).to_have_text("Registration open")
    ent.get_by_role("link", name="Apply with your car").tap()
    expect(ent).to_have_url(re.compile(re.escape(public_event_path) + "/apply$"))
    expect(ent.get_by_role("heading", name="Apply to Lakeside Concours")).to_be_visible()
    fields = {
        "Full name": "Edith Entrant",
        "E-mail": "edith@example.com",
        "Phone": "+44 20 7946 0000",
        "City": "Bath",
        "Country": "United Kingdom",
        "Model year": "1937",
        "Make": "Talbot-Lago",
        "Model": "T150-C SS",
        "Body style": "Coupé",
        "Coachbuilder": "Figoni et Falaschi",
        "Chassis number": "90034",
        "Engine number": "85012",
        "Colour": "Silver",
        "History": "Delivered new in Paris; restored 2019.",
    }
    for label, value in fields.items():
        ent.get_by_role("textbox", name=label, exact=True).fill(value)
    ent.get_by_label("Restoration state").select_option(label="Restored")
    ent.get_by_label("Preferred class").select_option(label=CLASS)
    ent.get_by_label("I accept the event's release and terms").tap()
    expect(ent.get_by_label("I accept the event's release and terms")).to_be_checked()
    assert no_sideways_scroll(ent), "the application form scrolls sideways on a phone"
    ent.screenshot(path=str(SCREENSHOTS / "apply-form-phone.png"), full_page=True)
    ent.get_by_role("button", name="Send my application").tap()
    expect(ent.get_by_role("heading", name="Thank you — your application is in")).to_be_visible()
    expect(ent.locator("main")).to_contain_text("We sent a sign-in link to edith@example.com")

    # ---- 3. The organizer accepts the car into class C, puts a judge on the class, and starts judging.
    org.get_by_role("link", name="Entries", exact=True).click()
    expect(org).to_have_url(re.compile(r"/organizer/events/\d+/entries$"))
    entry = org.locator("article.entry").filter(has_text="Talbot-Lago")
    expect(entry).to_have_count(1)
    expect(entry.get_by_role("heading")).to_have_text(CAR)
    expect(entry).to_contain_text("Edith Entrant · edith@example.com")
    expect(entry.locator(".badge")).to_have_text("applied")
    entry.get_by_label("Decision").select_option("accepted")
    entry.get_by_label("Class").select_option(label=CLASS)
    entry.get_by_label("Message to the entrant").fill("Welcome to the lawn!")
    org.screenshot(path=str(SCREENSHOTS / "organizer-entries-laptop.png"), full_page=True)
    entry.get_by_role("button", name="Save decision").click()
    expect(org).to_have_url(re.compile(r"/entries#entry-\d+$"))
    entry = org.locator("article.entry").filter(has_text="Talbot-Lago")
    expect(entry.locator(".badge")).to_have_text("accepted")
    expect(entry.get_by_role("heading")).to_have_text(re.compile(r"^#\d+ " + re.escape(CAR) + "$"))
    car_number = re.match(r"#(\d+)", entry.get_by_role("heading").inner_text()).group(1)  # type: ignore[union-attr]
    entry_id = int(entry.get_attribute("id").removeprefix("entry-"))  # type: ignore[union-attr]

    org.get_by_role("link", name="Judges", exact=True).click()
    expect(org.get_by_role("heading", name="Class C — French Curves 1935-1939")).to_be_visible()
    expect(org.locator("main")).to_contain_text("No judges yet.")
    org.get_by_label("Name").fill("Jules Judge")
    org.get_by_label("E-mail").fill("jules@example.com")
    org.get_by_label("Class").select_option(label=CLASS)
    org.get_by_role("button", name="Add judge").click()
    expect(org.locator("main ul.plain")).to_contain_text("Jules Judge jules@example.com")

    org.get_by_role("link", name="Set-up").click()
    expect(org).to_have_url(event_url)
    expect(org.locator("#status")).to_contain_text("Entries: 1 accepted.")
    move_status(org, "Registration closed")
    move_status(org, "Judging")

    # ---- 4. The judge, on a tablet, signs in by the e-mailed link and scores the car by finger.
    judge = watch.page(new_context(**TABLET))
    judge.goto(settings.base_url + off_loop(login_link, db_url, "jules@example.com"))
    expect(judge.get_by_role("heading", name="Sign in to Concours")).to_be_visible()
    judge.get_by_role("button", name="Sign in", exact=True).tap()
    expect(judge).to_have_url(re.compile(r"/judging/$"))
    expect(judge.get_by_role("heading", name="Your judging")).to_be_visible()
    car_link = judge.locator("a.car").filter(has_text="Talbot-Lago")
    expect(car_link).to_contain_text(f"#{car_number}")
    expect(car_link.locator(".state")).to_have_text("Not started")
    expect(judge.locator("main")).to_contain_text("0 of 1 sheets submitted")
    car_link.tap()
    expect(judge).to_have_url(re.compile(rf"/judging/entries/{entry_id}$"))
    expect(judge.get_by_role("heading", level=1)).to_have_text(f"#{car_number} {CAR}")
    expect(judge.locator("#sheet-total")).to_have_text("Total 0 / 100 (4 to score)")
    expect(judge.locator("#sync-state")).to_have_text("All changes saved")

    # Authenticity: four taps on "deduct more" (½ each), then the "Incorrect detail" chip (½): 2.5 deducted.
    authenticity = sheet_line(judge, "Authenticity")
    deduction = authenticity.get_by_role("textbox", name="Deduction")
    expect(deduction).to_have_value("")
    for _ in range(4):
        authenticity.get_by_role("button", name="Deduct more").tap()
    expect(deduction).to_have_value("2")
    authenticity.get_by_role("button", name="Incorrect detail −0.5").tap()
    expect(deduction).to_have_value("2.5")
    expect_saved(judge, authenticity, "Total 37.5 / 100 (3 to score)")

    # Condition: typed, then the finger leaves the field; and a note for the entrant.
    condition = sheet_line(judge, "Condition & presentation")
    condition.get_by_role("textbox", name="Deduction").tap()
    condition.get_by_role("textbox", name="Deduction").fill("1")
    condition.get_by_role("textbox", name="Deduction").blur()
    expect_saved(judge, condition, "Total 66.5 / 100 (2 to score)")
    condition.get_by_label("Note for the entrant").fill(CONDITION_NOTE)
    condition.get_by_label("Note for the entrant").blur()
    expect_saved(judge, condition, "Total 66.5 / 100 (2 to score)")

    # Function: nothing to deduct: one tap on "deduct less" on the empty field records a 0.
    function = sheet_line(judge, "Function")
    function.get_by_role("button", name="Deduct less").tap()
    expect(function.get_by_role("textbox", name="Deduction")).to_have_value("0")
    expect_saved(judge, function, "Total 76.5 / 100 (1 to score)")

    # Elegance (points): 18 typed, then one tap on "more" (½): 18.5; and a note.
    elegance = sheet_line(judge, "Elegance & design")
    points = elegance.get_by_role("textbox", name="Points")
    points.tap()
    points.fill("18")
    elegance.get_by_role("button", name="More", exact=True).tap()  # leaving the field saves the 18 first
    expect(points).to_have_value("18.5")
    elegance.get_by_label("Note for the entrant").fill(ELEGANCE_NOTE)
    elegance.get_by_label("Note for the entrant").blur()
    expect_saved(judge, elegance, "Total 95 / 100")

    overall = judge.locator("form").filter(has=judge.get_by_role("heading", name="Overall comment"))
    overall.locator("textarea[name=comment]").fill(COMMENT)
    overall.locator("textarea[name=comment]").blur()
    expect_saved(judge, overall, "Total 95 / 100")

    # The running total is what was entered: (40 - 2.5) + (30 - 1) + (10 - 0) + 18.5.
    assert (40 - 2.5) + (30 - 1) + (10 - 0) + 18.5 == 95
    expect(judge.locator("#sheet-total strong")).to_have_text("95")
    submit = judge.get_by_role("button", name="Submit sheet")
    submit.scroll_into_view_if_needed()
    expect(judge.locator(".sheet-bar")).to_be_in_viewport()  # sticky: still on screen at the bottom
    bar = judge.locator(".sheet-bar").bounding_box()
    assert bar is not None and bar["y"] <= 1, bar
    judge.screenshot(path=str(SCREENSHOTS / "judge-sheet-tablet.png"))
    judge.screenshot(path=str(SCREENSHOTS / "judge-sheet-tablet-full.png"), full_page=True)
    for button in judge.locator("form.line button").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, (button.inner_text(), box)

    # Everything was saved on the server, not just shown: a reload shows the same sheet.
    judge.reload()
    expect(sheet_line(judge, "Authenticity").get_by_role("textbox", name="Deduction")).to_have_value("2.5")
    expect(sheet_line(judge, "Condition & presentation").get_by_role("textbox", name="Deduction")).to_have_value("1")
    expect(sheet_line(judge, "Condition & presentation").get_by_label("Note for the entrant")).to_have_value(
        CONDITION_NOTE
    )
    expect(sheet_line(judge, "Function").get_by_role("textbox", name="Deduction")).to_have_value("0")
    expect(sheet_line(judge, "Elegance & design").get_by_role("textbox", name="Points")).to_have_value("18.5")
    expect(judge.locator("textarea[name=comment]")).to_have_value(COMMENT)
    expect(judge.locator("#sheet-total")).to_have_text("Total 95 / 100")

    judge.get_by_role("button", name="Submit sheet").tap()
    expect(judge).to_have_url(re.compile(r"/judging/$"))
    expect(car_link.locator(".state")).to_have_text("Submitted")
    expect(judge.locator("main")).to_contain_text("1 of 1 sheets submitted")
    judge.screenshot(path=str(SCREENSHOTS / "judge-home-tablet.png"))
    car_link.tap()
    expect(judge.locator(".alert.ok")).to_have_text("This sheet is submitted. Only the chief judge can reopen it.")
    expect(judge.get_by_role("button", name="Submit sheet")).to_have_count(0)
    expect(sheet_line(judge, "Authenticity").get_by_role("textbox", name="Deduction")).to_be_disabled()

    # ---- 5. The organizer ranks, certifies and publishes.
    org.goto(event_url)
    org.locator("#classes").get_by_role("link", name="Ranking").click()
    expect(org.get_by_role("heading", name="Class C — French Curves 1935-1939")).to_be_visible()
    expect(org.locator("main")).to_contain_text("Sheets: 1 submitted, 0 in progress.")
    row = org.locator("table.results tbody tr").filter(has_text="Talbot-Lago")
    expect(row).to_contain_text("1st in class")
    expect(row.locator("td").nth(3)).to_have_text("95")
    org.get_by_role("button", name="Certify class C").click()
    expect(org.locator("main .badge").first).to_have_text("Certified")
    # The certified record, with its code to verify printed documents against.
    expect(org.locator("main")).to_contain_text("current")
    expect(org.get_by_role("button", name="Certify class C")).to_have_count(0)
    org.get_by_role("link", name="Set-up").click()
    expect(org.locator("#classes")).to_contain_text("Ranking (certified)")
    org.once("dialog", lambda dialog: dialog.accept())  # publishing asks to confirm
    org.get_by_role("button", name="Publish certified results").click()
    expect(org).to_have_url(re.compile(re.escape(public_event_path) + "/results$"))
    expect(org.get_by_role("heading", name="Results — Lakeside Concours")).to_be_visible()
    org.goto(event_url)
    expect(status_badge(org)).to_have_text("Results published")

    # ---- 6. On the phone: the public results, then the entrant's portal, sheets and PDF.
    ent.goto(public_event_path)
    expect(ent.locator(".badge")).to_have_text("Results published")
    ent.get_by_role("link", name="Results").tap()
    expect(ent).to_have_url(re.compile(re.escape(public_event_path) + "/results$"))
    result_row = ent.locator("#class-C tbody tr").filter(has_text="Talbot-Lago")
    expect(result_row).to_contain_text(f"#{car_number}")
    expect(result_row).to_contain_text("1st in class")
    expect(result_row).to_contain_text("Figoni et Falaschi")
    assert no_sideways_scroll(ent), "the results scroll sideways on a phone"
    ent.screenshot(path=str(SCREENSHOTS / "public-results-phone.png"), full_page=True)

    ent.goto(settings.base_url + off_loop(login_link, db_url, "edith@example.com"))
    ent.get_by_role("button", name="Sign in", exact=True).tap()
    expect(ent).to_have_url(re.compile(r"/my/$"))
    expect(ent.get_by_role("heading", name="My entries")).to_be_visible()
    mine = ent.locator("article.card").filter(has_text="Talbot-Lago")
    expect(mine.get_by_role("heading")).to_have_text(CAR)
    expect(mine).to_contain_text("Application: Accepted")
    expect(mine).to_contain_text(f"Class C — French Curves 1935-1939 · Car #{car_number}")
    expect(mine).to_contain_text("From the committee: Welcome to the lawn!")
    expect(mine).to_contain_text("Result: 1st in class")
    ent.screenshot(path=str(SCREENSHOTS / "entrant-portal-phone.png"), full_page=True)
    assert no_sideways_scroll(ent), "the portal scrolls sideways on a phone"

    mine.get_by_role("link", name="My score sheets").tap()
    expect(ent).to_have_url(re.compile(rf"/my/entries/{entry_id}$"))
    expect(ent.get_by_role("heading", level=1)).to_have_text(f"#{car_number} {CAR}")
    expect(ent.locator("main")).to_contain_text("Result: 1st in class")
    expect(ent.locator("p.comment")).to_contain_text(COMMENT)
    expect(ent.get_by_role("row").filter(has_text="Elegance & design")).to_contain_text(ELEGANCE_NOTE)
    expect(ent.get_by_role("row").filter(has_text="Condition & presentation")).to_contain_text(CONDITION_NOTE)
    assert no_sideways_scroll(ent), "the score sheets scroll sideways on a phone"
    ent.screenshot(path=str(SCREENSHOTS / "entrant-sheets-phone.png"), full_page=True)

    with ent.expect_download(timeout=60_000) as download_info:  # a PDF rendered on a busy machine
        ent.get_by_role("link", name="Download PDF report").tap()
    download = download_info.value
    assert download.suggested_filename == f"score-report-car-{car_number}.pdf"
    pdf_path = download.path()
    pdf_bytes = Path(pdf_path).read_bytes()
    assert pdf_bytes.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    flat = " ".join(text.split())
    assert "Talbot-Lago" in flat, text
    assert COMMENT in flat, text
    assert "1st in class" in flat, text

    assert watch.problems == [], watch.problems
    print(f"\nthin path in the browser: {time.monotonic() - started:.1f}s")
