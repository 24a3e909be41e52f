"""Award tracks from history (issue 14), on SQLite and PostgreSQL: a car that won its First at an earlier event
competes for the Senior award at the next one (the same vehicle, or another vehicle record with its chassis
number); the organizer sees each car's track and where it came from, and overrides it with a reason (audited,
refused without one, with the error beside the field)."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, ClassResult, Entrant, Entry, Event, EventClass, User
from concours.services import accounts, class_systems
from concours.services.permissions import Viewer
from concours.settings import Settings
from tests.conftest import run_db
from tests.scenes import Seeded, TrackShows, award_track_shows, seed_scoring, signed_in


@pytest.fixture
def shows(db_url: str, settings: Settings) -> TrackShows:
    return run_db(db_url, lambda session: award_track_shows(session, settings))


def text(page: str) -> str:
    """The page as a person reads it: tags gone, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def row(page: str, car_number: int) -> str:
    m = re.search(rf"<tr>\s*<td>\d+</td><td>#{car_number}</td>.*?</tr>", page, re.S)
    assert m, f"no ranking row for #{car_number}"
    return text(m.group(0))


FIRST_TIME = "No First or Senior recorded at an earlier event: competes for the First award"
WON_FIRST = "Won its First at Spring Meet 2026: competes for the Senior award"


