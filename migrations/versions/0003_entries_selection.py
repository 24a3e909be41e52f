"""Entrant applications, selection and check-in (issue #3): no schema change.

The columns this work needs (``entry.checked_in_at``, ``absent_reason``, ``field_position``, ``car_number``;
``event.registration_closes_at``, ``max_photos``, ``history_max_chars``, ``terms_text``; ``vehicle_photo``) were
already in 0001. This revision keeps the agreed numbering, so later revisions can follow "0003".

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
