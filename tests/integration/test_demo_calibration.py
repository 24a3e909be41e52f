"""The demo's calibration page is worth looking at: one severe and one lenient judge, two flagged cars, one of them
acknowledged by the chief judge; the other holds its class's certification."""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

from litestar.testing import TestClient

from concours.demo import ORGANIZER_EMAIL, ORGANIZER_PASSWORD, build_demo
from concours.demo_calibration import ACKNOWLEDGED_NOTE
from concours.settings import Settings
from tests.helpers import login, post


def test_demo_calibration_has_a_story(client: TestClient[Any], settings: Settings) -> None:
    assert asyncio.run(build_demo(settings)) is True
    login(client, ORGANIZER_EMAIL, ORGANIZER_PASSWORD)
    ids = {int(x) for x in re.findall(r"/organizer/events/(\d+)", client.get("/organizer/").text)}
    pages = {i: html.unescape(client.get(f"/chief/events/{i}/calibration").text) for i in ids}
    main = next(i for i, p in pages.items() if "Concours d'Elegance 2026: calibration" in p)
    page = pages[main]

    severities = {
        name: float(value.replace("−", "-"))
        for name, value in re.findall(r'<tr data-judge="([^"]+)">.*?<td class="severity">([^<]+)</td>', page, re.S)
        if value != "—"
    }
    assert min(severities.values()) <= -3.0 and max(severities.values()) >= 3.0  # one severe, one lenient
    assert re.search(r"<strong>2</strong> flagged cars,\s+<strong>1</strong> still to look at", page)
    flagged = re.search(r'<table class="board" id="flagged-table">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    rows = re.findall(r'<tr id="car-\d+" data-class-id="(\d+)" class="([^"]*)">(.*?)</tr>', flagged, re.S)
    assert len(rows) == 2
    acknowledged = [r for r in rows if ACKNOWLEDGED_NOTE in r[2]]
    waiting = [r for r in rows if "late" in r[1]]
    assert len(acknowledged) == 1 and len(waiting) == 1
    assert "⚑ Authenticity" in acknowledged[0][2] and "⚑ Function" in waiting[0][2]
    assert '<svg id="severity-chart"' in page and '<svg id="spread-chart"' in page

    # The waiting car's class cannot be certified until the chief judge looks at it.
    number = re.search(r'<th scope="row">#(\d+) ', waiting[0][2])
    assert number is not None
    r = post(client, f"/organizer/classes/{waiting[0][0]}/certify")
    text = html.unescape(r.text)
    assert r.status_code == 400 and "cannot be certified yet" in text and f"#{number.group(1)} " in text
