"""Error pages: every error a client can cause gets a clear page (or fragment), never a bare 500."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.exc import SQLAlchemyError

from concours.db.faults import database_unavailable
from concours.services.errors import ServiceError
from concours.web.common import BadForm, is_htmx, render
from concours.web.dependencies import Req

log = logging.getLogger("concours.web")

TITLES = {
    400: "That did not work",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    410: "Expired",
    413: "Too large",
    422: "Not accepted",
    429: "Too many requests",
    503: "Back in a moment",
}
# Seconds a client waits before sending again when the database is briefly away (a restart takes a few).
RETRY_AFTER_SECONDS = 5


def _page(request: Req, status: int, message: str) -> Response[Any]:
    if is_htmx(request):
        return Response(content=message, status_code=status, media_type="text/plain")
    template: Template = render(
        request,
        "error.html",
        status_code=status,
        status=status,
        title=TITLES.get(status, "Something went wrong"),
        message=message,
    )
    return template


def service_error(request: Req, exc: ServiceError) -> Response[Any]:
    response = _page(request, exc.status_code, exc.message)
    retry_after = getattr(exc, "retry_after_seconds", None)
    if retry_after is not None:
        response.headers["retry-after"] = str(retry_after)
    return response


def bad_form(request: Req, exc: BadForm) -> Response[Any]:
    """A malformed form on a page that does not re-render itself: say which fields, in words."""
    fields = "; ".join(f"“{name}”: {message}" for name, message in sorted(exc.errors.items()))
    return _page(request, 400, f"The form could not be accepted. {fields} Go back, correct it and send it again.")


def not_authorized(request: Req, exc: NotAuthorizedException) -> Response[Any]:
    if is_htmx(request) or request.method != "GET":
        return _page(request, 401, "Your session has ended. Sign in again, then retry.")
    return Redirect(path="/login", query_params={"next": request.url.path}, status_code=303)


def http_error(request: Req, exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, PermissionDeniedException) and "csrf" in str(exc.detail).lower():
        return _page(
            request,
            403,
            "This form has expired or was sent from another site. Reload the page and try again; nothing was changed.",
        )
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, exc.detail)
    detail = exc.detail if status < 500 and status != 400 else ""
    message = {404: "There is nothing at this address.", 405: "That action is not possible here."}.get(
        status, detail or "The request could not be understood. Go back and try again."
    )
    return _page(request, status, message)


def unavailable(request: Req, exc: Exception) -> Response[Any]:
    """The database is briefly away (restart, dropped connection): 503 with Retry-After, never a 500.
    Nothing of the request was kept (its transaction did not commit, or the commit's answer was lost, and
    a replayed autosave is recognised by its change id)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    response = _page(
        request,
        HTTP_503_SERVICE_UNAVAILABLE,
        "The database is briefly unavailable. Nothing was lost: try again in a few seconds "
        "(a judge's tablet sends its changes again by itself).",
    )
    response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    return response


def database_error(request: Req, exc: Exception) -> Response[Any]:
    if database_unavailable(exc):
        return unavailable(request, exc)
    return server_error(request, exc)


def server_error(request: Req, exc: Exception) -> Response[Any]:
    if database_unavailable(exc):  # e.g. a driver error raised outside SQLAlchemy, or a refused connect
        return unavailable(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _page(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Something went wrong on our side; nothing you did caused it. Please try again.",
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    BadForm: bad_form,
    ServiceError: service_error,
    NotAuthorizedException: not_authorized,
    HTTPException: http_error,
    SQLAlchemyError: database_error,
    OSError: database_error,
    Exception: server_error,
}
