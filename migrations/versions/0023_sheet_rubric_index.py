"""An index on ``score_sheet.rubric_id``: every autosave asks whether any sheet uses the rubric (a rubric in use
never changes); without the index that question read every score sheet of the database, on every save.

Revision ID: 0023_sheet_rubric_index
Revises: 0022_user_locale
Create Date: 2026-12-03 12:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023_sheet_rubric_index"
down_revision: str | None = "0022_user_locale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_score_sheet_rubric_id", "score_sheet", ["rubric_id"])


def downgrade() -> None:
    op.drop_index("ix_score_sheet_rubric_id", table_name="score_sheet")
