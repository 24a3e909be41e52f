"""Independence (issue 14): a judge never sees another judge's sheet, total or comments for a car until their own
sheet for it is submitted; a team-consensus sheet is shared by its team.

Generated from the app's route table like the authorization matrix (tests/route_world.py): in the route world
(event A in judging, class C with cars X and Y and judges J0 J1 J2), judge B = J1 fills car X's sheet with
recognisable notes, an overall comment and a total no other sheet has, and submits it. Judge A = J0 (a draft
on X, not submitted) then opens every GET route of the app, plain and as an htmx fragment request, with the
world's parameters pointing at B's things (car X, B's judge id, B's sheet id): no answer (page, fragment,
CSV, JSON or PDF read back with pypdf) holds B's notes, comment or total. A fills in their own sheet through
the autosave fragments (each answer checked too) and submits it; the sweep runs again.

After submitting, the rule would allow a judge to see co-judges' sheets, but no judge page shows them at all
(the car page and its fragments show the judge's own seat's sheets only — ``autosave.read_target`` joins the
judge's own sheet or the team's; co-judges' sheets are on the chief judge's board, sheet and calibration pages,
which need the chief judge): so the second sweep asserts they stay hidden. If a page for judges to compare
after submitting is added, this second sweep is the place to assert it shows them only then.

The same sweep runs over a class judged by placings (judge B's notes for the owners and comment on their
submitted order), and the team case shows the rule's exception: a team member reads the team's one sheet.

A GET route added later is visited automatically (a new path parameter without a value in ``World.params``
fails the test); one that cannot be visited goes in ``SKIPPED`` with its reason."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from litestar.testing import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.app import create_app
from concours.db import Entry, Judge, PlacingSheet, ScoreSheet, User
from concours.services import accounts, judging, placings
from concours.settings import Settings
from tests.conftest import run_db
from tests.helpers import htmx_post, post
from tests.route_world import PARAM_RE, Route, World, app_routes, build_world
from tests.scenes import Seeded, seed_scoring, signed_in

# GET routes deliberately not visited, with the reason (none today: the live stream answers a request that
# does not ask for an event stream at once, PDFs are read back, the bench fragment is harmless to read).
SKIPPED: dict[str, str] = {}

# Judge B's sheet on car X: values typed in category order (authenticity, condition and function are
# deductions, elegance is points), giving a total of 81.5 (33.5 + 26 + 8.5 + 13.5); judge A's gives 92.
B_VALUES = ["6.5", "4", "1.5", "13.5"]
B_TOTAL = "81.5"
A_VALUES = ["2", "3", "0", "17"]
B_NOTE = "ZEBRA-NOTE-7319"
B_COMMENT = "ZEBRA-COMMENT-4412"
A_NOTE = "OKAPI-NOTE-2087"
A_COMMENT = "OKAPI-COMMENT-6650"
# 81.5 as a number of its own (not inside 181.53 or a date), as pages print it: "81.5", "81.50", "81,5".
B_TOTAL_RE = re.compile(r"(?<![\d.,])81[.,]50?(?![\d])")


def leaks(body: str) -> list[str]:
    out = [marker for marker in (B_NOTE, B_COMMENT) if marker in body]
    if B_TOTAL_RE.search(body):
        out.append(f"B's total {B_TOTAL}")
    return out


def text_of(response: Any) -> str:
    """What a person reads in an answer: the text of a PDF, or the body."""
    if response.headers.get("content-type", "").startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    return response.text


async def _fill(
    session: AsyncSession, token: str, entry_id: int, values: list[str], note: str, comment: str, tag: str
) -> int:
    """A judge's sheet on the car filled in category order (each line with ``note``), commented, submitted,
    through the judge's own use cases; the sheet's id."""
    viewer = await accounts.load_viewer(session, token)
    entry = await session.get(Entry, entry_id)
    assert viewer is not None and viewer.judge_id is not None and entry is not None
    view = await judging.car_sheets(session, viewer.judge_id, entry)
    cats = [ln.category.id for sv in view.sheets for ln in sv.lines]
    for n, (cid, value) in enumerate(zip(cats, values, strict=True)):
        assert cid is not None
        await judging.save_line(
            session, viewer, entry, category_id=cid, value=value, note=f"{note} {n}", change_id=f"{tag}{n}", device="t"
        )
    await judging.save_comment(session, viewer, entry, comment=comment, change_id=f"{tag}c", device="t")
    await judging.submit_sheet(session, viewer, entry, device="t")
    sheet_id = await session.scalar(
        select(ScoreSheet.id).where(ScoreSheet.entry_id == entry_id, ScoreSheet.judge_id == viewer.judge_id)
    )
    assert sheet_id is not None
    return sheet_id


async def token_of(session: AsyncSession, settings: Settings, email: str) -> str:
    user = await session.scalar(select(User).where(User.email == email))
    assert user is not None
    return await accounts.start_session(session, settings, user.id, "independence")


@pytest.fixture
def world(db_url: str, settings: Settings) -> World:
    """The route world, with judge B's submitted sheet on car X; its parameters point at B's things: car X, B's
    judge id, B's sheet."""

    async def go(session: AsyncSession) -> World:
        w = await build_world(session, settings)
        w.tokens["judge_b"] = await token_of(session, settings, "a-judge1@example.com")
        w.params["sheet_id"] = await _fill(
            session, w.tokens["judge_b"] or "", w.params["entry_id"], B_VALUES, B_NOTE, B_COMMENT, "b"
        )
        w.params["judge_id"] = await session.scalar(
            select(Judge.id).join(User, User.id == Judge.user_id).where(User.email == "a-judge1@example.com")
        )
        return w

    return run_db(db_url, go)


