"""Selection from the organizer's side: the review queue, decisions on many, classes moved, combined and split, car
numbers, check-in (an absent car is neither judged nor ranked), CSV import/export, and decisions e-mailed through
a real SMTP server."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry, OutboxMessage, Vehicle
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import (
    Inbox,
    csrf,
    deliver,
    free_port,
    image_bytes,
    login_by_link,
    mails,
    photo,
    post,
    post_multipart,
)
from tests.scenes import APPLICATION, Scene, set_up_event

CARS = [
    # email, make, model, year, chassis, preferred class code
    ("talbot@example.com", "Talbot-Lago", "T150-C SS", "1937", "90034", "C"),
    ("bugatti@example.com", "Bugatti", "Type 57S", "1938", "57502", ""),
    ("packard@example.com", "Packard", "Twelve", "1932", "P-12", "D"),
    ("jaguar@example.com", "Jaguar", "XK140", "1955", "S812", ""),
]


class Field:
    """An event open for registration with classes C and D and the four applications above."""

    def __init__(self, client: TestClient[Any], db_url: str, settings: Settings) -> None:
        self.org, self.db_url, self.settings = client, db_url, settings
        ev = set_up_event(client, db_url)
        self.event_id, self.slug = ev["event_id"], ev["slug"]
        assert (
            post(
                client, f"/organizer/events/{self.event_id}/classes", {"code": "D", "name": "American Classics"}
            ).status_code
            == 303
        )
        page = client.get(f"/organizer/events/{self.event_id}").text
        ids = sorted(int(x) for x in re.findall(r"/organizer/classes/(\d+)/results", page))
        self.classes = {"C": ids[0], "D": ids[1]}
        for email, make, model, year, chassis, pref in CARS:
            form = dict(APPLICATION, email=email, make=make, model=model, year=year, chassis_number=chassis)
            form["preferred_class_id"] = str(self.classes[pref]) if pref else ""
            with new_client(settings) as c:
                r = post_multipart(c, f"/events/{self.slug}/apply", form, [photo("a.jpg", image_bytes("JPEG"))])
                assert r.status_code == 200, r.text
        self.entry = {row[1]: row[0] for row in self.rows()}

    def rows(self) -> list[tuple[int, str, str, int | None, int | None]]:
        async def go(session: AsyncSession) -> list[tuple[int, str, str, int | None, int | None]]:
            result = await session.execute(
                select(Entry.id, Vehicle.make, Entry.status, Entry.class_id, Entry.car_number)
                .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                .order_by(Entry.id)
            )
            return [tuple(r) for r in result.all()]  # type: ignore[misc]

        return run_db(self.db_url, go)

    def by_make(self) -> dict[str, tuple[str, int | None, int | None]]:
        return {make: (status, cls, number) for _id, make, status, cls, number in self.rows()}

    def queue(self, query: str = "") -> str:
        r = self.org.get(f"/organizer/events/{self.event_id}/entries{query}")
        assert r.status_code == 200
        return r.text

    def bulk(self, makes: list[str], **data: str) -> Any:
        payload = {"_csrf_token": csrf(self.org), **data, "entry_ids": [str(self.entry[m]) for m in makes]}
        return self.org.post(f"/organizer/events/{self.event_id}/entries/bulk", data=payload, follow_redirects=False)


@pytest.fixture
def field(client: TestClient[Any], db_url: str, settings: Settings) -> Field:
    return Field(client, db_url, settings)


def test_review_queue_filters_and_shows_photos_and_history(field: Field) -> None:
    page = field.queue()
    assert all(make in page for _, make, *_ in CARS)
    assert page.count("/thumb") == 4 and "Delivered new in Paris" in page
    assert "Applied (4)" in page
    only = field.queue("?make=Bugatti")
    assert "Type 57S" in only and "Twelve" not in only and "XK140" not in only
    thirties = field.queue("?era=1930s")
    assert "XK140" not in thirties and "Twelve" in thirties and "T150-C SS" in thirties
    d = field.queue(f"?class_id={field.classes['D']}")
    assert "Twelve" in d and "T150-C SS" not in d
    assert "T150-C SS" in field.queue("?status=applied") and "T150-C SS" not in field.queue("?status=accepted")
    for junk in ("?status=nope", "?class_id=abc", "?era=19x0s", "?make=" + "x" * 500, "?class_id=99999999999999"):
        assert field.org.get(f"/organizer/events/{field.event_id}/entries{junk}").status_code == 200


def test_decide_many_at_once_with_a_message_each_entrant_emailed(field: Field) -> None:
    r = field.bulk(["Talbot-Lago", "Packard"], action="decide", bulk_status="accepted", bulk_message="Welcome!")
    assert r.status_code == 303, r.text
    state = field.by_make()
    assert state["Talbot-Lago"][:2] == ("accepted", field.classes["C"])  # into their preferred classes
    assert state["Packard"][:2] == ("accepted", field.classes["D"])
    for email in ("talbot@example.com", "packard@example.com"):
        decision = mails(field.db_url, email)[0]
        assert "has been accepted" in decision.body_text and "Welcome!" in decision.body_text
    # The Bugatti has no class: accepting it needs one, and nothing is changed when any entry cannot be decided.
    r = field.bulk(["Bugatti", "Jaguar"], action="decide", bulk_status="accepted")
    assert r.status_code == 400 and "has no class" in r.text
    assert field.by_make()["Jaguar"][0] == "applied"
    r = field.bulk(["Bugatti", "Jaguar"], action="decide", bulk_status="declined", bulk_message="Full this year.")
    assert r.status_code == 303
    assert "was not selected" in mails(field.db_url, "jaguar@example.com")[0].body_text
    # A withdrawn application cannot be decided; the whole batch is refused.
    assert (
        post(field.org, f"/organizer/entries/{field.entry['Jaguar']}/decision", {"status": "waitlisted"}).status_code
        == 303
    )
    with new_client(field.settings) as jag:
        login_by_link(jag, field.db_url, "jaguar@example.com")
        assert post(jag, f"/my/entries/{field.entry['Jaguar']}/withdraw").status_code == 303
    r = field.bulk(["Bugatti", "Jaguar"], action="decide", bulk_status="waitlisted")
    assert r.status_code == 400 and "withdrawn cannot become waitlisted" in r.text
    assert field.by_make()["Bugatti"][0] == "declined"
    assert field.bulk([], action="decide", bulk_status="accepted").status_code == 400
    assert field.bulk(["Bugatti"], action="decide", bulk_status="withdrawn").status_code == 400


def test_move_split_combine_and_number_cars_in_class_order(field: Field) -> None:
    c, d = field.classes["C"], field.classes["D"]
    assert (
        field.bulk(
            ["Talbot-Lago", "Bugatti", "Packard"], action="decide", bulk_status="accepted", bulk_class_id=str(c)
        ).status_code
        == 303
    )
    # Split: the Packard goes to D, keeping its status and number.
    before = field.by_make()["Packard"]
    assert field.bulk(["Packard"], action="move", move_class_id=str(d)).status_code == 303
    assert field.by_make()["Packard"] == ("accepted", d, before[2])
    # Car numbers by class order (C before D), then model year.
    numbered = {make: row[2] for make, row in field.by_make().items()}
    r = post(field.org, f"/organizer/events/{field.event_id}/numbers", {"start": "10"})
    assert r.status_code == 303
    state = field.by_make()
    assert (state["Talbot-Lago"][2], state["Bugatti"][2], state["Packard"][2]) == (10, 11, 12)
    assert state["Jaguar"][2] is None
    # Each owner whose accepted car had a number and now has another is told, once, with both numbers.
    told = number_notices(field.db_url)
    expected = {
        m for m in ("Talbot-Lago", "Bugatti", "Packard") if numbered[m] is not None and numbered[m] != state[m][2]
    }
    assert expected and {make for make, _ in told} == expected and len(told) == len(expected)
    for make, body in told:
        assert f"it was {numbered[make]}. Its new number is {state[make][2]}." in body
    # A number is editable, and a taken one is refused next to the field.
    r = post(
        field.org,
        f"/organizer/entries/{field.entry['Packard']}/decision",
        {"status": "accepted", "class_id": str(d), "car_number": "10"},
    )
    assert r.status_code == 400 and "Car number 10 is already taken" in r.text
    r = post(
        field.org,
        f"/organizer/entries/{field.entry['Packard']}/decision",
        {"status": "accepted", "class_id": str(d), "car_number": "77"},
    )
    assert r.status_code == 303 and field.by_make()["Packard"][2] == 77
    assert (
        number_notices(field.db_url)[-1][0] == "Packard"
        and "it was 12. Its new number is 77." in number_notices(field.db_url)[-1][1]
    )
    assert len(number_notices(field.db_url)) == len(told) + 1
    # Combine D into C: no entry is lost, the Jaguar's preference follows too.
    r = post(
        field.org,
        f"/organizer/events/{field.event_id}/classes/combine",
        {"combine_from": str(d), "combine_into": str(c)},
    )
    assert r.status_code == 303
    state = field.by_make()
    assert [state[m][1] for m in ("Talbot-Lago", "Bugatti", "Packard")] == [c, c, c]
    assert len(field.rows()) == 4
    r = post(
        field.org,
        f"/organizer/events/{field.event_id}/classes/combine",
        {"combine_from": str(c), "combine_into": str(c)},
    )
    assert r.status_code == 400 and "two different classes" in r.text
    for data in ({"combine_from": "x"}, {"combine_from": "99999999999", "combine_into": "1"}):
        assert post(field.org, f"/organizer/events/{field.event_id}/classes/combine", data).status_code == 400
    assert post(field.org, f"/organizer/events/{field.event_id}/numbers", {"start": "-3"}).status_code == 400
    assert field.bulk(["Packard"], action="move", move_class_id="nope").status_code == 400


def number_notices(db_url: str) -> list[tuple[str, str]]:
    """The car-number-changed e-mails queued so far: (the car's make, the body), oldest first."""

    async def go(session: AsyncSession) -> list[tuple[str, str]]:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subject.contains("car number has changed"))
            .order_by(OutboxMessage.id)
        )
        makes = ("Talbot-Lago", "Bugatti", "Packard", "Jaguar")
        return [(next(m for m in makes if m in msg.body_text), msg.body_text) for msg in rows]

    return run_db(db_url, go)


