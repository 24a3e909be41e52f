"""Invitation-only events: the event's setting and the owners' application invitations (a keyed hash of each
link's token, never the token).

Revision ID: 0016_invitations
Revises: 0013_forms
Create Date: 2026-12-03 03:17:07.211746
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import concours.db.base

revision: str = "0016_invitations"
down_revision: str | None = "0013_forms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "application_invitation",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", concours.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_at", concours.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", concours.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entry.id"], name=op.f("fk_application_invitation_entry_id_entry"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_application_invitation_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["user_account.id"],
            name=op.f("fk_application_invitation_invited_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_application_invitation_token_hash")),
    )
    with op.batch_alter_table("application_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_invitation_event_id"), ["event_id"], unique=False)

    # Not in batch mode: on SQLite a batch with an expression default recreates the table, and dropping the old
    # ``event`` table (foreign keys on) cascades to every class, entry, sheet and conflict of every event.
    # ALTER TABLE ADD COLUMN keeps them.
    op.add_column("event", sa.Column("invitation_only", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("invitation_only")

    with op.batch_alter_table("application_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_invitation_event_id"))

    op.drop_table("application_invitation")
