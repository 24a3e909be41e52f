"""Entrants, vehicles and their entries at events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from concours.db.accounts import User
from concours.db.base import Base, CreatedMixin, IdMixin


class Entrant(IdMixin, CreatedMixin, Base):
    """The owner of cars, a person; signs in by link through ``user``."""

    __tablename__ = "entrant"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    phone: Mapped[str] = mapped_column(String(50), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    # Optional, used only to suggest conflicts of interest (the same address as a judge's); never shown in public.
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    # The owner's name may appear in public results, exports and placards.
    publish_name: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship(lazy="raise")


class Vehicle(IdMixin, CreatedMixin, Base):
    __tablename__ = "vehicle"

    entrant_id: Mapped[int] = mapped_column(ForeignKey("entrant.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    make: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(100))
    body_style: Mapped[str] = mapped_column(String(100), default="")
    coachbuilder: Mapped[str] = mapped_column(String(100), default="")
    chassis_number: Mapped[str] = mapped_column(String(50), default="", index=True)
    engine_number: Mapped[str] = mapped_column(String(50), default="")
    colour: Mapped[str] = mapped_column(String(100), default="")
    restoration_state: Mapped[str] = mapped_column(String(20), default="restored")  # original|preservation|restored
    restoration_notes: Mapped[str] = mapped_column(Text, default="")
    history: Mapped[str] = mapped_column(Text, default="")
    prior_awards: Mapped[str] = mapped_column(Text, default="")

    @property
    def title(self) -> str:
        return f"{self.year} {self.make} {self.model}"


class VehiclePhoto(IdMixin, CreatedMixin, Base):
    __tablename__ = "vehicle_photo"

    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    width: Mapped[int]
    height: Mapped[int]
    caption: Mapped[str] = mapped_column(String(200), default="")


class Entry(IdMixin, CreatedMixin, Base):
    """A vehicle at an event: applied → accepted | waitlisted | declined, or withdrawn."""

    __tablename__ = "entry"
    __table_args__ = (UniqueConstraint("event_id", "vehicle_id"), UniqueConstraint("event_id", "car_number"))

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"), index=True)
    entrant_id: Mapped[int] = mapped_column(ForeignKey("entrant.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("event_class.id", ondelete="SET NULL"), index=True)
    preferred_class_id: Mapped[int | None] = mapped_column(ForeignKey("event_class.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="applied", index=True)
    car_number: Mapped[int | None]
    field_position: Mapped[str] = mapped_column(String(50), default="")
    checked_in_at: Mapped[datetime | None]
    absent_reason: Mapped[str] = mapped_column(String(200), default="")
    decision_message: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    # What the owner declared on the application: [{"judge_id": int | None, "name", "type", "note"}]. A
    # declaration that names a judge of the roster is also a suggested conflict (source ``entrant``).
    declared_conflicts: Mapped[list[Any]] = mapped_column(default=list)

    vehicle: Mapped[Vehicle] = relationship(lazy="raise")
    entrant: Mapped[Entrant] = relationship(lazy="raise")


class ApplicationInvitation(IdMixin, CreatedMixin, Base):
    """An owner invited by e-mail to apply to an invitation-only event: a private link, good for one application.

    Only a keyed hash of the link's random token is stored (see ``concours.domain.tokens``). Inviting the same
    address again while the invitation is unused sends a new link, and the old one stops working."""

    __tablename__ = "application_invitation"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime]
    applied_at: Mapped[datetime | None]
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"))
