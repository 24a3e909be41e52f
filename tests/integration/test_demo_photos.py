"""The demo's cars have photos (drawn when it is built, stored as uploads are): on the public field, on a car's
page, beside last year's winners, and in the entrant's score report."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any
from urllib.parse import urlsplit

from litestar.testing import TestClient
from pypdf import PdfReader

from concours import demo_photos
from concours.demo import MAIN_SLUG, PAST_SLUG, build_demo, demo_links
from concours.settings import Settings
from tests.conftest import new_client
from tests.helpers import post


def _is_image(client: TestClient[Any], url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, (url, r.text[:3000])
    assert r.headers["content-type"].startswith("image/"), r.headers["content-type"]
    assert r.content[:3] == b"\xff\xd8\xff"  # a JPEG, re-encoded by the photo service


def test_demo_cars_have_photos(client: TestClient[Any], settings: Settings) -> None:
    assert asyncio.run(build_demo(settings)) is True

    # The field: every car on it shows its photo.
    field = client.get(f"/events/{MAIN_SLUG}").text
    thumbs = re.findall(rf'<img src="(/events/{MAIN_SLUG}/cars/\d+/thumb)"', field)
    assert len(thumbs) >= 80 and 'class="no-photo"' not in field
    _is_image(client, thumbs[0])
    _is_image(client, thumbs[-1])

    # A car's page shows it at full size.
    number = re.findall(rf'href="/events/{MAIN_SLUG}/cars/(\d+)"', field)[0]
    car = client.get(f"/events/{MAIN_SLUG}/cars/{number}").text
    photos = re.findall(rf'<img src="(/events/{MAIN_SLUG}/cars/{number}/photos/\d+)" alt="[^"]+"', car)
    assert len(photos) == 1
    _is_image(client, photos[0])

    # Last year's winners are shown with their cars.
    results = client.get(f"/events/{PAST_SLUG}/results").text
    winners = re.findall(r'<img class="winner-photo" src="([^"]+)"', results)
    assert len(winners) >= 4
    _is_image(client, winners[0])

    # The entrant's score report carries the car's photo.
    info = asyncio.run(demo_links(settings))
    with new_client(settings) as entrant:
        path = urlsplit(info.entrant_link).path
        assert entrant.get(path).status_code == 200
        assert post(entrant, path).status_code == 303
        portal = entrant.get("/my/").text
        reports = [entrant.get(f"/my/entries/{i}/report.pdf") for i in re.findall(r'href="/my/entries/(\d+)"', portal)]
        pdf = next(r for r in reports if r.status_code == 200)
        pages = PdfReader(io.BytesIO(pdf.content)).pages
        sizes = {image.image.size for page in pages for image in page.images if image.image is not None}
        assert (demo_photos.WIDTH, demo_photos.HEIGHT) in sizes, sizes
