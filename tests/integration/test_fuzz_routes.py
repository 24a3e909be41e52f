"""A seeded fuzz test over every form and htmx endpoint of the app's route table (a new route is picked up by
itself): as each role (organizer, judge, conflicted judge, the car's owner, another entrant) and anonymous,
random forms of the field names the templates use, filled with hostile values (bytes that are not UTF-8,
NUL, huge numbers, unknown enum values, other events' ids, oversized text, repeated fields) sent urlencoded,
multipart or as htmx. No answer may be a 5xx; a sample of refused requests must leave the database as it
was; afterwards no text in the database holds NUL or undecodable bytes, the database is consistent, and the
other event, which none of these people may touch, is unchanged.

``FUZZ_SEED`` and ``FUZZ_REQUESTS`` (environment) change the seed and the number of requests."""

from __future__ import annotations

import hashlib
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from litestar.testing import TestClient
from sqlalchemy import String, Text, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from concours.app import create_app
from concours.db import Base
from concours.resources import resource_dir
from concours.settings import Settings
from tests.conftest import run_db
from tests.route_world import Route, Snapshots, World, app_routes, build_world

SEED = int(os.environ.get("FUZZ_SEED", "20261202"))
REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "1500"))
ROLES = ("anonymous", "organizer", "judge", "conflicted_judge", "owner", "entrant_of_another_car")
CHECK_EVERY = 6  # one refused request in this many is followed by a full database comparison

_TEMPLATE_NAME = re.compile(r'name="([a-z_][a-z0-9_]*)"')
_MACRO_NAME = re.compile(r'field\(\s*"([a-z_][a-z0-9_]*)"')
_DYNAMIC = (
    "value-{}",
    "note-{}",
    "comment-{}",
    "sections-{}",
    "remove-{}",
    "mode-{}",
    "guidance-{}",
    "name-{}",
    "max-{}",
    "step-{}",
    "weight-{}",
    "position-{}",
    "key-{}",
    "section-{}",
    "level-{}-name",
    "level-{}-min_points",
    "level-{}-remove",
    "tie_break-{}",
    "target_{}",
)


def field_names() -> list[str]:
    root = Path(resource_dir("templates"))
    names: set[str] = set()
    for path in root.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        names.update(_TEMPLATE_NAME.findall(source))
        names.update(_MACRO_NAME.findall(source))
    names -= {"viewport", "csrf-token", "htmx-config", "_csrf_token"}
    return sorted(names)


def hostile_values(world: World) -> list[str]:
    ids = [str(v) for v in world.params.values() if isinstance(v, int)] + [str(world.event_b_id)]
    return [
        "",
        " ",
        "0",
        "-1",
        "1",
        "2",
        "7.5",
        "1e309",
        "NaN",
        "-0",
        "9" * 40,
        str(2**31),
        str(2**63),
        "0x10",
        "１２",
        "²",
        "1,5",
        "on",
        "off",
        "true",
        "yes",
        "a@b",
        "nobody@example.com",
        "a-owner0@example.com",
        "published",
        "judging",
        "archived",
        "draft",
        "accepted",
        "declined",
        "withdrawn",
        "points",
        "deduction",
        "best_of_show",
        "designated",
        "evenly",
        "move",
        "decide",
        "no-such-choice",
        "class_placings",
        "aaca_400",
        "2027-02-30",
        "9999-12-31",
        "2027-06-12",
        "1900-01-01",
        "Europe/London",
        "Mars/Olympus",
        "\x00",
        "a\x00b",
        "💥" * 50,
        "<script>alert(1)</script>",
        "'; DROP TABLE entry; --",
        "=1+1",
        "x" * 5000,
        "y" * 25_000,
        "/\\evil.example",
        "//evil.example",
        "\r\n",
        "\ufeff",
        "\u202e",
        *ids,
    ]


RAW_BYTES = [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"\xff\xd8\xff\xe0\x00\x10JFIF", b"\xc3\x28", b"\xed\xa0\x80"]


def random_form(rng: random.Random, names: list[str], values: list[str], world: World) -> list[tuple[str, Any]]:
    ids = [v for v in world.params.values() if isinstance(v, int)]
    form: list[tuple[str, Any]] = []
    for _ in range(rng.randint(0, 8)):
        dynamic = rng.random() < 0.2
        name = rng.choice(_DYNAMIC).format(rng.choice([*ids, 0, 1, 2])) if dynamic else rng.choice(names)
        form.append((name, rng.choice(values)))
        if rng.random() < 0.08:  # the same field twice
            form.append((name, rng.choice(values)))
    return form


def send(client: TestClient[Any], rng: random.Random, route: Route, url: str, form: list[tuple[str, Any]]) -> Any:
    token = client.cookies.get("concours_csrf") or ""
    headers: dict[str, str] = {}
    if route.method == "GET":
        return client.get(url, params=[(k, v) for k, v in form if isinstance(v, str)][:4], follow_redirects=False)
    if rng.random() < 0.4:  # as htmx sends it: the token in a header
        headers = {"x-csrftoken": token, "hx-request": "true"}
    elif rng.random() < 0.97:
        form = [("_csrf_token", token), *form]
    if rng.random() < 0.5:
        parts: list[tuple[str, Any]] = [(k, (None, v.encode("utf-8", "surrogatepass"))) for k, v in form]
        if rng.random() < 0.5:
            targets = [k for k, _ in form if k != "_csrf_token"] or ["name"]
            parts.append((rng.choice(targets), (None, rng.choice(RAW_BYTES))))
        if rng.random() < 0.2:
            parts.append(("photos", ("car.jpg", rng.choice(RAW_BYTES), "image/jpeg")))
        return client.post(url, files=parts, headers=headers, follow_redirects=False)
    headers["content-type"] = "application/x-www-form-urlencoded"
    return client.post(url, content=urlencode(form).encode(), headers=headers, follow_redirects=False)


