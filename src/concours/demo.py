"""A realistic, deterministic demo: two editions of one concours, ready to explore.

``build_demo`` writes, in one transaction:

* an organizer (who is also chief judge) with a password;
* "Lakeside Concours d'Elegance 2026" in judging: twelve classes, a hundred applications in every
  state (85 accepted and placed on the field), thirty judges on class teams, and about half of the
  classes scored (some finished, two in progress, with drafts);
* the 2025 edition, published: four certified classes and twenty scored cars.

The data (classes, cars, people, the words of histories and judges' notes, the events' texts) lives in
``src/concours/demo_data/`` as TOML and CSV; this module deals it out through the same services people's actions
use: the organizer creates the events and classes, owners apply (signed in from their second car on), the
organizers decide, place and check in the cars, put the judges on their teams and set their profiles, a judge
declares a conflict, each judge scores their cars; certification, publication, the placings class, the awards and
the ceremony likewise.

The judges' score sheets (187 of them, 738 lines) are saved as a judge's whole sheet is
(``services/whole_sheet.save_whole_sheet``): the tablet's checks and audit rows, four statements a sheet, where the
tablet's path saves a line at a time (a read and its writes for each line). The calibration story
(``demo_calibration.shape``) is told on the sheets as planned, before they are saved.

What no action can produce is written explicitly, and says so where it is done: the dates things happened on
(applications, decisions, check-ins, sheets and their audit rows, the ceremony) and the mail those actions queued
(kept as sent).

Everything comes from a seeded :class:`random.Random`, so two builds are identical (apart from creation
timestamps). ``demo_links`` issues fresh single-use sign-in links for a demo judge and a demo entrant.
"""

from __future__ import annotations

import asyncio
import csv
import random
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from concours import demo_calibration, demo_photos
from concours.db import (
    AuditLog,
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    OutboxMessage,
    RubricCategory,
    ScoreSheet,
    User,
)
from concours.db.engine import Database
from concours.demo_awards import build_awards
from concours.demo_ceremony import build_ceremony
from concours.demo_placings import build_placings_class
from concours.domain.calibration import Threshold
from concours.domain.rubric import Category, check_value, format_units
from concours.services import conflicts, entries, photos, roster, selection, teams
from concours.services.accounts import get_or_create_user, hash_password, issue_login_link
from concours.services.events import add_class, change_status, create_event, to_categories
from concours.services.permissions import Viewer
from concours.services.results import certify_class, publish
from concours.services.whole_sheet import TypedLine, save_whole_sheet
from concours.settings import Settings

# --------------------------------------------------------------------------------------------------
# The data: src/concours/demo_data/ (TOML and CSV, shipped in the wheel)
# --------------------------------------------------------------------------------------------------

_DATA = files("concours") / "demo_data"


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads((_DATA / name).read_text(encoding="utf-8"))


def _csv(name: str) -> list[dict[str, str]]:
    text = (_DATA / name).read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


EVENT = _toml("event.toml")
MAIN, PAST = EVENT["main"], EVENT["past"]

SEED: int = EVENT["seed"]
TODAY: date = EVENT["today"]
TIMEZONE: str = EVENT["timezone"]
VENUE: str = EVENT["venue"]

MAIN_NAME: str = MAIN["name"]
MAIN_SLUG: str = MAIN["slug"]
PAST_NAME: str = PAST["name"]
PAST_SLUG: str = PAST["slug"]

ORGANIZER_NAME: str = EVENT["organizer"]["name"]
ORGANIZER_EMAIL: str = EVENT["organizer"]["email"]
ORGANIZER_PASSWORD: str = EVENT["organizer"]["password"]
DEMO_JUDGE_NAME: str = EVENT["demo_judge"]["name"]
DEMO_JUDGE_EMAIL: str = EVENT["demo_judge"]["email"]
DEMO_JUDGE_CLASS: str = EVENT["demo_judge"]["class"]
DEMO_ENTRANT_NAME: str = EVENT["demo_entrant"]["name"]
DEMO_ENTRANT_EMAIL: str = EVENT["demo_entrant"]["email"]


@dataclass(frozen=True)
class DemoInfo:
    """What ``concours demo`` prints: how to get in as each audience."""

    event_name: str
    organizer_email: str
    organizer_password: str
    judge_name: str
    judge_link: str
    entrant_name: str
    entrant_link: str
    results_url: str


class DemoMissing(RuntimeError):
    """The demo has not been built in this database."""


# --------------------------------------------------------------------------------------------------
# Reference data: classes and the cars that fit them
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CarModel:
    """A kind of car a class holds. ``chassis``/``engine`` are patterns: ``#`` is a digit, ``{lo-hi}``
    a number in that range (zero-padded to the width of ``lo``); an engine of ``=`` repeats the chassis."""

    year_from: int
    year_to: int
    make: str
    model: str
    body_style: str
    coachbuilder: str
    chassis: str
    engine: str
    colours: tuple[str, ...]
    note: str


def _car(row: dict[str, str]) -> CarModel:
    lo, _, hi = row["years"].partition("-")
    return CarModel(
        int(lo),
        int(hi or lo),
        row["make"],
        row["model"],
        row["body_style"],
        row["coachbuilder"],
        row["chassis"],
        row["engine"],
        tuple(row["colours"].split("|")),
        row["note"],
    )


@dataclass(frozen=True)
class ClassSpec:
    code: str
    name: str
    description: str
    accepted: int  # cars on the field (main event)
    team_size: int
    scoring: str  # full | partial | none (main event)
    specialty: str
    preservation: bool = False


MAIN_CLASSES: tuple[ClassSpec, ...] = tuple(ClassSpec(**c) for c in _toml("classes.toml")["class"])

PAST_CLASS_CODES: tuple[str, ...] = tuple(PAST["classes"])
PAST_CARS_PER_CLASS: int = PAST["cars_per_class"]
PAST_TEAM_SIZE: int = PAST["team_size"]
PAST_RETURNING_OWNERS: int = PAST["returning_owners"]  # last year's entrants back this year (the demo entrant too)