def get_routes(settings: Settings) -> list[Route]:
    return [r for r in app_routes(create_app(settings, run_outbox=False)) if r.method == "GET"]


def sweep(
    client: TestClient[Any], routes: list[Route], world: World, query: dict[str, str]
) -> tuple[list[str], set[str], int]:
    """Every GET route, plain and as htmx asks for a fragment: (leaks found, routes visited, answers read)."""
    failures: list[str] = []
    visited: set[str] = set()
    read = 0
    for route in routes:
        if route.key in SKIPPED:
            continue
        url = route.url(world.params)
        visited.add(route.key)
        for headers in ({}, {"hx-request": "true"}):
            r = client.get(url, params=query, headers=headers, follow_redirects=False)
            assert r.status_code < 500, f"{route.key} {headers} → {r.status_code}"
            read += r.status_code == 200
            found = leaks(text_of(r))
            if found:
                failures.append(f"{route.key} {'(htmx) ' if headers else ''}→ {r.status_code}: {found}")
    return failures, visited, read


def test_every_get_route_is_visited_or_skipped_with_a_reason(settings: Settings) -> None:
    keys = {r.key for r in get_routes(settings)}
    gone = sorted(set(SKIPPED) - keys)
    assert gone == [], f"SKIPPED names routes the app no longer has: {gone}"
    assert all(reason.strip() for reason in SKIPPED.values())


def test_a_judge_never_sees_a_co_judges_sheet_on_any_page(settings: Settings, world: World) -> None:
    routes = get_routes(settings)
    x = world.params["entry_id"]
    # The markers are on the pages that may show B's sheet (the chief judge's), as the sweep looks for them:
    # a check that cannot find them anywhere would prove nothing.
    with signed_in(settings, world.tokens["organizer"] or "") as chief:
        page = chief.get(f"/chief/sheets/{world.params['sheet_id']}")
        assert page.status_code == 200 and leaks(page.text) == [B_NOTE, B_COMMENT]
        board = chief.get(f"/chief/events/{world.params['event_id']}")
        assert board.status_code == 200 and leaks(board.text) == [f"B's total {B_TOTAL}"]
    query = {"judge_id": str(world.params["judge_id"])}  # what the paper sheet asks for: B's
    with signed_in(settings, world.tokens["judge"] or "") as judge_a:
        failures, visited, read = sweep(judge_a, routes, world, query)
        assert visited | set(SKIPPED) == {r.key for r in routes}
        assert read >= 10, "judge A was let into too few pages for the sweep to mean anything"
        car = judge_a.get(f"/judging/entries/{x}")
        assert car.status_code == 200 and "Submit" in car.text  # A's own sheet, still open

        # A fills in their own sheet through the autosave fragments; each answer is read too.
        cats = [int(c) for c in re.findall(rf'hx-post="/judging/entries/{x}/lines/(\d+)"', car.text)]
        assert len(cats) == len(A_VALUES), car.text
        for n, (cid, value) in enumerate(zip(cats, A_VALUES, strict=True)):
            r = htmx_post(
                judge_a, f"/judging/entries/{x}/lines/{cid}", {"value": value, "note": A_NOTE, "change_id": f"a{n}"}
            )
            assert r.status_code == 200, r.text
            failures += [f"save line {cid}: {found}" for found in [leaks(r.text)] if found]
        r = htmx_post(judge_a, f"/judging/entries/{x}/comment", {"comment": A_COMMENT, "change_id": "ac"})
        assert r.status_code == 200 and A_COMMENT in r.text, r.text
        failures += [f"save comment: {found}" for found in [leaks(r.text)] if found]
        assert failures == [], "judge A saw judge B's sheet before submitting their own:\n" + "\n".join(failures)

        # A submits. No judge page shows co-judges' sheets even then (see the module's docstring): still hidden.
        r = htmx_post(judge_a, f"/judging/entries/{x}/submit")
        assert r.status_code in (200, 303), r.text
        car = judge_a.get(f"/judging/entries/{x}")
        assert A_NOTE in car.text and A_COMMENT in car.text and "submitted" in car.text.lower()
        failures, _, _ = sweep(judge_a, routes, world, query)
        assert failures == [], "judge A saw judge B's sheet after submitting their own:\n" + "\n".join(failures)


