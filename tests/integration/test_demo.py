"""The demo: built once into an empty database, realistic in shape, and usable by every audience over HTTP."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

from litestar.testing import TestClient
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from concours.db import (
    AuditLog,
    Certification,
    ClassResult,
    Entrant,
    Entry,
    Event,
    EventClass,
    EventStaff,
    Judge,
    RubricCategory,
    ScoreLine,
    ScoreSheet,
    Team,
    TeamMember,
    User,
    Vehicle,
)
from concours.demo import (
    DEMO_DEVICE,
    DEMO_ENTRANT_EMAIL,
    MAIN_SLUG,
    ORGANIZER_EMAIL,
    ORGANIZER_PASSWORD,
    PAST_SLUG,
    build_demo,
    demo_links,
)
from concours.domain.rubric import check_value
from concours.domain.states import ENTRY_STATUSES
from concours.services.events import to_categories
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import login, post

TABLES = (User, Entrant, Vehicle, Entry, Event, EventClass, EventStaff, Judge, Team, TeamMember, ScoreSheet, ScoreLine)


async def _counts(session: AsyncSession) -> dict[str, int]:
    return {
        model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)) or 0) for model in TABLES
    }


async def _facts(session: AsyncSession) -> dict[str, Any]:
    """Everything the demo promises, read straight from the database."""
    main = await session.scalar(select(Event).where(Event.slug == MAIN_SLUG))
    past = await session.scalar(select(Event).where(Event.slug == PAST_SLUG))
    assert main is not None and past is not None
    classes = (await session.scalars(select(EventClass).where(EventClass.event_id == main.id))).all()
    statuses: dict[str, int] = {
        status: n
        for status, n in await session.execute(
            select(Entry.status, func.count()).where(Entry.event_id == main.id).group_by(Entry.status)
        )
    }
    sheets: dict[str, int] = {
        status: n
        for status, n in await session.execute(
            select(ScoreSheet.status, func.count())
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .where(Entry.event_id == main.id)
            .group_by(ScoreSheet.status)
        )
    }
    scored_classes = set(
        (
            await session.scalars(
                select(Entry.class_id)
                .join(ScoreSheet, ScoreSheet.entry_id == Entry.id)
                .where(Entry.event_id == main.id)
            )
        ).all()
    )
    # A judge on the team of a class in which they have a car (must never happen).
    own_car = aliased(Entry)
    judging_own_class = await session.scalar(
        select(func.count())
        .select_from(TeamMember)
        .join(Team, Team.id == TeamMember.team_id)
        .join(Judge, Judge.id == TeamMember.judge_id)
        .join(Entrant, Entrant.user_id == Judge.user_id)
        .join(own_car, (own_car.entrant_id == Entrant.id) & (own_car.class_id == Team.class_id))
    )
    accepted = (
        await session.execute(
            select(Entry.class_id, Entry.car_number, Entry.field_position).where(
                Entry.event_id == main.id, Entry.status == "accepted"
            )
        )
    ).all()
    # Every stored score is one its category can hold.
    rubric = (await session.scalars(select(RubricCategory).where(RubricCategory.rubric_id == main.rubric_id))).all()
    categories = {c.id: c for c in to_categories(list(rubric))}
    lines = (await session.execute(select(ScoreLine.category_id, ScoreLine.value_units))).all()
    past_classes = (await session.scalars(select(EventClass).where(EventClass.event_id == past.id))).all()
    past_results = await session.scalar(
        select(func.count())
        .select_from(ClassResult)
        .join(EventClass, EventClass.id == ClassResult.class_id)
        .where(EventClass.event_id == past.id)
    )
    demo_entrant_events = set(
        (
            await session.scalars(
                select(Entry.event_id)
                .join(Entrant, Entrant.id == Entry.entrant_id)
                .join(User, User.id == Entrant.user_id)
                .where(User.email == DEMO_ENTRANT_EMAIL, Entry.status == "accepted")
            )
        ).all()
    )
    return {
        "main": main,
        "past": past,
        "classes": classes,
        "statuses": statuses,
        "sheets": sheets,
        "scored_classes": scored_classes,
        "judges": await session.scalar(select(func.count()).select_from(Judge)),
        "judging_own_class": judging_own_class,
        "accepted": accepted,
        "categories": categories,
        "lines": lines,
        "past_classes": past_classes,
        "past_results": past_results,
        "demo_entrant_events": demo_entrant_events,
        "staff": (await session.execute(select(EventStaff.event_id, EventStaff.role))).all(),
        # The judges scored their cars themselves: no sheet was typed in from paper by someone else.
        "entered_by": await session.scalar(
            select(func.count()).select_from(ScoreSheet).where(ScoreSheet.entered_by_id.is_not(None))
        ),
        # Every line and signature of a demo sheet is in its history, as a judge's saves leave it.
        "sheet_audits": {
            action: n
            for action, n in await session.execute(
                select(AuditLog.action, func.count())
                .where(AuditLog.entity_type == "score_sheet", AuditLog.device == DEMO_DEVICE)
                .group_by(AuditLog.action)
            )
        },
        "submitted_sheets": await session.scalar(
            select(func.count()).select_from(ScoreSheet).where(ScoreSheet.status == "submitted")
        ),
    }


def _sign_in_by(client: TestClient[Any], link: str) -> None:
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    r = post(client, path)
    assert r.status_code == 303, r.text


def test_demo_builds_once_and_is_usable(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    assert asyncio.run(build_demo(settings)) is True
    facts = run_db(db_url, _facts)
    main, past = facts["main"], facts["past"]

    # The main event: judging today, a realistic field in every state.
    assert main.status == "judging" and main.rubric_id is not None
    assert len(facts["classes"]) >= 10
    assert sum(facts["statuses"].values()) == 100
    assert set(facts["statuses"]) == set(ENTRY_STATUSES)
    assert facts["statuses"]["accepted"] >= 80
    assert facts["judges"] == 30
    assert facts["judging_own_class"] == 0
    numbers = sorted(n for _, n, _ in facts["accepted"])
    assert numbers == list(range(1, len(numbers) + 1))
    assert all(re.fullmatch(r"Row [A-Z], \d+", pos) for _, _, pos in facts["accepted"])
    # Part of the field is scored: submitted sheets, some drafts, and classes nobody has started.
    assert facts["sheets"]["submitted"] > 50 and facts["sheets"]["draft"] > 0
    class_ids = {c.id for c in facts["classes"]}
    assert 0 < len(facts["scored_classes"]) < len(class_ids)
    for category_id, value in facts["lines"]:
        if category_id in facts["categories"]:
            check_value(facts["categories"][category_id], value, 10)
    assert facts["entered_by"] == 0
    # Every stored line was audited once as the judge saved it, every sheet placed in the past signed once.
    assert facts["sheet_audits"]["line"] == len(facts["lines"])
    assert facts["sheet_audits"]["submit"] == facts["submitted_sheets"]
    # The organizer runs both events as organizer and chief judge.
    for event in (main, past):
        assert {(event.id, "organizer"), (event.id, "chief_judge")} <= set(facts["staff"])

    # Last year's edition: published, every class certified.
    assert past.status == "published" and past.published_at is not None
    assert 3 <= len(facts["past_classes"]) <= 5
    assert all(c.certified_at is not None for c in facts["past_classes"])
    assert facts["past_results"] >= 15
    assert facts["demo_entrant_events"] == {main.id, past.id}

    # A second build finds the demo and adds nothing.
    before = run_db(db_url, _counts)
    assert asyncio.run(build_demo(settings)) is False
    assert run_db(db_url, _counts) == before

    # The public sees last year's results.
    results = client.get(f"/events/{PAST_SLUG}/results")
    assert results.status_code == 200
    assert "1st in class" in results.text
    assert len(re.findall(r"<td>#\d+</td>", results.text)) >= 15
    # Its French-style class: places and no numbers.
    assert "Hemmings Cup" in results.text and "Figoni et Falaschi" in results.text
    # Every class of last year has its verifiable record, certified when its results say; its code checks out.

    async def records(session: AsyncSession) -> list[Any]:
        return list(
            (
                await session.execute(
                    select(EventClass.certified_at, Certification.certified_at, Certification.code)
                    .join(Certification, Certification.content_hash == EventClass.content_hash)
                    .where(EventClass.event_id == past.id)
                )
            ).all()
        )

    records_of_past = run_db(db_url, records)
    assert len(records_of_past) == len(facts["past_classes"])
    assert all(shown == recorded for shown, recorded, _ in records_of_past)
    page = client.get(f"/verify/{records_of_past[0][2]}")
    assert "This code matches a certified record" in page.text and "1st in class" in page.text

    info = asyncio.run(demo_links(settings))
    assert info.organizer_email == ORGANIZER_EMAIL and info.organizer_password == ORGANIZER_PASSWORD
    assert info.results_url == f"{settings.base_url}/events/{PAST_SLUG}/results"

    # The demo judge signs in by link and finds cars to score, some already done and some not started.
    with new_client(settings) as judge:
        _sign_in_by(judge, info.judge_link)
        home = judge.get("/judging/")
        assert home.status_code == 200
        assert "Class M — Italian Coachbuilt" in home.text
        assert "Not started" in home.text and "Submitted" in home.text and "In progress" in home.text
        entry_ids = re.findall(r'href="/judging/entries/(\d+)"', home.text)
        assert len(entry_ids) >= 5
        sheet = judge.get(f"/judging/entries/{entry_ids[-1]}")
        assert sheet.status_code == 200
        # The link works once.
        assert judge.get(urlsplit(info.judge_link).path).status_code == 410

    # The demo entrant sees last year's result, the judges' sheets with comments, and the PDF.
    with new_client(settings) as entrant:
        _sign_in_by(entrant, info.entrant_link)
        portal = entrant.get("/my/")
        assert portal.status_code == 200
        assert "Result: <strong>" in portal.text and "My score sheets" in portal.text
        assert portal.text.count("Accepted") >= 2
        entry_id = int(re.findall(r'href="/my/entries/(\d+)"', portal.text)[0])

        async def comments(session: AsyncSession) -> list[str]:
            rows = await session.scalars(
                select(ScoreSheet.overall_comment).where(
                    ScoreSheet.entry_id == entry_id, ScoreSheet.status == "submitted"
                )
            )
            return [c for c in rows.all() if c]

        sheets = entrant.get(f"/my/entries/{entry_id}")
        assert sheets.status_code == 200
        assert any(str(escape(c)) in sheets.text for c in run_db(db_url, comments))
        pdf = entrant.get(f"/my/entries/{entry_id}/report.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"

    # The organizer signs in with the password and can run the day.
    login(client, ORGANIZER_EMAIL, ORGANIZER_PASSWORD)
    dashboard = client.get("/organizer/")
    assert dashboard.status_code == 200 and MAIN_SLUG.split("-")[0].capitalize() in dashboard.text
    assert client.get(f"/organizer/events/{main.id}").status_code == 200
    entries = client.get(f"/organizer/events/{main.id}/entries")
    # One page of the show's 100 applications at a time (the page stays the same size whatever the show's).
    assert entries.status_code == 200 and len(re.findall(r"/organizer/entries/\d+/decision", entries.text)) == 50
    assert "All (100)" in entries.text
    second = client.get(f"/organizer/events/{main.id}/entries", params={"page": "2"})
    assert len(re.findall(r"/organizer/entries/\d+/decision", second.text)) == 50
    assert client.get(f"/organizer/events/{main.id}/judges").status_code == 200
    # The chief judge's board: the judges' own sheets, none of them marked as typed in from paper.
    board = client.get(f"/chief/events/{main.id}")
    assert board.status_code == 200 and "Submitted" in board.text and "entered from paper" not in board.text
    finished = sorted((c for c in facts["classes"] if c.id in facts["scored_classes"]), key=lambda c: c.position)[0]
    ranking = client.get(f"/organizer/classes/{finished.id}/results")
    assert ranking.status_code == 200 and "1st in class" in ranking.text
    # Every car without an award says why, in points or places (the class has more cars than places).
    placed = len(re.findall(r"<td>#\d+</td>", ranking.text))
    assert placed > 3 and ranking.text.count("No award — ") == placed - 3, placed
    assert "No award — placed 4th: awards go to the first 3 places" in ranking.text
    # A fully scored class of the main event can be certified as it stands (no ties, no drafts).
    assert post(client, f"/organizer/classes/{finished.id}/certify").status_code == 303