# The entries that are not (or no longer) on the field: (status, class the car fits, preferred class).
OTHER_ENTRIES: tuple[tuple[str, str, str | None], ...] = tuple(
    (o["status"], o["fits"], o.get("preferred")) for o in MAIN["other"]
)

CARS: dict[str, tuple[CarModel, ...]] = {}
for _row in _csv("cars.csv"):
    CARS[_row["class"]] = (*CARS.get(_row["class"], ()), _car(_row))

_STORIES = _toml("stories.toml")
MAKE_COUNTRY: dict[str, str] = _STORIES["make_country"]
DELIVERED_IN: dict[str, list[str]] = _STORIES["delivered_in"]
FIRST_OWNERS: list[str] = _STORIES["owners"]["first"]
RACING_OWNERS: list[str] = _STORIES["owners"]["racing"]
REGIONS: list[str] = _STORIES["places"]["regions"]
SHOPS: list[str] = _STORIES["places"]["shops"]

# --------------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------------

# (weight, (first names, last names), homes: (city, country, phone style, area code))
HomeT = tuple[str, str, str, str]
_PEOPLE = _toml("people.toml")
PEOPLE_GROUPS: tuple[tuple[int, tuple[Sequence[str], Sequence[str]], tuple[HomeT, ...]], ...] = tuple(
    (
        g["weight"],
        (_PEOPLE["names"][g["names"]]["first"], _PEOPLE["names"][g["names"]]["last"]),
        tuple((city, country, style, area) for city, country, style, area in g["homes"]),
    )
    for g in _PEOPLE["group"]
)


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str
    city: str
    country: str


def _person(p: dict[str, str]) -> Person:
    return Person(p["name"], p["email"], p["phone"], p["city"], p["country"])


def _email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    parts = [re.sub(r"[^a-z]", "", p) for p in ascii_name.split()]
    return ".".join(p for p in parts if p) + "@example.com"


def _phone(rng: random.Random, style: str, area: str) -> str:
    # Numbers from ranges reserved for fiction: 555-01xx (North America), 020 7946 0xxx (UK), 03 5550 xxxx (AU).
    if style == "us":
        return f"+1 {area} 555 01{rng.randint(0, 99):02d}"
    if style == "uk":
        return f"+44 20 7946 0{rng.randint(0, 999):03d}"
    if style == "au":
        return f"+61 3 5550 {rng.randint(0, 9999):04d}"
    return ""


def make_people(rng: random.Random, count: int, taken: set[str]) -> list[Person]:
    """``count`` people with distinct names (and e-mails) not in ``taken``; adds theirs to it."""
    weights = [g[0] for g in PEOPLE_GROUPS]
    out: list[Person] = []
    while len(out) < count:
        _, (firsts, lasts), homes = rng.choices(PEOPLE_GROUPS, weights)[0]
        name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
        email = _email(name)
        if name in taken or email in taken:
            continue
        taken.update((name, email))
        city, country, style, area = rng.choice(homes)
        out.append(Person(name, email, _phone(rng, style, area), city, country))
    return out


# --------------------------------------------------------------------------------------------------
# Cars and their stories
# --------------------------------------------------------------------------------------------------

_RANGE = re.compile(r"\{(\d+)-(\d+)\}")


def _number(rng: random.Random, pattern: str) -> str:
    text = _RANGE.sub(lambda m: str(rng.randint(int(m[1]), int(m[2]))).zfill(len(m[1])), pattern)
    return "".join(str(rng.randint(0, 9)) if ch == "#" else ch for ch in text)


@dataclass
class CarPlan:
    model: CarModel
    year: int
    chassis: str
    engine: str
    colour: str
    state: str
    history: str
    restoration_notes: str
    prior_awards: str
    quality: float  # 0..1: how well it will score


def _look(plan: CarPlan) -> demo_photos.Look:
    m = plan.model
    return demo_photos.look_for(plan.year, m.body_style, plan.colour, f"{plan.year} {m.make} {m.model} {plan.chassis}")


def _history(rng: random.Random, m: CarModel, year: int, state: str, class_code: str) -> tuple[str, str, str]:
    """(history, restoration notes, prior awards) for one car: a few sentences that hang together."""
    country = MAKE_COUNTRY.get(m.make, "us")
    racing = class_code == "J"
    owner = rng.choice(RACING_OWNERS if racing else FIRST_OWNERS)
    month = rng.choice(("January", "March", "April", "May", "June", "September", "October"))
    parts = [f"Delivered new in {month} {year} to {owner} in {rng.choice(DELIVERED_IN[country])}."]
    if m.note:
        parts.append(m.note)
    if racing:
        parts.append(f"Raced in period in {rng.choice(REGIONS)}, with a class win in {year + rng.randint(0, 3)}.")
    # The story's years run forward: y1 (the middle chapter starts), free (it ends), the restoration, today.
    y1 = rng.randint(year + 6, min(year + 45, 2015))
    span = rng.randint(5, max(5, min(30, 2020 - y1)))
    middle, free = rng.choice(
        (
            (
                f"It stayed with its first family until {y1}, when it passed to a collector in {rng.choice(REGIONS)}.",
                y1,
            ),
            (f"From {y1} it spent {span} years in a private collection in {rng.choice(REGIONS)}.", y1 + span),
            (f"It was laid up in {y1} and found again, complete and unmolested, {span} years later.", y1 + span),
            (f"It has had only {rng.randint(3, 6)} owners since it left {rng.choice(REGIONS)} in {y1}.", y1),
        )
    )
    parts.append(middle)
    shop = rng.choice(SHOPS)
    ry = rng.randint(max(year + 30, 1975, free), 2025)
    if state == "restored":
        detail = rng.choice(
            (
                ", keeping its original body panels and interior woodwork",
                ", with the engine rebuilt to factory specification",
                ", researched from the factory build records",
                ", in its original colour combination",
            )
        )
        parts.append(f"A body-off restoration by {shop} was completed in {ry}{detail}.")
        notes = f"Body-off restoration by {shop}, completed {ry}. Engine, gearbox and axle rebuilt; paint to original."
    elif state == "preservation":
        parts.append(
            "It has never been restored: paint, upholstery and drivetrain are as delivered, with "
            "mechanical recommissioning only."
        )
        notes = f"Never restored. Recommissioned by {shop} in {ry}: brakes, fuel system and cooling only."
    else:
        parts.append(f"Largely original, with the paint refreshed in {ry} and the interior untouched.")
        notes = f"Original car; paint refreshed by {shop} in {ry}."
    parts.append(f"The present owner acquired it in {rng.randint(max(free, ry - 8), 2025)}.")
    awards = ""
    if rng.random() < 0.3:
        ay = rng.randint(max(ry, 2000), 2025)
        awards = rng.choice(
            (
                f"First in Class, {ay} regional concours",
                f"Best in Class, {ay} marque club national meet",
                f"People's Choice, {ay} Santa Barbara Motor Club show",
                f"Award of Excellence, {ay} club concours",
            )
        )
    return " ".join(parts), notes, awards