def test_an_absent_car_is_neither_judged_nor_ranked(scene: Scene) -> None:
    org = scene.org
    judge_a = scene.as_user("judge-a@example.com")
    car = scene.entries[0]
    home = judge_a.get("/judging/").text
    assert "Talbot-Lago" in home and "not checked in yet" in home  # not checked in yet, still judged
    field = org.get(f"/organizer/events/{scene.event_id}/field").text
    assert "Not checked in" in field
    assert post(org, f"/organizer/entries/{car}/field", {"action": "check_in"}).status_code == 303
    assert "Checked in" in org.get(f"/organizer/events/{scene.event_id}/field").text
    r = post(org, f"/organizer/entries/{car}/field", {"action": "absent", "reason": ""})
    assert r.status_code == 400 and "Say why the car is absent" in r.text
    r = post(org, f"/organizer/entries/{car}/field", {"action": "absent", "reason": "Broke down on the way"})
    assert r.status_code == 303
    assert "Broke down on the way" in org.get(f"/organizer/events/{scene.event_id}/field").text
    assert "Broke down on the way" in org.get(f"/organizer/events/{scene.event_id}/entries").text
    assert "Talbot-Lago" not in judge_a.get("/judging/").text
    assert judge_a.get(f"/judging/entries/{car}").status_code == 404
    ranking = org.get(f"/organizer/classes/{scene.class_a}/results").text
    ranked, _, not_judged = ranking.partition("Not judged (absent on the day)")
    assert "Talbot-Lago" not in ranked and "Talbot-Lago" in not_judged and "Broke down on the way" in not_judged
    ann = scene.as_user("ann@example.com")
    assert "Marked absent: Broke down on the way" in ann.get("/my/").text
    # Back on the lawn after all: checked in, judged again.
    assert post(org, f"/organizer/entries/{car}/field", {"action": "check_in"}).status_code == 303
    assert "Talbot-Lago" in judge_a.get("/judging/").text
    assert (
        post(org, f"/organizer/entries/{car}/field", {"action": "position", "field_position": "Row B, 4"}).status_code
        == 303
    )
    assert "Row B, 4" in org.get(f"/organizer/events/{scene.event_id}/field").text
    assert post(org, f"/organizer/entries/{car}/field", {"action": "explode"}).status_code == 400
    # Only the event's organizers run the field.
    assert post(ann, f"/organizer/entries/{car}/field", {"action": "check_in"}).status_code == 403
    assert ann.get(f"/organizer/events/{scene.event_id}/field").status_code == 403


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    columns = list(rows[0])
    w = csv.DictWriter(out, fieldnames=columns)
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode()


