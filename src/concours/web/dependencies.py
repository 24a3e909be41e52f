"""What a handler is given: its request, the request's database session, the settings, who is signed in (the
app-wide dependencies, see ``create_app``)."""

from __future__ import annotations

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
VIEWER_TTL = 15.0
_VIEWER_CACHE_MAX = 20_000
_viewers: dict[str, tuple[float, Viewer]] = {}


async def autosave_viewer(request: Req, database: Database) -> Viewer:
    """The signed-in viewer for the autosave routes (cached per session for VIEWER_TTL seconds)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotAuthorizedException("Sign in to continue.")
    now = time.monotonic()
    cached = _viewers.get(token)
    if cached is not None and cached[0] > now:
        viewer = cached[1]
    else:
        async with (database.autocommit or database.read)() as session:
            loaded = await load_viewer(session, token)
        if loaded is None:
            _viewers.pop(token, None)
            raise NotAuthorizedException("Sign in to continue.")
        viewer = loaded
        _remember_viewer(token, viewer, now)
    request.state.viewer = viewer
    return viewer


def _remember_viewer(token: str, viewer: Viewer, now: float) -> None:
    if len(_viewers) >= _VIEWER_CACHE_MAX:
        for key in [k for k, (expires, _) in _viewers.items() if expires <= now] or list(_viewers)[:1000]:
            _viewers.pop(key, None)
    _viewers[token] = (now + VIEWER_TTL, viewer)


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
            _remember_viewer(token, request.state.viewer, time.monotonic())
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
