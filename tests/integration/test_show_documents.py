"""Printed show-day documents over HTTP, each started from the organizer's documents page as a job (rendered in
parts in the process pool, then downloaded), read back with a PDF parser: windshield placards whose QR codes
decode (zxing-cpp) to each car's public page, which answers; award placards; the results book's cover, contents,
awards (Best of Show first), classes in order, scores as chosen, winners' photos and page numbers through the
book; every entrant's score report in car-number order; a copy reused until its data change; branding."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import zxingcpp
from litestar.testing import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ReportJob, Vehicle
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import csrf, drawn_images, make_document, pdf_pages_text, post, stored_copies
from tests.scenes import Show, jpeg, seed_show

SESSION_COOKIE = "concours_session"


@pytest.fixture
def organizer(settings: Settings, show: Show) -> Iterator[TestClient[Any]]:
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, show.organizer_token)
        yield c


def qr_urls(pdf: bytes) -> list[list[str]]:
    """The QR codes decoded from the images each page draws."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found = []
        for image in drawn_images(page):
            img = Image.open(io.BytesIO(image.data)).convert("L")
            found += [r.text for r in zxingcpp.read_barcodes(img)]
        out.append(found)
    return out


def job_row(db_url: str, job: str) -> ReportJob:
    async def go(session: AsyncSession) -> ReportJob:
        row = await session.get(ReportJob, int(job.rsplit("/", 1)[1]))
        assert row is not None
        return row

    return run_db(db_url, go)


def test_windshield_placards_carry_a_qr_code_to_each_cars_public_page(
    organizer: TestClient[Any], show: Show, settings: Settings, db_url: str
) -> None:
    job, pdf = make_document(organizer, show.event_id, "placards")
    assert job_row(db_url, job).parts_total == 2  # rendered class by class
    texts = pdf_pages_text(pdf)
    assert len(texts) == len(show.entries)  # one page per car, class A first, then by number
    decoded = qr_urls(pdf)
    numbers = [int(urls[0].rsplit("/", 1)[1]) for urls in decoded]
    assert numbers == sorted(show.entries)
    for number, urls, text in zip(numbers, decoded, texts, strict=True):
        assert urls == [f"{settings.base_url}/events/{show.slug}/cars/{number}"]
        assert text.splitlines()[1].startswith(str(number))  # the big number, under the event's name
        assert "page" not in text  # a placard carries no page number
    assert "Class A — Class name A" in texts[0] and "Shown by Owner 101" in texts[0]
    assert "Class B — Class name B" in texts[4]
    private = texts[numbers.index(202)]
    assert "Owner 202" not in private and "Shown by" not in private  # this owner is not named
    with new_client(settings) as public:  # and the page it opens answers, for anyone
        page = public.get(f"/events/{show.slug}/cars/{numbers[0]}")
        assert page.status_code == 200 and f"No. {numbers[0]}" in page.text
        assert "Class name A" in page.text and "delivered new in Paris" in page.text
        photo = public.get(f"/events/{show.slug}/cars/{numbers[0]}/photo")
        assert photo.status_code == 200 and photo.headers["content-type"].startswith("image/")
        assert public.get(f"/events/{show.slug}/cars/{numbers[-1]}/photo").status_code == 404  # no photo
        assert public.get(f"/events/{show.slug}/cars/999").status_code == 404


def test_award_placards_for_the_winners(organizer: TestClient[Any], show: Show, db_url: str) -> None:
    job, pdf = make_document(organizer, show.event_id, "award-placards")
    assert job_row(db_url, job).parts_total == 3  # class A, class B, the special awards
    texts = pdf_pages_text(pdf)
    assert len(texts) == 3 + 3 + 2
    awards = [re.search(r"(Class [AB]: \w+ in class|Best of Show|The Sponsor's Trophy)", t) for t in texts]
    assert [m.group(1) if m else "" for m in awards] == [
        "Class A: 1st in class",
        "Class A: 2nd in class",
        "Class A: 3rd in class",
        "Class B: 1st in class",
        "Class B: 2nd in class",
        "Class B: 3rd in class",
        "Best of Show",  # Best of Show first among the special awards
        "The Sponsor's Trophy",
    ]
    assert "No. 101" in texts[0] and "Owner 101" in texts[0] and "No. 203" in texts[5]
    assert "Owner 202" not in texts[4]  # this owner is not named
    assert "No. 101" in texts[6] and "Chosen by the honorary judges" in texts[6]
    assert "No. 102" in texts[7] and "Chosen by the sponsor" in texts[7]


