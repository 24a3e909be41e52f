"""The authorization matrix, generated from the app's route table: every route × every persona who must not
use it is refused (401/403/404/405/410, or sent to sign in), and the database is unchanged afterwards.

HOW TO ADD A ROUTE (a new route without an entry fails ``test_every_route_has_a_matrix_entry``): add one line
to ``MATRIX`` below, ``"METHOD /path/{param:type}": RULE``, with the path exactly as the app declares it
(controller prefix included; the failure message prints it). RULE is who must be refused:

    ALL               nobody below may: organizer-only, chief-only, owner-only or car-X-judging routes
    ALL_BUT_JUDGES    event A's judges may (judge of another class, conflicted judge): e.g. the judge's
                      own conflicts page for the event
    ANONYMOUS         any signed-in person may (it shows their own things), anonymous may not
    ALL_BUT_ORGANIZERS  any organizer account may (the installation's backups), nobody else
    NOBODY            public: anyone may (sign-in, public pages)

The personas (tests/route_world.py): anonymous, an entrant of another car (car Y), a judge of another class
(class K), a judge conflicted with car X, and the organizer of another event. Path parameters name event A's
objects around car X (``World.params``); a new parameter name gets a line there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from concours.app import create_app
from concours.settings import Settings
from tests.conftest import run_db
from tests.route_world import PERSONAS, Route, Snapshots, World, app_routes, build_world, changed

ALL = frozenset(PERSONAS)
ALL_BUT_JUDGES = frozenset({"anonymous", "entrant_of_another_car", "other_organizer"})
ANONYMOUS = frozenset({"anonymous"})
ALL_BUT_ORGANIZERS = frozenset({"anonymous", "entrant_of_another_car", "judge_of_another_class", "conflicted_judge"})
NOBODY: frozenset[str] = frozenset()

MATRIX: dict[str, frozenset[str]] = {
    "GET /": NOBODY,
    "POST /language": NOBODY,
    "GET /auth/link/{token:str}": NOBODY,
    "POST /auth/link/{token:str}": NOBODY,
    "GET /chief": ANONYMOUS,
    "GET /chief/entries/{entry_id:int}/paper": ALL,
    "POST /chief/entries/{entry_id:int}/paper": ALL,
    "GET /chief/events/{event_id:int}": ALL,
    "GET /chief/sheets/{sheet_id:int}": ALL,
    "GET /chief/events/{event_id:int}/calibration": ALL,
    "POST /chief/entries/{entry_id:int}/acknowledge": ALL,
    "POST /chief/events/{event_id:int}/calibration-car": ALL,
    "POST /chief/events/{event_id:int}/calibration-car/clear": ALL,
    # Car X is no calibration car: nobody may open it as one (test_calibration_car: a conflicted judge is refused).
    "GET /judging/calibration/{entry_id:int}": ALL,
    "POST /judging/calibration/{entry_id:int}/lines/{category_id:int}": ALL,
    "POST /judging/calibration/{entry_id:int}/comment": ALL,
    "POST /judging/calibration/{entry_id:int}/submit": ALL,
    "GET /organizer/events/{event_id:int}/judges/{judge_id:int}/severity": ALL,
    "POST /chief/sheets/{sheet_id:int}/reopen": ALL,
    "GET /events/{slug:str}": NOBODY,
    "GET /events/{slug:str}/apply": NOBODY,
    "GET /events/{slug:str}/invitation/{token:str}": NOBODY,  # the link is the key; refused without one
    "POST /events/{slug:str}/apply": NOBODY,
    "GET /events/{slug:str}/results": ALL,  # event A is not published: nobody sees its results
    "GET /judging": ANONYMOUS,
    "GET /judging/_bench/fragment": NOBODY,  # a load-test baseline without data (404 in production)
    "GET /judging/sw.js": NOBODY,  # the offline service worker: a static script
    "POST /judging/conflicts/{conflict_id:int}/delete": ALL,
    "GET /judging/entries/{entry_id:int}": ALL,
    "POST /judging/entries/{entry_id:int}/comment": ALL,
    "POST /judging/entries/{entry_id:int}/lines/{category_id:int}": ALL,
    "POST /judging/entries/{entry_id:int}/submit": ALL,
    "GET /judging/events/{event_id:int}/conflicts": ALL_BUT_JUDGES,
    "POST /judging/events/{event_id:int}/conflicts": ALL_BUT_JUDGES,
    "GET /judging/events/{event_id:int}/packet.pdf": ALL_BUT_JUDGES,
    "POST /judging/invitations/{event_id:int}/accept": ALL_BUT_JUDGES,
    "GET /judging/profile": ANONYMOUS,
    "POST /judging/profile": ANONYMOUS,
    "POST /login": NOBODY,
    "GET /login": NOBODY,
    "POST /login/link": NOBODY,
    "POST /logout": NOBODY,
    "GET /my": ANONYMOUS,
    "GET /my/entries/{entry_id:int}": ALL,
    "POST /my/entries/{entry_id:int}/edit": ALL,
    "GET /my/entries/{entry_id:int}/edit": ALL,
    "GET /my/entries/{entry_id:int}/report.pdf": ALL,
    "POST /my/entries/{entry_id:int}/withdraw": ALL,
    "GET /organizer/events/{event_id:int}/copy": ALL,
    "POST /organizer/events/{event_id:int}/copy": ALL,
    "GET /organizer/events/{event_id:int}/invitations": ALL,
    "POST /organizer/events/{event_id:int}/invitations": ALL,
    "POST /organizer/events/{event_id:int}/invitations/setting": ALL,
    "GET /organizer": ANONYMOUS,
    "POST /organizer/awards/{award_id:int}/remove": ALL,
    "POST /organizer/classes/{class_id:int}/certify": ALL,
    "POST /organizer/classes/{class_id:int}/reopen": ALL,
    "GET /organizer/classes/{class_id:int}/results": ALL,
    "GET /organizer/classes/{class_id:int}/results.pdf": ALL,
    "POST /organizer/classes/{class_id:int}/sections": ALL,
    "POST /organizer/classes/{class_id:int}/team-size": ALL,
    "POST /organizer/classes/{class_id:int}/ties": ALL,
    "POST /organizer/conflicts/{conflict_id:int}/delete": ALL,
    "POST /organizer/conflicts/{conflict_id:int}/confirm": ALL,
    "POST /organizer/conflicts/{conflict_id:int}/dismiss": ALL,
    "POST /organizer/events/{event_id:int}/conflicts/suggest": ALL,
    "POST /organizer/events/{event_id:int}/conflicts/roster-setting": ALL,
    "POST /organizer/entries/{entry_id:int}/decision": ALL,
    "POST /organizer/entries/{entry_id:int}/field": ALL,
    "POST /organizer/events": ANONYMOUS,
    "GET /organizer/events/{event_id:int}": ALL,
    "GET /organizer/events/{event_id:int}/assignment": ALL,
    "POST /organizer/events/{event_id:int}/assignment/apply": ALL,
    "POST /organizer/events/{event_id:int}/assignment/change": ALL,
    "GET /organizer/events/{event_id:int}/awards": ALL,
    "POST /organizer/events/{event_id:int}/awards": ALL,
    "POST /organizer/events/{event_id:int}/chief-judge": ALL,
    "POST /organizer/events/{event_id:int}/classes": ALL,
    "POST /organizer/events/{event_id:int}/classes/combine": ALL,
    "POST /organizer/events/{event_id:int}/classes/list": ALL,
    "POST /organizer/events/{event_id:int}/classes/copy": ALL,
    "POST /organizer/events/{event_id:int}/conflicts": ALL,
    "GET /organizer/events/{event_id:int}/conflicts": ALL,
    "GET /organizer/events/{event_id:int}/entries": ALL,
    "GET /organizer/events/{event_id:int}/entries.csv": ALL,
    "POST /organizer/events/{event_id:int}/entries/bulk": ALL,
    "POST /organizer/events/{event_id:int}/entries/import": ALL,
    "GET /organizer/events/{event_id:int}/entries/import": ALL,
    "GET /organizer/events/{event_id:int}/entries/template.csv": ALL,
    "GET /organizer/events/{event_id:int}/entries/new": ALL,
    "POST /organizer/events/{event_id:int}/entries/new": ALL,
    "GET /organizer/events/{event_id:int}/field": ALL,
    "POST /organizer/events/{event_id:int}/judges": ALL,
    "GET /organizer/events/{event_id:int}/judges": ALL,
    "GET /organizer/events/{event_id:int}/judges/{judge_id:int}/packet.pdf": ALL,
    "POST /organizer/events/{event_id:int}/numbers": ALL,
    "GET /organizer/events/{event_id:int}/outbox": ALL,
    "POST /organizer/events/{event_id:int}/packets": ALL,
    "GET /jobs/{job_id:int}": ALL,  # organizer A's document job: nobody else's
    "GET /jobs/{job_id:int}/progress": ALL,
    "GET /jobs/{job_id:int}/document.pdf": ALL,
    "POST /jobs/{job_id:int}/again": ALL,
    "POST /organizer/events/{event_id:int}/publish": ALL,
    "POST /organizer/events/{event_id:int}/registration": ALL,
    "POST /organizer/events/{event_id:int}/roster": ALL,
    "GET /organizer/events/{event_id:int}/roster": ALL,
    "POST /organizer/events/{event_id:int}/roster/import": ALL,
    "POST /organizer/events/{event_id:int}/roster/{judge_id:int}": ALL,
    "GET /organizer/events/{event_id:int}/rubric": ALL,
    "POST /organizer/events/{event_id:int}/rubric": ALL,
    "POST /organizer/events/{event_id:int}/status": ALL,
    "POST /organizer/events/{event_id:int}/system": ALL,
    "POST /organizer/events/{event_id:int}/system/settings": ALL,
    "GET /organizer/events/{event_id:int}/system/settings": ALL,
    "GET /photos/{photo_id:int}": ALL,
    "GET /photos/{photo_id:int}/thumb": ALL,
    "GET /events/{slug:str}/results/photos/{photo_id:int}": ALL,  # event A's results are not published
    "GET /events/{slug:str}/vote": NOBODY,
    # Certified documents can be verified: the public page a printed code and QR code open (no results leak).
    "GET /verify": NOBODY,
    "GET /verify/{code:str}": NOBODY,  # People's Choice: the public votes with a code
    "POST /events/{slug:str}/vote": NOBODY,
    "GET /events/{slug:str}/vote/cars/{entry_id:int}/photo": NOBODY,
    "GET /judging/ballots": ANONYMOUS,
    "GET /judging/ballots/{award_id:int}": ALL,  # the ballot's only voter is judge J0
    "POST /judging/ballots/{award_id:int}": ALL,
    "GET /organizer/awards/{award_id:int}": ALL,
    "POST /organizer/awards/{award_id:int}": ALL,
    "POST /organizer/awards/{award_id:int}/close": ALL,
    "POST /organizer/awards/{award_id:int}/codes": ALL,
    "POST /organizer/awards/{award_id:int}/decide": ALL,
    "POST /organizer/awards/{award_id:int}/nominate": ALL,
    "POST /organizer/awards/{award_id:int}/open": ALL,
    "POST /organizer/awards/{award_id:int}/run-off": ALL,
    "POST /organizer/awards/{award_id:int}/tie": ALL,
    "POST /organizer/awards/{award_id:int}/undo": ALL,
    "POST /organizer/awards/{award_id:int}/voters": ALL,
    "GET /organizer/code-batches/{batch_id:int}/sheet.pdf": ALL,
    "POST /organizer/events/{event_id:int}/awards/rules": ALL,
    "GET /organizer/events/{event_id:int}/results.csv": ALL,
    "GET /organizer/events/{event_id:int}/results.json": ALL,
    "GET /organizer/events/{event_id:int}/roster/{judge_id:int}/remove": ALL,
    "POST /organizer/events/{event_id:int}/roster/{judge_id:int}/remove": ALL,
    "GET /password/forgot": NOBODY,
    "POST /password/forgot": NOBODY,
    "GET /password/reset/{token:str}": NOBODY,
    "POST /password/reset/{token:str}": NOBODY,
    "GET /pending-photos/{token:str}/{key:str}": NOBODY,  # a capability URL: whoever holds the token
    # Placings sheets (class X is judged by points in the world: every persona is refused, 404)
    "GET /judging/classes/{class_id:int}/placings": ALL,
    "POST /judging/classes/{class_id:int}/placings/order": ALL,
    "POST /judging/classes/{class_id:int}/placings/notes/{entry_id:int}": ALL,
    "POST /judging/classes/{class_id:int}/placings/comment": ALL,
    "POST /judging/classes/{class_id:int}/placings/move": ALL,
    "POST /judging/classes/{class_id:int}/placings/submit": ALL,
    "GET /organizer/classes/{class_id:int}/system": ALL,
    "POST /organizer/classes/{class_id:int}/system": ALL,
    "POST /organizer/classes/{class_id:int}/orders/{sheet_id:int}/reopen": ALL,
    "GET /organizer/classes/{class_id:int}/tracks": ALL,
    "POST /organizer/classes/{class_id:int}/tracks": ALL,
    # Show day: the public live page, its event stream (presented awards only) and the cars' pages
    "GET /events/{slug:str}/live": NOBODY,
    "GET /events/{slug:str}/live/stream": NOBODY,
    "GET /events/{slug:str}/cars/{number:int}": NOBODY,
    "GET /events/{slug:str}/cars/{number:int}/photo": NOBODY,
    "GET /events/{slug:str}/cars/{number:int}/thumb": NOBODY,
    "GET /events/{slug:str}/cars/{number:int}/photos/{index:int}": NOBODY,
    "GET /chief/events/{event_id:int}/stream": ALL,
    "GET /my/privacy": ANONYMOUS,
    "POST /my/privacy": ANONYMOUS,
    "GET /my/privacy/data.json": ANONYMOUS,  # the signed-in person's own data (404 with no entrant record)
    "GET /organizer/events/{event_id:int}/ceremony": ALL,
    "POST /organizer/events/{event_id:int}/ceremony/build": ALL,
    "POST /organizer/events/{event_id:int}/ceremony/reset": ALL,
    "GET /organizer/events/{event_id:int}/ceremony/emcee-cards.pdf": ALL,
    "POST /organizer/ceremony/lines/{line_id:int}/move": ALL,
    "POST /organizer/ceremony/lines/{line_id:int}/present": ALL,
    "POST /organizer/ceremony/lines/{line_id:int}/unpresent": ALL,
    "GET /organizer/events/{event_id:int}/branding": ALL,
    "POST /organizer/events/{event_id:int}/branding": ALL,
    "GET /organizer/events/{event_id:int}/branding/logo": ALL,
    "GET /organizer/events/{event_id:int}/documents": ALL,
    "POST /organizer/events/{event_id:int}/documents": ALL,  # starts a document job
    # The installation's backups: any organizer account, nobody else
    "GET /organizer/backups": ALL_BUT_ORGANIZERS,
    "POST /organizer/backups": ALL_BUT_ORGANIZERS,
    "POST /organizer/backups/now": ALL_BUT_ORGANIZERS,
}

CSRF_COOKIE = "concours_csrf"
# What a refused request may answer: 401/403/404/405/410, a 303 to the sign-in page; and 429 never here.
REFUSED_STATUSES = {401, 403, 404, 405, 410}


def refused(response: Any) -> bool:
    if response.status_code in REFUSED_STATUSES:
        return True
    return response.status_code in (302, 303) and response.headers.get("location", "").startswith("/login")


@pytest.fixture
def world(db_url: str, settings: Settings) -> World:
    return run_db(db_url, lambda session: build_world(session, settings))


@pytest.fixture
def snapshots(db_url: str) -> Iterator[Snapshots]:
    snaps = Snapshots(db_url)
    yield snaps
    snaps.close()


def persona_client(settings: Settings, token: str | None) -> TestClient[Any]:
    client = TestClient(app=create_app(settings, run_outbox=False), base_url=settings.base_url)
    if token:
        client.cookies.set("concours_session", token)
    return client


def send(client: TestClient[Any], route: Route, url: str, data: dict[str, str] | None = None) -> Any:
    if route.method == "GET":
        # Query parameters some pages require (e.g. the paper sheet's judge_id); the others ignore them.
        return client.get(url, params=data, follow_redirects=False)
    token = client.cookies.get(CSRF_COOKIE)
    if token is None:
        client.get("/login")
        token = client.cookies.get(CSRF_COOKIE)
    form = {"_csrf_token": token or "", **(data or {})}
    return client.request(route.method, url, data=form, follow_redirects=False)


def test_every_route_has_a_matrix_entry(settings: Settings) -> None:
    routes = {r.key for r in app_routes(create_app(settings, run_outbox=False))}
    missing = sorted(routes - set(MATRIX))
    assert missing == [], "routes without an authorization matrix entry (add a line to MATRIX):\n" + "\n".join(
        f'    "{key}": ALL,' for key in missing
    )
    gone = sorted(set(MATRIX) - routes)
    assert gone == [], f"MATRIX names routes the app no longer has: {gone}"


def test_every_persona_is_refused_where_it_must_be(settings: Settings, world: World, snapshots: Snapshots) -> None:
    routes = app_routes(create_app(settings, run_outbox=False))
    baseline = snapshots.take()
    failures: list[str] = []
    probes = 0
    for persona in PERSONAS:
        with persona_client(settings, world.tokens[persona]) as client:
            for route in routes:
                if persona not in MATRIX.get(route.key, NOBODY):
                    continue
                url = route.url(world.params)
                # Plausible fields so that a refusal cannot hide behind a form error.
                r = send(client, route, url, world.probe_fields)
                probes += 1
                if not refused(r):
                    failures.append(f"{persona}: {route.key} → {r.status_code} {r.text[:120]!r}")
                after = snapshots.take()
                if after != baseline:
                    failures.append(f"{persona}: {route.key} changed {changed(baseline, after)}")
                    baseline = after
    assert probes > 200
    assert failures == [], "\n".join(failures)


def test_the_owners_are_let_in(settings: Settings, world: World) -> None:
    """The matrix cannot pass by refusing everyone: the same URLs open for the people they belong to."""
    checks = [
        ("organizer", f"/organizer/events/{world.params['event_id']}"),
        ("organizer", f"/organizer/classes/{world.params['class_id']}/results"),
        ("organizer", f"/chief/sheets/{world.params['sheet_id']}"),
        ("judge", f"/judging/entries/{world.params['entry_id']}"),
        ("judge", f"/judging/ballots/{world.params['award_id']}"),
        ("organizer", f"/organizer/awards/{world.params['award_id']}"),
        ("owner", f"/my/entries/{world.params['entry_id']}/edit"),
        ("conflicted_judge", f"/judging/events/{world.params['event_id']}/conflicts"),
    ]
    for who, url in checks:
        with persona_client(settings, world.tokens[who]) as client:
            r = client.get(url, follow_redirects=False)
            assert r.status_code == 200, (who, url, r.status_code)
