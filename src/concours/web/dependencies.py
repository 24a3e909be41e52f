"""What a handler is given: its request, the request's database session, the settings, who is signed in (the
app-wide dependencies, see ``create_app``)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass
from concours.db.engine import Database
from concours.services.accounts import load_viewer
from concours.services.permissions import (
    Viewer,
    class_for_chief_judge,
    class_for_organizer,
    event_for_chief_judge,
    event_for_organizer,
)
from concours.settings import Settings

# A handler's request: user, auth and state are not typed through it (the viewer comes as a dependency).
Req = Request[Any, Any, Any]

log = logging.getLogger("concours.web")

# The app-wide dependencies (see ``create_app``), declared by name: a handler asks for ``db: Db`` and so on.
Db = NamedDependency[AsyncSession]
AppSettings = NamedDependency[Settings]
SignedIn = NamedDependency[Viewer]
MaybeSignedIn = NamedDependency[Viewer | None]
# A controller's dependency (``dependencies = {"event": ORGANIZED}``): the route's event, which the viewer organizes.
OrganizedEvent = NamedDependency[Event]
# ``{"run_event": RUN_EVENT}``: the route's event, whose judging the viewer runs (its chief judge or an organizer).
RunEvent = NamedDependency[Event]
# ``{"run_class": RUN_CLASS}``: the route's class and its event, whose judging the viewer runs.
RunClass = NamedDependency[tuple[EventClass, Event]]
# ``{"organized_class": ORGANIZED_CLASS}``: the route's class and its event, which the viewer organizes.
OrganizedClass = NamedDependency[tuple[EventClass, Event]]

SESSION_COOKIE = "concours_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def provide_db(state: State, request: Req) -> AsyncGenerator[AsyncSession, None]:
    """One session per request: reads in a plain transaction, writes take the write lock up front on SQLite.

    Commits when the handler returns, rolls back when it raises or answers with an error page
    (see ``common.render``), so a refused form never leaves half its changes behind."""
    db: Database = state.db
    maker = db.read if request.method in SAFE_METHODS else db.write
    async with maker() as session:
        try:
            yield session
        except Exception:
            await session.rollback()
            await db.after_request(session, committed=False)
            raise
        else:
            if request.state.get("rollback"):
                await session.rollback()
                await db.after_request(session, committed=False)
            else:
                await session.commit()


def provide_settings(state: State) -> Settings:
    return state.settings  # type: ignore[no-any-return]


# The autosave path looks the signed-in judge up once per VIEWER_TTL per session, not on every save (a judge's
# page load counts as a lookup): a save re-checks everything else (team, conflicts, locks) from the database.
# Signing out forgets the session here at once; another worker process may accept its saves for at most
# VIEWER_TTL more seconds.
#
# A save that finds its session's entry older than VIEWER_REFRESH is answered from it and looks the session up
# again in the background: a busy judge's saves never wait for the lookup. Under 200 judges on SQLite a lookup is
# a dozen hops between the event loop and aiosqlite's thread, each behind every other request: the saves that
# waited for one took seconds (p99 1.2 s instead of 0.9). Only an entry past VIEWER_TTL is looked up first.
VIEWER_TTL = 15.0
VIEWER_REFRESH = 10.0
_VIEWER_CACHE_MAX = 20_000
_viewers: dict[str, tuple[float, Viewer]] = {}  # token: (when looked up, the viewer)
_refreshing: dict[str, asyncio.Task[None]] = {}  # token: its background lookup
_clock = time.monotonic  # the tests move it on


async def autosave_viewer(request: Req, database: Database) -> Viewer:
    """The signed-in viewer for the autosave routes (cached per session, see VIEWER_TTL)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotAuthorizedException("Sign in to continue.")
    now = _clock()
    cached = _viewers.get(token)
    if cached is not None and now - cached[0] < VIEWER_TTL:
        viewer = cached[1]
        if now - cached[0] >= VIEWER_REFRESH and token not in _refreshing:
            task = asyncio.create_task(_refresh_viewer(database, token, cached))
            _refreshing[token] = task
            task.add_done_callback(lambda _task: _refreshing.pop(token, None))
    else:
        loaded = await _load_viewer(database, token)
        if loaded is None:
            _viewers.pop(token, None)
            raise NotAuthorizedException("Sign in to continue.")
        viewer = loaded
        _remember_viewer(token, viewer, _clock())
    request.state.viewer = viewer
    return viewer


