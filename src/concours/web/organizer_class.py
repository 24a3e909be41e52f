"""One class's pages for its organizers: how the class is judged (the event's system, its own points system,
placings, or display), and each car's award track (the award it competes for) with where it came from and the
organizer's override with a reason."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Controller, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass
from concours.services import class_systems, tracks
from concours.web.common import Form, FormPage, submit
from concours.web.dependencies import ORGANIZED_CLASS, Db, OrganizedClass, Req, SignedIn


async def _system_context(db: AsyncSession, subject: tuple[EventClass, Event], form: Form | None) -> dict[str, Any]:
    cls, event = subject
    judging = await class_systems.judging_of(db, event, cls)
    return {
        "event": event,
        "cls": cls,
        "judging": judging,
        "form": form or class_systems.class_form(judging),
        "points_presets": class_systems.points_presets(),
    }


async def _tracks_context(db: AsyncSession, subject: tuple[EventClass, Event], form: Form | None) -> dict[str, Any]:
    cls, event = subject
    return {"event": event, "cls": cls, "page": await tracks.class_tracks_page(db, event, cls)}


SYSTEM = FormPage("organizer/class_system.html", _system_context)
TRACKS = FormPage("organizer/tracks.html", _tracks_context)


class OrganizerClassController(Controller):
    """``/organizer/classes/<id>/system`` and ``/organizer/classes/<id>/tracks``: the organizers only (a chief judge
    who does not organize the event is refused)."""

    path = "/organizer/classes/{class_id:int}"
    dependencies = {"organized_class": ORGANIZED_CLASS}

    @get("/system")
    async def system_page(self, request: Req, db: Db, organized_class: OrganizedClass) -> Template:
        return await SYSTEM.render(request, db, organized_class)

    @get("/tracks")
    async def tracks_page(self, request: Req, db: Db, organized_class: OrganizedClass) -> Template:
        return await TRACKS.render(request, db, organized_class)

    @post("/system")
    async def save_system(self, request: Req, db: Db, viewer: SignedIn, organized_class: OrganizedClass) -> Any:
        cls, event = organized_class
        act = partial(class_systems.set_class_system, db, viewer, event, cls)  # given the form
        return await submit(request, db, SYSTEM, organized_class, act, f"/organizer/events/{event.id}#classes")

    @post("/tracks")
    async def save_track(self, request: Req, db: Db, viewer: SignedIn, organized_class: OrganizedClass) -> Any:
        cls, event = organized_class
        act = partial(tracks.set_track, db, viewer, event, cls)  # given the form
        return await submit(request, db, TRACKS, organized_class, act, f"/organizer/classes/{cls.id}/tracks")
