"""voting-code batches carry a random salt mixed into every code

Revision ID: 0008_voting_code_salt
Revises: 0007_special_awards
Create Date: 2026-12-02 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_voting_code_salt"
down_revision: str | None = "0007_special_awards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batches made before keep an empty salt, and so their printed codes.
    with op.batch_alter_table("voting_code_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("salt", sa.String(length=32), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("voting_code_batch", schema=None) as batch_op:
        batch_op.drop_column("salt")