def test_a_team_shares_its_consensus_sheet(db_url: str, settings: Settings) -> None:
    """Team mode: one sheet for the team; what one member writes, the others read on the car page."""

    async def go(session: AsyncSession) -> tuple[int, str, str]:
        show = await seed_scoring(session, settings, judges=2, cars=1, sheet_mode="team", prefix="t-")
        entry = await session.get(Entry, show.entries[0])
        member = await accounts.load_viewer(session, show.judge_tokens[1])
        assert entry is not None and member is not None and member.judge_id is not None
        view = await judging.car_sheets(session, member.judge_id, entry)
        cid = view.sheets[0].lines[0].category.id
        assert cid is not None
        await judging.save_line(
            session, member, entry, category_id=cid, value="2.5", note=B_NOTE, change_id="t1", device="t"
        )
        await judging.save_comment(session, member, entry, comment=B_COMMENT, change_id="t2", device="t")
        return entry.id, show.judge_tokens[0], show.judge_tokens[1]

    entry_id, captain_token, _ = run_db(db_url, go)
    with signed_in(settings, captain_token) as captain:
        page = captain.get(f"/judging/entries/{entry_id}")
        assert page.status_code == 200
        assert B_NOTE in page.text and B_COMMENT in page.text


def test_a_judge_never_sees_a_co_judges_placings_order_notes(db_url: str, settings: Settings) -> None:
    """The same sweep over a class judged by placings (no numbers): judge B's notes for the owners and their
    comment stay off every page judge A reaches, before and after A submits their own order."""

    async def go(session: AsyncSession) -> tuple[Seeded, int]:
        show = await seed_scoring(session, settings, judges=2, cars=3, preset="french_placings", prefix="p-")
        b = await accounts.load_viewer(session, show.judge_tokens[1])
        assert b is not None
        cls, event = await placings.class_for_judge(session, b, show.class_id)
        e0, e1, e2 = show.entries
        for n, entry_id in enumerate(show.entries):
            await placings.save_note(session, b, cls, event, entry_id=entry_id, note=f"{B_NOTE} {n}", device="t")
        await placings.save_comment(session, b, cls, event, comment=B_COMMENT, device="t")
        await placings.submit(session, b, cls, event, order=f"{e2},{e0},{e1}", device="t")
        sheet_id = await session.scalar(select(PlacingSheet.id).where(PlacingSheet.judge_id == b.judge_id))
        assert sheet_id is not None
        return show, sheet_id

    show, sheet_id = run_db(db_url, go)
    routes = get_routes(settings)
    names = {m.group(1) for r in routes for m in PARAM_RE.finditer(r.path)}
    params: dict[str, Any] = dict.fromkeys(names, 10**6)  # what this show has not got: answered 404
    params.update(
        event_id=show.event_id,
        slug="p-lakeside-concours",
        class_id=show.class_id,
        entry_id=show.entries[0],
        number=10,
        judge_id=show.judge_ids[1],
        sheet_id=sheet_id,
        token="not-a-real-token",
        key="not-a-real-key",
    )
    world = World(params=params, tokens={})
    query = {"judge_id": str(show.judge_ids[1])}
    url = f"/judging/classes/{show.class_id}/placings"
    with signed_in(settings, show.judge_tokens[1]) as judge_b:
        page = judge_b.get(url)  # the same URL shows B their notes and comment: the markers do render there
        assert page.status_code == 200 and leaks(page.text) == [B_NOTE, B_COMMENT]
    with signed_in(settings, show.judge_tokens[0]) as judge_a:
        page = judge_a.get(url)
        assert page.status_code == 200 and "What to weigh" in page.text  # A's own, empty order
        failures, visited, read = sweep(judge_a, routes, world, query)
        assert visited | set(SKIPPED) == {r.key for r in routes} and read >= 10
        r = htmx_post(judge_a, f"{url}/notes/{show.entries[0]}", {"note": A_NOTE, "change_id": "a1"})
        assert r.status_code == 200, r.text
        failures += [f"save note: {found}" for found in [leaks(r.text)] if found]
        assert failures == [], "judge A saw judge B's order before submitting their own:\n" + "\n".join(failures)
        order = ",".join(str(e) for e in show.entries)
        assert post(judge_a, f"{url}/submit", {"order": order}).status_code == 303
        page = judge_a.get(url)
        assert "This order is submitted" in page.text and A_NOTE in page.text
        failures, _, _ = sweep(judge_a, routes, world, query)
        assert failures == [], "judge A saw judge B's order after submitting their own:\n" + "\n".join(failures)
