"""Password reset by e-mailed link: single-use, expiring; setting the password ends every other session."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import LoginToken, User, WebSession, utcnow
from concours.i18n import gettext, using_locale
from concours.services import audit, outbox
from concours.services.accounts import hash_password, normalize_email, peek_login_token, reader_locale, token_hash
from concours.services.admin import email_problem, password_problem
from concours.services.errors import FormErrors, ServiceError

RESET_PURPOSE = "password_reset"
RESET_LINK_MINUTES = 60


async def request_reset(session: AsyncSession, base_url: str, email: str) -> None:
    """E-mail a reset link if ``email`` is an active account with a password (organizers).

    The caller answers the same whatever happens here: whether an address has an account is never shown.
    Raises FormErrors only for text that is not an e-mail address at all."""
    email = normalize_email(email)
    if problem := email_problem(email):
        raise FormErrors({"email": problem})
    user = await session.scalar(select(User).where(User.email == email, User.is_active.is_(True)))
    if user is None or not (user.is_organizer or user.password_hash):
        return
    token = secrets.token_urlsafe(32)
    session.add(
        LoginToken(
            token_hash=token_hash(token),
            user_id=user.id,
            next_url="/organizer/",
            purpose=RESET_PURPOSE,
            expires_at=utcnow() + timedelta(minutes=RESET_LINK_MINUTES),
        )
    )
    with using_locale(reader_locale(user)):
        body = (
            gettext("Hello %(name)s,", name=user.name)
            + "\n\n"
            + gettext(
                "Someone (hopefully you) asked to set a new password for your Concours account. Choose a new "
                "password with this link (it works once and expires in %(minutes)s minutes):",
                minutes=RESET_LINK_MINUTES,
            )
            + f"\n\n{base_url}/password/reset/{token}\n\n"
            + gettext("If you did not ask for it, ignore this message: your password stays as it is.")
            + "\n"
        )
        subject = gettext("Set a new Concours password")
    outbox.queue(session, to=user.email, subject=subject, body=body)


async def check_reset_token(session: AsyncSession, raw_token: str) -> LoginToken | None:
    return await peek_login_token(session, raw_token, RESET_PURPOSE)


async def reset_password(session: AsyncSession, raw_token: str, password: str, repeated: str, device: str) -> int:
    """Set a new password with a reset link; returns the user's id (the caller signs them in).

    Steps: load the unused, unexpired token (else ServiceError 410); validate the two passwords
    (FormErrors, the token stays usable); mark the token and the user's other reset links used;
    hash and store the password; end every session of the account; audit."""
    tok = await check_reset_token(session, raw_token)
    if tok is None:
        raise LinkExpired(gettext("This link has expired or was already used. Ask for a new one."))
    errors: dict[str, str] = {}
    if problem := password_problem(password):
        errors["password"] = problem
    elif password != repeated:
        errors["password2"] = gettext("The two passwords differ.")
    if errors:
        raise FormErrors(errors)
    now = utcnow()
    await session.execute(
        update(LoginToken)
        .where(LoginToken.user_id == tok.user_id, LoginToken.purpose == RESET_PURPOSE, LoginToken.used_at.is_(None))
        .values(used_at=now)
    )
    new_hash = await hash_password(password)
    await session.execute(update(User).where(User.id == tok.user_id).values(password_hash=new_hash))
    ended = await session.execute(delete(WebSession).where(WebSession.user_id == tok.user_id))
    audit.record(
        session,
        entity_type="user",
        entity_id=tok.user_id,
        action="password_reset",
        user_id=tok.user_id,
        event_id=None,
        after={"sessions_ended": ended.rowcount or 0},  # type: ignore[attr-defined]
        device=device,
    )
    return tok.user_id


class LinkExpired(ServiceError):
    status_code = 410
