"""Automatic backups while an event is live (judging, results certified, published).

Set ``CONCOURS_BACKUP_DIR`` (e.g. a USB stick's mount point) and ``CONCOURS_BACKUP_MINUTES``; the app
then writes a backup every N minutes while any event is live and keeps the newest
``CONCOURS_BACKUP_KEEP``. With several workers, a worker skips its turn when the folder already holds
a backup younger than the interval.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import anyio.to_thread
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from concours.db import Event
from concours.db.backup import backup, list_backups, prune
from concours.settings import Settings

log = logging.getLogger("concours.backup")
LIVE_STATUSES = ("judging", "results_certified", "published")


async def any_event_live(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().where(Event.status.in_(LIVE_STATUSES)))))


def _due(folder: Path, minutes: int) -> bool:
    files = list_backups(folder)
    return not files or time.time() - files[-1].stat().st_mtime >= minutes * 60 - 5


async def backup_if_due(settings: Settings, read: async_sessionmaker[AsyncSession]) -> Path | None:
    """One turn of the automatic backup: returns the file written, or None when nothing was due."""
    folder = settings.backup_dir
    if folder is None:
        return None
    async with read() as session:
        if not await any_event_live(session):
            return None
    if not _due(folder, settings.backup_minutes):
        return None

    def work() -> Path:
        path = backup(settings.database_url, folder)
        prune(folder, settings.backup_keep)
        return path

    path = await anyio.to_thread.run_sync(work)
    log.info("automatic backup written: %s", path)
    return path