class CarDeck:
    """Draws cars that fit a class: each model once before any repeats, chassis numbers never twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.decks: dict[str, list[CarModel]] = {}
        self.chassis_seen: set[str] = set()

    def draw(self, class_code: str, *, preservation: bool = False, quality: float | None = None) -> CarPlan:
        rng = self.rng
        deck = self.decks.setdefault(class_code, [])
        if not deck:
            deck.extend(rng.sample(CARS[class_code], len(CARS[class_code])))
        m = deck.pop()
        year = rng.randint(m.year_from, m.year_to)
        chassis = _number(rng, m.chassis)
        while chassis in self.chassis_seen:
            chassis = _number(rng, m.chassis)
        self.chassis_seen.add(chassis)
        engine = chassis if m.engine == "=" else _number(rng, m.engine)
        if preservation:
            state = "preservation" if rng.random() < 0.8 else "original"
        else:
            state = "restored" if rng.random() < 0.88 else rng.choice(("preservation", "original"))
        history, notes, awards = _history(rng, m, year, state, class_code)
        q = quality if quality is not None else rng.uniform(0.45, 0.97)
        return CarPlan(m, year, chassis, engine, rng.choice(m.colours), state, history, notes, awards, q)


# --------------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------------

_SCORING = _toml("scoring.toml")
LINE_NOTES: dict[str, list[str]] = _SCORING["line_notes"]
COMMENTS_HIGH: list[str] = _SCORING["comments"]["high"]
COMMENTS_MID: list[str] = _SCORING["comments"]["mid"]
COMMENTS_LOW: list[str] = _SCORING["comments"]["low"]
COMMENTS_PRESERVATION: list[str] = _SCORING["comments"]["preservation"]


@dataclass
class LinePlan:
    category_id: int
    value_units: int
    note: str


@dataclass
class SheetPlan:
    lines: list[LinePlan]
    comment: str

    @property
    def total(self) -> int:
        return sum(ln.value_units for ln in self.lines)


@dataclass
class PlannedSheet:
    """One judge's sheet on one car as planned: what the judge writes on it, whether they sign it, and when (the
    story's time). The calibration story adjusts the plan (``demo_calibration.shape``) before the judge saves it."""

    entry: Entry
    judge: Judge
    plan: SheetPlan
    status: str  # submitted | draft
    at: datetime

    @property
    def entry_id(self) -> int:
        return self.entry.id

    @property
    def judge_id(self) -> int:
        return self.judge.id

    @property
    def lines(self) -> list[LinePlan]:
        return self.plan.lines


def _typed(category: Category, value_units: int, scale: int) -> str:
    """A planned value as the judge types it: the points, or in deduction mode what is taken off."""
    return format_units(value_units if category.mode == "points" else category.max_units - value_units, scale)


def _snap(units: float, step: int, top: int) -> int:
    return max(0, min(top, int(round(units / step)) * step))


def score_sheet(
    rng: random.Random,
    categories: Sequence[Category],
    scale: int,
    quality: float,
    *,
    preservation: bool = False,
    lines: int | None = None,
    comment_odds: float = 0.85,
) -> SheetPlan:
    """One judge's sheet for a car of this ``quality``: small deductions for good cars, notes where
    points went. ``lines`` limits it to the first few categories (a sheet in progress)."""
    out: list[LinePlan] = []
    for c in categories[: len(categories) if lines is None else lines]:
        assert c.id is not None
        note = ""
        if c.mode == "deduction":
            if c.key == "operations":
                deduction = 0 if rng.random() < 0.85 else rng.choice((1, 2)) * c.step_units
            else:
                share = 0.16 if c.key == "authenticity" else 0.17
                deduction = _snap(
                    rng.gauss((1 - quality) * c.max_units * share, c.step_units * 1.6), c.step_units, c.max_units
                )
            notes = LINE_NOTES.get(c.key, ())
            if notes and deduction and (deduction >= 2 * c.step_units or rng.random() < 0.4):
                note = rng.choice(notes) if rng.random() < 0.8 or c.key == "operations" else ""
            value = c.max_units - deduction
        else:
            value = _snap(
                rng.gauss(c.max_units * (0.7 + 0.25 * quality), c.step_units * 1.4), c.step_units, c.max_units
            )
            if LINE_NOTES.get(c.key) and rng.random() < 0.15:
                note = rng.choice(LINE_NOTES[c.key])
        check_value(c, value, scale)
        out.append(LinePlan(c.id, value, note))
    comment = ""
    if rng.random() < comment_odds:
        pool = (
            COMMENTS_PRESERVATION
            if preservation
            else COMMENTS_HIGH
            if quality > 0.82
            else COMMENTS_MID
            if quality > 0.6
            else COMMENTS_LOW
        )
        comment = rng.choice(pool)
    return SheetPlan(out, comment)


