"""Small worlds for tests, built through the services — the use cases a person's actions run — not by posting
forms and scraping ids out of pages. Each builder is an ``async def (session, ...)`` usable inside one
transaction; the sync wrappers (``set_up_event``, ``Scene``, ``JudgeScene``, ``seed``) run them in one committed
transaction with :func:`tests.conftest.run_db`, so a test then drives the app over HTTP. Only the thin-path tests
(``test_thin_path`` and its browser twin) still build their world through the pages."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litestar.testing import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    ClassResult,
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    JudgingSystem,
    RubricCategory,
    ScoreLine,
    ScoreSheet,
    SpecialAward,
    User,
    Vehicle,
    utcnow,
)
from concours.services import accounts, entries, events, judging, photos, results, roster, teams
from concours.services.permissions import Viewer
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import login, login_by_link, make_organizer, post

SESSION_COOKIE = "concours_session"
ORGANIZER_EMAIL = "org@example.com"  # make_organizer's account

APPLICATION = {
    "name": "Edith Entrant",
    "email": "edith@example.com",
    "phone": "+44 20 7946 0000",
    "city": "Bath",
    "country": "United Kingdom",
    "year": "1937",
    "make": "Talbot-Lago",
    "model": "T150-C SS",
    "body_style": "Coupé",
    "coachbuilder": "Figoni et Falaschi",
    "chassis_number": "90034",
    "engine_number": "85012",
    "colour": "Silver",
    "restoration_state": "restored",
    "history": "Delivered new in Paris; restored 2019.",
    "prior_awards": "",
    "terms": "on",
}


# -- builders (async, inside one transaction) -------------------------------------------------------


def viewer_of(user: User, *event_ids: int) -> Viewer:
    """``user`` as an organizer (and chief judge) of these events."""
    ids = frozenset(event_ids)
    return Viewer(user.id, user.name, user.email, user.is_organizer, None, None, ids, ids)


async def organizer(session: AsyncSession, email: str = ORGANIZER_EMAIL) -> Viewer:
    user = await session.scalar(select(User).where(User.email == email))
    assert user is not None, f"no account for {email}"
    return viewer_of(user)


async def new_event(
    session: AsyncSession,
    viewer: Viewer,
    *,
    name: str = "Lakeside Concours",
    classes: tuple[tuple[str, str], ...] = (("C", "French Curves 1935-1939"),),
    preset: str = "class_placings",
    status: str = "registration_open",
    venue: str = "Lakeside Park",
    starts_on: str = "2027-06-12",
    ends_on: str = "2027-06-12",
    timezone: str = "Europe/London",
) -> tuple[Event, dict[str, EventClass], Viewer]:
    """An event as its organizer sets it up: classes, a judging-system preset, open for applications."""
    event = await events.create_event(
        session, viewer, name=name, venue=venue, starts_on=starts_on, ends_on=ends_on, timezone=timezone
    )
    viewer = Viewer(
        viewer.user_id,
        viewer.name,
        viewer.email,
        viewer.is_organizer,
        viewer.judge_id,
        viewer.entrant_id,
        viewer.organizer_event_ids | {event.id},
        viewer.chief_judge_event_ids | {event.id},
    )
    made = {}
    for code, class_name in classes:
        made[code] = await events.add_class(session, viewer, event, code=code, name=class_name)
    await events.apply_presets(session, event, preset)
    await advance(session, viewer, event, status)
    return event, made, viewer


STATUS_PATH = ("draft", "registration_open", "registration_closed", "judging")


async def advance(session: AsyncSession, viewer: Viewer, event: Event, status: str) -> None:
    """Move the event forward step by step (as the organizer's status buttons do) until it is in ``status``."""
    while event.status != status:
        await events.change_status(session, viewer, event, STATUS_PATH[STATUS_PATH.index(event.status) + 1])


async def accepted_entry(
    session: AsyncSession, settings: Settings, viewer: Viewer, event: Event, cls: EventClass, **form: str
) -> Entry:
    """An application through the public form's use case, accepted into ``cls`` by the organizer."""
    entry = await entries.apply(session, settings, event, dict(APPLICATION, **form))
    await entries.decide(session, viewer, entry, status="accepted", class_id=str(cls.id))
    return entry


async def judge_id_of(session: AsyncSession, email: str) -> int:
    jid = await session.scalar(select(Judge.id).join(User, User.id == Judge.user_id).where(User.email == email))
    assert jid is not None, f"{email} is not a judge"
    return jid


# -- sync wrappers for HTTP tests ------------------------------------------------------------------


def set_up_event(client: TestClient[Any], db_url: str) -> dict[str, Any]:
    """The organizer's account and an event open for applications with class C; ``client`` signs in as the
    organizer. Returns the event's id, class C's id and the event's slug."""
    make_organizer(db_url)

    async def go(session: AsyncSession) -> dict[str, Any]:
        event, classes, _ = await new_event(session, await organizer(session))
        return {"event_id": event.id, "class_id": classes["C"].id, "slug": event.slug}

    ev = run_db(db_url, go)
    login(client)
    return ev


def count(db_url: str, model: Any, *where: Any) -> int:
    async def go(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    return run_db(db_url, go)


def category_ids(judge: TestClient[Any], entry_id: int) -> list[int]:
    """The category ids of the score lines on a car's sheet, as the judge's page offers them."""
    page = judge.get(f"/judging/entries/{entry_id}")
    assert page.status_code == 200, page.text
    return [int(x) for x in re.findall(r'/lines/(\d+)"', page.text)]


class _Clients:
    """Signed-in browsers for a scene, each closed (by one ExitStack) when the scene is."""

    settings: Settings
    db_url: str

    def __init__(self) -> None:
        self._stack = ExitStack()

    def as_user(self, email: str) -> TestClient[Any]:
        """A browser signed in as ``email`` by an e-mailed link; closed with the scene."""
        c = self._stack.enter_context(new_client(self.settings))
        login_by_link(c, self.db_url, email)
        return c

    def close(self) -> None:
        self._stack.close()


class Scene(_Clients):
    """An event in judging with two classes (C and D), two accepted cars (one per class, owned by ann@ and bob@),
    a judge on each class (judge-a@ on C, judge-b@ on D). ``org`` is the organizer's signed-in client."""

    def __init__(self, client: TestClient[Any], db_url: str, settings: Settings) -> None:
        super().__init__()
        self.org, self.db_url, self.settings = client, db_url, settings
        make_organizer(db_url)

        async def go(session: AsyncSession) -> tuple[int, int, int, str, list[int]]:
            event, classes, viewer = await new_event(
                session,
                await organizer(session),
                classes=(("C", "French Curves 1935-1939"), ("D", "European Classic Closed")),
            )
            ids = []
            for n, (code, email, chassis) in enumerate(
                (("C", "ann@example.com", "A1"), ("D", "bob@example.com", "B2"))
            ):
                entry = await accepted_entry(
                    session,
                    settings,
                    viewer,
                    event,
                    classes[code],
                    email=email,
                    chassis_number=chassis,
                    name=f"Owner {n}",
                )
                ids.append(entry.id)
            for code, email in (("C", "judge-a@example.com"), ("D", "judge-b@example.com")):
                await teams.add_judge_to_class(
                    session, settings, viewer, classes[code], name=email.split("@")[0], email=email
                )
            await advance(session, viewer, event, "judging")
            return event.id, classes["C"].id, classes["D"].id, event.slug, ids

        self.event_id, self.class_a, self.class_b, self.slug, self.entries = run_db(db_url, go)
        login(client)

    def category_ids(self, judge: TestClient[Any], entry_id: int) -> list[int]:
        return category_ids(judge, entry_id)


JUDGE_SCENE_CARS = (  # class, owner e-mail, make, model, chassis
    ("C", "ann@example.com", "Talbot-Lago", "T150-C SS", "C1"),
    ("C", "cara@example.com", "Delahaye", "135M", "C2"),
    ("D", "bob@example.com", "Ferrari", "250 GT", "D1"),
    ("D", "dan@example.com", "Ferrari", "275 GTB", "D2"),
)
JUDGE_SCENE_JUDGES = (  # name, e-mail, rank, specialties
    ("Jo Master", "jo@example.com", "master", "Talbot-Lago, Pre-War"),
    ("Kim Senior", "kim@example.com", "senior", "Ferrari"),
    ("Lee Judge", "lee@example.com", "judge", "Delahaye"),
    ("Max Apprentice", "max@example.com", "apprentice", ""),
    ("Ann Owner", "ann@example.com", "judge", "French cars"),
)


class JudgeScene(_Clients):
    """An event with classes C and D, two accepted cars in each (``entries`` by chassis), and five judges invited
    by the organizer (Ann also owns a car in class C). ``accept()`` has every judge accept by the e-mailed link."""

    def __init__(self, client: TestClient[Any], db_url: str, settings: Settings) -> None:
        super().__init__()
        self.org, self.db_url, self.settings = client, db_url, settings
        self.clients: list[TestClient[Any]] = []
        make_organizer(db_url)

        async def go(session: AsyncSession) -> tuple[int, str, dict[str, int], dict[str, int]]:
            event, classes, viewer = await new_event(
                session,
                await organizer(session),
                classes=(("C", "French Curves 1935-1939"), ("D", "Italian Sports Cars")),
            )
            by_chassis = {}
            for code, email, make, model, chassis in JUDGE_SCENE_CARS:
                entry = await accepted_entry(
                    session,
                    settings,
                    viewer,
                    event,
                    classes[code],
                    email=email,
                    make=make,
                    model=model,
                    chassis_number=chassis,
                    name=email.split("@")[0].title(),
                )
                by_chassis[chassis] = entry.id
            for name, email, rank, specialties in JUDGE_SCENE_JUDGES:
                form = {"name": name, "email": email, "rank": rank, "specialties": specialties}
                await roster.invite_judge(session, settings, viewer, event, form)
            return event.id, event.slug, {code: c.id for code, c in classes.items()}, by_chassis

        self.event_id, self.slug, self.classes, self.entries = run_db(db_url, go)
        login(client)

    def judge_id(self, email: str) -> int:
        async def go(session: AsyncSession) -> int:
            return await judge_id_of(session, email)

        return run_db(self.db_url, go)

    def as_user(self, email: str) -> TestClient[Any]:
        c = super().as_user(email)
        self.clients.append(c)
        return c

    def accept(self, emails: tuple[str, ...] | None = None) -> dict[str, TestClient[Any]]:
        """Every judge (or these) signs in by their link and accepts the invitation, as on their profile page."""
        out = {}
        for _, email, _, _ in JUDGE_SCENE_JUDGES:
            if emails is None or email in emails:
                c = self.as_user(email)
                assert post(c, f"/judging/invitations/{self.event_id}/accept").status_code == 303
                out[email] = c
        return out


# -- a show ready for scoring (the scoring, chief-judge and offline tests) ---------------------------


@dataclass
class Seeded:
    event_id: int
    class_id: int
    entries: list[int]
    judge_ids: list[int]
    judge_tokens: list[str]
    organizer_token: str
    judge_emails: list[str] = field(default_factory=list)


async def lakeside_event(
    session: AsyncSession, *, email: str, name: str, prefix: str = ""
) -> tuple[User, Event, Viewer]:
    """An organizer's account and their event "Lakeside Concours" (12-13 June 2027), with the organizer as
    organizer and chief judge of it."""
    org = User(email=email, name=name, is_organizer=True)
    session.add(org)
    await session.flush()
    event = await events.create_event(
        session,
        viewer_of(org),
        name=f"{prefix}Lakeside Concours",
        venue="Lakeside Park",
        starts_on="2027-06-12",
        ends_on="2027-06-13",
        timezone="Europe/London",
    )
    return org, event, viewer_of(org, event.id)


async def owned_car(
    session: AsyncSession, *, email: str, name: str, publish_name: bool = True, **vehicle: Any
) -> tuple[Entrant, Vehicle]:
    """An owner's account, their entrant record and their car (``vehicle``: year, make, model ...)."""
    owner = User(email=email, name=name)
    session.add(owner)
    await session.flush()
    entrant = Entrant(user_id=owner.id, publish_name=publish_name)
    session.add(entrant)
    await session.flush()
    car = Vehicle(entrant_id=entrant.id, **vehicle)
    session.add(car)
    await session.flush()
    return entrant, car


async def seed_scoring(
    session: AsyncSession,
    settings: Settings,
    *,
    judges: int = 3,
    cars: int = 2,
    preset: str = "class_placings",
    sheet_mode: str | None = None,
    prefix: str = "",
) -> Seeded:
    """An event in judging, one class of accepted cars, a team of judges, and a session token for each of them
    and for the organizer (chief judge)."""
    org, event, viewer = await lakeside_event(
        session, email=f"{prefix}chief@example.com", name="Charlotte Chief", prefix=prefix
    )
    if preset != "class_placings":
        await events.apply_presets(session, event, preset)
    if sheet_mode:
        system = await session.scalar(select(JudgingSystem).where(JudgingSystem.event_id == event.id))
        assert system is not None
        system.sheet_mode = sheet_mode
    cls = await events.add_class(session, viewer, event, code="C", name="French Curves 1935-1939")
    entry_ids = []
    for n in range(cars):
        entrant, vehicle = await owned_car(
            session,
            email=f"{prefix}owner{n}@example.com",
            name=f"Owner {n}",
            year=1937 + n,
            make="Talbot-Lago",
            model=f"T150-C SS {n}",
            history="Delivered new in Paris; restored 2019.",
        )
        entry = Entry(
            event_id=event.id,
            vehicle_id=vehicle.id,
            entrant_id=entrant.id,
            class_id=cls.id,
            status="accepted",
            car_number=10 + n,
        )
        session.add(entry)
        await session.flush()
        entry_ids.append(entry.id)
    judge_ids, tokens, emails = [], [], []
    for j in range(judges):
        email = f"{prefix}judge{j}@example.com"
        judge = await teams.add_judge_to_class(
            session, settings, viewer, cls, name=f"Judge {j}", email=email, captain=j == 0
        )
        judge_ids.append(judge.id)
        emails.append(email)
        user_id = await session.scalar(select(Judge.user_id).where(Judge.id == judge.id))
        assert user_id is not None
        tokens.append(await accounts.start_session(session, settings, user_id, "seed"))
    event.status = "judging"
    org_token = await accounts.start_session(session, settings, org.id, "seed")
    await session.flush()
    return Seeded(event.id, cls.id, entry_ids, judge_ids, tokens, org_token, emails)


async def score_and_submit(session: AsyncSession, show: Seeded, sheets: dict[tuple[int, int], list[str]]) -> None:
    """Each (judge index, car index) sheet of ``show`` filled in category order with these values as the judge
    types them, then submitted: through the judge's own use cases (the checks a tablet's saves go through)."""
    for (j, c), values in sheets.items():
        judge_id = show.judge_ids[j]
        user = await session.scalar(select(User).join(Judge, Judge.user_id == User.id).where(Judge.id == judge_id))
        entry = await session.get(Entry, show.entries[c])
        assert user is not None and entry is not None
        viewer = Viewer(user.id, user.name, user.email, False, judge_id, None)
        view = await judging.car_sheets(session, judge_id, entry)
        cats = [ln.category.id for sv in view.sheets for ln in sv.lines]
        for n, (cid, value) in enumerate(zip(cats, values, strict=True)):
            assert cid is not None
            await judging.save_line(
                session, viewer, entry, category_id=cid, value=value, note="", change_id=f"s{j}-{c}-{n}", device="scene"
            )
        await judging.submit_sheet(session, viewer, entry, device="scene")


# -- award tracks from history: two editions of an AACA-style meet --------------------------------------

# Deductions typed on the team's AACA sheet (exterior, interior, chassis, engine) from 400.
SPRING = {0: ["10", "10", "5", "5"], 1: ["12", "10", "5", "5"], 2: ["20", "20", "5", "5"]}  # 370, 368, 350
SUMMER = {0: ["13", "10", "5", "0"], 1: ["12", "5", "5", "0"], 2: ["14", "5", "5", "0"]}  # 372, 378, 376


@dataclass
class TrackShows:
    spring: Seeded
    summer: Seeded


async def award_track_shows(session: AsyncSession, settings: Settings) -> TrackShows:
    """Spring Meet 2026 (certified: cars 0 and 1 won their First, car 2 nothing) and the Lakeside Concours 2027,
    judged and not certified, with spring's car 0 again (the same vehicle), spring's car 1 as another vehicle
    record with its chassis number, and a car new to the app (cars #10, #11, #12 of the class's team sheet)."""
    spring = await seed_scoring(session, settings, judges=1, cars=3, preset="aaca_400", sheet_mode="team", prefix="s-")
    event = await session.get(Event, spring.event_id)
    assert event is not None
    event.name, event.starts_on, event.ends_on = "Spring Meet", date(2026, 5, 2), date(2026, 5, 2)
    await score_and_submit(session, spring, {(0, c): values for c, values in SPRING.items()})
    chief = await session.scalar(select(User).where(User.email == "s-chief@example.com"))
    assert chief is not None
    cls = await session.get(EventClass, spring.class_id)
    assert cls is not None
    viewer = Viewer(chief.id, chief.name, chief.email, True, None, None, frozenset({event.id}), frozenset({event.id}))
    await results.certify_class(session, viewer, event, cls)

    summer = await seed_scoring(session, settings, judges=1, cars=3, preset="aaca_400", sheet_mode="team")
    spring_cars = {e.id: e for e in await session.scalars(select(Entry).where(Entry.id.in_(spring.entries)))}
    again = await session.get(Entry, summer.entries[0])
    assert again is not None
    again.vehicle_id, again.entrant_id = (
        spring_cars[spring.entries[0]].vehicle_id,
        spring_cars[spring.entries[0]].entrant_id,
    )
    old = await session.get(Vehicle, spring_cars[spring.entries[1]].vehicle_id)
    later = await session.get(Entry, summer.entries[1])
    assert later is not None
    renamed = await session.get(Vehicle, later.vehicle_id)
    assert old is not None and renamed is not None
    old.chassis_number, renamed.chassis_number = "AB 1234", "ab1234"
    await session.flush()
    await score_and_submit(session, summer, {(0, c): values for c, values in SUMMER.items()})
    return TrackShows(spring, summer)


def seed(db_url: str, settings: Settings, **kwargs: Any) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, **kwargs)

    return run_db(db_url, go)


@contextmanager
def signed_in(settings: Settings, token: str) -> Iterator[TestClient[Any]]:
    """A browser holding this session token (from ``seed``)."""
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, token)
        yield c


