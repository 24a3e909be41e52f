"""throttle state: failed sign-in and voting-code attempts

Revision ID: 0005_throttle
Revises: 0004
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import concours.db.base

revision: str = "0005_throttle"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "throttle_state",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", concours.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", concours.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key_hash", name=op.f("pk_throttle_state")),
    )


def downgrade() -> None:
    op.drop_table("throttle_state")
