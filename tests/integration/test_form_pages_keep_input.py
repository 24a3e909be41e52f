"""Every form page keeps what was typed when the form is malformed, generated from the app's route table.

The HTML pages of the app (every GET route, as each role that may open it) are read and their forms collected.
For every POST route with a form that has something to type, that form is sent as multipart with one text field
carrying bytes that are not UTF-8 (and, separately, a NUL character) and every other text field with a
recognisable typed value. The answer must be a 400 that is the form page itself (the same form again, not the
app-wide error page), with the message about that field, and with every other typed value in it.

A POST route whose form was not found with something to type must be named in ``NOT_FORM_PAGES`` with the reason
(a button, an htmx fragment, ...); a route named there whose form has fields to type fails the test, so the list
cannot go stale."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from litestar.testing import TestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.app import create_app
from concours.db import Entry, Event, EventClass, ScoreSheet, SpecialAward
from concours.db.base import utcnow
from concours.settings import Settings
from tests.conftest import run_db
from tests.route_world import Route, World, app_routes, build_world

# Each role reads the pages of its part of the app.
ROLES = {
    "organizer": ("/organizer", "/chief"),
    "judge": ("/judging",),
    "owner": ("/my",),
    "anonymous": ("/login", "/password", "/events/"),
}

# POST routes that are not HTML form pages with something to type, and why. Each still answers a malformed form
# with a 400 that says what is wrong (the app-wide error page, or a fragment for htmx), never a 500.
NOT_FORM_PAGES: dict[str, str] = {
    "POST /logout": "a button: nothing to type",
    "POST /language": "the language menu: a button per language",
    "POST /auth/link/{token:str}": "a button that uses the link: nothing to type",
    "POST /jobs/{job_id:int}/again": "a button: render the document again",
    "POST /organizer/events/{event_id:int}/packets": "a button: start the judge packets job",
    "POST /organizer/events/{event_id:int}/publish": "a button on the set-up page",
    "POST /organizer/events/{event_id:int}/ceremony/build": "a button on the run sheet",
    "POST /organizer/events/{event_id:int}/ceremony/reset": "a button on the run sheet",
    "POST /organizer/ceremony/lines/{line_id:int}/move": "buttons (up/down) on a run sheet line",
    "POST /organizer/ceremony/lines/{line_id:int}/present": "a button on a run sheet line",
    "POST /organizer/ceremony/lines/{line_id:int}/unpresent": "a button on a run sheet line",
    "POST /organizer/awards/{award_id:int}/remove": "a button",
    "POST /organizer/events/{event_id:int}/invitations/setting": "a checkbox (invitation only) and a button",
    "POST /organizer/awards/{award_id:int}/undo": "a button",
    "POST /organizer/awards/{award_id:int}/open": "a button",
    "POST /organizer/awards/{award_id:int}/close": "a button",
    "POST /organizer/awards/{award_id:int}/run-off": "a button",
    "POST /organizer/awards/{award_id:int}/voters": "tick boxes of judges: nothing to type",
    "POST /organizer/conflicts/{conflict_id:int}/delete": "a button on a conflict's row",
    "POST /judging/conflicts/{conflict_id:int}/delete": "a button on a conflict's row",
    "POST /organizer/conflicts/{conflict_id:int}/confirm": "a button on a suggested conflict's row",
    "POST /organizer/events/{event_id:int}/conflicts/suggest": "a button: look for conflicts",
    "POST /organizer/events/{event_id:int}/conflicts/roster-setting": "a checkbox (roster shown) and a button",
    "POST /judging/invitations/{event_id:int}/accept": "a button",
    "POST /my/entries/{entry_id:int}/withdraw": "a button",
    "POST /my/privacy": "one tick box: nothing to type",
    "POST /judging/ballots/{award_id:int}": "a choice of cars: nothing to type",
    "POST /organizer/events/{event_id:int}/roster/{judge_id:int}/remove": "a confirmation button",
    "POST /organizer/events/{event_id:int}/assignment/apply": "a button that applies the proposed plan",
    "POST /organizer/events/{event_id:int}/chief-judge": "a choice from the roster: nothing to type",
    "POST /organizer/classes/{class_id:int}/certify": "tick boxes and a button",
    "POST /organizer/events/{event_id:int}/entries/import": "a file to choose: nothing to type",
    "POST /organizer/events/{event_id:int}/roster/import": "a file to choose: nothing to type",
    "POST /organizer/events/{event_id:int}/status": "a choice of the next status and a button",
    "POST /organizer/events/{event_id:int}/system": "a choice of preset and a button",
    "POST /organizer/events/{event_id:int}/classes/combine": "two choices of class and a button",
    "POST /organizer/events/{event_id:int}/classes/copy": "a choice of the organizer's other event and a button",
    "POST /organizer/events/{event_id:int}/awards/rules": "choices (how awards combine with class places)",
    "POST /organizer/events/{event_id:int}/assignment/change": "a choice of class and buttons on a judge's card",
    "POST /password/reset/{token:str}": "two password fields: a password is never shown again",
    # Form pages whose form shows only in a state this world does not reach; each goes through submit() like
    # the others (see the handler), and its own test file exercises the state.
    "POST /organizer/awards/{award_id:int}/tie": "after a tied ballot round (test_awards): _act → submit()",
    "POST /organizer/classes/{class_id:int}/ties": "after an unresolved tie (test_results): RESULTS via submit()",
    "POST /organizer/classes/{class_id:int}/orders/{sheet_id:int}/reopen": "placings classes (test_placings)",
    "POST /organizer/classes/{class_id:int}/sections": "section judging (test_judging_systems): JUDGES via submit()",
    "POST /organizer/classes/{class_id:int}/tracks": "classes with award tracks (test_award_tracks): PAGE via submit()",
    "POST /chief/entries/{entry_id:int}/acknowledge": "flagged cars only (calibration tests): PAGE via submit()",
    "POST /organizer/events/{event_id:int}/documents": "buttons that start a document job",
    "POST /organizer/backups/now": "a button: back up now",
    "POST /judging/entries/{entry_id:int}/submit": "a button under the sheet",
    "POST /judging/calibration/{entry_id:int}/submit": "a button under the calibration sheet",
    "POST /judging/calibration/{entry_id:int}/lines/{category_id:int}": "htmx autosave: answers a 400 fragment",
    "POST /judging/calibration/{entry_id:int}/comment": "htmx autosave: answers a 400 fragment",
    "POST /chief/events/{event_id:int}/calibration-car/clear": "a button: no calibration car",
    "POST /chief/events/{event_id:int}/calibration-car": "two lists to choose from, nothing to type (a refused "
    "choice shown beside its list, kept: test_calibration_car)",
    "POST /judging/entries/{entry_id:int}/lines/{category_id:int}": "htmx autosave: answers a 400 fragment",
    "POST /judging/entries/{entry_id:int}/comment": "htmx autosave: answers a 400 fragment",
    "POST /judging/classes/{class_id:int}/placings/order": "htmx autosave of the order: answers a 400 fragment",
    "POST /judging/classes/{class_id:int}/placings/notes/{entry_id:int}": "htmx autosave: answers a 400 fragment",
    "POST /judging/classes/{class_id:int}/placings/comment": "htmx autosave: answers a 400 fragment",
    "POST /judging/classes/{class_id:int}/placings/move": "buttons (up/down) without scripts",
    "POST /judging/classes/{class_id:int}/placings/submit": "a button under the placings sheet",
}

TEXT_TYPES = {"text", "email", "search", "tel", "url", "number", "date", "time", "datetime-local", "color"}
NOT_TEXT = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
SKIP_PAGES = (".pdf", ".csv", ".json", "/stream", "/photo", "/thumb", "/logo", "/progress", "/_bench/")


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)

    def typed(self) -> list[Field]:
        return [f for f in self.fields if f.kind in TEXT_TYPES or f.kind == "textarea"]


class _Forms(HTMLParser):
    """The POST forms of a page: their action and fields (the first named button counts as the one clicked)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._text: Field | None = None
        self._select: Field | None = None
        self._button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(urlsplit(urljoin(self.page, a.get("action") or self.page)).path)
                self.forms.append(self._form)
            self._button = False
            return
        form = self._form
        if form is None or "name" not in a or "disabled" in a:
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            form.fields.append(Field(name, kind, a.get("value", "")))
        elif tag == "textarea":
            self._text = Field(name, "textarea", "")
            form.fields.append(self._text)
        elif tag == "select":
            self._select = Field(name, "select", "")
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            if not self._select.value or "selected" in a:
                self._select.value = a.get("value", "")
        elif tag == "button" and not self._button and a.get("type", "submit") == "submit":
            self._button = True
            form.fields.append(Field(name, "button", a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._text = None
        elif tag == "select":
            self._select = None


def forms_of(page: str, text: str) -> list[Form]:
    parser = _Forms(page)
    parser.feed(text)
    return parser.forms


def pattern(route: Route) -> re.Pattern[str]:
    path = re.sub(r"\{\w+:int\}", r"\\d+", re.sub(r"\{\w+:str\}", "[^/]+", route.path.rstrip("/")))
    return re.compile(f"^{path}/?$")


async def _more_forms(session: AsyncSession, world: World) -> None:
    """What puts the remaining forms on a page: a designated award, a ballot being set up, an open People's
    Choice, a submitted sheet,
    a certified class (its reopen form), event B open for applications with an application of the owner's."""
    a, b = world.params["event_id"], world.event_b_id
    award = SpecialAward(event_id=a, name="Chairman's Award", kind="designated")
    paint = SpecialAward(event_id=a, name="Best Paint", kind="ballot", eligibility="nominated")
    session.add_all([award, paint])
    await session.execute(update(SpecialAward).where(SpecialAward.kind == "peoples_choice").values(status="open"))
    await session.execute(
        update(ScoreSheet).where(ScoreSheet.id == world.params["sheet_id"]).values(status="submitted")
    )
    await session.execute(update(EventClass).where(EventClass.code == "K").values(certified_at=utcnow()))
    await session.execute(
        update(Event).where(Event.id == b).values(status="registration_open", registration_closes_at=None)
    )
    x = await session.get(Entry, world.params["entry_id"])
    assert x is not None
    mine = Entry(event_id=b, entrant_id=x.entrant_id, vehicle_id=x.vehicle_id, status="applied")
    session.add(mine)
    await session.flush()
    people = await session.scalar(select(SpecialAward.id).where(SpecialAward.kind == "peoples_choice"))
    world.notes["pages"] = [
        f"/organizer/events/{a}/assignment?propose=1",
        f"/organizer/awards/{award.id}",
        f"/organizer/awards/{paint.id}",
        f"/organizer/awards/{people}",
        f"/organizer/classes/{await session.scalar(select(EventClass.id).where(EventClass.code == 'K'))}/results",
        f"/chief/entries/{world.params['entry_id']}/paper?judge_id={world.params['judge_id']}",
        f"/events/{await session.scalar(select(Event.slug).where(Event.id == b))}/apply",
        f"/my/entries/{mine.id}/edit",
    ]


@pytest.fixture
def world(db_url: str, settings: Settings) -> World:
    world = run_db(db_url, lambda session: build_world(session, settings))
    run_db(db_url, lambda session: _more_forms(session, world))
    return world


def _as(client: TestClient[Any], world: World, role: str) -> TestClient[Any]:
    """The one client (one app, one event loop) as ``role``: its session cookie, or none."""
    client.cookies.delete("concours_session")
    token = world.tokens[role]
    if token:
        client.cookies.set("concours_session", token)
    return client


def _pages(routes: list[Route], world: World) -> list[str]:
    urls = [r.url(world.params) for r in routes if r.method == "GET" and not r.path.endswith(SKIP_PAGES)]
    urls = [u for u in urls if not any(s in u for s in SKIP_PAGES)]
    return urls + world.notes["pages"]


def _send(client: TestClient[Any], form: Form, bad: Field, bad_value: bytes) -> tuple[Any, dict[str, str]]:
    """The form as typed: ``bad`` carries ``bad_value``, every other text field a recognisable value."""
    parts: list[tuple[str, tuple[None, bytes]]] = []
    typed: dict[str, str] = {}
    for n, f in enumerate(form.fields):
        if f is bad:
            value = bad_value
        elif f.kind == "textarea" or (f.kind in TEXT_TYPES and f.kind != "password"):
            typed[f.name] = f"Typed {n} kept"
            value = typed[f.name].encode()
        else:
            value = f.value.encode()
        parts.append((f.name, (None, value)))
    return client.post(form.action, files=parts, follow_redirects=False), typed


def test_every_form_page_keeps_what_was_typed_on_malformed_input(settings: Settings, world: World) -> None:
    app = create_app(settings, run_outbox=False)
    routes = app_routes(app)
    posts = [r for r in routes if r.method == "POST"]
    pages = _pages(routes, world)
    found: dict[str, tuple[str, str, Form]] = {}  # route key → (role, page, form with something to type)
    buttons: dict[str, str] = {}  # route key → page where only a button (or choices) posts to it
    with TestClient(app=app, base_url=settings.base_url) as client:
        client.get("/login")  # the CSRF cookie
        for role in ROLES:
            _as(client, world, role)
            for page in [p for p in pages if p.startswith(ROLES[role])]:
                r = client.get(page, follow_redirects=False)
                if r.status_code != 200 or not r.headers.get("content-type", "").startswith("text/html"):
                    continue
                for form in forms_of(page, r.text):
                    route = next((p for p in posts if pattern(p).match(form.action)), None)
                    if route is None:
                        continue
                    if any(f.kind != "password" for f in form.typed()):
                        found.setdefault(route.key, (role, page, form))
                    else:
                        buttons.setdefault(route.key, page)

        stale = sorted(key for key in NOT_FORM_PAGES if key in found)
        assert stale == [], f"named in NOT_FORM_PAGES but their page has fields to type (test them): {stale}"
        unknown = sorted(set(NOT_FORM_PAGES) - {r.key for r in posts})
        assert unknown == [], f"NOT_FORM_PAGES names routes the app no longer has: {unknown}"
        uncovered = sorted(r.key for r in posts if r.key not in found and r.key not in NOT_FORM_PAGES)
        assert uncovered == [], (
            "POST routes whose form was not found with fields to type: add their page to the world, or name them "
            "in NOT_FORM_PAGES with the reason:\n" + "\n".join(f"{k} (buttons on {buttons.get(k)})" for k in uncovered)
        )
        assert len(found) >= 25, sorted(found)
        print(f"form pages: {len(found)} POST routes tested; {len(NOT_FORM_PAGES)} named as not form pages")

        failures: list[str] = []
        for key, (role, page, form) in sorted(found.items()):
            bad = next(f for f in form.typed() if f.kind != "password")
            for bad_value, message in ((NOT_TEXT, "not text (UTF-8)"), (b"typed\x00here", "NUL character")):
                r, typed = _send(_as(client, world, role), form, bad, bad_value)
                where = f"{key} ({role}, from {page}; field {bad.name!r} with {bad_value[:6]!r})"
                if r.status_code != 400:
                    failures.append(f"{where}: answered {r.status_code}")
                    continue
                text = html.unescape(r.text)
                again = [f for f in forms_of(form.action, r.text) if pattern(Route("POST", key[5:])).match(f.action)]
                if "The form could not be accepted" in text or not again:
                    failures.append(f"{where}: the app-wide error page, not the form page")
                    continue
                if message not in text:
                    failures.append(f"{where}: the message ({message}) is not on the page")
                lost = [name for name, value in typed.items() if value not in text]
                if lost:
                    failures.append(f"{where}: typed values lost: {lost}")
        assert failures == [], "\n".join(failures)
