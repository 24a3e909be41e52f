"""Scoring from tablets over HTTP: every change applied once however often it is sent; stale writes (another
device, an old page) refused with the current values; bad saves refused with a clear message, never a 500."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.app import create_app
from concours.db import AuditLog, ScoreLine, ScoreSheet, SheetChange
from concours.settings import Settings
from tests.conftest import run_db
from tests.helpers import htmx_post
from tests.scenes import Seeded, categories, seed, signed_in


def state_data(fragment: str, key: str) -> dict[str, str]:
    """The data-* attributes of the save-state span ``state-<key>`` (what the server holds now)."""
    m = re.search(rf'<span[^>]*id="state-{key}"[^>]*>', fragment, re.S)
    assert m, fragment
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', m.group(0))}


def counts(db_url: str) -> tuple[int, int, int]:
    async def go(session: AsyncSession) -> tuple[int, int, int]:
        audits = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.entity_type == "score_sheet")
        )
        changes = await session.scalar(select(func.count()).select_from(SheetChange))
        lines = await session.scalar(select(func.count()).select_from(ScoreLine))
        return audits or 0, changes or 0, lines or 0

    return run_db(db_url, go)


@pytest.fixture
def show(db_url: str, settings: Settings) -> Seeded:
    return seed(db_url, settings, judges=2, cars=2)


def test_a_replayed_change_is_applied_once(show: Seeded, db_url: str, settings: Settings) -> None:
    entry = show.entries[0]
    with signed_in(settings, show.judge_tokens[0]) as judge:
        cats = categories(judge, entry)
        change = {"value": "2.5", "note": "chip", "change_id": "tablet-1", "base_value": "", "base_note": ""}
        answers = [htmx_post(judge, f"/judging/entries/{entry}/lines/{cats[0]}", change) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 200], answers[-1].text
        assert all("Saved" in r.text for r in answers)
        # The line now holds 37.5 of 40 (units of a tenth): the next change is based on that.
        assert state_data(answers[-1].text, str(cats[0]))["base-value"] == "375"
        follow = {"value": "3", "note": "chip", "change_id": "tablet-2", "base_value": "375", "base_note": "chip"}
        assert htmx_post(judge, f"/judging/entries/{entry}/lines/{cats[0]}", follow).status_code == 200
        # The first change replayed late (its base is stale now) is still a harmless replay, not a conflict.
        late = htmx_post(judge, f"/judging/entries/{entry}/lines/{cats[0]}", change)
        assert late.status_code == 200
        assert state_data(late.text, str(cats[0]))["base-value"] == "370"
    audits, changes, lines = counts(db_url)
    assert (audits, changes, lines) == (2, 2, 1)

    async def audit_rows(session: AsyncSession) -> list[AuditLog]:
        return list((await session.scalars(select(AuditLog).where(AuditLog.action == "line"))).all())

    rows = run_db(db_url, audit_rows)
    assert [r.before for r in rows] == [None, {"value": 375, "note": "chip"}]
    assert [r.after["value"] for r in rows if r.after] == [375, 370]
    assert all(r.user_id is not None and "testclient" in r.device for r in rows)


def test_a_stale_write_is_refused_with_the_current_values(show: Seeded, db_url: str, settings: Settings) -> None:
    entry = show.entries[0]
    with signed_in(settings, show.judge_tokens[0]) as tablet, signed_in(settings, show.judge_tokens[0]) as phone:
        cats = categories(tablet, entry)
        url = f"/judging/entries/{entry}/lines/{cats[1]}"
        # Both devices opened the empty sheet; the tablet saves first.
        first = htmx_post(tablet, url, {"value": "1", "note": "", "change_id": "a", "base_value": "", "base_note": ""})
        assert first.status_code == 200
        second = htmx_post(phone, url, {"value": "4", "note": "x", "change_id": "b", "base_value": "", "base_note": ""})
        assert second.status_code == 409
        assert "changed on another device" in second.text and "a deduction of 1" in second.text
        current = state_data(second.text, str(cats[1]))
        assert current["base-value"] == "290" and current["shown"] == "1" and current["base-note"] == ""
        # A page loaded after the tablet's save (or the phone after seeing the current values) may write.
        third = htmx_post(
            phone, url, {"value": "4", "note": "x", "change_id": "c", "base_value": "290", "base_note": ""}
        )
        assert third.status_code == 200
        # The comment, too.
        comment = f"/judging/entries/{entry}/comment"
        ok = htmx_post(tablet, comment, {"comment": "Lovely", "change_id": "d", "base_comment": ""})
        assert ok.status_code == 200 and state_data(ok.text, "comment")["base-comment"] == "Lovely"
        stale = htmx_post(phone, comment, {"comment": "Superb", "change_id": "e", "base_comment": ""})
        assert stale.status_code == 409 and state_data(stale.text, "comment")["base-comment"] == "Lovely"

    async def line_value(session: AsyncSession) -> int | None:
        return await session.scalar(select(ScoreLine.value_units).where(ScoreLine.category_id == cats[1]))

    assert run_db(db_url, line_value) == 260


def test_two_judges_on_one_team_sheet_cannot_overwrite_each_other(db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings, judges=2, cars=1, sheet_mode="team")
    entry = show.entries[0]
    with signed_in(settings, show.judge_tokens[0]) as cap, signed_in(settings, show.judge_tokens[1]) as mem:
        cats = categories(cap, entry)
        url = f"/judging/entries/{entry}/lines/{cats[3]}"
        base = {"base_value": "", "base_note": ""}
        assert htmx_post(mem, url, {"value": "15", "change_id": "m1", **base}).status_code == 200
        r = htmx_post(cap, url, {"value": "18", "change_id": "c1", **base})
        assert r.status_code == 409 and state_data(r.text, str(cats[3]))["shown"] == "15"


@pytest.mark.parametrize(
    ("category", "value", "message"),
    [
        (0, "45", "a deduction is between 0 and 40"),
        (0, "-1", "a deduction is between 0 and 40"),
        (0, "0.3", "steps of 0.5"),
        (3, "21", "outside 0–20"),
        (3, "1e999", "is not a number"),
        (3, "abc", "is not a number"),
        (3, "0.25", "finer than this sheet allows"),
    ],
)
def test_bad_values_are_refused_clearly(
    show: Seeded, db_url: str, settings: Settings, category: int, value: str, message: str
) -> None:
    entry = show.entries[0]
    with signed_in(settings, show.judge_tokens[0]) as judge:
        cats = categories(judge, entry)
        r = htmx_post(judge, f"/judging/entries/{entry}/lines/{cats[category]}", {"value": value, "change_id": "z"})
        assert r.status_code == 422, r.text
        assert message in html.unescape(r.text)
    assert counts(db_url) == (0, 0, 0)


def test_wrong_category_other_judges_sheet_and_garbage_never_500(show: Seeded, db_url: str, settings: Settings) -> None:
    other = seed(db_url, settings, judges=1, cars=1, prefix="other-")
    entry = show.entries[0]
    with signed_in(settings, show.judge_tokens[0]) as judge, signed_in(settings, other.judge_tokens[0]) as stranger:
        cats = categories(judge, entry)
        foreign = categories(stranger, other.entries[0])
        # A category of another event's score sheet.
        r = htmx_post(judge, f"/judging/entries/{entry}/lines/{foreign[0]}", {"value": "1", "change_id": "w"})
        assert r.status_code == 422 and "not on this car's score sheet" in html.unescape(r.text)
        assert f'id="state-{foreign[0]}"' in r.text
        # A judge of another show writing on this car: refused, and nothing learnt.
        r = htmx_post(stranger, f"/judging/entries/{entry}/lines/{cats[0]}", {"value": "1", "change_id": "s"})
        assert r.status_code == 403 and "not on the judging team" in r.text
        # Ids beyond the database, malformed bases, a huge change id, NUL bytes: answers, never a 500.
        for url, data, expected in [
            (f"/judging/entries/{entry}/lines/{2**40}", {"value": "1"}, 404),
            (f"/judging/entries/{2**40}/lines/{cats[0]}", {"value": "1"}, 404),
            (f"/judging/entries/{entry}/lines/{cats[0]}", {"value": "1", "base_value": "x", "base_note": ""}, 422),
            (f"/judging/entries/{entry}/lines/{cats[0]}", {"value": "1", "base_value": "9" * 40}, 422),
            (f"/judging/entries/{entry}/lines/{cats[0]}", {"value": "1\x00", "change_id": "n" * 500}, 400),
            (f"/judging/entries/{entry}/lines/{cats[0]}", {"value": "1", "note": "x" * 3000}, 422),
            (f"/judging/entries/{entry}/comment", {"comment": "y" * 6000}, 422),
        ]:
            r = htmx_post(judge, url, data)
            assert r.status_code == expected, (url, data, r.status_code, r.text[:200])
        # Without the CSRF header nothing is saved.
        r = judge.post(f"/judging/entries/{entry}/lines/{cats[0]}", data={"value": "2"}, headers={"hx-request": "true"})
        assert r.status_code == 403


def test_submitted_and_certified_sheets_are_locked(show: Seeded, db_url: str, settings: Settings) -> None:
    entry = show.entries[0]
    with signed_in(settings, show.judge_tokens[0]) as judge:
        cats = categories(judge, entry)
        for n, cid in enumerate(cats):
            assert (
                htmx_post(
                    judge, f"/judging/entries/{entry}/lines/{cid}", {"value": "1", "change_id": f"v{n}"}
                ).status_code
                == 200
            )
        assert judge.post(
            f"/judging/entries/{entry}/submit", headers={"x-csrftoken": judge.cookies.get("concours_csrf") or ""}
        ).status_code in (200, 303)
        r = htmx_post(judge, f"/judging/entries/{entry}/lines/{cats[0]}", {"value": "2", "change_id": "late"})
        assert r.status_code == 409 and "only the chief judge can reopen it" in r.text

    async def status(session: AsyncSession) -> str | None:
        return await session.scalar(select(ScoreSheet.status).where(ScoreSheet.entry_id == entry))

    assert run_db(db_url, status) == "submitted"


def test_home_shows_the_judging_window_and_progress(show: Seeded, settings: Settings) -> None:
    with signed_in(settings, show.judge_tokens[0]) as judge:
        page = judge.get("/judging/").text
        assert "Judging: Sat 12 Jun – Sun 13 Jun 2027 (Europe/London)" in page
        assert "0 of 2 sheets submitted" in page and "<progress" in page
        car = judge.get(f"/judging/entries/{show.entries[0]}").text
        assert "History from the entrant" in car and "1937 Talbot-Lago T150-C SS 0" in car
        assert "Tap each check that fails." in car


def test_the_benchmark_baseline_fragment(client: TestClient[Any], settings: Settings) -> None:
    r = client.get("/judging/_bench/fragment")
    assert r.status_code == 200 and "Saved" in r.text and 'id="sheet-total"' in r.text
    prod = Settings(
        database_url=settings.database_url,
        secret_key=settings.secret_key,
        environment="production",
        media_dir=settings.media_dir,
        base_url=settings.base_url,
    )
    with TestClient(app=create_app(prod, run_outbox=False), base_url=settings.base_url) as c:
        assert c.get("/judging/_bench/fragment").status_code == 404
