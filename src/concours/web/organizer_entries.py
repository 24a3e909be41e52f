"""The organizer's entries: the review queue and decisions, classes combined or split, car numbers, the field and
check-in, CSV import and export."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.domain.states import ENTRY_STATUSES
from concours.i18n import gettext
from concours.services import csv_entries, entries, photos, selection
from concours.services.errors import FormErrors, ServiceError
from concours.services.events import classes_of
from concours.services.permissions import entry_and_event_for_organizer
from concours.web.common import Form, FormPage, form_list, submit
from concours.web.dependencies import ORGANIZED, AppSettings, Db, OrganizedEvent, Req, SignedIn
from concours.web.public import declaring
from concours.web.uploads import UPLOAD_BUDGET, PhotoIntake, UploadBudget, submit_with_photos

MAX_CSV_BYTES = 5 * 1024 * 1024


def _csv_response(text: str, filename: str) -> Response[bytes]:
    return Response(
        text.encode("utf-8-sig"),  # with a BOM: spreadsheets then read the accents right
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@dataclass(frozen=True)
class Queue:
    """The review queue of an event, filtered."""

    event: Event
    filters: selection.QueueFilters = field(default_factory=selection.QueueFilters)
    focus: int | None = None  # an entry whose own form was refused: shown whatever the filters and page


def _list_url(event_id: int, form: Form, anchor: str = "", **extra: object) -> str:
    """The entries page with the filters and page the form was sent from (its ``list`` field, parsed again)."""
    query = selection.QueueFilters.from_query(form.get("list", "")).query(**extra)
    return f"/organizer/events/{event_id}/entries{'?' + query if query else ''}{anchor}"


async def _entries_context(db: AsyncSession, subject: Queue, form: Form | None) -> dict[str, Any]:
    event, filters = subject.event, subject.filters
    if form is not None and "list" in form:  # a refused form: the list it was sent from
        filters = selection.QueueFilters.from_query(form["list"])
    queue = await selection.review_queue(db, event, filters, focus=subject.focus)
    registration = selection.registration_form(event)
    return {
        "event": event,
        "queue": queue,
        "rows": queue.rows,
        "classes": await classes_of(db, event.id),
        "statuses": ENTRY_STATUSES,
        "status_labels": selection.STATUS_LABELS,
        "restoration_states": entries.RESTORATION_STATES,
        "decisions": selection.DECISIONS,
        "filters": filters,
        "current": filters.status,
        "error_entry": None,
        "registration": dict(registration, **form) if form is not None else registration,
        "registration_open": entries.registration_open(event),
        "deadline": selection.deadline_local(event),
        "add_entry_statuses": entries.ADD_ENTRY_STATUSES,
        "added": None,
    }


async def _field_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    rows = await selection.field_rows(db, event)
    return {
        "event": event,
        "rows": rows,
        "checked_in": sum(1 for r in rows if r.entry.checked_in_at),
        "absent": sum(1 for r in rows if r.entry.absent_reason),
        "error_entry": None,
    }


async def _import_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    return {"event": event, "columns": csv_entries.COLUMNS, "imported": None}


async def _add_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "event": event,
        "classes": await classes_of(db, event.id),
        "decisions": entries.ORGANIZER_DECISIONS,
        "restoration_states": entries.RESTORATION_STATES,
        "refusal": entries.why_not_add_entry(event),
        "pending": [],
        "pending_token": "",  # a refused form's photos, kept (see web.uploads.take_photos)
        "max_photo_bytes": photos.MAX_PHOTO_BYTES,
        "upload_budget": UPLOAD_BUDGET,
        **await declaring(db, event, organizer=True),
    }
    if form is None:  # the first showing: accepted, and the owner told
        context["form"] = {"decision": "accepted", "tell_owner": "on"}
    return context


ENTRIES = FormPage("organizer/entries.html", _entries_context)
ADD = FormPage("organizer/entry_add.html", _add_context)
FIELD = FormPage("organizer/entries_field.html", _field_context)
IMPORT = FormPage("organizer/entries_import.html", _import_context)


class OrganizerEntriesController(Controller):
    path = "/organizer"
    dependencies = {"event": ORGANIZED}

    @get("/events/{event_id:int}/entries")
    async def entries(
        self,
        request: Req,
        db: Db,
        event: OrganizedEvent,
        status: FromQuery[str | None] = None,
        class_id: FromQuery[str | None] = None,
        make: FromQuery[str | None] = None,
        era: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
        added: FromQuery[str | None] = None,
    ) -> Template:
        filters = selection.QueueFilters.parse(status, class_id, make, era, q, page)
        focus = int(added) if added and added.isdecimal() and len(added) < 10 else None
        return await ENTRIES.render(request, db, Queue(event, filters, focus=focus), added=focus)

    @get("/events/{event_id:int}/entries/new")
    async def add_form(self, request: Req, db: Db, event: OrganizedEvent) -> Template:
        return await ADD.render(request, db, event)

    @post("/events/{event_id:int}/entries/new", middleware=[UploadBudget])
    async def add(self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn, event: OrganizedEvent) -> Any:
        """An organizer adds one entry: the owner, the car, its class and decision, photos kept across refusals."""

        async def act(form: Form, intake: PhotoIntake) -> str:
            entry = await entries.add_entry(
                db, settings, viewer, event, form, intake.uploads, photo_problem=intake.problem
            )
            return f"/organizer/events/{event.id}/entries?added={entry.id}#entry-{entry.id}"

        return await submit_with_photos(request, db, settings, ADD, event, act, lambda url: url)

    @post("/events/{event_id:int}/registration")
    async def registration(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            await selection.update_registration(db, viewer, event, form)

        return await submit(
            request, db, ENTRIES, Queue(event), act, f"/organizer/events/{event.id}/entries#registration"
        )

    @post("/entries/{entry_id:int}/decision")
    async def decide(self, request: Req, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Any:
        entry, event = await entry_and_event_for_organizer(db, viewer, entry_id)

        async def act(form: Form) -> str:
            await entries.decide(
                db,
                viewer,
                entry,
                status=form.get("status", entry.status),
                class_id=form.get("class_id", ""),
                car_number=form.get("car_number", ""),
                message=form.get("message", ""),
            )
            return _list_url(entry.event_id, form, f"#entry-{entry.id}")

        queue = Queue(event, focus=entry.id)
        return await submit(request, db, ENTRIES, queue, act, lambda url: url, error_entry=entry.id)

    @post("/events/{event_id:int}/entries/bulk")
    async def bulk(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        ids = selection.parse_ids(await form_list(request, "entry_ids"))

        async def act(form: Form) -> str:
            if form.get("action") == "move":
                done = await selection.move_to_class(db, viewer, event, ids, form.get("move_class_id", ""))
            else:
                done = await selection.decide_many(
                    db,
                    viewer,
                    event,
                    ids,
                    status=form.get("bulk_status", ""),
                    class_id=form.get("bulk_class_id", ""),
                    message=form.get("bulk_message", ""),
                )
            return _list_url(event.id, form, done=done)

        return await submit(
            request,
            db,
            ENTRIES,
            Queue(event),
            act,
            lambda url: url,
            field="bulk",
            multi=("entry_ids",),
        )

    @post("/events/{event_id:int}/classes/combine")
    async def combine(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            await selection.combine_classes(
                db, viewer, event, form.get("combine_from", ""), form.get("combine_into", "")
            )

        return await submit(request, db, ENTRIES, Queue(event), act, f"/organizer/events/{event.id}/entries")

    @post("/events/{event_id:int}/numbers")
    async def numbers(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            start = form.get("start", "1").strip() or "1"
            if not start.isdecimal() or not 0 < int(start) < 100000:
                raise FormErrors({"start": "Start from a positive whole number."})
            await selection.number_by_class(db, viewer, event, start=int(start))

        return await submit(request, db, FIELD, event, act, f"/organizer/events/{event.id}/field")

    @get("/events/{event_id:int}/field")
    async def field(self, request: Req, db: Db, event: OrganizedEvent) -> Template:
        return await FIELD.render(request, db, event)

    @post("/entries/{entry_id:int}/field")
    async def update_field(self, request: Req, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Any:
        entry, event = await entry_and_event_for_organizer(db, viewer, entry_id)

        async def act(form: Form) -> None:
            await selection.update_field(
                db,
                viewer,
                entry,
                action=form.get("action", ""),
                field_position=form.get("field_position", ""),
                reason=form.get("reason", ""),
            )

        success = f"/organizer/events/{entry.event_id}/field#entry-{entry.id}"
        return await submit(request, db, FIELD, event, act, success, error_entry=entry.id)

    @get("/events/{event_id:int}/entries.csv")
    async def export(self, db: Db, event: OrganizedEvent, all: FromQuery[str | None] = None) -> Response[bytes]:
        text = await csv_entries.export_csv(db, event, field_only=not all)
        return _csv_response(text, f"{event.slug}-{'entries' if all else 'field'}.csv")

    @get("/events/{event_id:int}/entries/template.csv")
    async def template(self, event: OrganizedEvent) -> Response[bytes]:  # for the event's organizers
        return _csv_response(csv_entries.template_csv(), "entries-template.csv")

    @get("/events/{event_id:int}/entries/import")
    async def import_form(self, request: Req, db: Db, event: OrganizedEvent) -> Template:
        return await IMPORT.render(request, db, event)

    @post("/events/{event_id:int}/entries/import")
    async def import_csv(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Template:
        raw = await request.form()
        upload = raw.get("file")
        errors: dict[str, str] = {}
        imported: int | None = None
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors["file"] = gettext("Choose the CSV file to import.")
        else:
            data = await upload.read()
            if len(data) > MAX_CSV_BYTES:
                errors["file"] = gettext("The file is larger than 5 MB; split it.")
            else:
                try:
                    imported = await csv_entries.import_csv(db, viewer, event, data)
                except FormErrors as exc:
                    errors = exc.errors
                except ServiceError as exc:
                    errors = {"file": exc.message}
        return await IMPORT.render(
            request, db, event, status_code=400 if errors else 200, errors=errors, imported=imported
        )
