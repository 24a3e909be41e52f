"""A hot path's statements on the database driver directly, compiled once.

SQLAlchemy's execution of a statement (its execution context, the adapted cursor, the result object) and the
session around it cost the autosave about as much CPU as the driver's own work, on every save. Statements
registered with :func:`on_driver` are compiled once per dialect, their constants written into the SQL (see
:func:`_compile`), and run with their parameters put in order and through their types' bind processors, their rows
through the columns' result processors (what SQLAlchemy would do with them):

- PostgreSQL: :meth:`concours.db.engine.Database.driver` hands out one pooled connection in autocommit (each
  statement its own transaction); :class:`DriverConnection` runs registered statements with asyncpg's ``fetch``,
  anything else (a rubric not yet cached, the calibration path's extra reads) in a session on the same connection.
- SQLite: on the writer thread, :func:`run_in_writer` runs them on the ``sqlite3`` connection, in the group's
  transaction.

The engine's ``before_cursor_execute`` listeners still see every statement (the statement counts of the tests and
benchmarks are the real ones). Only for statements built once (module constants or cached builders): they are keys
of the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, literal_column
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import replacement_traverse

from concours.db.faults import database_unavailable

# The registered statements by id (kept here, since an id is only unique while its object lives), and their
# compiled forms by (id, dialect): the load benchmark runs SQLite and PostgreSQL in one process.
_REGISTERED: dict[int, ClauseElement] = {}
_COMPILED: dict[tuple[int, str], _Compiled] = {}


def on_driver(statement: ClauseElement) -> ClauseElement:
    """Mark ``statement`` (built once) to run on the driver's connection in :class:`DriverConnection`."""
    _REGISTERED[id(statement)] = statement
    return statement


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    fixed: dict[str, Any]  # values of the statement itself left as parameters (a type without literals)
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, result processor): SQLite's dates, JSON, bools

    def args(self, params: dict[str, Any] | None) -> list[Any]:
        """The parameters in the statement's order, through their types' bind processors. A parameter left out is
        a bug to hear of (KeyError), not a NULL to store, as SQLAlchemy would refuse it too."""
        values = {**self.fixed, **(params or {})}
        return [
            value if process is None else process(value)
            for process, value in zip(self.processors, (values[name] for name in self.names), strict=True)
        ]

    def rows(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        if not self.results:
            return [tuple(row) for row in rows]
        processed = []
        for row in rows:
            values = list(row)
            for column, process in self.results:
                values[column] = process(values[column])
            processed.append(tuple(values))
        return processed


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    """The statement's SQL with its constants written in as literals, and only the values given per call as
    parameters. asyncpg prepares each statement once per connection; PostgreSQL plans a prepared statement anew on
    every execution while a plan for any parameter values looks dearer than one for the values at hand. With its
    constants as parameters ('team', 'points', a LIMIT) the autosave's read looked so, and was planned again on every
    save (about 1 ms of the database's CPU); with them written in, the plan made once serves every save."""

    compiled = _constants_written_in(statement, dialect).compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    names = tuple(compiled.positiontup or ())
    processors = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    fixed = {name: compiled.binds[name].value for name in names if compiled.binds[name].value is not None}
    processed = (
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in compiled._result_columns
    )
    results = tuple((index, process) for index, process in enumerate(processed) if process is not None)
    return _Compiled(compiled.string, names, processors, fixed, results)


def _constants_written_in(statement: ClauseElement, dialect: Dialect) -> ClauseElement:
    """``statement`` with its bound constants as literals (the parameters without a value stay parameters)."""

    def written_in(element: Any, **_kw: Any) -> Any:
        if isinstance(element, BindParameter) and element.value is not None and element.callable is None:
            render = element.type.dialect_impl(dialect).literal_processor(dialect)
            if render is not None:
                return literal_column(render(element.value), element.type)
        return None

    inlined = replacement_traverse(statement, {}, written_in)
    assert isinstance(inlined, ClauseElement)
    return inlined


def postgresql_text(statement: ClauseElement) -> str:
    """``statement``'s PostgreSQL SQL with its constants written in and its parameters as ``:name`` (no casts): a
    part of a ``text()`` statement built once, whose bind parameters must then include those names."""
    dialect = PGDialect(paramstyle="named")  # type: ignore[no-untyped-call]
    return str(_constants_written_in(statement, dialect).compile(dialect=dialect))


def _compiled(statement: ClauseElement, dialect: Dialect) -> _Compiled | None:
    """The registered statement's compiled form for ``dialect``; None for a statement not registered."""
    key = id(statement)
    if key not in _REGISTERED:
        return None
    compiled = _COMPILED.get((key, dialect.name))
    if compiled is None:
        compiled = _COMPILED[key, dialect.name] = _compile(statement, dialect)
    return compiled


class Rows:
    """The rows of a statement run on the driver, with the part of SQLAlchemy's result interface the callers use."""

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int = -1) -> None:
        self.rows = rows
        self.rowcount = rowcount  # SQLite: the rows an INSERT, UPDATE or DELETE changed

    def all(self) -> list[tuple[Any, ...]]:
        return self.rows

    def one(self) -> tuple[Any, ...]:
        if len(self.rows) != 1:
            raise LookupError(f"expected one row, got {len(self.rows)}")
        return self.rows[0]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


