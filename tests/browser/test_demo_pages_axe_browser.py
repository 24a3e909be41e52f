"""axe-core over every HTML page shape of the realistic demo, as each audience sees it (issue 15): the public
visitor, the entrant, the judge and the chief judge on a phone or an iPad, the organizer at a desk. No violation
of any impact is allowed, every visited page answers 200, and every GET route of the app is either visited or on
the commented skip list below (so a new page must be added here)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from concours.app import create_app
from concours.demo import ORGANIZER_EMAIL
from concours.settings import Settings
from tests.browser.axe import DEFAULT_TAGS, axe_violations
from tests.browser.conftest import LAPTOP, PHONE, TABLET, off_loop
from tests.demo_pages import build_demo_world, demo_visits
from tests.route_world import app_routes
from tests.scenes import SESSION_COOKIE

# GET routes that are not HTML pages a person reads (or have no page of their own), with why.
SKIPPED = {
    # Event streams (server-sent events), not pages.
    "/chief/events/{event_id:int}/stream",
    "/events/{slug:str}/live/stream",
    # Images.
    "/events/{slug:str}/cars/{number:int}/photo",
    "/events/{slug:str}/cars/{number:int}/photos/{index:int}",
    "/events/{slug:str}/cars/{number:int}/thumb",
    "/events/{slug:str}/results/photos/{photo_id:int}",
    "/events/{slug:str}/vote/cars/{entry_id:int}/photo",
    "/organizer/events/{event_id:int}/branding/logo",
    "/pending-photos/{token:str}/{key:str}",
    "/photos/{photo_id:int}",
    "/photos/{photo_id:int}/thumb",
    # PDF, CSV and JSON documents.
    "/jobs/{job_id:int}/document.pdf",
    "/judging/events/{event_id:int}/packet.pdf",
    "/my/entries/{entry_id:int}/report.pdf",
    "/organizer/classes/{class_id:int}/results.pdf",
    "/organizer/code-batches/{batch_id:int}/sheet.pdf",
    "/organizer/events/{event_id:int}/ceremony/emcee-cards.pdf",
    "/organizer/events/{event_id:int}/entries.csv",
    "/organizer/events/{event_id:int}/entries/template.csv",
    "/organizer/events/{event_id:int}/judges/{judge_id:int}/packet.pdf",
    "/organizer/events/{event_id:int}/results.csv",
    "/organizer/events/{event_id:int}/results.json",
    "/my/privacy/data.json",
    # htmx fragments polled or swapped into a page that is visited (the job page; the load-test baseline).
    "/jobs/{job_id:int}/progress",
    "/judging/_bench/fragment",
    # The offline service worker (a script).
    "/judging/sw.js",
    # Redirects only: to the chief's board (visited) when the person has one event.
    "/chief",
}

DESK = LAPTOP
# WCAG 2.1 A/AA and axe's best practices (landmarks, heading order, empty table headers...): no impact is excused.
TAGS = (*DEFAULT_TAGS, "best-practice", "wcag22a", "wcag22aa")


DEVICES: dict[str, dict[str, Any]] = {
    "public": PHONE,
    "entrant": PHONE,
    "judge": TABLET,
    "ballot_judge": TABLET,
    "placings_judge": TABLET,
    "chief": TABLET,
    "organizer": DESK,
}


@pytest.mark.browser
def test_every_demo_page_shape_passes_axe(
    new_context: Callable[..., BrowserContext], live_server: str, db_url: str, settings: Settings
) -> None:
    started = time.monotonic()
    demo = off_loop(build_demo_world, db_url, settings)
    print(f"demo built in {time.monotonic() - started:.1f}s")
    visits = demo_visits(demo)

    routes = {r.path for r in app_routes(create_app(settings, run_outbox=False)) if r.method == "GET"}
    visited = {v.route for v in visits}
    assert visited <= routes, f"visits of routes the app does not have: {sorted(visited - routes)}"
    assert not (SKIPPED & visited), f"both skipped and visited: {sorted(SKIPPED & visited)}"
    unlisted = sorted(routes - visited - SKIPPED)
    assert unlisted == [], f"GET routes neither visited nor on SKIPPED (add the page to this test): {unlisted}"

    pages: dict[str, Page] = {}

    def page_for(role: str) -> Page:
        if role not in pages:
            ctx = new_context(**DEVICES[role])
            token = demo.tokens.get(role)
            if token:
                ctx.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_server}])
            pages[role] = ctx.new_page()
        return pages[role]

    bad_status: list[str] = []
    problems: list[str] = []

    def check(role: str, url: str, page: Page) -> None:
        for v in axe_violations(page, tags=TAGS):
            for node in v["nodes"]:
                problems.append(
                    f"{role} {url}: {v['id']} ({v['impact']}) {' '.join(map(str, node['target']))}: "
                    f"{node['html'][:140]}"
                )

    for visit in visits:
        page = page_for(visit.role)
        response = page.goto(visit.url)
        status = response.status if response else 0
        if status != visit.status:
            bad_status.append(f"{visit.role} {visit.url}: {status}, not {visit.status}")
            continue
        if page.url != live_server + visit.url:  # a redirect would check another page than the one named
            bad_status.append(f"{visit.role} {visit.url}: sent on to {page.url}")
            continue
        check(visit.role, visit.url, page)

    # A form shown with its errors: signing in with a wrong password.
    public = page_for("public")
    public.goto("/login")
    public.locator("#f-email").fill(ORGANIZER_EMAIL)
    public.get_by_label("Password").fill("not the password")
    public.get_by_role("button", name="Sign in", exact=True).click()
    public.wait_for_load_state("load")
    check("public", "/login (refused)", public)

    counts: dict[str, int] = {}
    for v in visits:
        counts[v.role] = counts.get(v.role, 0) + 1
    print("pages per role:", counts)
    assert (bad_status, problems) == ([], []), (
        "pages that did not answer 200:\n"
        + "\n".join(bad_status)
        + f"\n\n{len(problems)} axe violations:\n"
        + "\n".join(problems)
    )
