"""Durability: every acknowledged autosave is stored exactly once through server crashes and a database restart.

Seeds an event in judging (as ``load_autosave.py`` does), starts the real server (uvicorn, one process) and
drives N judges autosaving concurrently the way the tablets' queue does: each change has its own id and the
base value it was made on; a change that gets no answer, a 503 or any 5xx is sent again (same id) after
Retry-After, a 409 (stale base) is dropped and the line re-based. During the run the server is killed with
SIGKILL twice and started again on the same port; with ``--restart-postgres`` the PostgreSQL cluster is
restarted once too (``pg_ctlcluster --skip-systemctl-redirect <version> main restart``: this interrupts
every client of that cluster, so use it on a machine of your own, briefly). At the end each acknowledged
change id is looked up in ``sheet_change`` (primary key: a replay is never stored twice) and the audit log.

    uv run python scripts/durability.py                      # SQLite file in a temp folder
    uv run python scripts/durability.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/durability
    uv run python scripts/durability.py --database-url postgresql+asyncpg://... --restart-postgres

Prints acknowledged vs stored-once figures and the answers by status; exit status 1 when an acknowledged
change is missing, stored more than once, or the server answered 500.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_autosave as load  # noqa: E402 - the benchmark's seeding and server helpers
from concours.db import AuditLog, Entry, ScoreSheet, SheetChange  # noqa: E402
from concours.db.engine import Database  # noqa: E402
from concours.db.migrate import upgrade  # noqa: E402


@dataclass
class Tally:
    acked: set[str] = field(default_factory=set)
    sent: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    resent: int = 0
    refused: int = 0


@dataclass
class Server:
    url: str
    port: int
    media: Path
    proc: subprocess.Popen[bytes] | None = None
    restarts: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.proc = load.start_server(self.url, self.port, self.media, 1)

    def kill9(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            load.stop_server(self.proc)


async def judge(
    base_url: str, token: str, cars: list[int], stop: dict[str, int], tally: Tally, rng: random.Random
) -> None:
    async with httpx.AsyncClient(base_url=base_url, cookies={"concours_session": token}, timeout=20) as client:
        sheets: dict[int, list[list[str]]] = {}
        csrf = ""
        for car in cars:
            while True:
                try:
                    page = await client.get(f"/judging/entries/{car}")
                    if page.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
            sheets[car] = [list(m) for m in load.LINE.findall(page.text)]
            match = load.CSRF.search(page.text)
            assert match
            csrf = match.group(1)
        headers = {"x-csrftoken": csrf, "hx-request": "true"}
        stop["ready"] += 1
        while not stop["now"]:
            car = rng.choice(cars)
            line = rng.choice(sheets[car])
            _mode, cid, base_value, base_note, scale, step, maximum = line
            units = rng.randrange(0, int(maximum) + 1, int(step))
            data = {
                "value": str(units / int(scale)),
                "note": rng.choice(["", "chip on the wing", "correct period tyres"]),
                "change_id": secrets.token_hex(16),
                "device": "durability",
                "base_value": base_value,
                "base_note": base_note,
            }
            url = f"/judging/entries/{car}/lines/{cid}"
            # The tablet's queue: the same change until the server gives an answer about it.
            while True:
                tally.sent += 1
                try:
                    r = await client.post(url, data=data, headers=headers)
                except httpx.HTTPError as exc:
                    tally.statuses[f"no answer ({type(exc).__name__})"] += 1
                    tally.resent += 1
                    await asyncio.sleep(0.5)
                    continue
                tally.statuses[str(r.status_code)] += 1
                if r.status_code == 200:
                    tally.acked.add(data["change_id"])
                    m = load.BASE.search(r.text)
                    if m:
                        line[2], line[3] = m.group(1), m.group(2)
                    break
                if r.status_code == 409:  # based on an old value: dropped, the line shows what it holds now
                    tally.refused += 1
                    m = load.BASE.search(r.text)
                    if m:
                        line[2], line[3] = m.group(1), m.group(2)
                    break
                if r.status_code >= 500:
                    tally.resent += 1
                    wait = r.headers.get("retry-after", "")
                    await asyncio.sleep(min(float(wait), 5.0) if wait.isdigit() else 0.5)
                    continue
                raise SystemExit(f"unexpected answer {r.status_code}: {r.text[:300]}")


async def stored(url: str, event_id: int, ids: set[str]) -> tuple[set[str], Counter[str]]:
    """The change ids stored for the event, and how many audit entries name each acknowledged change."""
    db = Database.connect(url)
    try:
        async with db.read() as session:
            rows = await session.scalars(
                select(SheetChange.change_id)
                .join(ScoreSheet, ScoreSheet.id == SheetChange.sheet_id)
                .join(Entry, Entry.id == ScoreSheet.entry_id)
                .where(Entry.event_id == event_id)
            )
            changes = {key.split(":", 1)[1] for key in rows.all()}  # stored as "<sheet id>:<change id>"
            audits = await session.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.event_id == event_id, AuditLog.entity_type == "score_sheet")
            )
            return changes, Counter({"audit entries": int(audits or 0)})
    finally:
        await db.dispose()


def restart_postgres() -> float:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    started = time.monotonic()
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return time.monotonic() - started


async def run(url: str, judges: int, seconds: float, pg_restart: bool, tmp: Path) -> int:
    await asyncio.to_thread(upgrade, url)
    seeded = await load.seed(url, judges)
    server = Server(url, load.free_port(), tmp / "media")
    await asyncio.to_thread(server.start)
    base_url = f"http://127.0.0.1:{server.port}"
    tally = Tally()
    stop = {"now": 0, "ready": 0}
    rngs = [random.Random(n) for n in range(len(seeded.tokens))]
    tasks = [
        asyncio.create_task(judge(base_url, token, seeded.cars_of[n], stop, tally, rngs[n]))
        for n, token in enumerate(seeded.tokens)
    ]
    faults = ["kill -9", "kill -9"] + (["postgres restart"] if pg_restart else [])
    step = seconds / (len(faults) + 1)
    while stop["ready"] < len(tasks):  # noqa: ASYNC110 - every judge has their sheets open
        await asyncio.sleep(0.2)
    started = time.monotonic()
    try:
        for fault in faults:
            await asyncio.sleep(step)
            acked_before = len(tally.acked)
            if fault == "kill -9":
                await asyncio.to_thread(server.kill9)
                down = time.monotonic()
                await asyncio.to_thread(server.start)
                server.restarts.append(
                    f"{fault} at {time.monotonic() - started:5.1f} s with {acked_before} saves acknowledged; "
                    f"serving again after {time.monotonic() - down:.1f} s"
                )
            else:
                took = await asyncio.to_thread(restart_postgres)
                server.restarts.append(
                    f"{fault} at {time.monotonic() - started:5.1f} s with {acked_before} saves acknowledged; "
                    f"the cluster restarted in {took:.1f} s"
                )
        await asyncio.sleep(step)
        stop["now"] = 1
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    finally:
        stop["now"] = 1
        await asyncio.to_thread(server.stop)
    elapsed = time.monotonic() - started
    changes, audits = await stored(url, seeded.event_id, tally.acked)
    missing = tally.acked - changes
    unacked_stored = changes - tally.acked
    dialect = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"\n{dialect}: {judges} judges autosaving for {elapsed:.0f} s against the real server")
    for line in server.restarts:
        print(f"  fault     {line}")
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items()))
    print(f"  answers   {answers}")
    print(
        f"  requests  {tally.sent} sent, {tally.resent} sent again by the queue, {tally.refused} refused as stale (409)"
    )
    print(
        f"  result    {len(tally.acked)} acknowledged, {len(tally.acked & changes)} of them stored once, "
        f"{len(missing)} missing; {len(unacked_stored)} stored without an acknowledgement; "
        f"{audits['audit entries']} audit entries for {len(changes)} stored changes"
    )
    ok = not missing and not unacked_stored and tally.statuses.get("500", 0) == 0
    ok = ok and audits["audit entries"] == len(changes)
    print(f"  verdict   {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--judges", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--restart-postgres", action="store_true", help="also restart the PostgreSQL cluster once")
    args = parser.parse_args()
    if args.restart_postgres and not (args.database_url or "").startswith("postgresql"):
        parser.error("--restart-postgres needs a PostgreSQL --database-url")
    with tempfile.TemporaryDirectory(prefix="concours-durability-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'durability.db'}"
        raise SystemExit(asyncio.run(run(url, args.judges, args.seconds, args.restart_postgres, Path(tmp))))


if __name__ == "__main__":
    main()
