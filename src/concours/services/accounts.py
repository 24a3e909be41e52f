"""Accounts: passwords (argon2, hashed off the event loop), sign-in links and server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Collection
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventStaff, Judge, LoginToken, User, WebSession, utcnow
from concours.db.entries import Entrant
from concours.i18n import DEFAULT_LOCALE, LANGUAGES, current_locale, format_date, gettext, ngettext, using_locale
from concours.services import outbox
from concours.services.errors import ServiceError
from concours.services.permissions import Viewer
from concours.settings import Settings

_hasher = PasswordHasher()
# A hash verified when the e-mail is unknown, so timing does not tell which addresses exist.
MAX_LINK_MINUTES = 400 * 24 * 60  # a link never lasts more than 400 days, however far off the event
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def _verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(_verify)


async def load_viewer(session: AsyncSession, raw_token: str | None) -> Viewer | None:
    """The signed-in user of a session token, with their judge and entrant ids and the events they run: one
    statement (a row per event role; every page load and the autosave's session lookup make it)."""
    if not raw_token:
        return None
    return (await load_viewers(session, [raw_token])).get(raw_token)


async def load_viewers(session: AsyncSession, raw_tokens: Collection[str]) -> dict[str, Viewer]:
    """The signed-in users of several session tokens at once (see :func:`load_viewer`), by token: a token whose
    session ended, expired or whose account is disabled is left out."""
    by_hash = {token_hash(token): token for token in raw_tokens}
    rows = (
        await session.execute(
            select(
                WebSession.token_hash,
                User.id,
                User.name,
                User.email,
                User.is_organizer,
                User.is_active,
                Judge.id,
                Entrant.id,
                EventStaff.event_id,
                EventStaff.role,
            )
            .join(WebSession, WebSession.user_id == User.id)
            .outerjoin(Judge, Judge.user_id == User.id)
            .outerjoin(Entrant, Entrant.user_id == User.id)
            .outerjoin(EventStaff, EventStaff.user_id == User.id)
            .where(WebSession.token_hash.in_(by_hash), WebSession.expires_at > utcnow())
        )
    ).all()
    rows_of: dict[str, list[Any]] = {}
    for row in rows:
        rows_of.setdefault(row[0], []).append(row)
    viewers = {}
    for hashed, mine in rows_of.items():
        _, user_id, name, email, is_organizer, is_active, judge_id, entrant_id = mine[0][:8]
        if not is_active:
            continue
        viewers[by_hash[hashed]] = Viewer(
            user_id,
            name,
            email,
            is_organizer,
            judge_id,
            entrant_id,
            organizer_event_ids=frozenset(row[8] for row in mine if row[9] == "organizer"),
            chief_judge_event_ids=frozenset(row[8] for row in mine if row[9] == "chief_judge"),
        )
    return viewers


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    user = await session.scalar(select(User).where(User.email == normalize_email(email)))
    ok = await verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None and user.is_active else None


async def start_session(session: AsyncSession, settings: Settings, user_id: int, user_agent: str) -> str:
    """Create a server-side session; returns the raw token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user_id,
            expires_at=utcnow() + timedelta(days=settings.session_days),
            user_agent=user_agent[:300],
        )
    )
    return token


async def end_session(session: AsyncSession, raw_token: str | None) -> None:
    if raw_token:
        await session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(raw_token)))


async def issue_login_link(
    session: AsyncSession, settings: Settings, user: User, next_url: str = "/", *, minutes: int | None = None
) -> str:
    """A single-use sign-in link (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        LoginToken(
            token_hash=token_hash(token),
            user_id=user.id,
            next_url=next_url,
            expires_at=utcnow() + timedelta(minutes=minutes or settings.login_link_minutes),
        )
    )
    return f"{settings.base_url}/auth/link/{token}"


def link_minutes_for_event(settings: Settings, event: Event) -> int:
    """How long a sign-in link sent to a judge for an event lasts: through the end of the event's last day in
    its timezone, plus a day (a judge invited weeks ahead signs in on the lawn); never less than the default."""
    try:
        zone = ZoneInfo(event.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    end = datetime.combine(event.ends_on + timedelta(days=2), time.min, tzinfo=zone)
    minutes = int((end - utcnow()).total_seconds() // 60)
    return max(settings.login_link_minutes, min(minutes, MAX_LINK_MINUTES))


def _expiry_words(minutes: int) -> str:
    if minutes < 48 * 60:
        hours = max(1, minutes // 60)
        return ngettext("expires in %(num)s hour", "expires in %(num)s hours", hours)
    return gettext("lasts until %(date)s", date=format_date(utcnow() + timedelta(minutes=minutes)))


def reader_locale(user: User | None) -> str:
    """The language to write to ``user`` in: the one they chose (or their account was created in), else English."""
    return user.locale if user is not None and user.locale in LANGUAGES else DEFAULT_LOCALE


def remember_locale(user: User) -> None:
    """A person acting for themselves (applying, say) in a language: it becomes theirs, unless they chose one."""
    if user.locale is None:
        user.locale = current_locale()


async def set_user_locale(session: AsyncSession, user_id: int, code: str) -> None:
    """The language menu, used while signed in: the person's e-mails are written in ``code`` from now on."""
    user = await session.get(User, user_id)
    if user is not None and code in LANGUAGES:
        user.locale = code


# The opening of a sign-in e-mail, written when the e-mail is (in its reader's language): a function, so the
# caller's text is translated in the reader's language, not the language of the request that sends it.
Intro = Callable[[], str]


async def send_login_link(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    next_url: str = "/",
    event_id: int | None = None,
    intro: Intro | None = None,
    minutes: int | None = None,
) -> None:
    """E-mail a single-use sign-in link, in the reader's language (see :func:`reader_locale`); ``minutes`` for a
    longer life than the default (see :func:`link_minutes_for_event` for a judge's link)."""
    minutes = minutes or settings.login_link_minutes
    link = await issue_login_link(session, settings, user, next_url, minutes=minutes)
    with using_locale(reader_locale(user)):
        opening = intro() if intro is not None else ""
        body = (
            gettext("Hello %(name)s,", name=user.name)
            + "\n\n"
            + (opening + "\n\n" if opening else "")
            + gettext(
                "Sign in to Concours with this link (it works once and %(expiry)s):", expiry=_expiry_words(minutes)
            )
            + f"\n\n{link}\n\n"
            + gettext("If you did not ask for it, ignore this message.")
            + "\n"
        )
        subject = gettext("Your Concours sign-in link")
    outbox.queue(session, to=user.email, subject=subject, body=body, event_id=event_id)


async def peek_login_token(session: AsyncSession, raw_token: str, purpose: str = "sign_in") -> LoginToken | None:
    tok = await session.scalar(
        select(LoginToken).where(LoginToken.token_hash == token_hash(raw_token), LoginToken.purpose == purpose)
    )
    if tok is None or tok.used_at is not None or tok.expires_at <= utcnow():
        return None
    return tok


async def consume_login_token(session: AsyncSession, raw_token: str) -> LoginToken:
    tok = await peek_login_token(session, raw_token)
    if tok is None:
        raise ServiceError(gettext("This sign-in link has expired or was already used. Ask for a new one below."))
    tok.used_at = utcnow()
    return tok


async def get_or_create_user(session: AsyncSession, email: str, name: str) -> User:
    email = normalize_email(email)
    user = await session.scalar(select(User).where(User.email == email))
    if user is None:
        # Created on someone's behalf (an organizer inviting a judge) or by the person (applying): the language
        # of the request that creates it is the best guess until they choose one from the menu.
        user = User(email=email, name=name.strip() or email, locale=current_locale())
        session.add(user)
        await session.flush()
    return user
