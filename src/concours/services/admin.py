"""Administration from the command line: the first organizer of a fresh installation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import User
from concours.i18n import gettext
from concours.services import audit
from concours.services.accounts import hash_password, issue_login_link, normalize_email
from concours.services.errors import FormErrors
from concours.settings import Settings

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


@dataclass(frozen=True)
class NewOrganizer:
    user_id: int
    email: str
    created: bool  # False: an existing account was made an organizer
    link: str | None  # the one-time sign-in link, when no password was given


def password_problem(password: str, repeated: str | None = None) -> str | None:
    """Why a new password is refused, or None (shared by the command and the reset form)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return gettext("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return gettext("Use at most %(n)s characters.", n=MAX_PASSWORD_LENGTH)
    if repeated is not None and password != repeated:
        return gettext("The two passwords differ.")
    return None


def email_problem(email: str) -> str | None:
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        return gettext("Enter an e-mail address such as name@example.org.")
    return None


async def create_organizer(
    session: AsyncSession, settings: Settings, email: str, *, name: str = "", password: str | None = None
) -> NewOrganizer:
    """Create an organizer account (or make an existing account an organizer).

    Steps: validate, create or load the user, set the organizer flag (and the password if given),
    audit, and issue a single-use sign-in link when no password was given."""
    email = normalize_email(email)
    errors: dict[str, str] = {}
    if problem := email_problem(email):
        errors["email"] = problem
    if password is not None and (problem := password_problem(password)):
        errors["password"] = problem
    if len(name) > 200:
        errors["name"] = "Use at most 200 characters."
    if errors:
        raise FormErrors(errors)
    user = await session.scalar(select(User).where(User.email == email))
    created = user is None
    if user is None:
        user = User(email=email, name=name.strip() or email.split("@")[0], is_organizer=True, is_active=True)
        session.add(user)
    else:
        user.is_organizer = True
        user.is_active = True
        if name.strip():
            user.name = name.strip()
    if password is not None:
        user.password_hash = await hash_password(password)
    await session.flush()
    audit.record(
        session,
        entity_type="user",
        entity_id=user.id,
        action="organizer_created" if created else "organizer_granted",
        user_id=None,
        event_id=None,
        after={"email": email, "password_set": password is not None},
        device="concours admin create-organizer",
    )
    link = None if password is not None else await issue_login_link(session, settings, user, "/organizer/")
    return NewOrganizer(user.id, email, created, link)
