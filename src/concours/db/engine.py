"""Engine and session factories for SQLite (embedded) and PostgreSQL (production).

SQLite is set up for concurrent use and durability:

- ``journal_mode=WAL`` with ``synchronous=FULL`` (an acknowledged commit survives a power cut): readers
  never block the writer nor each other;
- ``busy_timeout`` 30 s: a writer waits for another process's write lock instead of failing;
- write transactions take the write lock up front (``BEGIN IMMEDIATE``) so two writers never deadlock on a
  lock upgrade ("database is locked"); the autosave path keeps that transaction to its few writes and does
  its reads before it, in ``Database.autocommit`` sessions (each statement its own snapshot, no BEGIN);
- the autosave path runs its whole transaction (read, checks, writes, commit) on one **writer thread** with a
  synchronous connection (``Database.in_writer``): aiosqlite sends every cursor call to its own thread and back
  through the event loop (about 40 round trips a save), and under load each round trip waits behind every other
  request, so the write lock was held for many loop turns. On the writer thread the lock is held for the
  statements only, saves queue in order on the thread, and the event loop is free meanwhile. The thread commits
  the saves waiting at the same moment together (group commit, :mod:`concours.db.writer`): one disk sync for
  many acknowledged saves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.util import greenlet_spawn

from concours.db.driver import DriverConnection
from concours.db.writer import GroupCommitWriter

T = TypeVar("T")

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


def _sqlite_setup(sync_engine: Engine) -> None:
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
            if conn.dialect.driver == "pysqlite":  # the writer thread: straight on sqlite3 (see _begin_on_sqlite3)
                _begin_on_sqlite3(conn, "BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _begin_on_sqlite3(conn: Any, statement: str) -> None:
    """``statement`` on the sqlite3 connection directly, announced to the engine's ``before_cursor_execute``
    listeners as SQLAlchemy would (the statement counters): its execution path (context, cursor, result) cost the
    writer thread as much as SQLite's own work for the BEGIN, on every group."""
    if conn.dispatch.before_cursor_execute:
        conn.dispatch.before_cursor_execute(conn, None, statement, (), None, False)
    conn.connection.driver_connection.execute(statement).close()


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _sqlite_setup(engine.sync_engine)
        return engine
    # 20 connections kept open per worker, none beyond: under load, overflow connections were opened and closed
    # again for every request (a new backend each), and past 20 a request waits for one (up to 30 s, then 503).
    # Last in, first out: a quiet worker keeps using the connection it just gave back, whose backend is still
    # awake; first in, first out handed out each idle connection in turn, and a save's statement took 0.70 ms
    # instead of 0.51 ms (the backend woken from sleep). Under load it makes no difference.
    engine = create_async_engine(database_url, echo=echo, pool_size=20, max_overflow=0, pool_use_lifo=True)
    _postgresql_setup(engine.sync_engine)
    return engine


PING_AFTER_IDLE_SECONDS = 2.0


