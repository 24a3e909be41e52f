"""Calibration over HTTP on a real database: the page's figures, a flagged car refusing certification until the
chief judge acknowledges it (or reopens a sheet with a reason), both kept on the certification record; the
threshold edited with the judging system; the organizer's view of a judge; nobody else gets in."""

from __future__ import annotations

import html
import re
import time
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, CalibrationReview, ClassResult, Conflict, JudgingSystem, PlacingSheet, ScoreSheet
from concours.settings import Settings
from tests.conftest import run_db
from tests.helpers import htmx_post, post, statements
from tests.scenes import BigShow, Seeded, big_show, categories, seed, signed_in

# The CCCA sheet: body & paint 25, interior 20, engine 15, chrome & trim 15, undercarriage 15, wheels & tires 10.
AGREED = ["24", "19", "14", "14", "14", "9"]  # 94
CALM = ["22", "19", "14", "14", "14", "9"]  # 92: every judge the same on car #10
HARSH = ["14", "19", "14", "14", "14", "9"]  # 84: body & paint 10 below the others


def score(judge: TestClient[Any], entry: int, values: list[str], tag: str) -> None:
    cats = categories(judge, entry)
    for n, (cid, value) in enumerate(zip(cats, values, strict=True)):
        r = htmx_post(judge, f"/judging/entries/{entry}/lines/{cid}", {"value": value, "change_id": f"{tag}{n}"})
        assert r.status_code == 200, r.text
    assert post(judge, f"/judging/entries/{entry}/submit").status_code == 303


def judged_show(db_url: str, settings: Settings) -> Seeded:
    """Three judges on two cars (CCCA preset: flag above 10 % of a line's maximum). On car #11 Judge 0 gives body
    & paint 14 where the others give 24: 10 points apart against a threshold of 2.5; the totals 84 vs 94 are 10
    apart, not above the total's threshold of 10. Car #10's sheets agree."""
    show = seed(db_url, settings, judges=3, cars=2, preset="ccca_100")
    calm, flagged = show.entries
    for n, token in enumerate(show.judge_tokens):
        with signed_in(settings, token) as judge:
            score(judge, calm, CALM, f"c{n}-")
            score(judge, flagged, HARSH if n == 0 else AGREED, f"f{n}-")
    return show


def certify(chief: TestClient[Any], show: Seeded) -> Any:
    return post(chief, f"/organizer/classes/{show.class_id}/certify")