# --------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------

RANKS = ("apprentice", "judge", "senior", "master")
SCALE = 10  # the demo rubric's units per point: values in tenths
DEMO_DEVICE = "demo: the judge's tablet"  # the device the audit log names for the demo judges' saves
# A judge's place on this year's field: (person, their profile as the organizer's form takes it, class code, captain?);
# once seated, the profile gives way to the judge's row.
JudgePlan = tuple[Person, dict[str, str], str, bool]
JudgeSeat = tuple[Person, Judge, str, bool]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall time at the events' venue, as an aware datetime (stored in UTC)."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(TIMEZONE)).astimezone(UTC)


@dataclass
class EntryRow:
    """One car's application as planned: the owner, the car, and what becomes of it (``fields``: status, class,
    car number, field position, the organizers' message and the dates). ``entry`` is set once it is filed."""

    plan: CarPlan
    owner: Person
    fields: dict[str, Any]
    entry: Entry = field(init=False)


@dataclass
class EditionResult:
    event: Event
    classes: dict[str, EventClass]
    entries_by_class: dict[str, list[EntryRow]] = field(default_factory=dict)


class DemoBuilder:
    """Writes the demo through one session; flushes only where ids are needed."""

    def __init__(self, session: AsyncSession, settings: Settings, password_hash: str) -> None:
        self.session = session
        self.settings = settings
        self.password_hash = password_hash
        self.rng = random.Random(SEED)
        self.users: dict[str, User] = {}
        self.owners: dict[str, Viewer] = {}  # an owner signed in, once they have an account
        self.past_teams: dict[str, list[Judge]] = {}
        self.judge_viewers: dict[int, Viewer] = {}  # each judge signed in, by judge id: they save their own sheets
        self.acknowledged_entry = 0  # the demo's acknowledged calibration flag (see demo_calibration)

    # People ---------------------------------------------------------------------------------------

    async def _organizer_account(self) -> None:
        """The organizer's account (reused if it exists). No page makes an organizer: ``concours`` sets one up with a
        password, as here."""
        organizer = await get_or_create_user(self.session, ORGANIZER_EMAIL, ORGANIZER_NAME)
        organizer.password_hash, organizer.is_organizer, organizer.is_active = self.password_hash, True, True
        await self.session.flush()
        self.users[ORGANIZER_EMAIL] = organizer

    async def _known_owners(self, owners: Sequence[Person]) -> None:
        """Owners who already have an account apply signed in (the application refuses an address with an account
        to someone who is not signed in as it)."""
        for user, entrant_id in (
            await self.session.execute(
                select(User, Entrant.id)
                .outerjoin(Entrant, Entrant.user_id == User.id)
                .where(User.email.in_([p.email for p in owners]))
            )
        ).tuples():
            self.owners[user.email] = Viewer(user.id, user.name, user.email, False, None, entrant_id)

    # Events ---------------------------------------------------------------------------------------

    def _organizer(self, *event_ids: int) -> Viewer:
        organizer = self.users[ORGANIZER_EMAIL]
        ids = frozenset(event_ids)
        return Viewer(organizer.id, organizer.name, organizer.email, True, None, None, ids, ids)

    async def _event(self, spec: dict[str, Any]) -> Event:
        """The event as its organizer creates it (staff, rubric and judging system included), then its details."""
        event = await create_event(
            self.session,
            self._organizer(),
            name=spec["name"],
            venue=VENUE,
            starts_on=spec["starts_on"].isoformat(),
            ends_on=spec["ends_on"].isoformat(),
            timezone=TIMEZONE,
        )
        assert event.slug == spec["slug"], "the slug follows from the name"
        event.description = spec["description"]  # no page edits an event's description yet
        # Open for applications, with no deadline while the demo files them (its dates are in the past);
        # :meth:`_close_registration` sets the deadline and moves the show on to judging.
        await self._registration(event, spec, closes="")
        await change_status(self.session, self._organizer(event.id), event, "registration_open")
        return event

    async def _registration(self, event: Event, spec: dict[str, Any], *, closes: str) -> None:
        form = {
            "registration_closes_at": closes,
            "max_photos": str(event.max_photos),
            "history_max_chars": str(event.history_max_chars),
            "terms_text": spec.get("terms", ""),
        }
        await selection.update_registration(self.session, self._organizer(event.id), event, form)

    async def _close_registration(self, event: Event, spec: dict[str, Any]) -> None:
        closes: datetime = spec["registration_closes"]
        await self._registration(event, spec, closes=closes.isoformat(timespec="minutes"))
        for status in ("registration_closed", "judging"):
            await change_status(self.session, self._organizer(event.id), event, status)

    async def _categories(self, event: Event) -> list[Category]:
        rows = (
            await self.session.scalars(select(RubricCategory).where(RubricCategory.rubric_id == event.rubric_id))
        ).all()
        return to_categories(list(rows))

    # The whole thing ------------------------------------------------------------------------------

    async def build(self) -> None:
        rng = self.rng
        s = self.session
        taken = {DEMO_JUDGE_NAME, DEMO_JUDGE_EMAIL, DEMO_ENTRANT_NAME, DEMO_ENTRANT_EMAIL, ORGANIZER_NAME}
        demo_entrant = _person(EVENT["demo_entrant"])
        main_owners = [demo_entrant, *make_people(rng, MAIN["owners"] - 1, taken)]
        past_newcomers = make_people(rng, len(PAST_CLASS_CODES) * PAST_CARS_PER_CLASS - PAST_RETURNING_OWNERS, taken)
        demo_judge = _person(EVENT["demo_judge"])
        judge_people = [demo_judge, *make_people(rng, sum(c.team_size for c in MAIN_CLASSES) - 1, taken)]
        planned_judges = self._plan_judges(judge_people)
        await self._organizer_account()
        await self._known_owners([*main_owners, *past_newcomers])

        main = await self._event(MAIN)
        past = await self._event(PAST)
        main_ed = EditionResult(main, await self._classes(main, [c.code for c in MAIN_CLASSES]))
        past_ed = EditionResult(past, await self._classes(past, list(PAST_CLASS_CODES)))

        deck = CarDeck(rng)
        self._main_entries(main_ed, deck, main_owners)
        past_deck = CarDeck(random.Random(SEED + 2025))
        past_owners = [demo_entrant, *rng.sample(main_owners[1:], PAST_RETURNING_OWNERS - 1), *past_newcomers]
        self._past_entries(past_ed, past_deck, past_owners)
        # The cars' photos are drawn in a worker thread while the rest is written (see demo_photos).
        pictured = [
            row
            for ed in (main_ed, past_ed)
            for rows in ed.entries_by_class.values()
            for row in rows
            if row.fields["status"] == "accepted"
        ]
        drawing = asyncio.create_task(
            anyio.to_thread.run_sync(demo_photos.photos_for, [_look(row.plan) for row in pictured])
        )
        try:
            await self._file_and_score(main_ed, past_ed, planned_judges)
            await self._photos(pictured, await drawing)
        finally:
            drawing.cancel()  # nothing to cancel once drawn; after a failure nobody waits for the pictures

        viewer = self._organizer(main.id, past.id)
        await demo_calibration.acknowledge_the_story(s, viewer, self.acknowledged_entry)
        await demo_calibration.calibration_car(s, viewer, main)
        for cls in past_ed.classes.values():
            await demo_calibration.acknowledge_before_certifying(s, viewer, past, cls)
            await certify_class(s, viewer, past, cls, at=_at(past.ends_on, 13, 5 + 7 * cls.position))
        # The French-style placings class (its own judging system): places and notes, no points.
        await build_placings_class(
            s, self.settings, viewer, past, [j for team in self.past_teams.values() for j in team][:3]
        )
        await publish(s, viewer, past)
        published: datetime = PAST["published_at"]
        past.published_at = _at(published.date(), published.hour, published.minute)
        await s.flush()

    async def _file_and_score(self, main_ed: EditionResult, past_ed: EditionResult, planned: list[JudgePlan]) -> None:
        for ed, spec in ((main_ed, MAIN), (past_ed, PAST)):
            await self._file_entries(ed)
            await self._close_registration(ed.event, spec)
        judge_plan = await self._seat_judges(main_ed, past_ed, planned)
        main_cats, past_cats = await self._categories(main_ed.event), await self._categories(past_ed.event)
        await self._score_main(main_ed, main_cats, judge_plan)
        await self._score_past(past_ed, past_cats)
        await self._conflict(main_ed, judge_plan)
        await self.session.flush()

    async def _photos(self, rows: list[EntryRow], pictures: list[photos.Processed]) -> None:
        """Each car on the field its photo, stored as an owner's upload is (its thumbnail too)."""
        done: set[int] = set()
        for row, picture in zip(rows, pictures, strict=True):
            if row.entry.vehicle_id not in done:
                done.add(row.entry.vehicle_id)
                await photos.store(self.session, self.settings, row.entry.vehicle_id, [picture])

    # Classes, entries, teams ----------------------------------------------------------------------

    async def _classes(self, event: Event, codes: list[str]) -> dict[str, EventClass]:
        specs = {c.code: c for c in MAIN_CLASSES}
        out: dict[str, EventClass] = {}
        viewer = self._organizer(event.id)
        for code in codes:
            cls = await add_class(self.session, viewer, event, code=code, name=specs[code].name, places="3")
            cls.description = specs[code].description  # no page edits a class's description yet
            await teams.set_team_size(self.session, viewer, cls, "2", "4")
            out[code] = cls
        return out

    def _entry(self, event: Event, owner: Person, plan: CarPlan, **fields: Any) -> EntryRow:
        """Plan one car's application; :meth:`_file_entries` files it."""
        return EntryRow(plan, owner, fields)

    async def _file_entries(self, ed: EditionResult) -> None:
        """File the edition's applications as their owners do (the application form, signed in from their second
        car on), then decide each as the organizers do (class, car number and message, or waitlist, decline), place
        and check in the cars on the day, and let the withdrawn withdraw. The dates these happened on are the
        demo's history, written last."""
        s, event = self.session, ed.event
        organizer = self._organizer(event.id)
        rows = [row for code_rows in ed.entries_by_class.values() for row in code_rows]
        for row in rows:
            owner, plan, m = row.owner, row.plan, row.plan.model
            preferred = row.fields.get("preferred_class_id")
            form = {
                "name": owner.name,
                "email": owner.email,
                "phone": owner.phone,
                "city": owner.city,
                "country": owner.country,
                "year": str(plan.year),
                "make": m.make,
                "model": m.model,
                "body_style": m.body_style,
                "coachbuilder": m.coachbuilder,
                "chassis_number": plan.chassis,
                "engine_number": plan.engine,
                "colour": plan.colour,
                "restoration_state": plan.state,
                "restoration_notes": plan.restoration_notes,
                "history": plan.history,
                "prior_awards": plan.prior_awards,
                "preferred_class_id": str(preferred) if preferred else "",
                "terms": "on",
            }
            row.entry = await entries.apply(s, self.settings, event, form, viewer=self.owners.get(owner.email))
            if owner.email not in self.owners:
                entrant = await s.get(Entrant, row.entry.entrant_id)
                assert entrant is not None
                self.owners[owner.email] = Viewer(entrant.user_id, owner.name, owner.email, False, None, entrant.id)
        for row in rows:
            f, entry = row.fields, row.entry
            status: str = f["status"]
            if status == "withdrawn":
                await entries.withdraw(s, self.owners[row.owner.email], entry)
                entry.absent_reason = f["absent_reason"]  # the organizers' note of why, kept with the entry
            elif status != "applied":
                await entries.decide(
                    s,
                    organizer,
                    entry,
                    status=status,
                    class_id=str(f.get("class_id") or ""),
                    car_number=str(f.get("car_number") or ""),
                    message=f["decision_message"],
                )
            if f.get("field_position"):
                await selection.update_field(s, organizer, entry, action="position", field_position=f["field_position"])
            if f.get("checked_in_at"):
                await selection.update_field(s, organizer, entry, action="check_in")
        # History: when each application came in, was decided and its car checked in (no action sets a past date).
        for row in rows:
            row.entry.created_at = row.fields["created_at"]
            row.entry.decided_at = row.fields.get("decided_at")
            row.entry.checked_in_at = row.fields.get("checked_in_at")
        await s.flush()

    def _main_entries(self, ed: EditionResult, deck: CarDeck, owners: list[Person]) -> None:
        rng = self.rng
        event = ed.event
        # The demo entrant's car leads class C; everyone else's cars are dealt out at random.
        others = [*owners[1:], *owners[1:7]]
        rng.shuffle(others)
        number = 0
        for row_n, spec in enumerate(MAIN_CLASSES):
            cls = ed.classes[spec.code]
            rows: list[EntryRow] = []
            for i in range(spec.accepted):
                number += 1
                owner = owners[0] if (spec.code == "C" and i == 0) else others.pop()
                plan = deck.draw(spec.code, preservation=spec.preservation)
                # Two cars are still on their way to the lawn; everyone else has checked in.
                late = spec.code in MAIN["late_classes"] and i == spec.accepted - 1
                checked_in = None if late else _at(TODAY, 6, 15) + timedelta(minutes=rng.randint(0, 100))
                row = self._entry(
                    event,
                    owner,
                    plan,
                    class_id=cls.id,
                    preferred_class_id=cls.id if rng.random() < 0.7 else None,
                    status="accepted",
                    car_number=number,
                    field_position=f"Row {chr(ord('A') + row_n)}, {i + 1}",
                    checked_in_at=checked_in,
                    decision_message=MAIN["messages"]["accepted"].format(
                        year=plan.year, make=plan.model.make, code=spec.code, name=spec.name
                    ),
                    decided_at=_at(date(2026, 9, 20), 10) + timedelta(hours=rng.randint(0, 200)),
                    created_at=_at(date(2026, 5, 1), 9) + timedelta(hours=rng.randint(0, 2800)),
                )
                rows.append(row)
            ed.entries_by_class[spec.code] = rows
        messages = {k: v for k, v in MAIN["messages"].items() if k in ("waitlisted", "declined")}
        for status, fits, preferred in OTHER_ENTRIES:
            owner = others.pop()
            spec = next(c for c in MAIN_CLASSES if c.code == fits)
            plan = deck.draw(fits, preservation=spec.preservation)
            decided = status in ("waitlisted", "declined", "withdrawn")
            row = self._entry(
                event,
                owner,
                plan,
                class_id=None,
                preferred_class_id=ed.classes[preferred].id if preferred else None,
                status=status,
                decision_message=messages.get(status, ""),
                absent_reason=MAIN["messages"]["withdrawn"] if status == "withdrawn" else "",
                decided_at=_at(date(2026, 9, 22), 10) + timedelta(hours=rng.randint(0, 300)) if decided else None,
                created_at=(
                    _at(date(2026, 11, 2), 9) + timedelta(hours=rng.randint(0, 300))
                    if status == "applied"
                    else _at(date(2026, 5, 1), 9) + timedelta(hours=rng.randint(0, 2800))
                ),
            )
            ed.entries_by_class.setdefault("_other", []).append(row)
        assert not others, "every owner has a car"

    def _past_entries(self, ed: EditionResult, deck: CarDeck, owners: list[Person]) -> None:
        rng = self.rng
        number = 0
        owners_left = owners[1:]
        rng.shuffle(owners_left)
        for row_n, code in enumerate(PAST_CLASS_CODES):
            rows: list[EntryRow] = []
            for i in range(PAST_CARS_PER_CLASS):
                number += 1
                demo = code == "D" and i == 0
                owner = owners[0] if demo else owners_left.pop()
                plan = deck.draw(code, quality=0.95 if demo else None)
                row = self._entry(
                    ed.event,
                    owner,
                    plan,
                    class_id=ed.classes[code].id,
                    preferred_class_id=ed.classes[code].id,
                    status="accepted",
                    car_number=number,
                    field_position=f"Row {chr(ord('A') + row_n)}, {i + 1}",
                    checked_in_at=_at(ed.event.ends_on, 6, 30) + timedelta(minutes=rng.randint(0, 90)),
                    decision_message=PAST["accepted"].format(code=code),
                    decided_at=_at(date(2025, 9, 20), 10) + timedelta(hours=rng.randint(0, 200)),
                    created_at=_at(date(2025, 5, 1), 9) + timedelta(hours=rng.randint(0, 2800)),
                )
                rows.append(row)
            ed.entries_by_class[code] = rows

    def _plan_judges(self, people: list[Person]) -> list[JudgePlan]:
        """(person, profile, main-event class code, captain) for everyone; the demo judge captains M."""
        rng = self.rng
        pool = people[1:]
        rng.shuffle(pool)
        honorary_notes: list[str] = MAIN["honorary_notes"]
        out: list[JudgePlan] = []
        honorary_left = 2
        for spec in MAIN_CLASSES:
            for n in range(spec.team_size):
                captain = n == 0
                person = people[0] if (spec.code == DEMO_JUDGE_CLASS and captain) else pool.pop()
                if captain:
                    rank = "senior" if person is people[0] else rng.choice(("master", "master", "senior"))
                else:
                    rank = rng.choices(RANKS, (2, 5, 3, 1))[0]
                honorary = not captain and honorary_left > 0 and n == spec.team_size - 1 and spec.team_size >= 3
                if honorary:
                    honorary_left -= 1
                extra = rng.choice(MAIN["judge_extras"])
                profile = {
                    "rank": "judge" if honorary else rank,
                    "honorary": "on" if honorary else "",
                    "specialties": spec.specialty + extra,
                    "notes": honorary_notes[honorary_left] if honorary else "",
                }
                out.append((person, profile, spec.code, captain))
        return out

    async def _seat_judges(self, main: EditionResult, past: EditionResult, plan: list[JudgePlan]) -> list[JudgeSeat]:
        """The organizer puts each judge on their class's team (by name and e-mail) and sets their profile on the
        roster; last year's teams are the same class's judges where they can be (never the demo judge), topped up."""
        s, settings = self.session, self.settings
        organizer = self._organizer(main.event.id, past.event.id)
        seats: list[JudgeSeat] = []
        for person, profile, code, captain in plan:
            judge = await teams.add_judge_to_class(
                s, settings, organizer, main.classes[code], name=person.name, email=person.email, captain=captain
            )
            await roster.update_judge(s, organizer, main.event, judge, profile)
            seats.append((person, judge, code, captain))
            owner = self.owners.get(person.email)
            self.judge_viewers[judge.id] = Viewer(
                judge.user_id, person.name, person.email, False, judge.id, owner.entrant_id if owner else None
            )
        spare = [(p, j) for p, j, code, _ in seats if code not in PAST_CLASS_CODES and p.email != DEMO_JUDGE_EMAIL]
        for code in PAST_CLASS_CODES:
            same = [(p, j) for p, j, c, _ in seats if c == code and p.email != DEMO_JUDGE_EMAIL][:PAST_TEAM_SIZE]
            while len(same) < PAST_TEAM_SIZE:
                same.append(spare.pop())
            self.past_teams[code] = [j for _, j in same]
            for n, (person, _) in enumerate(same):
                await teams.add_judge_to_class(
                    s, settings, organizer, past.classes[code], name=person.name, email=person.email, captain=n == 0
                )
        return seats

    # Scores ---------------------------------------------------------------------------------------

    async def _save_sheets(self, sheets: list[PlannedSheet], categories: list[Category]) -> None:
        """Each judge saves their sheet, as a whole (``whole_sheet.save_whole_sheet``: the tablet's checks, the lines
        in one statement) and signs it if it is done; then the story's times are set on the sheets and their audit
        rows (no action sets a past date), all sheets at once."""
        by_id = {c.id: c for c in categories}
        dated: list[tuple[int, PlannedSheet]] = []
        for sheet in sheets:
            written = await save_whole_sheet(
                self.session,
                self.judge_viewers[sheet.judge.id],
                sheet.entry.id,
                lines={
                    ln.category_id: TypedLine(_typed(by_id[ln.category_id], ln.value_units, SCALE), ln.note)
                    for ln in sheet.plan.lines
                },
                comments={"": sheet.plan.comment},
                submit=sheet.status == "submitted",
                device=DEMO_DEVICE,
            )
            dated.append((written[""], sheet))
        # History: when each sheet was started, last changed and signed, and its audit rows with it.
        sheets_table = ScoreSheet.metadata.tables[ScoreSheet.__tablename__]
        audit_table = AuditLog.metadata.tables[AuditLog.__tablename__]
        await self.session.execute(
            update(sheets_table)
            .where(sheets_table.c.id == bindparam("sheet"))
            .values(created_at=bindparam("started"), updated_at=bindparam("at"), submitted_at=bindparam("signed")),
            [
                {
                    "sheet": sheet_id,
                    "started": sheet.at - timedelta(minutes=11),
                    "at": sheet.at,
                    "signed": sheet.at if sheet.status == "submitted" else None,
                }
                for sheet_id, sheet in dated
            ],
        )
        await self.session.execute(
            update(audit_table)
            .where(audit_table.c.entity_type == "score_sheet", audit_table.c.entity_id == bindparam("sheet"))
            .values(at=bindparam("at")),
            [{"sheet": sheet_id, "at": sheet.at} for sheet_id, sheet in dated],
        )

    def _distinct_sheets(
        self,
        rows: list[EntryRow],
        n_judges: int,
        categories: list[Category],
        preservation: bool,
        comment_odds: dict[int, float] | None = None,
    ) -> list[list[SheetPlan]]:
        """Complete sheets for every car and judge, re-scored until no two cars share a total (so the
        class can be certified without a chief judge's tie decision)."""
        rng = self.rng
        used: set[int] = set()
        out: list[list[SheetPlan]] = []
        for n, row in enumerate(rows):
            odds = (comment_odds or {}).get(n, 0.85)
            while True:
                sheets = [
                    score_sheet(rng, categories, SCALE, row.plan.quality, preservation=preservation, comment_odds=odds)
                    for _ in range(n_judges)
                ]
                total = sum(sh.total for sh in sheets)
                if total not in used:
                    used.add(total)
                    break
            out.append(sheets)
        return out

    async def _score_main(self, ed: EditionResult, categories: list[Category], plan: list[JudgeSeat]) -> None:
        rng = self.rng
        sheets: list[PlannedSheet] = []
        for spec in MAIN_CLASSES:
            if spec.scoring == "none":
                continue
            team = [j for _, j, code, _ in plan if code == spec.code]
            rows = ed.entries_by_class[spec.code]
            start = _at(TODAY, 8, 30)
            if spec.scoring == "full":
                scored = self._distinct_sheets(rows, len(team), categories, spec.preservation)
                for i, (row, per_judge) in enumerate(zip(rows, scored, strict=True)):
                    at = start + timedelta(minutes=13 * (i + 1))
                    for j, (judge, sp) in enumerate(zip(team, per_judge, strict=True)):
                        sheets.append(PlannedSheet(row.entry, judge, sp, "submitted", at + timedelta(minutes=j)))
                continue
            # In progress: each judge has submitted the first few cars and has a draft open on the next.
            for j, judge in enumerate(team):
                done = 3 + j % 2  # cars submitted before the one in progress
                for i, row in enumerate(rows[: done + 1]):
                    at = start + timedelta(minutes=13 * (i + 1) + j)
                    if i < done:
                        sp = score_sheet(rng, categories, SCALE, row.plan.quality, preservation=spec.preservation)
                        sheets.append(PlannedSheet(row.entry, judge, sp, "submitted", at))
                    else:
                        sp = score_sheet(
                            rng,
                            categories,
                            SCALE,
                            row.plan.quality,
                            preservation=spec.preservation,
                            lines=2,
                            comment_odds=0.0,
                        )
                        sheets.append(PlannedSheet(row.entry, judge, sp, "draft", at))
        # The calibration page's story: one severe and one lenient judge, two cars their teams disagree on; told on
        # the plans, before the judges save them.
        teams = {spec.code: [j for _, j, code, _ in plan if code == spec.code] for spec in MAIN_CLASSES}
        cars = {code: [row.entry.id for row in rows] for code, rows in ed.entries_by_class.items()}
        _, _, acknowledged, _ = demo_calibration.shape(sheets, categories, teams, cars, Threshold())
        self.acknowledged_entry = acknowledged.entry_id
        await self._save_sheets(sheets, categories)

    async def _score_past(self, ed: EditionResult, categories: list[Category]) -> None:
        sheets: list[PlannedSheet] = []
        day = ed.event.ends_on
        for code in PAST_CLASS_CODES:
            team = self.past_teams[code]
            rows = ed.entries_by_class[code]
            demo_index = next((n for n, r in enumerate(rows) if r.owner.email == DEMO_ENTRANT_EMAIL), None)
            odds = {demo_index: 1.0} if demo_index is not None else None
            scored = self._distinct_sheets(rows, len(team), categories, False, odds)
            for i, (row, per_judge) in enumerate(zip(rows, scored, strict=True)):
                at = _at(day, 8, 30) + timedelta(minutes=14 * (i + 1))
                for j, (judge, sp) in enumerate(zip(team, per_judge, strict=True)):
                    sheets.append(PlannedSheet(row.entry, judge, sp, "submitted", at + timedelta(minutes=j)))
        await self._save_sheets(sheets, categories)

    async def _conflict(self, ed: EditionResult, plan: list[JudgeSeat]) -> None:
        """One declared conflict: a judge of the conflict class restored one of the class's cars, and says so."""
        conflict_class = MAIN["conflict_class"]
        person, judge = next((p, j) for p, j, code, captain in plan if code == conflict_class and not captain)
        row = ed.entries_by_class[conflict_class][2]
        viewer = Viewer(judge.user_id, person.name, person.email, False, judge.id, None)
        form = {
            "kind": "entry",
            "target_entry": str(row.entry.id),
            "type": "restorer",
            "reason": MAIN["conflict_reason"],
        }
        await conflicts.add_conflict(self.session, viewer, ed.event, judge.id, form, source="judge")


