"""Throttling of guessable secrets: passwords, sign-in-link requests, People's Choice voting codes.

Usage in a handler (``db`` is the request's session)::

    keys = [email, f"address:{client_address(request)}"]
    await throttle.check(db, "sign-in", keys)          # raises TooManyAttempts (429) while locked
    if not ok:
        await throttle.failed(db, "sign-in", keys)     # kept even though the error answer rolls back
        ...
    await throttle.succeeded(db, "sign-in", [email])   # forgets the account's failures

Each scope has a :class:`Policy` in :data:`POLICIES` (a new scope is one line there). After ``free``
failures within ``forget_after`` seconds, each further failure locks the key for ``first_lock`` seconds,
doubling up to ``longest_lock``. State lives in the database (table ``throttle_state``), so several
workers share it; keys are stored as SHA-256 hashes.

Failures survive the request's rollback: :func:`failed` writes in the request's session *and* asks
:meth:`concours.db.engine.Database` (through ``keep_despite_rollback``) to write them again in a short
transaction of their own if that session rolls back (as it does for every answer ≥ 400).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ThrottleState, utcnow
from concours.db.engine import keep_despite_rollback
from concours.i18n import ngettext
from concours.services.errors import ServiceError


@dataclass(frozen=True)
class Policy:
    free: int  # failures allowed before the first lock
    first_lock: int  # seconds locked after the first failure over ``free``; doubles with each further one
    longest_lock: int  # seconds, the cap on a lock
    forget_after: int  # seconds without a failure after which counting starts again


POLICIES: dict[str, Policy] = {
    # Password sign-in, keyed by the e-mail typed (whether or not an account has it).
    "sign-in": Policy(free=5, first_lock=60, longest_lock=15 * 60, forget_after=3600),
    # Password sign-in per client address: a club's Wi-Fi shares one address, so more room.
    "sign-in-address": Policy(free=20, first_lock=60, longest_lock=15 * 60, forget_after=3600),
    # Sign-in-link requests (each request counts: a link is mailed), per e-mail and per address.
    "sign-in-link": Policy(free=5, first_lock=5 * 60, longest_lock=60 * 60, forget_after=3600),
    "sign-in-link-address": Policy(free=30, first_lock=60, longest_lock=30 * 60, forget_after=3600),
    # People's Choice voting codes guessed wrong, per client address (spectators share the venue's Wi-Fi).
    "voting-code": Policy(free=10, first_lock=60, longest_lock=15 * 60, forget_after=3600),
}


class TooManyAttempts(ServiceError):
    """Locked for now; ``retry_after_seconds`` says for how long (sent as Retry-After)."""

    status_code = 429

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = max(1, int(retry_after_seconds))
        minutes = max(1, math.ceil(self.retry_after_seconds / 60))
        super().__init__(
            ngettext(
                "Too many attempts; try again in %(num)s minute.",
                "Too many attempts; try again in %(num)s minutes.",
                minutes,
            )
        )


def _policy(scope: str) -> Policy:
    try:
        return POLICIES[scope]
    except KeyError:
        raise KeyError(f"no throttle policy for scope {scope!r}: add one to throttle.POLICIES") from None


def _hashes(keys: Sequence[str]) -> list[str]:
    return sorted({hashlib.sha256(k.encode("utf-8", "surrogatepass")).hexdigest() for k in keys if k})


def lock_seconds(policy: Policy, failures: int) -> int:
    """How long the key is locked after its ``failures``-th failure (0: not locked)."""
    over = failures - policy.free
    if over <= 0:
        return 0
    return min(policy.longest_lock, policy.first_lock * (1 << min(over - 1, 20)))


async def check(db: AsyncSession, scope: str, keys: Sequence[str]) -> None:
    """Raise :class:`TooManyAttempts` if any of ``keys`` is locked in ``scope``."""
    _policy(scope)
    hashes = _hashes(keys)
    if not hashes:
        return
    now = utcnow()
    until = await db.scalar(
        select(ThrottleState.locked_until)
        .where(
            ThrottleState.scope == scope,
            ThrottleState.key_hash.in_(hashes),
            ThrottleState.locked_until > now,
        )
        .order_by(ThrottleState.locked_until.desc())
        .limit(1)
    )
    if until is not None:
        raise TooManyAttempts(math.ceil((until - now).total_seconds()))


async def _record(db: AsyncSession, scope: str, hashes: list[str], now: datetime) -> None:
    policy = _policy(scope)
    dialect = db.bind.dialect.name if db.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stale = now - timedelta(seconds=policy.forget_after)
    for key_hash in hashes:
        stmt = insert(ThrottleState).values(
            scope=scope, key_hash=key_hash, failures=1, last_failure_at=now, locked_until=None
        )
        upsert = stmt.on_conflict_do_update(
            index_elements=[ThrottleState.scope, ThrottleState.key_hash],
            set_={
                "failures": case((ThrottleState.last_failure_at < stale, 1), else_=ThrottleState.failures + 1),
                "last_failure_at": now,
            },
        ).returning(ThrottleState.failures)
        failures = (await db.execute(upsert)).scalar_one()
        seconds = lock_seconds(policy, failures)
        if seconds:
            await db.execute(
                update(ThrottleState)
                .where(ThrottleState.scope == scope, ThrottleState.key_hash == key_hash)
                .values(locked_until=now + timedelta(seconds=seconds))
            )


async def failed(db: AsyncSession, scope: str, keys: Sequence[str]) -> None:
    """Count a failed attempt for each key; kept even if the request's transaction rolls back."""
    hashes = _hashes(keys)
    if not hashes:
        return
    now = utcnow()
    await _record(db, scope, hashes, now)

    async def again(session: AsyncSession) -> None:
        await _record(session, scope, hashes, now)

    keep_despite_rollback(db, again)


async def succeeded(db: AsyncSession, scope: str, keys: Sequence[str]) -> None:
    """Forget the failures of ``keys`` (e.g. the account, after its right password)."""
    _policy(scope)
    hashes = _hashes(keys)
    if hashes:
        await db.execute(delete(ThrottleState).where(ThrottleState.scope == scope, ThrottleState.key_hash.in_(hashes)))