def categories(client: TestClient[Any], entry_id: int) -> list[int]:
    return category_ids(client, entry_id)


def event_with_car(
    client: TestClient[Any], db_url: str, settings: Settings, preset: str, judges: list[tuple[str, bool]]
) -> tuple[int, int, int]:
    """An event ("Sections Meet") in judging with this judging-system preset, class A with one accepted car, and
    these judges (e-mail, captain?) on its team; ``client`` signs in as the organizer.
    Returns (event id, class id, entry id)."""
    make_organizer(db_url)

    async def go(session: AsyncSession) -> tuple[int, int, int]:
        event, classes, viewer = await new_event(
            session,
            await organizer(session),
            name="Sections Meet",
            classes=(("A", "Antique Automobiles"),),
            preset=preset,
            venue="",
            starts_on="2027-05-01",
            ends_on="2027-05-01",
            timezone="UTC",
        )
        entry = await accepted_entry(session, settings, viewer, event, classes["A"])
        for email, captain in judges:
            await teams.add_judge_to_class(
                session, settings, viewer, classes["A"], name=email.split("@")[0].title(), email=email, captain=captain
            )
        await advance(session, viewer, event, "judging")
        return event.id, classes["A"].id, entry.id

    ids = run_db(db_url, go)
    login(client)
    return ids