def _import(client: TestClient[Any], event_id: int, data: bytes, name: str = "entries.csv") -> Any:
    return client.post(
        f"/organizer/events/{event_id}/entries/import",
        data={"_csrf_token": csrf(client)},
        files=[("file", (name, data, "text/csv"))],
        follow_redirects=False,
    )


def test_csv_import_checks_every_row_and_imports_nothing_if_one_is_wrong(field: Field) -> None:
    template = field.org.get(f"/organizer/events/{field.event_id}/entries/template.csv")
    assert template.status_code == 200 and template.headers["content-type"].startswith("text/csv")
    header = template.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["name", "email", "phone"] and "class_code" in header
    good = {k: "" for k in header}
    good.update(
        name="Ida Import",
        email="ida@example.com",
        year="1929",
        make="Duesenberg",
        model="J",
        restoration_state="restored",
        class_code="D",
        status="accepted",
        car_number="40",
    )
    rows = [
        good,
        dict(good, email="not-an-email", car_number="41", chassis_number="D1"),
        dict(good, year="19x9", class_code="Z", car_number="42", chassis_number="D2", email="b@example.com"),
        dict(
            good, restoration_state="shiny", status="maybe", car_number="40", chassis_number="D3", email="c@example.com"
        ),
        dict(good, chassis_number="90034", car_number="", email="d@example.com"),  # the Talbot already applied
    ]
    before = len(field.rows())
    r = _import(field.org, field.event_id, _csv(rows))
    assert r.status_code == 400
    text = r.text
    assert "Nothing was imported" in text
    assert "Row 3, column email" in text
    assert "Row 4, column year" in text and "Row 4, column class_code" in text
    assert (
        "Row 5, column restoration_state" in text
        and "Row 5, column status" in text
        and "Row 5, column car_number" in text
    )
    assert "Row 6, column chassis_number" in text
    assert "Row 2," not in text
    assert len(field.rows()) == before
    # Junk files are explained, never a 500.
    for junk in (
        b"",
        b"\xff\xfe\x00\x00garbage",
        b"just,a,header\n",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b'name,email\n"unclosed',
    ):
        assert _import(field.org, field.event_id, junk).status_code == 400
    r = field.org.post(
        f"/organizer/events/{field.event_id}/entries/import",
        data={"_csrf_token": csrf(field.org)},
        follow_redirects=False,
    )
    assert r.status_code == 400 and "Choose the CSV file" in r.text
    # The corrected file is imported whole.
    fixed = [
        good,
        dict(
            good,
            name="Bo",
            email="bo@example.com",
            car_number="41",
            chassis_number="D1",
            status="applied",
            class_code="",
        ),
    ]
    r = _import(field.org, field.event_id, _csv(fixed))
    assert r.status_code == 200 and "2 entries imported" in r.text
    imported = sorted((status, cls, number) for _id, make, status, cls, number in field.rows() if make == "Duesenberg")
    assert imported == [("accepted", field.classes["D"], 40), ("applied", None, 41)]
    # The export of the field holds the imported accepted car, and re-imports cleanly nowhere twice (duplicates).
    export = field.org.get(f"/organizer/events/{field.event_id}/entries.csv")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [(r["make"], r["class_code"], r["car_number"], r["status"]) for r in lines] == [
        ("Duesenberg", "D", "40", "accepted")
    ]
    everything = list(
        csv.DictReader(
            io.StringIO(
                field.org.get(f"/organizer/events/{field.event_id}/entries.csv?all=1").content.decode("utf-8-sig")
            )
        )
    )
    assert len(everything) == before + 2
    r = _import(field.org, field.event_id, export.content)
    assert r.status_code == 400 and "Row 2, column car_number" in r.text