def test_tracks_from_history_and_the_organizers_override(db_url: str, settings: Settings, shows: TrackShows) -> None:
    summer = shows.summer
    with signed_in(settings, summer.organizer_token) as org:
        ranking = org.get(f"/organizer/classes/{summer.class_id}/results").text
        assert f'href="/organizer/classes/{summer.class_id}/tracks"' in ranking
        # The expected explanation of every car (the class's best is 378).
        assert row(ranking, 10) == (
            f"3 #10 1937 Talbot-Lago T150-C SS 0 Owner 0 372 sum of 1 section sheet Track: {WON_FIRST} "
            "No award — competes for the Senior award: 372 is below its minimum of 375 1 sheet team: 372"
        )
        assert row(ranking, 11) == (
            f"1 #11 1938 Talbot-Lago T150-C SS 1 Owner 1 378 Senior sum of 1 section sheet Track: {WON_FIRST} "
            "1 sheet team: 378"
        )
        assert row(ranking, 12) == (
            f"2 #12 1939 Talbot-Lago T150-C SS 2 Owner 2 376 First sum of 1 section sheet Track: {FIRST_TIME} "
            "1 sheet team: 376"
        )

        page = org.get(f"/organizer/classes/{summer.class_id}/tracks").text
        words = text(page)
        assert f"Senior From an earlier award: {WON_FIRST}" in words  # car 10: the same vehicle
        assert "chassis ab1234" in words and words.count(WON_FIRST) == 2  # car 11: its chassis number
        assert f"First No earlier award on record: {FIRST_TIME}" in words

        # Without a reason: refused, the error beside the field, the choice kept.
        r = org.post(
            f"/organizer/classes/{summer.class_id}/tracks",
            data={"entry_id": str(summer.entries[0]), "track": "First", "reason": "  ", "_csrf_token": _csrf(org)},
        )
        assert r.status_code == 400
        assert f'id="e-reason-{summer.entries[0]}"' in r.text
        assert "Say why: the reason is shown with the car's result" in html.unescape(r.text)
        assert re.search(rf'id="f-track-{summer.entries[0]}".*?<option value="First" selected>', r.text, re.S)
        assert _audits(db_url) == []

        reason = "Repainted in the wrong colour since Spring Meet: judged again for its First"
        r = org.post(
            f"/organizer/classes/{summer.class_id}/tracks",
            data={"entry_id": str(summer.entries[0]), "track": "First", "reason": reason, "_csrf_token": _csrf(org)},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        overridden = f"Set by Charlotte Chief: competes for the First award ({reason})"
        words = text(org.get(f"/organizer/classes/{summer.class_id}/tracks").text)
        assert f"First {overridden}" in words and f"Its history says: {WON_FIRST}" in words
        ranking = org.get(f"/organizer/classes/{summer.class_id}/results").text
        assert row(ranking, 10) == (
            f"3 #10 1937 Talbot-Lago T150-C SS 0 Owner 0 372 First sum of 1 section sheet Track: {overridden} "
            "1 sheet team: 372"
        )
        assert _audits(db_url) == [
            (summer.entries[0], {"level": "from history"}, {"level": "First", "reason": reason}, "Charlotte Chief")
        ]

        # The class results PDF says each car's track.
        pdf = org.get(f"/organizer/classes/{summer.class_id}/results.pdf")
        printed = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
        assert "Track: Set by Charlotte Chief: competes for the First award" in printed
        assert f"Track: {WON_FIRST}" in printed and f"Track: {FIRST_TIME}" in printed

        # Certified: each car's explanation keeps its track.
        assert org.post(
            f"/organizer/classes/{summer.class_id}/certify", data={"_csrf_token": _csrf(org)}, follow_redirects=False
        ).status_code in (302, 303)
        assert org.post(
            f"/organizer/events/{summer.event_id}/publish", data={"_csrf_token": _csrf(org)}, follow_redirects=False
        ).status_code in (302, 303)
    # The owner reads their car's track with its result (on the page and the printed report).
    with signed_in(settings, _owner_session(db_url, settings, summer.entries[1])) as owner:
        page = text(owner.get(f"/my/entries/{summer.entries[1]}").text)
        assert f"Result: Senior · score 378 (sum of 1 section sheet) Track: {WON_FIRST}" in page
        pdf = owner.get(f"/my/entries/{summer.entries[1]}/report.pdf")
        printed = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
        assert f"Track: {WON_FIRST}" in printed
    frozen = _frozen(db_url, summer.class_id)
    assert frozen == {
        summer.entries[0]: ("First", overridden, ""),
        summer.entries[1]: ("Senior", WON_FIRST, ""),
        summer.entries[2]: ("First", FIRST_TIME, ""),
    }


def test_back_to_history_and_a_certified_class_refuses(db_url: str, settings: Settings, shows: TrackShows) -> None:
    summer = shows.summer
    with signed_in(settings, summer.organizer_token) as org:
        url = f"/organizer/classes/{summer.class_id}/tracks"
        for track, reason in (("First", "Restored again"), ("", "Its Spring Meet First stands")):
            data = {"entry_id": str(summer.entries[0]), "track": track, "reason": reason, "_csrf_token": _csrf(org)}
            assert org.post(url, data=data, follow_redirects=False).status_code == 303
        assert f"Senior From an earlier award: {WON_FIRST}" in text(org.get(url).text)
        assert [a[2] for a in _audits(db_url)] == [
            {"level": "First", "reason": "Restored again"},
            {"level": "from history", "reason": "Its Spring Meet First stands"},
        ]
        # An award that is not on the track: the error beside the select.
        data = {"entry_id": str(summer.entries[2]), "track": "Gold", "reason": "x", "_csrf_token": _csrf(org)}
        r = org.post(url, data=data)
        assert r.status_code == 400 and f'id="e-track-{summer.entries[2]}"' in r.text
        # A car of another class (the spring class): refused, nothing written.
        data = {"entry_id": str(shows.spring.entries[0]), "track": "First", "reason": "x", "_csrf_token": _csrf(org)}
        r = org.post(url, data=data)
        assert r.status_code == 400 and "Choose a car of this class." in r.text
        assert len(_audits(db_url)) == 2

    # The spring class (certified) shows its tracks and offers no form.
    with signed_in(settings, shows.spring.organizer_token) as org:
        page = org.get(f"/organizer/classes/{shows.spring.class_id}/tracks").text
        assert "Certified: reopen the class to change a track." in page
        assert f'action="/organizer/classes/{shows.spring.class_id}/tracks"' not in page
        data = {"entry_id": str(shows.spring.entries[0]), "track": "Senior", "reason": "x", "_csrf_token": _csrf(org)}
        r = org.post(f"/organizer/classes/{shows.spring.class_id}/tracks", data=data)
        assert r.status_code in (400, 409)
        assert "is certified; reopen it before changing a car's track" in html.unescape(r.text)


def test_the_system_page_says_the_levels_form_a_track(settings: Settings, shows: TrackShows) -> None:
    with signed_in(settings, shows.summer.organizer_token) as org:
        page = org.get(f"/organizer/events/{shows.summer.event_id}/system/settings").text
    assert re.search(r'<input type="checkbox" name="award_tracks"\s+checked>', page)
    assert (
        "They form a track (First → Senior): a car competes only for the award after the one it won at an earlier "
        "event in the app (a car with none, for the First); the organizer can set a car's track with a reason."
    ) in text(page)


def test_a_class_with_its_own_aaca_system_has_the_track(db_url: str, settings: Settings) -> None:
    """The event judges by places; class C uses its own AACA-style system, so its cars have tracks."""

    async def go(session: AsyncSession) -> Seeded:
        show = await seed_scoring(session, settings, judges=1, cars=2)
        event, cls = await session.get(Event, show.event_id), await session.get(EventClass, show.class_id)
        assert event is not None and cls is not None
        chief = await session.scalar(select(User).where(User.email == "chief@example.com"))
        assert chief is not None
        viewer = Viewer(
            chief.id, chief.name, chief.email, True, None, None, frozenset({event.id}), frozenset({event.id})
        )
        await class_systems.set_class_system(session, viewer, event, cls, {"judging": "points", "preset": "aaca_400"})
        return show

    show = run_db(db_url, go)
    with signed_in(settings, show.organizer_token) as org:
        words = text(org.get(f"/organizer/classes/{show.class_id}/tracks").text)
        assert "The awards of this class form a track (First → Senior)" in words
        assert words.count(f"First No earlier award on record: {FIRST_TIME}") == 2
        assert "its award levels form a track" in text(org.get(f"/organizer/classes/{show.class_id}/system").text)
        french = text(org.get(f"/organizer/classes/{show.class_id}/tracks", headers={"Accept-Language": "fr"}).text)
        assert "Parcours de récompenses" in french and "Fixer le parcours du n° 10" in french


def test_another_organizer_and_a_judge_cannot_set_a_track(settings: Settings, shows: TrackShows) -> None:
    url = f"/organizer/classes/{shows.summer.class_id}/tracks"
    for token in (shows.spring.organizer_token, shows.summer.judge_tokens[0]):
        with signed_in(settings, token) as other:
            assert other.get(url).status_code in (403, 404)
            data = {
                "entry_id": str(shows.summer.entries[0]),
                "track": "First",
                "reason": "x",
                "_csrf_token": _csrf(other),
            }
            assert other.post(url, data=data).status_code in (403, 404)


def _csrf(client: Any) -> str:
    token = client.cookies.get("concours_csrf")
    if token is None:
        client.get("/login")
        token = client.cookies.get("concours_csrf")
    return str(token)


def _owner_session(db_url: str, settings: Settings, entry_id: int) -> str:
    async def go(session: AsyncSession) -> str:
        user_id = await session.scalar(
            select(Entrant.user_id).join(Entry, Entry.entrant_id == Entrant.id).where(Entry.id == entry_id)
        )
        assert user_id is not None
        return await accounts.start_session(session, settings, user_id, "test")

    return run_db(db_url, go)


def _audits(db_url: str) -> list[tuple[Any, ...]]:
    async def go(session: AsyncSession) -> list[tuple[Any, ...]]:
        rows = await session.execute(
            select(AuditLog.entity_id, AuditLog.before, AuditLog.after, User.name)
            .join(User, User.id == AuditLog.user_id)
            .where(AuditLog.action == "award_track")
            .order_by(AuditLog.id)
        )
        return [tuple(r) for r in rows.all()]

    return run_db(db_url, go)


def _frozen(db_url: str, class_id: int) -> dict[int, tuple[str, str, str]]:
    async def go(session: AsyncSession) -> dict[int, tuple[str, str, str]]:
        rows = await session.scalars(select(ClassResult).where(ClassResult.class_id == class_id))
        return {r.entry_id: (r.award, r.explanation.get("track", ""), r.explanation.get("no_award", "")) for r in rows}

    return run_db(db_url, go)
