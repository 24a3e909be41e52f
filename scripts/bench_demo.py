"""Benchmark: how long ``build_demo`` takes on a fresh, migrated database (SQLite file or PostgreSQL).

Each run starts from an empty database (a new SQLite file; PostgreSQL's ``public`` schema dropped and made again),
runs the migrations (not timed), then times ``build_demo`` alone: the wall-clock time, and the CPU time of this
process (all its threads; on PostgreSQL the server's work is not in it), which a busy shared machine disturbs less.
Prints every run and the best and median of each.

    uv run python scripts/bench_demo.py [--runs 3] [--database-url postgresql+asyncpg://…/bench]

Without ``--database-url`` it uses a temporary SQLite file. A PostgreSQL database named here is emptied.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from concours.db.migrate import upgrade
from concours.demo import build_demo
from concours.settings import Settings


async def _empty_postgres(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


def one_run(url: str | None) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        if url is None:
            database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}"
        else:
            asyncio.run(_empty_postgres(url))
            database_url = url
        upgrade(database_url)
        settings = Settings(
            database_url=database_url,
            secret_key="bench-secret-key-that-is-long-enough",
            environment="test",
            media_dir=Path(tmp) / "media",
        )
        started, cpu = time.perf_counter(), time.process_time()
        built = asyncio.run(build_demo(settings))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert built, "the demo was already there"
        return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    walls, cpus = [], []
    for n in range(args.runs):
        elapsed, cpu = one_run(args.database_url)
        walls.append(elapsed)
        cpus.append(cpu)
        print(f"run {n + 1}: {elapsed:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{kind}, {len(walls)} runs: wall best {min(walls):.2f} s, median {statistics.median(walls):.2f} s; "
        f"CPU best {min(cpus):.2f} s, median {statistics.median(cpus):.2f} s"
    )


if __name__ == "__main__":
    main()
