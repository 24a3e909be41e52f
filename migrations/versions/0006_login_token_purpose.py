"""login token purpose: sign-in links and password-reset links

Revision ID: 0006_login_token_purpose
Revises: 0005_throttle
Create Date: 2026-12-02 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_login_token_purpose"
down_revision: str | None = "0005_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=20), server_default="sign_in", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("login_token", schema=None) as batch_op:
        batch_op.drop_column("purpose")
