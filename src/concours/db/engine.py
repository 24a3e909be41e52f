"""Engine and session factories for SQLite (embedded) and PostgreSQL (production).

SQLite is set up for concurrent use and durability:

- ``journal_mode=WAL`` with ``synchronous=FULL`` (an acknowledged commit survives a power cut): readers
  never block the writer nor each other;
- ``busy_timeout`` 30 s: a writer waits for another process's write lock instead of failing;
- write transactions take the write lock up front (``BEGIN IMMEDIATE``) so two writers never deadlock on a
  lock upgrade ("database is locked"); the autosave path keeps that transaction to its few writes and does
  its reads before it, in ``Database.autocommit`` sessions (each statement its own snapshot, no BEGIN);
- ``Database.write_lock``: in one process, writers queue on an asyncio lock rather than in SQLite's busy
  handler, which sleeps in steps of up to 100 ms.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "concours_write"
_AUTOCOMMIT_OPTION = "concours_autocommit"
_KEPT = "concours_kept_writes"

KeptWrite = Callable[[AsyncSession], Awaitable[None]]


def keep_despite_rollback(session: AsyncSession, write: KeptWrite) -> None:
    """Ask for ``write`` to be done again in its own transaction if ``session`` rolls back.

    For records that must outlive a refused request (failed sign-in attempts): the write is made in
    ``session`` as usual; :meth:`Database.after_request` replays it after a rollback."""
    session.info.setdefault(_KEPT, []).append(write)


def _sqlite_setup(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the driver) emit BEGIN, so we can choose its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: every commit is on disk (the WAL is synced) before the save is acknowledged, so a power cut
        # or a flat laptop battery cannot lose an autosave a judge saw as saved. NORMAL would only survive
        # the app crashing, not the machine.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(_AUTOCOMMIT_OPTION):
            return  # the driver is in autocommit mode: each statement is its own transaction
        if options.get(_WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _sqlite_setup(engine)
        return engine
    return create_async_engine(database_url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


@dataclass
class Database:
    """The engine with its session factories: reads, writes, and single-statement reads outside a transaction."""

    engine: AsyncEngine
    read: async_sessionmaker[AsyncSession]
    write: async_sessionmaker[AsyncSession]
    # Reads whose every statement is consistent on its own (SQLite: no BEGIN; PostgreSQL: a plain read).
    autocommit: async_sessionmaker[AsyncSession] | None = None
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @classmethod
    def connect(cls, database_url: str, *, echo: bool = False) -> Database:
        engine = create_engine(database_url, echo=echo)
        write_bind = engine.execution_options(**{_WRITE_OPTION: True})
        autocommit_bind = engine.execution_options(**{_AUTOCOMMIT_OPTION: True})
        return cls(
            engine=engine,
            read=async_sessionmaker(engine, expire_on_commit=False),
            write=async_sessionmaker(write_bind, expire_on_commit=False),
            autocommit=async_sessionmaker(autocommit_bind, expire_on_commit=False),
        )

    async def after_request(self, session: AsyncSession, *, committed: bool) -> None:
        """Replay the session's kept writes in a short transaction of their own if it rolled back."""
        kept: list[KeptWrite] = session.info.pop(_KEPT, [])
        if committed or not kept:
            return
        async with self.write() as own:
            for write in kept:
                await write(own)
            await own.commit()

    async def dispose(self) -> None:
        await self.engine.dispose()
