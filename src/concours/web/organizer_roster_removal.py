"""Removing a judge from an event's roster: a confirmation page that says what will happen, then the act."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from concours.services import roster, roster_removal
from concours.services.errors import ServiceError
from concours.services.permissions import event_for_organizer
from concours.web.common import Db, SignedIn, device_of, redirect, render


class OrganizerRosterRemovalController(Controller):
    path = "/organizer"

    @get("/events/{event_id:int}/roster/{judge_id:int}/remove")
    async def confirm_page(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: SignedIn,
        event_id: FromPath[int],
        judge_id: FromPath[int],
    ) -> Template:
        event = await event_for_organizer(db, viewer, event_id)
        judge = await roster.judge_on_roster(db, event, judge_id)
        plan = await roster_removal.plan_removal(db, event, judge)
        return render(request, "organizer/roster_remove.html", event=event, plan=plan, error="")

    @post("/events/{event_id:int}/roster/{judge_id:int}/remove", media_type=MediaType.HTML)
    async def remove(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: SignedIn,
        event_id: FromPath[int],
        judge_id: FromPath[int],
    ) -> Any:
        event = await event_for_organizer(db, viewer, event_id)
        judge = await roster.judge_on_roster(db, event, judge_id)
        try:
            plan = await roster_removal.remove_from_roster(db, viewer, event, judge, device_of(request))
        except ServiceError as exc:
            plan = await roster_removal.plan_removal(db, event, judge)
            return render(
                request,
                "organizer/roster_remove.html",
                status_code=exc.status_code,
                event=event,
                plan=plan,
                error=exc.message,
            )
        done = f"{plan.name} removed from the roster"
        if plan.open_assignments:
            done += f"; {len(plan.open_assignments)} cars back on the assignment board"
        return redirect(f"/organizer/events/{event.id}/roster?done={quote_plus(done)}")
