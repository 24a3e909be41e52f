"""The organizer's entries: the review queue and decisions."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Entrant,
    Entry,
    Event,
    EventClass,
    JudgingSystem,
    User,
    Vehicle,
)
from concours.domain import presets
from concours.domain.rubric import format_units
from concours.domain.states import ENTRY_STATUSES, EVENT_STATUS_LABELS, next_event_status
from concours.services.errors import FormErrors
from concours.services.events import load_rubric, to_categories
from concours.services.permissions import (
    Viewer,
    entry_for_organizer,
    event_for_organizer,
)
from concours.web.common import form_data, redirect, render

TIMEZONES = (
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Australia/Sydney",
    "UTC",
)


async def _event_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    event: Event,
    *,
    status_code: int = 200,
    class_form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    classes = (
        await db.execute(
            select(EventClass, func.count(Entry.id))
            .outerjoin(Entry, (Entry.class_id == EventClass.id) & (Entry.status == "accepted"))
            .where(EventClass.event_id == event.id)
            .group_by(EventClass.id)
            .order_by(EventClass.position)
        )
    ).all()
    counts = dict(
        (
            await db.execute(
                select(Entry.status, func.count()).where(Entry.event_id == event.id).group_by(Entry.status)
            )
        ).all()
    )
    system = await db.scalar(select(JudgingSystem).where(JudgingSystem.event_id == event.id))
    rubric = await load_rubric(db, event.rubric_id) if event.rubric_id else None
    return render(
        request,
        "organizer/event.html",
        status_code=status_code,
        event=event,
        classes=classes,
        counts=counts,
        system=system,
        rubric=rubric,
        categories=to_categories(rubric.categories) if rubric else [],
        fmt=format_units,
        presets=presets.SYSTEM_PRESETS,
        label=EVENT_STATUS_LABELS[event.status],
        next_status=next_event_status(event.status),
        labels=EVENT_STATUS_LABELS,
        class_form=class_form or {},
        errors=errors or {},
    )


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
