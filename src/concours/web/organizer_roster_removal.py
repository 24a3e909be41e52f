"""Removing a judge from an event's roster: a confirmation page that says what will happen, then the act."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, Judge
from concours.i18n import gettext
from concours.services import roster_removal
from concours.web.common import Form, FormPage, device_of, notice_url, submit
from concours.web.dependencies import Db, Req, SignedIn
from concours.web.organizer_judges import ON_ROSTER, OnRoster


async def _context(db: AsyncSession, subject: tuple[Event, Judge], form: Form | None) -> dict[str, Any]:
    event, judge = subject
    return {"event": event, "plan": await roster_removal.plan_removal(db, event, judge)}


CONFIRM = FormPage("organizer/roster_remove.html", _context)


class OrganizerRosterRemovalController(Controller):
    path = "/organizer/events/{event_id:int}/roster/{judge_id:int}/remove"
    dependencies = {"on_roster": ON_ROSTER}  # the judge to remove

    @get("/")
    async def confirm_page(self, request: Req, db: Db, on_roster: OnRoster) -> Template:
        return await CONFIRM.render(request, db, on_roster)

    @post("/", media_type=MediaType.HTML)
    async def remove(self, request: Req, db: Db, viewer: SignedIn, on_roster: OnRoster) -> Any:
        event, judge = on_roster

        async def act(form: Form) -> roster_removal.RemovalPlan:
            return await roster_removal.remove_from_roster(db, viewer, event, judge, device_of(request, form))

        def done(plan: roster_removal.RemovalPlan) -> str:
            said = (
                gettext(
                    "%(name)s removed from the roster; %(n)s cars back on the assignment board",
                    name=plan.name,
                    n=len(plan.open_assignments),
                )
                if plan.open_assignments
                else gettext("%(name)s removed from the roster", name=plan.name)
            )
            return notice_url(f"/organizer/events/{event.id}/roster", said)

        return await submit(request, db, CONFIRM, (event, judge), act, done, keep_form=False)