def line_ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'/lines/(\d+)"', page)]


# -- a show of any size (page weight, filters and pagination of the long lists) -----------------------

BIG_MAKES = ("Talbot-Lago", "Bugatti", "Packard", "Jaguar", "Delahaye", "Duesenberg", "Alfa Romeo", "Mercedes-Benz")
BIG_OTHER_STATUSES = ("applied", "waitlisted", "declined")


@dataclass
class BigShow:
    event_id: int
    class_ids: list[int]
    entries: list[int]  # every entry, accepted ones first
    accepted: list[int]
    organizer_token: str


async def big_show(
    session: AsyncSession,
    settings: Settings,
    *,
    cars: int,
    classes: int = 12,
    judges_per_class: int = 3,
    prefix: str = "",
) -> BigShow:
    """An event in judging with ``cars`` applications: five in six accepted into ``classes`` classes (numbered
    in order), the others applied, waitlisted or declined; ``judges_per_class`` judges on each class. The
    accepted cars' sheets go round four states: nobody started; one judge in progress; everyone submitted;
    all but one submitted (the last is late), with the last judge far from the others on the first category
    (flagged). The cars, owners and sheets are written as rows: a show of hundreds builds in seconds."""
    org = User(email=f"{prefix}bigchief@example.com", name="Charlotte Chief", is_organizer=True)
    session.add(org)
    await session.flush()
    viewer = Viewer(org.id, org.name, org.email, True, None, None)
    event = await events.create_event(
        session,
        viewer,
        name=f"{prefix}Grand Lawn Concours",
        venue="The Great Lawn",
        starts_on="2027-06-12",
        ends_on="2027-06-13",
        timezone="Europe/London",
    )
    viewer = Viewer(org.id, org.name, org.email, True, None, None, frozenset({event.id}), frozenset({event.id}))
    class_rows = [
        await events.add_class(session, viewer, event, code=f"K{n:02d}", name=f"Class {n} of the lawn")
        for n in range(classes)
    ]
    judges: dict[int, list[int]] = {}
    for n, cls in enumerate(class_rows):
        judges[cls.id] = []
        for j in range(judges_per_class):
            judge = await teams.add_judge_to_class(
                session,
                settings,
                viewer,
                cls,
                name=f"Judge {n}-{j}",
                email=f"{prefix}j{n}-{j}@example.com",
                captain=j == 0,
            )
            judges[cls.id].append(judge.id)
    owners = [User(email=f"{prefix}owner{n}@example.com", name=f"Owner {n} Lawnsby") for n in range(cars)]
    session.add_all(owners)
    await session.flush()
    entrants = [Entrant(user_id=u.id) for u in owners]
    session.add_all(entrants)
    await session.flush()
    vehicles = [
        Vehicle(
            entrant_id=entrants[n].id,
            year=1925 + n % 40,
            make=BIG_MAKES[n % len(BIG_MAKES)],
            model=f"Model {n}",
            history="Delivered new in Paris; restored 2019.",
        )
        for n in range(cars)
    ]
    session.add_all(vehicles)
    await session.flush()
    accepted_count = cars * 5 // 6
    entry_rows = []
    for n in range(cars):
        cls = class_rows[n * classes // max(accepted_count, 1)] if n < accepted_count else class_rows[n % classes]
        accepted = n < accepted_count
        entry_rows.append(
            Entry(
                event_id=event.id,
                vehicle_id=vehicles[n].id,
                entrant_id=entrants[n].id,
                class_id=cls.id if accepted else None,
                preferred_class_id=None if accepted else cls.id,
                status="accepted" if accepted else BIG_OTHER_STATUSES[n % 3],
                car_number=n + 1 if accepted else None,
            )
        )
    session.add_all(entry_rows)
    await session.flush()
    rubric_id = event.rubric_id
    assert rubric_id is not None
    cats = (
        await session.scalars(
            select(RubricCategory).where(RubricCategory.rubric_id == rubric_id).order_by(RubricCategory.position)
        )
    ).all()
    sheets: list[tuple[ScoreSheet, list[int]]] = []
    for n, entry in enumerate(entry_rows[:accepted_count]):
        team = judges[entry.class_id or 0]
        pattern = n % 4
        for j, judge_id in enumerate(team):
            if pattern == 0 or (pattern == 1 and j > 0):
                continue
            submitted = pattern == 2 or (pattern == 3 and j < len(team) - 1)
            far = pattern == 3 and j == len(team) - 1
            values = [c.max_units if far and i == 0 else c.max_units // 2 for i, c in enumerate(cats)]
            sheet = ScoreSheet(
                entry_id=entry.id,
                judge_id=judge_id,
                rubric_id=rubric_id,
                status="submitted" if submitted else "draft",
                version=len(cats),
                submitted_at=utcnow() if submitted else None,
            )
            sheets.append((sheet, values))
    session.add_all([s for s, _ in sheets])
    await session.flush()
    session.add_all(
        [
            ScoreLine(sheet_id=s.id, category_id=c.id, value_units=v)
            for s, values in sheets
            for c, v in zip(cats, values, strict=True)
        ]
    )
    event.status = "judging"
    token = await accounts.start_session(session, settings, org.id, "seed")
    await session.flush()
    return BigShow(
        event.id,
        [c.id for c in class_rows],
        [e.id for e in entry_rows],
        [e.id for e in entry_rows[:accepted_count]],
        token,
    )


# -- a show at the end of judging (the ceremony, live and print tests) ---------------------------------
# An event with certified classes (their frozen results written as certification writes them), placed cars with
# photos and stories, two special awards, and a signed-in organizer. Built through the services where they exist;
# the frozen results and decided awards are written directly.

MAKES = [
    ("Talbot-Lago", "T150-C SS", "Figoni et Falaschi"),
    ("Delahaye", "135M", "Chapron"),
    ("Bugatti", "Type 57C Atalante", "Gangloff"),
    ("Alfa Romeo", "8C 2900B", "Touring"),
    ("Jaguar", "XK120 Roadster", ""),
]
PLACES = {1: "1st in class", 2: "2nd in class", 3: "3rd in class"}


@dataclass
class Show:
    event_id: int
    slug: str
    organizer_token: str
    class_ids: list[int]
    entries: dict[int, int] = field(default_factory=dict)  # car number -> entry id
    award_ids: list[int] = field(default_factory=list)
    unplaced: list[int] = field(default_factory=list)  # car numbers without an award


def jpeg(colour: tuple[int, int, int] = (120, 20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


async def seed_show(
    session: AsyncSession,
    settings: Settings,
    *,
    classes: int = 2,
    cars: int = 4,
    status: str = "results_certified",
    private_owner: int | None = None,
    prefix: str = "",
) -> Show:
    """``classes`` certified classes of ``cars`` cars each (three placed, the rest not), a sponsor's award and
    Best of Show. Car numbers are 100 * class + n. ``private_owner`` names a car whose owner is not named."""
    org, event, viewer = await lakeside_event(
        session, email=f"{prefix}org@example.com", name="Olivia Organizer", prefix=prefix
    )
    show = Show(event.id, event.slug, "", [])
    for c in range(1, classes + 1):
        cls = await events.add_class(session, viewer, event, code=chr(64 + c), name=f"Class name {chr(64 + c)}")
        show.class_ids.append(cls.id)
        for n in range(1, cars + 1):
            number = 100 * c + n
            make, model, coach = MAKES[(c + n) % len(MAKES)]
            entrant, vehicle = await owned_car(
                session,
                email=f"{prefix}owner{number}@example.com",
                name=f"Owner {number}",
                publish_name=number != private_owner,
                year=1930 + n,
                make=make,
                model=f"{model} {number}",
                coachbuilder=coach,
                history=f"Car {number} was delivered new in Paris. It raced at Le Mans in 1938. Restored in 2019.",
            )
            if n <= 2:
                await photos.store(session, settings, vehicle.id, [photos.process(jpeg((20 * n, 40, 90)))])
            entry = Entry(
                event_id=event.id,
                vehicle_id=vehicle.id,
                entrant_id=entrant.id,
                class_id=cls.id,
                status="accepted",
                car_number=number,
            )
            session.add(entry)
            await session.flush()
            show.entries[number] = entry.id
            placed = n <= 3
            if not placed:
                show.unplaced.append(number)
            session.add(
                ClassResult(
                    class_id=cls.id,
                    entry_id=entry.id,
                    rank=n,
                    score_units=1000 - 10 * n,
                    award=PLACES[n] if placed else "",
                    explanation={
                        "car_number": number,
                        "title": vehicle.title,
                        "coachbuilder": coach,
                        "owner": f"Owner {number}",
                        "score": f"{100 - n}.0",
                    },
                )
            )
        cls.certified_at = utcnow()
        cls.certified_by_id = org.id
    if not show.entries:
        event.status = status
        show.organizer_token = await accounts.start_session(session, settings, org.id, "seed")
        await session.flush()
        return show
    sponsor = SpecialAward(
        event_id=event.id,
        name="The Sponsor's Trophy",
        kind="designated",
        position=1,
        status="decided",
        entry_id=show.entries[102],
        chosen_by="the sponsor",
        decided_by_id=org.id,
    )
    best = SpecialAward(
        event_id=event.id,
        name="Best of Show",
        kind="designated",
        position=0,  # Best of Show closes the ceremony whatever its position
        status="decided",
        entry_id=show.entries[101],
        chosen_by="the honorary judges",
        decided_by_id=org.id,
    )
    session.add_all([best, sponsor])
    await session.flush()
    show.award_ids = [sponsor.id, best.id]
    event.status = status
    show.organizer_token = await accounts.start_session(session, settings, org.id, "seed")
    await session.flush()
    return show
