"""Judges, teams, conflicts, assignments, score sheets, results and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from concours.db.accounts import User
from concours.db.base import Base, CreatedMixin, IdMixin, utcnow


class Judge(IdMixin, CreatedMixin, Base):
    """A person who judges, with specialties and experience; signs in by link through ``user``."""

    __tablename__ = "judge"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    rank: Mapped[str] = mapped_column(String(20), default="judge")  # apprentice|judge|senior|master
    honorary: Mapped[bool] = mapped_column(Boolean, default=False)
    specialties: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Shops, restorers, dealers or clubs the judge works for or with, one per line (the judge's own list).
    ties: Mapped[str] = mapped_column(Text, default="")
    # Optional, used only to suggest conflicts of interest (the same address as an owner's).
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")

    user: Mapped[User] = relationship(lazy="raise")


class Team(IdMixin, Base):
    """The judges of one class at one event."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("class_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("event_class.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), default="")

    members: Mapped[list[TeamMember]] = relationship(lazy="raise", cascade="all, delete-orphan")


class TeamMember(IdMixin, Base):
    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "judge_id"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    is_captain: Mapped[bool] = mapped_column(Boolean, default=False)
    # Section judging: the sections (category ``section`` values) this judge owns.
    sections: Mapped[list[Any]] = mapped_column(default=list)


class Conflict(IdMixin, CreatedMixin, Base):
    """A judge must never score a car this names: an entry, every entry of an entrant, or a class."""

    __tablename__ = "conflict"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    entrant_id: Mapped[int | None] = mapped_column(ForeignKey("entrant.id", ondelete="CASCADE"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("event_class.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(300))
    # Who raised it: judge (declared by the judge) | entrant (on the application) | organizer | app (suggested).
    source: Mapped[str] = mapped_column(String(20), default="judge")
    # own_car | family | restorer | dealer | prior_owner | employer | judged_before | other
    kind: Mapped[str] = mapped_column(String(20), default="other", server_default="other")
    # suggested | confirmed | dismissed: only a confirmed conflict binds.
    state: Mapped[str] = mapped_column(String(12), default="confirmed", server_default="confirmed", index=True)
    dismissed_reason: Mapped[str] = mapped_column(String(300), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class Assignment(IdMixin, CreatedMixin, Base):
    """A judge on one entry (optionally on some sections of its sheet)."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    sections: Mapped[list[Any]] = mapped_column(default=list)


class ScoreSheet(IdMixin, CreatedMixin, Base):
    """One judge's (or one team's) scores for one entry: ``draft → submitted``."""

    __tablename__ = "score_sheet"
    __table_args__ = (
        UniqueConstraint("entry_id", "judge_id", "section", "calibration"),
        # A team's consensus sheet (judge_id NULL): one per car and team.
        UniqueConstraint("entry_id", "team_id", "section", "calibration"),
        Index("ix_score_sheet_entry_status", "entry_id", "status"),
    )

    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    judge_id: Mapped[int | None] = mapped_column(ForeignKey("judge.id", ondelete="SET NULL"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    section: Mapped[str] = mapped_column(String(50), default="")  # "" = the whole sheet
    # Indexed: the autosave asks whether any sheet uses a rubric (it then never changes) on every save.
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft|submitted
    version: Mapped[int] = mapped_column(default=0)
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A sheet on the event's calibration car (``Event.calibration_entry_id``), scored before judging starts to
    # brief the judges: it never counts in results, awards, certification or the calibration figures.
    calibration: Mapped[bool] = mapped_column(Boolean, default=False)

    lines: Mapped[list[ScoreLine]] = relationship(lazy="raise", cascade="all, delete-orphan")


class ScoreLine(IdMixin, Base):
    """The points awarded in one category, in the rubric's units (deductions are ``max - value``)."""

    __tablename__ = "score_line"
    __table_args__ = (UniqueConstraint("sheet_id", "category_id"),)

    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("rubric_category.id", ondelete="CASCADE"))
    value_units: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")


class SheetChange(Base):
    """A change sent by a tablet, by the id the tablet made: applied once however often it arrives."""

    __tablename__ = "sheet_change"

    change_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"), index=True)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    sheet_version: Mapped[int]


class ClassResult(IdMixin, Base):
    """A frozen line of a class's results, written when the class is certified."""

    __tablename__ = "class_result"
    __table_args__ = (UniqueConstraint("class_id", "entry_id"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("event_class.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    rank: Mapped[int | None]
    score_units: Mapped[int | None]
    award: Mapped[str] = mapped_column(String(100), default="")
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Certification(IdMixin, Base):
    """One certification of a class, kept after the class is reopened: the content hash over what was certified
    (the rules, the submitted sheets, the frozen result; ``services/certificates.py``) whose first characters,
    the ``code``, every certified document prints with a QR code to the public verification page. A reopen
    marks it ``withdrawn_at``; a later certification of the class supersedes it."""

    __tablename__ = "certification"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("event_class.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # the class's first certification is 1, after a reopen 2 ...
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # the hash's first 12 hex characters
    certified_at: Mapped[datetime]
    certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    certified_by_name: Mapped[str] = mapped_column(String(200), default="")  # the chief judge, as then named
    withdrawn_at: Mapped[datetime | None]  # the class was reopened: this record no longer stands


class TieDecision(IdMixin, CreatedMixin, Base):
    """A chief judge's recorded decision of a tie the categories did not break."""

    __tablename__ = "tie_decision"
    __table_args__ = (UniqueConstraint("class_id", "winner_entry_id", "loser_entry_id"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("event_class.id", ondelete="CASCADE"), index=True)
    winner_entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    loser_entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class AwardTrack(IdMixin, CreatedMixin, Base):
    """The organizer's choice of a car's award track (the award it competes for), over what its earlier awards
    say (see ``concours.domain.tracks``), with their reason; ``created_at`` is when it was set."""

    __tablename__ = "award_track"
    __table_args__ = (UniqueConstraint("entry_id"),)

    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class CalibrationReview(IdMixin, CreatedMixin, Base):
    """The chief judge has looked at a car its judges disagreed on and acknowledged it with a note
    (the other way to look at it, reopening a sheet with a reason, is kept in the audit log)."""

    __tablename__ = "calibration_review"
    __table_args__ = (UniqueConstraint("entry_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("event_class.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text)
    # What the figures said when it was acknowledged, e.g. "Total 18 points apart (threshold 15)".
    figures: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class AuditLog(IdMixin, Base):
    """Who changed what, when, from which device: before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    at: Mapped[datetime] = mapped_column(default=utcnow)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(50))
    before: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    device: Mapped[str] = mapped_column(String(300), default="")
