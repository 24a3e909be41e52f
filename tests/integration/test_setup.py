"""The organizer adjusts the score sheet and the judging system after picking a preset, over HTTP.

A rubric change never destroys a score: before scoring it edits the sheet in place; afterwards it makes
a new version and the sheets already scored keep theirs."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import AuditLog, Event, EventClass, JudgingSystem, Rubric, ScoreSheet
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import htmx_post, login, make_organizer, post
from tests.scenes import Scene, set_up_event

# The class_placings preset's sheet ("class_elegance"), as the rubric page shows it.
PRESET_ROWS: list[dict[str, str]] = [
    {"name": "Authenticity", "key": "authenticity", "mode": "deduction", "max": "40", "step": "0.5"},
    {"name": "Condition & presentation", "key": "condition", "mode": "deduction", "max": "30", "step": "0.5"},
    {"name": "Function", "key": "operations", "mode": "deduction", "max": "10", "step": "0.5"},
    {"name": "Elegance & design", "key": "elegance", "mode": "points", "max": "20", "step": "0.5"},
]


def rubric_form(rows: list[dict[str, str]], **extra: str) -> dict[str, str]:
    form: dict[str, str] = dict(extra)
    for i, row in enumerate(rows):
        for k, v in row.items():
            form[f"{k}-{i}"] = v
    return form


def rubric_state(db_url: str, event_id: int) -> dict[str, Any]:
    async def go(session: AsyncSession) -> dict[str, Any]:
        event = await session.get(Event, event_id)
        assert event is not None
        rubrics = (
            await session.scalars(
                select(Rubric).options(selectinload(Rubric.categories)).where(Rubric.event_id == event_id)
            )
        ).all()
        js = await session.scalar(
            select(JudgingSystem).options(selectinload(JudgingSystem.levels)).where(JudgingSystem.event_id == event_id)
        )
        assert js is not None
        return {
            "current": event.rubric_id,
            "rubrics": {
                r.id: {
                    "version": r.version,
                    "replaces": r.replaces_id,
                    "name": r.name,
                    "categories": [
                        (c.key, c.name, c.mode, c.max_units, c.step_units, c.weight_percent, c.section)
                        for c in sorted(r.categories, key=lambda c: c.position)
                    ],
                    "category_ids": {c.key: c.id for c in r.categories},
                    "quick": {c.key: c.quick_deductions for c in r.categories if c.quick_deductions},
                }
                for r in rubrics
            },
            "system": {
                "sheet_mode": js.sheet_mode,
                "combine": js.combine,
                "award_rule": js.award_rule,
                "places": js.places,
                "min_first": js.min_units_for_first,
                "cap": js.cap_units,
                "show_percent": js.show_percent,
                "tie_break_keys": list(js.tie_break_keys),
                "levels": [
                    (lv.name, lv.min_units, lv.min_permille, lv.band_units)
                    for lv in sorted(js.levels, key=lambda lv: lv.position)
                ],
            },
            "audit": [
                (a.entity_type, a.action)
                for a in (
                    await session.scalars(select(AuditLog).where(AuditLog.event_id == event_id).order_by(AuditLog.id))
                ).all()
            ],
        }

    return run_db(db_url, go)


def text_of(page: str) -> str:
    """The page's text with tags removed and entities decoded, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def error_for(page: str, element_id: str) -> str:
    m = re.search(rf'<p class="error" id="{re.escape(element_id)}">([^<]*)</p>', page)
    assert m, f"no error {element_id} in the page"
    return html.unescape(m.group(1))


# ---------------------------------------------------------------------------------------------------------
# The score sheet