def test_results_book(organizer: TestClient[Any], show: Show, db_url: str) -> None:
    job, pdf = make_document(organizer, show.event_id, "results-book")
    assert job_row(db_url, job).parts_total == 1 + 2 + 1  # the front, a part per class, the contents again
    reader = PdfReader(io.BytesIO(pdf))
    texts = [p.extract_text() or "" for p in reader.pages]
    assert "Lakeside Concours" in texts[0] and "Results" in texts[0] and "Class name" not in texts[0]  # the cover
    assert "Provisional" in texts[0]  # certified, not yet published
    contents = texts[1]
    assert "Contents" in contents
    # Contents entries with the page each section starts on; check they point at the right pages.
    entries = re.findall(r"(Special awards|Class [AB] — Class name [AB])\s*\.+\s*(\d+)", contents)
    assert [e[0] for e in entries] == ["Special awards", "Class A — Class name A", "Class B — Class name B"]
    for title, number in entries:
        assert texts[int(number) - 1].lstrip().startswith(title), (title, number)
    awards = texts[int(entries[0][1]) - 1]
    assert awards.index("Best of Show") < awards.index("The Sponsor's Trophy")  # Best of Show first
    assert "No. 101" in awards and "Chosen by the honorary judges" in awards
    class_a = texts[int(entries[1][1]) - 1]
    assert "Score" in class_a and "1st in class" in class_a
    rows = re.findall(r"^([1-4]) No\. (\d+)", class_a, re.M)  # place, car number: in order
    assert rows == [("1", "101"), ("2", "102"), ("3", "103"), ("4", "104")]
    assert "99.0" in class_a and "96.0" in class_a  # every car's score, the unplaced one's too
    class_b = texts[int(entries[2][1]) - 1]
    assert "Owner 201" in class_b and "Owner 202" not in class_b  # this owner is not named
    # Page numbers run through the whole book (stamped over the parts joined).
    for n, text in enumerate(texts, start=1):
        assert f"Lakeside Concours · results · page {n} of {len(texts)}" in text, (n, text)
    # Winners' photos: the Best of Show car and the class winners have one.
    assert sum(len(drawn_images(p)) for p in reader.pages) >= 3

    _, without = make_document(organizer, show.event_id, "results-book-places")
    text = "\n".join(pdf_pages_text(without))
    assert "99.0" not in text and "Score" not in text and "1st in class" in text


def test_every_entrants_score_report_in_car_number_order(organizer: TestClient[Any], show: Show, db_url: str) -> None:
    job, pdf = make_document(organizer, show.event_id, "score-reports")
    assert job_row(db_url, job).parts_total == len(show.entries)  # a part per car
    texts = pdf_pages_text(pdf)
    starts = [int(m.group(1)) for t in texts for m in [re.search(r"Car #(\d+) — ", t)] if m]
    assert starts == sorted(show.entries)  # one report per car, in car-number order
    assert len(texts) == len(show.entries)
    first = texts[0]
    assert "Score report" in first and "Entrant: Owner 101" in first and "Class A — Class name A" in first
    assert "1st in class" in first and "Score 99.0" in first
    assert "Special award: Best of Show (chosen by the honorary judges)" in first
    assert "score report · page 1 of 1" in texts[-1]  # each report numbered on its own, for its owner


