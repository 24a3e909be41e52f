"""A class's own judging system, and placings sheets (a judge's or a team's order of a class's cars)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from concours.db.base import Base, CreatedMixin, IdMixin, utcnow


class ClassSystem(IdMixin, Base):
    """A class judged by its own system instead of the event's (the event's stays the default).

    ``method``: ``points`` (a score sheet, the class's rubric), ``placings`` (judges order the cars),
    ``display`` (shown, not judged). Levels are kept as ``[{"name", "min_units", "min_permille",
    "band_units"}]``.
    """

    __tablename__ = "class_system"

    class_id: Mapped[int] = mapped_column(ForeignKey("event_class.id", ondelete="CASCADE"), unique=True)
    method: Mapped[str] = mapped_column(String(20), default="points")  # points|placings|display
    preset: Mapped[str | None] = mapped_column(String(50))
    sheet_mode: Mapped[str] = mapped_column(String(20), default="individual")  # individual|team|section
    combine: Mapped[str] = mapped_column(String(30), default="mean")
    award_rule: Mapped[str] = mapped_column(String(20), default="places")
    places: Mapped[int] = mapped_column(default=3)
    min_units_for_first: Mapped[int | None]
    cap_units: Mapped[int | None]
    show_percent: Mapped[bool] = mapped_column(Boolean, default=False)
    award_tracks: Mapped[bool] = mapped_column(Boolean, default=False)
    tie_break_keys: Mapped[list[Any]] = mapped_column(default=list)
    levels: Mapped[list[Any]] = mapped_column(default=list)


class PlacingSheet(IdMixin, CreatedMixin, Base):
    """One judge's (or, in team mode, the team's consensus) order of a class's cars: ``draft → submitted``."""

    __tablename__ = "placing_sheet"
    __table_args__ = (UniqueConstraint("class_id", "judge_id"), UniqueConstraint("class_id", "team_id"))

    class_id: Mapped[int] = mapped_column(ForeignKey("event_class.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int | None] = mapped_column(ForeignKey("judge.id", ondelete="SET NULL"), index=True)
    # Set only on a team's consensus order (judge_id is then NULL).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft|submitted
    version: Mapped[int] = mapped_column(default=0)
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[PlacingLine]] = relationship(lazy="raise", cascade="all, delete-orphan")


class PlacingLine(IdMixin, Base):
    """A car on a placings sheet: its place on the order (1 = best) and the judge's note for the owner."""

    __tablename__ = "placing_line"
    __table_args__ = (UniqueConstraint("sheet_id", "entry_id"),)

    sheet_id: Mapped[int] = mapped_column(ForeignKey("placing_sheet.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
