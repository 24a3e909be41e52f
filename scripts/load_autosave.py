"""Load benchmark: N judges autosaving concurrently against the real server, on SQLite and PostgreSQL, with 1..N
app worker processes.

Per database and worker count: seeds an event in judging (classes of 8 cars, 4 judges each, signed-in sessions)
through the services, starts the real app with uvicorn in a subprocess on a free loopback port (with ``--workers``
> 1 the way ``concours serve --workers N`` does: uvicorn's worker processes, each building the app from the
environment), and drives it from this process with httpx/asyncio. Every client is created and has its sheets open
before the clock starts. Each simulated judge saves lines of its own sheets as fast as the server answers, each
change with a fresh change id and the base it was made on (as the tablets send them); about one save in twenty is
sent a second time with the same id (a retry after a lost answer). As many other clients (also made before the
clock starts) hit ``GET /judging/_bench/fragment`` on the same server, which renders the same saved-state fragment
without the database: the ratio says what the database work costs. The saves and the baseline run in turn,
``--rounds`` times each (the machine's speed drifts over a run; both see the same drift), and a phase counts the
requests answered within its window; before them, ``--warmup`` seconds of each that do not count (a server just
started prepares the save's statements on each of its pooled connections, and PostgreSQL plans them there: steady
state is what a show runs in). Afterwards the change ids stored for the event
must be exactly the acknowledged ones (none missing; each stored once, with one audit row), and the SQL statements
of one save are counted in-process on the same database (the app's engine, a save after a warm-up).

    uv run python scripts/load_autosave.py                            # SQLite file in a temp folder, 1 worker
    uv run python scripts/load_autosave.py --judges 200 --seconds 30 \
        --database-url sqlite --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench --workers 1,2,4

``--database-url sqlite`` is a SQLite file in a temporary folder. Exit status 1 when an acknowledged save is missing
from the database or stored twice, or the server answered 5xx.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from concours.app import create_app
from concours.cli import KEEP_ALIVE_SECONDS
from concours.db import AuditLog, Entrant, Entry, Judge, ScoreSheet, SheetChange, User, Vehicle
from concours.db.engine import Database
from concours.db.migrate import upgrade
from concours.services import accounts, events, teams
from concours.services.permissions import Viewer
from concours.settings import Settings

SECRET = "load-benchmark-secret-key-long-enough-for-the-app"
# A client keeps its idle connection as long as the server does (``concours serve``'s keep-alive), as a tablet's
# browser does, not httpx's 5 s: through the other phase's 15 s, each client would otherwise come back on a new
# connection, to whichever worker accepts it.
TABLET_CONNECTION = httpx.Limits(keepalive_expiry=KEEP_ALIVE_SECONDS - 5)
CARS_PER_CLASS = 8
JUDGES_PER_CLASS = 4
SERVER = """
import uvicorn
from concours.app import create_app
from concours.cli import KEEP_ALIVE_SECONDS
from concours.settings import Settings
if {workers} > 1:  # as `concours serve --workers N` runs them, without the access log
    uvicorn.run("concours.app:create_app", factory=True, host="127.0.0.1", port={port}, workers={workers},
                log_level="warning", access_log=False, timeout_keep_alive=KEEP_ALIVE_SECONDS)
else:
    uvicorn.run(create_app(Settings.from_env(), run_outbox=False), host="127.0.0.1", port={port},
                log_level="warning", access_log=False, timeout_keep_alive=KEEP_ALIVE_SECONDS)
