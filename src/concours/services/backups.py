"""Automatic backups while an event is live (judging, results certified, published), to a folder the organizer
names on the backups page (``/organizer/backups``: a USB stick's mount point, say).

Where nothing is set on that page, the environment's ``CONCOURS_BACKUP_DIR``, ``CONCOURS_BACKUP_MINUTES`` and
``CONCOURS_BACKUP_KEEP`` apply. The app writes a backup every N minutes while any event is live and keeps the
newest K; how the last automatic backup went is kept for the page. With several workers, a worker skips its
turn when the folder already holds a backup younger than the interval. Backups run in a thread, never on the
event loop.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from concours.db import BackupSetting, Event, utcnow
from concours.db.backup import BackupError, backup, list_backups, prune
from concours.i18n import format_number, gettext
from concours.services import audit
from concours.services.errors import FormErrors, ServiceError
from concours.services.permissions import Viewer, require, why_not_manage_backups
from concours.settings import Settings

log = logging.getLogger("concours.backup")
LIVE_STATUSES = ("judging", "results_certified", "published")
MAX_MINUTES = 24 * 60
MAX_KEEP = 1000


@dataclass(frozen=True)
class BackupPlan:
    """Where the backups go and how often, as in force now, and how the last automatic one went."""

    folder: Path | None
    minutes: int
    keep: int
    from_page: bool  # the folder was named on the backups page (else it is the environment's, or none)
    last_auto_at: datetime | None = None
    last_auto_ok: bool | None = None
    last_auto_message: str = ""


@dataclass(frozen=True)
class BackupFile:
    name: str
    at: datetime
    size: int


async def _row(session: AsyncSession) -> BackupSetting | None:
    row: BackupSetting | None = await session.scalar(select(BackupSetting).order_by(BackupSetting.id).limit(1))
    return row


async def plan(session: AsyncSession, settings: Settings) -> BackupPlan:
    row = await _row(session)
    if row is None:
        return BackupPlan(settings.backup_dir, settings.backup_minutes, settings.backup_keep, from_page=False)
    return BackupPlan(
        folder=Path(row.folder) if row.folder else settings.backup_dir,
        minutes=row.minutes or settings.backup_minutes,
        keep=row.keep or settings.backup_keep,
        from_page=bool(row.folder),
        last_auto_at=row.last_auto_at,
        last_auto_ok=row.last_auto_ok,
        last_auto_message=row.last_auto_message,
    )


def backup_files(folder: Path | None) -> list[BackupFile]:
    """The finished backups in the folder, newest first (blocking: it reads the folder)."""
    if folder is None:
        return []
    files = []
    for path in reversed(list_backups(folder)):
        stat = path.stat()
        files.append(BackupFile(path.name, datetime.fromtimestamp(stat.st_mtime, UTC), stat.st_size))
    return files


def check_folder(text: str) -> str | None:
    """Why backups cannot go to the folder ``text`` names, in words; None when they can (blocking: it writes and
    removes a small test file there)."""
    path = Path(text)
    if not path.is_absolute():
        return gettext("Give the folder's full path, starting with / (e.g. /media/usb/concours).")
    if not path.exists():
        return gettext(
            "There is no folder at %(folder)s. Plug in the stick, or create the folder, and try again.", folder=text
        )
    if not path.is_dir():
        return gettext("%(folder)s is a file, not a folder.", folder=text)
    probe = path / f".concours-write-test-{secrets.token_hex(4)}"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"concours")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        return gettext(
            "Concours cannot write into %(folder)s (%(error)s). Is the stick read-only or full?",
            folder=text,
            error=exc.strerror or exc,
        )
    finally:
        probe.unlink(missing_ok=True)
    return None


def _whole(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    if not text.isdecimal() or len(text) > 6 or not low <= int(text) <= high:
        return None
    return int(text)


async def save_plan(session: AsyncSession, settings: Settings, viewer: Viewer, form: Mapping[str, str]) -> None:
    """The backups page's settings: the folder (empty: the environment's), every how many minutes, how many kept."""
    require(why_not_manage_backups(viewer))
    folder = form.get("folder", "").strip()
    minutes = _whole(form.get("minutes", ""), 1, MAX_MINUTES)
    keep = _whole(form.get("keep", ""), 1, MAX_KEEP)
    errors: dict[str, str] = {}
    if len(folder) > 1000:
        errors["folder"] = gettext("This path is too long (at most %(n)s characters).", n=format_number(1000))
    elif folder:
        problem = await anyio.to_thread.run_sync(check_folder, folder)
        if problem:
            errors["folder"] = problem
    if minutes is None:
        errors["minutes"] = gettext("A whole number of minutes from 1 to %(most)s.", most=format_number(MAX_MINUTES))
    if keep is None:
        errors["keep"] = gettext(
            "How many backups to keep: a whole number from 1 to %(most)s.", most=format_number(MAX_KEEP)
        )
    if errors:
        raise FormErrors(errors)
    row = await _row(session)
    if row is None:
        row = BackupSetting()
        session.add(row)
    fields = ("folder", "minutes", "keep")
    before = audit.snapshot(row, fields) if row.id else None
    row.folder, row.minutes, row.keep = folder, minutes, keep
    row.updated_at, row.updated_by_id = utcnow(), viewer.user_id
    await session.flush()
    audit.record_change(
        session,
        entity_type="backup_setting",
        entity_id=row.id,
        action="update",
        user_id=viewer.user_id,
        event_id=None,
        before=before,
        after=audit.snapshot(row, fields),
    )


def _write(folder: Path, database_url: str, keep: int) -> Path:
    path = backup(database_url, folder)
    prune(folder, keep)
    return path


async def back_up_now(session: AsyncSession, settings: Settings, viewer: Viewer) -> Path:
    """A backup into the folder in force, now (in a thread); the request's write transaction is committed first,
    so on SQLite the judges' saves are not held up while the copy is made."""
    require(why_not_manage_backups(viewer))
    current = await plan(session, settings)
    if current.folder is None:
        raise ServiceError(gettext("No backup folder is set: name one below first."))
    await session.commit()
    try:
        path = await anyio.to_thread.run_sync(_write, current.folder, settings.database_url, current.keep)
    except (BackupError, OSError) as exc:
        raise ServiceError(gettext("The backup failed: %(error)s", error=exc)) from exc
    audit.record(
        session,
        entity_type="backup_setting",
        entity_id=0,
        action="backup_now",
        user_id=viewer.user_id,
        event_id=None,
        after={"file": str(path)},
    )
    return path


