"""Failed attempts per (scope, key): the state behind sign-in and voting-code throttling.

Kept in the database, not in process memory, so every worker sees the same counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from concours.db.base import Base


class ThrottleState(Base):
    """Recent failures for one key (an account's e-mail, a client address, ...) in one scope.

    The key is stored as its SHA-256, so e-mail addresses and client addresses are not kept in clear."""

    __tablename__ = "throttle_state"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
