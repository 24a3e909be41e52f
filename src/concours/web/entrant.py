"""The entrant's portal: applications and their status; after publication, results and own sheets."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassResult, Entry, Event, EventClass, Vehicle
from concours.domain.states import results_public
from concours.reports import render_pdf
from concours.services.errors import Forbidden
from concours.services.feedback import entrant_feedback
from concours.services.permissions import Viewer, entry_for_entrant
from concours.web.common import render


def _require_entrant(viewer: Viewer) -> int:
    if viewer.entrant_id is None:
        raise Forbidden("This page is for entrants: apply to an event with your car first.")
    return viewer.entrant_id


class EntrantController(Controller):
    path = "/my"

    @get("/")
    async def portal(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer) -> Template:
        entrant_id = _require_entrant(viewer)
        rows = (
            await db.execute(
                select(Entry, Vehicle, Event, EventClass, ClassResult)
                .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                .join(Event, Event.id == Entry.event_id)
                .outerjoin(EventClass, EventClass.id == Entry.class_id)
                .outerjoin(ClassResult, ClassResult.entry_id == Entry.id)
                .where(Entry.entrant_id == entrant_id)
                .order_by(Event.starts_on.desc(), Entry.id)
            )
        ).all()
        items = []
        for entry, vehicle, event, cls, result in rows:
            published = results_public(event.status) and cls is not None and cls.certified_at is not None
            items.append(
                {
                    "entry": entry,
                    "vehicle": vehicle,
                    "event": event,
                    "cls": cls,
                    "result": result if published else None,
                    "published": published,
                }
            )
        return render(request, "entrant/portal.html", items=items)

    @get("/entries/{entry_id:int}")
    async def sheets(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, entry_id: int
    ) -> Template:
        entry = await entry_for_entrant(db, viewer, entry_id)
        feedback = await entrant_feedback(db, entry, viewer.name)
        return render(request, "entrant/sheets.html", entry=entry, fb=feedback)

    @get("/entries/{entry_id:int}/report.pdf")
    async def report(self, db: AsyncSession, viewer: Viewer, entry_id: int) -> Response[bytes]:
        entry = await entry_for_entrant(db, viewer, entry_id)
        feedback = await entrant_feedback(db, entry, viewer.name)
        pdf = await render_pdf("reports/entrant_score.html", fb=feedback)
        filename = f"score-report-car-{entry.car_number or entry.id}.pdf"
        return Response(
            pdf, media_type="application/pdf", headers={"content-disposition": f'attachment; filename="{filename}"'}
        )
