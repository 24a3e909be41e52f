"""The backup folder an organizer names on the backups page (one row for the installation).

Revision ID: 0013_forms
Revises: 0012_calib
Create Date: 2026-12-02 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import concours.db.base

revision: str = "0013_forms"
down_revision: str | None = "0012_calib"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "backup_setting",
        sa.Column("folder", sa.String(length=1000), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("keep", sa.Integer(), nullable=True),
        sa.Column("updated_at", concours.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("last_auto_at", concours.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_auto_ok", sa.Boolean(), nullable=True),
        sa.Column("last_auto_message", sa.String(length=1000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_backup_setting_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backup_setting")),
    )


def downgrade() -> None:
    op.drop_table("backup_setting")
