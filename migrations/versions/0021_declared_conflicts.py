"""Conflicts the entrant declares on the application, and what the app needs to suggest more: the event's
roster may be shown to entrants; an entry keeps the owner's declarations; a judge lists the shops, restorers,
dealers or clubs they work with; judges and entrants may give a street address and postcode.

Revision ID: 0021_declared_conflicts
Revises: 0020_public_choices
Create Date: 2026-12-03 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_declared_conflicts"
down_revision: str | None = "0020_public_choices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roster_public", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declared_conflicts", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("judge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ties", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("address", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("postcode", sa.String(length=20), server_default="", nullable=False))
    with op.batch_alter_table("entrant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("postcode", sa.String(length=20), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("entrant", schema=None) as batch_op:
        batch_op.drop_column("postcode")
        batch_op.drop_column("address")
    with op.batch_alter_table("judge", schema=None) as batch_op:
        batch_op.drop_column("postcode")
        batch_op.drop_column("address")
        batch_op.drop_column("ties")
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_column("declared_conflicts")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("roster_public")
