"""Benchmark: tabulate a large show straight from the database.

Builds an event of N entries over 35 classes, 4 submitted sheets of 12 categories per car, then ranks
every class with ``concours.services.results.rank_classes``. Prints the time, the number of SQL
statements (which must not grow with the number of entries: it is measured at N/10, N and 2N), and the
ratio to a baseline measured in the same run: one plain SELECT of every score line (the least I/O any
tabulation needs).

    uv run python scripts/bench_tabulate.py                       # SQLite file in a temp folder
    uv run python scripts/bench_tabulate.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, text

from concours.db import (
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    JudgingSystem,
    Rubric,
    RubricCategory,
    ScoreLine,
    ScoreSheet,
    User,
    Vehicle,
    utcnow,
)
from concours.db.engine import Database, create_engine
from concours.db.migrate import upgrade
from concours.services.results import rank_classes

CLASSES, JUDGES_PER_CAR, CATEGORIES = 35, 4, 12


async def reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    await asyncio.to_thread(upgrade, url)


async def build(db: Database, entries: int, seed: int = 7) -> tuple[int, list[int]]:
    """One event with ``entries`` cars, all scored; returns (event id, class ids). Bulk inserts only."""
    rnd = random.Random(seed)
    now = utcnow()
    async with db.write() as s:
        ev = Event(
            slug=f"bench-{entries}",
            name=f"Bench {entries}",
            starts_on=date(2027, 6, 1),
            ends_on=date(2027, 6, 1),
            status="judging",
        )
        s.add(ev)
        await s.flush()
        rubric = Rubric(event_id=ev.id, name="Bench sheet", scale=10)
        rubric.categories = [
            RubricCategory(position=i, key=f"c{i}", name=f"Category {i}", mode="points", max_units=100, step_units=5)
            for i in range(CATEGORIES)
        ]
        s.add(rubric)
        await s.flush()
        ev.rubric_id = rubric.id
        s.add(
            JudgingSystem(
                event_id=ev.id, sheet_mode="individual", combine="mean_drop_high_low", tie_break_keys=["c0", "c1", "c2"]
            )
        )
        classes = [EventClass(event_id=ev.id, code=f"K{i}", name=f"Class {i}", position=i) for i in range(CLASSES)]
        s.add_all(classes)
        await s.flush()
        base = await s.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0
        users = [
            {
                "email": f"b{entries}-{i}@example.com",
                "name": f"Person {i}",
                "is_organizer": False,
                "is_active": True,
                "created_at": now,
            }
            for i in range(entries + JUDGES_PER_CAR * CLASSES)
        ]
        await s.execute(insert(User), users)
        user_ids = list((await s.scalars(select(User.id).where(User.id > base).order_by(User.id))).all())
        await s.execute(
            insert(Entrant),
            [{"user_id": u, "phone": "", "city": "", "country": "", "created_at": now} for u in user_ids[:entries]],
        )
        entrant_ids = list(
            (
                await s.scalars(select(Entrant.id).where(Entrant.user_id.in_(user_ids[:entries])).order_by(Entrant.id))
            ).all()
        )
        await s.execute(
            insert(Judge),
            [
                {"user_id": u, "rank": "judge", "honorary": False, "specialties": "", "notes": "", "created_at": now}
                for u in user_ids[entries:]
            ],
        )
        judge_ids = list(
            (await s.scalars(select(Judge.id).where(Judge.user_id.in_(user_ids[entries:])).order_by(Judge.id))).all()
        )
        await s.execute(
            insert(Vehicle),
            [
                {"entrant_id": e, "year": 1930 + i % 40, "make": "Make", "model": f"M{i}", "created_at": now}
                for i, e in enumerate(entrant_ids)
            ],
        )
        vehicle_ids = list(
            (await s.scalars(select(Vehicle.id).where(Vehicle.entrant_id.in_(entrant_ids)).order_by(Vehicle.id))).all()
        )
        await s.execute(
            insert(Entry),
            [
                {
                    "event_id": ev.id,
                    "vehicle_id": v,
                    "entrant_id": e,
                    "class_id": classes[i % CLASSES].id,
                    "status": "accepted",
                    "car_number": i + 1,
                    "created_at": now,
                }
                for i, (v, e) in enumerate(zip(vehicle_ids, entrant_ids, strict=True))
            ],
        )
        entry_rows = (
            await s.execute(select(Entry.id, Entry.class_id).where(Entry.event_id == ev.id).order_by(Entry.id))
        ).all()
        class_index = {c.id: i for i, c in enumerate(classes)}
        sheets = [
            {
                "entry_id": eid,
                "judge_id": judge_ids[class_index[cid] * JUDGES_PER_CAR + j],
                "section": "",
                "rubric_id": rubric.id,
                "status": "submitted",
                "version": CATEGORIES,
                "overall_comment": "",
                "created_at": now,
                "updated_at": now,
            }
            for eid, cid in entry_rows
            for j in range(JUDGES_PER_CAR)
        ]
        await s.execute(insert(ScoreSheet), sheets)
        sheet_ids = list(
            (
                await s.scalars(
                    select(ScoreSheet.id).join(Entry, Entry.id == ScoreSheet.entry_id).where(Entry.event_id == ev.id)
                )
            ).all()
        )
        cat_ids = [c.id for c in rubric.categories]
        lines = [
            {"sheet_id": sid, "category_id": c, "value_units": rnd.randrange(60, 101, 5), "note": ""}
            for sid in sheet_ids
            for c in cat_ids
        ]
        for i in range(0, len(lines), 5000):
            await s.execute(insert(ScoreLine), lines[i : i + 5000])
        await s.commit()
        return ev.id, [c.id for c in classes]


class StatementCounter:
    def __init__(self, db: Database) -> None:
        self.count = 0
        sa_event.listen(db.engine.sync_engine, "before_cursor_execute", self._on)

    def _on(self, *args: Any) -> None:
        self.count += 1


async def tabulate(db: Database, event_id: int, class_ids: list[int]) -> tuple[float, int]:
    async with db.read() as s:
        ev = await s.get(Event, event_id)
        assert ev is not None
        started = time.perf_counter()
        ranked, _ = await rank_classes(s, ev, class_ids)
        elapsed = time.perf_counter() - started
    return elapsed, sum(len(rows) for rows in ranked.values())


async def baseline(db: Database, event_id: int) -> float:
    async with db.read() as s:
        started = time.perf_counter()
        rows = (
            await s.execute(
                select(ScoreLine.sheet_id, ScoreLine.category_id, ScoreLine.value_units)
                .join(ScoreSheet, ScoreSheet.id == ScoreLine.sheet_id)
                .join(Entry, Entry.id == ScoreSheet.entry_id)
                .where(Entry.event_id == event_id)
            )
        ).all()
        assert rows
        return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await reset(url)
        db = Database.connect(url)
        counter = StatementCounter(db)
        print(f"database: {url.split('@')[-1]}")
        print(
            f"{'entries':>8} {'sheets':>7} {'lines':>7} {'statements':>10} {'median ms':>10} {'best ms':>8} "
            f"{'baseline ms':>11} {'ratio':>6}"
        )
        for n in (max(CLASSES, args.entries // 10), args.entries, args.entries * 2):
            event_id, class_ids = await build(db, n)
            await tabulate(db, event_id, class_ids)  # warm caches
            times, statements = [], []
            for _ in range(args.repeat):
                before = counter.count
                elapsed, ranked = await tabulate(db, event_id, class_ids)
                statements.append(counter.count - before)
                times.append(elapsed)
                assert ranked == n
            base = min([await baseline(db, event_id) for _ in range(args.repeat)])
            med, best = statistics.median(times), min(times)
            print(
                f"{n:>8} {n * JUDGES_PER_CAR:>7} {n * JUDGES_PER_CAR * CATEGORIES:>7} {max(statements):>10} "
                f"{med * 1000:>10.1f} {best * 1000:>8.1f} {base * 1000:>11.1f} {best / base:>6.1f}"
            )
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
