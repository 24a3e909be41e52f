"""certified documents can be verified: a certification record per certification of a class (its content hash)

Revision ID: 0015_certificates
Revises: 0016_invitations
Create Date: 2026-12-03 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import concours.db.base

revision: str = "0015_certificates"
down_revision: str | None = "0016_invitations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certification",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("certified_at", concours.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("certified_by_id", sa.Integer(), nullable=True),
        sa.Column("certified_by_name", sa.String(length=200), nullable=False),
        sa.Column("withdrawn_at", concours.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certified_by_id"],
            ["user_account.id"],
            name=op.f("fk_certification_certified_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["event_class.id"], name=op.f("fk_certification_class_id_event_class"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_certification_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification")),
        sa.UniqueConstraint("code", name=op.f("uq_certification_code")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_certification_content_hash")),
    )
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certification_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certification_event_id"), ["event_id"], unique=False)

    with op.batch_alter_table("event_class", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event_class", schema=None) as batch_op:
        batch_op.drop_column("content_hash")

    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certification_event_id"))
        batch_op.drop_index(batch_op.f("ix_certification_class_id"))

    op.drop_table("certification")
