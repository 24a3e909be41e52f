"""Signing in and out: organizers by password, judges and entrants by a single-use link."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from concours.db import User
from concours.i18n import gettext
from concours.services import accounts, throttle
from concours.services.errors import ServiceError
from concours.settings import Settings
from concours.web.common import BadForm, client_address, form_data, redirect, render, safe_next
from concours.web.dependencies import SESSION_COOKIE, AppSettings, Db, Req, forget_viewer


def _signed_in(settings: Settings, token: str, next_url: str) -> Redirect:
    response = redirect(next_url)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return response


def _login_page(request: Req, form: dict[str, str], errors: dict[str, str]) -> Template:
    """The sign-in page again after a refused form: the errors beside their fields, e-mails kept."""
    kept = {k: form[k] for k in ("email", "link_email") if k in form}
    return render(
        request, "auth/login.html", status_code=400, next=safe_next(form.get("next"), ""), form=kept, errors=errors
    )


def _malformed(request: Req, exc: BadForm) -> Template:
    return _login_page(request, exc.form, exc.errors)


class AuthController(Controller):
    exception_handlers = {BadForm: _malformed}  # a malformed sign-in form: the page again, errors beside the fields

    @get("/login")
    async def login_page(self, request: Req, next: FromQuery[str | None] = None) -> Template:
        return render(request, "auth/login.html", next=safe_next(next, ""), form={}, errors={})

    @post("/login")
    async def login(self, request: Req, db: Db, settings: AppSettings) -> Any:
        form = await form_data(request)  # malformed: the sign-in page again (see exception_handlers)
        # Throttled per e-mail typed (known or not, so a lock tells nothing) and per client address.
        account_key = [accounts.normalize_email(form.get("email", ""))[:254]]
        address_key = [client_address(request)]
        await throttle.check(db, "sign-in", account_key)
        await throttle.check(db, "sign-in-address", address_key)
        user = await accounts.authenticate(db, form.get("email", ""), form.get("password", ""))
        if user is None:
            await throttle.failed(db, "sign-in", account_key)
            await throttle.failed(db, "sign-in-address", address_key)
            wrong = gettext("That e-mail and password do not match an organizer account.")
            return _login_page(request, form, {"password": wrong})
        await throttle.succeeded(db, "sign-in", account_key)
        token = await accounts.start_session(db, settings, user.id, request.headers.get("user-agent", ""))
        return _signed_in(settings, token, safe_next(form.get("next"), "/organizer/"))

    @post("/login/link")
    async def request_link(self, request: Req, db: Db, settings: AppSettings) -> Template:
        form = await form_data(request)  # malformed: the sign-in page again (see exception_handlers)
        email = accounts.normalize_email(form.get("link_email", ""))
        if "@" not in email:
            unknown = gettext("Enter the e-mail address you applied or were invited with.")
            return _login_page(request, {"link_email": email}, {"link_email": unknown})
        # Every request mails a link (when the address has an account): limited per address typed and per client.
        await throttle.check(db, "sign-in-link", [email[:254]])
        await throttle.check(db, "sign-in-link-address", [client_address(request)])
        await throttle.failed(db, "sign-in-link", [email[:254]])
        await throttle.failed(db, "sign-in-link-address", [client_address(request)])
        user = await db.scalar(select(User).where(User.email == email, User.is_active.is_(True)))
        if user is not None:
            await accounts.send_login_link(db, settings, user, next_url=safe_next(form.get("next"), "/"))
        # The same answer either way: the page never tells which addresses have accounts.
        return render(request, "auth/link_sent.html", email=email)

    @get("/auth/link/{token:str}")
    async def link_page(self, request: Req, db: Db, token: FromPath[str]) -> Template:
        # Opening the link does not use it (mail scanners open links); the button below does.
        tok = await accounts.peek_login_token(db, token)
        return render(request, "auth/link.html", token=token, valid=tok is not None, status_code=200 if tok else 410)

    @post("/auth/link/{token:str}")
    async def use_link(self, request: Req, db: Db, settings: AppSettings, token: FromPath[str]) -> Any:
        try:
            tok = await accounts.consume_login_token(db, token)
        except ServiceError:
            return render(request, "auth/link.html", token=token, valid=False, status_code=410)
        session_token = await accounts.start_session(db, settings, tok.user_id, request.headers.get("user-agent", ""))
        return _signed_in(settings, session_token, safe_next(tok.next_url))

    @post("/logout")
    async def logout(self, request: Req, db: Db) -> Redirect:
        forget_viewer(request.cookies.get(SESSION_COOKIE))
        await accounts.end_session(db, request.cookies.get(SESSION_COOKIE))
        response = redirect("/")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