def test_a_copy_is_reused_until_its_data_change(organizer: TestClient[Any], show: Show, db_url: str) -> None:
    base = f"/organizer/events/{show.event_id}/documents"
    page = organizer.get(base)
    section = _section(page.text, "award-placards")
    assert "No copy made yet" in section and "Make: Award placards (PDF)" in section
    first, pdf = make_document(organizer, show.event_id, "award-placards")
    assert stored_copies(db_url) == 1
    section = _section(organizer.get(base).text, "award-placards")
    assert "Ready:" in section and "(8 pages) is up to date" in section and "Open: Award placards" in section
    assert "No copy made yet" in _section(organizer.get(base).text, "placards")  # the others are not made

    # The same document again: a job done at once with the stored copy (rendered once).
    second, again = make_document(organizer, show.event_id, "award-placards")
    assert second != first and again == pdf and stored_copies(db_url) == 1
    one, two = job_row(db_url, first), job_row(db_url, second)
    assert two.document_id == one.document_id and two.status == "done"

    # The data change (a winner's model): the page says so, and the next copy is rendered anew.
    async def rename(session: AsyncSession) -> None:
        vehicle = (await session.scalars(select(Vehicle).where(Vehicle.model.like("% 101")))).one()
        vehicle.model = "Teardrop coupé 101"

    run_db(db_url, rename)
    # Class results are frozen at certification; the special award shows the car as it is now.
    section = _section(organizer.get(base).text, "award-placards")
    assert "Out of date:" in section and "Make: Award placards (PDF)" in section
    third, fresh = make_document(organizer, show.event_id, "award-placards")
    assert job_row(db_url, third).document_id != one.document_id and stored_copies(db_url) == 1
    assert "Teardrop coupé 101" in pdf_pages_text(fresh)[6]


def _section(page: str, key: str) -> str:
    match = re.search(rf'<section class="card" id="document-{key}">(.*?)</section>', page, re.S)
    assert match, key
    return match.group(1)


def test_documents_need_numbers_and_results(db_url: str, settings: Settings) -> None:
    async def go(session: AsyncSession) -> Show:
        return await seed_show(session, settings, status="registration_open", classes=0)

    show = run_db(db_url, go)
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, show.organizer_token)
        base = f"/organizer/events/{show.event_id}/documents"
        page = c.get(base)
        assert page.status_code == 200
        assert "no numbered cars" in _section(page.text, "placards") and "Make:" not in _section(page.text, "placards")
        assert "certify a class first" in _section(page.text, "results-book")
        r = post(c, base, {"document": "placards"})
        assert r.status_code == 400 and "no numbered cars" in r.text
        r = post(c, base, {"document": "results-book"})
        assert r.status_code == 400 and "certify a class first" in r.text
        r = post(c, base, {"document": "score-reports"})
        assert r.status_code == 400 and "made from certified classes" in r.text
        r = post(c, base, {"document": "nonsense"})
        assert r.status_code == 400 and "Pick one of the documents" in r.text
        assert stored_copies(db_url) == 0


def test_only_the_events_organizers_make_its_documents(show: Show, settings: Settings, db_url: str) -> None:
    async def other(session: AsyncSession) -> Show:
        return await seed_show(session, settings, classes=1, cars=2, prefix="other-")

    stranger = run_db(db_url, other)
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, stranger.organizer_token)
        assert c.get(f"/organizer/events/{show.event_id}/documents").status_code == 403
        assert post(c, f"/organizer/events/{show.event_id}/documents", {"document": "placards"}).status_code == 403
    assert stored_copies(db_url) == 0


def test_branding_logo_and_colours_reach_the_pdfs(organizer: TestClient[Any], show: Show) -> None:
    url = f"/organizer/events/{show.event_id}/branding"
    assert organizer.get(url).status_code == 200
    token = csrf(organizer)
    bad = organizer.post(
        url,
        data={"primary_colour": "red", "accent_colour": "#00ff00", "_csrf_token": token},
        files={"logo": ("logo.png", b"not an image", "image/png")},
    )
    assert bad.status_code == 400
    assert "Pick a colour" in bad.text and "not a JPEG, PNG or WebP" in bad.text
    assert 'value="#00ff00"' in bad.text  # what was typed is kept
    ok = organizer.post(
        url,
        data={"primary_colour": "#112233", "accent_colour": "#C8A24A", "_csrf_token": token},
        files={"logo": ("logo.jpg", jpeg((10, 200, 10)), "image/jpeg")},
    )
    assert ok.status_code == 200 and "Branding saved" in ok.text
    logo = organizer.get(url + "/logo")
    assert logo.status_code == 200 and logo.headers["content-type"] == "image/jpeg"
    _, pdf = make_document(organizer, show.event_id, "award-placards")
    first = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(drawn_images(first)) == 1  # the logo
    assert _has_colour(pdf)  # the main colour #112233 fills the brand bar


def _has_colour(pdf: bytes) -> bool:
    data = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()  # type: ignore[union-attr]
    return re.search(rb"0\.0?66\d* 0\.133\d* 0\.2\d* (rg|RG)", data) is not None