def test_decisions_are_delivered_to_a_real_smtp_server(field: Field) -> None:
    port = free_port()
    smtp = replace(field.settings, smtp_host="127.0.0.1", smtp_port=port)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert deliver(smtp) == 4  # the four sign-in links after applying
        assert (
            field.bulk(
                ["Talbot-Lago"], action="decide", bulk_status="accepted", bulk_message="See you on the lawn."
            ).status_code
            == 303
        )
        assert field.bulk(["Jaguar"], action="decide", bulk_status="waitlisted").status_code == 303
        assert deliver(smtp) == 2
        assert deliver(smtp) == 0
    finally:
        controller.stop()
    by_to: dict[str, list[str]] = {}
    for m in inbox.messages:
        by_to.setdefault(m["To"], []).append(m.get_payload())
    assert len(by_to) == 4
    assert any("/auth/link/" in body for body in by_to["talbot@example.com"])
    assert any("has been accepted" in body and "See you on the lawn." in body for body in by_to["talbot@example.com"])
    assert any("is on the waiting list" in body for body in by_to["jaguar@example.com"])
    # The organizer sees the outbox, each message delivered.
    page = field.org.get(f"/organizer/events/{field.event_id}/outbox").text
    assert page.count("delivered") == 6

    async def undelivered(session: AsyncSession) -> int:
        return len((await session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))).all())

    assert run_db(field.db_url, undelivered) == 0


