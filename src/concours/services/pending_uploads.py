"""Pending uploads: photos chosen on a form that was refused for another reason.

Every valid photo a person sends is checked, re-encoded and kept under ``media/pending/<token>/`` at once;
the re-rendered form carries the token, so the photos are attached when the form finally succeeds
instead of having to be chosen again. The token is random (it is the only key to the files). Pending
folders older than a day, and photo files no record refers to, are removed by :func:`clean_media`
(``concours media clean``, and hourly by the app).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import VehiclePhoto
from concours.services import photos
from concours.settings import Settings

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
KEY_RE = re.compile(r"^[0-9a-f]{16}$")
PENDING_MAX_AGE_SECONDS = 24 * 3600
ORPHAN_GRACE_SECONDS = 3600  # a photo written by a request that has not committed yet is not an orphan
MAX_PENDING = 20


@dataclass(frozen=True)
class PendingPhoto:
    key: str
    filename: str


def pending_root(settings: Settings) -> Path:
    return Path(settings.media_dir) / "pending"


def _folder(settings: Settings, token: str) -> Path | None:
    if not TOKEN_RE.match(token or ""):
        return None
    return pending_root(settings) / token


def _manifest(folder: Path) -> list[PendingPhoto]:
    try:
        raw = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return []
    return [
        PendingPhoto(str(p["key"]), str(p["filename"]))
        for p in raw
        if isinstance(p, dict) and KEY_RE.match(str(p.get("key", ""))) and (folder / f"{p['key']}.jpg").exists()
    ]


def items(settings: Settings, token: str) -> list[PendingPhoto]:
    folder = _folder(settings, token)
    return _manifest(folder) if folder is not None and folder.is_dir() else []


def _add_blocking(settings: Settings, token: str, uploads: list[photos.Upload]) -> tuple[str, list[str]]:
    problems: list[str] = []
    done: list[tuple[str, photos.Processed]] = []
    for up in uploads:
        try:
            done.append((up.filename, photos.process(up.data, up.filename)))
        except photos.PhotoError as exc:
            problems.append(str(exc))
    if not done:
        return token, problems
    folder = _folder(settings, token)
    if folder is None:
        token = secrets.token_hex(16)
        folder = pending_root(settings) / token
    folder.mkdir(parents=True, exist_ok=True)
    kept = _manifest(folder)
    for filename, processed in done[: max(0, MAX_PENDING - len(kept))]:
        key = secrets.token_hex(8)
        (folder / f"{key}.jpg").write_bytes(processed.full)
        (folder / f"{key}-thumb.jpg").write_bytes(processed.thumb)
        kept.append(PendingPhoto(key, filename[:100]))
    (folder / "manifest.json").write_text(json.dumps([{"key": p.key, "filename": p.filename} for p in kept]))
    return token, problems


async def add(settings: Settings, token: str, uploads: list[photos.Upload]) -> tuple[str, list[str]]:
    """Keep every valid upload under the token (a new one if needed); returns (token, problems of the others)."""
    if not uploads:
        return (token if TOKEN_RE.match(token or "") else ""), []
    return await anyio.to_thread.run_sync(_add_blocking, settings, token, uploads)


def remove(settings: Settings, token: str, keys: list[str]) -> None:
    """Take some pending photos out (the person unticked them)."""
    folder = _folder(settings, token)
    if folder is None or not folder.is_dir() or not keys:
        return
    kept = [p for p in _manifest(folder) if p.key not in keys]
    for key in keys:
        if KEY_RE.match(key):
            (folder / f"{key}.jpg").unlink(missing_ok=True)
            (folder / f"{key}-thumb.jpg").unlink(missing_ok=True)
    (folder / "manifest.json").write_text(json.dumps([{"key": p.key, "filename": p.filename} for p in kept]))


def as_uploads(settings: Settings, token: str) -> list[photos.Upload]:
    folder = _folder(settings, token)
    if folder is None:
        return []
    return [photos.Upload(p.filename, (folder / f"{p.key}.jpg").read_bytes()) for p in items(settings, token)]


def thumb_path(settings: Settings, token: str, key: str) -> Path | None:
    folder = _folder(settings, token)
    if folder is None or not KEY_RE.match(key):
        return None
    path = folder / f"{key}-thumb.jpg"
    return path if path.is_file() else None


def discard(settings: Settings, token: str) -> None:
    """The form succeeded: its pending photos are now stored photos."""
    folder = _folder(settings, token)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Cleaned:
    pending_folders: int
    orphan_files: int
    bytes_freed: int


def _clean_blocking(settings: Settings, referenced: set[str], now: float, dry_run: bool) -> Cleaned:
    folders = files = freed = 0
    root = pending_root(settings)
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir() and now - folder.stat().st_mtime > PENDING_MAX_AGE_SECONDS:
                freed += sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
                folders += 1
                if not dry_run:
                    shutil.rmtree(folder, ignore_errors=True)
    directory = photos.photo_dir(settings)
    if directory.is_dir():
        for f in directory.iterdir():
            if not f.is_file() or f.suffix != ".jpg":
                continue
            key = f.stem.removesuffix("-thumb")
            if key not in referenced and now - f.stat().st_mtime > ORPHAN_GRACE_SECONDS:
                freed += f.stat().st_size
                files += 1
                if not dry_run:
                    f.unlink(missing_ok=True)
    return Cleaned(folders, files, freed)


async def clean_media(
    session: AsyncSession, settings: Settings, *, now: float | None = None, dry_run: bool = False
) -> Cleaned:
    """Remove pending folders older than a day and photo files no record refers to (older than an hour)."""
    referenced = set((await session.scalars(select(VehiclePhoto.storage_key))).all())
    return await anyio.to_thread.run_sync(_clean_blocking, settings, referenced, now or time.time(), dry_run)
