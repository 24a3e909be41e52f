"""The organizer chooses how one class is judged: the event's system, its own points system, placings, or display."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass
from concours.services import class_systems
from concours.services.errors import Forbidden, FormErrors, ServiceError
from concours.services.permissions import Viewer, class_for_chief_judge
from concours.web.common import Db, SignedIn, form_data, redirect, render


async def _class(db: AsyncSession, viewer: Viewer, class_id: int) -> tuple[EventClass, Event]:
    cls, event = await class_for_chief_judge(db, viewer, class_id)
    if not viewer.organizes(event.id):
        raise Forbidden("Only the event's organizers choose how a class is judged.")
    return cls, event


class OrganizerClassSystemController(Controller):
    path = "/organizer/classes/{class_id:int}/system"

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        cls: EventClass,
        event: Event,
        *,
        status_code: int = 200,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        judging = await class_systems.judging_of(db, event, cls)
        return render(
            request,
            "organizer/class_system.html",
            status_code=status_code,
            event=event,
            cls=cls,
            judging=judging,
            form=form or class_systems.class_form(judging),
            errors=errors or {},
            points_presets=class_systems.points_presets(),
        )

    @get("/")
    async def show(
        self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, class_id: FromQuery[int]
    ) -> Template:
        cls, event = await _class(db, viewer, class_id)
        return await self._page(request, db, cls, event)

    @post("/")
    async def save(self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Any:
        cls, event = await _class(db, viewer, class_id)
        form = await form_data(request)
        try:
            await class_systems.set_class_system(db, viewer, event, cls, form)
        except FormErrors as exc:
            return await self._page(request, db, cls, event, status_code=400, form=form, errors=exc.errors)
        except Forbidden:
            raise
        except ServiceError as exc:
            return await self._page(
                request, db, cls, event, status_code=exc.status_code, form=form, errors={"__all__": exc.message}
            )
        return redirect(f"/organizer/events/{event.id}#classes")
