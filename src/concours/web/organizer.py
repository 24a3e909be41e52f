"""The organizer's and chief judge's pages: set-up, selection, judges, results, publication."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
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
from concours.domain.states import EVENT_STATUS_HELP, EVENT_STATUS_LABELS, next_event_status, previous_event_status
from concours.reports import report_pdf
from concours.reports.class_results import class_results_report
from concours.services import calibration, checklist, class_systems, events, placings, results
from concours.services.errors import Forbidden, FormErrors, ServiceError
from concours.services.events import load_rubric, to_categories
from concours.services.permissions import (
    class_for_chief_judge,
    event_for_organizer,
)
from concours.web.common import Db, SignedIn, device_of, form_data, pdf_response, redirect, render

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
    counts = {
        status: n
        for status, n in await db.execute(
            select(Entry.status, func.count()).where(Entry.event_id == event.id).group_by(Entry.status)
        )
    }
    system = await db.scalar(select(JudgingSystem).where(JudgingSystem.event_id == event.id))
    rubric = await load_rubric(db, event.rubric_id) if event.rubric_id else None
    judged_by = await class_systems.class_judging(db, event, [c.id for c, _ in classes]) if system else {}
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
        previous_status=previous_event_status(event.status),
        labels=EVENT_STATUS_LABELS,
        status_help=EVENT_STATUS_HELP,
        class_form=class_form or {},
        errors=errors or {},
        judged_by=judged_by,
        checklist=await checklist.checklist(db, event),
    )


class OrganizerController(Controller):
    path = "/organizer"

    @get("/")
    async def dashboard(self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn) -> Template:
        ids = viewer.organizer_event_ids | viewer.chief_judge_event_ids
        rows = (await db.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.starts_on.desc()))).all()
        return render(
            request,
            "organizer/dashboard.html",
            events=rows,
            labels=EVENT_STATUS_LABELS,
            form={},
            errors={},
            timezones=TIMEZONES,
        )

    @post("/events")
    async def create_event(self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn) -> Any:
        if not viewer.is_organizer:
            raise Forbidden("Only organizer accounts create events.")
        form = await form_data(request)
        try:
            event = await events.create_event(
                db,
                viewer,
                name=form.get("name", ""),
                venue=form.get("venue", ""),
                starts_on=form.get("starts_on", ""),
                ends_on=form.get("ends_on", ""),
                timezone=form.get("timezone", "UTC"),
            )
        except FormErrors as exc:
            ids = viewer.organizer_event_ids
            rows = (await db.scalars(select(Event).where(Event.id.in_(ids)))).all()
            return render(
                request,
                "organizer/dashboard.html",
                status_code=400,
                events=rows,
                labels=EVENT_STATUS_LABELS,
                form=form,
                errors=exc.errors,
                timezones=TIMEZONES,
            )
        return redirect(f"/organizer/events/{event.id}")

    @get("/events/{event_id:int}")
    async def event(
        self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, event_id: FromPath[int]
    ) -> Template:
        event = await event_for_organizer(db, viewer, event_id)
        return await _event_page(request, db, event)

    @post("/events/{event_id:int}/status")
    async def status(self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, event_id: FromPath[int]) -> Any:
        event = await event_for_organizer(db, viewer, event_id)
        form = await form_data(request)
        try:
            await events.change_status(db, viewer, event, form.get("status", ""))
        except ServiceError as exc:
            return await _event_page(request, db, event, status_code=400, errors={"status": exc.message})
        return redirect(f"/organizer/events/{event.id}")

    @post("/events/{event_id:int}/classes")
    async def add_class(
        self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, event_id: FromPath[int]
    ) -> Any:
        event = await event_for_organizer(db, viewer, event_id)
        form = await form_data(request)
        try:
            await events.add_class(
                db, viewer, event, code=form.get("code", ""), name=form.get("name", ""), places=form.get("places", "3")
            )
        except FormErrors as exc:
            return await _event_page(request, db, event, status_code=400, class_form=form, errors=exc.errors)
        return redirect(f"/organizer/events/{event.id}#classes")

    @post("/events/{event_id:int}/system")
    async def system(self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, event_id: FromPath[int]) -> Any:
        event = await event_for_organizer(db, viewer, event_id)
        form = await form_data(request)
        try:
            await events.apply_presets(db, event, form.get("preset", ""))
        except ServiceError as exc:
            return await _event_page(request, db, event, status_code=400, errors={"preset": exc.message})
        return redirect(f"/organizer/events/{event.id}#system")

    @get("/classes/{class_id:int}/results")
    async def class_results(
        self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, class_id: FromPath[int]
    ) -> Template:
        cls, event = await class_for_chief_judge(db, viewer, class_id)
        return await self._results_page(request, db, event, cls)

    async def _results_page(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        event: Event,
        cls: EventClass,
        *,
        status_code: int = 200,
        error: str = "",
    ) -> Template:
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
                    .where(Entry.class_id == cls.id)
                    .group_by(ScoreSheet.status)
                )
            }
        )
        return render(
            request,
            "organizer/results.html",
            status_code=status_code,
            event=event,
            cls=cls,
            rows=rows,
            absent=absent,
            progress=progress,
            error=error,
            judging=judging,
            agreement=agreement,
            orders=orders,
            flags=await calibration.class_flags(db, event, cls) if judging.method != "display" else [],
        )

    @get("/classes/{class_id:int}/results.pdf")
    async def class_results_pdf(
        self, db: Db, viewer: SignedIn, class_id: FromPath[int], public: FromQuery[bool] = False
    ) -> Response[bytes]:
        """The class results: with each judge's sheet for the judges' room, or ``public`` to post (no judges)."""
        cls, event = await class_for_chief_judge(db, viewer, class_id)
        report = await class_results_report(db, event, cls, public=public)
        return pdf_response(await report_pdf(report), report.filename(), download=True)

    @post("/classes/{class_id:int}/certify")
    async def certify(self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, class_id: FromPath[int]) -> Any:
        cls, event = await class_for_chief_judge(db, viewer, class_id)
        try:
            form = await form_data(request)
            acknowledged = [int(k[4:]) for k, v in form.items() if k.startswith("ack_") and k[4:].isdigit() and v]
            await results.certify_class(db, viewer, event, cls, acknowledged=acknowledged)
        except ServiceError as exc:
            return await self._results_page(request, db, event, cls, status_code=400, error=exc.message)
        return redirect(f"/organizer/classes/{cls.id}/results")

    @post("/classes/{class_id:int}/orders/{sheet_id:int}/reopen")
    async def reopen_order(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: SignedIn,
        class_id: FromPath[int],
        sheet_id: FromPath[int],
    ) -> Any:
        cls, event = await class_for_chief_judge(db, viewer, class_id)
        form = await form_data(request)
        try:
            await placings.reopen_order(
                db, viewer, cls, event, sheet_id, reason=form.get("reason", ""), device=device_of(request, form)
            )
        except Forbidden:
            raise
        except ServiceError as exc:
            return await self._results_page(request, db, event, cls, status_code=exc.status_code, error=exc.message)
        return redirect(f"/organizer/classes/{cls.id}/results")

    @post("/classes/{class_id:int}/ties")
    async def decide_tie(
        self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, class_id: FromPath[int]
    ) -> Any:
        cls, event = await class_for_chief_judge(db, viewer, class_id)
        form = await form_data(request)
        try:
            await results.record_tie_decision(
                db, viewer, event, cls, winner_id=form.get("winner_id", ""), reason=form.get("reason", "")
            )
        except ServiceError as exc:
            return await self._results_page(request, db, event, cls, status_code=400, error=exc.message)
        return redirect(f"/organizer/classes/{cls.id}/results")

    @post("/classes/{class_id:int}/reopen")
    async def reopen(self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, class_id: FromPath[int]) -> Any:
        cls, event = await class_for_chief_judge(db, viewer, class_id)
        form = await form_data(request)
        try:
            await results.reopen_class(db, viewer, event, cls, reason=form.get("reason", ""))
        except ServiceError as exc:
            return await self._results_page(request, db, event, cls, status_code=400, error=exc.message)
        return redirect(f"/organizer/classes/{cls.id}/results")

    @post("/events/{event_id:int}/publish")
    async def publish(self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, event_id: FromPath[int]) -> Any:
        event = await event_for_organizer(db, viewer, event_id)
        try:
            await results.publish(db, viewer, event)
        except ServiceError as exc:
            return await _event_page(request, db, event, status_code=400, errors={"publish": exc.message})
        return redirect(f"/events/{event.slug}/results")

    @get("/events/{event_id:int}/outbox")
    async def outbox(
        self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn, event_id: FromPath[int]
    ) -> Template:
        event = await event_for_organizer(db, viewer, event_id)
        messages = (
            await db.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.event_id == event.id)
                .order_by(OutboxMessage.id.desc())
                .limit(200)
            )
        ).all()
        return render(request, "organizer/outbox.html", event=event, messages=messages)
