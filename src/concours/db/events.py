"""The event aggregate: event, classes, rubrics and categories, judging system and award levels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from concours.db.base import Base, CreatedMixin, IdMixin


class Event(IdMixin, CreatedMixin, Base):
    __tablename__ = "event"

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    description: Mapped[str] = mapped_column(Text, default="")
    # draft → registration_open → registration_closed → judging → results_certified → published → archived
    status: Mapped[str] = mapped_column(String(30), default="draft", index=True)
    registration_closes_at: Mapped[datetime | None]
    history_max_chars: Mapped[int] = mapped_column(default=2000)
    max_photos: Mapped[int] = mapped_column(default=6)
    terms_text: Mapped[str] = mapped_column(Text, default="")
    # The event's default rubric; a class may override it.
    rubric_id: Mapped[int | None] = mapped_column(
        ForeignKey("rubric.id", ondelete="SET NULL", use_alter=True), index=True
    )
    published_at: Mapped[datetime | None]
    # Special awards: a car receives at most one; publish places and awards without any scores.
    one_award_per_car: Mapped[bool] = mapped_column(Boolean, default=False)
    publish_scores: Mapped[bool] = mapped_column(Boolean, default=True)
    # What else the public documents show (entrants always get their own sheets with the comments): the class's
    # judging team on the public results, the public class results PDF and the results book; the judges' overall
    # comments on the public car pages.
    publish_judges: Mapped[bool] = mapped_column(Boolean, default=False)
    publish_comments: Mapped[bool] = mapped_column(Boolean, default=False)
    # Applications by invitation only: the public form admits only owners with an invitation link.
    invitation_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # The calibration car: before judging starts every judge of the event scores this accepted car on this rubric;
    # those sheets (``ScoreSheet.calibration``) never count in results.
    calibration_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("entry.id", ondelete="SET NULL", use_alter=True)
    )
    calibration_rubric_id: Mapped[int | None] = mapped_column(
        ForeignKey("rubric.id", ondelete="SET NULL", use_alter=True)
    )
    # Entrants may pick judges of the roster (accepted, or on a team) when they declare conflicts on the
    # application; otherwise they name people on the judging team in their own words.
    roster_public: Mapped[bool] = mapped_column(Boolean, default=False)


class Rubric(IdMixin, CreatedMixin, Base):
    """A score sheet template. Scores are integers in ``1/scale`` of a point (scale 10 = tenths).

    A rubric is versioned: once sheets exist against it, a change makes a new version
    (``replaces_id`` points back) and existing sheets keep theirs.
    """

    __tablename__ = "rubric"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    preset: Mapped[str | None] = mapped_column(String(50))
    scale: Mapped[int] = mapped_column(default=10)
    version: Mapped[int] = mapped_column(default=1)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("rubric.id", ondelete="SET NULL"))

    categories: Mapped[list[RubricCategory]] = relationship(
        lazy="raise", order_by="RubricCategory.position", cascade="all, delete-orphan"
    )


class RubricCategory(IdMixin, Base):
    """One line of the sheet. ``points``: award 0..max; ``deduction``: deduct from max in steps."""

    __tablename__ = "rubric_category"
    __table_args__ = (UniqueConstraint("rubric_id", "key"),)

    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(20), default="points")  # points | deduction
    max_units: Mapped[int]
    step_units: Mapped[int] = mapped_column(default=10)
    # Weight in percent (100 = counted once).
    weight_percent: Mapped[int] = mapped_column(default=100)
    # Section judging: the area this category belongs to (exterior, interior, chassis, engine ...).
    section: Mapped[str | None] = mapped_column(String(50))
    guidance: Mapped[str] = mapped_column(Text, default="")
    # Common deductions offered as quick chips: [{"label": "...", "units": 50}, ...]
    quick_deductions: Mapped[list[Any]] = mapped_column(default=list)


class JudgingSystem(IdMixin, Base):
    """How sheets become a result for one event (see ``concours.domain.tabulation``)."""

    __tablename__ = "judging_system"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    preset: Mapped[str | None] = mapped_column(String(50))
    # points: score sheets; placings: judges order the cars (French style, see concours.domain.placings).
    method: Mapped[str] = mapped_column(String(20), default="points", server_default="points")
    sheet_mode: Mapped[str] = mapped_column(String(20), default="individual")  # individual|team|section
    combine: Mapped[str] = mapped_column(String(30), default="mean")  # mean|mean_drop_high_low|sum|consensus
    award_rule: Mapped[str] = mapped_column(String(20), default="places")  # places|levels|bands
    places: Mapped[int] = mapped_column(default=3)
    min_units_for_first: Mapped[int | None]
    cap_units: Mapped[int | None]
    show_percent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The award levels form a track: a car competes for the level after the one it won before (AACA).
    award_tracks: Mapped[bool] = mapped_column(Boolean, default=False)
    # Ordered category keys compared to break a tie, before the chief judge decides.
    tie_break_keys: Mapped[list[Any]] = mapped_column(default=list)
    # Calibration: a car is flagged when its sheets differ by more than this share (per mille) of a line's
    # maximum (the total, a section's total, a category), or, judged by placings, by more than this many places.
    disagreement_permille: Mapped[int] = mapped_column(default=100, server_default="100")
    disagreement_places: Mapped[int] = mapped_column(default=2, server_default="2")

    levels: Mapped[list[AwardLevel]] = relationship(
        lazy="raise", order_by="AwardLevel.position", cascade="all, delete-orphan"
    )


class AwardLevel(IdMixin, Base):
    """A named award level: a minimum (in units, or in permille of the maximum) and an optional band."""

    __tablename__ = "award_level"

    judging_system_id: Mapped[int] = mapped_column(ForeignKey("judging_system.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    min_units: Mapped[int | None]
    min_permille: Mapped[int | None]
    # Must also be within this many units of the class's highest score (AACA-style band).
    band_units: Mapped[int | None]


class EventClass(IdMixin, Base):
    __tablename__ = "event_class"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    places_awarded: Mapped[int] = mapped_column(default=3)
    rubric_id: Mapped[int | None] = mapped_column(ForeignKey("rubric.id", ondelete="SET NULL"))
    team_min: Mapped[int] = mapped_column(default=2)
    team_max: Mapped[int] = mapped_column(default=4)
    certified_at: Mapped[datetime | None]
    certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The content hash of the current certification (``Certification``), None while not certified.
    content_hash: Mapped[str | None] = mapped_column(String(64))
