"""The calibration car: an event names one accepted car and the rubric its judges score it on before judging starts;
their sheets are marked ``calibration`` and never count (a judge may hold both a calibration sheet and a regular
sheet on that car, so the sheet's unique keys include the mark).

Revision ID: 0019_calibration_car
Revises: 0018_award_tracks
Create Date: 2026-12-03 06:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_calibration_car"
down_revision: str | None = "0018_award_tracks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calibration_entry_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("calibration_rubric_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_event_calibration_entry_id_entry"),
            "entry",
            ["calibration_entry_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_event_calibration_rubric_id_rubric"),
            "rubric",
            ["calibration_rubric_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("score_sheet", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calibration", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint(batch_op.f("uq_score_sheet_entry_id_judge_id_section"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_score_sheet_entry_id_team_id_section"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_score_sheet_entry_id_judge_id_section_calibration"),
            ["entry_id", "judge_id", "section", "calibration"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_score_sheet_entry_id_team_id_section_calibration"),
            ["entry_id", "team_id", "section", "calibration"],
        )


def downgrade() -> None:
    op.execute("DELETE FROM score_sheet WHERE calibration")
    with op.batch_alter_table("score_sheet", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_score_sheet_entry_id_team_id_section_calibration"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_score_sheet_entry_id_judge_id_section_calibration"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_score_sheet_entry_id_team_id_section"), ["entry_id", "team_id", "section"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_score_sheet_entry_id_judge_id_section"), ["entry_id", "judge_id", "section"]
        )
        batch_op.drop_column("calibration")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_event_calibration_rubric_id_rubric"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_event_calibration_entry_id_entry"), type_="foreignkey")
        batch_op.drop_column("calibration_rubric_id")
        batch_op.drop_column("calibration_entry_id")
