"""Judging by placings over HTTP, and a judging system per class: three judges order a class → results →
certify → publish → the entrant sees the judges' notes without points; a team's consensus order; classes of
one event judged by different systems; certifying needs each unjudged car acknowledged."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar.testing import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, Entrant, Entry, Event, EventClass, Judge, PlacingSheet, User
from concours.services import accounts, events, teams
from concours.services.permissions import Viewer
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import htmx_post, post
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring


@contextmanager
def signed_in(settings: Settings, token: str) -> Iterator[TestClient[Any]]:
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, token)
        yield c


def seed(db_url: str, settings: Settings, **kwargs: Any) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, **kwargs)

    return run_db(db_url, go)


def owner_token(db_url: str, settings: Settings, entry_id: int) -> str:
    async def go(session: AsyncSession) -> str:
        user_id = await session.scalar(
            select(Entrant.user_id).join(Entry, Entry.entrant_id == Entrant.id).where(Entry.id == entry_id)
        )
        assert user_id is not None
        return await accounts.start_session(session, settings, user_id, "test")

    return run_db(db_url, go)


def slug_of(db_url: str, event_id: int) -> str:
    async def go(session: AsyncSession) -> str:
        event = await session.get(Event, event_id)
        assert event is not None
        return event.slug

    return run_db(db_url, go)


def order_of(*ids: int) -> str:
    return ",".join(str(i) for i in ids)


def judge_orders(settings: Settings, show: Seeded, token: str, order: tuple[int, ...], notes: dict[int, str]) -> None:
    cid = show.class_id
    with signed_in(settings, token) as judge:
        page = judge.get(f"/judging/classes/{cid}/placings")
        assert page.status_code == 200, page.text
        assert "What to weigh" in page.text and "Elegance" in page.text and "Presence" in page.text
        assert 'name="value"' not in page.text  # no numbers to fill in
        # The points sheet of a car in this class leads to the placings sheet instead.
        r = judge.get(f"/judging/entries/{show.entries[0]}", follow_redirects=False)
        assert r.status_code in (302, 303) and f"/judging/classes/{cid}/placings" in r.headers["location"]
        for entry_id, note in notes.items():
            r = htmx_post(judge, f"/judging/classes/{cid}/placings/notes/{entry_id}", {"note": note, "change_id": "n"})
            assert r.status_code == 200 and "Saved" in r.text, r.text
        r = htmx_post(judge, f"/judging/classes/{cid}/placings/order", {"order": order_of(*order), "change_id": "o1"})
        assert r.status_code == 200 and "Saved" in r.text
        # a replayed change from the tablet's queue leaves the same sheet
        assert (
            htmx_post(judge, f"/judging/classes/{cid}/placings/order", {"order": order_of(*order)}).status_code == 200
        )
        r = post(judge, f"/judging/classes/{cid}/placings/submit", {"order": order_of(*order)})
        assert r.status_code == 303, r.text
        page = judge.get(f"/judging/classes/{cid}/placings")
        assert "This order is submitted" in page.text
        # a submitted order is signed: no more changes
        r = htmx_post(judge, f"/judging/classes/{cid}/placings/order", {"order": order_of(*reversed(order))})
        assert r.status_code == 409


def test_three_judges_place_a_class_certify_publish_entrant_sees_notes(db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings, judges=3, cars=3)
    e0, e1, e2 = show.entries
    with signed_in(settings, show.organizer_token) as org:
        page = org.get(f"/organizer/classes/{show.class_id}/system")
        assert page.status_code == 200 and "Placings, the French way" in page.text
        # bad input: shown next to the field, nothing saved
        r = post(org, f"/organizer/classes/{show.class_id}/system", {"judging": "placings", "places": "99"})
        assert r.status_code == 400 and "1 to 10" in r.text
        r = post(org, f"/organizer/classes/{show.class_id}/system", {"judging": "placings", "places": "3"})
        assert r.status_code == 303, r.text
        assert "Placings, the French way" in org.get(f"/organizer/events/{show.event_id}").text

    # Judge 0 bad orders are refused with a reason, never a 500.
    with signed_in(settings, show.judge_tokens[0]) as judge:
        url = f"/judging/classes/{show.class_id}/placings/order"
        for bad, why in ((order_of(e0, e1), "not placed"), (order_of(e0, e0, e1), "twice"), ("1,x", "malformed")):
            r = htmx_post(judge, url, {"order": bad})
            assert r.status_code == 422 and why in r.text, (bad, r.text)
    judge_orders(settings, show, show.judge_tokens[0], (e0, e1, e2), {e0: "Superb proportions; a true presence."})
    judge_orders(settings, show, show.judge_tokens[1], (e1, e0, e2), {e0: "The finest line in the class."})
    judge_orders(settings, show, show.judge_tokens[2], (e0, e2, e1), {e2: "Lovely patina, tell its story."})

    with signed_in(settings, show.organizer_token) as org:
        board = org.get(f"/chief/events/{show.event_id}")
        assert board.status_code == 200 and "Judged by placings: 3 order(s) submitted" in board.text
        page = org.get(f"/organizer/classes/{show.class_id}/results")
        assert page.status_code == 200
        text = page.text
        # Borda n = 3: e0 = 2+1+2 = 5, e1 = 1+2+0 = 3, e2 = 0+0+1 = 1
        assert "Borda count 5 of a possible 6" in text and "Borda count 3 of a possible 6" in text
        assert text.index("T150-C SS 0") < text.index("T150-C SS 1") < text.index("T150-C SS 2")
        assert "Agreement between the judges" in text and "Kendall" in text
        pdf = org.get(f"/organizer/classes/{show.class_id}/results.pdf")
        assert pdf.status_code == 200
        pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "1st in class" in pdf_text and "Judged by placings" in pdf_text
        assert "Borda count 5" not in pdf_text and "Score" not in pdf_text
        r = post(org, f"/organizer/classes/{show.class_id}/certify")
        assert r.status_code == 303, r.text
        r = post(org, f"/organizer/events/{show.event_id}/publish")
        assert r.status_code == 303, r.text

    slug = slug_of(db_url, show.event_id)
    with new_client(settings) as public:
        page = public.get(f"/events/{slug}/results")
        assert page.status_code == 200 and "1st in class" in page.text and "Borda" not in page.text

    with signed_in(settings, owner_token(db_url, settings, e0)) as owner:
        page = owner.get(f"/my/entries/{e0}")
        assert page.status_code == 200, page.text
        assert "1st in class" in page.text
        assert "Superb proportions; a true presence." in page.text and "The finest line in the class." in page.text
        assert "Lovely patina" not in page.text  # another car's note
        assert "Borda" not in page.text and "· score" not in page.text and "Score sheets" not in page.text
        pdf = owner.get(f"/my/entries/{e0}/report.pdf")
        assert pdf.status_code == 200
        pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "1st in class" in pdf_text and "The finest line in the class." in pdf_text
        assert "Borda" not in pdf_text


def test_a_team_records_its_consensus_order(db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings, judges=2, cars=3)
    e0, e1, e2 = show.entries
    with signed_in(settings, show.organizer_token) as org:
        r = post(org, f"/organizer/classes/{show.class_id}/system", {"judging": "placings", "places": "2", "team": "1"})
        assert r.status_code == 303
    url = f"/judging/classes/{show.class_id}/placings"
    with signed_in(settings, show.judge_tokens[1]) as member:
        page = member.get(url)
        assert "The team's captain records the team's consensus order" in page.text
        assert htmx_post(member, f"{url}/order", {"order": order_of(e2, e0, e1)}).status_code == 403
    with signed_in(settings, show.judge_tokens[0]) as captain:
        assert "The team's consensus order" in captain.get(url).text
        assert htmx_post(captain, f"{url}/notes/{e2}", {"note": "The team's favourite."}).status_code == 200
        assert post(captain, f"{url}/submit", {"order": order_of(e2, e0, e1)}).status_code == 303

    async def sheets(session: AsyncSession) -> list[tuple[int | None, int | None, str]]:
        rows = await session.execute(select(PlacingSheet.judge_id, PlacingSheet.team_id, PlacingSheet.status))
        return [tuple(r) for r in rows]  # type: ignore[misc]

    (only,) = run_db(db_url, sheets)
    assert only[0] is None and only[1] is not None and only[2] == "submitted"
    with signed_in(settings, show.organizer_token) as org:
        text = org.get(f"/organizer/classes/{show.class_id}/results").text
        assert "team consensus order" in text
        rows = re.findall(r"<td>(\d+|—)</td><td>#(\d+)</td>", text)
        assert [int(n) for _, n in rows] == [12, 10, 11]
        assert "2nd in class" in text and "3rd in class" not in text
        # The chief judge reopens the team's order, with a reason; the captain can change it again.
        sheet_id = int(re.search(r"/orders/(\d+)/reopen", text).group(1))  # type: ignore[union-attr]
        r = post(org, f"/organizer/classes/{show.class_id}/orders/{sheet_id}/reopen", {"reason": ""})
        assert r.status_code == 400 and "Say why" in r.text
        r = post(org, f"/organizer/classes/{show.class_id}/orders/{sheet_id}/reopen", {"reason": "Recount #10"})
        assert r.status_code == 303
    with signed_in(settings, show.judge_tokens[0]) as captain:
        assert htmx_post(captain, f"{url}/order", {"order": order_of(e0, e2, e1)}).status_code == 200


def test_the_french_preset_makes_every_class_a_placings_class(db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings, judges=1, cars=2)
    with signed_in(settings, show.organizer_token) as org:
        assert post(org, f"/organizer/events/{show.event_id}/system", {"preset": "french_placings"}).status_code == 303
        page = org.get(f"/organizer/events/{show.event_id}").text
        assert "French / placings" in page
        assert "Placings, the French way" in org.get(f"/organizer/events/{show.event_id}/system/settings").text
    with signed_in(settings, show.judge_tokens[0]) as judge:
        assert judge.get(f"/judging/classes/{show.class_id}/placings").status_code == 200
        r = htmx_post(judge, f"/judging/entries/{show.entries[0]}/lines/1", {"value": "1"})
        assert r.status_code in (400, 422) and "placings sheet" in r.text, r.text


def test_classes_of_one_event_judged_by_different_systems(db_url: str, settings: Settings) -> None:
    """The event's points system, a touring class with its own capped system, a placings class and a display
    class, side by side."""
    show = seed(db_url, settings, judges=1, cars=2)

    async def more_classes(session: AsyncSession) -> dict[str, int]:
        event = await session.get(Event, show.event_id)
        assert event is not None
        org = await session.scalar(select(User).where(User.email == "chief@example.com"))
        assert org is not None
        viewer = Viewer(org.id, org.name, org.email, True, None, None, frozenset({event.id}), frozenset({event.id}))
        out = {}
        for code in ("T", "P", "D"):
            cls = await events.add_class(session, viewer, event, code=code, name=f"Class {code}")
            out[code] = cls.id
        judge_user = await session.scalar(select(Judge).where(Judge.id == show.judge_ids[0]))
        assert judge_user is not None
        for code in ("T", "P"):
            cls = await session.get(EventClass, out[code])
            assert cls is not None
            await teams.add_judge_to_class(session, settings, viewer, cls, name="Judge 0", email="judge0@example.com")
        # one car moves to each of T and P
        first = await session.get(Entry, show.entries[0])
        second = await session.get(Entry, show.entries[1])
        assert first is not None and second is not None
        first.class_id, second.class_id = out["T"], out["P"]
        return out

    classes = run_db(db_url, more_classes)
    with signed_in(settings, show.organizer_token) as org:
        base = "/organizer/classes/{}/system"
        r = post(org, base.format(classes["T"]), {"judging": "points", "preset": "", "places": "3"})
        assert r.status_code == 400 and "Choose the points system" in r.text
        r = post(org, base.format(classes["T"]), {"judging": "points", "preset": "ccca_100", "cap": "abc"})
        assert r.status_code == 400 and "not a number" in r.text
        r = post(
            org, base.format(classes["T"]), {"judging": "points", "preset": "ccca_100", "places": "3", "cap": "93"}
        )
        assert r.status_code == 303, r.text
        assert post(org, base.format(classes["P"]), {"judging": "placings", "places": "1"}).status_code == 303
        assert post(org, base.format(classes["D"]), {"judging": "display", "places": "3"}).status_code == 303
        page = org.get(f"/organizer/events/{show.event_id}").text
        for label in ("CCCA", "Placings, the French way", "Display class", "(the event&#39;s system)"):
            assert label in page, label
        # the display class is not judged: nothing to certify
        r = post(org, f"/organizer/classes/{classes['D']}/certify")
        assert r.status_code == 400 and "display class" in r.text

    touring, placed = show.entries
    with signed_in(settings, show.judge_tokens[0]) as judge:
        home = judge.get("/judging/").text
        assert f"/judging/classes/{classes['P']}/placings" in home
        sheet = judge.get(f"/judging/entries/{touring}").text
        assert "Body &amp; paint" in sheet  # the class's own 100-point sheet, not the event's
        lines = [int(x) for x in re.findall(r'/lines/(\d+)"', sheet)]
        for n, cat in enumerate(lines):
            value = {0: "25", 1: "20", 2: "15", 3: "15", 4: "15", 5: "9"}[n]
            r = htmx_post(judge, f"/judging/entries/{touring}/lines/{cat}", {"value": value, "change_id": f"t{n}"})
            assert r.status_code == 200, r.text
        assert post(judge, f"/judging/entries/{touring}/submit").status_code == 303
        url = f"/judging/classes/{classes['P']}/placings"
        assert post(judge, f"{url}/submit", {"order": str(placed)}).status_code == 303

    with signed_in(settings, show.organizer_token) as org:
        touring_page = org.get(f"/organizer/classes/{classes['T']}/results").text
        assert "over-qualified: 99 points is above the cap of 93" in touring_page  # points, as judges entered them
        placings_page = org.get(f"/organizer/classes/{classes['P']}/results").text
        assert "1st in class" in placings_page
        assert post(org, f"/organizer/classes/{classes['P']}/certify").status_code == 303
        # changing how a certified class is judged is refused
        r = post(org, f"/organizer/classes/{classes['P']}/system", {"judging": "event", "places": "3"})
        assert r.status_code == 400 and "certified" in r.text


def test_certifying_needs_each_unjudged_car_acknowledged(db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings, judges=1, cars=2)
    scored, unscored = show.entries
    with signed_in(settings, show.judge_tokens[0]) as judge:
        sheet = judge.get(f"/judging/entries/{scored}").text
        lines = [int(x) for x in re.findall(r'/lines/(\d+)"', sheet)]
        for n, cat in enumerate(lines):
            r = htmx_post(judge, f"/judging/entries/{scored}/lines/{cat}", {"value": "1", "change_id": f"c{n}"})
            assert r.status_code == 200, r.text
        assert post(judge, f"/judging/entries/{scored}/submit").status_code == 303
    with signed_in(settings, show.organizer_token) as org:
        # the event cannot be moved to "results certified" with its class uncertified
        r = post(org, f"/organizer/events/{show.event_id}/status", {"status": "results_certified"})
        assert r.status_code == 400 and "not certified yet: class C" in r.text
        page = org.get(f"/organizer/classes/{show.class_id}/results").text
        assert f'name="ack_{unscored}"' in page and f'name="ack_{scored}"' not in page
        r = post(org, f"/organizer/classes/{show.class_id}/certify")
        assert r.status_code == 400 and "no submitted sheet" in r.text and "#11" in r.text
        r = post(org, f"/organizer/classes/{show.class_id}/certify", {f"ack_{unscored}": "1"})
        assert r.status_code == 303, r.text
        page = org.get(f"/organizer/classes/{show.class_id}/results").text
        assert "Certified" in page
        r = post(org, f"/organizer/events/{show.event_id}/status", {"status": "results_certified"})
        assert r.status_code == 303, r.text

    async def certified_audit(session: AsyncSession) -> dict[str, Any] | None:
        row = await session.scalar(select(AuditLog).where(AuditLog.action == "certify"))
        return row.after if row else None

    after = run_db(db_url, certified_audit)
    assert after is not None and after["acknowledged_unjudged"] == [unscored]


def test_a_placings_tie_waits_for_the_chief_judge(db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings, judges=2, cars=2)
    e0, e1 = show.entries
    with signed_in(settings, show.organizer_token) as org:
        assert post(org, f"/organizer/classes/{show.class_id}/system", {"judging": "placings"}).status_code == 303
    url = f"/judging/classes/{show.class_id}/placings"
    for token, order in ((show.judge_tokens[0], (e0, e1)), (show.judge_tokens[1], (e1, e0))):
        with signed_in(settings, token) as judge:
            assert post(judge, f"{url}/submit", {"order": order_of(*order)}).status_code == 303
    with signed_in(settings, show.organizer_token) as org:
        page = org.get(f"/organizer/classes/{show.class_id}/results").text
        assert "awaiting the chief judge" in page and "Decide a tie" in page
        r = post(org, f"/organizer/classes/{show.class_id}/certify")
        assert r.status_code == 400 and "Borda points and first places did not break" in r.text
        r = post(org, f"/organizer/classes/{show.class_id}/ties", {"winner_id": str(e1), "reason": "Finer presence"})
        assert r.status_code == 303, r.text
        page = org.get(f"/organizer/classes/{show.class_id}/results").text
        assert "chief judge&#39;s recorded decision (Finer presence)" in page
        assert post(org, f"/organizer/classes/{show.class_id}/certify").status_code == 303