@pytest.fixture
def world(db_url: str, settings: Settings) -> World:
    return run_db(db_url, lambda session: build_world(session, settings))


@pytest.fixture
def snapshots(db_url: str) -> Iterator[Snapshots]:
    snaps = Snapshots(db_url)
    yield snaps
    snaps.close()


async def _other_event(session: AsyncSession, event_id: int) -> str:
    """A digest of everything of the other event."""
    parts = []
    for sql in (
        "SELECT * FROM event WHERE id = :e",
        "SELECT * FROM event_class WHERE event_id = :e ORDER BY id",
        "SELECT * FROM entry WHERE event_id = :e ORDER BY id",
        "SELECT * FROM event_staff WHERE event_id = :e ORDER BY id",
        "SELECT s.* FROM score_sheet s JOIN entry e ON e.id = s.entry_id WHERE e.event_id = :e ORDER BY s.id",
        "SELECT v.* FROM vehicle v JOIN entry e ON e.vehicle_id = v.id WHERE e.event_id = :e ORDER BY v.id",
    ):
        parts.append(repr((await session.execute(text(sql), {"e": event_id})).all()))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


async def _garbled_text(session: AsyncSession) -> list[str]:
    """Text cells holding NUL or U+FFFD (bytes that were not UTF-8): none may have been stored."""
    found = []
    sqlite = session.bind.dialect.name == "sqlite"
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        # LIKE stops at a NUL on SQLite, so search with instr(); PostgreSQL cannot store NUL in text at all.
        if sqlite:
            bad = [(func.instr(c, "\x00") > 0) | (func.instr(c, "\ufffd") > 0) for c in columns]
        else:
            bad = [func.strpos(c, "\ufffd") > 0 for c in columns]
        condition = or_(*bad)
        count = len((await session.execute(select(*table.primary_key.columns).where(condition))).all())
        if count:
            found.append(f"{table.name}: {count} rows")
    return found


async def _consistency(session: AsyncSession) -> list[Any]:
    if session.bind.dialect.name != "sqlite":
        return []  # PostgreSQL enforces its constraints as it writes
    problems = list((await session.execute(text("PRAGMA foreign_key_check"))).all())
    integrity = (await session.execute(text("PRAGMA integrity_check"))).scalar()
    return problems + ([integrity] if integrity != "ok" else [])


def test_fuzz_every_form_and_htmx_endpoint(settings: Settings, db_url: str, world: World, snapshots: Snapshots) -> None:
    app = create_app(settings, run_outbox=False)
    # Signing out would end the role's session for the rest of its requests: it takes no input anyway.
    routes = [r for r in app_routes(app) if r.key != "POST /logout"]
    posts = [r for r in routes if r.method != "GET"]
    assert len(posts) > 40
    names, values = field_names(), hostile_values(world)
    other_before = run_db(db_url, lambda s: _other_event(s, world.event_b_id))
    rng = random.Random(SEED)
    server_errors: list[str] = []
    half_done: list[str] = []
    statuses: dict[int, int] = {}
    per_role = REQUESTS // len(ROLES)
    for role in ROLES:
        with TestClient(app=app, base_url=settings.base_url) as client:
            client.get("/login")  # the CSRF cookie
            if world.tokens[role]:
                client.cookies.set("concours_session", world.tokens[role])  # type: ignore[arg-type]
            for n in range(per_role):
                # Mostly forms; now and then a page with a junk query string.
                route = rng.choice(posts) if rng.random() < 0.85 else rng.choice(routes)
                form = random_form(rng, names, values, world)
                check = route.method != "GET" and n % CHECK_EVERY == 0
                before = snapshots.take() if check else None
                r = send(client, rng, route, route.url(world.params), form)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code >= 500:
                    server_errors.append(f"{role}: {route.key} {form!r:.300} → {r.status_code}")
                if before is not None and 400 <= r.status_code < 500 and r.status_code != 429:
                    after = snapshots.take()
                    if after != before:
                        diff = [t for t in before if before[t] != after[t]]
                        half_done.append(f"{role}: {route.key} → {r.status_code} changed {diff} {form!r:.200}")
                if role != "anonymous" and r.status_code in (401, 303) and "/login" in r.headers.get("location", ""):
                    client.cookies.set("concours_session", world.tokens[role])  # type: ignore[arg-type]
    print(f"fuzz: {sum(statuses.values())} requests, answers by status: {dict(sorted(statuses.items()))}")
    assert server_errors == [], "\n".join(server_errors[:30])
    assert half_done == [], "\n".join(half_done[:30])
    assert sum(statuses.values()) >= per_role * len(ROLES)
    assert any(200 <= s < 400 for s in statuses), statuses  # the fuzz reached working pages, not only refusals
    assert run_db(db_url, _garbled_text) == []
    assert run_db(db_url, _consistency) == []
    assert run_db(db_url, lambda s: _other_event(s, world.event_b_id)) == other_before
