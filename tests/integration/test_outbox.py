"""E-mail is delivered from the outbox to a real SMTP server on loopback; a failure is kept and retried."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import OutboxMessage, utcnow
from concours.services import outbox
from concours.settings import Settings
from tests.conftest import run_db
from tests.helpers import Inbox, deliver, free_port


def _queue(db_url: str, to: str) -> None:
    async def go(session: AsyncSession) -> None:
        outbox.queue(session, to=to, subject="Your Concours sign-in link", body="Hello\nhttp://x/auth/link/abc\n")

    run_db(db_url, go)


def _rows(db_url: str) -> list[OutboxMessage]:
    async def go(session: AsyncSession) -> list[OutboxMessage]:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())

    return run_db(db_url, go)


def test_delivery_failure_is_kept_and_retried(settings: Settings) -> None:
    port = free_port()
    smtp_settings = replace(settings, smtp_host="127.0.0.1", smtp_port=port)
    _queue(settings.database_url, "judge@example.com")

    # No server listening: the message stays queued with the error, to be retried later.
    assert deliver(smtp_settings) == 0
    (row,) = _rows(settings.database_url)
    assert row.sent_at is None and row.attempts == 1 and "ConnectionRefused" in (row.last_error or "")
    assert row.next_attempt_at is not None and row.next_attempt_at > utcnow()
    assert deliver(smtp_settings) == 0  # not due yet: not attempted again
    assert _rows(settings.database_url)[0].attempts == 1

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:

        async def make_due(session: AsyncSession) -> None:
            await session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))

        run_db(settings.database_url, make_due)
        _queue(settings.database_url, "entrant@example.com")
        assert deliver(smtp_settings) == 2
        assert deliver(smtp_settings) == 0  # nothing is sent twice
    finally:
        controller.stop()
    assert sorted(m["To"] for m in inbox.messages) == ["entrant@example.com", "judge@example.com"]
    assert all("/auth/link/abc" in m.get_payload() for m in inbox.messages)
    rows = _rows(settings.database_url)
    assert all(r.sent_at is not None and r.last_error is None for r in rows)
