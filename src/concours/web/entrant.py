"""The entrant's portal: applications and their status; after publication, results and own sheets."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassResult, Entrant, Entry, Event, EventClass, Vehicle
from concours.domain.certificate import grouped
from concours.domain.states import results_public
from concours.reports import report_pdf
from concours.reports.entrant_score import entrant_score_report
from concours.services import (
    awards,
    certificates,
    conflict_declarations,
    entries,
    photos,
    selection,
)
from concours.services.events import classes_of
from concours.services.feedback import entrant_feedback
from concours.services.permissions import entrant_id_of, entry_for_entrant
from concours.web.common import Form, FormPage, form_list, pdf_response, redirect, render
from concours.web.dependencies import AppSettings, Db, Req, SignedIn
from concours.web.public import declaring, owner_form
from concours.web.uploads import UPLOAD_BUDGET, PhotoIntake, UploadBudget, submit_with_photos


async def _edit_context(db: AsyncSession, entry: Entry, form: Form | None) -> dict[str, Any]:
    """The entrant's application to edit: as saved on a first showing (the car, the owner's details, the class)."""
    event = await db.get(Event, entry.event_id)
    assert event is not None
    if form is None:
        vehicle = await db.get(Vehicle, entry.vehicle_id)
        entrant = await db.get(Entrant, entry.entrant_id)
        assert vehicle is not None and entrant is not None
        preferred = {"preferred_class_id": str(entry.preferred_class_id or "")}
        form = entries.vehicle_form(vehicle) | owner_form(entrant) | preferred
    declared = {"declared": conflict_declarations.declarations_of(entry.declared_conflicts)}
    return {
        "entry": entry,
        "event": event,
        "classes": await classes_of(db, event.id),
        "form": form,
        "restoration_states": entries.RESTORATION_STATES,
        "stored_photos": (await photos.photos_by_vehicle(db, [entry.vehicle_id])).get(entry.vehicle_id, []),
        "editable": entries.may_edit(entry, event),
        "pending": [],
        "pending_token": "",  # a refused form's photos, kept (see web.uploads.take_photos)
        "max_photo_bytes": photos.MAX_PHOTO_BYTES,
        "upload_budget": UPLOAD_BUDGET,
        **(await declaring(db, event) | declared),
    }


EDIT = FormPage("entrant/edit.html", _edit_context)


class EntrantController(Controller):
    path = "/my"

    @get("/")
    async def portal(self, request: Req, db: Db, viewer: SignedIn) -> Template:
        entrant_id = entrant_id_of(viewer)
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
        vehicles = list(
            (await db.scalars(select(Vehicle).where(Vehicle.entrant_id == entrant_id).order_by(Vehicle.id))).all()
        )
        pictures = await photos.photos_by_vehicle(db, [v.id for v in vehicles])
        items = []
        special: dict[int, list[awards.DecidedAward]] = {}
        for event in {ev.id: ev for _, _, ev, _, _ in rows if results_public(ev.status)}.values():
            ids = [e.id for e, *_ in rows if e.event_id == event.id]
            special.update(await awards.awards_for_entries(db, event, ids))
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
                    "special_awards": special.get(entry.id, []) if results_public(event.status) else [],
                    "editable": entries.may_edit(entry, event),
                    "withdrawable": entry.status in ("applied", "waitlisted", "accepted")
                    and event.status in ("draft", "registration_open", "registration_closed"),
                    "photos": pictures.get(vehicle.id, []),
                    "declared": conflict_declarations.declarations_of(entry.declared_conflicts),
                }
            )
        open_events = [
            e
            for e in (await db.scalars(select(Event).where(Event.status == "registration_open"))).all()
            if entries.registration_open(e)
        ]
        entered = {(it["event"].id, it["vehicle"].id) for it in items if it["entry"].status != "withdrawn"}
        return render(
            request,
            "entrant/portal.html",
            items=items,
            vehicles=vehicles,
            open_events=open_events,
            entered=entered,
            pictures=pictures,
        )

    @get("/entries/{entry_id:int}/edit")
    async def edit_form(self, request: Req, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Template:
        return await EDIT.render(request, db, await entry_for_entrant(db, viewer, entry_id))

    @post("/entries/{entry_id:int}/edit", middleware=[UploadBudget])
    async def edit(self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn, entry_id: FromPath[int]) -> Any:
        entry = await entry_for_entrant(db, viewer, entry_id)

        async def act(form: Form, intake: PhotoIntake) -> None:
            remove_ids = selection.parse_ids(await form_list(request, "remove_photo"))
            await entries.update_application(
                db, settings, viewer, entry, form, intake.uploads, remove_ids, photo_problem=intake.problem
            )

        success = f"/my/#entry-{entry.id}"
        return await submit_with_photos(request, db, settings, EDIT, entry, act, success, multi=("remove_photo",))

    @post("/entries/{entry_id:int}/withdraw")
    async def withdraw(self, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Any:
        entry = await entry_for_entrant(db, viewer, entry_id)
        await entries.withdraw(db, viewer, entry)
        return redirect(f"/my/#entry-{entry.id}")

    @get("/entries/{entry_id:int}")
    async def sheets(self, request: Req, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Template:
        entry = await entry_for_entrant(db, viewer, entry_id)
        feedback = await entrant_feedback(db, entry, viewer.name)
        code = (await certificates.current_codes(db, [entry.class_id])).get(entry.class_id) if entry.class_id else None
        printed = grouped(code) if code else ""  # as the report prints it
        return render(request, "entrant/sheets.html", entry=entry, fb=feedback, code=code, printed=printed)

    @get("/entries/{entry_id:int}/report.pdf")
    async def report(self, db: Db, viewer: SignedIn, settings: AppSettings, entry_id: FromPath[int]) -> Response[bytes]:
        entry = await entry_for_entrant(db, viewer, entry_id)
        report = await entrant_score_report(db, settings, entry, viewer.name)
        filename = f"score-report-car-{entry.car_number or entry.id}.pdf"
        return pdf_response(await report_pdf(report), filename, download=True)
