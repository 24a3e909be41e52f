"""Classes in bulk on the event's set-up page (issue 15): a pasted list added whole or not at all, each wrong line
named; the classes of the organizer's earlier event copied, with their own judging systems, skipping codes the
event has."""

from __future__ import annotations

import html
import re
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, ClassSystem, EventClass, Rubric
from concours.services import class_systems
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import login, make_organizer, post
from tests.scenes import count, new_event, organizer, set_up_event


def _classes(db_url: str, event_id: int) -> list[tuple[str, str, int]]:
    async def go(session: AsyncSession) -> list[tuple[str, str, int]]:
        rows = await session.execute(
            select(EventClass.code, EventClass.name, EventClass.position)
            .where(EventClass.event_id == event_id)
            .order_by(EventClass.position, EventClass.id)
        )
        return [(c, n, p) for c, n, p in rows.all()]

    return run_db(db_url, go)


def _list_url(ev: dict[str, Any]) -> str:
    return f"/organizer/events/{ev['event_id']}/classes/list"


def test_a_pasted_list_is_added_in_order(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    page = client.get(f"/organizer/events/{ev['event_id']}").text
    assert 'name="class_list"' in page and "Add several classes" in page
    text = "Code\tName\nA — American Classics\n\nB, British Sports Cars, 1950-1965\nP-2\tPre-War Racing\t\t\n"
    r = post(client, _list_url(ev), {"class_list": text})
    assert r.status_code == 303, r.text[:500]
    assert r.headers["location"] == f"/organizer/events/{ev['event_id']}#classes"
    assert _classes(db_url, ev["event_id"]) == [
        ("C", "French Curves 1935-1939", 1),
        ("A", "American Classics", 2),
        ("B", "British Sports Cars, 1950-1965", 3),
        ("P-2", "Pre-War Racing", 4),
    ]
    assert count(db_url, AuditLog, AuditLog.entity_type == "class", AuditLog.action == "create") == 4


def test_a_bad_line_is_named_and_nothing_is_added(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    text = "A — American Classics\nBritish Sports Cars\nD — Delahaye"
    r = post(client, _list_url(ev), {"class_list": text})
    assert r.status_code == 400
    page = html.unescape(r.text)
    assert "Nothing was added." in page
    assert "Line 2 (“British Sports Cars”): give a code and a name separated by a dash, a comma or a tab" in page
    assert f">{text}</textarea>" in page  # what was pasted is kept to correct
    assert 'aria-invalid="true"' in page
    assert [c for c, _, _ in _classes(db_url, ev["event_id"])] == ["C"]


def test_duplicates_are_refused_with_their_line(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    r = post(client, _list_url(ev), {"class_list": "c — French Again\nA — One\nB — Two\na — One again"})
    assert r.status_code == 400
    page = html.unescape(r.text)
    assert "Line 1: class C already exists in this event." in page
    assert "Line 4: code A is also on line 2." in page
    assert [c for c, _, _ in _classes(db_url, ev["event_id"])] == ["C"]
    r = post(client, _list_url(ev), {"class_list": "  \n"})
    assert r.status_code == 400 and "Paste at least one class" in html.unescape(r.text)


def _two_events(client: TestClient[Any], db_url: str) -> dict[str, int]:
    """Last year's show (A with its own placings system, B with its own points sheet, C), this year's (C only),
    and another organizer's event; ``client`` signs in as the first organizer."""
    make_organizer(db_url)
    make_organizer(db_url, email="other@example.com")

    async def go(session: AsyncSession) -> dict[str, int]:
        viewer = await organizer(session)
        old, made, viewer = await new_event(
            session,
            viewer,
            name="Lakeside Concours 2026",
            classes=(("A", "American Classics"), ("B", "British Sports"), ("C", "French Curves")),
            starts_on="2026-06-13",
            ends_on="2026-06-13",
        )
        made["A"].team_min, made["A"].team_max, made["A"].places_awarded = 3, 5, 2
        await class_systems.set_class_system(session, viewer, old, made["A"], {"judging": "placings", "places": "2"})
        points = class_systems.points_presets()[0][0]
        await class_systems.set_class_system(
            session, viewer, old, made["B"], {"judging": "points", "preset": points, "places": "3"}
        )
        new, _, viewer = await new_event(session, viewer, name="Lakeside Concours 2027", classes=(("C", "Curves"),))
        other, _, _ = await new_event(
            session, await organizer(session, "other@example.com"), name="Someone Else's Show", classes=(("Z", "Z"),)
        )
        return {"old": old.id, "new": new.id, "other": other.id}

    ids = run_db(db_url, go)
    login(client)
    return ids


def test_copy_the_classes_of_an_earlier_event(client: TestClient[Any], db_url: str) -> None:
    ids = _two_events(client, db_url)
    page = html.unescape(client.get(f"/organizer/events/{ids['new']}").text)
    assert "Copy the classes of an earlier event" in page
    assert f'<option value="{ids["old"]}">Lakeside Concours 2026 (2026, 3 classes)</option>' in page
    select_box = re.search(r'<select id="f-copy_from".*?</select>', page, re.S)
    assert select_box is not None
    assert re.findall(r'<option value="(\d+)"', select_box.group(0)) == [str(ids["old"])]  # only their other events

    r = post(client, f"/organizer/events/{ids['new']}/classes/copy", {"copy_from": str(ids["old"])})
    assert r.status_code == 200, r.text[:500]
    assert "Copied 2 classes: A, B. Skipped, as this event already has them: C." in html.unescape(r.text)
    assert _classes(db_url, ids["new"]) == [
        ("C", "Curves", 1),
        ("A", "American Classics", 2),
        ("B", "British Sports", 3),
    ]

    async def copied(session: AsyncSession) -> dict[str, Any]:
        rows = (
            await session.execute(
                select(EventClass, ClassSystem)
                .outerjoin(ClassSystem, ClassSystem.class_id == EventClass.id)
                .where(EventClass.event_id == ids["new"])
            )
        ).all()
        out: dict[str, Any] = {}
        for cls, system in rows:
            rubric = await session.get(Rubric, cls.rubric_id) if cls.rubric_id else None
            out[cls.code] = (
                cls.places_awarded,
                cls.team_min,
                cls.team_max,
                system.method if system else None,
                rubric.event_id if rubric else None,
            )
        return out

    assert run_db(db_url, copied) == {
        "A": (2, 3, 5, "placings", None),
        "B": (3, 2, 4, "points", ids["new"]),  # its own score sheet, copied into this event
        "C": (3, 2, 4, None, None),
    }
    assert count(db_url, AuditLog, AuditLog.action == "copy_classes", AuditLog.event_id == ids["new"]) == 1

    # Again: everything is skipped, and said.
    r = post(client, f"/organizer/events/{ids['new']}/classes/copy", {"copy_from": str(ids["old"])})
    assert r.status_code == 200
    assert "Copied 0 classes. Skipped, as this event already has them: A, B, C." in html.unescape(r.text)


def test_copy_only_from_the_organizer_s_other_events(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ids = _two_events(client, db_url)
    for source in (ids["other"], ids["new"], "", "x", "99999"):
        r = post(client, f"/organizer/events/{ids['new']}/classes/copy", {"copy_from": str(source)})
        assert r.status_code == 400, source
        assert "Choose one of your other events." in r.text
    assert [c for c, _, _ in _classes(db_url, ids["new"])] == ["C"]
    with new_client(settings) as other:  # the other organizer cannot copy into this event, nor paste into it
        login(other, "other@example.com")
        url = f"/organizer/events/{ids['new']}/classes"
        assert post(other, url + "/copy", {"copy_from": str(ids["other"])}).status_code in (403, 404)
        assert post(other, url + "/list", {"class_list": "Q — Sneaky"}).status_code in (403, 404)
    assert [c for c, _, _ in _classes(db_url, ids["new"])] == ["C"]
