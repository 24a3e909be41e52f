"""Calibration: the chief judge's and organizer's page (judges' severity, each car's disagreement, flags to look
at before certifying), acknowledging a flagged car, and the organizer's view of a judge over past events."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.services import calibration, calibration_car
from concours.services.permissions import Viewer
from concours.web.common import Form, FormPage, redirect, render, submit
from concours.web.dependencies import Db, Req, SignedIn


async def _page_context(db: AsyncSession, subject: tuple[Viewer, int], form: Form | None) -> dict[str, Any]:
    viewer, event_id = subject
    page = await calibration.page(db, viewer, event_id)
    return {"page": page, "event": page.event, "car": await calibration_car.section(db, viewer, page.event)}


PAGE = FormPage("chief/calibration.html", _page_context)


class CalibrationController(Controller):
    path = "/"

    @get("/chief/events/{event_id:int}/calibration")
    async def calibration_page(self, request: Req, db: Db, viewer: SignedIn, event_id: FromPath[int]) -> Template:
        return await PAGE.render(request, db, (viewer, event_id))

    @post("/chief/entries/{entry_id:int}/acknowledge")
    async def acknowledge(self, request: Req, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Response[Any]:
        _, _, event = await calibration.entry_for_review(db, viewer, entry_id)

        async def act(form: Form) -> None:
            await calibration.acknowledge(db, viewer, entry_id, note=form.get(f"note-{entry_id}", ""))

        return await submit(
            request,
            db,
            PAGE,
            (viewer, event.id),
            act,
            f"/chief/events/{event.id}/calibration#car-{entry_id}",
            field=f"note-{entry_id}",
        )

    @post("/chief/events/{event_id:int}/calibration-car")
    async def set_calibration_car(
        self, request: Req, db: Db, viewer: SignedIn, event_id: FromPath[int]
    ) -> Response[Any]:
        async def act(form: Form) -> None:
            await calibration_car.set_car(db, viewer, event_id, form)

        return await submit(
            request, db, PAGE, (viewer, event_id), act, f"/chief/events/{event_id}/calibration#calibration-car"
        )

    @post("/chief/events/{event_id:int}/calibration-car/clear")
    async def clear_calibration_car(
        self, request: Req, db: Db, viewer: SignedIn, event_id: FromPath[int]
    ) -> Response[Any]:
        await calibration_car.clear_car(db, viewer, event_id)
        return redirect(f"/chief/events/{event_id}/calibration#calibration-car")

    @get("/organizer/events/{event_id:int}/judges/{judge_id:int}/severity")
    async def judge_severity(
        self,
        request: Req,
        db: Db,
        viewer: SignedIn,
        event_id: FromPath[int],
        judge_id: FromPath[int],
    ) -> Template:
        history = await calibration.judge_history(db, viewer, event_id, judge_id)
        return render(request, "organizer/judge_severity.html", history=history, event=history.event)
