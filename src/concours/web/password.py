"""Forgotten passwords: ask for a reset link, then set a new password with it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from concours.services import accounts, password_reset, throttle
from concours.services.errors import FormErrors
from concours.web.auth import _signed_in
from concours.web.common import BadForm, client_address, device_of, form_data, render, typed_form
from concours.web.dependencies import AppSettings, Db, Req


def _reset_page(
    request: Req,
    token: str,
    status_code: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    """The new-password page: its form (kept as typed after a refusal), or, answered 410, that the link has expired."""
    return render(
        request,
        "auth/password_reset.html",
        status_code=status_code,
        token=token,
        valid=status_code != 410,
        form=form or {},
        errors=errors or {},
    )


class PasswordController(Controller):
    @get("/password/forgot")
    async def forgot_page(self, request: Req, email: FromQuery[str | None] = None) -> Template:
        form = {"email": (email or "")[:254].replace("\x00", "")}
        return render(request, "auth/password_forgot.html", form=form, errors={})

    @post("/password/forgot")
    async def forgot(self, request: Req, db: Db, settings: AppSettings) -> Template:
        try:
            form = await form_data(request)
        except BadForm as exc:
            return render(request, "auth/password_forgot.html", status_code=400, form=exc.form, errors=exc.errors)
        email = form.get("email", "")[:300]
        # Each request may mail a link: limited per address typed and per client, like sign-in links.
        keys, address = [accounts.normalize_email(email)[:254]], [client_address(request)]
        await throttle.check(db, "sign-in-link", keys)
        await throttle.check(db, "sign-in-link-address", address)
        await throttle.failed(db, "sign-in-link", keys)
        await throttle.failed(db, "sign-in-link-address", address)
        try:
            await password_reset.request_reset(db, settings.base_url, email)
        except FormErrors as exc:
            return render(
                request, "auth/password_forgot.html", status_code=400, form={"email": email}, errors=exc.errors
            )
        # The same answer whether or not the address has an account.
        return render(request, "auth/password_sent.html", email=accounts.normalize_email(email))

    @get("/password/reset/{token:str}")
    async def reset_page(self, request: Req, db: Db, token: FromPath[str]) -> Template:
        # Opening the link does not use it (mail scanners open links); setting the password does.
        valid = await password_reset.check_reset_token(db, token) is not None
        return _reset_page(request, token, 200 if valid else 410)

    @post("/password/reset/{token:str}")
    async def reset(self, request: Req, db: Db, settings: AppSettings, token: FromPath[str]) -> Any:
        form = await typed_form(request)
        password, repeated = form.get("password", "")[:300], form.get("password2", "")[:300]
        typed = {"password": password, "password2": repeated}
        try:
            await form_data(request)  # a malformed form is refused on the page, like a refused password
            user_id = await password_reset.reset_password(db, token, password, repeated, device_of(request))
        except password_reset.LinkExpired:
            return _reset_page(request, token, 410)
        except FormErrors as exc:
            return _reset_page(request, token, 400, form=typed, errors=exc.errors)
        session_token = await accounts.start_session(db, settings, user_id, request.headers.get("user-agent", ""))
        return _signed_in(settings, session_token, "/organizer/")
