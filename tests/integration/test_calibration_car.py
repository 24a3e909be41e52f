"""The calibration car over HTTP on a real database: the chief judge names one car and its sheet; every judge of the
event (on its class's team or not) sees it first on their home and scores it with the normal sheet; a judge with a
confirmed conflict on the car is not offered it and is refused it; the calibration page shows each judge's deviation
from the median of the others and who has not scored it; the class's results, the regular calibration figures and
the entrant's feedback are unchanged by the calibration sheets."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, Conflict, Event, EventClass, Judge, ScoreSheet, User
from concours.services import accounts, events, results, teams
from concours.settings import Settings
from tests.conftest import run_db
from tests.helpers import htmx_post, post
from tests.scenes import Seeded, line_ids, seed, signed_in, viewer_of

# The CCCA sheet: body & paint 25, interior 20, engine 15, chrome & trim 15, undercarriage 15, wheels & tires 10.
AGREED = ["24", "19", "14", "14", "14", "9"]  # 94
LOW = ["14", "19", "14", "14", "14", "9"]  # 84
WILD = ["5", "5", "5", "5", "5", "5"]  # 30: a calibration sheet far from everything


@dataclass
class Scene:
    show: Seeded
    rubric_id: int
    other_token: str  # a judge of class D only: not on the calibration car's class team
    conflicted_token: str  # a judge of class D with a confirmed conflict on the calibration car
    other_judge_id: int


def scene(db_url: str, settings: Settings) -> Scene:
    show = seed(db_url, settings, judges=3, cars=2, preset="ccca_100")

    async def go(session: AsyncSession) -> Scene:
        event = await session.get(Event, show.event_id)
        org = await session.scalar(select(User).where(User.email == "chief@example.com"))
        assert event is not None and org is not None and event.rubric_id is not None
        viewer = viewer_of(org, event.id)
        cls = await events.add_class(session, viewer, event, code="D", name="Post-war Open")
        other = await teams.add_judge_to_class(
            session, settings, viewer, cls, name="Olive Other", email="o@example.com"
        )
        conflicted = await teams.add_judge_to_class(
            session, settings, viewer, cls, name="Conrad Conflicted", email="cc@example.com"
        )
        session.add(
            Conflict(
                event_id=event.id,
                judge_id=conflicted.id,
                entry_id=show.entries[0],
                reason="Restored this car",
                source="organizer",
                state="confirmed",
            )
        )
        tokens = []
        for judge in (other, conflicted):
            user_id = await session.scalar(select(Judge.user_id).where(Judge.id == judge.id))
            assert user_id is not None
            tokens.append(await accounts.start_session(session, settings, user_id, "seed"))
        return Scene(show, event.rubric_id, tokens[0], tokens[1], other.id)

    return run_db(db_url, go)


def score(judge: TestClient[Any], base: str, values: list[str], tag: str) -> None:
    page = judge.get(base)
    assert page.status_code == 200, page.text
    for n, (cid, value) in enumerate(zip(line_ids(page.text), values, strict=True)):
        r = htmx_post(judge, f"{base}/lines/{cid}", {"value": value, "change_id": f"{tag}{n}"})
        assert r.status_code == 200, r.text
    r = post(judge, f"{base}/submit")
    assert r.status_code == 303, r.text


def set_car(chief: TestClient[Any], sc: Scene) -> None:
    r = post(
        chief,
        f"/chief/events/{sc.show.event_id}/calibration-car",
        {"calibration_entry": str(sc.show.entries[0]), "calibration_rubric": str(sc.rubric_id)},
    )
    assert r.status_code == 303, r.text


def test_every_judge_scores_the_calibration_car_and_the_page_shows_deviations(db_url: str, settings: Settings) -> None:
    sc = scene(db_url, settings)
    show, car = sc.show, sc.show.entries[0]
    base = f"/judging/calibration/{car}"
    with signed_in(settings, show.organizer_token) as chief:
        # Nothing chosen: the section offers the choice; a bad choice is refused beside its field, the choice kept.
        page = html.unescape(chief.get(f"/chief/events/{show.event_id}/calibration").text)
        assert 'id="calibration-car"' in page and "Set the calibration car" in page
        r = post(
            chief,
            f"/chief/events/{show.event_id}/calibration-car",
            {"calibration_entry": "999999", "calibration_rubric": str(sc.rubric_id)},
        )
        assert r.status_code == 400
        assert 'id="e-calibration_entry"' in r.text and "Choose one of the event&#39;s accepted cars." in r.text
        assert f'<option value="{sc.rubric_id}" selected>' in r.text
        set_car(chief, sc)

    with signed_in(settings, sc.other_token) as other:
        # Not on class C's team: the car's regular sheet is refused, its calibration sheet is offered first.
        home = html.unescape(other.get("/judging/").text)
        assert "Calibration car — score this before judging starts" in home
        assert f'href="{base}"' in home
        assert home.index("Calibration car") < home.index("Class D")
        assert other.get(f"/judging/entries/{car}").status_code == 403
        sheet = other.get(base)
        assert sheet.status_code == 200 and 'id="calibration-note"' in sheet.text
        assert f'hx-post="{base}/lines/' in sheet.text and f'action="{base}/submit"' in sheet.text
        # Submitting an incomplete sheet is refused on the page, as for a regular sheet.
        assert post(other, f"{base}/submit").status_code == 400
        score(other, base, WILD, "o")
        assert "Submitted" in other.get("/judging/").text.split("Class D")[0]

    with signed_in(settings, sc.conflicted_token) as conflicted:
        home = conflicted.get("/judging/").text
        assert "Calibration car" not in home
        assert conflicted.get(base).status_code == 403
        r = htmx_post(conflicted, f"{base}/lines/1", {"value": "5", "change_id": "x"})
        assert r.status_code == 403

    # Judges 0 and 1 of class C score it too: a calibration sheet beside their regular sheet on the same car.
    for n, values in ((0, AGREED), (1, LOW)):
        with signed_in(settings, show.judge_tokens[n]) as judge:
            score(judge, base, values, f"cal{n}-")
            score(judge, f"/judging/entries/{car}", AGREED, f"reg{n}-")
            # The class's list still shows the regular sheet's state.
            assert judge.get("/judging/").text.count("Submitted") >= 2

    with signed_in(settings, show.organizer_token) as chief:
        page = html.unescape(chief.get(f"/chief/events/{show.event_id}/calibration").text)
        section = page.split('id="calibration-car"')[1].split("</section>")[0]
        rows = dict(re.findall(r'<tr data-judge="([^"]+)">(.*?)</tr>', section, re.S))
        # Totals 94 (Judge 0), 84 (Judge 1), 30 (Olive): the median of the others' is 57, 62, 89.
        assert '<td>94</td><td class="deviation">+37.0</td>' in rows["Judge 0"]
        assert '<td>84</td><td class="deviation">+22.0</td>' in rows["Judge 1"]
        assert '<td>30</td><td class="deviation">−59.0</td>' in rows["Olive Other"]
        assert "Body & paint −14.0" in rows["Olive Other"]  # 5 against the median of 24 and 14 (19)
        assert '<svg id="calibration-car-chart"' in section and "Olive Other: −59.0 points." in section
        assert "Not scored yet (1): Judge 2." in section
        assert "Not offered the car (a confirmed conflict): Conrad Conflicted." in section
        # The regular figures know nothing of the calibration sheets: Olive scored no regular sheet.
        judges_table = page.split('id="judges-table"')[1].split("</table>")[0]
        assert "Olive Other" not in judges_table

    async def check(session: AsyncSession) -> None:
        event = await session.get(Event, show.event_id)
        cls = await session.get(EventClass, show.class_id)
        assert event is not None and cls is not None
        rows, _ = await results.class_ranking(session, event, cls)
        row = next(r for r in rows if r.entry_id == car)
        assert row.sheet_count == 2 and {s.judge for s in row.sheets} == {"Judge 0", "Judge 1"}
        assert row.score_text == "94"  # the regular sheets only: both 94; the calibration sheets (30, 84) never count
        marked = (await session.scalars(select(ScoreSheet.judge_id).where(ScoreSheet.calibration.is_(True)))).all()
        assert sorted(marked) == sorted([show.judge_ids[0], show.judge_ids[1], sc.other_judge_id])
        assert (await session.scalar(select(AuditLog.id).where(AuditLog.action == "calibration_car"))) is not None

    run_db(db_url, check)


def test_clearing_the_calibration_car_takes_it_off_the_judges_home(db_url: str, settings: Settings) -> None:
    sc = scene(db_url, settings)
    with signed_in(settings, sc.show.organizer_token) as chief:
        set_car(chief, sc)
        with signed_in(settings, sc.other_token) as other:
            assert "Calibration car" in other.get("/judging/").text
            assert post(chief, f"/chief/events/{sc.show.event_id}/calibration-car/clear").status_code == 303
            assert "Calibration car" not in other.get("/judging/").text
            assert other.get(f"/judging/calibration/{sc.show.entries[0]}").status_code == 404
    # A judge cannot name the car: only the organizer or the chief judge.
    with signed_in(settings, sc.show.judge_tokens[0]) as judge:
        r = post(
            judge,
            f"/chief/events/{sc.show.event_id}/calibration-car",
            {"calibration_entry": str(sc.show.entries[0]), "calibration_rubric": str(sc.rubric_id)},
        )
        assert r.status_code == 403