def _postgresql_setup(sync_engine: Engine) -> None:
    """Replace dead pooled connections at checkout without a round trip on every checkout.

    ``pool_pre_ping`` pings on every checkout: two of an autosave's round trips. Instead, a connection the server
    closed (a restart, ``pg_terminate_backend``) is known to asyncpg and replaced at once, and a connection that
    sat unused for more than :data:`PING_AFTER_IDLE_SECONDS` is pinged first (a quiet server, or the first requests
    after a restart). Under load connections come back within milliseconds and are not pinged. A connection lost
    silently while busy fails its request with a 503 and is discarded; the tablet sends its change again."""

    @event.listens_for(sync_engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("the server closed this connection")
        if time.monotonic() - record.info.get("idle_since", time.monotonic()) > PING_AFTER_IDLE_SECONDS:
            try:
                dbapi_connection.ping()
            except Exception as exc:
                raise DisconnectionError("the connection did not answer a ping") from exc


@dataclass
class Database:
    """The engine with its session factories: reads, writes, and single-statement reads outside a transaction."""

    engine: AsyncEngine
    read: async_sessionmaker[AsyncSession]
    write: async_sessionmaker[AsyncSession]
    # Reads whose every statement is consistent on its own (SQLite: no BEGIN; PostgreSQL: a plain read).
    autocommit: async_sessionmaker[AsyncSession] | None = None
    # SQLite: a synchronous engine used only on one writer thread (see the module and :meth:`in_writer`).
    writer_engine: Engine | None = None
    _writer: GroupCommitWriter | None = None
    # PostgreSQL: the engine in the driver's autocommit, for :meth:`driver`.
    autocommit_engine: AsyncEngine | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @classmethod
    def connect(cls, database_url: str, *, echo: bool = False) -> Database:
        engine = create_engine(database_url, echo=echo)
        write_bind = engine.execution_options(**{_WRITE_OPTION: True})
        # SQLite: no BEGIN (see _sqlite_setup); PostgreSQL: the driver's autocommit (no BEGIN, no ROLLBACK).
        autocommit_bind = engine.execution_options(
            **({_AUTOCOMMIT_OPTION: True} if engine.dialect.name == "sqlite" else {"isolation_level": "AUTOCOMMIT"})
        )
        writer_engine = None
        if engine.dialect.name == "sqlite":
            writer_engine = create_sync_engine(
                engine.url.set(drivername="sqlite+pysqlite"),
                echo=echo,
                pool_size=1,
                max_overflow=0,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            ).execution_options(**{_WRITE_OPTION: True})
            _sqlite_setup(writer_engine)
        return cls(
            engine=engine,
            read=async_sessionmaker(engine, expire_on_commit=False),
            write=async_sessionmaker(write_bind, expire_on_commit=False),
            autocommit=async_sessionmaker(autocommit_bind, expire_on_commit=False),
            writer_engine=writer_engine,
            autocommit_engine=None if engine.dialect.name == "sqlite" else autocommit_bind,
        )

    @asynccontextmanager
    async def driver(self) -> AsyncIterator[DriverConnection]:
        """PostgreSQL: one pooled connection in autocommit on which statements registered with
        :func:`concours.db.driver.on_driver` run on asyncpg directly (see :mod:`concours.db.driver`)."""
        if self.autocommit_engine is None or self.autocommit is None:
            raise RuntimeError("the driver connection is for PostgreSQL")
        # The pool's checkout and check-in run in SQLAlchemy's greenlet (its checkout events may ping the server;
        # a new connection is opened there); without I/O neither gives up the event loop.
        pooled = await greenlet_spawn(self.autocommit_engine.sync_engine.raw_connection)
        driver = DriverConnection(self.autocommit_engine, pooled, self.autocommit.kw.get("info", {}))
        try:
            yield driver
        finally:
            try:
                await driver.close()
            finally:
                await greenlet_spawn(pooled.close)

    def engines(self) -> list[Engine]:
        """Every engine that talks to the database (for counting statements)."""
        return [self.engine.sync_engine, *([self.writer_engine] if self.writer_engine is not None else [])]

    async def in_writer(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a write transaction on the writer thread (SQLite): its own savepoint in a ``BEGIN
        IMMEDIATE`` transaction shared with the other calls waiting at that moment, committed once for all of them
        (group commit, :mod:`concours.db.writer`); the result comes back once that commit is on disk. If ``work``
        raises, only its own writes are rolled back. Calls queue on the thread in order; the event loop is free
        meanwhile. The work runs in a copy of the caller's context (as ``asyncio.to_thread`` does): the request's
        language, for one, so a refusal made on the thread speaks it."""
        return await self._group_writer().run(work, self.write.kw.get("info", {}))

    async def in_writer_early(self, work: Callable[[Session], T]) -> tuple[T, asyncio.Future[None]]:
        """As :meth:`in_writer`, but the result as soon as the transaction is about to commit, with a future that
        completes once the commit is on disk (or raises: then nothing of ``work`` stayed). The caller prepares its
        answer meanwhile and gives it once the commit is done."""
        return await self._group_writer().run_early(work, self.write.kw.get("info", {}))

    def _group_writer(self) -> GroupCommitWriter:
        if self.writer_engine is None:
            raise RuntimeError("the writer thread is for SQLite")
        if self._writer is None:
            self._writer = GroupCommitWriter(self.writer_engine)
        return self._writer

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
        if self._writer is not None:
            writer, self._writer = self._writer, None
            await asyncio.to_thread(writer.stop)
        if self.writer_engine is not None:
            self.writer_engine.dispose()
