"""Accounts, roles, sessions, sign-in links and the e-mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from concours.db.base import Base, CreatedMixin, IdMixin


class User(IdMixin, CreatedMixin, Base):
    """A person who can sign in. Organizers have a password; judges and entrants sign in by link."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # May create events (the organizer role outside any one event).
    is_organizer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The language the person reads (a code of ``concours.i18n.LANGUAGES``): their e-mails are written in it.
    # Set from the language menu while signed in, or from the request that created the account; None: English.
    locale: Mapped[str | None] = mapped_column(String(10), default=None)


class EventStaff(IdMixin, Base):
    """A user's role on one event: ``organizer`` or ``chief_judge``."""

    __tablename__ = "event_staff"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "role"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    # The organizers' private notes on a judge of this event (kept per event: other events never see them).
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")

    user: Mapped[User] = relationship(lazy="raise")


class WebSession(CreatedMixin, Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime]
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class LoginToken(IdMixin, CreatedMixin, Base):
    """A single-use, expiring link (stored hashed): ``sign_in``, or ``password_reset`` (sets a new password)."""

    __tablename__ = "login_token"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    next_url: Mapped[str] = mapped_column(String(300), default="/")
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    purpose: Mapped[str] = mapped_column(String(20), default="sign_in", server_default="sign_in")


class OutboxMessage(IdMixin, CreatedMixin, Base):
    """An e-mail waiting to be delivered (or delivered). Nothing is sent inside a request."""

    __tablename__ = "outbox_message"

    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
