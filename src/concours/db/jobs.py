"""Report jobs: long documents rendered in the background with progress, and the rendered documents they reuse."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from concours.db.base import Base, CreatedMixin, IdMixin, utcnow


class ReportDocument(IdMixin, CreatedMixin, Base):
    """A rendered PDF, named by the hash of the HTML it was rendered from: reused until its data change.

    ``scope`` names what the document is (kind and parameters, e.g. ``judge_packets`` for the whole event);
    when a newer version of the same scope is stored, the older ones are deleted."""

    __tablename__ = "report_document"
    __table_args__ = (Index("ix_report_document_lookup", "event_id", "scope", "content_hash"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    pages: Mapped[int] = mapped_column(default=0)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class ReportJob(IdMixin, CreatedMixin, Base):
    """One person's request for a long document: ``running → done | failed``, with its progress in parts."""

    __tablename__ = "report_job"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="running")
    parts_done: Mapped[int] = mapped_column(default=0)
    parts_total: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("report_document.id", ondelete="SET NULL"), index=True)
    # Touched as parts finish: a running job not touched for a while was interrupted (server restart).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
