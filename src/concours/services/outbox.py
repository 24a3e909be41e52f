"""The e-mail outbox: messages are queued in the database with the change that causes them, and
delivered by a background worker to the configured SMTP server (or logged in development)."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

import anyio.to_thread
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from concours.db import OutboxMessage, utcnow
from concours.settings import Settings

log = logging.getLogger("concours.outbox")
MAX_BACKOFF_MINUTES = 60
CLAIM_MINUTES = 5


def queue(session: AsyncSession, *, to: str, subject: str, body: str, event_id: int | None = None) -> None:
    session.add(OutboxMessage(to_address=to, subject=subject, body_text=body, event_id=event_id))


def _send(settings: Settings, msg: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = msg.to_address
    email["Subject"] = msg.subject
    email.set_content(msg.body_text)
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(email)


async def deliver_pending(settings: Settings, write: async_sessionmaker[AsyncSession], limit: int = 50) -> int:
    """Deliver what is due; a failure is kept with its error and retried later with back-off."""
    if not settings.smtp_host:
        return await _print_pending(settings, write) if settings.environment == "development" else 0
    now = utcnow()
    async with write() as session:
        # Claim a batch with a lease, so several app workers never send the same message twice: on
        # PostgreSQL rows another worker holds are skipped; on SQLite the write lock serializes claims.
        pending = (
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None))
                .where(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
                .order_by(OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for msg in pending:
            msg.next_attempt_at = now + timedelta(minutes=CLAIM_MINUTES)
        await session.commit()
    sent = 0
    for msg in pending:
        try:
            await anyio.to_thread.run_sync(_send, settings, msg)
            error = None
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        async with write() as session:
            row = await session.get(OutboxMessage, msg.id)
            if row is None or row.sent_at is not None:
                continue
            row.attempts += 1
            if error is None:
                row.sent_at = utcnow()
                row.last_error = None
                row.next_attempt_at = None
                sent += 1
            else:
                row.last_error = error
                row.next_attempt_at = utcnow() + timedelta(minutes=min(2**row.attempts, MAX_BACKOFF_MINUTES))
                log.warning("delivery to %s failed: %s", row.to_address, error)
            await session.commit()
    return sent


async def _print_pending(settings: Settings, write: async_sessionmaker[AsyncSession]) -> int:
    """Development without an SMTP server: print each message to the console once, marked as such."""
    async with write() as session:
        pending = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).limit(50)
            )
        ).all()
        for msg in pending:
            print(f"\n--- e-mail to {msg.to_address}: {msg.subject}\n{msg.body_text}---", flush=True)
            msg.sent_at = utcnow()
            msg.attempts += 1
            msg.last_error = "no SMTP server configured: printed to the console"
        await session.commit()
    return len(pending)
