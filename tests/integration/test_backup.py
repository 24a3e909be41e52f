"""Backups: `concours backup` writes a timestamped file (SQLite's online backup API, pg_dump for PostgreSQL),
`concours restore` puts exactly that data back (and refuses to overwrite without --yes); the automatic
backup runs only while an event is live and keeps the newest K."""

from __future__ import annotations

import asyncio
import html
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.cli import main
from concours.db import Base, Entry, Event, ScoreLine
from concours.db.backup import BACKUP_PREFIX, list_backups
from concours.db.engine import Database
from concours.services import backups
from concours.settings import Settings, SettingsError
from tests.conftest import run_db
from tests.helpers import post
from tests.scenes import seed_scoring, signed_in

pytestmark = pytest.mark.skipif(
    os.environ.get("CONCOURS_TEST_DATABASE_URL", "").startswith("postgresql") and shutil.which("pg_dump") is None,
    reason="pg_dump/psql are not installed: PostgreSQL backups need the PostgreSQL client tools",
)


def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (and the schema version), in a stable order."""

    async def go(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            out[table.name] = sorted((tuple(map(repr, r)) for r in rows), key=repr)
        out["alembic_version"] = [tuple(r) for r in (await session.execute(text("SELECT * FROM alembic_version")))]
        return out

    return run_db(url, go)


def _env(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("CONCOURS_DATABASE_URL", url)
    for name in ("CONCOURS_ENV", "CONCOURS_SECRET_KEY", "CONCOURS_BACKUP_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_backup_then_restore_gives_back_the_same_data(
    db_url: str,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def seed(session: AsyncSession) -> None:
        await seed_scoring(session, settings, judges=3, cars=4, prefix="bk-")

    run_db(db_url, seed)
    before = _snapshot(db_url)
    assert sum(len(rows) for rows in before.values()) > 30
    _env(monkeypatch, db_url)
    folder = tmp_path / "usb-stick" / "concours"
    assert main(["backup", "--to", str(folder)]) == 0
    files = list_backups(folder)
    assert len(files) == 1 and files[0].name.startswith(BACKUP_PREFIX) and str(files[0]) in capsys.readouterr().out
    assert files[0].suffix == (".db" if settings.is_sqlite else ".sql")
    assert not [p for p in folder.iterdir() if p.name.endswith(".partial")]

    async def damage(session: AsyncSession) -> None:
        await session.execute(delete(ScoreLine))
        await session.execute(update(Entry).values(car_number=None))
        await session.execute(update(Event).values(name="Overwritten", status="archived"))

    run_db(db_url, damage)
    assert _snapshot(db_url) != before

    # The database holds data: refused without --yes, and nothing changes.
    assert main(["restore", str(files[0])]) == 1
    assert "--yes" in capsys.readouterr().err
    assert _snapshot(db_url)["event"] != before["event"]

    assert main(["restore", str(files[0]), "--yes"]) == 0
    assert _snapshot(db_url) == before

    # The restored database is the app's database again: it takes new writes.
    async def write(session: AsyncSession) -> None:
        await session.execute(update(Event).values(name="After restore"))

    run_db(db_url, write)
    assert _snapshot(db_url)["event"] != before["event"]


def test_restore_refuses_what_is_not_a_backup(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(monkeypatch, db_url)
    assert main(["restore", str(tmp_path / "missing.db"), "--yes"]) == 1
    assert "no backup file" in capsys.readouterr().err
    junk = tmp_path / ("concours-junk.db" if db_url.startswith("sqlite") else "concours-junk.sql")
    junk.write_text("this is not a database; DROP TABLE nothing;")
    before = _snapshot(db_url)
    assert main(["restore", str(junk), "--yes"]) == 1
    assert capsys.readouterr().err
    assert _snapshot(db_url) == before  # all or nothing


def _backup_settings(settings: Settings, folder: Path, keep: int = 3) -> Settings:
    return replace(settings, backup_dir=folder, backup_minutes=1, backup_keep=keep)


def test_automatic_backups_run_only_while_an_event_is_live_and_keep_the_newest(
    db_url: str, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "usb"
    auto = _backup_settings(settings, folder, keep=3)

    async def seed(session: AsyncSession) -> int:
        seeded = await seed_scoring(session, settings, judges=1, cars=1, prefix="auto-")
        await session.execute(update(Event).values(status="registration_closed"))
        return seeded.event_id

    run_db(db_url, seed)

    async def turn() -> Path | None:
        db = Database.connect(db_url)
        try:
            return await backups.backup_if_due(auto, db.read, db.write)
        finally:
            await db.dispose()

    assert asyncio.run(turn()) is None and not folder.exists()  # nothing live yet

    async def go_live(session: AsyncSession) -> None:
        await session.execute(update(Event).values(status="judging"))

    run_db(db_url, go_live)
    first = asyncio.run(turn())
    assert first is not None and first.exists()
    assert asyncio.run(turn()) is None  # not due again within the interval
    # Older backups (as if written in earlier turns): only the newest three stay.
    for n in range(4):
        old = folder / f"{BACKUP_PREFIX}2020010{n}T000000Z{first.suffix}"
        old.write_bytes(b"old")
        os.utime(old, (1_577_836_800 + n, 1_577_836_800 + n))
    os.utime(first, (1_577_836_700, 1_577_836_700))  # make the next turn due
    second = asyncio.run(turn())
    assert second is not None
    kept = list_backups(folder)
    assert len(kept) == 3 and kept[-1] == second and not first.exists()


def test_backup_settings_are_read_and_checked() -> None:
    s = Settings.from_env(
        {"CONCOURS_BACKUP_DIR": "/media/usb/concours", "CONCOURS_BACKUP_MINUTES": "5", "CONCOURS_BACKUP_KEEP": "12"}
    )
    assert (s.backup_dir, s.backup_minutes, s.backup_keep) == (Path("/media/usb/concours"), 5, 12)
    assert Settings.from_env({}).backup_dir is None
    with pytest.raises(SettingsError, match="CONCOURS_BACKUP_MINUTES"):
        Settings.from_env({"CONCOURS_BACKUP_MINUTES": "0"})


# ---- the backups page: the organizer names the folder

PAGE = "/organizer/backups"


def _organizer(db_url: str, settings: Settings, event_status: str = "judging") -> str:
    async def seed(session: AsyncSession) -> str:
        scene = await seed_scoring(session, settings, judges=2, cars=2, prefix="page-")
        await session.execute(update(Event).values(status=event_status))
        return scene.organizer_token

    return run_db(db_url, seed)


def _without(snapshot: dict[str, list[tuple[Any, ...]]], *tables: str) -> dict[str, list[tuple[Any, ...]]]:
    return {name: rows for name, rows in snapshot.items() if name not in tables}


def test_the_organizer_names_a_folder_backs_up_now_and_the_backup_restores(
    db_url: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _organizer(db_url, settings)
    folder = tmp_path / "stick"
    folder.mkdir()
    with signed_in(settings, token) as org:
        assert f'href="{PAGE}"' in org.get("/organizer/").text  # linked from the dashboard
        assert "No backup folder is set yet" in org.get(PAGE).text
        r = post(org, PAGE, {"folder": str(folder), "minutes": "5", "keep": "4"})
        assert r.status_code == 303 and r.headers["location"] == f"{PAGE}?done=saved"
        page = org.get(PAGE).text
        assert str(folder) in page and "one every 5 minutes" in page and "the newest 4 kept" in page
        assert not list(folder.iterdir())  # the write test left nothing behind
        r = post(org, f"{PAGE}/now")
        assert r.status_code == 303
        files = list_backups(folder)
        assert len(files) == 1
        page = org.get(PAGE).text
        assert "Backup written." in org.get(r.headers["location"]).text and files[0].name in page and " KB" in page
    before = _without(_snapshot(db_url), "audit_log")

    async def audit_rows(session: AsyncSession) -> list[tuple[str, Any]]:
        rows = await session.execute(
            text("SELECT action, after FROM audit_log WHERE entity_type = 'backup_setting' ORDER BY id")
        )
        return [(action, after) for action, after in rows]

    logged = run_db(db_url, audit_rows)
    assert [a for a, _ in logged] == ["update", "backup_now"] and str(folder) in str(logged[0][1])

    async def damage(session: AsyncSession) -> None:
        await session.execute(delete(ScoreLine))
        await session.execute(update(Event).values(name="Overwritten"))

    run_db(db_url, damage)
    _env(monkeypatch, db_url)
    assert main(["restore", str(files[0]), "--yes"]) == 0
    assert _without(_snapshot(db_url), "audit_log") == before


def test_a_folder_that_cannot_take_backups_is_refused_beside_the_field_with_what_was_typed(
    db_url: str, settings: Settings, tmp_path: Path
) -> None:
    token = _organizer(db_url, settings)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    cases = [
        ("usb/concours", "full path, starting with /"),
        (str(tmp_path / "not-plugged-in"), "There is no folder at"),
        (str(a_file), "is a file, not a folder"),
    ]
    if Path("/proc/self").is_dir():  # exists and is a folder, but nobody (not even root) may create files there
        cases.append(("/proc/self", "cannot write into /proc/self"))
    with signed_in(settings, token) as org:
        for typed, message in cases:
            r = post(org, PAGE, {"folder": typed, "minutes": "7", "keep": "3"})
            assert r.status_code == 400, typed
            assert message in html.unescape(r.text), (typed, r.text[:300])
            assert f'value="{html.escape(typed)}"' in r.text and 'value="7"' in r.text  # what was typed is kept
            assert 'aria-invalid="true" aria-describedby="e-folder"' in r.text
        r = post(org, PAGE, {"folder": str(tmp_path), "minutes": "0", "keep": "many"})
        assert r.status_code == 400
        assert "minutes from 1 to" in r.text and "How many backups to keep" in r.text and 'value="many"' in r.text
        # Nothing was stored: the page still says no folder is set, and "Back up now" says so too.
        assert "No backup folder is set yet" in org.get(PAGE).text
        r = post(org, f"{PAGE}/now")
        assert r.status_code == 400 and "No backup folder is set" in r.text

    async def stored(session: AsyncSession) -> int:
        return int(await session.scalar(text("SELECT count(*) FROM backup_setting")) or 0)

    assert run_db(db_url, stored) == 0


def test_the_automatic_backup_goes_to_the_folder_named_on_the_page(
    db_url: str, settings: Settings, tmp_path: Path
) -> None:
    token = _organizer(db_url, settings)
    env_folder, page_folder = tmp_path / "env", tmp_path / "page"
    page_folder.mkdir()
    auto = _backup_settings(settings, env_folder, keep=5)  # the environment names another folder
    with signed_in(settings, token) as org:
        assert post(org, PAGE, {"folder": str(page_folder), "minutes": "1", "keep": "2"}).status_code == 303

    async def turn() -> Path | None:
        db = Database.connect(db_url)
        try:
            return await backups.backup_if_due(auto, db.read, db.write)
        finally:
            await db.dispose()

    written = asyncio.run(turn())
    assert written is not None and written.parent == page_folder and not env_folder.exists()
    with signed_in(settings, token) as org:
        page = org.get(PAGE).text
        assert f"Written: {written.name}" in page and "Last automatic backup: <strong>" in page
        # Emptying the folder field hands the backups back to the environment's folder.
        assert post(org, PAGE, {"folder": "", "minutes": "1", "keep": "2"}).status_code == 303
    now_planned = run_db(db_url, lambda session: backups.plan(session, auto))
    assert now_planned.folder == env_folder and not now_planned.from_page and now_planned.keep == 2
    os.utime(written, (1_577_836_700, 1_577_836_700))
    again = asyncio.run(turn())
    assert again is not None and again.parent == env_folder
