"""Applications from the entrant's side: photos checked by content, the deadline, duplicates, the portal (edit,
withdraw, cars kept for next year) — and no request an entrant can send answers 500."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from PIL import Image
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry, Event, Vehicle, VehiclePhoto, utcnow
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import (
    GPS_TAG,
    image_bytes,
    jpeg_with_location,
    login_by_link,
    mails,
    photo,
    post,
    post_multipart,
)
from tests.scenes import APPLICATION, set_up_event


def count_rows(db_url: str, model: Any) -> int:
    async def go(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    return run_db(db_url, go)


def set_event(db_url: str, event_id: int, **values: Any) -> None:
    async def go(session: AsyncSession) -> None:
        await session.execute(update(Event).where(Event.id == event_id).values(**values))

    run_db(db_url, go)


def stored_files(settings: Settings) -> list[Path]:
    root = Path(settings.media_dir)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def event(client: TestClient[Any], db_url: str) -> dict[str, Any]:
    return set_up_event(client, db_url)


def test_apply_with_photos_then_portal_edit_and_withdraw(
    client: TestClient[Any], db_url: str, settings: Settings, event: dict[str, Any]
) -> None:
    slug = event["slug"]
    with new_client(settings) as ent:
        form = ent.get(f"/events/{slug}/apply").text
        assert 'enctype="multipart/form-data"' in form and 'name="photos"' in form
        r = post_multipart(
            ent,
            f"/events/{slug}/apply",
            dict(APPLICATION, restoration_notes="2019, by a Paris specialist"),
            [photo("front.jpg", jpeg_with_location()), photo("side.png", image_bytes("PNG"), "image/png")],
        )
        assert r.status_code == 200, r.text
        assert "your application is in" in r.text
        # Stored outside static/, under the media directory; two files (photo and thumbnail) per photo.
        files = stored_files(settings)
        assert len(files) == 4 and all("static" not in str(p) for p in files)
        # The e-mail with the sign-in link to the portal.
        (mail,) = mails(db_url, "edith@example.com")
        assert "Thank you for applying" in mail.body_text and "/auth/link/" in mail.body_text

        login_by_link(ent, db_url, "edith@example.com")
        portal = ent.get("/my/").text
        assert "Talbot-Lago" in portal and "Applied" in portal and "Edit application" in portal
        photo_ids = [int(x) for x in re.findall(r"/photos/(\d+)/thumb", portal)]
        assert len(photo_ids) == 2
        # The owner sees the re-encoded photo: a JPEG without any EXIF (no location).
        r = ent.get(f"/photos/{photo_ids[0]}")
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        served = Image.open(io.BytesIO(r.content))
        assert served.format == "JPEG" and served.size == (640, 480)
        assert not served.getexif() and GPS_TAG not in served.getexif()
        thumb = Image.open(io.BytesIO(ent.get(f"/photos/{photo_ids[1]}/thumb").content))
        assert max(thumb.size) <= 400
        # The organizer sees them; nobody else does.
        assert client.get(f"/photos/{photo_ids[0]}").status_code == 200
        with new_client(settings) as anonymous:
            assert anonymous.get(f"/photos/{photo_ids[0]}").status_code == 404
        with new_client(settings) as other:
            assert (
                post(
                    other, f"/events/{slug}/apply", dict(APPLICATION, email="o@example.com", chassis_number="X9")
                ).status_code
                == 200
            )
            login_by_link(other, db_url, "o@example.com")
            assert other.get(f"/photos/{photo_ids[0]}").status_code == 404
            assert other.get(f"/photos/{photo_ids[0]}/thumb").status_code == 404

        # Edit: another colour, one photo removed, one added.
        entry_id = int(re.search(r"/my/entries/(\d+)/edit", portal).group(1))  # type: ignore[union-attr]
        edit = ent.get(f"/my/entries/{entry_id}/edit").text
        assert 'value="Silver"' in edit and "2019, by a Paris specialist" in edit
        fields = {k: v for k, v in APPLICATION.items() if k not in ("name", "email", "terms")}
        r = post_multipart(
            ent,
            f"/my/entries/{entry_id}/edit",
            dict(fields, colour="Bleu de France", remove_photo=str(photo_ids[0])),
            [photo("rear.webp", image_bytes("WEBP"), "image/webp")],
        )
        assert r.status_code == 303, r.text
        edit = ent.get(f"/my/entries/{entry_id}/edit").text
        assert 'value="Bleu de France"' in edit and f"/photos/{photo_ids[0]}/thumb" not in edit
        assert edit.count("/thumb") == 2
        assert ent.get(f"/photos/{photo_ids[0]}").status_code == 404  # removed

        # Withdraw.
        r = post(ent, f"/my/entries/{entry_id}/withdraw")
        assert r.status_code == 303
        portal = ent.get("/my/").text
        assert "Withdrawn" in portal and f"/my/entries/{entry_id}/edit" not in portal
        assert post(ent, f"/my/entries/{entry_id}/withdraw").status_code == 400  # not twice
        # A withdrawn car's chassis may apply again.
        assert post(ent, f"/events/{slug}/apply", APPLICATION).status_code == 200


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("car.jpg", b"MZ\x90\x00 this is a program, not a photo" * 40, "image/jpeg"),
        ("car.png", image_bytes("GIF"), "image/png"),  # a real image, but GIF disguised by its name
        ("car.jpg", b"%PDF-1.4\n" + b"0" * 2000, "image/jpeg"),
        ("car.webp", jpeg_with_location()[:300], "image/webp"),  # truncated
    ],
)
def test_a_file_that_is_not_a_jpeg_png_or_webp_is_refused(
    client: TestClient[Any],
    db_url: str,
    settings: Settings,
    event: dict[str, Any],
    name: str,
    data: bytes,
    content_type: str,
) -> None:
    with new_client(settings) as ent:
        r = post_multipart(ent, f"/events/{event['slug']}/apply", APPLICATION, [photo(name, data, content_type)])
    assert r.status_code == 400
    assert "is not a JPEG, PNG or WebP photo" in r.text and 'id="e-photos"' in r.text
    assert 'value="Talbot-Lago"' in r.text and "Delivered new in Paris" in r.text  # nothing typed is lost
    assert count_rows(db_url, Entry) == 0 and count_rows(db_url, VehiclePhoto) == 0
    assert stored_files(settings) == []
    assert mails(db_url, "edith@example.com") == []


def test_oversize_photo_is_refused(
    client: TestClient[Any], db_url: str, settings: Settings, event: dict[str, Any]
) -> None:
    noise = Image.frombytes("RGB", (1800, 1700), os.urandom(1800 * 1700 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    big = out.getvalue()
    assert len(big) > 8 * 1024 * 1024
    with new_client(settings) as ent:
        r = post_multipart(ent, f"/events/{event['slug']}/apply", APPLICATION, [photo("big.png", big, "image/png")])
    assert r.status_code == 400 and "a photo may be at most 8 MB" in r.text
    assert count_rows(db_url, Entry) == 0


def test_too_many_photos_are_refused(
    client: TestClient[Any], db_url: str, settings: Settings, event: dict[str, Any]
) -> None:
    set_event(db_url, event["event_id"], max_photos=3)
    pics = [photo(f"p{n}.jpg", image_bytes("JPEG")) for n in range(4)]
    with new_client(settings) as ent:
        r = post_multipart(ent, f"/events/{event['slug']}/apply", dict(APPLICATION, make=""), pics)
        assert r.status_code == 400
        assert "at most 3 photos per car; you sent 4" in r.text
        assert "Enter the make." in r.text  # every problem at once
        assert count_rows(db_url, Entry) == 0 and count_rows(db_url, VehiclePhoto) == 0
        r = post_multipart(ent, f"/events/{event['slug']}/apply", APPLICATION, pics[:3])
        assert r.status_code == 200
    assert count_rows(db_url, VehiclePhoto) == 3


def test_a_second_application_for_the_same_chassis_is_explained(
    client: TestClient[Any], db_url: str, settings: Settings, event: dict[str, Any]
) -> None:
    with new_client(settings) as a:
        assert post(a, f"/events/{event['slug']}/apply", APPLICATION).status_code == 200
    with new_client(settings) as b:
        r = post(
            b, f"/events/{event['slug']}/apply", dict(APPLICATION, email="b@example.com", chassis_number=" 90034 ")
        )
    assert r.status_code == 400
    assert "A car with chassis number 90034 has already applied to this event" in r.text
    assert 'value="b@example.com"' in r.text
    assert count_rows(db_url, Entry) == 1


def test_application_after_the_deadline_is_refused(
    client: TestClient[Any], db_url: str, settings: Settings, event: dict[str, Any]
) -> None:
    set_event(db_url, event["event_id"], registration_closes_at=utcnow() - timedelta(minutes=1))
    with new_client(settings) as ent:
        page = ent.get(f"/events/{event['slug']}/apply")
        assert page.status_code == 200 and "deadline for applications to this event has passed" in page.text
        r = post_multipart(ent, f"/events/{event['slug']}/apply", APPLICATION, [photo("a.jpg", image_bytes("JPEG"))])
    assert r.status_code == 400 and "deadline for applications to this event has passed" in r.text
    assert count_rows(db_url, Entry) == 0 and stored_files(settings) == []


def test_edit_closes_at_the_deadline(
    client: TestClient[Any], db_url: str, settings: Settings, event: dict[str, Any]
) -> None:
    with new_client(settings) as ent:
        assert post(ent, f"/events/{event['slug']}/apply", APPLICATION).status_code == 200
        login_by_link(ent, db_url, "edith@example.com")
        entry_id = int(re.search(r"/my/entries/(\d+)/edit", ent.get("/my/").text).group(1))  # type: ignore[union-attr]
        set_event(db_url, event["event_id"], registration_closes_at=utcnow() - timedelta(seconds=1))
        assert "Edit application" not in ent.get("/my/").text
        fields = {k: v for k, v in APPLICATION.items() if k not in ("name", "email", "terms")}
        r = post(ent, f"/my/entries/{entry_id}/edit", dict(fields, colour="Red"))
        assert r.status_code == 400 and "deadline has passed" in r.text
        assert "Withdraw" in ent.get("/my/").text  # withdrawing is still possible


def test_a_returning_entrant_applies_with_a_saved_car(
    client: TestClient[Any], db_url: str, settings: Settings, event: dict[str, Any]
) -> None:
    with new_client(settings) as ent:
        assert (
            post_multipart(
                ent, f"/events/{event['slug']}/apply", APPLICATION, [photo("a.jpg", image_bytes("JPEG"))]
            ).status_code
            == 200
        )
    # Next year's event.
    r = post(
        client,
        "/organizer/events",
        {
            "name": "Lakeside Concours 2028",
            "venue": "Lakeside Park",
            "starts_on": "2028-06-10",
            "ends_on": "2028-06-10",
            "timezone": "Europe/London",
        },
    )
    next_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert post(client, f"/organizer/events/{next_id}/status", {"status": "registration_open"}).status_code == 303
    slug2 = (
        __import__("re")
        .search(r'href="/events/([a-z0-9-]+)"', client.get(f"/organizer/events/{next_id}").text)
        .group(1)
    )  # type: ignore[union-attr]
    with new_client(settings) as ent:
        login_by_link(ent, db_url, "edith@example.com")
        portal = ent.get("/my/").text
        assert "My cars" in portal and f"/events/{slug2}/apply?vehicle=" in portal
        vehicle_id = int(re.search(rf"/events/{slug2}/apply\?vehicle=(\d+)", portal).group(1))  # type: ignore[union-attr]
        form = ent.get(f"/events/{slug2}/apply?vehicle={vehicle_id}").text
        assert 'value="Talbot-Lago"' in form and 'value="90034"' in form and "/thumb" in form
        r = post(
            ent,
            f"/events/{slug2}/apply",
            {
                "vehicle_id": str(vehicle_id),
                "name": "Edith Entrant",
                **{k: v for k, v in APPLICATION.items() if k not in ("name", "email")},
            },
        )
        assert r.status_code == 200, r.text
        assert count_rows(db_url, Vehicle) == 1 and count_rows(db_url, Entry) == 2
        # The same car twice at one event is caught.
        r = post(ent, f"/events/{slug2}/apply", {"vehicle_id": str(vehicle_id), **APPLICATION})
        assert r.status_code == 400 and "already has an application at this event" in r.text
    # Another person cannot apply with Edith's car.
    with new_client(settings) as other:
        assert (
            post(
                other, f"/events/{event['slug']}/apply", dict(APPLICATION, email="x@example.com", chassis_number="Z1")
            ).status_code
            == 200
        )
        login_by_link(other, db_url, "x@example.com")
        r = post(other, f"/events/{slug2}/apply", {"vehicle_id": str(vehicle_id), **APPLICATION})
        assert r.status_code == 400 and "Choose one of your own cars" in r.text


def test_nothing_an_entrant_sends_answers_500(
    client: TestClient[Any], db_url: str, settings: Settings, event: dict[str, Any]
) -> None:
    slug = event["slug"]
    with new_client(settings) as ent:
        assert post(ent, f"/events/{slug}/apply", APPLICATION).status_code == 200
        login_by_link(ent, db_url, "edith@example.com")
        entry_id = int(re.search(r"/my/entries/(\d+)/edit", ent.get("/my/").text).group(1))  # type: ignore[union-attr]
        nasty: list[dict[str, Any]] = [
            {},
            {"year": "1e9", "make": "x" * 5000, "email": "no", "preferred_class_id": "99999999999999999999"},
            {"year": "-1", "preferred_class_id": "abc", "restoration_state": "new", "history": "h" * 100000},
            dict(APPLICATION, name="Nul\x00byte", chassis_number="\x00", vehicle_id="abc"),
            dict(APPLICATION, vehicle_id="999999999999999999999", chassis_number="Q1"),
            dict(APPLICATION, vehicle_id="0", chassis_number="Q2"),
        ]
        for data in nasty:
            for url in (f"/events/{slug}/apply", f"/my/entries/{entry_id}/edit"):
                r = post(ent, url, data)
                assert r.status_code < 500, (url, data, r.text[:300])
            r = post_multipart(ent, f"/events/{slug}/apply", data, [photo("x.jpg", b"")])
            assert r.status_code < 500
        r = post_multipart(
            ent, f"/my/entries/{entry_id}/edit", {"remove_photo": "abc"}, [photo("\x00.jpg", b"\xff\xd8\xff")]
        )
        assert r.status_code < 500
        for url in (
            "/photos/0",
            "/photos/99999999999",
            "/photos/abc",
            "/photos/1/thumb",
            f"/my/entries/{entry_id + 1}/edit",
        ):
            assert ent.get(url).status_code in (404, 400), url
        assert post(ent, f"/my/entries/{entry_id + 1}/withdraw").status_code == 404
        assert post(ent, "/events/no-such-event/apply", APPLICATION).status_code == 404
        # Without the CSRF token nothing happens.
        r = ent.post(f"/events/{slug}/apply", data=APPLICATION, files=[photo("a.jpg", image_bytes("JPEG"))])
        assert r.status_code == 403