# --------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------


async def _mail_went_out(session: AsyncSession) -> None:
    """The mail the build's actions queued (sign-in links, decisions) went out when those things happened, in the
    demo's story: the outbox keeps it as sent, and has nothing to send to the demo's fictional people."""
    demo_events = select(Event.id).where(Event.slug.in_([MAIN_SLUG, PAST_SLUG]))
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.event_id.in_(demo_events), OutboxMessage.sent_at.is_(None))
        .values(sent_at=OutboxMessage.created_at)
    )


async def _demo_exists(session: AsyncSession) -> bool:
    return (await session.scalar(select(Event.id).where(Event.slug == MAIN_SLUG))) is not None


async def build_demo(settings: Settings) -> bool:
    """Build the demo into ``settings.database_url`` (already migrated). False when it is already there."""
    db = Database.connect(settings.database_url)
    try:
        async with db.read() as session:
            if await _demo_exists(session):
                return False
        password_hash = await hash_password(ORGANIZER_PASSWORD)
        async with db.write() as session:
            if await _demo_exists(session):
                return False
            try:
                await DemoBuilder(session, settings, password_hash).build()
                await build_awards(session, settings)
                await build_ceremony(session, PAST_SLUG, ORGANIZER_EMAIL)  # after the awards: the whole ramp
                await _mail_went_out(session)
                await session.commit()
            except IntegrityError:
                # Another process built it at the same moment (PostgreSQL has no up-front write lock).
                await session.rollback()
                if await _demo_exists(session):
                    return False
                raise
        return True
    finally:
        await db.dispose()


