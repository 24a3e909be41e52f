"""Backups of the whole database to one timestamped file, and restoring one.

SQLite: the online backup API (a consistent copy while the app keeps writing).
PostgreSQL: ``pg_dump`` as plain SQL; ``psql`` restores it in one transaction (all or nothing).
Blocking: call from a thread inside an event loop.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

BACKUP_PREFIX = "concours-"
_SUFFIXES = (".db", ".sql")


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


@dataclass(frozen=True)
class PgTarget:
    """What libpq tools need: a connection URI without the driver, and the password in the environment."""

    uri: str
    env: dict[str, str]


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def pg_target(database_url: str) -> PgTarget:
    url: URL = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None, query={})
    return PgTarget(uri=plain.render_as_string(hide_password=False), env=env)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools are needed to back up PostgreSQL)")
    return path


def backup_name(database_url: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{BACKUP_PREFIX}{stamp}{'.db' if is_sqlite(database_url) else '.sql'}"


def backup(database_url: str, to_dir: Path, now: datetime | None = None) -> Path:
    """Write a consistent copy of the database into ``to_dir`` (created if missing); returns the file.

    The copy is written under a temporary name and renamed when complete, so a backup folder never
    holds a half-written file that looks finished."""
    to_dir.mkdir(parents=True, exist_ok=True)
    target = to_dir / backup_name(database_url, now)
    n = 1
    while target.exists():
        target = target.with_name(f"{target.stem}-{n}{target.suffix}")
        n += 1
    partial = target.with_name(target.name + ".partial")
    try:
        if is_sqlite(database_url):
            source_path = sqlite_path(database_url)
            if not source_path.exists():
                raise BackupError(f"no database at {source_path}")
            src = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
            dst = sqlite3.connect(partial)
            try:
                with dst:
                    src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                dst.close()
                src.close()
        else:
            pg = pg_target(database_url)
            result = subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
                [_tool("pg_dump"), "--no-owner", "--no-privileges", "--schema=public", "-f", str(partial), pg.uri],
                env=pg.env,
                capture_output=True,
                text=True,
                timeout=3600,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        partial.rename(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def list_backups(to_dir: Path) -> list[Path]:
    """The finished backups in ``to_dir``, oldest first."""
    if not to_dir.is_dir():
        return []
    files = [p for p in to_dir.iterdir() if p.name.startswith(BACKUP_PREFIX) and p.suffix in _SUFFIXES]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def prune(to_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns the deleted files."""
    files = list_backups(to_dir)
    doomed = files[: max(0, len(files) - keep)]
    for p in doomed:
        p.unlink(missing_ok=True)
    return doomed


def database_has_data(database_url: str) -> bool:
    """Whether restoring would overwrite something: any table in the target database."""
    if is_sqlite(database_url):
        path = sqlite_path(database_url)
        if not path.exists() or path.stat().st_size == 0:
            return False
        con = sqlite3.connect(path)
        try:
            tables: int = con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
            return tables > 0
        finally:
            con.close()
    pg = pg_target(database_url)
    result = subprocess.run(  # noqa: S603
        [
            _tool("psql"),
            "-At",
            "-c",
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            pg.uri,
        ],
        env=pg.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise BackupError(f"cannot reach the database: {result.stderr.strip()}")
    return int(result.stdout.strip() or 0) > 0


def restore(database_url: str, backup_file: Path) -> None:
    """Replace the database's contents with ``backup_file`` (all or nothing). Stop the app first."""
    if not backup_file.is_file():
        raise BackupError(f"no backup file at {backup_file}")
    if is_sqlite(database_url):
        if backup_file.suffix != ".db":
            raise BackupError(f"{backup_file.name} is not a SQLite backup (.db)")
        src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        try:
            ok = src.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise BackupError(f"{backup_file.name} is damaged: {ok}")
            target = sqlite_path(database_url)
            target.parent.mkdir(parents=True, exist_ok=True)
            dst = sqlite3.connect(target, timeout=30)
            try:
                src.backup(dst)  # page by page into the live file, under its write lock
            finally:
                dst.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{backup_file.name} is not a usable SQLite database: {exc}") from exc
        finally:
            src.close()
        return
    if backup_file.suffix != ".sql":
        raise BackupError(f"{backup_file.name} is not a PostgreSQL backup (.sql)")
    pg = pg_target(database_url)
    result = subprocess.run(  # noqa: S603
        [
            _tool("psql"),
            "-q",
            "-X",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-c",
            "DROP SCHEMA IF EXISTS public CASCADE",  # the dump creates it again
            "-f",
            str(backup_file),
            pg.uri,
        ],
        env=pg.env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise BackupError(f"restore failed, the database is unchanged: {result.stderr.strip()}")