async def _load_viewer(database: Database, token: str) -> Viewer | None:
    async with (database.autocommit or database.read)() as session:
        return await load_viewer(session, token)


async def _refresh_viewer(database: Database, token: str, seen: tuple[float, Viewer]) -> None:
    """Look the session up again for the entry ``seen``; unless it was forgotten meanwhile (signed out here)."""
    try:
        loaded = await _load_viewer(database, token)
    except Exception:  # the database is away: the entry expires, and the next save looks it up (and says why)
        log.warning("looking a judge's session up again failed", exc_info=True)
        return
    if _viewers.get(token) is not seen:
        return
    if loaded is None:  # signed out or expired, on another worker
        _viewers.pop(token, None)
    else:
        _remember_viewer(token, loaded, _clock())


def _remember_viewer(token: str, viewer: Viewer, now: float) -> None:
    if len(_viewers) >= _VIEWER_CACHE_MAX:
        for key in [k for k, (at, _) in _viewers.items() if now - at >= VIEWER_TTL] or list(_viewers)[:1000]:
            _viewers.pop(key, None)
    _viewers[token] = (now, viewer)


def forget_viewer(token: str | None) -> None:
    """Signing out: the session's cached viewer is gone at once (in this process)."""
    if token:
        _viewers.pop(token, None)


async def provide_optional_viewer(request: Req, db: Db) -> Viewer | None:
    if "viewer" not in request.state:
        token = request.cookies.get(SESSION_COOKIE)
        request.state.viewer = await load_viewer(db, token)
        if token and request.state.viewer is not None and request.state.viewer.judge_id is not None:
            # A judge who opens a sheet saves on it next: their first save need not look the session up again.
            _remember_viewer(token, request.state.viewer, _clock())
    return request.state.viewer  # type: ignore[no-any-return]


async def provide_viewer(request: Req, db: Db) -> Viewer:
    viewer = await provide_optional_viewer(request, db)
    if viewer is None:
        raise NotAuthorizedException("Sign in to continue.")
    return viewer


async def provide_organized_event(db: Db, viewer: SignedIn, event_id: FromPath[int]) -> Event:
    """The event of the route's ``event_id``, loaded for its organizer (404 or 403 for anyone else)."""
    return await event_for_organizer(db, viewer, event_id)


ORGANIZED = Provide(provide_organized_event)


async def provide_run_event(db: Db, viewer: SignedIn, event_id: FromPath[int]) -> Event:
    """The event of the route's ``event_id``, loaded for who runs its judging (the chief judge or an organizer; 404
    or 403 for anyone else)."""
    return await event_for_chief_judge(db, viewer, event_id)


RUN_EVENT = Provide(provide_run_event)


async def provide_run_class(db: Db, viewer: SignedIn, class_id: FromPath[int]) -> tuple[EventClass, Event]:
    """The class of the route's ``class_id`` and its event, loaded for who runs the judging (the chief judge or an
    organizer; 404 or 403 for anyone else)."""
    return await class_for_chief_judge(db, viewer, class_id)


RUN_CLASS = Provide(provide_run_class)


async def provide_organized_class(db: Db, viewer: SignedIn, class_id: FromPath[int]) -> tuple[EventClass, Event]:
    """The class of the route's ``class_id`` and its event, loaded for the event's organizers (a chief judge who does
    not organize it gets 403; 404 or 403 for anyone else)."""
    return await class_for_organizer(db, viewer, class_id)


ORGANIZED_CLASS = Provide(provide_organized_class)