async def any_event_live(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().where(Event.status.in_(LIVE_STATUSES)))))


def _due(folder: Path, minutes: int) -> bool:
    files = list_backups(folder)
    return not files or time.time() - files[-1].stat().st_mtime >= minutes * 60 - 5


async def _note_result(write: async_sessionmaker[AsyncSession], ok: bool, message: str) -> None:
    async with write() as session:
        row = await _row(session)
        if row is None:
            row = BackupSetting()
            session.add(row)
        row.last_auto_at, row.last_auto_ok, row.last_auto_message = utcnow(), ok, message[:1000]
        await session.commit()


async def backup_if_due(
    settings: Settings, read: async_sessionmaker[AsyncSession], write: async_sessionmaker[AsyncSession]
) -> Path | None:
    """One turn of the automatic backup: returns the file written, or None when nothing was due. The result
    (the file, or why it failed) is kept for the backups page; a failure is raised after it is noted."""
    async with read() as session:
        current = await plan(session, settings)
        if current.folder is None or not await any_event_live(session):
            return None
    folder = current.folder
    if not await anyio.to_thread.run_sync(_due, folder, current.minutes):
        return None
    try:
        path = await anyio.to_thread.run_sync(_write, folder, settings.database_url, current.keep)
    except Exception as exc:
        await _note_result(write, False, f"Failed: {exc}")
        raise
    await _note_result(write, True, f"Written: {path.name}")
    log.info("automatic backup written: %s", path)
    return path
