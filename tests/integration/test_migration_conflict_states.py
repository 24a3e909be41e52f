"""Migration 0017 on a database with conflicts in it: every existing conflict stays confirmed (what binds today keeps
binding), of type "other", and the sources are renamed for who raised them (declared → judge). A fresh SQLite file,
migrated to 0013 first, then to the head."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from concours.db.migrate import upgrade

NOW = "2026-12-01 10:00:00"


def event_with_a_judge_at_0013(path: Path) -> sqlite3.Connection:
    """A fresh SQLite file at 0013 holding an event in judging and a judge (ids 1); the open connection, to add
    more rows (a ``with`` block commits them)."""
    upgrade(f"sqlite+aiosqlite:///{path}", "0013_forms")
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO user_account (id, email, name, is_organizer, is_active, created_at)"
        " VALUES (1, 'j@example.com', 'Jo Judge', 0, 1, ?)",
        (NOW,),
    )
    db.execute(
        "INSERT INTO event (id, slug, name, venue, starts_on, ends_on, timezone, description, status,"
        " history_max_chars, max_photos, terms_text, created_at)"
        " VALUES (1, 'e', 'E', '', '2027-06-12', '2027-06-12', 'UTC', '', 'judging', 2000, 6, '', ?)",
        (NOW,),
    )
    db.execute(
        "INSERT INTO judge (id, user_id, rank, honorary, specialties, notes, created_at)"
        " VALUES (1, 1, 'judge', 0, '', '', ?)",
        (NOW,),
    )
    return db


def test_existing_conflicts_stay_confirmed_and_sources_are_renamed(tmp_path: Path) -> None:
    path = tmp_path / "before.db"
    url = f"sqlite+aiosqlite:///{path}"
    with event_with_a_judge_at_0013(path) as db:
        db.executemany(
            "INSERT INTO conflict (event_id, judge_id, reason, source, created_at) VALUES (1, 1, ?, ?, ?)",
            [("restored it", "declared", NOW), ("a friend", "organizer", NOW)],
        )
    upgrade(url)
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT reason, source, kind, state, dismissed_reason, decided_by_id FROM conflict ORDER BY id"
        ).fetchall()
    assert rows == [
        ("restored it", "judge", "other", "confirmed", "", None),
        ("a friend", "organizer", "other", "confirmed", "", None),
    ]


def test_migrating_down_and_up_keeps_every_event_s_rows(tmp_path: Path) -> None:
    """A batch migration rebuilds its table on SQLite; with foreign keys on, dropping the old table once cascaded to
    every row that pointed at it. The migrations run with them off (and are checked): down past 0016 (which rebuilds
    the event table) and up again, the event, its class and its conflict are all still there."""
    from alembic import command

    from concours.db.migrate import alembic_config

    path = tmp_path / "roundtrip.db"
    url = f"sqlite+aiosqlite:///{path}"
    with event_with_a_judge_at_0013(path) as db:
        db.execute(
            "INSERT INTO event_class (id, event_id, code, name, description, position, places_awarded, team_min,"
            " team_max) VALUES (1, 1, 'C', 'Coupés', '', 1, 3, 2, 4)"
        )
        db.execute(
            "INSERT INTO conflict (event_id, judge_id, class_id, reason, source, created_at)"
            " VALUES (1, 1, 1, 'owns one', 'declared', ?)",
            (NOW,),
        )
    config = alembic_config(url)
    for step in ("head", "0013_forms", "head", "0009_placings", "head"):
        if step == "head":
            command.upgrade(config, "head")
        else:
            command.downgrade(config, step)
        with sqlite3.connect(path) as db:
            counts = [
                db.execute("SELECT count(*) FROM event").fetchone()[0],
                db.execute("SELECT count(*) FROM event_class").fetchone()[0],
                db.execute("SELECT count(*) FROM conflict").fetchone()[0],
            ]
        assert counts == [1, 1, 1], (step, counts)
