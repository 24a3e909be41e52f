"""Migration 0017 on a database with conflicts in it: every existing conflict stays confirmed (what binds today keeps
binding), of type "other", and the sources are renamed for who raised them (declared → judge). A fresh SQLite file,
migrated to 0013 first, then to the head."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from concours.db.migrate import upgrade

NOW = "2026-12-01 10:00:00"


def test_existing_conflicts_stay_confirmed_and_sources_are_renamed(tmp_path: Path) -> None:
    path = tmp_path / "before.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url, "0013_forms")
    with sqlite3.connect(path) as db:
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
