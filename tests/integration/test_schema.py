"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from concours.db import Base
from concours.db.engine import create_engine


def _diff(url: str) -> list[Any]:
    async def go() -> list[Any]:
        engine = create_engine(url)
        async with engine.connect() as conn:

            def compare(sync_conn: Any) -> list[Any]:
                ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return compare_metadata(ctx, Base.metadata)

            result = await conn.run_sync(compare)
        await engine.dispose()
        return result

    return asyncio.run(go())


def test_models_and_migrations_agree(database_url: str) -> None:
    assert _diff(database_url) == []


def test_every_model_table_exists(database_url: str) -> None:
    async def go() -> set[str]:
        engine = create_engine(database_url)
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        await engine.dispose()
        return names

    assert set(Base.metadata.tables) <= asyncio.run(go())


def test_sqlite_runs_in_wal_with_foreign_keys(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        return

    async def go() -> tuple[str, int, int]:
        engine = create_engine(database_url)
        async with engine.connect() as conn:
            mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
            fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one()
            busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one()
        await engine.dispose()
        return mode, fks, busy

    mode, fks, busy = asyncio.run(go())
    assert (mode, fks) == ("wal", 1) and busy >= 5000
