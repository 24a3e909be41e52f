"""Conflicts of interest get a type, a state (suggested, confirmed, dismissed with a reason) and who decided;
sources are renamed for who raised them (declared → judge). Existing conflicts stay confirmed: what binds today
keeps binding.

Revision ID: 0017_conflict_states
Revises: 0015_certificates
Create Date: 2026-12-03 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import concours.db.base

revision: str = "0017_conflict_states"
down_revision: str | None = "0015_certificates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), server_default="other", nullable=False))
        batch_op.add_column(sa.Column("state", sa.String(length=12), server_default="confirmed", nullable=False))
        batch_op.add_column(sa.Column("dismissed_reason", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decided_at", concours.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_conflict_state"), ["state"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_conflict_decided_by_id_user_account"),
            "user_account",
            ["decided_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute("UPDATE conflict SET source = 'judge' WHERE source = 'declared'")
    op.execute("UPDATE conflict SET source = 'app' WHERE source = 'automatic'")


def downgrade() -> None:
    op.execute("DELETE FROM conflict WHERE state <> 'confirmed'")
    op.execute("UPDATE conflict SET source = 'declared' WHERE source IN ('judge', 'entrant')")
    op.execute("UPDATE conflict SET source = 'automatic' WHERE source = 'app'")
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_conflict_decided_by_id_user_account"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_conflict_state"))
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("dismissed_reason")
        batch_op.drop_column("state")
        batch_op.drop_column("kind")