def _announce(connection: Connection | None, dispatch: Any, compiled: _Compiled, args: list[Any]) -> None:
    """The engine's ``before_cursor_execute`` listeners see the statement (the statement counters). On PostgreSQL's
    driver path there is no SQLAlchemy connection (``connection`` is None): the listeners are the engine's."""
    if dispatch.before_cursor_execute:
        dispatch.before_cursor_execute(connection, None, compiled.sql, args, None, False)


def run_in_writer(connection: Connection, statement: ClauseElement, params: dict[str, Any]) -> Rows | None:
    """SQLite's writer thread: ``statement``, if registered, on the sqlite3 connection under ``connection`` (in the
    group's transaction); None for a statement not registered (the caller runs it through SQLAlchemy). SQLAlchemy's
    execution of a statement cost about four times SQLite's own work for the autosave's read."""
    compiled = _compiled(statement, connection.dialect)
    if compiled is None:
        return None
    args = compiled.args(params)
    _announce(connection, connection.dispatch, compiled, args)
    cursor = connection.connection.driver_connection.execute(compiled.sql, args)  # type: ignore[union-attr]
    try:
        return Rows(compiled.rows(cursor.fetchall()), cursor.rowcount)
    finally:
        cursor.close()


class DriverConnection:
    """One pooled connection, used in the driver's autocommit: registered statements on asyncpg directly, the rest
    (an ORM read: a rubric not yet cached, the calibration path's) through SQLAlchemy on a connection of its own,
    opened only then. The connection is the pool's (:meth:`concours.db.engine.Database.driver` checks it out and
    back in), not wrapped in SQLAlchemy's ``AsyncConnection``: its start and close cost three turns of the event
    loop (and a task) a save."""

    def __init__(self, engine: AsyncEngine, pooled: Any, info: dict[str, Any]) -> None:
        self.engine = engine  # in the driver's autocommit (isolation_level="AUTOCOMMIT")
        self.pooled = pooled  # the pool's connection (checked out by the caller)
        self.driver = pooled.driver_connection  # asyncpg's
        self.info = info  # the session factories' info (the live-updates plugin)
        self._other: AsyncConnection | None = None
        self._session: AsyncSession | None = None

    async def execute(self, statement: Any, params: dict[str, Any] | None = None) -> Any:
        compiled = _compiled(statement, self.engine.dialect)
        if compiled is None:
            if self._session is None:
                self._other = await self.engine.connect()
                self._session = AsyncSession(bind=self._other, expire_on_commit=False)
            return await self._session.execute(statement, params)
        args = compiled.args(params)
        _announce(None, self.engine.sync_engine.dispatch, compiled, args)
        try:
            return Rows(compiled.rows(await self.driver.fetch(compiled.sql, *args)))
        except BaseException as exc:
            if database_unavailable(exc):  # not to be handed out again
                self.pooled.invalidate(exc if isinstance(exc, Exception) else None)
            raise

    async def close(self) -> None:
        """Close the other connection, if one was opened (the pooled one is the caller's to check in)."""
        session, other, self._session, self._other = self._session, self._other, None, None
        if session is not None:
            await session.close()
        if other is not None:
            await other.close()

    async def connection(self) -> DriverConnection:
        """Itself: the face of ``AsyncSession.connection()`` for code written against a session."""
        return self
