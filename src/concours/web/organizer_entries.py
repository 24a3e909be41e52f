"""The organizer's entries: the review queue and decisions, classes combined or split, car numbers, the field and
check-in, CSV import and export."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass
from concours.domain.states import ENTRY_STATUSES
from concours.services import csv_entries, entries, selection
from concours.services.errors import FormErrors, ServiceError
from concours.services.permissions import Viewer, entry_for_organizer, event_for_organizer
from concours.web.common import form_data, form_list, redirect, render

MAX_CSV_BYTES = 5 * 1024 * 1024


async def _classes(db: AsyncSession, event: Event) -> list[EventClass]:
    return list(
        (
            await db.scalars(select(EventClass).where(EventClass.event_id == event.id).order_by(EventClass.position))
        ).all()
    )


def _csv_response(text: str, filename: str) -> Response[bytes]:
    return Response(
        text.encode("utf-8-sig"),  # with a BOM: spreadsheets then read the accents right
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
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
        class_id: str | None = None,
        make: str | None = None,
        era: str | None = None,
    ) -> Template:
        event = await event_for_organizer(db, viewer, event_id)
        filters = selection.QueueFilters.parse(status, class_id, make, era)
        return await self._entries_page(request, db, event, filters)

    async def _entries_page(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        event: Event,
        filters: selection.QueueFilters | None = None,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        error_entry: int | None = None,
        form: dict[str, str] | None = None,
        notice: str = "",
    ) -> Template:
        filters = filters or selection.QueueFilters()
        queue = await selection.review_queue(db, event, filters)
        registration = dict(selection.registration_form(event), **(form or {})) if errors else None
        return render(
            request,
            "organizer/entries.html",
            status_code=status_code,
            event=event,
            queue=queue,
            rows=queue.rows,
            classes=await _classes(db, event),
            statuses=ENTRY_STATUSES,
            decisions=selection.DECISIONS,
            filters=filters,
            current=filters.status,
            errors=errors or {},
            error_entry=error_entry,
            form=form or {},
            notice=notice,
            registration=registration or selection.registration_form(event),
            registration_open=entries.registration_open(event),
        )

    @post("/events/{event_id:int}/registration")
    async def registration(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int
    ) -> Any:
        event = await event_for_organizer(db, viewer, event_id)
        form = await form_data(request)
        try:
            await selection.update_registration(db, viewer, event, form)
        except FormErrors as exc:
            return await self._entries_page(request, db, event, status_code=400, errors=exc.errors, form=form)
        return redirect(f"/organizer/events/{event.id}/entries#registration")

    @post("/entries/{entry_id:int}/decision")
    async def decide(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, entry_id: int) -> Any:
        entry = await entry_for_organizer(db, viewer, entry_id)
        form = await form_data(request)
        try:
            await entries.decide(
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
                request, db, event, status_code=400, errors=exc.errors, error_entry=entry.id, form=form
            )
        return redirect(f"/organizer/events/{entry.event_id}/entries#entry-{entry.id}")

    @post("/events/{event_id:int}/entries/bulk")
    async def bulk(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int) -> Any:
        event = await event_for_organizer(db, viewer, event_id)
        form = await form_data(request, multi=("entry_ids",))
        ids = selection.parse_ids(await form_list(request, "entry_ids"))
        try:
            if form.get("action") == "move":
                n = await selection.move_to_class(db, viewer, event, ids, form.get("move_class_id", ""))
            else:
                n = await selection.decide_many(
                    db,
                    viewer,
                    event,
                    ids,
                    status=form.get("bulk_status", ""),
                    class_id=form.get("bulk_class_id", ""),
                    message=form.get("bulk_message", ""),
                )
        except FormErrors as exc:
            return await self._entries_page(request, db, event, status_code=400, errors=exc.errors, form=form)
        except ServiceError as exc:
            return await self._entries_page(
                request, db, event, status_code=400, errors={"bulk": exc.message}, form=form
            )
        return redirect(f"/organizer/events/{event.id}/entries?done={n}")

    @post("/events/{event_id:int}/classes/combine")
    async def combine(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int) -> Any:
        event = await event_for_organizer(db, viewer, event_id)
        form = await form_data(request)
        try:
            await selection.combine_classes(
                db, viewer, event, form.get("combine_from", ""), form.get("combine_into", "")
            )
        except FormErrors as exc:
            return await self._entries_page(request, db, event, status_code=400, errors=exc.errors, form=form)
        return redirect(f"/organizer/events/{event.id}/entries")

    @post("/events/{event_id:int}/numbers")
    async def numbers(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int) -> Any:
        event = await event_for_organizer(db, viewer, event_id)
        form = await form_data(request)
        start = form.get("start", "1").strip() or "1"
        if not start.isdecimal() or not 0 < int(start) < 100000:
            return await self._field_page(
                request, db, event, status_code=400, errors={"start": "Start from a positive whole number."}
            )
        await selection.number_by_class(db, viewer, event, start=int(start))
        return redirect(f"/organizer/events/{event.id}/field")

    @get("/events/{event_id:int}/field")
    async def field(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int) -> Template:
        event = await event_for_organizer(db, viewer, event_id)
        return await self._field_page(request, db, event)

    async def _field_page(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        event: Event,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        error_entry: int | None = None,
    ) -> Template:
        rows = await selection.field_rows(db, event)
        return render(
            request,
            "organizer/entries_field.html",
            status_code=status_code,
            event=event,
            rows=rows,
            checked_in=sum(1 for r in rows if r.entry.checked_in_at),
            absent=sum(1 for r in rows if r.entry.absent_reason),
            errors=errors or {},
            error_entry=error_entry,
        )

    @post("/entries/{entry_id:int}/field")
    async def update_field(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, entry_id: int
    ) -> Any:
        entry = await entry_for_organizer(db, viewer, entry_id)
        form = await form_data(request)
        try:
            await selection.update_field(
                db,
                viewer,
                entry,
                action=form.get("action", ""),
                field_position=form.get("field_position", ""),
                reason=form.get("reason", ""),
            )
        except FormErrors as exc:
            event = await db.get(Event, entry.event_id)
            assert event is not None
            return await self._field_page(request, db, event, status_code=400, errors=exc.errors, error_entry=entry.id)
        return redirect(f"/organizer/events/{entry.event_id}/field#entry-{entry.id}")

    @get("/events/{event_id:int}/entries.csv")
    async def export(self, db: AsyncSession, viewer: Viewer, event_id: int, all: str | None = None) -> Response[bytes]:
        event = await event_for_organizer(db, viewer, event_id)
        text = await csv_entries.export_csv(db, event, field_only=not all)
        return _csv_response(text, f"{event.slug}-{'entries' if all else 'field'}.csv")

    @get("/events/{event_id:int}/entries/template.csv")
    async def template(self, db: AsyncSession, viewer: Viewer, event_id: int) -> Response[bytes]:
        await event_for_organizer(db, viewer, event_id)
        return _csv_response(csv_entries.template_csv(), "entries-template.csv")

    @get("/events/{event_id:int}/entries/import")
    async def import_form(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int
    ) -> Template:
        event = await event_for_organizer(db, viewer, event_id)
        return render(
            request, "organizer/entries_import.html", event=event, errors={}, columns=csv_entries.COLUMNS, imported=None
        )

    @post("/events/{event_id:int}/entries/import")
    async def import_csv(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int
    ) -> Template:
        event = await event_for_organizer(db, viewer, event_id)
        raw = await request.form()
        upload = raw.get("file")
        errors: dict[str, str] = {}
        imported: int | None = None
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors["file"] = "Choose the CSV file to import."
        else:
            data = await upload.read()
            if len(data) > MAX_CSV_BYTES:
                errors["file"] = "The file is larger than 5 MB; split it."
            else:
                try:
                    imported = await csv_entries.import_csv(db, viewer, event, data)
                except FormErrors as exc:
                    errors = exc.errors
                except ServiceError as exc:
                    errors = {"file": exc.message}
        return render(
            request,
            "organizer/entries_import.html",
            status_code=400 if errors else 200,
            event=event,
            errors=errors,
            columns=csv_entries.COLUMNS,
            imported=imported,
        )
