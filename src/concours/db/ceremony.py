"""The ceremony: the run sheet (one line per award, in the order of presentation) and the event's branding."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from concours.db.base import Base, CreatedMixin, IdMixin


class CeremonyLine(IdMixin, CreatedMixin, Base):
    """One award presented on the ramp. ``source_key`` names what the line announces ("class:<class id>:<entry
    id>" for a class place, "award:<special award id>" for a special award), so rebuilding the run sheet from
    the results keeps the organizer's order and never duplicates a line. A presented line is frozen."""

    __tablename__ = "ceremony_line"
    __table_args__ = (UniqueConstraint("event_id", "source_key"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    source_key: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))  # class | special | best_of_show
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("event_class.id", ondelete="CASCADE"))
    award: Mapped[str] = mapped_column(String(300))
    chosen_by: Mapped[str] = mapped_column(String(200), default="")
    rank: Mapped[int | None]
    story: Mapped[str] = mapped_column(Text, default="")
    presented_at: Mapped[datetime | None]
    presented_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class EventBranding(IdMixin, Base):
    """The organizer's logo and colours, used by every printed document of the event."""

    __tablename__ = "event_branding"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    primary_colour: Mapped[str] = mapped_column(String(7), default="#1d3557")
    accent_colour: Mapped[str] = mapped_column(String(7), default="#b08d57")
    # The logo re-encoded as a small JPEG (at most 400 px): kept with the event, so every document can print it.
    logo_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary)
