"""What every controller shares: the request's database session, who is signed in, rendering, forms."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import MediaType, Request
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db.engine import Database
from concours.services.accounts import load_viewer
from concours.services.permissions import Viewer
from concours.settings import Settings

SESSION_COOKIE = "concours_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_ID = 2**31 - 1  # the largest id the database holds; larger ones name nothing


async def provide_db(state: State, request: Request[Any, Any, Any]) -> AsyncGenerator[AsyncSession, None]:
    """One session per request: reads in a plain transaction, writes take the write lock up front on SQLite.

    Commits when the handler returns, rolls back when it raises or answers with an error page
    (see :func:`render`), so a refused form never leaves half its changes behind."""
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


async def provide_optional_viewer(request: Request[Any, Any, Any], db: AsyncSession) -> Viewer | None:
    if "viewer" not in request.state:
        request.state.viewer = await load_viewer(db, request.cookies.get(SESSION_COOKIE))
    return request.state.viewer  # type: ignore[no-any-return]


async def provide_viewer(request: Request[Any, Any, Any], db: AsyncSession) -> Viewer:
    viewer = await provide_optional_viewer(request, db)
    if viewer is None:
        raise NotAuthorizedException("Sign in to continue.")
    return viewer


def render(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    context.setdefault("viewer", request.state.get("viewer"))
    if status_code >= 400:
        request.state.rollback = True
    # Explicit, because a handler annotated ``-> Any`` would otherwise label the page application/json.
    return Template(template_name=template, context=context, status_code=status_code, media_type=MediaType.HTML)


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


async def form_data(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The submitted form as text fields (files and repeated keys are left to those who expect them)."""
    form = await request.form()
    # NUL characters are never meaningful in text and PostgreSQL refuses them.
    return {k: v.replace("\x00", "") for k, v in form.items() if isinstance(v, str)}


def redirect(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


def client_address(request: Request[Any, Any, Any]) -> str:
    """The client's address as the server sees it (behind a proxy, run the server with its proxy-headers
    option so this is the visitor's address and not the proxy's)."""
    return request.client.host if request.client else "unknown"


def device_of(request: Request[Any, Any, Any], form: dict[str, str] | None = None) -> str:
    device = (form or {}).get("device", "")[:80]
    agent = request.headers.get("user-agent", "")[:200]
    return f"{device} | {agent}" if device else agent


def safe_next(url: str | None, default: str = "/") -> str:
    """Only local paths: never redirect off-site from a ``next`` parameter."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url and len(url) <= 300:
        return url.replace("\x00", "")
    return default
