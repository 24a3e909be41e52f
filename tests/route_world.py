"""What the route-table tests share (tests/integration/test_authz_matrix.py, test_fuzz_routes.py): the app's
routes read from its route table, a small world with one object for every path parameter, the personas who
must be refused, and a snapshot of the database to prove a refused request changed nothing."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from concours.db import (
    AwardVoter,
    Base,
    Conflict,
    Entry,
    Event,
    EventClass,
    Judge,
    ReportJob,
    RubricCategory,
    SpecialAward,
    User,
    Vehicle,
    VehiclePhoto,
    VotingCodeBatch,
)
from concours.db.engine import create_engine
from concours.services import accounts, teams
from concours.services.judging import save_line
from concours.services.permissions import Viewer
from concours.settings import Settings
from tests.scenes import seed_scoring

# Routes no test sends forms to: infrastructure, not the app's pages.
SKIPPED_PREFIXES = ("/static/", "/healthz", "/schema")
PARAM_RE = re.compile(r"\{(\w+):(\w+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as Litestar declares it, e.g. "/organizer/events/{event_id:int}"

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, params: dict[str, Any]) -> str:
        def fill(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in params:
                raise KeyError(f"no value for path parameter {name!r} of {self.key}: add it to World.params")
            return str(params[name])

        return PARAM_RE.sub(fill, self.path)


def app_routes(app: Litestar) -> list[Route]:
    """Every (method, path) the app serves, from its route table (HEAD/OPTIONS and infrastructure left out)."""
    out = set()
    for route in app.routes:
        methods = getattr(route, "route_handler_map", None)
        if not methods or route.path.startswith(SKIPPED_PREFIXES):
            continue
        for method in methods:
            if method not in ("HEAD", "OPTIONS"):
                out.add(Route(method, route.path))
    return sorted(out, key=lambda r: (r.path, r.method))


PERSONAS = ("anonymous", "entrant_of_another_car", "judge_of_another_class", "conflicted_judge", "other_organizer")


@dataclass
class World:
    """Event A (judging, class C1 with cars X and Y, judges J0 J1 J2; J2 is conflicted with X; class C2 with
    judge K) and event B with its own organizer. Path parameters name A's objects around car X."""

    params: dict[str, Any]
    tokens: dict[str, str | None]  # persona (and "organizer", "judge", "owner") → session token
    event_b_id: int = 0
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def probe_fields(self) -> dict[str, str]:
        """Plausible fields (and query parameters) so that a refusal cannot hide behind a form error."""
        return {
            "value": "1",
            "name": "Probe",
            "status": "published",
            "code": "Q",
            "judge_id": str(self.params["judge_id"]),
        }


