"""The audit log: every change to judging data (and entrant data by staff) is recorded.

Two ways to write it: :func:`record` for an act that is a change by its nature (a creation, a submission, a
decision that moves a state), and :func:`record_change` for an edit, given snapshots (:func:`snapshot`) of the
thing before and after: it records only the fields that changed, and nothing at all when none did."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog


def record(
    session: AsyncSession,
    *,
    entity_type: str,
    entity_id: int,
    action: str,
    user_id: int | None,
    event_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    device: str = "",
) -> None:
    session.add(
        AuditLog(
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            user_id=user_id,
            event_id=event_id,
            before=before,
            after=after,
            device=device[:300],
        )
    )


def plain(value: Any) -> Any:
    """A value as the audit log's JSON holds it: dates as ISO text, tuples and sets as lists, keys as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    return value


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """These attributes of ``obj`` as plain data, to compare before and after an edit."""
    return {f: plain(getattr(obj, f)) for f in fields}


def changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any]] | None:
    """The fields that differ, as (before, after) holding only those keys; ``None`` when nothing differs.

    With no ``before`` (the thing is new) everything in ``after`` is a change. A key missing on one side
    counts as ``None`` there."""
    after_plain = plain(dict(after))
    if before is None:
        return None, after_plain
    before_plain = plain(dict(before))
    keys = [k for k in {**before_plain, **after_plain} if before_plain.get(k) != after_plain.get(k)]
    if not keys:
        return None
    return {k: before_plain.get(k) for k in keys}, {k: after_plain.get(k) for k in keys}


def record_change(
    session: AsyncSession,
    *,
    entity_type: str,
    entity_id: int,
    action: str,
    user_id: int | None,
    event_id: int | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    device: str = "",
) -> bool:
    """Record an edit: only the fields that changed between the snapshots ``before`` and ``after``, and no row
    at all when none did. True when a row was written."""
    diff = changes(before, after)
    if diff is None:
        return False
    record(
        session,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        user_id=user_id,
        event_id=event_id,
        before=diff[0],
        after=diff[1],
        device=device,
    )
    return True
