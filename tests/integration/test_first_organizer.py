"""`concours admin create-organizer` gives a fresh database its first way in: a one-time sign-in link,
or a password typed twice (hidden)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.cli import main
from concours.db import AuditLog, User
from concours.settings import Settings
from tests.conftest import LINK_RE, new_client, run_db
from tests.helpers import login, post

BASE = "http://testserver.local"


def _env(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("CONCOURS_DATABASE_URL", url)
    monkeypatch.setenv("CONCOURS_BASE_URL", BASE)
    monkeypatch.delenv("CONCOURS_ENV", raising=False)
    monkeypatch.delenv("CONCOURS_SECRET_KEY", raising=False)


def _users(url: str) -> list[tuple[str, str, bool, bool]]:
    async def go(session: AsyncSession) -> list[tuple[str, str, bool, bool]]:
        rows = await session.execute(select(User.email, User.name, User.is_organizer, User.password_hash.is_not(None)))
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]

    return run_db(url, go)


def test_the_printed_link_signs_the_first_organizer_in(
    db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _users(db_url) == []  # freshly migrated and empty: no way in yet
    _env(monkeypatch, db_url)
    assert main(["admin", "create-organizer", "Ann.Boss@Example.org", "--name", "Ann Boss"]) == 0
    out = capsys.readouterr().out
    match = LINK_RE.search(out)
    assert match and f"{BASE}/auth/link/" in out
    assert _users(db_url) == [("ann.boss@example.org", "Ann Boss", True, False)]

    with new_client(settings) as browser:
        assert browser.get("/organizer/", follow_redirects=False).status_code == 303  # not signed in yet
        r = post(browser, f"/auth/link/{match.group(1)}")
        assert r.status_code == 303 and r.headers["location"] == "/organizer/"
        page = browser.get("/organizer/")
        assert page.status_code == 200 and "Ann Boss" in page.text
        # The link works once.
        with new_client(settings) as other:
            assert post(other, f"/auth/link/{match.group(1)}").status_code == 410

    async def audited(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).where(AuditLog.action == "organizer_created")) or 0)

    assert run_db(db_url, audited) == 1


def test_an_existing_account_is_made_an_organizer_and_bad_addresses_are_refused(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(monkeypatch, db_url)
    assert main(["admin", "create-organizer", "not-an-address"]) == 1
    assert "email" in capsys.readouterr().err and _users(db_url) == []

    async def judge(session: AsyncSession) -> None:
        session.add(User(email="jo@example.org", name="Jo Judge"))

    run_db(db_url, judge)
    assert main(["admin", "create-organizer", "jo@example.org"]) == 0
    assert "updated organizer jo@example.org" in capsys.readouterr().out
    assert _users(db_url) == [("jo@example.org", "Jo Judge", True, False)]


def _cli(args: list[str], env: dict[str, str], stdin: str) -> subprocess.CompletedProcess[str]:
    # A new session has no controlling terminal, so getpass reads the typed lines from stdin.
    return subprocess.run(
        [sys.executable, "-m", "concours.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )


def test_password_prompt_on_a_database_that_was_never_migrated(tmp_path: Path, settings: Settings) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'brand-new.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCOURS_")}
    env.update(CONCOURS_DATABASE_URL=url, CONCOURS_BASE_URL=BASE)
    different = _cli(
        ["admin", "create-organizer", "boss@example.org", "--password"], env, "first-password\nother-one!!\n"
    )
    assert different.returncode == 1 and "differ" in different.stderr
    assert "first-password" not in different.stdout + different.stderr  # never echoed
    short = _cli(["admin", "create-organizer", "boss@example.org", "--password"], env, "short\nshort\n")
    assert short.returncode == 1 and "at least 10" in short.stderr
    ok = _cli(
        ["admin", "create-organizer", "boss@example.org", "--password"], env, "a long password\na long password\n"
    )
    assert ok.returncode == 0, ok.stderr
    assert "/auth/link/" not in ok.stdout and f"{BASE}/login" in ok.stdout
    assert _users(url) == [("boss@example.org", "boss", True, True)]
    fresh = Settings(**{**settings.__dict__, "database_url": url})
    with new_client(fresh) as browser:
        login(browser, "boss@example.org", "a long password")
        assert browser.get("/organizer/").status_code == 200


def test_the_admin_command_lists_itself(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ("admin", "backup", "restore"):
        assert command in out
    assert main(["admin"]) == 0
    assert "create-organizer" in capsys.readouterr().out
