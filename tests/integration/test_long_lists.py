"""The long lists of a large show, one page at a time: the organizer's entries and the chief judge's board are
filtered and paginated by the server, the counts beside each filter come from the whole show, every link keeps
the filters, a decision returns to the list it was taken from, and the number of SQL statements of a page does
not grow with the show."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry
from concours.settings import Settings
from tests.conftest import run_db
from tests.helpers import post, statements
from tests.scenes import BigShow, big_show, signed_in

CARS = 120  # 100 accepted in 12 classes (3 judges each), 20 applied / waitlisted / declined


def build(db_url: str, settings: Settings, cars: int = CARS, prefix: str = "") -> BigShow:
    async def go(session: AsyncSession) -> BigShow:
        return await big_show(session, settings, cars=cars, prefix=prefix)

    return run_db(db_url, go)


@pytest.fixture
def show(db_url: str, settings: Settings) -> BigShow:
    return build(db_url, settings)


def entries_of(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<article class="card entry" id="entry-(\d+)"', page)]


def cars_of(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr id="car-(\d+)"', page)]


def links(page: str, label: str) -> list[dict[str, list[str]]]:
    """The query of every link in the page whose text starts with ``label``."""
    found = re.findall(r'<a href="\?([^"]*)"[^>]*>\s*' + re.escape(label), html.unescape(page))
    return [parse_qs(q) for q in found]


def count_in_db(db_url: str, event_id: int, status: str) -> int:
    async def go(session: AsyncSession) -> int:
        n = await session.scalar(
            select(func.count()).select_from(Entry).where(Entry.event_id == event_id, Entry.status == status)
        )
        return int(n or 0)

    return run_db(db_url, go)


# -- the organizer's entries --------------------------------------------------------------------------------


def test_entries_are_paginated_filtered_and_counted(db_url: str, settings: Settings, show: BigShow) -> None:
    url = f"/organizer/events/{show.event_id}/entries"
    with signed_in(settings, show.organizer_token) as org:
        first = org.get(url).text
        assert entries_of(first) == show.accepted[:50]  # car-number order: accepted cars first
        assert "Entries 1–50 of 120" in first and "page 1 of 3" in first
        assert links(first, "Next ›") == [{"page": ["2"]}]
        last = org.get(f"{url}?page=3").text
        assert entries_of(last) == show.entries[100:]  # the unnumbered applications, in the order they came
        assert "Entries 101–120 of 120" in last and "Next ›" not in last and links(last, "‹ Previous")
        # A page past the end is the last page; a page that is not a number is the first.
        assert entries_of(org.get(f"{url}?page=999").text) == entries_of(last)
        assert entries_of(org.get(f"{url}?page=x2").text) == entries_of(first)

        # The counts per status are the whole show's, and each status link keeps the other filters.
        for status in ("accepted", "applied", "waitlisted", "declined"):
            assert f"{status.capitalize()} ({count_in_db(db_url, show.event_id, status)})" in first
        k00 = show.class_ids[0]
        in_class = org.get(f"{url}?class_id={k00}").text
        assert len(entries_of(in_class)) == 9 + 1  # nine accepted into K00, one application preferring it
        assert "K00 — Class 0 of the lawn (10)" in html.unescape(first)
        assert {"class_id": [str(k00)], "status": ["applied"]} in links(in_class, "Applied (")
        applied = org.get(f"{url}?class_id={k00}&status=applied").text
        assert "Entries 1–1 of 1 matching these filters" in applied
        assert "Applied (1)" in applied and "Accepted (9)" in applied  # counts under the other filters

        # Search: a car number, or words of the owner, the make or the model.
        by_number = org.get(f"{url}?q=%2312").text
        assert entries_of(by_number) == [show.accepted[11]]
        assert entries_of(org.get(f"{url}?q=model+42").text) == [show.accepted[42]]
        assert entries_of(org.get(f"{url}?q=Lawnsby+owner+105").text) == [show.entries[105]]
        nothing = org.get(f"{url}?q=%25_nobody").text  # LIKE's wildcards are only characters
        assert entries_of(nothing) == [] and "No entries match these filters" in nothing

        # The pages keep the filters: page 2 of the accepted cars.
        accepted = org.get(f"{url}?status=accepted").text
        assert {"status": ["accepted"], "page": ["2"]} in links(accepted, "Next ›")
        assert entries_of(org.get(f"{url}?status=accepted&page=2").text) == show.accepted[50:]


def test_a_decision_returns_to_the_list_it_was_taken_from(settings: Settings, show: BigShow) -> None:
    applicant = show.entries[102]  # page 3 of everything; page 1 of the applications
    with signed_in(settings, show.organizer_token) as org:
        listed = org.get(f"/organizer/events/{show.event_id}/entries?status=applied&q=owner").text
        assert f'id="entry-{applicant}"' in listed
        assert 'name="list" value="status=applied&amp;q=owner"' in listed
        r = post(
            org, f"/organizer/entries/{applicant}/decision", {"status": "waitlisted", "list": "status=applied&q=owner"}
        )
        assert r.status_code == 303
        target = urlsplit(r.headers["location"])
        assert target.path == f"/organizer/events/{show.event_id}/entries"
        assert (
            parse_qs(target.query) == {"status": ["applied"], "q": ["owner"]}
            and target.fragment == f"entry-{applicant}"
        )
        # Refused (a car number that is taken): the same list, and the entry's card with the error shown even
        # though its page (page 3 of everything) is not the one the list is on.
        taken = org.get(f"/organizer/events/{show.event_id}/entries").text
        other = show.entries[105]  # applied too
        r = post(
            org,
            f"/organizer/entries/{other}/decision",
            {"status": "accepted", "class_id": str(show.class_ids[0]), "car_number": "1", "list": ""},
        )
        assert r.status_code == 400
        card = re.search(rf'<article class="card entry" id="entry-{other}">(.*?)</article>', r.text, re.S)
        assert card and 'class="error"' in card.group(1), r.text[:2000]
        assert entries_of(r.text)[0] == other and len(entries_of(r.text)) == 51
        assert entries_of(taken) == entries_of(r.text)[1:]
        # A list that is not a query string is just ignored.
        r = post(org, f"/organizer/entries/{other}/decision", {"status": "declined", "list": "page=%ZZ&\x01"})
        assert r.status_code == 303 and r.headers["location"].endswith(f"/entries#entry-{other}")


def test_bulk_decisions_keep_the_list(settings: Settings, show: BigShow) -> None:
    ids = [str(i) for i in show.entries[100:103]]
    with signed_in(settings, show.organizer_token) as org:
        r = post(
            org,
            f"/organizer/events/{show.event_id}/entries/bulk",
            {"action": "decide", "bulk_status": "declined", "entry_ids": ids, "list": "status=applied"},
        )
        assert r.status_code == 303, r.text[:500]
        assert parse_qs(urlsplit(r.headers["location"]).query)["status"] == ["applied"]


# -- the chief judge's board --------------------------------------------------------------------------------


def test_board_filters_by_state_class_and_search(show: BigShow, settings: Settings) -> None:
    url = f"/chief/events/{show.event_id}"
    # The scene's accepted cars go round: nobody started, one in progress, all submitted, one late and flagged.
    not_started, one_started, done, late = (show.accepted[k::4] for k in range(4))
    with signed_in(settings, show.organizer_token) as chief:
        first = chief.get(url).text
        assert cars_of(first) == show.accepted[:50] and "Cars 1–50 of 100" in first
        assert "K00 — Class 0 of the lawn" in html.unescape(first)  # the summary of every class, at the top
        assert links(first, "Next ›") == [{"page": ["2"]}]
        assert cars_of(chief.get(f"{url}?page=2").text) == show.accepted[50:]
        text = html.unescape(first)
        for label, cars in (("Not started", not_started), ("Late", late), ("Submitted", done), ("Flagged", late)):
            assert f"{label} ({len(cars)})" in text
        assert f"In progress ({len(one_started) + len(late)})" in text

        for show_, expected in (
            ("not_started", not_started),
            ("submitted", done),
            ("late", late),
            ("flagged", late),
            ("in_progress", sorted(one_started + late)),
        ):
            page = chief.get(f"{url}?show={show_}").text
            assert cars_of(page) == expected, show_
        late_page = html.unescape(chief.get(f"{url}?show=late").text)
        rows = re.findall(r'<tr id="car-\d+">(.*?)</tr>', late_page, re.S)
        assert rows and all("late" in row and "⚑" in row for row in rows)

        # One class: its cars only, the counts of that class, and every link keeps the class.
        k01 = show.class_ids[1]
        in_class = chief.get(f"{url}?class_id={k01}").text
        k01_cars = cars_of(in_class)
        assert k01_cars and set(k01_cars) < set(show.accepted)
        assert {"class_id": [str(k01)], "show": ["late"]} in links(in_class, "Late (")
        assert f'hx-get="{url}?class_id={k01}"' in in_class  # the live refresh reloads the same view
        late_in_class = chief.get(f"{url}?class_id={k01}&show=late").text
        assert cars_of(late_in_class) == [c for c in k01_cars if c in late]
        assert f'hx-get="{url}?class_id={k01}&amp;show=late"' in late_in_class

        # Search by car number, by the car's name, by a judge's name.
        assert cars_of(chief.get(f"{url}?q=%235").text) == [show.accepted[4]]
        assert cars_of(chief.get(f"{url}?q=model+77").text) == [show.accepted[77]]
        k05_cars = cars_of(chief.get(f"{url}?class_id={show.class_ids[5]}").text)
        assert k05_cars == show.accepted[42:50] and cars_of(chief.get(f"{url}?q=judge+5-1").text) == k05_cars
        assert "No cars under these filters" in chief.get(f"{url}?q=nothing+here").text
        for junk in ("?show=everything", "?class_id=x", "?page=-1", "?q=" + "x" * 500, "?class_id=99999999999"):
            assert chief.get(url + junk).status_code == 200


def test_list_pages_run_the_same_statements_at_any_size(db_url: str, settings: Settings) -> None:
    """No query per row: the statements of a page are the same for 60 cars and for 300."""
    seen: dict[str, list[int]] = {"entries": [], "board": []}
    for cars, prefix in ((60, "s-"), (300, "l-")):
        show = build(db_url, settings, cars, prefix)
        with signed_in(settings, show.organizer_token) as org:
            for name, url in (
                ("entries", f"/organizer/events/{show.event_id}/entries?status=accepted"),
                ("board", f"/chief/events/{show.event_id}?show=in_progress"),
            ):
                org.get(url)  # warm: the session is looked up once
                with statements(org) as run:
                    assert org.get(url).status_code == 200
                seen[name].append(len(run))
    assert seen["entries"][0] == seen["entries"][1] and seen["board"][0] == seen["board"][1], seen
    assert seen["entries"][0] <= 10, seen
