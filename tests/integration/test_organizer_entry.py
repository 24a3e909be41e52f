"""An organizer adds one entry directly (issue 15): the owner (new, or known by e-mail and reused), the car as the
application takes it, its class and decision, photos; the owner told by e-mail or not; refused clearly once the
results are certified; nobody else may."""

from __future__ import annotations

import html
import re
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, Entrant, Entry, Event, User, Vehicle, VehiclePhoto
from concours.services import entries
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import image_bytes, login, mails, make_organizer, photo, post, post_multipart
from tests.scenes import APPLICATION, count, set_up_event

OWNER = {
    "name": "Marcel Owner",
    "email": "marcel@example.com",
    "phone": "+33 1 23 45 67 89",
    "city": "Lyon",
    "country": "France",
    "year": "1938",
    "make": "Delahaye",
    "model": "135 M",
    "body_style": "Cabriolet",
    "coachbuilder": "Figoni et Falaschi",
    "chassis_number": "47190",
    "engine_number": "",
    "colour": "Bleu de France",
    "restoration_state": "restored",
    "restoration_notes": "2015, by the owner",
    "history": "Paris salon car, 1938.",
    "prior_awards": "",
}


def _url(ev: dict[str, Any]) -> str:
    return f"/organizer/events/{ev['event_id']}/entries/new"


def _entries(db_url: str, event_id: int) -> list[tuple[Entry, Vehicle, User]]:
    async def go(session: AsyncSession) -> list[tuple[Entry, Vehicle, User]]:
        rows = await session.execute(
            select(Entry, Vehicle, User)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(Entry.event_id == event_id)
            .order_by(Entry.id)
        )
        return [(e, v, u) for e, v, u in rows.all()]

    return run_db(db_url, go)


