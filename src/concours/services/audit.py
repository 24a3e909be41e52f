"""The audit log: every change to judging data (and entrant data by staff) is recorded."""

from __future__ import annotations

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
