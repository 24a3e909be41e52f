"""Helpers tests share: CSRF-carrying posts, accounts, sign-in, outbox reading."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import OutboxMessage, User
from concours.services.accounts import hash_password
from tests.conftest import LINK_RE, run_db

CSRF_COOKIE = "concours_csrf"


def csrf(client: TestClient[Any]) -> str:
    token = client.cookies.get(CSRF_COOKIE)
    if token is None:
        client.get("/login")
        token = client.cookies.get(CSRF_COOKIE)
    assert token, "the app did not set a CSRF cookie"
    return token


def post(client: TestClient[Any], url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A form post as a browser sends it: with the CSRF token in the form."""
    payload = dict(data or {})
    payload["_csrf_token"] = csrf(client)
    return client.post(url, data=payload, follow_redirects=False, **kwargs)


def htmx_post(client: TestClient[Any], url: str, data: dict[str, Any] | None = None) -> Any:
    """A post as htmx sends it: CSRF token in the header."""
    return client.post(
        url, data=data or {}, headers={"x-csrftoken": csrf(client), "hx-request": "true"}, follow_redirects=False
    )


def make_organizer(db_url: str, email: str = "org@example.com", password: str = "correct horse battery") -> int:
    async def go(session: AsyncSession) -> int:
        user = User(
            email=email, name="Olivia Organizer", password_hash=await hash_password(password), is_organizer=True
        )
        session.add(user)
        await session.flush()
        return user.id

    return run_db(db_url, go)


def login(client: TestClient[Any], email: str = "org@example.com", password: str = "correct horse battery") -> None:
    r = post(client, "/login", {"email": email, "password": password})
    assert r.status_code == 303, r.text


def mails(db_url: str, to: str) -> list[OutboxMessage]:
    """Every e-mail queued for ``to``, newest first."""

    async def go(session: AsyncSession) -> list[OutboxMessage]:
        return list(
            (
                await session.scalars(
                    select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id.desc())
                )
            ).all()
        )

    return run_db(db_url, go)


def login_link(db_url: str, to: str) -> str:
    """The newest sign-in link e-mailed to ``to``."""
    for msg in mails(db_url, to):
        match = LINK_RE.search(msg.body_text)
        if match:
            return f"/auth/link/{match.group(1)}"
    raise AssertionError(f"no sign-in link was e-mailed to {to}")


def login_by_link(client: TestClient[Any], db_url: str, email: str) -> None:
    link = login_link(db_url, email)
    assert client.get(link).status_code == 200
    r = post(client, link)
    assert r.status_code == 303, r.text


def find_id(html: str, pattern: str) -> int:
    m = re.search(pattern, html)
    assert m, f"{pattern!r} not found in page"
    return int(m.group(1))
