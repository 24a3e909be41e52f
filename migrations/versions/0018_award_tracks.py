"""Award tracks: a judging system's (or a class's own system's) award levels can form a track (AACA: First, then
Senior), and the organizer's choice of a car's track, with the reason, overrides what its earlier awards say.

Revision ID: 0018_award_tracks
Revises: 0017_conflict_states
Create Date: 2026-12-03 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import concours.db.base

revision: str = "0018_award_tracks"
down_revision: str | None = "0017_conflict_states"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "award_track",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", concours.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entry.id"], name=op.f("fk_award_track_entry_id_entry"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["user_account.id"], name=op.f("fk_award_track_set_by_id_user_account"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_track")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_award_track_entry_id")),
    )
    # Not in batch mode (see 0016): ALTER TABLE ADD COLUMN keeps the rows that point at these tables.
    op.add_column("judging_system", sa.Column("award_tracks", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("class_system", sa.Column("award_tracks", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("class_system", schema=None) as batch_op:
        batch_op.drop_column("award_tracks")
    with op.batch_alter_table("judging_system", schema=None) as batch_op:
        batch_op.drop_column("award_tracks")
    op.drop_table("award_track")
