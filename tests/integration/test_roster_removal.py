"""An organizer removes a judge from the roster mid-judging, after a confirmation page: their submitted
sheets stay and still count, their open assignments and draft sheets go back to the board, their team seat
ends, the removal is audited, and they can no longer score."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Assignment, AuditLog, EventStaff, Judge, ScoreSheet, TeamMember
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import htmx_post, post
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring


@contextmanager
def signed_in(settings: Settings, token: str) -> Iterator[TestClient[Any]]:
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, token)
        yield c


def _seed(db_url: str, settings: Settings) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        seeded = await seed_scoring(session, settings, judges=3, cars=3)
        for judge_id in seeded.judge_ids:
            for entry_id in seeded.entries:
                session.add(Assignment(event_id=seeded.event_id, judge_id=judge_id, entry_id=entry_id, sections=[]))
        # The leaving judge is also invited on the roster (not only on the team).
        user_id = await session.scalar(select(Judge.user_id).where(Judge.id == seeded.judge_ids[1]))
        session.add(EventStaff(event_id=seeded.event_id, user_id=user_id, role="judge", notes=""))
        return seeded

    return run_db(db_url, go)


def _categories(judge: TestClient[Any], entry: int) -> list[int]:
    page = judge.get(f"/judging/entries/{entry}")
    assert page.status_code == 200, page.text
    return [int(x) for x in re.findall(r'/lines/(\d+)"', page.text)]


def _score(judge: TestClient[Any], entry: int, value: str, *, submit: bool, tag: str) -> None:
    cats = _categories(judge, entry)
    for n, cid in enumerate(cats):
        r = htmx_post(judge, f"/judging/entries/{entry}/lines/{cid}", {"value": value, "change_id": f"{tag}-{n}"})
        assert r.status_code == 200, r.text
        if not submit:
            break
    if submit:
        r = judge.post(
            f"/judging/entries/{entry}/submit", headers={"x-csrftoken": judge.cookies.get("concours_csrf") or ""}
        )
        assert r.status_code in (200, 303), r.text


def _state(db_url: str, judge_id: int) -> dict[str, Any]:
    async def go(session: AsyncSession) -> dict[str, Any]:
        sheets = (
            await session.execute(select(ScoreSheet.entry_id, ScoreSheet.status).where(ScoreSheet.judge_id == judge_id))
        ).all()
        assignments = (await session.scalars(select(Assignment.entry_id).where(Assignment.judge_id == judge_id))).all()
        seats = (await session.scalars(select(TeamMember.id).where(TeamMember.judge_id == judge_id))).all()
        user_id = await session.scalar(select(Judge.user_id).where(Judge.id == judge_id))
        roles = (await session.scalars(select(EventStaff.role).where(EventStaff.user_id == user_id))).all()
        audits = (
            await session.scalars(
                select(AuditLog).where(AuditLog.action == "remove_from_roster", AuditLog.entity_id == judge_id)
            )
        ).all()
        return {
            "sheets": sorted(sheets),
            "assignments": sorted(assignments),
            "seats": list(seats),
            "roles": list(roles),
            "audits": [(a.before, a.after) for a in audits],
        }

    return run_db(db_url, go)


def test_removing_a_judge_mid_judging(db_url: str, settings: Settings) -> None:
    show = _seed(db_url, settings)
    leaving = show.judge_ids[1]
    car0, car1, car2 = show.entries
    with signed_in(settings, show.judge_tokens[1]) as judge:
        _score(judge, car0, "1", submit=True, tag="a")  # submitted: stays and counts
        _score(judge, car1, "2", submit=False, tag="b")  # a draft: set aside
        # car2: not started
    before = _state(db_url, leaving)
    assert before["sheets"] == [(car0, "submitted"), (car1, "draft")] and len(before["seats"]) == 1

    with signed_in(settings, show.organizer_token) as org:
        roster = org.get(f"/organizer/events/{show.event_id}/roster").text
        assert f"/organizer/events/{show.event_id}/roster/{leaving}/remove" in roster
        confirm = org.get(f"/organizer/events/{show.event_id}/roster/{leaving}/remove")
        assert confirm.status_code == 200
        text = confirm.text
        assert "Remove Judge 1 from the roster?" in text
        assert "Submitted sheets stay and still count: car 10" in text
        assert "Back on the assignment board for another judge: car 11, car 12" in text
        assert "draft sheets are set aside" in text and "car 11" in text
        assert _state(db_url, leaving) == before  # the confirmation page changes nothing

        done = post(org, f"/organizer/events/{show.event_id}/roster/{leaving}/remove")
        assert done.status_code == 303, done.text
        page = org.get(done.headers["location"]).text
        assert "Judge 1 removed from the roster; 2 cars back on the assignment board" in page
        assert f'id="judge-{leaving}"' not in page
        board = org.get(f"/organizer/events/{show.event_id}/assignment")
        assert board.status_code == 200

    after = _state(db_url, leaving)
    assert after["sheets"] == [(car0, "submitted")]  # the submitted sheet stays
    assert after["assignments"] == [car0]  # done work stays recorded; open work went back
    assert after["seats"] == [] and after["roles"] == []
    ((audit_before, audit_after),) = after["audits"]
    assert audit_before["team_class"] == "C" and audit_before["open_assignments"] == ["car 11", "car 12"]
    (draft,) = audit_before["draft_sheets"]
    assert draft["entry_id"] == car1 and list(draft["lines"].values())[0]["value"] is not None
    assert audit_after == {"submitted_sheets_kept": ["car 10"]}

    # The removed judge can no longer score; the others carry on.
    with signed_in(settings, show.judge_tokens[1]) as judge:
        assert judge.get(f"/judging/entries/{car2}").status_code in (403, 404)
    with signed_in(settings, show.judge_tokens[0]) as other:
        _score(other, car0, "1", submit=True, tag="c")

    # The kept sheet still counts in the class's ranking.
    with signed_in(settings, show.organizer_token) as org:
        results = org.get(f"/organizer/classes/{show.class_id}/results")
        assert results.status_code == 200, results.text
        assert "2 sheets" in results.text and "Judge 1" in results.text and "Judge 0" in results.text


def test_removal_needs_the_events_organizer_and_spares_the_chief_judge(db_url: str, settings: Settings) -> None:
    show = _seed(db_url, settings)
    judge_id = show.judge_ids[2]
    url = f"/organizer/events/{show.event_id}/roster/{judge_id}/remove"
    with signed_in(settings, show.judge_tokens[0]) as judge:
        assert post(judge, url).status_code in (403, 404)
    with new_client(settings) as anonymous:
        assert post(anonymous, url).status_code == 401
    assert len(_state(db_url, judge_id)["seats"]) == 1

    async def make_chief(session: AsyncSession) -> None:
        user_id = await session.scalar(select(Judge.user_id).where(Judge.id == judge_id))
        session.add(EventStaff(event_id=show.event_id, user_id=user_id, role="chief_judge", notes=""))

    run_db(db_url, make_chief)
    with signed_in(settings, show.organizer_token) as org:
        assert "name another chief judge" in org.get(url).text
        refused = post(org, url)
        assert refused.status_code == 400 and "is the chief judge" in refused.text
        assert post(org, f"/organizer/events/{show.event_id}/roster/999999/remove").status_code == 404
    assert len(_state(db_url, judge_id)["seats"]) == 1
