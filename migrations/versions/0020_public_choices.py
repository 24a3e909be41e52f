"""What public documents show: besides the scores (``publish_scores``), the judges' names and the judges' comments
on the public car pages; neither is shown until the organizer chooses it.

Revision ID: 0020_public_choices
Revises: 0019_calibration_car
Create Date: 2026-12-03 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_public_choices"
down_revision: str | None = "0019_calibration_car"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publish_judges", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("publish_comments", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("publish_comments")
        batch_op.drop_column("publish_judges")
