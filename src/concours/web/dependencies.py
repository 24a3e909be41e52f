"""What a handler is given: its request, the request's database session, the settings, who is signed in (the
app-wide dependencies, see ``create_app``)."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
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
from concours.services.accounts import load_viewer, load_viewers
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


# The autosave path does not look the signed-in judge up on every save (a judge's page load counts as a lookup): a
# save re-checks everything else (team, conflicts, locks) from the database. A save whose session was looked up less
# than VIEWER_REFRESH ago is answered from that lookup; one whose lookup is older, but less than VIEWER_TTL, is too,
# and has the session looked up again in the background, with every other session due then, in one statement; only a
# save past VIEWER_TTL waits for the lookup. A judge looks at the car between two saves, often for longer than a few
# seconds: with a short TTL nearly every save waited for a lookup, which under 200 judges on SQLite is a dozen hops
# between the event loop and aiosqlite's thread, each behind every other request (the saves that waited for one took
# seconds: p99 1.2 s instead of 0.9).
# Signing out forgets the session here at once. A session ended on another worker process (several workers) has
# its saves accepted here for at most VIEWER_REFRESH seconds after its last lookup, and one save more until
# VIEWER_TTL (the save that has it looked up again, and any sent while that runs).
VIEWER_TTL = 120.0
VIEWER_REFRESH = 10.0
_VIEWER_CACHE_MAX = 20_000
_REFRESH_BATCH = 500  # sessions looked up in one statement
_viewers: dict[str, tuple[float, Viewer]] = {}  # token: (when looked up, the viewer)
_clock = time.monotonic  # the tests move it on


class _Refresher:
    """The sessions due to be looked up again on one database (token: the entry that was due), and the task that
    looks them up: one at a time, in batches."""

    def __init__(self) -> None:
        self.due: dict[str, tuple[float, Viewer]] = {}
        self.task: asyncio.Task[None] | None = None


_refreshers: weakref.WeakKeyDictionary[Any, _Refresher] = weakref.WeakKeyDictionary()  # by the database's engine


async def autosave_viewer(request: Req, database: Database) -> Viewer:
    """The signed-in viewer for the autosave routes (cached per session, see VIEWER_TTL)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotAuthorizedException("Sign in to continue.")
    now = _clock()
    cached = _viewers.get(token)
    if cached is not None and now - cached[0] < VIEWER_TTL:
        viewer = cached[1]
        if now - cached[0] >= VIEWER_REFRESH:
            _refresh_later(database, token, cached)
    else:
        async with (database.autocommit or database.read)() as session:
            loaded = await load_viewer(session, token)
        if loaded is None:
            _viewers.pop(token, None)
            raise NotAuthorizedException("Sign in to continue.")
        viewer = loaded
        _remember_viewer(token, viewer, _clock())
    request.state.viewer = viewer
    return viewer


def _refresh_later(database: Database, token: str, seen: tuple[float, Viewer]) -> None:
    refresher = _refreshers.get(database.engine.sync_engine)
    if refresher is None:
        refresher = _refreshers[database.engine.sync_engine] = _Refresher()
    refresher.due.setdefault(token, seen)
    task = refresher.task
    if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():  # (a test's loop, closed)
        refresher.task = asyncio.create_task(_refresh(database, refresher))


async def _refresh(database: Database, refresher: _Refresher) -> None:
    """Look the due sessions up, a batch a statement, until none is due; an entry forgotten or looked up meanwhile
    (signed out here, a page load) is left as it is."""
    while refresher.due:
        batch = dict(list(refresher.due.items())[:_REFRESH_BATCH])
        for token in batch:
            del refresher.due[token]
        try:
            async with (database.autocommit or database.read)() as session:
                found = await load_viewers(session, list(batch))
        except Exception:  # the database is away: the entries expire, and the next save looks its session up
            log.warning("looking judges' sessions up again failed", exc_info=True)
            continue
        now = _clock()
        for token, seen in batch.items():
            if _viewers.get(token) is not seen:
                continue
            viewer = found.get(token)
            if viewer is None:  # signed out or expired, on another worker
                _viewers.pop(token, None)
            else:
                _remember_viewer(token, viewer, now)


def refreshing(database: Database) -> bool:
    """Whether sessions are being looked up again in the background on ``database`` (for the tests)."""
    refresher = _refreshers.get(database.engine.sync_engine)
    return refresher is not None and refresher.task is not None and not refresher.task.done()


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
