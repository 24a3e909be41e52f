"""Conflicts of interest with types, sources and states (issue 14): the app suggests what it can see (the same
surname as a car's owner; a judge who judged the same car, by vehicle or chassis number, at an earlier event within
5 years), a suggestion binds nothing until an organizer confirms it, and a dismissal needs a reason, binds nothing
and is never suggested again. Confirmed conflicts bind: the judge cannot open the car's sheet, and comes off it on
the assignment board."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Assignment, AuditLog, Conflict, Entry, Event, User
from concours.domain import conflict_matching
from concours.services import assignment, conflict_suggestions
from concours.services.permissions import conflict_reason
from concours.settings import Settings
from tests.conflict_scene import build
from tests.conftest import run_db
from tests.helpers import htmx_post, post
from tests.scenes import Seeded, category_ids, count, signed_in, viewer_of


def suggest(db_url: str, show: Seeded) -> list[tuple[int, str, int | None, int | None]]:
    async def go(session: AsyncSession) -> list[tuple[int, str, int | None, int | None]]:
        event = await session.get(Event, show.event_id)
        org = await session.scalar(select(User).where(User.email == "chief@example.com"))
        assert event is not None and org is not None
        stored = await conflict_suggestions.suggest_conflicts(session, viewer_of(org, event.id), event)
        assert all(c.state == "suggested" and c.source == "app" for c in stored)
        return sorted((c.judge_id, c.kind, c.entry_id, c.entrant_id) for c in stored)

    return run_db(db_url, go)


def test_the_app_suggests_same_surname_and_the_same_car_judged_before(db_url: str, settings: Settings) -> None:
    w = build(db_url, settings)
    show = w.show

    async def entrant_of(session: AsyncSession) -> int:
        entry = await session.get(Entry, show.entries[0])
        assert entry is not None
        return entry.entrant_id

    owner0 = run_db(db_url, entrant_of)
    found = suggest(db_url, show)
    assert found == sorted(
        [
            (show.judge_ids[1], "family", None, owner0),  # Paul Delacroix and Margaret Delacroix's cars
            (show.judge_ids[2], "judged_before", show.entries[1], None),  # the same vehicle, 2024
            (show.judge_ids[0], "judged_before", show.entries[0], None),  # the same chassis number, 2023
        ]
    )  # judge 1's 2019 judging of car 1 is more than 5 years before: not suggested
    assert suggest(db_url, show) == []  # nothing is suggested twice
    assert count(db_url, AuditLog, AuditLog.entity_type == "conflict", AuditLog.action == "suggest") == 3
    # The organizer's page lists them first, with their type, source and state.
    with signed_in(settings, show.organizer_token) as org:
        page = org.get(f"/organizer/events/{show.event_id}/conflicts").text
    assert page.index("Suggested by the app (3)") < page.index("Every conflict (0)")
    assert "Same surname as the owner, Margaret Delacroix" in page
    assert "Judged this car at Spring Show 2024 (May 2024): the same car" in page
    assert "Judged this car within the last 5 years" in page and "Family" in page
    assert "Judged this car at Autumn Show 2023 (September 2023): the same chassis number" in page
    assert "Old Show 2019" not in page


def test_only_a_confirmed_conflict_binds(db_url: str, settings: Settings) -> None:
    w = build(db_url, settings)
    show = w.show
    suggest(db_url, show)
    judge2, car1 = show.judge_ids[2], show.entries[1]

    async def state(session: AsyncSession) -> tuple[int, str, str | None, set[tuple[int, int | None]], int]:
        c = await session.scalar(select(Conflict).where(Conflict.judge_id == judge2, Conflict.entry_id == car1))
        entry = await session.get(Entry, car1)
        event = await session.get(Event, show.event_id)
        assert c is not None and entry is not None and event is not None
        loaded = await assignment.load_input(session, event)
        seats = await session.scalar(
            select(Assignment.id).where(Assignment.judge_id == judge2, Assignment.entry_id == car1)
        )
        return (
            c.id,
            c.state,
            await conflict_reason(session, judge2, entry),
            {(x.judge_id, x.entry_id) for x in loaded.inputs.conflicts},
            int(seats is not None),
        )

    async def seat(session: AsyncSession) -> None:
        session.add(Assignment(event_id=show.event_id, judge_id=judge2, entry_id=car1))

    run_db(db_url, seat)
    conflict_id, st, reason, solver, seated = run_db(db_url, state)
    assert (st, reason, seated) == ("suggested", None, 1) and (judge2, car1) not in solver
    with signed_in(settings, show.judge_tokens[2]) as judge:
        assert judge.get(f"/judging/entries/{car1}").status_code == 200  # a suggestion does not bind
        cats = category_ids(judge, car1)
        line = f"/judging/entries/{car1}/lines/{cats[0]}"
        assert htmx_post(judge, line, {"value": "1", "change_id": "before"}).status_code == 200
        assert "Spring Show" not in judge.get(f"/judging/events/{show.event_id}/conflicts").text
    with signed_in(settings, show.organizer_token) as org:
        r = post(org, f"/organizer/conflicts/{conflict_id}/confirm")
        assert r.status_code == 303, r.text
        assert "Done: conflict confirmed" in org.get(r.headers["location"]).text
        assert post(org, f"/organizer/conflicts/{conflict_id}/confirm").status_code == 409  # already confirmed
    _, st, reason, solver, seated = run_db(db_url, state)
    assert st == "confirmed" and reason and reason.startswith("Judged this car") and seated == 0
    assert (judge2, car1) in solver  # the assignment solver keeps the judge off the car
    with signed_in(settings, show.judge_tokens[2]) as judge:
        r = judge.get(f"/judging/entries/{car1}")
        assert r.status_code == 403 and "Judged this car" in r.text
        assert htmx_post(judge, line, {"value": "2", "change_id": "after"}).status_code == 403  # autosave too
        assert "Spring Show 2024" in judge.get(f"/judging/events/{show.event_id}/conflicts").text
    assert count(db_url, AuditLog, AuditLog.entity_type == "conflict", AuditLog.action == "confirm") == 1


def test_a_dismissal_needs_a_reason_binds_nothing_and_is_not_suggested_again(db_url: str, settings: Settings) -> None:
    w = build(db_url, settings)
    show = w.show
    suggest(db_url, show)
    judge1, car0 = show.judge_ids[1], show.entries[0]

    async def family(session: AsyncSession) -> tuple[int, str, str, str | None]:
        c = await session.scalar(select(Conflict).where(Conflict.judge_id == judge1, Conflict.kind == "family"))
        entry = await session.get(Entry, car0)
        assert c is not None and entry is not None
        return c.id, c.state, c.dismissed_reason, await conflict_reason(session, judge1, entry)

    conflict_id, *_ = run_db(db_url, family)
    field = f"dismissed_reason_{conflict_id}"
    with signed_in(settings, show.organizer_token) as org:
        r = post(org, f"/organizer/conflicts/{conflict_id}/dismiss", {field: "   "})
        assert r.status_code == 400
        assert f'<p class="error" id="e-{field}">Say why this is not a conflict' in r.text  # beside its field
        assert run_db(db_url, family)[1] == "suggested"
        r = post(org, f"/organizer/conflicts/{conflict_id}/dismiss", {field: "No relation: a common name"})
        assert r.status_code == 303, r.text
        page = org.get(r.headers["location"]).text
        assert "Dismissed (1)" in page and "No relation: a common name" in page
        assert post(org, f"/organizer/conflicts/{conflict_id}/dismiss", {field: "again"}).status_code == 409
    _, st, why, reason = run_db(db_url, family)
    assert (st, why, reason) == ("dismissed", "No relation: a common name", None)
    with signed_in(settings, show.judge_tokens[1]) as judge:
        assert judge.get(f"/judging/entries/{car0}").status_code == 200  # dismissed: does not bind
    assert suggest(db_url, show) == []  # never suggested again
    with signed_in(settings, show.organizer_token) as org:
        r = post(org, f"/organizer/events/{show.event_id}/conflicts/suggest")
        assert r.status_code == 303 and "nothing+new" in r.headers["location"].replace("%20", "+")
    assert count(db_url, AuditLog, AuditLog.entity_type == "conflict", AuditLog.action == "dismiss") == 1


def test_forms_choose_a_type_and_declarations_are_confirmed(db_url: str, settings: Settings) -> None:
    show = build(db_url, settings).show
    url = f"/judging/events/{show.event_id}/conflicts"
    with signed_in(settings, show.judge_tokens[0]) as judge:
        page = judge.get(url).text
        assert '<select id="f-type" name="type">' in page and "Restorer or shop" in page
        form = {"kind": "entry", "target_entry": str(show.entries[1]), "reason": "I restored it"}
        r = post(judge, url, form)
        assert r.status_code == 400 and "Choose the type of conflict" in r.text
        assert "I restored it" in r.text  # what was typed is kept
        assert post(judge, url, {**form, "type": "restorer"}).status_code == 303
    with signed_in(settings, show.organizer_token) as org:
        page = org.get(f"/organizer/events/{show.event_id}/conflicts").text
        assert "Restorer or shop" in page and "Declared by the judge" in page and "Confirmed" in page

    async def stored(session: AsyncSession) -> tuple[str, str, str]:
        c = await session.scalar(select(Conflict).where(Conflict.judge_id == show.judge_ids[0]))
        assert c is not None
        return c.kind, c.source, c.state

    assert run_db(db_url, stored) == ("restorer", "judge", "confirmed")


def test_surname() -> None:
    assert conflict_matching.surname("Paul  Delacroix") == "delacroix"
    assert conflict_matching.surname("Ann O'Neil-Smith") == "o'neil-smith"
    assert conflict_matching.surname("Owner 1") == "owner"
    assert conflict_matching.surname("") == ""
