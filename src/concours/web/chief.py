"""The chief judge's screens: the live progress board, a sheet's history, reopening, paper sheets."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.domain.rubric import format_units
from concours.i18n import N_, gettext
from concours.services import oversight
from concours.services.errors import Forbidden, ServiceError
from concours.services.permissions import Viewer
from concours.web.common import MAX_ID, Form, FormPage, device_of, redirect, render, submit, typed_form
from concours.web.dependencies import Db, Req, SignedIn

STATE_LABELS = {"not_started": N_("Not started"), "in_progress": N_("In progress"), "submitted": N_("Submitted")}


async def _sheet_context(db: AsyncSession, subject: tuple[Viewer, int], form: Form | None) -> dict[str, Any]:
    viewer, sheet_id = subject
    return {"sheet": await oversight.sheet_detail(db, viewer, sheet_id), "labels": STATE_LABELS}


async def _paper_context(db: AsyncSession, subject: tuple[Viewer, int, int], form: Form | None) -> dict[str, Any]:
    viewer, entry_id, judge_id = subject
    target = await oversight.paper_target(db, viewer, entry_id, judge_id)
    return {"target": target, "sheet": target.sheets, "fmt": format_units}


SHEET = FormPage("chief/sheet.html", _sheet_context)
PAPER = FormPage("chief/paper.html", _paper_context)


class ChiefController(Controller):
    path = "/chief"

    @get("/")
    async def index(self, request: Req, db: Db, viewer: SignedIn) -> Template | Redirect:
        events = await oversight.chief_events(db, viewer)
        if not events:
            raise Forbidden(gettext("This page is for the chief judge."))
        if len(events) == 1:
            return redirect(f"/chief/events/{events[0].id}")
        return render(request, "chief/index.html", events=events)

    @get("/events/{event_id:int}")
    async def board(
        self,
        request: Req,
        db: Db,
        viewer: SignedIn,
        event_id: FromPath[int],
        class_id: FromQuery[str | None] = None,
        show: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> Template:
        board = await oversight.board(db, viewer, event_id)
        filters = oversight.BoardFilters.parse(class_id, show, q, page)
        return render(
            request,
            "chief/board.html",
            board=board,
            event=board.event,
            view=oversight.board_page(board, filters),
            filters=filters,
            states=oversight.BOARD_STATES,
            fmt=format_units,
            labels=STATE_LABELS,
        )

    @get("/sheets/{sheet_id:int}")
    async def sheet(self, request: Req, db: Db, viewer: SignedIn, sheet_id: FromPath[int]) -> Template:
        return await SHEET.render(request, db, (viewer, sheet_id))

    @post("/sheets/{sheet_id:int}/reopen")
    async def reopen(self, request: Req, db: Db, viewer: SignedIn, sheet_id: FromPath[int]) -> Any:
        async def act(form: Form) -> None:
            await oversight.reopen_sheet(
                db, viewer, sheet_id, reason=form.get("reason", ""), device=device_of(request, form)
            )

        return await submit(request, db, SHEET, (viewer, sheet_id), act, f"/chief/sheets/{sheet_id}")

    @get("/entries/{entry_id:int}/paper")
    async def paper_form(
        self,
        request: Req,
        db: Db,
        viewer: SignedIn,
        entry_id: FromPath[int],
        judge_id: Annotated[int, QueryParameter(gt=0, le=MAX_ID)],
    ) -> Template:
        return await PAPER.render(request, db, (viewer, entry_id, judge_id))

    @post("/entries/{entry_id:int}/paper")
    async def paper_save(self, request: Req, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Response[Any]:
        form = await typed_form(request)  # submit() below refuses a malformed form on the page, typed values kept
        judge_text = form.get("judge_id", "")
        if not judge_text.isdecimal() or len(judge_text) > 9:
            raise ServiceError(gettext("Choose the judge whose paper sheet this is."))
        judge_id = int(judge_text)
        values: dict[int, str] = {}
        notes: dict[int, str] = {}
        comments: dict[str, str] = {}
        for key, value in form.items():
            kind, _, rest = key.partition("-")
            if kind in ("value", "note") and rest.isdecimal() and len(rest) < 10:
                (values if kind == "value" else notes)[int(rest)] = value
            elif kind == "comment":
                comments[rest] = value

        async def act(form: Form) -> int:
            await oversight.enter_paper_sheet(
                db,
                viewer,
                entry_id,
                judge_id,
                values=values,
                notes=notes,
                comments=comments,
                submit=form.get("submit") == "on",
                device=device_of(request, form),
            )
            return (await oversight.paper_target(db, viewer, entry_id, judge_id)).entry.event_id

        # Nothing of a refused paper sheet is kept: the page answers 400, so the request's session rolls back.
        return await submit(
            request, db, PAPER, (viewer, entry_id, judge_id), act, lambda event_id: f"/chief/events/{event_id}"
        )
