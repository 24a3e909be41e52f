"""The language of each answer: the visitor's choice (a cookie set from the language menu in every page's footer),
else their browser's ``Accept-Language``, else English. See :mod:`concours.i18n`."""

from __future__ import annotations

from typing import Any

from litestar import post
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.response import Redirect
from litestar.types import ASGIApp, Receive, Scope, Send

from concours.i18n import DEFAULT_LOCALE, LANGUAGES, LOCALE_COOKIE, negotiate, using_locale
from concours.services import accounts
from concours.web.common import form_data, safe_next
from concours.web.dependencies import AppSettings, Db, MaybeSignedIn, Req

LOCALE_COOKIE_SECONDS = 365 * 24 * 3600


def locale_of(headers: dict[str, str]) -> str:
    """The language to answer in, from a request's cookie and headers."""
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == LOCALE_COOKIE and value in LANGUAGES:
            return value
    return negotiate(headers.get("accept-language"))


def locale_middleware(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: the request's language is set before anything answers (error pages included), and the
    answer says it varies with the headers that chose it."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1")
            for k, v in scope.get("headers", [])
            if k.lower() in (b"cookie", b"accept-language")
        }
        code = locale_of(headers)

        async def send_with_language(message: Any) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"content-language", code.encode())]
                vary = [v for k, v in message.get("headers", []) if k.lower() == b"vary"]
                if not any(b"accept-language" in v.lower() for v in vary):
                    extra.append((b"vary", b"Accept-Language"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        with using_locale(code):
            await app(scope, receive, send_with_language)

    return wrapped


@post("/language", include_in_schema=False)
async def choose_language(request: Req, settings: AppSettings, db: Db, optional_viewer: MaybeSignedIn) -> Redirect:
    """The language menu: remember the choice on this device (and, signed in, on the account: the person's
    e-mails are written in it) and go back to the page it was made on."""
    form = await form_data(request)
    code = form.get("lang", "")
    back = safe_next(form.get("next"), "/")
    response = Redirect(back, status_code=303)
    if code in LANGUAGES:
        if optional_viewer is not None:
            await accounts.set_user_locale(db, optional_viewer.user_id, code)
        response.cookies.append(
            Cookie(
                key=LOCALE_COOKIE,
                value=code,
                max_age=LOCALE_COOKIE_SECONDS,
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
            )
        )
    elif code:
        response.cookies.append(Cookie(key=LOCALE_COOKIE, value=DEFAULT_LOCALE, max_age=0))
    return response
