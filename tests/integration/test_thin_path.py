"""The whole life of an event through HTTP: set-up, application, selection, scoring, results, feedback."""

from __future__ import annotations

import io
import re
from typing import Any

from litestar.testing import TestClient
from pypdf import PdfReader

from concours.settings import Settings
from tests.conftest import new_client
from tests.helpers import find_id, htmx_post, login, login_by_link, make_organizer, post
from tests.scenes import APPLICATION


def set_up_event_through_pages(client: TestClient[Any], db_url: str) -> dict[str, Any]:
    """The organizer signs in and sets the event up on the pages (the other tests use tests.scenes)."""
    make_organizer(db_url)
    login(client)
    r = post(
        client,
        "/organizer/events",
        {
            "name": "Lakeside Concours",
            "venue": "Lakeside Park",
            "starts_on": "2027-06-12",
            "ends_on": "2027-06-12",
            "timezone": "Europe/London",
        },
    )
    assert r.status_code == 303
    event_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert (
        post(
            client, f"/organizer/events/{event_id}/classes", {"code": "C", "name": "French Curves 1935-1939"}
        ).status_code
        == 303
    )
    assert post(client, f"/organizer/events/{event_id}/system", {"preset": "class_placings"}).status_code == 303
    assert post(client, f"/organizer/events/{event_id}/status", {"status": "registration_open"}).status_code == 303
    page = client.get(f"/organizer/events/{event_id}").text
    class_id = find_id(page, r"/organizer/classes/(\d+)/results")
    slug = re.search(r'href="/events/([a-z0-9-]+)"', page).group(1)  # type: ignore[union-attr]
    return {"event_id": event_id, "class_id": class_id, "slug": slug}


def test_thin_path(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event_through_pages(client, db_url)

    # An entrant applies through the public form.
    with new_client(settings) as entrant:
        assert "Apply with your car" in entrant.get(f"/events/{ev['slug']}").text
        r = post(entrant, f"/events/{ev['slug']}/apply", APPLICATION)
        assert r.status_code == 200 and "your application is in" in r.text

        # The organizer accepts it into class C.
        entries = client.get(f"/organizer/events/{ev['event_id']}/entries").text
        assert "Talbot-Lago" in entries
        entry_id = find_id(entries, r"/organizer/entries/(\d+)/decision")
        r = post(
            client,
            f"/organizer/entries/{entry_id}/decision",
            {"status": "accepted", "class_id": ev["class_id"], "car_number": "", "message": "Welcome!"},
        )
        assert r.status_code == 303

        # The organizer puts a judge on the class; the judge signs in by the e-mailed link.
        r = post(
            client,
            f"/organizer/events/{ev['event_id']}/judges",
            {"name": "Jules Judge", "email": "jules@example.com", "class_id": ev["class_id"]},
        )
        assert r.status_code == 303
        for status in ("registration_closed", "judging"):
            assert post(client, f"/organizer/events/{ev['event_id']}/status", {"status": status}).status_code == 303

        with new_client(settings) as judge:
            login_by_link(judge, db_url, "jules@example.com")
            home = judge.get("/judging/").text
            assert "Talbot-Lago" in home and "Not started" in home
            sheet = judge.get(f"/judging/entries/{entry_id}").text
            category_ids = [int(x) for x in re.findall(r'/lines/(\d+)"', sheet)]
            assert len(category_ids) == 4
            # Deductions for the deduction categories, points for elegance: each change saved as made.
            values = ["2.5", "1", "0", "18.5"]
            for n, (cid, value) in enumerate(zip(category_ids, values, strict=True)):
                r = htmx_post(
                    judge,
                    f"/judging/entries/{entry_id}/lines/{cid}",
                    {"value": value, "note": f"note {n}", "change_id": f"c{n}"},
                )
                assert r.status_code == 200 and "Saved" in r.text, r.text
            # The same change sent again is applied once.
            r = htmx_post(
                judge,
                f"/judging/entries/{entry_id}/lines/{category_ids[0]}",
                {"value": "2.5", "note": "note 0", "change_id": "c0"},
            )
            assert r.status_code == 200
            assert "Total <strong>95</strong> / 100" in r.text  # 37.5 + 29 + 10 + 18.5
            r = htmx_post(
                judge,
                f"/judging/entries/{entry_id}/comment",
                {"comment": "A superb restoration; refit the correct tyres.", "change_id": "c9"},
            )
            assert r.status_code == 200
            r = post(judge, f"/judging/entries/{entry_id}/submit")
            assert r.status_code == 303
            assert "Submitted" in judge.get("/judging/").text

        # The organizer sees the ranking, certifies the class and publishes.
        ranking = client.get(f"/organizer/classes/{ev['class_id']}/results").text
        assert "1st in class" in ranking and "95" in ranking
        assert post(client, f"/organizer/classes/{ev['class_id']}/certify").status_code == 303
        assert post(client, f"/organizer/events/{ev['event_id']}/publish").status_code == 303

        # The public sees the published class results.
        with new_client(settings) as public:
            results = public.get(f"/events/{ev['slug']}/results")
            assert results.status_code == 200
            assert "Talbot-Lago" in results.text and "1st in class" in results.text

        # The entrant signs in and sees their sheet with the judge's comments, and the PDF.
        login_by_link(entrant, db_url, "edith@example.com")
        portal = entrant.get("/my/").text
        assert "Accepted" in portal and "1st in class" in portal
        sheets = entrant.get(f"/my/entries/{entry_id}").text
        assert "A superb restoration" in sheets and "note 3" in sheets
        pdf = entrant.get(f"/my/entries/{entry_id}/report.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Talbot-Lago" in text and "A superb restoration" in text and "1st in class" in text