def test_rubric_page_shows_the_preset_and_its_maximum(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    r = client.get(f"/organizer/events/{ev['event_id']}/rubric")
    assert r.status_code == 200
    page = text_of(r.text)
    assert "Sheet maximum 100 points" in page and "4 categories" in page and "Version 1" in page
    assert 'value="Condition &amp; presentation"' in r.text and 'name="name-3"' in r.text
    assert 'name="name-6"' in r.text  # three blank rows for additions


def test_edit_categories_in_place_before_scoring(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    before = rubric_state(db_url, ev["event_id"])
    rubric_id = before["current"]
    assert before["system"]["tie_break_keys"] == ["authenticity", "condition"]
    rows = [dict(r, position=str(i)) for i, r in enumerate(PRESET_ROWS, start=1)]
    rows[1]["remove"] = "on"  # condition goes
    rows[2].update(name="Function check", weight="200", section="Operations", guidance="Starts, lights, horn.")
    rows[3].update(max="25", position="1")  # elegance moves to the top
    rows.append({"name": "Fire extinguisher", "key": "", "mode": "deduction", "max": "1", "step": "1", "position": ""})
    rows.append({"name": "", "key": "", "max": "", "step": "", "position": "", "mode": "points"})  # ignored
    rows.append({"name": "Body & paint ", "key": "", "mode": "points", "max": "12.5", "step": "", "weight": "40%"})
    r = post(client, f"/organizer/events/{ev['event_id']}/rubric", rubric_form(rows, sheet_name="Our sheet"))
    assert r.status_code == 303, r.text
    assert r.headers["location"].endswith("/rubric?saved=1")

    after = rubric_state(db_url, ev["event_id"])
    # Edited in place: no new rubric (applying the preset twice left an unused one behind, as before).
    assert after["current"] == rubric_id and len(after["rubrics"]) == len(before["rubrics"])
    current = after["rubrics"][rubric_id]
    assert current["version"] == 1 and current["name"] == "Our sheet"
    assert current["categories"] == [
        ("elegance", "Elegance & design", "points", 250, 5, 100, None),
        ("authenticity", "Authenticity", "deduction", 400, 5, 100, None),
        ("operations", "Function check", "deduction", 100, 5, 200, "operations"),
        ("fire_extinguisher", "Fire extinguisher", "deduction", 10, 10, 100, None),
        ("body_paint", "Body & paint", "points", 125, 1, 40, None),
    ]
    # Kept keys kept their rows; the tie-break order lost the removed category.
    assert current["category_ids"]["authenticity"] == before["rubrics"][rubric_id]["category_ids"]["authenticity"]
    assert after["system"]["tie_break_keys"] == ["authenticity"]
    assert ("rubric", "update") in after["audit"]

    page = client.get(r.headers["location"])
    text = text_of(page.text)
    assert "Saved." in text
    # 25 + 40 + 2 × 10 + 1 + 40 % × 12.5 = 91
    assert "Sheet maximum 91 points" in text and "5 categories" in text

    # The same table again changes nothing.
    rows = [
        {"name": "Elegance & design", "key": "elegance", "mode": "points", "max": "25", "step": "0.5"},
        {"name": "Authenticity", "key": "authenticity", "mode": "deduction", "max": "40", "step": "0.5"},
        {"name": "Function check", "key": "operations", "mode": "deduction", "max": "10", "step": "0.5",
         "weight": "200", "section": "operations", "guidance": "Starts, lights, horn."},
        {"name": "Fire extinguisher", "key": "fire_extinguisher", "mode": "deduction", "max": "1", "step": "1"},
        {"name": "Body & paint", "key": "body_paint", "mode": "points", "max": "12.5", "step": "0.1", "weight": "40"},
    ]  # fmt: skip
    r = post(client, f"/organizer/events/{ev['event_id']}/rubric", rubric_form(rows, sheet_name="Our sheet"))
    assert r.status_code == 303 and r.headers["location"].endswith("saved=same")


def test_bad_rows_are_refused_next_to_their_field_and_nothing_changes(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    before = rubric_state(db_url, ev["event_id"])
    rows = [
        {"name": "Authenticity", "key": "authenticity", "mode": "deduction", "max": "-5", "step": "0.5"},
        {"name": "Condition", "key": "condition", "mode": "deduction", "max": "30", "step": "0"},
        {"name": "Elegance", "key": "elegance", "mode": "sideways", "max": "25", "step": "0.3", "weight": "2000"},
        {"name": "Trunk", "key": "", "mode": "points", "max": "abc", "step": "0.5", "position": "first"},
        {"name": "authenticity", "key": "auth2", "mode": "points", "max": "10", "step": "0.05"},
        {"name": "", "key": "", "mode": "points", "max": "10", "step": ""},
        {"name": "Chassis", "key": "elegance", "mode": "points", "max": "5", "step": "10"},
    ]
    r = post(client, f"/organizer/events/{ev['event_id']}/rubric", rubric_form(rows, sheet_name=""))
    assert r.status_code == 400
    page = r.text
    assert "more than 0" in error_for(page, "e-max-0")
    assert "more than 0" in error_for(page, "e-step-1")
    assert "points (award" in error_for(page, "e-mode-2")
    assert "whole number of steps" in error_for(page, "e-step-2")
    assert "1 to 1000" in error_for(page, "e-weight-2")
    assert "not a number" in error_for(page, "e-max-3")
    assert "whole number" in error_for(page, "e-position-3")
    assert "already on the sheet" in error_for(page, "e-name-4")
    assert "finer than this sheet allows" in error_for(page, "e-step-4")
    assert "Name the category" in error_for(page, "e-name-5")
    assert "already uses the key" in error_for(page, "e-key-6")
    assert "larger than the maximum" in error_for(page, "e-step-6")
    assert "Name the score sheet" in error_for(page, "e-sheet_name")
    # Every typed value is kept.
    for value in ('value="-5"', 'value="abc"', 'value="first"', 'value="2000"', 'value="0.05"', 'value="auth2"'):
        assert value in page, value
    assert '<option value="points" selected>' in page
    assert rubric_state(db_url, ev["event_id"]) == before

    # Removing every category is refused too.
    rows = [dict(r, remove="on") for r in PRESET_ROWS]
    r = post(client, f"/organizer/events/{ev['event_id']}/rubric", rubric_form(rows))
    assert r.status_code == 400 and "Keep at least one category" in r.text
    assert rubric_state(db_url, ev["event_id"]) == before


def test_edit_after_scoring_makes_version_2_and_the_scored_sheet_keeps_version_1(
    scene: Scene, client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    eid = scene.event_id
    state = rubric_state(db_url, eid)
    v1 = state["current"]

    # A class that named the rubric explicitly follows it to the new version too.
    async def pin_class(session: AsyncSession) -> None:
        cls = await session.get(EventClass, scene.class_b)
        assert cls is not None
        cls.rubric_id = v1

    run_db(db_url, pin_class)

    judge = scene.as_user("judge-a@example.com")
    car = scene.entries[0]
    cats = scene.category_ids(judge, car)
    r = htmx_post(judge, f"/judging/entries/{car}/lines/{cats[2]}", {"value": "1.5", "note": "horn", "change_id": "a"})
    assert r.status_code == 200, r.text

    rows = [dict(r) for r in PRESET_ROWS]
    rows[2]["name"] = "Function check"
    rows[3]["max"] = "25"
    rows.append({"name": "Tour d'Elegance", "mode": "points", "max": "5", "step": "1"})
    r = post(client, f"/organizer/events/{eid}/rubric", rubric_form(rows))
    assert r.status_code == 303, r.text
    assert r.headers["location"].endswith("saved=version")
    page = text_of(client.get(r.headers["location"]).text)
    assert "Scoring had started: this is version 2; the 1 sheet already scored keeps version 1." in page
    assert "Sheet maximum 110 points" in page and "Version 2" in page

    after = rubric_state(db_url, eid)
    v2 = after["current"]
    assert v2 != v1
    assert after["rubrics"][v2]["version"] == 2 and after["rubrics"][v2]["replaces"] == v1
    assert after["rubrics"][v1] == state["rubrics"][v1]  # the old version is untouched
    assert after["rubrics"][v2]["quick"] == state["rubrics"][v1]["quick"] != {}  # quick deductions carried over
    assert ("rubric", "new_version") in after["audit"]

    async def facts(session: AsyncSession) -> tuple[list[int], int | None]:
        sheets = (await session.scalars(select(ScoreSheet.rubric_id))).all()
        cls = await session.get(EventClass, scene.class_b)
        assert cls is not None
        return list(sheets), cls.rubric_id

    sheets, class_rubric = run_db(db_url, facts)
    assert sheets == [v1] and class_rubric == v2

    # The judge's sheet still shows version 1 (old names, old maximum) with the score already given.
    sheet = judge.get(f"/judging/entries/{car}").text
    assert "Function check" not in sheet and "Function" in sheet and "Tour d" not in sheet
    assert scene.category_ids(judge, car) == cats
    assert 'value="1.5"' in sheet
    # ... and the judge can go on scoring it.
    r = htmx_post(judge, f"/judging/entries/{car}/lines/{cats[3]}", {"value": "18", "change_id": "b"})
    assert r.status_code == 200, r.text
    # A judge opening a car now gets version 2.
    judge_b = scene.as_user("judge-b@example.com")
    assert "Tour d" in judge_b.get(f"/judging/entries/{scene.entries[1]}").text

    # Version 2 has no sheet yet: a further change edits it in place.
    rows[4]["max"] = "10"
    r = post(client, f"/organizer/events/{eid}/rubric", rubric_form(rows))
    assert r.status_code == 303 and r.headers["location"].endswith("saved=1")
    final = rubric_state(db_url, eid)
    assert final["current"] == v2 and len(final["rubrics"]) == len(after["rubrics"])
    assert final["rubrics"][v2]["categories"][-1][3] == 100
    # The page still says which version earlier sheets keep.
    assert "the 1 sheet already scored keeps version 1" in text_of(client.get(f"/organizer/events/{eid}/rubric").text)


# ---------------------------------------------------------------------------------------------------------
# The judging system

GOOD_SYSTEM = {
    "sheet_mode": "individual",
    "combine": "mean_drop_high_low",
    "award_rule": "places",
    "places": "3",
    "min_first": "",
    "cap": "93",
    "show_percent": "on",
    "tie_break-0": "elegance",
    "tie_break-1": "authenticity",
    "tie_break-2": "",
}


def test_system_settings_are_saved_and_described(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    url = f"/organizer/events/{ev['event_id']}/system/settings"
    r = client.get(url)
    assert r.status_code == 200
    assert "1st–3rd in class" in text_of(r.text)

    r = post(client, url, GOOD_SYSTEM)
    assert r.status_code == 303, r.text
    system = rubric_state(db_url, ev["event_id"])["system"]
    assert system == {
        "sheet_mode": "individual",
        "combine": "mean_drop_high_low",
        "award_rule": "places",
        "places": 3,
        "min_first": None,
        "cap": 930,
        "show_percent": True,
        "tie_break_keys": ["elegance", "authenticity"],
        "levels": [],
    }
    page = text_of(client.get(r.headers["location"]).text)
    assert "Each judge scores the whole car; the highest and lowest sheets are dropped" in page
    assert "1st–3rd in class" in page
    assert "Cars above 93 points are over-qualified" in page
    assert "comparing Elegance & design, then Authenticity" in page
    assert ("judging_system", "update") in rubric_state(db_url, ev["event_id"])["audit"]

    # Levels, hardest first, in points or percent, with an optional band.
    levels = dict(
        GOOD_SYSTEM,
        combine="mean",
        award_rule="levels",
        cap="",
        **{
            "level-0-name": "Gold",
            "level-0-min": "90",
            "level-0-band": "5",
            "level-1-name": "Silver",
            "level-1-percent": "80.5",
            "level-2-name": "Bronze",
            "level-2-min": "70",
            "level-3-name": "",
        },
    )
    r = post(client, url, levels)
    assert r.status_code == 303, r.text
    system = rubric_state(db_url, ev["event_id"])["system"]
    assert system["levels"] == [("Gold", 900, None, 50), ("Silver", None, 805, None), ("Bronze", 700, None, None)]
    page = text_of(client.get(url).text)
    assert "Gold at 90 points and within 5 of the class's best car" in page and "80.5 %" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sheet_mode": "section", "combine": "sum"}, "e-sheet_mode", "these have none: Authenticity"),
        ({"combine": "consensus"}, "e-combine", "consensus sheet goes with team judging"),
        ({"sheet_mode": "team"}, "e-combine", "choose consensus"),
        ({"award_rule": "levels"}, "", "need at least one level"),
        ({"cap": "12,5,5"}, "e-cap", "not a number"),
        ({"cap": "150"}, "e-cap", "above the sheet's maximum of 100"),
        ({"min_first": "-1"}, "e-min_first", "more than 0"),
        ({"min_first": "95", "cap": "93"}, "e-min_first", "above the cap"),
        ({"places": "11"}, "e-places", "0 to 10"),
        ({"tie_break-1": "elegance"}, "e-tie_break", "only once"),
        ({"tie_break-1": "nonsense"}, "e-tie_break", "not a category"),
        ({"level-0-name": "Gold", "level-0-min": "80", "level-1-name": "Silver", "level-1-min": "90"},
         "e-level-1-min", "hardest first"),
        ({"level-0-name": "Gold", "level-0-percent": "90", "level-1-name": "Silver", "level-1-min": "95"},
         "e-level-1-min", "hardest first"),
        ({"level-0-name": "Gold", "level-0-min": "90", "level-0-percent": "90"}, "e-level-0-min", "not both"),
        ({"level-0-name": "Gold"}, "e-level-0-min", "Give the minimum"),
        ({"level-0-min": "90"}, "e-level-0-name", "Name the level"),
        ({"level-0-name": "Gold", "level-0-percent": "101"}, "e-level-0-percent", "at most 100"),
        ({"level-0-name": "Gold", "level-0-min": "90", "level-0-band": "x"}, "e-level-0-band", "not a number"),
    ],
)  # fmt: skip
def test_system_settings_are_validated(
    client: TestClient[Any], db_url: str, change: dict[str, str], field: str, message: str
) -> None:
    ev = set_up_event(client, db_url)
    before = rubric_state(db_url, ev["event_id"])
    r = post(client, f"/organizer/events/{ev['event_id']}/system/settings", dict(GOOD_SYSTEM, **change))
    assert r.status_code == 400, r.text
    if field:
        assert message in error_for(r.text, field)
    else:
        assert message in r.text
    for key, value in change.items():  # what was typed is kept
        if value and not key.startswith(("sheet_mode", "combine", "award_rule", "tie_break")):
            assert f'value="{value}"' in r.text
    assert rubric_state(db_url, ev["event_id"]) == before


def test_section_mode_is_accepted_once_every_category_has_a_section(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    rows = [dict(r, section="exterior" if i < 2 else "interior") for i, r in enumerate(PRESET_ROWS)]
    assert post(client, f"/organizer/events/{ev['event_id']}/rubric", rubric_form(rows)).status_code == 303
    r = post(
        client,
        f"/organizer/events/{ev['event_id']}/system/settings",
        dict(GOOD_SYSTEM, sheet_mode="section", combine="sum", cap=""),
    )
    assert r.status_code == 303, r.text
    page = client.get(f"/organizer/events/{ev['event_id']}/system/settings").text
    assert "own sections (exterior and interior)" in text_of(page)
    # Now the sheet may not lose a section.
    rows[0]["section"] = ""
    r = post(client, f"/organizer/events/{ev['event_id']}/rubric", rubric_form(rows))
    assert r.status_code == 400 and "section judging" in error_for(r.text, "e-section-0")


# ---------------------------------------------------------------------------------------------------------
# Who may


def test_judge_and_other_organizer_get_403(
    scene: Scene, client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    eid = scene.event_id
    before = rubric_state(db_url, eid)
    judge = scene.as_user("judge-a@example.com")
    make_organizer(db_url, "other@example.com")
    with new_client(settings) as other:
        login(other, "other@example.com")
        for c in (judge, other):
            for path in ("rubric", "system/settings"):
                assert c.get(f"/organizer/events/{eid}/{path}").status_code == 403
            assert post(c, f"/organizer/events/{eid}/rubric", rubric_form(PRESET_ROWS)).status_code == 403
            assert post(c, f"/organizer/events/{eid}/system/settings", GOOD_SYSTEM).status_code == 403
    with new_client(settings) as anonymous:
        r = anonymous.get(f"/organizer/events/{eid}/rubric", follow_redirects=False)
        assert r.status_code in (303, 401) and "/login" in r.headers.get("location", "/login")
    assert client.get(f"/organizer/events/{eid + 1000}/rubric").status_code == 404
    assert rubric_state(db_url, eid) == before


# ---------------------------------------------------------------------------------------------------------
# Garbage

GARBAGE = [
    "",
    " ",
    "-1",
    "0",
    "1e999999",
    "9" * 5000,
    "99999999999999999999",
    "NaN",
    "inf",
    "0x10",
    "1/2",
    "１２",
    "1,5",
    "\x00",
    "a\x00b",
    "💥" * 300,
    "<script>alert(1)</script>",
    "0.0000000001",
    "x" * 5000,
    "points,deduction",
    "authenticity,authenticity",
]


def test_no_input_yields_a_500(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    eid = ev["event_id"]
    base = rubric_form(PRESET_ROWS)
    for field in ("position", "name", "key", "mode", "max", "step", "weight", "section", "guidance", "remove"):
        for value in GARBAGE:
            form = dict(base, **{f"{field}-1": value, f"{field}-7": value, "sheet_name": value or "Sheet"})
            r = post(client, f"/organizer/events/{eid}/rubric", form)
            assert r.status_code in (303, 400), (field, value[:20], r.status_code)
    for name in ("name-999", "max-99999", "name--1", "name-", "level-5-name"):
        r = post(client, f"/organizer/events/{eid}/rubric", dict(base, **{name: "x"}))
        assert r.status_code in (303, 400), name
    system_fields = [
        "sheet_mode",
        "combine",
        "award_rule",
        "places",
        "min_first",
        "cap",
        "show_percent",
        "tie_break-0",
        "tie_break",
        "level-0-name",
        "level-0-min",
        "level-0-percent",
        "level-0-band",
        "level-1-min",
        "level-999-name",
    ]
    for field in system_fields:
        for value in GARBAGE:
            form = dict(GOOD_SYSTEM, **{field: value})
            r = post(client, f"/organizer/events/{eid}/system/settings", form)
            assert r.status_code in (303, 400), (field, value[:20], r.status_code)
    assert client.get(f"/organizer/events/{eid}/rubric").status_code == 200
    assert client.get(f"/organizer/events/{eid}/system/settings").status_code == 200
    assert client.get(f"/organizer/events/{eid}/rubric?saved=%00").status_code == 404  # NUL in a query: nothing
