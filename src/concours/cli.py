"""The ``concours`` command: serve, demo, db upgrade; admin, backup, restore (see cli_ops)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from concours.settings import Settings, SettingsError

DEMO_DATABASE_URL = "sqlite+aiosqlite:///concours-demo.db"


# How long an idle connection stays open. A judge's tablet sends a save, then looks at the car for a while: with
# uvicorn's default of 5 s nearly every save opened a new connection (a TLS handshake too, without a proxy in front),
# and a save sent just as the server closed the idle connection failed and was sent again.
KEEP_ALIVE_SECONDS = 75


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from concours.app import create_app

    if workers > 1:
        # Each worker builds its own app from the same environment (sessions live in the database).
        os.environ.setdefault("CONCOURS_DATABASE_URL", settings.database_url)
        uvicorn.run(
            "concours.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            log_level="info",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    else:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            proxy_headers=True,
            log_level="info",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )


def cmd_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    from concours.db.migrate import upgrade

    upgrade(settings.database_url)
    _serve(settings, args.host, args.port, args.workers)
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    from concours.db.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    print(f"database is up to date: {settings.database_url}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from concours.db.migrate import upgrade
    from concours.demo import build_demo, demo_links
    from concours.demo_awards import demo_voting_lines

    url = os.environ.get("CONCOURS_DATABASE_URL") or DEMO_DATABASE_URL
    if args.fresh and url.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    base_url = os.environ.get("CONCOURS_BASE_URL") or f"http://{args.host}:{args.port}"
    settings = Settings.from_env(database_url=url, base_url=base_url)
    upgrade(url)
    created = asyncio.run(build_demo(settings))
    info = asyncio.run(demo_links(settings))
    print("\n" + "=" * 72)
    print(f"Concours demo {'built' if created else 'already built'}: {info.event_name}")
    print(f"  database      {url}")
    print(f"  open          {base_url}/")
    print(f"  organizer     sign in at {base_url}/login  as  {info.organizer_email} / {info.organizer_password}")
    print(f"  judge         {info.judge_name}: {info.judge_link}")
    print(f"  entrant       {info.entrant_name}: {info.entrant_link}")
    print(f"  results       {info.results_url}")
    for line in asyncio.run(demo_voting_lines(settings)):
        print(line)
    print("  (sign-in links work once; run the command again for fresh ones)")
    print("=" * 72 + "\n", flush=True)
    _serve(settings, args.host, args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="concours", description="Judging and event management for concours.")
    sub = parser.add_subparsers(dest="command", metavar="command")
    serve = sub.add_parser("serve", help="run the web app (applies migrations first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="app worker processes")
    serve.set_defaults(func=cmd_serve)
    demo = sub.add_parser("demo", help="build a realistic demo event on SQLite and serve it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--fresh", action="store_true", help="delete the demo database and build it again")
    demo.set_defaults(func=cmd_demo)
    db = sub.add_parser("db", help="database commands")

    def db_help(_args: argparse.Namespace) -> int:
        db.print_help()
        return 0

    db.set_defaults(func=db_help)
    db_sub = db.add_subparsers(dest="db_command", metavar="db_command")
    up = db_sub.add_parser("upgrade", help="create or migrate the database schema to the latest version")
    up.set_defaults(func=cmd_upgrade)
    from concours.cli_ops import register

    register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"concours: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
