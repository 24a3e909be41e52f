"""Settings of the whole installation that organizers change from a page (not per event)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from concours.db.base import Base, IdMixin


class BackupSetting(IdMixin, Base):
    """Where and how often the automatic backups go (one row; without it, the environment's settings), and how
    the last automatic backup went."""

    __tablename__ = "backup_setting"

    folder: Mapped[str] = mapped_column(String(1000), default="")  # "": the environment's CONCOURS_BACKUP_DIR
    minutes: Mapped[int | None]  # None: the environment's CONCOURS_BACKUP_MINUTES
    keep: Mapped[int | None]  # None: the environment's CONCOURS_BACKUP_KEEP
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    last_auto_at: Mapped[datetime | None]
    last_auto_ok: Mapped[bool | None]
    last_auto_message: Mapped[str] = mapped_column(String(1000), default="")