def test_page_shows_severity_and_the_flagged_car(db_url: str, settings: Settings) -> None:
    show = judged_show(db_url, settings)
    calm, flagged = show.entries
    with signed_in(settings, show.organizer_token) as chief:
        r = chief.get(f"/chief/events/{show.event_id}/calibration")
        assert r.status_code == 200
        page = html.unescape(r.text)
        # Severity: Judge 0 is 0 on car #10 and 84 − 94 = −10 on car #11 → −5.0 over 2 cars, spread 5;
        # Judges 1 and 2: 0 and 94 − (84 + 94) / 2 = +5 → +2.5, spread 2.5.
        rows = dict(re.findall(r'<tr data-judge="(Judge \d)">(.*?)</tr>', page, re.S))
        assert '<td class="severity">−5.0</td>' in rows["Judge 0"]
        assert "Body & paint −5.0; Chrome & trim 0.0" in rows["Judge 0"]  # 0 on car #10, 14 − 24 on car #11
        assert '<td class="severity">+2.5</td>' in rows["Judge 1"]
        cells = re.findall(r"<td>(.*?)</td>", rows["Judge 0"])
        assert cells[:2] == ["5", "2"]  # spread, cars
        # The charts are drawn in the page, each with its title, description and the same figures in a table.
        assert '<svg id="severity-chart"' in page and '<svg id="spread-chart"' in page
        assert '<title id="sev-title">' in page and "Judge 0: −5.0 points over 2 cars." in page
        assert "Car 11 (class C): Body & paint 10 points apart, threshold 2.5, flagged." in page
        # Car #11 is flagged on body & paint (10 apart, threshold 2.5), not on its total (10, threshold 10).
        flagged_row = re.search(rf'<tr id="car-{flagged}"(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
        assert "⚑ Body & paint: 10 points apart" in flagged_row and "(threshold 2.5)" in flagged_row
        assert "⚑ Total" not in flagged_row
        assert f'<tr id="car-{calm}"' not in page  # car #10 is among the others, not flagged
        assert "1</strong> flagged car," in page and "1</strong> still to look at" in page
        # Linked from the chief's board and the event's navigation.
        assert f'href="/chief/events/{show.event_id}/calibration"' in chief.get(f"/chief/events/{show.event_id}").text
        assert (
            f'href="/chief/events/{show.event_id}/calibration"'
            in chief.get(f"/organizer/events/{show.event_id}/roster").text
        )
    # Judges never see it (nor another judge's figures).
    with signed_in(settings, show.judge_tokens[1]) as judge:
        assert judge.get(f"/chief/events/{show.event_id}/calibration").status_code == 403
        severity = f"/organizer/events/{show.event_id}/judges/{show.judge_ids[0]}/severity"
        assert judge.get(severity).status_code == 403


def test_flag_refuses_certification_until_acknowledged(db_url: str, settings: Settings) -> None:
    show = judged_show(db_url, settings)
    _, flagged = show.entries
    with signed_in(settings, show.organizer_token) as chief:
        r = certify(chief, show)
        text = html.unescape(r.text)
        assert r.status_code == 400
        assert "Class C cannot be certified yet" in text
        assert "#11 1938 Talbot-Lago T150-C SS 1 (Body & paint 10 points apart (threshold 2.5))" in text
        # The note is required; what was typed stays beside the field.
        r = post(chief, f"/chief/entries/{flagged}/acknowledge", {f"note-{flagged}": "ok"})
        assert r.status_code == 400 and 'id="e-note-' in r.text and ">ok</textarea>" in r.text
        note = "Walked the car with Judge 0: the repaint flaw is real, the sheets stand."
        r = post(chief, f"/chief/entries/{flagged}/acknowledge", {f"note-{flagged}": note})
        assert r.status_code == 303
        assert r.headers["location"] == f"/chief/events/{show.event_id}/calibration#car-{flagged}"
        page = html.unescape(chief.get(f"/chief/events/{show.event_id}/calibration").text)
        assert f"Acknowledged</strong> by Charlotte Chief: {note}" in page and "0</strong> still to look at" in page
        assert certify(chief, show).status_code == 303
        results = html.unescape(chief.get(f"/organizer/classes/{show.class_id}/results").text)
        assert f"Acknowledged by Charlotte Chief: {note}" in results and "Body & paint 10 points apart" in results
        # A certified class's cars are not acknowledged again.
        assert post(chief, f"/chief/entries/{flagged}/acknowledge", {f"note-{flagged}": note}).status_code == 400

    async def record(session: AsyncSession) -> tuple[Any, Any, Any]:
        frozen = await session.scalar(select(ClassResult).where(ClassResult.entry_id == flagged))
        certified = await session.scalar(
            select(AuditLog).where(AuditLog.entity_type == "class", AuditLog.action == "certify")
        )
        acked = await session.scalar(
            select(AuditLog).where(AuditLog.entity_id == flagged, AuditLog.action == "calibration_acknowledge")
        )
        assert frozen is not None and certified is not None and acked is not None
        return frozen.explanation["calibration"], certified.after, acked.after

    frozen, certified, acked = run_db(db_url, record)
    assert frozen["figures"] == "Body & paint 10 points apart (threshold 2.5)"
    assert [(r["kind"], r["note"], r["by"]) for r in frozen["reviews"]] == [("acknowledged", note, "Charlotte Chief")]
    assert certified["calibration_flags"][0]["entry_id"] == flagged
    assert acked["note"] == note and acked["class"] == "C"


def test_reopening_a_sheet_with_a_reason_also_clears_the_flag(db_url: str, settings: Settings) -> None:
    show = judged_show(db_url, settings)
    _, flagged = show.entries

    async def harsh_sheet(session: AsyncSession) -> int:
        sid = await session.scalar(
            select(ScoreSheet.id).where(ScoreSheet.entry_id == flagged, ScoreSheet.judge_id == show.judge_ids[0])
        )
        assert sid is not None
        return sid

    sheet_id = run_db(db_url, harsh_sheet)
    with signed_in(settings, show.organizer_token) as chief:
        assert certify(chief, show).status_code == 400
        page = chief.get(f"/chief/events/{show.event_id}/calibration").text
        assert f'href="/chief/sheets/{sheet_id}"' in page  # the flagged line links each judge's sheet
        reason = "Body & paint 10 below the team: check the paint score"
        assert post(chief, f"/chief/sheets/{sheet_id}/reopen", {"reason": reason}).status_code == 303
        with signed_in(settings, show.judge_tokens[0]) as judge:  # the judge looks again and signs as it was
            assert post(judge, f"/judging/entries/{flagged}/submit").status_code == 303
        assert certify(chief, show).status_code == 303
        results = html.unescape(chief.get(f"/organizer/classes/{show.class_id}/results").text)
        assert f"Sheet reopened by Charlotte Chief: {reason}" in results

    async def frozen(session: AsyncSession) -> Any:
        row = await session.scalar(select(ClassResult).where(ClassResult.entry_id == flagged))
        assert row is not None
        return row.explanation["calibration"]["reviews"]

    assert [(r["kind"], r["note"]) for r in run_db(db_url, frozen)] == [("reopened", reason)]


def test_a_conflicted_judge_is_left_out_and_the_threshold_is_the_events(db_url: str, settings: Settings) -> None:
    show = judged_show(db_url, settings)
    _, flagged = show.entries
    url = f"/organizer/events/{show.event_id}/system/settings"
    with signed_in(settings, show.organizer_token) as chief:
        form = {
            "sheet_mode": "individual",
            "combine": "mean_drop_high_low",
            "award_rule": "places",
            "places": "3",
            "disagreement_percent": "ten",
            "disagreement_places": "0",
        }
        r = post(chief, url, form)
        assert r.status_code == 400
        assert 'id="e-disagreement_percent"' in r.text and 'value="ten"' in r.text
        assert 'id="e-disagreement_places"' in r.text
        # 50 % of body & paint's 25 is 12.5: the 10 points apart no longer flag the car.
        assert post(chief, url, dict(form, disagreement_percent="50", disagreement_places="3")).status_code == 303
        assert 'value="50"' in chief.get(url).text
        page = chief.get(f"/chief/events/{show.event_id}/calibration").text
        assert "0</strong> flagged cars" in page and "<strong>50 %</strong>" in page
        assert post(chief, url, dict(form, disagreement_percent="10", disagreement_places="2")).status_code == 303
        assert "1</strong> flagged car," in chief.get(f"/chief/events/{show.event_id}/calibration").text

    async def conflict(session: AsyncSession) -> tuple[int, int]:
        session.add(
            Conflict(event_id=show.event_id, judge_id=show.judge_ids[0], entry_id=flagged, reason="Restored it")
        )
        system = await session.scalar(select(JudgingSystem).where(JudgingSystem.event_id == show.event_id))
        assert system is not None
        return system.disagreement_permille, system.disagreement_places

    assert run_db(db_url, conflict) == (100, 2)
    with signed_in(settings, show.organizer_token) as chief:
        page = html.unescape(chief.get(f"/chief/events/{show.event_id}/calibration").text)
        # Judge 0's sheet on car #11 leaves its figures: the two others agree, nothing is flagged, and Judge 0's
        # severity rests on car #10 alone.
        assert "0</strong> flagged cars" in page and "left out for a conflict: Judge 0" in page
        row = re.search(r'<tr data-judge="Judge 0">(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
        assert '<td class="severity">0.0</td>' in row and re.findall(r"<td>(.*?)</td>", row)[:2] == ["—", "1"]
        assert certify(chief, show).status_code == 303

    async def reviews(session: AsyncSession) -> int:
        return len((await session.scalars(select(CalibrationReview))).all())

    assert run_db(db_url, reviews) == 0


def test_the_organizer_sees_a_judges_severity_over_past_events(db_url: str, settings: Settings) -> None:
    show = judged_show(db_url, settings)
    with signed_in(settings, show.organizer_token) as chief:
        r = chief.get(f"/organizer/events/{show.event_id}/judges/{show.judge_ids[0]}/severity")
        assert r.status_code == 200
        page = html.unescape(r.text)
        assert "Judge 0: severity over past events" in page
        row = re.search(r'<table class="board" id="history-table">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)  # type: ignore[union-attr]
        assert "Lakeside Concours" in row and '<td class="severity">−5.0</td>' in row and "<td>2</td>" in row
        assert chief.get(f"/organizer/events/{show.event_id}/judges/999999/severity").status_code == 404


def test_a_placings_car_far_apart_holds_certification_until_an_order_is_reopened(
    db_url: str, settings: Settings
) -> None:
    show = seed(db_url, settings, judges=3, cars=4)
    e0, e1, e2, e3 = show.entries
    cid = show.class_id
    orders = {0: (e0, e1, e2, e3), 1: (e1, e0, e2, e3), 2: (e3, e0, e1, e2)}
    with signed_in(settings, show.organizer_token) as chief:
        assert (
            post(chief, f"/organizer/classes/{cid}/system", {"judging": "placings", "places": "3"}).status_code == 303
        )
    for n, order in orders.items():
        with signed_in(settings, show.judge_tokens[n]) as judge:
            text = ",".join(str(e) for e in order)
            assert post(judge, f"/judging/classes/{cid}/placings/submit", {"order": text}).status_code == 303
    with signed_in(settings, show.organizer_token) as chief:
        # Car #13 is placed 4th, 4th and 1st: 3 places apart, above the threshold of 2. The others stay within 2.
        page = html.unescape(chief.get(f"/chief/events/{show.event_id}/calibration").text)
        row = re.search(rf'<tr id="car-{e3}"(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
        assert "⚑ Place: 3 places apart" in row and "(threshold 2)" in row
        assert "1</strong> flagged car," in page
        # Agreement instead of points: tau(J0, J1) = 4/6, tau(J0, J2) = 0, tau(J1, J2) = −2/6 (Kendall's tau).
        judge2 = re.search(r'<tr data-judge="Judge 2">(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
        assert "little agreement (Kendall's tau -0.17)" in judge2
        r = certify(chief, show)
        assert r.status_code == 400
        assert "#13 1940 Talbot-Lago T150-C SS 3 (Place 3 places apart (threshold 2))" in html.unescape(r.text)

        async def third_order(session: AsyncSession) -> int:
            sid = await session.scalar(select(PlacingSheet.id).where(PlacingSheet.judge_id == show.judge_ids[2]))
            assert sid is not None
            return sid

        sheet_id = run_db(db_url, third_order)
        reason = "Judge 2 put #13 first: talk it through before signing again"
        r = post(chief, f"/organizer/classes/{cid}/orders/{sheet_id}/reopen", {"reason": reason})
        assert r.status_code == 303
    with signed_in(settings, show.judge_tokens[2]) as judge:
        text = ",".join(str(e) for e in orders[2])  # the judge keeps their order, now with the chief's knowledge
        assert post(judge, f"/judging/classes/{cid}/placings/submit", {"order": text}).status_code == 303
    with signed_in(settings, show.organizer_token) as chief:
        assert certify(chief, show).status_code == 303
        results = html.unescape(chief.get(f"/organizer/classes/{cid}/results").text)
        assert f"Sheet reopened by Charlotte Chief: {reason}" in results


def test_the_calibration_page_runs_the_same_statements_at_any_size(db_url: str, settings: Settings) -> None:
    """No query per row: the calibration page (and a class's flags) cost the same for 60 cars and for 300."""
    seen: dict[int, int] = {}
    for cars, prefix in ((60, "s-"), (300, "l-")):

        async def go(session: AsyncSession, cars: int = cars, prefix: str = prefix) -> BigShow:
            return await big_show(session, settings, cars=cars, prefix=prefix)

        show = run_db(db_url, go)
        with signed_in(settings, show.organizer_token) as org:
            url = f"/chief/events/{show.event_id}/calibration"
            org.get(url)  # warm: the session is looked up once
            started = time.perf_counter()
            with statements(org) as run:
                page = org.get(url)
            elapsed = time.perf_counter() - started
            assert page.status_code == 200 and "flagged car" in page.text
            seen[cars] = len(run)
            print(f"calibration page, {cars} applications: {len(run)} statements, {elapsed * 1000:.0f} ms")
    assert seen[60] == seen[300] and seen[300] <= 25, seen