def test_organizer_routes_are_the_events_organizers_only(field: Field) -> None:
    with new_client(field.settings) as ent:
        login_by_link(ent, field.db_url, "talbot@example.com")
        for url in ("/entries", "/field", "/entries.csv", "/entries/template.csv", "/entries/import"):
            assert ent.get(f"/organizer/events/{field.event_id}{url}").status_code == 403, url
        assert post(ent, f"/organizer/events/{field.event_id}/numbers").status_code == 403
        assert post(ent, f"/organizer/events/{field.event_id}/entries/bulk", {"action": "decide"}).status_code == 403
        assert (
            post(ent, f"/organizer/entries/{field.entry['Bugatti']}/decision", {"status": "accepted"}).status_code
            == 403
        )


def test_photos_are_seen_by_the_owner_the_organizers_and_the_judges_of_the_class_only(scene: Scene) -> None:
    from concours.services import photos

    async def add_photo(session: AsyncSession) -> int:
        entry = await session.get(Entry, scene.entries[0])
        assert entry is not None
        await photos.store(session, scene.settings, entry.vehicle_id, [photos.process(image_bytes("JPEG"))])
        return entry.vehicle_id

    vehicle_id = run_db(scene.db_url, add_photo)

    async def photo_id(session: AsyncSession) -> int:
        from concours.db import VehiclePhoto

        return int(await session.scalar(select(VehiclePhoto.id).where(VehiclePhoto.vehicle_id == vehicle_id)) or 0)

    pid = run_db(scene.db_url, photo_id)
    assert scene.org.get(f"/photos/{pid}").status_code == 200
    expected = {"ann@example.com": 200, "judge-a@example.com": 200, "bob@example.com": 404, "judge-b@example.com": 404}
    for email, status in expected.items():
        c = scene.as_user(email)
        assert c.get(f"/photos/{pid}/thumb").status_code == status, email


def test_the_organizer_sets_the_deadline_photos_history_limit_and_terms(field: Field) -> None:
    url = f"/organizer/events/{field.event_id}/registration"
    r = post(field.org, url, {"registration_closes_at": "soon", "max_photos": "99", "history_max_chars": "x"})
    assert r.status_code == 400
    assert "Enter a date and time" in r.text and "from 0 to 20" in r.text and "from 100 to 20000" in r.text
    assert 'value="99"' in r.text  # what was typed is kept
    r = post(
        field.org,
        url,
        {
            "registration_closes_at": "2020-01-31T18:00",
            "max_photos": "2",
            "history_max_chars": "300",
            "terms_text": "I release the club.",
        },
    )
    assert r.status_code == 303
    page = field.queue()
    assert "Applications</strong>: closed" in page and "deadline 31 January 2020, 18:00 (Europe/London)" in page
    with new_client(field.settings) as late:
        apply_page = late.get(f"/events/{field.slug}/apply").text
        assert "deadline for applications to this event has passed" in apply_page
    assert (
        post(
            field.org,
            url,
            {
                "registration_closes_at": "",
                "max_photos": "2",
                "history_max_chars": "300",
                "terms_text": "I release the club.",
            },
        ).status_code
        == 303
    )
    with new_client(field.settings) as ent:
        form = ent.get(f"/events/{field.slug}/apply").text
        assert "up to 2" in form and "I release the club." in form and "At most 300 characters" in form
        pics = [photo(f"{n}.jpg", image_bytes("JPEG")) for n in range(3)]
        r = post_multipart(
            ent, f"/events/{field.slug}/apply", dict(APPLICATION, chassis_number="N1", history="h" * 301), pics
        )
        assert r.status_code == 400 and "at most 2 photos per car" in r.text and "this event allows 300" in r.text