async def build_world(session: AsyncSession, settings: Settings) -> World:
    a = await seed_scoring(session, settings, judges=3, cars=2, prefix="a-")
    b = await seed_scoring(session, settings, judges=1, cars=1, prefix="b-")
    event = await session.get(Event, a.event_id)
    assert event is not None
    x, y = a.entries
    j0, j1, j2 = a.judge_ids
    org_a = await session.scalar(select(User).where(User.email == "a-chief@example.com"))
    assert org_a is not None
    viewer = Viewer(org_a.id, org_a.name, org_a.email, True, None, None, frozenset({event.id}), frozenset({event.id}))
    c2 = EventClass(event_id=event.id, code="K", name="Kit cars", position=9)
    session.add(c2)
    await session.flush()
    k = await teams.add_judge_to_class(session, settings, viewer, c2, name="Kay Other", email="a-kay@example.com")
    conflicted = Conflict(event_id=event.id, judge_id=j2, entry_id=x, reason="Sold the car", source="judge")
    other_conflict = Conflict(event_id=event.id, judge_id=j1, entry_id=y, reason="Friend", source="organizer")
    # A conflict the app suggested (J0 with car Y): it binds nothing until an organizer confirms it.
    suggested = Conflict(
        event_id=event.id,
        judge_id=j0,
        entry_id=y,
        reason="Same surname as the owner",
        source="app",
        kind="family",
        state="suggested",
    )
    session.add_all([conflicted, other_conflict, suggested])
    x_entry = await session.get(Entry, x)
    assert x_entry is not None
    vehicle = await session.get(Vehicle, x_entry.vehicle_id)
    assert vehicle is not None
    photo = VehiclePhoto(
        vehicle_id=vehicle.id, storage_key="route-world-x", content_type="image/jpeg", width=8, height=8
    )
    # A ballot open to judge J0 only, and a People's Choice award with a batch of codes.
    award = SpecialAward(event_id=event.id, name="Best of Show", kind="ballot", status="open", round=1)
    people = SpecialAward(event_id=event.id, name="People's Choice", kind="peoples_choice")
    session.add_all([photo, award, people])
    await session.flush()
    session.add(AwardVoter(award_id=award.id, judge_id=j0))
    batch = VotingCodeBatch(award_id=people.id, size=0, created_by_id=org_a.id)
    session.add(batch)
    await session.flush()
    category = await session.scalar(
        select(RubricCategory.id).where(RubricCategory.rubric_id == event.rubric_id).order_by(RubricCategory.position)
    )
    j0_user = await session.scalar(select(Judge.user_id).where(Judge.id == j0))
    j0_viewer = await accounts.load_viewer(session, a.judge_tokens[0])
    assert j0_viewer is not None and j0_user is not None
    await save_line(
        session, j0_viewer, x_entry, category_id=int(category or 0), value="1", note="", change_id="w1", device="seed"
    )
    sheet_id = await session.scalar(text("SELECT id FROM score_sheet WHERE entry_id = :e"), {"e": x})
    # A document job organizer A started (judge packets): only A sees its page, its progress and its PDF.
    job = ReportJob(
        event_id=event.id, user_id=org_a.id, kind="judge_packets", params={}, title="Judge packets", parts_total=1
    )
    session.add(job)
    await session.flush()

    async def token_of(email: str) -> str:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        return await accounts.start_session(session, settings, user.id, "route-world")

    tokens: dict[str, str | None] = {
        "anonymous": None,
        "entrant_of_another_car": await token_of("a-owner1@example.com"),
        "judge_of_another_class": await token_of("a-kay@example.com"),
        "conflicted_judge": a.judge_tokens[2],
        "other_organizer": b.organizer_token,
        "organizer": a.organizer_token,
        "judge": a.judge_tokens[0],
        "owner": await token_of("a-owner0@example.com"),
    }
    params = {
        "event_id": event.id,
        "slug": event.slug,
        "class_id": a.class_id,
        "entry_id": x,
        "judge_id": j0,
        "sheet_id": sheet_id,
        "conflict_id": other_conflict.id,
        "award_id": award.id,
        "category_id": category,
        "photo_id": photo.id,
        "token": "not-a-real-token",
        "batch_id": batch.id,
        "key": "not-a-real-key",
        "job_id": job.id,
        "number": 10,  # car X's number
        "index": 0,
        "line_id": 1,  # no run sheet in this world: every ceremony line route answers 404
        "code": "0123456789ab",  # no certification in this world: the verification page answers 404
    }
    return World(params=params, tokens=tokens, event_b_id=b.event_id, notes={"kay": k.id})


# ---- database snapshots

# Tables a refused request may legitimately write (failed sign-in attempts are kept on purpose).
UNSNAPSHOTTED = {"throttle_state"}


class Snapshots:
    """Digests of every table, read on a loop of their own (the app runs on the test client's)."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.engine: AsyncEngine = self.loop.run_until_complete(self._engine(url))
        self.tables = [t for t in Base.metadata.sorted_tables if t.name not in UNSNAPSHOTTED]

    @staticmethod
    async def _engine(url: str) -> AsyncEngine:
        return create_engine(url)

    async def _take(self) -> dict[str, str]:
        out = {}
        async with self.engine.connect() as conn:
            for table in self.tables:
                rows = (await conn.execute(select(table).order_by(*table.primary_key.columns))).all()
                out[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest() + f":{len(rows)}"
        return out

    def take(self) -> dict[str, str]:
        return self.loop.run_until_complete(self._take())

    def close(self) -> None:
        self.loop.run_until_complete(self.engine.dispose())
        self.loop.close()


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def iter_personas() -> Iterator[str]:
    yield from PERSONAS