def test_the_entries_page_links_to_the_form(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    page = client.get(f"/organizer/events/{ev['event_id']}/entries").text
    assert f'href="{_url(ev)}"' in page and "Add an entry" in page
    form = client.get(_url(ev))
    assert form.status_code == 200
    assert 'value="accepted" checked' in form.text  # accepted by default
    assert re.search(r'name="tell_owner" checked', form.text)  # the owner told by default
    assert "Tell the owner (sends their sign-in link)" in form.text


def test_a_new_owner_accepted_with_a_photo_and_told(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    client.get(_url(ev))
    data = dict(OWNER, class_id=str(ev["class_id"]), decision="accepted", tell_owner="on")
    r = post_multipart(client, _url(ev), data, [photo("front.jpg", image_bytes("JPEG"))])
    assert r.status_code == 303, r.text[:500]
    [(entry, vehicle, user)] = _entries(db_url, ev["event_id"])
    assert r.headers["location"] == f"/organizer/events/{ev['event_id']}/entries?added={entry.id}#entry-{entry.id}"
    assert (entry.status, entry.class_id, entry.car_number) == ("accepted", ev["class_id"], 1)
    assert (vehicle.make, vehicle.model, vehicle.coachbuilder, vehicle.colour) == (
        "Delahaye",
        "135 M",
        "Figoni et Falaschi",
        "Bleu de France",
    )
    assert (user.name, user.email) == ("Marcel Owner", "marcel@example.com")
    assert count(db_url, VehiclePhoto, VehiclePhoto.vehicle_id == vehicle.id) == 1
    [mail] = mails(db_url, "marcel@example.com")
    assert "/auth/link/" in mail.body_text and "have entered your 1938 Delahaye 135 M" in mail.body_text
    assert "car number 1" in mail.body_text
    assert count(db_url, AuditLog, AuditLog.action == "add_by_organizer", AuditLog.entity_id == entry.id) == 1
    page = client.get(r.headers["location"]).text
    assert "Added: #1 1938 Delahaye 135 M of Marcel Owner, accepted." in page


def test_an_existing_owner_is_reused_and_not_told(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event(client, db_url)
    with new_client(settings) as owner:  # Edith applies herself first
        r = post(owner, f"/events/{ev['slug']}/apply", APPLICATION)
        assert r.status_code == 200, r.text[:300]
    before_mails = len(mails(db_url, "edith@example.com"))
    data = dict(
        OWNER,
        name="E. Entrant",
        email="EDITH@example.com",
        phone="",
        city="Somewhere else",
        chassis_number="",
        class_id="",
        decision="applied",
    )  # no tell_owner: unticked
    r = post(client, _url(ev), data)
    assert r.status_code == 303, r.text[:500]
    rows = _entries(db_url, ev["event_id"])
    assert len(rows) == 2
    assert rows[0][2].id == rows[1][2].id  # one owner, two cars
    assert rows[1][0].entrant_id == rows[0][0].entrant_id
    assert (rows[1][0].status, rows[1][0].car_number, rows[1][0].class_id) == ("applied", None, None)
    assert count(db_url, User, User.email == "edith@example.com") == 1
    assert count(db_url, Entrant) == 1

    async def owner_now(session: AsyncSession) -> tuple[str, str]:
        entrant = await session.get(Entrant, rows[0][0].entrant_id)
        user = await session.get(User, rows[0][2].id)
        assert entrant is not None and user is not None
        return user.name, entrant.city

    assert run_db(db_url, owner_now) == ("Edith Entrant", "Bath")  # the owner's own details are kept
    assert len(mails(db_url, "edith@example.com")) == before_mails  # not told


def test_a_bad_e_mail_keeps_everything_typed(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    data = dict(OWNER, email="marcel at example", class_id=str(ev["class_id"]), decision="accepted")
    r = post_multipart(client, _url(ev), data, [photo("side.png", image_bytes("PNG"), "image/png")])
    assert r.status_code == 400
    page = html.unescape(r.text)
    assert re.search(r'id="e-email">Enter the owner\'s e-mail address', page)
    for value in ("marcel at example", "Delahaye", "135 M", "Figoni et Falaschi", "Paris salon car, 1938."):
        assert value in page, value
    assert f'<option value="{ev["class_id"]}" selected>' in page
    assert "Kept from your last try: 1 photo" in page  # the photo is not chosen again
    assert 'name="tell_owner"' in page and 'name="tell_owner" checked' not in page  # unticked stays unticked
    assert _entries(db_url, ev["event_id"]) == []
    # Sent again, corrected: the kept photo comes along.
    token = re.search(r'name="pending_photos" value="([0-9a-f]{32})"', page)
    assert token is not None
    r = post(client, _url(ev), dict(data, email="marcel@example.com", pending_photos=token.group(1)))
    assert r.status_code == 303, r.text[:500]
    [(_, vehicle, _)] = _entries(db_url, ev["event_id"])
    assert count(db_url, VehiclePhoto, VehiclePhoto.vehicle_id == vehicle.id) == 1


def test_accepted_needs_a_class_and_the_chassis_is_checked(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    r = post(client, _url(ev), dict(OWNER, class_id="", decision="accepted"))
    assert r.status_code == 400
    assert "An accepted car must be placed in a class." in html.unescape(r.text)
    r = post(client, _url(ev), dict(OWNER, class_id=str(ev["class_id"]), decision="maybe", year="19x8"))
    assert r.status_code == 400
    page = html.unescape(r.text)
    assert "Choose accepted or applied." in page and "Enter the model year as four digits" in page
    assert post(client, _url(ev), dict(OWNER, class_id=str(ev["class_id"]), decision="accepted")).status_code == 303
    again = post(client, _url(ev), dict(OWNER, email="other@example.com", class_id="", decision="applied"))
    assert again.status_code == 400
    assert "chassis number 47190 has already applied" in html.unescape(again.text)
    assert len(_entries(db_url, ev["event_id"])) == 1


def test_judging_yes_after_certification_no(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)

    def status(value: str) -> None:
        async def go(session: AsyncSession) -> None:
            await session.execute(update(Event).where(Event.id == ev["event_id"]).values(status=value))

        run_db(db_url, go)

    status("judging")
    r = post(client, _url(ev), dict(OWNER, class_id=str(ev["class_id"]), decision="accepted"))
    assert r.status_code == 303, r.text[:500]
    status("results_certified")
    page = client.get(_url(ev))
    assert page.status_code == 200
    assert "results of this event are certified" in page.text and 'name="make"' not in page.text
    assert "Add an entry</a>" not in client.get(f"/organizer/events/{ev['event_id']}/entries").text
    r = post(client, _url(ev), dict(OWNER, email="late@example.com", chassis_number="", decision="applied"))
    assert r.status_code == 400
    assert "results of this event are certified" in r.text
    assert len(_entries(db_url, ev["event_id"])) == 1
    assert entries.why_not_add_entry(Event(status="published")) is not None


def test_only_the_event_s_organizers(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event(client, db_url)
    make_organizer(db_url, email="other@example.com")
    with new_client(settings) as other:
        login(other, "other@example.com")
        assert other.get(_url(ev)).status_code in (403, 404)
        r = post(other, _url(ev), dict(OWNER, class_id=str(ev["class_id"]), decision="accepted"))
        assert r.status_code in (403, 404)
    with new_client(settings) as anonymous:
        assert anonymous.get(_url(ev), follow_redirects=False).status_code in (302, 303, 401)
    assert _entries(db_url, ev["event_id"]) == []
