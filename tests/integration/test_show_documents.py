"""Printed show-day documents over HTTP, read back with a PDF parser: windshield placards whose QR codes decode
(zxing-cpp) to each car's public page, which answers; award placards; the results book's cover, contents,
awards (Best of Show first), classes in order, scores as chosen, winners' photos and page numbers; branding."""

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
from sqlalchemy.ext.asyncio import AsyncSession

from concours.settings import Settings
from tests.ceremony_seed import Show, jpeg, seed_show
from tests.conftest import new_client, run_db
from tests.helpers import csrf

SESSION_COOKIE = "concours_session"


@pytest.fixture
def show(db_url: str, settings: Settings) -> Show:
    async def go(session: AsyncSession) -> Show:
        return await seed_show(session, settings, private_owner=202)

    return run_db(db_url, go)


@pytest.fixture
def organizer(settings: Settings, show: Show) -> Iterator[TestClient[Any]]:
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, show.organizer_token)
        yield c


def pages_text(pdf: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


def drawn_images(page: Any) -> list[Any]:
    """The images a page draws (WeasyPrint shares one resource dictionary between pages)."""
    names = {n.decode() for n in re.findall(rb"/([\w.]+) Do", page.get_contents().get_data())}
    return [im for im in page.images if im.name.rsplit(".", 1)[0] in names]


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


def test_windshield_placards_carry_a_qr_code_to_each_cars_public_page(
    organizer: TestClient[Any], show: Show, settings: Settings
) -> None:
    r = organizer.get(f"/organizer/events/{show.event_id}/documents/placards.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    texts = pages_text(r.content)
    assert len(texts) == len(show.entries)  # one page per car, class A first, then by number
    decoded = qr_urls(r.content)
    numbers = [int(urls[0].rsplit("/", 1)[1]) for urls in decoded]
    assert numbers == sorted(show.entries)
    for number, urls, text in zip(numbers, decoded, texts, strict=True):
        assert urls == [f"{settings.base_url}/events/{show.slug}/cars/{number}"]
        assert text.splitlines()[1].startswith(str(number))  # the big number, under the event's name
    assert "Class A — Class name A" in texts[0] and "Shown by Owner 101" in texts[0]
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


def test_award_placards_for_the_winners(organizer: TestClient[Any], show: Show) -> None:
    r = organizer.get(f"/organizer/events/{show.event_id}/documents/award-placards.pdf")
    assert r.status_code == 200
    texts = pages_text(r.content)
    assert len(texts) == 3 + 3 + 2
    assert "Class A: 1st in class" in texts[0] and "No. 101" in texts[0]
    assert "Best of Show" in texts[6] and "Chosen by the honorary judges" in texts[6]
    assert "The Sponsor's Trophy" in texts[7]


def test_results_book(organizer: TestClient[Any], show: Show) -> None:
    r = organizer.get(f"/organizer/events/{show.event_id}/documents/results-book.pdf?scores=1")
    assert r.status_code == 200
    reader = PdfReader(io.BytesIO(r.content))
    texts = [p.extract_text() or "" for p in reader.pages]
    assert "Lakeside Concours" in texts[0] and "Results" in texts[0] and "Class name" not in texts[0]  # the cover
    contents = texts[1]
    assert "Contents" in contents
    # Contents entries with the page each section starts on; check they point at the right pages.
    entries = re.findall(r"(Special awards|Class [AB] — Class name [AB])\s*\.+\s*(\d+)", contents)
    assert [e[0] for e in entries] == ["Special awards", "Class A — Class name A", "Class B — Class name B"]
    for title, number in entries:
        heading = title if title == "Special awards" else title
        assert heading in texts[int(number) - 1], (title, number)
    awards = texts[int(entries[0][1]) - 1]
    assert awards.index("Best of Show") < awards.index("The Sponsor's Trophy")  # Best of Show first
    class_a = texts[int(entries[1][1]) - 1]
    assert "99.0" in class_a and "1st in class" in class_a and "Score" in class_a
    assert re.search(r"page \d+ of \d+", texts[-1])
    # Winners' photos: the Best of Show car and the class winners have one.
    assert sum(len(drawn_images(p)) for p in reader.pages) >= 3

    without = organizer.get(f"/organizer/events/{show.event_id}/documents/results-book.pdf")
    text = "\n".join(pages_text(without.content))
    assert "99.0" not in text and "Score" not in text and "1st in class" in text


def test_documents_need_numbers_and_results(db_url: str, settings: Settings) -> None:
    async def go(session: AsyncSession) -> Show:
        return await seed_show(session, settings, status="registration_open", classes=0)

    show = run_db(db_url, go)
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, show.organizer_token)
        base = f"/organizer/events/{show.event_id}/documents"
        assert c.get(base + "/").status_code == 200
        r = c.get(base + "/placards.pdf")
        assert r.status_code == 400 and "no numbered cars" in r.text
        r = c.get(base + "/results-book.pdf")
        assert r.status_code == 400 and "certify a class first" in r.text


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
    pdf = organizer.get(f"/organizer/events/{show.event_id}/documents/award-placards.pdf").content
    first = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(drawn_images(first)) == 1  # the logo
    assert _has_colour(pdf)  # the main colour #112233 fills the brand bar


def _has_colour(pdf: bytes) -> bool:
    data = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()  # type: ignore[union-attr]
    return re.search(rb"0\.0?66\d* 0\.133\d* 0\.2\d* (rg|RG)", data) is not None
