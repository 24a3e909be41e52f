"""The organizer chooses how one class is judged: the event's system, its own points system, placings, or display."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass
from concours.services import class_systems
from concours.services.permissions import class_for_organizer
from concours.web.common import Form, FormPage, submit
from concours.web.dependencies import Db, Req, SignedIn


async def _context(db: AsyncSession, subject: tuple[EventClass, Event], form: Form | None) -> dict[str, Any]:
    cls, event = subject
    judging = await class_systems.judging_of(db, event, cls)
    return {
        "event": event,
        "cls": cls,
        "judging": judging,
        "form": form or class_systems.class_form(judging),
        "points_presets": class_systems.points_presets(),
    }


PAGE = FormPage("organizer/class_system.html", _context)


class OrganizerClassSystemController(Controller):
    path = "/organizer/classes/{class_id:int}/system"

    @get("/")
    async def show(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Template:
        return await PAGE.render(request, db, await class_for_organizer(db, viewer, class_id))

    @post("/")
    async def save(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Any:
        cls, event = await class_for_organizer(db, viewer, class_id)

        async def act(form: Form) -> None:
            await class_systems.set_class_system(db, viewer, event, cls, form)

        return await submit(request, db, PAGE, (cls, event), act, f"/organizer/events/{event.id}#classes")
