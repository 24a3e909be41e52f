"""Operations commands: the first organizer, backups and restores, cleaning the media folder."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from concours.settings import Settings

DEFAULT_BACKUP_DIR = Path("backups")


def cmd_create_organizer(args: argparse.Namespace) -> int:
    from concours.db.engine import Database
    from concours.db.migrate import upgrade
    from concours.services.admin import NewOrganizer, create_organizer, password_problem
    from concours.services.errors import FormErrors

    settings = Settings.from_env()
    password: str | None = None
    if args.password:
        while True:
            password = getpass.getpass("New password: ")
            repeated = getpass.getpass("The same password again: ")
            problem = password_problem(password, repeated)
            if problem is None:
                break
            print(problem, file=sys.stderr)
            if not sys.stdin.isatty():
                return 1
    upgrade(settings.database_url)

    async def go() -> NewOrganizer:
        db = Database.connect(settings.database_url)
        try:
            async with db.write() as session:
                result = await create_organizer(session, settings, args.email, name=args.name or "", password=password)
                await session.commit()
                return result
        finally:
            await db.dispose()

    try:
        result = asyncio.run(go())
    except FormErrors as exc:
        for field, message in exc.errors.items():
            print(f"concours: {field}: {message}", file=sys.stderr)
        return 1
    print(f"{'created' if result.created else 'updated'} organizer {result.email}")
    if result.link:
        hours = settings.login_link_minutes // 60
        print(f"sign in once with this link (it expires in {hours} hours):")
        print(result.link)
        print('to add a password later, use "Forgot your password?" on the sign-in page')
    else:
        print(f"sign in at {settings.base_url}/login")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from concours.db.backup import BackupError, backup, prune

    settings = Settings.from_env()
    to_dir = Path(args.to) if args.to else (settings.backup_dir or DEFAULT_BACKUP_DIR)
    try:
        path = backup(settings.database_url, to_dir)
    except (BackupError, OSError) as exc:
        print(f"concours: backup failed: {exc}", file=sys.stderr)
        return 1
    if args.keep:
        prune(to_dir, args.keep)
    print(f"backup written: {path} ({path.stat().st_size:,} bytes)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from concours.db.backup import BackupError, database_has_data, restore

    settings = Settings.from_env()
    file = Path(args.file)
    try:
        if not file.is_file():
            raise BackupError(f"no backup file at {file}")
        if database_has_data(settings.database_url) and not args.yes:
            print(
                f"concours: {settings.database_url} already holds data; restoring replaces all of it. "
                "Stop the app, then run again with --yes to overwrite.",
                file=sys.stderr,
            )
            return 1
        restore(settings.database_url, file)
    except (BackupError, OSError) as exc:
        print(f"concours: {exc}", file=sys.stderr)
        return 1
    print(f"restored {file} into {settings.database_url}")
    return 0


def cmd_media_clean(args: argparse.Namespace) -> int:
    from concours.db.engine import Database
    from concours.services.pending_uploads import Cleaned, clean_media

    settings = Settings.from_env()

    async def go() -> Cleaned:
        db = Database.connect(settings.database_url)
        try:
            async with db.read() as session:
                return await clean_media(session, settings, dry_run=args.dry_run)
        finally:
            await db.dispose()

    result = asyncio.run(go())
    verb = "would remove" if args.dry_run else "removed"
    print(
        f"{verb} {result.orphan_files} orphan photo files and {result.pending_folders} stale pending uploads "
        f"({result.bytes_freed / 1048576:.1f} MB) in {settings.media_dir}"
    )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = sub.add_parser("admin", help="accounts: create the first organizer")

    def admin_help(_args: argparse.Namespace) -> int:
        admin.print_help()
        return 0

    admin.set_defaults(func=admin_help)
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="admin_command")
    create = admin_sub.add_parser(
        "create-organizer", help="create an organizer account; prints a one-time sign-in link unless --password"
    )
    create.add_argument("email")
    create.add_argument("--name", default="", help="the name shown to others (default: from the e-mail)")
    create.add_argument("--password", action="store_true", help="ask for a password (twice, hidden) instead")
    create.set_defaults(func=cmd_create_organizer)

    bk = sub.add_parser("backup", help="copy the whole database into a timestamped file")
    bk.add_argument("--to", metavar="DIR", help="folder for the file (default: CONCOURS_BACKUP_DIR or ./backups)")
    bk.add_argument("--keep", type=int, default=0, metavar="K", help="then delete all but the newest K backups")
    bk.set_defaults(func=cmd_backup)

    rs = sub.add_parser("restore", help="replace the database's contents with a backup file")
    rs.add_argument("file")
    rs.add_argument("--yes", action="store_true", help="overwrite a database that already holds data")
    rs.set_defaults(func=cmd_restore)

    media = sub.add_parser("media", help="uploaded files: clean up what no record refers to")

    def media_help(_args: argparse.Namespace) -> int:
        media.print_help()
        return 0

    media.set_defaults(func=media_help)
    media_sub = media.add_subparsers(dest="media_command", metavar="media_command")
    clean = media_sub.add_parser(
        "clean", help="delete photo files no record refers to (older than an hour) and pending uploads older than a day"
    )
    clean.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    clean.set_defaults(func=cmd_media_clean)
