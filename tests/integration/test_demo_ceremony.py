"""The demo's show day as a newcomer finds it: from the public home page, last year's results with Best of Show,
the live page of its ceremony and its car pages, this year's People's Choice ballot; as the organizer, the run
sheet presented, the emcee cards, the placards, the results book and the voting-code sheet."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

from litestar.testing import TestClient
from pypdf import PdfReader

from concours.demo import MAIN_SLUG, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, PAST_SLUG, build_demo
from concours.settings import Settings
from tests.helpers import login, post


def links(html: str, pattern: str) -> list[str]:
    return re.findall(rf'href="({pattern})"', html)


def make(client: TestClient[Any], event_id: int, document: str) -> PdfReader:
    r = post(client, f"/organizer/events/{event_id}/documents", {"document": document})
    assert r.status_code == 303, r.text
    pdf = client.get(f"{r.headers['location']}/document.pdf")
    assert pdf.status_code == 200
    return PdfReader(io.BytesIO(pdf.content))


def test_demo_has_a_presented_run_sheet_and_its_documents(client: TestClient[Any], settings: Settings) -> None:
    assert asyncio.run(build_demo(settings)) is True
    # A visitor, from the home page: last year's event, its results and the live page of its ceremony.
    home = client.get("/").text
    assert f"/events/{PAST_SLUG}" in links(home, '/events/[^/"]+') and f"/events/{MAIN_SLUG}" in links(home, '/[^"]+')
    past_page = client.get(f"/events/{PAST_SLUG}").text
    (results_link,) = links(past_page, f"/events/{PAST_SLUG}/results")
    assert "Best of Show" in client.get(results_link).text
    (live_link,) = links(past_page, f"/events/{PAST_SLUG}/live")
    live = client.get(live_link)
    assert live.status_code == 200
    presented = int(re.search(r"(\d+) awards presented", live.text).group(1))  # type: ignore[union-attr]
    assert presented >= 9  # three places in each of the edition's classes, at least
    number = re.search(r'href="/events/[^/]+/cars/(\d+)"', live.text).group(1)  # type: ignore[union-attr]
    car = client.get(f"/events/{PAST_SLUG}/cars/{number}")
    assert car.status_code == 200 and "in class" in car.text
    # This year's event: People's Choice is open, its ballot a link away.
    main_page = client.get(f"/events/{MAIN_SLUG}").text
    (vote_link,) = links(main_page, f"/events/{MAIN_SLUG}/vote")
    assert "People" in client.get(vote_link).text and links(main_page, f"/events/{MAIN_SLUG}/live")

    # The organizer: the run sheet presented, the emcee cards, and the documents page's placards and results book.
    login(client, ORGANIZER_EMAIL, ORGANIZER_PASSWORD)
    ids = {int(x) for x in re.findall(r"/organizer/events/(\d+)", client.get("/organizer/").text)}
    past = next(i for i in ids if PAST_SLUG in client.get(f"/organizer/events/{i}/ceremony").text)
    main = next(i for i in ids if MAIN_SLUG in client.get(f"/organizer/events/{i}/ceremony").text)
    sheet = client.get(f"/organizer/events/{past}/ceremony")
    assert f"{presented} of {presented} awards presented" in sheet.text
    assert f'href="/organizer/events/{past}/documents"' in sheet.text  # the event's tabs lead to the documents
    cards = client.get(f"/organizer/events/{past}/ceremony/emcee-cards.pdf")
    assert cards.status_code == 200 and len(PdfReader(io.BytesIO(cards.content)).pages) == presented
    documents = client.get(f"/organizer/events/{past}/documents")
    assert documents.status_code == 200 and "Not yet:" not in documents.text  # every document can be made
    placards = make(client, past, "placards")
    assert len(placards.pages) >= presented // 3 and all(
        "Scan for this car" in (p.extract_text() or "") for p in placards.pages
    )
    book = make(client, past, "results-book")
    assert "Contents" in (book.pages[1].extract_text() or "")
    assert "Best of Show" in "".join(p.extract_text() or "" for p in book.pages[2:4])
    # This year's People's Choice: the voting-code sheet the demo printed codes from.
    awards = client.get(f"/organizer/events/{main}/awards").text
    pc = next(a for a in links(awards, r"/organizer/awards/\d+") if "People" in client.get(a).text)
    (code_sheet,) = links(client.get(pc).text, r"/organizer/code-batches/\d+/sheet.pdf")[:1]
    codes = PdfReader(io.BytesIO(client.get(code_sheet).content))
    assert re.search(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", codes.pages[0].extract_text() or "")
