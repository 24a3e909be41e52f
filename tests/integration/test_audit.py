"""The audit log records only real changes: an edit that changes nothing leaves no row, and a row holds only the
fields that changed — through the services, on the real database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog
from concours.services import judging_systems, roster
from concours.settings import Settings
from tests.conftest import run_db
from tests.helpers import make_organizer
from tests.scenes import new_event, organizer

# The class_placings preset's system, as its form shows it.
SYSTEM = {
    "sheet_mode": "individual",
    "combine": "mean",
    "award_rule": "places",
    "places": "3",
    "tie_break": "authenticity,condition",
}


async def _rows(session: AsyncSession, entity_type: str) -> list[AuditLog]:
    return list(
        (await session.scalars(select(AuditLog).where(AuditLog.entity_type == entity_type).order_by(AuditLog.id))).all()
    )


def test_saving_the_judging_system_unchanged_leaves_no_row_and_a_change_records_only_its_fields(
    db_url: str, settings: Settings
) -> None:
    make_organizer(db_url)

    async def go(session: AsyncSession) -> list[tuple[object, object]]:
        event, _, viewer = await new_event(session, await organizer(session))
        await judging_systems.update_system(session, viewer, event, dict(SYSTEM, places="5"))
        first = len(await _rows(session, "judging_system"))
        await judging_systems.update_system(session, viewer, event, dict(SYSTEM, places="5"))  # the same again
        assert len(await _rows(session, "judging_system")) == first
        await judging_systems.update_system(session, viewer, event, dict(SYSTEM, places="5", show_percent="on"))
        return [(r.before, r.after) for r in await _rows(session, "judging_system")]

    rows = run_db(db_url, go)
    # The preset's system had 3 places: the first save changed only that; the last only the percent.
    assert rows[-2:] == [({"places": 3}, {"places": 5}), ({"show_percent": False}, {"show_percent": True})]


def test_a_judges_profile_saved_unchanged_leaves_no_row(db_url: str, settings: Settings) -> None:
    make_organizer(db_url)

    async def go(session: AsyncSession) -> tuple[int, list[tuple[object, object]]]:
        event, _, viewer = await new_event(session, await organizer(session))
        form = {"name": "Jo Master", "email": "jo@example.com", "rank": "master", "specialties": "Bugatti"}
        judge = await roster.invite_judge(session, settings, viewer, event, form)
        invited = len(await _rows(session, "judge"))
        profile = {"rank": "master", "specialties": "Bugatti", "notes": ""}
        await roster.update_judge(session, viewer, event, judge, profile)
        unchanged = len(await _rows(session, "judge")) - invited
        await roster.update_judge(session, viewer, event, judge, dict(profile, rank="senior"))
        rows = await _rows(session, "judge")
        return unchanged, [(r.before, r.after) for r in rows[invited:]]

    unchanged, rows = run_db(db_url, go)
    assert unchanged == 0
    assert rows == [({"rank": "master"}, {"rank": "senior"})]
