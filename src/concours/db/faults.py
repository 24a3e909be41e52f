"""Telling "the database is briefly away" apart from a bug.

A PostgreSQL restart, a dropped connection, a refused connect, an exhausted pool, or SQLite that
cannot open or lock its file: the request may succeed if sent again shortly (answer 503 with
Retry-After). Anything else (a constraint, a bad statement) is a real error.
"""

from __future__ import annotations

import errno
import socket
import sqlite3

from sqlalchemy import exc as sa_exc

try:  # asyncpg is only needed for PostgreSQL
    import asyncpg.exceptions as pg_exc

    _PG_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
        pg_exc.PostgresConnectionError,  # connection failure, does not exist, cannot connect now...
        pg_exc.OperatorInterventionError,  # admin shutdown, crash shutdown, cannot connect now
        pg_exc.InterfaceError,  # "connection is closed", "another operation is in progress" after a drop
    )
except ImportError:  # pragma: no cover - asyncpg is a dependency
    _PG_CONNECTION_ERRORS = ()

_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error", "database is busy")
_CONNECTION_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ETIMEDOUT,
    errno.EPIPE,
}


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        nxt = getattr(current, "orig", None)
        if not isinstance(nxt, BaseException) or nxt in seen:
            nxt = current.__cause__ or current.__context__
        current = nxt
    return seen


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) means the database cannot be reached right now."""
    for e in _chain(exc):
        if isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated:
            return True
        if isinstance(e, sa_exc.TimeoutError | sa_exc.DisconnectionError):
            return True  # pool exhausted (every connection busy) or a connection lost at checkout
        if _PG_CONNECTION_ERRORS and isinstance(e, _PG_CONNECTION_ERRORS):
            return True
        if isinstance(e, sqlite3.OperationalError) and any(m in str(e).lower() for m in _SQLITE_UNAVAILABLE):
            return True
        if isinstance(e, ConnectionError | TimeoutError | socket.gaierror):
            return True
        if isinstance(e, OSError) and e.errno in _CONNECTION_ERRNOS:
            return True
    return False
