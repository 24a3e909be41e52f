"""The organizer's and chief judge's pages: set-up, selection, judges, results, publication."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Entry,
    Event,
    EventClass,
    JudgingSystem,
    OutboxMessage,
    ScoreSheet,
    Vehicle,
)
from concours.domain import presets
from concours.domain.rubric import format_units
from concours.domain.states import EVENT_STATUS_HELP, next_event_status, previous_event_status
from concours.i18n import ngettext
from concours.reports import report_pdf
from concours.reports.class_results import class_results_report
from concours.services import (
    calibration,
    certificates,
    checklist,
    class_setup,
    class_systems,
    events,
    placings,
    results,
)
from concours.services.events import load_rubric, to_categories
from concours.services.permissions import Viewer
from concours.web.common import Form, FormPage, device_of, pdf_response, render, submit
from concours.web.dependencies import ORGANIZED, RUN_CLASS, AppSettings, Db, OrganizedEvent, Req, RunClass, SignedIn

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


# "3 accepted", one sentence per status so each language can agree the word with the number.
ENTRY_COUNTS: dict[str, Callable[[int], str]] = {
    "applied": lambda n: ngettext("%(num)s applied", "%(num)s applied", n),
    "accepted": lambda n: ngettext("%(num)s accepted", "%(num)s accepted", n),
    "waitlisted": lambda n: ngettext("%(num)s waitlisted", "%(num)s waitlisted", n),
    "declined": lambda n: ngettext("%(num)s declined", "%(num)s declined", n),
    "withdrawn": lambda n: ngettext("%(num)s withdrawn", "%(num)s withdrawn", n),
}


def entry_count_text(status: str, n: int) -> str:
    return ENTRY_COUNTS[status](n) if status in ENTRY_COUNTS else f"{n} {status}"


async def _dashboard_context(db: AsyncSession, viewer: Viewer, form: Form | None) -> dict[str, Any]:
    ids = viewer.organizer_event_ids | viewer.chief_judge_event_ids
    rows = (await db.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.starts_on.desc()))).all()
    return {"events": rows, "timezones": TIMEZONES}


async def _event_context(db: AsyncSession, subject: tuple[Event, Viewer], form: Form | None) -> dict[str, Any]:
    event, viewer = subject
    classes = (
        await db.execute(
            select(EventClass, func.count(Entry.id))
            .outerjoin(Entry, (Entry.class_id == EventClass.id) & (Entry.status == "accepted"))
            .where(EventClass.event_id == event.id)
            .group_by(EventClass.id)
            .order_by(EventClass.position)
        )
    ).all()
    counts = {
        status: n
        for status, n in await db.execute(
            select(Entry.status, func.count()).where(Entry.event_id == event.id).group_by(Entry.status)
        )
    }
    system = await db.scalar(select(JudgingSystem).where(JudgingSystem.event_id == event.id))
    rubric = await load_rubric(db, event.rubric_id) if event.rubric_id else None
    judged_by = await class_systems.class_judging(db, event, [c.id for c, _ in classes]) if system else {}
    return {
        "event": event,
        "classes": classes,
        "counts": counts,
        "count_texts": [entry_count_text(status, n) for status, n in counts.items()],
        "system": system,
        "rubric": rubric,
        "categories": to_categories(rubric.categories) if rubric else [],
        "fmt": format_units,
        "presets": presets.SYSTEM_PRESETS,
        "next_status": next_event_status(event.status),
        "previous_status": previous_event_status(event.status),
        "status_help": EVENT_STATUS_HELP,
        "class_form": form or {},  # the class forms (one, a list, a copy) are the page's only ones with typed fields
        "copy_sources": await class_setup.copy_sources(db, viewer, event),
        "classes_notice": "",
        "judged_by": judged_by,
        "checklist": await checklist.checklist(db, event),
    }


async def _results_context(db: AsyncSession, subject: tuple[EventClass, Event], form: Form | None) -> dict[str, Any]:
    cls, event = subject
    rows, _ = await results.class_ranking(db, event, cls)
    judging = await class_systems.judging_of(db, event, cls)
    agreement = await placings.class_agreement(db, cls.id) if judging.method == "placings" else None
    orders = await placings.orders_in_class(db, cls.id) if judging.method == "placings" else []
    absent = (
        await db.execute(
            select(Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model, Entry.absent_reason)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .where(Entry.class_id == cls.id, Entry.status == "accepted", Entry.absent_reason != "")
            .order_by(Entry.car_number)
        )
    ).all()
    progress = (
        await placings.sheet_progress(db, cls.id)
        if judging.method == "placings"
        else {
            status: n
            for status, n in await db.execute(
                select(ScoreSheet.status, func.count())
                .join(Entry, Entry.id == ScoreSheet.entry_id)
                .where(Entry.class_id == cls.id, ScoreSheet.calibration.is_(False))
                .group_by(ScoreSheet.status)
            )
        }
    )
    return {
        "event": event,
        "cls": cls,
        "rows": rows,
        "absent": absent,
        "progress": progress,
        "judging": judging,
        "agreement": agreement,
        "orders": orders,
        "flags": await calibration.class_flags(db, event, cls) if judging.method != "display" else [],
        "certifications": await certificates.class_certifications(db, event, cls),
        "which": "",  # which of the page's forms was sent, so its typed values go back into it
    }


DASHBOARD = FormPage("organizer/dashboard.html", _dashboard_context)
EVENT = FormPage("organizer/event.html", _event_context)
RESULTS = FormPage("organizer/results.html", _results_context)


class OrganizerController(Controller):
    """The organizer's dashboard and an event's set-up page; a class's results, which its chief judge runs too."""

    path = "/organizer"
    dependencies = {"event": ORGANIZED, "run_class": RUN_CLASS}

    @post("/events")
    async def create_event(self, request: Req, db: Db, viewer: SignedIn) -> Any:
        async def act(form: Form) -> Event:
            return await events.create_event(
                db,
                viewer,
                name=form.get("name", ""),
                venue=form.get("venue", ""),
                starts_on=form.get("starts_on", ""),
                ends_on=form.get("ends_on", ""),
                timezone=form.get("timezone", "UTC"),
            )

        return await submit(request, db, DASHBOARD, viewer, act, lambda event: f"/organizer/events/{event.id}")

    @get("/")
    async def dashboard(self, request: Req, db: Db, viewer: SignedIn) -> Template:
        return await DASHBOARD.render(request, db, viewer)

    @get("/events/{event_id:int}")
    async def event(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Template:
        return await EVENT.render(request, db, (event, viewer))

    @post("/events/{event_id:int}/status")
    async def status(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            await events.change_status(db, viewer, event, form.get("status", ""))

        return await submit(request, db, EVENT, (event, viewer), act, f"/organizer/events/{event.id}", field="status")

    @post("/events/{event_id:int}/classes")
    async def add_class(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            await events.add_class(
                db, viewer, event, code=form.get("code", ""), name=form.get("name", ""), places=form.get("places", "3")
            )

        return await submit(request, db, EVENT, (event, viewer), act, f"/organizer/events/{event.id}#classes")

    @post("/events/{event_id:int}/classes/list")
    async def add_classes(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        """Several classes at once from a pasted list: all added, or none and every wrong line named."""

        async def act(form: Form) -> None:
            await class_setup.add_classes(db, viewer, event, form.get(class_setup.LIST_FIELD, ""))

        return await submit(request, db, EVENT, (event, viewer), act, f"/organizer/events/{event.id}#classes")

    @post("/events/{event_id:int}/classes/copy")
    async def copy_classes(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        """The classes of another of the organizer's events; the page then says what was copied and skipped."""

        async def act(form: Form) -> class_setup.Copied:
            return await class_setup.copy_classes(db, viewer, event, form.get(class_setup.COPY_FIELD, ""))

        async def done(copied: class_setup.Copied) -> Response[Any]:
            return await EVENT.render(request, db, (event, viewer), classes_notice=copied.message)

        return await submit(request, db, EVENT, (event, viewer), act, done)

    @post("/events/{event_id:int}/system")
    async def system(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            await events.apply_presets(db, event, form.get("preset", ""))

        return await submit(
            request, db, EVENT, (event, viewer), act, f"/organizer/events/{event.id}#system", field="preset"
        )

    @post("/events/{event_id:int}/publish")
    async def publish(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            await results.publish(db, viewer, event)

        return await submit(request, db, EVENT, (event, viewer), act, f"/events/{event.slug}/results", field="publish")

    @get("/classes/{class_id:int}/results")
    async def class_results(self, request: Req, db: Db, run_class: RunClass) -> Template:
        return await RESULTS.render(request, db, run_class)

    @get("/classes/{class_id:int}/results.pdf")
    async def class_results_pdf(
        self, db: Db, settings: AppSettings, run_class: RunClass, public: FromQuery[bool] = False
    ) -> Response[bytes]:
        """The class results: with each judge's sheet for the judges' room, or ``public`` to post (no judges)."""
        cls, event = run_class
        report = await class_results_report(db, event, cls, public=public, base_url=settings.base_url)
        return pdf_response(await report_pdf(report), report.filename(), download=True)

    @post("/classes/{class_id:int}/certify")
    async def certify(self, request: Req, db: Db, viewer: SignedIn, run_class: RunClass) -> Any:
        cls, event = run_class

        async def act(form: Form) -> None:
            acknowledged = [int(k[4:]) for k, v in form.items() if k.startswith("ack_") and k[4:].isdigit() and v]
            await results.certify_class(db, viewer, event, cls, acknowledged=acknowledged)

        return await submit(
            request, db, RESULTS, (cls, event), act, f"/organizer/classes/{cls.id}/results", which="certify"
        )

    @post("/classes/{class_id:int}/orders/{sheet_id:int}/reopen")
    async def reopen_order(
        self,
        request: Req,
        db: Db,
        viewer: SignedIn,
        run_class: RunClass,
        sheet_id: FromPath[int],
    ) -> Any:
        cls, event = run_class

        async def act(form: Form) -> None:
            await placings.reopen_order(
                db, viewer, cls, event, sheet_id, reason=form.get("reason", ""), device=device_of(request, form)
            )

        success = f"/organizer/classes/{cls.id}/results"
        return await submit(request, db, RESULTS, (cls, event), act, success, which=f"order-{sheet_id}")

    @post("/classes/{class_id:int}/ties")
    async def decide_tie(self, request: Req, db: Db, viewer: SignedIn, run_class: RunClass) -> Any:
        cls, event = run_class

        async def act(form: Form) -> None:
            await results.record_tie_decision(
                db, viewer, event, cls, winner_id=form.get("winner_id", ""), reason=form.get("reason", "")
            )

        return await submit(
            request, db, RESULTS, (cls, event), act, f"/organizer/classes/{cls.id}/results", which="ties"
        )

    @post("/classes/{class_id:int}/reopen")
    async def reopen(self, request: Req, db: Db, viewer: SignedIn, run_class: RunClass) -> Any:
        cls, event = run_class

        async def act(form: Form) -> None:
            await results.reopen_class(db, viewer, event, cls, reason=form.get("reason", ""))

        return await submit(
            request, db, RESULTS, (cls, event), act, f"/organizer/classes/{cls.id}/results", which="reopen"
        )

    @get("/events/{event_id:int}/outbox")
    async def outbox(self, request: Req, db: Db, event: OrganizedEvent) -> Template:
        messages = (
            await db.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.event_id == event.id)
                .order_by(OutboxMessage.id.desc())
                .limit(200)
            )
        ).all()
        return render(request, "organizer/outbox.html", event=event, messages=messages)
