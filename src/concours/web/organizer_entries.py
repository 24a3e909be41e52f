"""The organizer's entries: the review queue and decisions."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Entrant,
    Entry,
    Event,
    EventClass,
    User,
    Vehicle,
)
from concours.domain.states import ENTRY_STATUSES
from concours.services.errors import FormErrors
from concours.services.permissions import (
    Viewer,
    entry_for_organizer,
    event_for_organizer,
)
from concours.web.common import form_data, redirect, render


class OrganizerEntriesController(Controller):
    path = "/organizer"

    @get("/events/{event_id:int}/entries")
    async def entries(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        viewer: Viewer,
        event_id: int,
        status: str | None = None,
    ) -> Template:
        event = await event_for_organizer(db, viewer, event_id)
        return await self._entries_page(request, db, event, status)

    async def _entries_page(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        event: Event,
        status: str | None,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        error_entry: int | None = None,
    ) -> Template:
        query = (
            select(Entry, Vehicle, User.name, User.email)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(Entry.event_id == event.id)
            .order_by(Entry.car_number.is_(None), Entry.car_number, Entry.id)
        )
        if status in ENTRY_STATUSES:
            query = query.where(Entry.status == status)
        rows = (await db.execute(query)).all()
        classes = (
            await db.scalars(select(EventClass).where(EventClass.event_id == event.id).order_by(EventClass.position))
        ).all()
        return render(
            request,
            "organizer/entries.html",
            status_code=status_code,
            event=event,
            rows=rows,
            classes=classes,
            statuses=ENTRY_STATUSES,
            current=status or "",
            errors=errors or {},
            error_entry=error_entry,
        )

    @post("/entries/{entry_id:int}/decision")
    async def decide(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, entry_id: int) -> Any:
        from concours.services import entries as entry_service

        entry = await entry_for_organizer(db, viewer, entry_id)
        form = await form_data(request)
        try:
            await entry_service.decide(
                db,
                viewer,
                entry,
                status=form.get("status", entry.status),
                class_id=form.get("class_id", ""),
                car_number=form.get("car_number", ""),
                message=form.get("message", ""),
            )
        except FormErrors as exc:
            event = await db.get(Event, entry.event_id)
            assert event is not None
            return await self._entries_page(
                request, db, event, None, status_code=400, errors=exc.errors, error_entry=entry.id
            )
        return redirect(f"/organizer/events/{entry.event_id}/entries#entry-{entry.id}")
