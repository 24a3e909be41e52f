"""Special awards and how each is decided: ballots of named judges (secret), a designated person's choice,
People's Choice by single-use voting codes.

Secrecy of a ballot lives in the shape of these tables: a vote is only an increment of a car's counter in
:class:`AwardCandidate` (no row per vote, no timestamp, no id), and :class:`AwardRoll` says who has voted
in a round without saying for what. Nothing links the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from concours.db.base import Base, CreatedMixin, IdMixin


class SpecialAward(IdMixin, CreatedMixin, Base):
    """An award beyond the class places, decided by ``kind``: ``ballot``, ``designated`` or ``peoples_choice``.

    ``status``: ``setup`` → ``open`` (voting) → ``closed`` (counted, a tie waits for a run-off or a
    decision) → ``decided`` (``entry_id`` holds the winner). A designated award goes straight to decided.
    """

    __tablename__ = "special_award"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sponsor: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20), default="designated")  # ballot|designated|peoples_choice
    position: Mapped[int] = mapped_column(default=0)  # order in the ceremony
    # Which cars may win: class_winners (of class_ids) | nominated (nominated_entry_ids) | judged | accepted
    eligibility: Mapped[str] = mapped_column(String(20), default="accepted")
    class_ids: Mapped[list[Any]] = mapped_column(default=list)
    nominated_entry_ids: Mapped[list[Any]] = mapped_column(default=list)
    # Ballot: voters with a conflict on any eligible car are left off the roll entirely.
    exclude_conflicted: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="setup")
    round: Mapped[int] = mapped_column(default=0)  # the current ballot round (1 = first vote, 2+ run-offs)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"))
    # Who chooses (a designated award's named person, e.g. "the designer"), shown with the award.
    chosen_by: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]


class AwardVoter(IdMixin, Base):
    """A judge the chief judge named to vote on a ballot award."""

    __tablename__ = "award_voter"
    __table_args__ = (UniqueConstraint("award_id", "judge_id"),)

    award_id: Mapped[int] = mapped_column(ForeignKey("special_award.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)


class AwardCandidate(Base):
    """A car on the ballot of one round, with its count. Votes only ever increment ``votes``."""

    __tablename__ = "award_candidate"

    award_id: Mapped[int] = mapped_column(ForeignKey("special_award.id", ondelete="CASCADE"), primary_key=True)
    round: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True)
    votes: Mapped[int] = mapped_column(default=0)


class AwardRoll(Base):
    """Who has voted in a round (not for what): no id, no timestamp."""

    __tablename__ = "award_roll"

    award_id: Mapped[int] = mapped_column(ForeignKey("special_award.id", ondelete="CASCADE"), primary_key=True)
    round: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), primary_key=True)


class VotingCodeBatch(IdMixin, CreatedMixin, Base):
    """A batch of People's Choice codes; the codes are derived from the secret key, so the sheet can be
    printed again, and only their keyed hashes are stored."""

    __tablename__ = "voting_code_batch"

    award_id: Mapped[int] = mapped_column(ForeignKey("special_award.id", ondelete="CASCADE"), index=True)
    size: Mapped[int]
    salt: Mapped[str] = mapped_column(String(32), default="")  # random, from ``secrets``; mixed into every code
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class VotingCode(Base):
    """One single-use People's Choice code, by its keyed hash (the code itself is never stored)."""

    __tablename__ = "voting_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("special_award.id", ondelete="CASCADE"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("voting_code_batch.id", ondelete="CASCADE"), index=True)
    spent: Mapped[bool] = mapped_column(Boolean, default=False)
