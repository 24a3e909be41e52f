"""Copy an event for next year or a sister show (see ``services.event_copy``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.services import event_copy
from concours.services.permissions import require, why_not_create_event
from concours.web.common import Form, FormPage, submit
from concours.web.dependencies import ORGANIZED, AppSettings, Db, OrganizedEvent, Req, SignedIn
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


async def _copy_source(event: OrganizedEvent, viewer: SignedIn) -> Event:
    """The event to copy (a route's ``source``): its organizers may copy it, if their account may create events."""
    require(why_not_create_event(viewer))
    return event


CopySource = NamedDependency[Event]


class OrganizerCopyController(Controller):
    path = "/organizer"
    dependencies = {"event": ORGANIZED, "source": Provide(_copy_source)}

    @post("/events/{event_id:int}/copy", media_type=MediaType.HTML)
    async def copy(self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn, source: CopySource) -> Any:
        """A new event in draft, with the source's set-up and its organizers (see ``event_copy.copy_event``)."""

        async def act(form: Form) -> Event:
            return await event_copy.copy_event(db, settings, viewer, source, form)

        return await submit(request, db, COPY, source, act, lambda event: f"/organizer/events/{event.id}")

    @get("/events/{event_id:int}/copy")
    async def copy_page(self, request: Req, db: Db, source: CopySource) -> Template:
        return await COPY.render(request, db, source)
