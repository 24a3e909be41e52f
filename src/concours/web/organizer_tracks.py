"""Award tracks of a class: each car's track (the award it competes for) with where it came from, and the
organizer's override with a reason."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass
from concours.services import tracks
from concours.services.permissions import class_for_organizer
from concours.web.common import Form, FormPage, submit
from concours.web.dependencies import Db, Req, SignedIn


async def _context(db: AsyncSession, subject: tuple[EventClass, Event], form: Form | None) -> dict[str, Any]:
    cls, event = subject
    return {"event": event, "cls": cls, "page": await tracks.class_tracks_page(db, event, cls)}


PAGE = FormPage("organizer/tracks.html", _context)


class OrganizerTracksController(Controller):
    path = "/organizer/classes/{class_id:int}/tracks"

    @get("/")
    async def show(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Template:
        return await PAGE.render(request, db, await class_for_organizer(db, viewer, class_id))

    @post("/")
    async def save(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Any:
        cls, event = await class_for_organizer(db, viewer, class_id)

        async def act(form: Form) -> None:
            await tracks.set_track(db, viewer, event, cls, form)

        return await submit(request, db, PAGE, (cls, event), act, f"/organizer/classes/{cls.id}/tracks")
