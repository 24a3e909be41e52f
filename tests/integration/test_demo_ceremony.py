"""The demo's show day: last year's run sheet presented on the ramp, its live page and car pages public, and the
organizer's emcee cards, placards and results book."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

from litestar.testing import TestClient
from pypdf import PdfReader

from concours.demo import ORGANIZER_EMAIL, ORGANIZER_PASSWORD, PAST_SLUG, build_demo
from concours.settings import Settings
from tests.helpers import login, post


def test_demo_has_a_presented_run_sheet_and_its_documents(client: TestClient[Any], settings: Settings) -> None:
    assert asyncio.run(build_demo(settings)) is True
    live = client.get(f"/events/{PAST_SLUG}/live")
    assert live.status_code == 200
    presented = int(re.search(r"(\d+) awards presented", live.text).group(1))  # type: ignore[union-attr]
    assert presented >= 9  # three places in each of the edition's classes, at least
    number = re.search(r'href="/events/[^/]+/cars/(\d+)"', live.text).group(1)  # type: ignore[union-attr]
    car = client.get(f"/events/{PAST_SLUG}/cars/{number}")
    assert car.status_code == 200 and "in class" in car.text

    login(client, ORGANIZER_EMAIL, ORGANIZER_PASSWORD)
    event_id = int(re.search(r"/organizer/events/(\d+)", client.get("/organizer/").text).group(1))  # type: ignore[union-attr]
    ids = [int(x) for x in re.findall(r"/organizer/events/(\d+)\"", client.get("/organizer/").text)]
    past = next(i for i in {event_id, *ids} if PAST_SLUG in client.get(f"/organizer/events/{i}/ceremony").text)
    sheet = client.get(f"/organizer/events/{past}/ceremony")
    assert f"{presented} of {presented} awards presented" in sheet.text
    cards = client.get(f"/organizer/events/{past}/ceremony/emcee-cards.pdf")
    assert cards.status_code == 200 and len(PdfReader(io.BytesIO(cards.content)).pages) == presented
    documents = client.get(f"/organizer/events/{past}/documents")
    assert documents.status_code == 200 and "Not yet:" not in documents.text  # every document can be made
    job = post(client, f"/organizer/events/{past}/documents", {"document": "results-book"}).headers["location"]
    book = client.get(f"{job}/document.pdf")
    assert book.status_code == 200 and "Contents" in PdfReader(io.BytesIO(book.content)).pages[1].extract_text()