"""


@dataclass
class Seed:
    event_id: int
    tokens: list[str]
    cars_of: list[list[int]]  # per judge: the entry ids of their class


async def seed(url: str, judges: int) -> Seed:
    """An event in judging with ``judges`` judges in classes of 4, 8 cars per class (through the services)."""
    settings = Settings(database_url=url, secret_key=SECRET)
    db = Database.connect(url)
    tag = secrets.token_hex(3)
    try:
        async with db.write() as session:
            org = User(email=f"bench-{tag}@example.com", name="Bench Organizer", is_organizer=True)
            session.add(org)
            await session.flush()
            viewer = Viewer(org.id, org.name, org.email, True, None, None)
            event = await events.create_event(
                session,
                viewer,
                name=f"Load benchmark {tag}",
                venue="Loopback",
                starts_on="2027-06-12",
                ends_on="2027-06-12",
                timezone="UTC",
            )
            viewer = Viewer(org.id, org.name, org.email, True, None, None, frozenset({event.id}), frozenset({event.id}))
            tokens: list[str] = []
            cars_of: list[list[int]] = []
            n_classes = -(-judges // JUDGES_PER_CLASS)
            for c in range(n_classes):
                cls = await events.add_class(session, viewer, event, code=f"K{c}", name=f"Class {c}")
                cars: list[int] = []
                for n in range(CARS_PER_CLASS):
                    owner = User(email=f"bench-{tag}-o{c}-{n}@example.com", name=f"Owner {c}-{n}")
                    session.add(owner)
                    await session.flush()
                    entrant = Entrant(user_id=owner.id)
                    session.add(entrant)
                    await session.flush()
                    vehicle = Vehicle(entrant_id=entrant.id, year=1930 + n, make="Delahaye", model=f"135 M {c}-{n}")
                    session.add(vehicle)
                    await session.flush()
                    entry = Entry(
                        event_id=event.id,
                        vehicle_id=vehicle.id,
                        entrant_id=entrant.id,
                        class_id=cls.id,
                        status="accepted",
                        car_number=c * 100 + n + 1,
                    )
                    session.add(entry)
                    await session.flush()
                    cars.append(entry.id)
                for j in range(min(JUDGES_PER_CLASS, judges - c * JUDGES_PER_CLASS)):
                    judge = await teams.add_judge_to_class(
                        session,
                        settings,
                        viewer,
                        cls,
                        name=f"Judge {c}-{j}",
                        email=f"bench-{tag}-j{c}-{j}@example.com",
                    )
                    user_id = await session.scalar(select(Judge.user_id).where(Judge.id == judge.id))
                    assert user_id is not None
                    tokens.append(await accounts.start_session(session, settings, user_id, "load benchmark"))
                    cars_of.append(cars)
            event.status = "judging"
            await session.commit()
            return Seed(event.id, tokens, cars_of)
    finally:
        await db.dispose()


@dataclass
class Stored:
    change_ids: set[str]
    line_audits: int  # audit rows of line changes: one per applied change, none for a replay


async def stored_changes(url: str, event_id: int) -> Stored:
    db = Database.connect(url)
    try:
        async with db.read() as session:
            ids = (
                await session.scalars(
                    select(SheetChange.change_id)
                    .join(ScoreSheet, ScoreSheet.id == SheetChange.sheet_id)
                    .join(Entry, Entry.id == ScoreSheet.entry_id)
                    .where(Entry.event_id == event_id)
                )
            ).all()
            audits = await session.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.event_id == event_id, AuditLog.action == "line")
            )
            # Stored as '<sheet id>:<change id>' (a change id is unique per sheet).
            return Stored({i.split(":", 1)[1] for i in ids}, audits or 0)
    finally:
        await db.dispose()


@dataclass
class InProcess:
    statements: float  # SQL statements per save (the mean over the timed saves)
    save_ms: float  # median of one save, sequential
    fragment_ms: float  # median of the baseline fragment, sequential


async def in_process(url: str, seeded: Seed, saves: int = 200) -> InProcess:
    """In-process, one save after another (after one warm-up save) on one car: the SQL statements an autosave
    sends, counted on the app's engine over the timed saves (PostgreSQL reads on the first of them, then writes
    only: see ``services/autosave.py``), and the median time of a save against the baseline fragment's, each save
    followed by one fragment."""
    settings = Settings(database_url=url, secret_key=SECRET, environment="test")
    app = create_app(settings, run_outbox=False)
    for noisy in ("httpx", "alembic"):  # the app's logging config would print every request and migration
        logging.getLogger(noisy).setLevel(logging.WARNING)
    rng = random.Random(0)
    # The app on this event loop (httpx's ASGI transport): no test-client thread between the request and the app.
    transport = httpx.ASGITransport(app=app)
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        client.cookies.set("concours_session", seeded.tokens[0])
        car = seeded.cars_of[0][0]
        page = await client.get(f"/judging/entries/{car}")
        page.raise_for_status()
        line = LINE.findall(page.text)[0]
        match = CSRF.search(page.text)
        assert match, "no CSRF token on the sheet page"
        headers = {"x-csrftoken": match.group(1), "hx-request": "true"}
        seen: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            seen.append(statement)

        engines = app.state.db.engines()  # SQLite's writer thread has an engine of its own
        base_value, base_note = line[2], line[3]
        save_times: list[float] = []
        fragment_times: list[float] = []
        # A save, then a fragment, in turn: the machine's speed drifts over a run (by half on a shared box), and
        # alternating gives both the same conditions.
        for n in range(saves + 1):
            if n == 1:
                for engine in engines:
                    sa_event.listen(engine, "before_cursor_execute", count)
            units = rng.randrange(0, int(line[6]) + 1, int(line[5]))
            started = time.perf_counter()
            r = await client.post(
                f"/judging/entries/{car}/lines/{line[1]}",
                data={
                    "value": str(units / int(line[4])),
                    "note": f"note {n}",
                    "change_id": secrets.token_hex(16),
                    "base_value": base_value,
                    "base_note": base_note,
                },
                headers=headers,
            )
            if n:
                save_times.append(time.perf_counter() - started)
            r.raise_for_status()
            m = BASE.search(r.text)
            assert m, "the answer does not carry the line's new value"
            base_value, base_note = m.group(1), m.group(2)
            if n == saves:
                for engine in engines:
                    sa_event.remove(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            (await client.get("/judging/_bench/fragment")).raise_for_status()
            if n:
                fragment_times.append(time.perf_counter() - started)
    return InProcess(len(seen) / saves, statistics.median(save_times) * 1000, statistics.median(fragment_times) * 1000)


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    acked: set[str] = field(default_factory=set)
    replays: int = 0
    server_errors: int = 0
    page_retries: int = 0  # sheet loads told 503 (pool full) before the clock started, then asked again
    meter: CpuMeter | None = None
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used during the phases, by process group
    seconds: float = 0.0  # the phases' length in all

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def add_cpu(self, before: dict[str, float], after: dict[str, float]) -> None:
        for key in before.keys() & after.keys():
            self.cpu[key] = self.cpu.get(key, 0.0) + after[key] - before[key]


@dataclass
class Phases:
    """The timed phases, saves and baseline in turn (``rounds`` of each): the machine's speed drifts over a run, by
    a third or more on a shared box, and phases in turn see the same drift. A phase counts the requests answered
    within its window only (one still running at its end neither counts nor is waited for by the next phase's
    clock, which starts once every client of the phase has stopped)."""

    kind: str = ""  # the phase running: "saves", "baseline", or "" between phases
    counting: bool = True  # False while warming up: nothing of the phase counts
    start: float = 0.0
    deadline: float = 0.0
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    finished: int = 0

    async def wait_for(self, kind: str, last: float) -> bool:
        """Wait until a phase of ``kind`` later than ``last`` starts (True), or the run ends (False)."""
        async with self.changed:
            await self.changed.wait_for(lambda: self.kind == "end" or (self.kind == kind and self.start > last))
        return self.kind == kind

    async def done(self) -> None:
        async with self.changed:
            self.finished += 1
            self.changed.notify_all()


async def conduct(
    phases: Phases, clients: dict[str, int], rounds: int, seconds: float, stats: dict[str, Stats], warmup: float = 0.0
) -> None:
    """Run ``rounds`` of (saves, baseline), each phase ``seconds / rounds`` long, once every client is ready; first,
    unless ``warmup`` is 0, one of each ``warmup`` seconds long that does not count."""
    plan = [(kind, warmup, False) for kind in ("saves", "baseline")] if warmup > 0 else []
    plan += [(kind, seconds / rounds, True) for _ in range(rounds) for kind in ("saves", "baseline")]
    for kind, length, counting in plan:
        meter = stats[kind].meter
        async with phases.changed:
            phases.finished = 0
            phases.kind, phases.start, phases.counting = kind, time.monotonic(), counting
            phases.deadline = phases.start + length
            cpu = meter.sample() if meter else {}
            phases.changed.notify_all()
        await asyncio.sleep(length)
        after = meter.sample() if meter else {}
        if counting:
            stats[kind].add_cpu(cpu, after)
            stats[kind].seconds += length
        async with phases.changed:
            phases.kind = ""
            await phases.changed.wait_for(lambda stopping=clients[kind]: phases.finished >= stopping)
    async with phases.changed:
        phases.kind = "end"
        phases.changed.notify_all()


LINE = re.compile(
    r'data-mode="(\w+)" data-autosave="(\d+)".*?data-base-value="(-?\d*)" data-base-note="([^"]*)".*?'
    r'data-scale="(\d+)" data-step="(\d+)" data-max="(\d+)"',
    re.S,
)
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
BASE = re.compile(r'data-base-value="(-?\d*)" data-base-note="([^"]*)"')


async def judge_loop(
    base_url: str,
    token: str,
    cars: list[int],
    phases: Phases,
    ready: asyncio.Barrier,
    stats: Stats,
    rng: random.Random,
) -> None:
    async with httpx.AsyncClient(
        base_url=base_url, cookies={"concours_session": token}, timeout=60, limits=TABLET_CONNECTION
    ) as client:
        sheets: dict[int, list[list[str]]] = {}
        csrf = ""
        for car in cars:
            # 200 tablets opening their sheets at once may be told 503 + Retry-After while the server's database
            # pool is full: a tablet waits and asks again, as the browser would on a reload.
            for _ in range(30):
                page = await client.get(f"/judging/entries/{car}")
                if page.status_code != 503:
                    break
                stats.page_retries += 1
                await asyncio.sleep(min(float(page.headers.get("retry-after", "1") or 1), 5.0) * rng.random() + 0.2)
            page.raise_for_status()
            sheets[car] = [list(m) for m in LINE.findall(page.text)]
            match = CSRF.search(page.text)
            assert match, "no CSRF token on the sheet page"
            csrf = match.group(1)
        # The cookies as one header from here on, as a browser sends them: Python's cookie jar cost this generator
        # about 0.4 ms of CPU a save (and nothing on the baseline's cookieless requests), on the cores it shares
        # with the server.
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        client.cookies.clear()
        headers = {"x-csrftoken": csrf, "hx-request": "true", "cookie": cookie}
        last: dict[str, str] | None = None
        await ready.wait()  # every judge has its sheets open (and every baseline client is connected)
        phase = 0.0
        while await phases.wait_for("saves", phase):
            phase = phases.start
            await _saves(client, headers, cars, sheets, phases, stats, rng, last)
            last = None
            await phases.done()


async def _saves(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    cars: list[int],
    sheets: dict[int, list[list[str]]],
    phases: Phases,
    stats: Stats,
    rng: random.Random,
    last: dict[str, str] | None,
) -> None:
    """One judge's saves until the phase's deadline: each change on a random line of a random car, one in twenty
    the previous change sent again."""
    while time.monotonic() < phases.deadline:
        if last is not None and rng.random() < 0.05:
            data, url = last, last["_url"]  # the same change again: a retry after a lost answer
            stats.replays += 1
        else:
            car = rng.choice(cars)
            line = rng.choice(sheets[car])
            mode, cid, base_value, base_note, scale, step, maximum = line
            units = rng.randrange(0, int(maximum) + 1, int(step))
            url = f"/judging/entries/{car}/lines/{cid}"
            data = {
                "value": str(units / int(scale)),
                "note": rng.choice(["", "chip on the wing", "correct period tyres"]),
                "change_id": secrets.token_hex(16),
                "device": "load-benchmark",
                "base_value": base_value,
                "base_note": base_note,
                "_url": url,
            }
        started = time.perf_counter()
        try:
            r = await client.post(url, data={k: v for k, v in data.items() if k != "_url"}, headers=headers)
        except httpx.HTTPError as exc:
            stats.error(type(exc).__name__)
            continue
        if phases.counting and time.monotonic() <= phases.deadline:  # answered within the phase's window: it counts
            stats.latencies.append(time.perf_counter() - started)
        if r.status_code == 200:
            stats.acked.add(data["change_id"])
            m = BASE.search(r.text)
            if m and data is not last:  # the line's new stored value: the next change is based on it
                line[2], line[3] = m.group(1), m.group(2)
            last = data
        else:
            stats.error(str(r.status_code))
            if r.status_code >= 500:
                stats.server_errors += 1


async def baseline_loop(base_url: str, phases: Phases, ready: asyncio.Barrier, stats: Stats) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=TABLET_CONNECTION) as client:
        (await client.get("/judging/_bench/fragment")).raise_for_status()  # connected before the clock starts
        await ready.wait()
        phase = 0.0
        while await phases.wait_for("baseline", phase):
            phase = phases.start
            while time.monotonic() < phases.deadline:
                started = time.perf_counter()
                try:
                    r = await client.get("/judging/_bench/fragment")
                except httpx.HTTPError as exc:
                    stats.error(type(exc).__name__)
                    continue
                if phases.counting and time.monotonic() <= phases.deadline:
                    stats.latencies.append(time.perf_counter() - started)
                if r.status_code != 200:
                    stats.error(str(r.status_code))
            await phases.done()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: str) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used) of a process, from Linux's /proc; None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class CpuMeter:
    """CPU seconds used so far by the server (its process and worker processes), the database (PostgreSQL: this
    database's backends and the WAL writer; SQLite runs inside the server) and this load generator. Linux only
    (/proc); elsewhere nothing is measured."""

    def __init__(self, server_pid: int, url: str) -> None:
        self.server_pid = server_pid
        self.database = url.rsplit("/", 1)[1].split("?")[0] if url.startswith("postgresql") else None
        self.works = os.path.exists("/proc/self/stat")

    def sample(self) -> dict[str, float]:
        if not self.works:
            return {}
        stats = {pid: st for pid in os.listdir("/proc") if pid.isdigit() and (st := _proc_stat(pid)) is not None}
        tree, grew = {self.server_pid}, True
        while grew:
            more = {int(pid) for pid, (ppid, _) in stats.items() if ppid in tree} - tree
            grew = bool(more)
            tree |= more
        server = sum(cpu for pid, (_, cpu) in stats.items() if int(pid) in tree)
        database = 0.0
        if self.database:
            for pid, (_, cpu) in stats.items():
                cmd = _cmdline(pid)
                if cmd.startswith("postgres:") and (f" {self.database} " in cmd or "walwriter" in cmd):
                    database += cpu
        return {"server": server, "database": database, "generator": time.process_time()}


def cpu_per_request(cpu: dict[str, float], requests: int) -> str:
    if not cpu or not requests:
        return ""
    parts = {k: used * 1000 / requests for k, used in cpu.items()}
    shown = [
        f"{name} {parts[key]:.2f}"
        for key, name in (("server", "server"), ("database", "database"), ("generator", "load generator"))
        if key != "database" or parts[key] > 0
    ]
    return "CPU ms a request: " + ", ".join(shown) + f" (all {sum(parts.values()):.2f})"


def report(name: str, stats: Stats) -> float:
    rate = len(stats.latencies) / stats.seconds
    ms = [x * 1000 for x in stats.latencies]
    print(
        f"{name:<9} {len(ms):>7} requests  {rate:8.1f}/s  p50 {percentile(ms, 50):7.1f} ms  "
        f"p95 {percentile(ms, 95):7.1f} ms  p99 {percentile(ms, 99):7.1f} ms  "
        f"mean {statistics.fmean(ms) if ms else float('nan'):7.1f} ms  "
        f"errors {sum(stats.errors.values())} {stats.errors or ''}"
    )
    if cpu := cpu_per_request(stats.cpu, len(ms)):
        print(f"{'':<9} {cpu}")
    return rate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, media: Path, workers: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        CONCOURS_DATABASE_URL=url,
        CONCOURS_SECRET_KEY=SECRET,
        CONCOURS_ENV="test",  # as in production (templates not re-checked), with the baseline route
        CONCOURS_BASE_URL=f"http://127.0.0.1:{port}",
        CONCOURS_MEDIA_DIR=str(media),
    )
    code = SERVER.format(port=port, workers=workers)
    # The server's own output (the outbox prints its mails in development) would drown the figures; errors still show.
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120  # several workers each import the app: slow on a busy machine
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:  # noqa: S310 - loopback
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.1)
        if proc.poll() is not None:
            break
    stop_server(proc)
    raise SystemExit("the server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@dataclass
class Outcome:
    name: str
    save_rate: float
    ratio: float
    p50: float
    p95: float
    p99: float
    errors: int
    statements: float
    sequential: float  # one save ÷ the fragment, in-process, one after another
    ok: bool


async def run(url: str, judges: int, seconds: float, workers: int, rounds: int, warmup: float, tmp: Path) -> Outcome:
    seeded = await seed(url, judges)
    sequential = await in_process(url, seeded)
    per_save = sequential.statements
    before = await stored_changes(url, seeded.event_id)
    port = free_port()
    proc = start_server(url, port, tmp / "media", workers)
    base_url = f"http://127.0.0.1:{port}"
    try:
        meter = CpuMeter(proc.pid, url)
        saves, baseline = Stats(meter=meter), Stats(meter=meter)
        phases = Phases()
        ready = asyncio.Barrier(2 * len(seeded.tokens) + 1)
        clients = {"saves": len(seeded.tokens), "baseline": len(seeded.tokens)}

        async def start() -> None:
            await ready.wait()
            await conduct(phases, clients, rounds, seconds, {"saves": saves, "baseline": baseline}, warmup)

        await asyncio.gather(
            start(),
            *(
                judge_loop(base_url, token, seeded.cars_of[n], phases, ready, saves, random.Random(n))
                for n, token in enumerate(seeded.tokens)
            ),
            *(baseline_loop(base_url, phases, ready, baseline) for _ in seeded.tokens),
        )
    finally:
        stop_server(proc)
    after = await stored_changes(url, seeded.event_id)
    stored = after.change_ids - before.change_ids
    audits = after.line_audits - before.line_audits
    dialect = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    name = f"{dialect}, {workers} worker{'s' if workers > 1 else ''}"
    print(
        f"\n{name}: {judges} judges autosaving for {seconds:.0f} s and as many baseline clients for {seconds:.0f} s, "
        f"in turn ({rounds} rounds), uvicorn on loopback"
    )
    save_rate = report("saves", saves)
    base_rate = report("baseline", baseline)
    ratio = save_rate / base_rate
    print(
        f"ratio     saves/s ÷ baseline req/s = {ratio:.3f}; "
        f"p50 latency ×{percentile(saves.latencies, 50) / percentile(baseline.latencies, 50):.1f} of the baseline"
    )
    print(f"SQL       {per_save:.1f} statements per save (in-process, on this database)")
    print(
        f"one save  {sequential.save_ms:.1f} ms vs {sequential.fragment_ms:.1f} ms for the fragment, in-process, one "
        f"after another (medians): ×{sequential.save_ms / sequential.fragment_ms:.1f}"
    )
    if saves.page_retries:
        print(f"opening   {saves.page_retries} sheet loads were told 503 (database pool full) and asked again")
    missing = saves.acked - stored
    unanswered = stored - saves.acked  # applied, but the answer was lost (a timeout): the tablet would resend it
    once = audits == len(stored)
    ok = not missing and once and not saves.server_errors
    print(
        f"check     {len(saves.acked)} distinct changes acknowledged ({saves.replays} replays sent), "
        f"{len(stored)} stored, {audits} audit rows: {len(missing)} missing, {len(unanswered)} stored without an "
        f"answer, {'each stored once' if once else 'AUDIT ROWS DO NOT MATCH THE CHANGES'}: {'OK' if ok else 'FAILED'}"
    )
    ms = [x * 1000 for x in saves.latencies]
    return Outcome(
        name,
        save_rate,
        ratio,
        percentile(ms, 50),
        percentile(ms, 95),
        percentile(ms, 99),
        sum(saves.errors.values()),
        per_save,
        sequential.save_ms / sequential.fragment_ms,
        ok,
    )


async def run_all(
    urls: list[str], judges: int, seconds: float, workers: list[int], rounds: int, warmup: float, tmp: Path
) -> int:
    outcomes = []
    for url in urls:
        await asyncio.to_thread(upgrade, url)
        for n in workers:
            outcomes.append(await run(url, judges, seconds, n, rounds, warmup, tmp))
    print(
        f"\n{judges} judges, {seconds:.0f} s of saves and of baseline in {rounds} rounds each after {warmup:.0f} s of "
        "each not counted; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    print(
        f"{'':<24}{'saves/s':>9}{'÷ baseline':>12}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'SQL/save':>10}"
        f"{'1 save ×':>10}"
    )
    for o in outcomes:
        print(
            f"{o.name:<24}{o.save_rate:9.1f}{o.ratio:12.3f}{o.p50:9.0f}{o.p95:9.0f}{o.p99:9.0f}{o.errors:8d}"
            f"{o.statements:10.1f}{o.sequential:10.1f}  {'OK' if o.ok else 'FAILED'}"
        )
    return 0 if all(o.ok for o in outcomes) else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        action="append",
        help="repeat for several; 'sqlite' (the default) is a SQLite file in a temporary folder; a database "
        "given is migrated and gets one more event per run (tagged: nothing else in it is touched)",
    )
    parser.add_argument("--judges", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=10.0, help="time spent saving, and on the baseline")
    parser.add_argument("--rounds", type=int, default=3, help="the saves and the baseline in turn, this many times")
    parser.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="seconds of saves, then of baseline, before the clock starts (not counted): a freshly started server "
        "prepares its statements on each pooled connection and PostgreSQL plans them there, once a connection",
    )
    parser.add_argument("--workers", default="1", help="app worker processes, e.g. 1,2,4 (each a run)")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="concours-load-") as tmp:
        urls = [
            f"sqlite+aiosqlite:///{Path(tmp) / 'load.db'}" if u == "sqlite" else u
            for u in (args.database_url or ["sqlite"])
        ]
        raise SystemExit(
            asyncio.run(run_all(urls, args.judges, args.seconds, workers, args.rounds, args.warmup, Path(tmp)))
        )


if __name__ == "__main__":
    main()
