"""The organizer's adjustments after picking a preset: the score sheet (rubric) and the judging system."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.i18n import N_
from concours.services import judging_systems, rubrics, setup
from concours.web.common import Form, FormPage, submit
from concours.web.dependencies import ORGANIZED, Db, OrganizedEvent, Req, SignedIn

BLANK_ROWS = 3
BLANK_LEVELS = 2


def _with_blanks(rows: list[dict[str, str]], blanks: int) -> list[dict[str, str]]:
    """The rows as shown, without trailing blank rows, then ``blanks`` empty rows for additions."""
    rows = list(rows)
    while rows and not any(str(v).strip() for k, v in rows[-1].items() if k not in ("mode", "position")):
        rows.pop()
    return rows + [{} for _ in range(blanks)]


async def _rubric_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    page = await rubrics.rubric_page(db, event)
    rows = rubrics.rows_from_form(form) if form is not None else page.rows
    return {
        "event": event,
        "page": page,
        "rows": _with_blanks(rows, BLANK_ROWS),
        "sheet_name": (form or {}).get("sheet_name", page.name),
        "modes": rubrics.CATEGORY_MODES,
    }


async def _system_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    page = await judging_systems.system_page(db, event)
    if form is None:
        values, level_rows = page.form, page.level_rows
    else:
        values = form
        level_rows = [
            {k: row.get(k, "") for k in judging_systems.LEVEL_FIELDS} | {"index": str(i)}
            for i, row in setup.indexed_rows(form, "level", judging_systems.LEVEL_FIELDS)
        ]
    # Levels keep the index they were posted with, so an error ``level-<i>-…`` stays next to its row.
    shown = [row | {"index": row.get("index", str(n))} for n, row in enumerate(level_rows)]
    next_index = max((int(r["index"]) for r in shown), default=-1) + 1
    shown += [{"index": str(next_index + n)} for n in range(BLANK_LEVELS)]
    tie_slots = max(len(page.categories), 1)
    return {
        "event": event,
        "page": page,
        "form": values,
        "levels": shown,
        "tie_break": [values.get(f"tie_break-{i}", "") for i in range(tie_slots)],
        "sheet_modes": judging_systems.SHEET_MODE_LABELS,
        "combines": judging_systems.COMBINE_LABELS,
        "award_rules": judging_systems.AWARD_RULE_LABELS,
    }


RUBRIC = FormPage("organizer/rubric.html", _rubric_context)
SYSTEM = FormPage("organizer/system.html", _system_context)


SAVED_MESSAGES = {
    "1": N_("Saved."),
    "same": N_("Nothing changed."),
}


class OrganizerSetupController(Controller):
    """``/organizer/events/<id>/rubric`` and ``/organizer/events/<id>/system/settings``: adjust a picked preset."""

    path = "/organizer"
    dependencies = {"event": ORGANIZED}

    @get("/events/{event_id:int}/rubric")
    async def rubric(self, request: Req, db: Db, event: OrganizedEvent) -> Template:
        saved = request.query_params.get("saved", "")
        message = SAVED_MESSAGES.get(saved, "")
        if saved == "version":
            message = "version"  # the page states which version existing sheets keep
        return await RUBRIC.render(request, db, event, message=message)

    @post("/events/{event_id:int}/rubric")
    async def save_rubric(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> str:
            rows = rubrics.rows_from_form(form)
            result = await rubrics.update_rubric(db, viewer, event, rows, name=form.get("sheet_name"))
            return "version" if result.versioned else ("1" if result.changed else "same")

        return await submit(
            request, db, RUBRIC, event, act, lambda saved: f"/organizer/events/{event.id}/rubric?saved={saved}"
        )

    # POST .../system is the set-up page's "apply a preset" (OrganizerController.system), and Litestar refuses
    # two controllers on one path, so the settings page lives one level down.
    @get("/events/{event_id:int}/system/settings")
    async def system(self, request: Req, db: Db, event: OrganizedEvent) -> Template:
        message = SAVED_MESSAGES.get(request.query_params.get("saved", ""), "")
        return await SYSTEM.render(request, db, event, message=message)

    @post("/events/{event_id:int}/system/settings")
    async def save_system(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            await judging_systems.update_system(db, viewer, event, form)

        return await submit(request, db, SYSTEM, event, act, f"/organizer/events/{event.id}/system/settings?saved=1")
