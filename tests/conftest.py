"""Test fixtures: a real database (a SQLite file, or the PostgreSQL named by CONCOURS_TEST_DATABASE_URL),
built by the real migrations, emptied between tests; the real app over HTTP."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from concours.app import create_app
from concours.db import Base
from concours.db.engine import Database, create_engine
from concours.db.migrate import upgrade
from concours.settings import Settings

T = TypeVar("T")
TEST_SECRET = "test-secret-key-that-is-long-enough-for-the-app"


def _is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("CONCOURS_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'concours-test.db'}"
    if _is_postgres(url):

        async def reset() -> None:
            engine = create_engine(url)
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await engine.dispose()

        asyncio.run(reset())
    upgrade(url)
    return url


def run_db(url: str, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``fn`` in one committed write transaction on a fresh engine (from sync test code)."""

    async def go() -> T:
        db = Database.connect(url)
        try:
            async with db.write() as session:
                result = await fn(session)
                await session.commit()
                return result
        finally:
            await db.dispose()

    return asyncio.run(go())


def _empty_tables(url: str) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]

    async def go() -> None:
        engine = create_engine(url)
        async with engine.begin() as conn:
            if _is_postgres(url):
                await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                await conn.execute(text("PRAGMA foreign_keys=OFF"))
                for t in tables:
                    await conn.execute(text(f"DELETE FROM {t}"))  # noqa: S608 - table names from metadata
        await engine.dispose()

    asyncio.run(go())


@pytest.fixture
def db_url(database_url: str) -> Iterator[str]:
    """The test database, emptied after the test."""
    yield database_url
    _empty_tables(database_url)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        secret_key=TEST_SECRET,
        environment="test",
        media_dir=tmp_path / "media",
        base_url="http://testserver.local",
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    app = create_app(settings, run_outbox=False)
    with TestClient(app=app, base_url=settings.base_url) as c:
        yield c


def new_client(settings: Settings) -> TestClient[Any]:
    """Another browser: its own cookies (use as a context manager)."""
    return TestClient(app=create_app(settings, run_outbox=False), base_url=settings.base_url)


LINK_RE = re.compile(r"/auth/link/([A-Za-z0-9_\-]+)")


@pytest.fixture
def scene(client: TestClient[Any], db_url: str, settings: Settings) -> Iterator[Any]:
    """tests.scenes.Scene: an event in judging, two classes, a car and a judge in each."""
    from tests.scenes import Scene

    built = Scene(client, db_url, settings)
    yield built
    built.close()


@pytest.fixture
def jscene(client: TestClient[Any], db_url: str, settings: Settings) -> Iterator[Any]:
    """tests.scenes.JudgeScene: an event with two classes of two cars and five invited judges."""
    from tests.scenes import JudgeScene

    built = JudgeScene(client, db_url, settings)
    yield built
    built.close()


@pytest.fixture
def show(db_url: str, settings: Settings) -> Any:
    """tests.scenes.Show: a finished show (certified classes, numbered cars, a private owner) for documents."""
    from tests.scenes import seed_show

    async def go(session: AsyncSession) -> Any:
        return await seed_show(session, settings, private_owner=202)

    return run_db(db_url, go)
