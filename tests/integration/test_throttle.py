"""Throttling: password guessing and sign-in-link requests are slowed, the state is shared by workers and
survives the rollback of the refused request, and a lock never tells whether an e-mail has an account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ThrottleState, utcnow
from concours.services import throttle
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import mails, make_organizer, post

PASSWORD = "correct horse battery"


def _sign_in(client: TestClient[Any], email: str, password: str) -> Any:
    return post(client, "/login", {"email": email, "password": password})


def test_lock_grows_and_is_capped() -> None:
    policy = throttle.Policy(free=3, first_lock=60, longest_lock=300, forget_after=3600)
    assert [throttle.lock_seconds(policy, n) for n in range(1, 9)] == [0, 0, 0, 60, 120, 240, 300, 300]


def test_wrong_passwords_lock_the_account_then_the_right_one_waits(client: TestClient[Any], db_url: str) -> None:
    make_organizer(db_url)
    free = throttle.POLICIES["sign-in"].free
    for _ in range(free + 1):
        r = _sign_in(client, "org@example.com", "wrong")
        assert r.status_code == 400
        assert "do not match" in r.text
    r = _sign_in(client, "org@example.com", PASSWORD)
    assert r.status_code == 429
    assert "Too many attempts; try again in 1 minute" in r.text
    assert 0 < int(r.headers["retry-after"]) <= 60
    # Another browser (another worker, same database) is locked out of that account too.
    with new_client(client.app.state.settings) as other:  # type: ignore[attr-defined]
        assert _sign_in(other, "org@example.com", PASSWORD).status_code == 429


def test_lock_expires_and_success_forgets_the_failures(
    client: TestClient[Any], db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_organizer(db_url)
    free = throttle.POLICIES["sign-in"].free
    for _ in range(free + 1):
        assert _sign_in(client, "ORG@example.com ", "wrong").status_code == 400
    assert _sign_in(client, "org@example.com", PASSWORD).status_code == 429
    later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(throttle, "utcnow", lambda: later)
    r = _sign_in(client, "org@example.com", PASSWORD)
    assert r.status_code == 303
    assert run_db(db_url, _account_rows) == 0


async def _account_rows(session: AsyncSession) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(ThrottleState).where(ThrottleState.scope == "sign-in"))
        or 0
    )


def test_unknown_email_is_locked_the_same_way(client: TestClient[Any], db_url: str) -> None:
    make_organizer(db_url)
    free = throttle.POLICIES["sign-in"].free
    answers = []
    for email in ("org@example.com", "nobody@example.com"):
        answers.append([_sign_in(client, email, "wrong").status_code for _ in range(free + 2)])
    assert answers[0] == answers[1] == [400] * (free + 1) + [429]


def test_many_accounts_from_one_address_lock_the_address(client: TestClient[Any], db_url: str) -> None:
    make_organizer(db_url)
    free = throttle.POLICIES["sign-in-address"].free
    for n in range(free + 1):
        assert _sign_in(client, f"guess{n}@example.com", "wrong").status_code == 400
    r = _sign_in(client, "org@example.com", PASSWORD)
    assert r.status_code == 429
    assert "retry-after" in r.headers


def test_sign_in_link_requests_are_limited_per_address_typed(client: TestClient[Any], db_url: str) -> None:
    make_organizer(db_url, email="judge@example.com")
    free = throttle.POLICIES["sign-in-link"].free
    for _ in range(free + 1):  # the request that reaches the limit is still served
        r = post(client, "/login/link", {"link_email": "judge@example.com"})
        assert r.status_code == 200
    r = post(client, "/login/link", {"link_email": "judge@example.com"})
    assert r.status_code == 429
    assert "Too many attempts; try again in" in r.text
    assert len(mails(db_url, "judge@example.com")) == free + 1
    # The same for an address without an account: nothing tells them apart.
    for _ in range(free + 1):
        assert post(client, "/login/link", {"link_email": "stranger@example.com"}).status_code == 200
    assert post(client, "/login/link", {"link_email": "stranger@example.com"}).status_code == 429


def test_voting_code_scope_is_available(settings: Settings, db_url: str) -> None:
    keys = ["address:203.0.113.9"]

    async def go(session: AsyncSession) -> None:
        for _ in range(throttle.POLICIES["voting-code"].free):
            await throttle.check(session, "voting-code", keys)
            await throttle.failed(session, "voting-code", keys)
        await throttle.failed(session, "voting-code", keys)
        with pytest.raises(throttle.TooManyAttempts) as info:
            await throttle.check(session, "voting-code", keys)
        assert info.value.status_code == 429 and info.value.retry_after_seconds == 60
        await throttle.succeeded(session, "voting-code", keys)
        await throttle.check(session, "voting-code", keys)

    run_db(db_url, go)


def test_unknown_scope_is_a_programming_error(db_url: str) -> None:
    async def go(session: AsyncSession) -> None:
        with pytest.raises(KeyError):
            await throttle.check(session, "no-such-scope", ["x"])

    run_db(db_url, go)