async def demo_links(settings: Settings) -> DemoInfo:
    """Fresh single-use sign-in links for the demo judge and the demo entrant."""
    db = Database.connect(settings.database_url)
    try:
        async with db.write() as session:
            event = await session.scalar(select(Event).where(Event.slug == MAIN_SLUG))
            users = {
                u.email: u
                for u in (
                    await session.scalars(select(User).where(User.email.in_([DEMO_JUDGE_EMAIL, DEMO_ENTRANT_EMAIL])))
                ).all()
            }
            if event is None or len(users) < 2:
                raise DemoMissing("The demo is not in this database; build it first (concours demo).")
            judge, entrant = users[DEMO_JUDGE_EMAIL], users[DEMO_ENTRANT_EMAIL]
            judge_link = await issue_login_link(session, settings, judge, "/judging/")
            entrant_link = await issue_login_link(session, settings, entrant, "/my/")
            await session.commit()
        return DemoInfo(
            event_name=event.name,
            organizer_email=ORGANIZER_EMAIL,
            organizer_password=ORGANIZER_PASSWORD,
            judge_name=judge.name,
            judge_link=judge_link,
            entrant_name=entrant.name,
            entrant_link=entrant_link,
            results_url=f"{settings.base_url}/events/{PAST_SLUG}/results",
        )
    finally:
        await db.dispose()
