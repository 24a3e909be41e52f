"""Password reset by e-mailed link: single-use, expiring, errors beside the fields with values kept,
signed in afterwards, every other session ended, and the page never tells whether an address exists."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import LoginToken, User, utcnow
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import login, mails, make_organizer, post

RESET_RE = re.compile(r"/password/reset/([A-Za-z0-9_\-]+)")
OLD = "correct horse battery"
NEW = "a brand new passphrase"


def _reset_link(db_url: str, to: str) -> str:
    for msg in mails(db_url, to):
        match = RESET_RE.search(msg.body_text)
        if match:
            return match.group(0)
    raise AssertionError(f"no reset link was e-mailed to {to}")


def _signed_in(client: TestClient[Any]) -> bool:
    return client.get("/organizer/", follow_redirects=False).status_code == 200


def test_the_sign_in_page_offers_it_and_the_answer_never_tells_who_has_an_account(
    client: TestClient[Any], db_url: str
) -> None:
    make_organizer(db_url)
    page = client.get("/login")
    assert 'href="/password/forgot"' in page.text and "Forgot your password?" in page.text
    assert client.get("/password/forgot").status_code == 200

    known = post(client, "/password/forgot", {"email": "Org@Example.com"})
    unknown = post(client, "/password/forgot", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("org@example.com", "X") == unknown.text.replace("nobody@example.com", "X")
    assert len(mails(db_url, "org@example.com")) == 1 and mails(db_url, "nobody@example.com") == []

    bad = post(client, "/password/forgot", {"email": "not an address"})
    assert bad.status_code == 400
    assert 'id="e-email"' in bad.text and 'value="not an address"' in bad.text


def test_the_link_sets_a_new_password_signs_in_and_ends_other_sessions(
    client: TestClient[Any], settings: Settings, db_url: str
) -> None:
    make_organizer(db_url)
    with new_client(settings) as laptop, new_client(settings) as phone:
        login(laptop)
        assert _signed_in(laptop)
        post(phone, "/password/forgot", {"email": "org@example.com"})
        link = _reset_link(db_url, "org@example.com")
        mail = mails(db_url, "org@example.com")[0]
        assert mail.body_text.count("http://testserver.local/password/reset/") == 1

        form = phone.get(link)
        assert form.status_code == 200 and 'name="password2"' in form.text
        # A sign-in link route never accepts a reset token.
        assert phone.get(link.replace("/password/reset/", "/auth/link/")).status_code == 410

        differ = post(phone, link, {"password": NEW, "password2": NEW + "!"})
        assert differ.status_code == 400
        assert 'id="e-password2"' in differ.text and "differ" in differ.text
        assert f'value="{NEW}"' in differ.text and f'value="{NEW}!"' in differ.text
        short = post(phone, link, {"password": "short", "password2": "short"})
        assert short.status_code == 400 and 'id="e-password"' in short.text and "at least 10" in short.text
        assert _signed_in(laptop)  # refused attempts change nothing

        done = post(phone, link, {"password": NEW, "password2": NEW})
        assert done.status_code == 303 and done.headers["location"] == "/organizer/"
        assert _signed_in(phone)
        assert not _signed_in(laptop)  # the other session was ended

        again = post(phone, link, {"password": "another one entirely", "password2": "another one entirely"})
        assert again.status_code == 410 and "expired" in again.text

    with new_client(settings) as fresh:
        assert post(fresh, "/login", {"email": "org@example.com", "password": OLD}).status_code == 400
        login(fresh, password=NEW)


def test_an_expired_link_is_refused(client: TestClient[Any], db_url: str) -> None:
    make_organizer(db_url)
    post(client, "/password/forgot", {"email": "org@example.com"})
    link = _reset_link(db_url, "org@example.com")

    async def expire(session: AsyncSession) -> None:
        await session.execute(update(LoginToken).values(expires_at=utcnow() - timedelta(seconds=1)))

    run_db(db_url, expire)
    assert client.get(link).status_code == 410
    r = post(client, link, {"password": NEW, "password2": NEW})
    assert r.status_code == 410 and 'href="/password/forgot"' in r.text
    assert post(client, "/login", {"email": "org@example.com", "password": NEW}).status_code == 400
    assert client.get("/password/reset/not-a-token").status_code == 410


def test_judges_without_a_password_get_no_reset_mail(client: TestClient[Any], db_url: str) -> None:
    async def judge(session: AsyncSession) -> None:
        session.add(User(email="judge@example.com", name="J"))

    run_db(db_url, judge)
    assert post(client, "/password/forgot", {"email": "judge@example.com"}).status_code == 200
    assert mails(db_url, "judge@example.com") == []


def test_reset_link_requests_are_throttled(client: TestClient[Any], db_url: str) -> None:
    make_organizer(db_url)
    answers = [post(client, "/password/forgot", {"email": "org@example.com"}).status_code for _ in range(7)]
    assert answers[:6] == [200] * 6 and answers[-1] == 429  # the sign-in-link policy: 5 free, then locked
    locked = post(client, "/password/forgot", {"email": "org@example.com"})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "Too many attempts" in locked.text
    assert len(mails(db_url, "org@example.com")) == 6
