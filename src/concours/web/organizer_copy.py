"""Copy an event for next year or a sister show (see ``services.event_copy``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.services import event_copy
from concours.services.permissions import Viewer, event_for_organizer, require, why_not_create_event
from concours.web.common import Form, FormPage, submit
from concours.web.dependencies import AppSettings, Db, Req, SignedIn
from concours.web.organizer import TIMEZONES


async def _copy_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    timezones = TIMEZONES if event.timezone in TIMEZONES else (event.timezone, *TIMEZONES)
    return {
        "event": event,
        "form": form if form is not None else await event_copy.copy_form(db, event),
        "timezones": timezones,
        "counts": await event_copy.copy_summary(db, event),
    }


COPY = FormPage("organizer/event_copy.html", _copy_context)


async def _source(db: AsyncSession, viewer: Viewer, event_id: int) -> Event:
    """The event to copy: its organizers may copy it, if their account may create events."""
    event = await event_for_organizer(db, viewer, event_id)
    require(why_not_create_event(viewer))
    return event


class OrganizerCopyController(Controller):
    path = "/organizer"

    @get("/events/{event_id:int}/copy")
    async def copy_page(self, request: Req, db: Db, viewer: SignedIn, event_id: FromPath[int]) -> Template:
        return await COPY.render(request, db, await _source(db, viewer, event_id))

    @post("/events/{event_id:int}/copy", media_type=MediaType.HTML)
    async def copy(self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn, event_id: FromPath[int]) -> Any:
        source = await _source(db, viewer, event_id)

        async def act(form: Form) -> Event:
            return await event_copy.copy_event(db, settings, viewer, source, form)

        return await submit(request, db, COPY, source, act, lambda event: f"/organizer/events/{event.id}")
