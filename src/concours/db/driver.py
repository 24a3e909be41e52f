"""A hot path's statements on PostgreSQL's driver connection (asyncpg), compiled once.

SQLAlchemy's execution of a statement (its execution context, the adapted cursor, the result object) and the
``AsyncSession`` around it cost the autosave about as much CPU as asyncpg's own work for its two statements, on
every save. :meth:`concours.db.engine.Database.driver` hands out one pooled connection in autocommit (each
statement its own transaction) on which statements registered with :func:`on_driver` run on asyncpg directly:
compiled once for the dialect (their constants written in: see :func:`_compile`), their parameters put in order and
through their types' bind processors. Anything
else (a rubric not yet cached, the calibration path's extra reads) runs in a session on the same connection.

Only for statements built once (module constants or cached builders): they are keys of the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, literal_column
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import replacement_traverse

from concours.db.faults import database_unavailable

# The registered statements by id (kept here, since an id is only unique while its object lives), and their
# compiled forms.
_REGISTERED: dict[int, ClauseElement] = {}
_COMPILED: dict[int, _Compiled] = {}


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


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    """The statement's SQL with its constants written in as literals, and only the values given per call as
    parameters. asyncpg prepares each statement once per connection; PostgreSQL plans a prepared statement anew on
    every execution while a plan for any parameter values looks dearer than one for the values at hand. With its
    constants as parameters ('team', 'points', a LIMIT) the autosave's read looked so, and was planned again on every
    save (about 1 ms of the database's CPU); with them written in, the plan made once serves every save."""

    def written_in(element: Any, **_kw: Any) -> Any:
        if isinstance(element, BindParameter) and element.value is not None and element.callable is None:
            render = element.type.dialect_impl(dialect).literal_processor(dialect)
            if render is not None:
                return literal_column(render(element.value), element.type)
        return None

    inlined = replacement_traverse(statement, {}, written_in)
    assert isinstance(inlined, ClauseElement)
    compiled = inlined.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    names = tuple(compiled.positiontup or ())
    processors = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    fixed = {name: compiled.binds[name].value for name in names if compiled.binds[name].value is not None}
    return _Compiled(compiled.string, names, processors, fixed)


class Rows:
    """The rows of a statement run on the driver, with the part of SQLAlchemy's result interface the callers use."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self.rows = [tuple(row) for row in rows]

    def all(self) -> list[tuple[Any, ...]]:
        return self.rows

    def one(self) -> tuple[Any, ...]:
        if len(self.rows) != 1:
            raise LookupError(f"expected one row, got {len(self.rows)}")
        return self.rows[0]


class DriverConnection:
    """One pooled connection in autocommit: registered statements on asyncpg, the rest through SQLAlchemy."""

    def __init__(self, connection: AsyncConnection, driver: Any, info: dict[str, Any]) -> None:
        self.sqlalchemy = connection
        self.driver = driver
        self.info = info  # the session factories' info (the live-updates plugin)
        self._session: AsyncSession | None = None

    async def execute(self, statement: Any, params: dict[str, Any] | None = None) -> Any:
        key = id(statement)
        if key not in _REGISTERED:
            if self._session is None:  # ORM statements need a session (rarely: a rubric not yet cached)
                self._session = AsyncSession(bind=self.sqlalchemy, expire_on_commit=False)
            return await self._session.execute(statement, params)
        compiled = _COMPILED.get(key)
        if compiled is None:
            compiled = _COMPILED[key] = _compile(statement, self.sqlalchemy.dialect)
        values = {**compiled.fixed, **(params or {})}
        # A parameter left out is a bug to hear of (KeyError), not a NULL to store, as SQLAlchemy would refuse it too.
        args = [
            value if process is None else process(value)
            for process, value in zip(compiled.processors, (values[name] for name in compiled.names), strict=True)
        ]
        sync = self.sqlalchemy.sync_connection
        if sync is not None and sync.dispatch.before_cursor_execute:  # the engine's listeners see it (counters)
            sync.dispatch.before_cursor_execute(sync, None, compiled.sql, args, None, False)
        try:
            return Rows(await self.driver.fetch(compiled.sql, *args))
        except BaseException as exc:
            if database_unavailable(exc):  # not to be handed out again
                await self.sqlalchemy.invalidate(exc if isinstance(exc, Exception) else None)
            raise

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def connection(self) -> DriverConnection:
        """Itself: the face of ``AsyncSession.connection()`` for code written against a session."""
        return self
