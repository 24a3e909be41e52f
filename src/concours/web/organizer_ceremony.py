"""The organizer's ceremony pages: the run sheet (build, reorder, present line by line), emcee cards, branding."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, MediaType, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import CeremonyLine, Event
from concours.i18n import N_, gettext
from concours.reports import emcee_cards, report_pdf
from concours.reports.entrant_score import SCORE_REPORTS
from concours.reports.placards import AWARD_PLACARDS, CAR_PLACARDS
from concours.reports.results_book import RESULTS_BOOK
from concours.services import branding, ceremony, jobs, photos
from concours.services.errors import NotFound, ServiceError
from concours.services.permissions import Viewer
from concours.settings import Settings
from concours.web.common import PAGE_ERROR, Form, FormPage, device_of, form_data, pdf_response, redirect, submit
from concours.web.dependencies import ORGANIZED, AppSettings, Db, OrganizedEvent, Req, SignedIn
from concours.web.jobs import start_job_redirect


async def _run_sheet_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    lines = await ceremony.run_sheet(db, event)
    return {
        "event": event,
        "lines": lines,
        "presented": sum(1 for ln in lines if ln.presented_at),
        "next_id": next((ln.id for ln in lines if not ln.presented_at), None),
    }


async def _branding_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    row = await branding.load(db, event.id)
    if form is None:
        form = {
            "primary_colour": row.primary_colour if row else branding.DEFAULT_PRIMARY,
            "accent_colour": row.accent_colour if row else branding.DEFAULT_ACCENT,
        }
    return {"event": event, "form": form, "has_logo": bool(row and row.logo_jpeg), "saved": False}


RUN_SHEET = FormPage("organizer/ceremony.html", _run_sheet_context)
BRANDING = FormPage("organizer/branding.html", _branding_context)


async def _on_run_sheet(
    request: Req, db: AsyncSession, event: Event, act: Callable[[Form], Awaitable[Any]], anchor: str = ""
) -> Response[Any]:
    """A button on the run sheet: do ``act``, then back to the run sheet (at ``anchor``), or the refusal on it."""
    return await submit(
        request, db, RUN_SHEET, event, act, f"/organizer/events/{event.id}/ceremony{anchor}", keep_form=False
    )


async def _presented(
    request: Req,
    db: AsyncSession,
    viewer: Viewer,
    line_id: int,
    mark: Callable[..., Awaitable[Event]],
) -> Redirect:
    """Mark a run sheet line presented (or not), then back to it on the run sheet."""
    form = await form_data(request)
    event = await mark(db, viewer, line_id, device=device_of(request, form))
    return redirect(f"/organizer/events/{event.id}/ceremony#line-{line_id}")


async def provide_on_run_sheet(db: Db, viewer: SignedIn, line_id: FromPath[int]) -> tuple[CeremonyLine, Event]:
    """A line of the run sheet of an event the viewer organizes, with the event (a route's ``on_run_sheet``)."""
    return await ceremony.line_for_organizer(db, viewer, line_id)


OnRunSheet = NamedDependency[tuple[CeremonyLine, Event]]  # the route's run sheet line, of an event the viewer organizes


class OrganizerCeremonyController(Controller):
    path = "/organizer"
    dependencies = {"event": ORGANIZED, "on_run_sheet": Provide(provide_on_run_sheet)}

    @get("/events/{event_id:int}/ceremony")
    async def run_sheet(self, request: Req, db: Db, event: OrganizedEvent) -> Any:
        return await RUN_SHEET.render(request, db, event)

    @post("/events/{event_id:int}/ceremony/build")
    async def build(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        return await _on_run_sheet(request, db, event, lambda form: ceremony.sync_run_sheet(db, viewer, event))

    @post("/events/{event_id:int}/ceremony/reset")
    async def reset(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        return await _on_run_sheet(request, db, event, lambda form: ceremony.reset_order(db, viewer, event))

    @post("/ceremony/lines/{line_id:int}/move")
    async def move(self, request: Req, db: Db, viewer: SignedIn, on_run_sheet: OnRunSheet) -> Any:
        line, event = on_run_sheet
        return await _on_run_sheet(
            request,
            db,
            event,
            lambda form: ceremony.move_line(db, viewer, line.id, form.get("direction", "")),
            f"#line-{line.id}",
        )

    @post("/ceremony/lines/{line_id:int}/present")
    async def present(self, request: Req, db: Db, viewer: SignedIn, line_id: FromPath[int]) -> Redirect:
        return await _presented(request, db, viewer, line_id, ceremony.present_line)

    @post("/ceremony/lines/{line_id:int}/unpresent")
    async def unpresent(self, request: Req, db: Db, viewer: SignedIn, line_id: FromPath[int]) -> Redirect:
        return await _presented(request, db, viewer, line_id, ceremony.unpresent_line)

    @get("/events/{event_id:int}/ceremony/emcee-cards.pdf")
    async def emcee_cards_pdf(self, request: Req, db: Db, settings: AppSettings, event: OrganizedEvent) -> Any:
        try:
            report = await emcee_cards.build(db, event)
        except ServiceError as exc:
            return await RUN_SHEET.render(request, db, event, status_code=400, errors={PAGE_ERROR: exc.message})
        return pdf_response(await report_pdf(report), report.filename(), download=True)

    @get("/events/{event_id:int}/branding")
    async def branding_form(self, request: Req, db: Db, event: OrganizedEvent) -> Template:
        return await BRANDING.render(request, db, event, saved=request.query_params.get("saved") == "1")

    @post("/events/{event_id:int}/branding")
    async def save_branding(
        self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn, event: OrganizedEvent
    ) -> Any:
        async def act(form: Form) -> None:
            raw = (await request.form()).get("logo")
            logo = None
            if isinstance(raw, UploadFile) and raw.filename:  # an empty file input sends a nameless, empty part
                logo = photos.Upload(filename=raw.filename[:100], data=await raw.read())
            await branding.update(db, viewer, event, form, logo)

        return await submit(request, db, BRANDING, event, act, f"/organizer/events/{event.id}/branding?saved=1")

    @get("/events/{event_id:int}/branding/logo")
    async def logo(self, db: Db, event: OrganizedEvent) -> Response[bytes]:
        row = await branding.load(db, event.id)
        if row is None or not row.logo_jpeg:
            raise NotFound("This event has no logo yet.")
        return Response(row.logo_jpeg, media_type="image/jpeg", headers={"cache-control": "private, max-age=60"})


@dataclass(frozen=True)
class ShowDocument:
    """A long document on the show-day documents page: what the form posts, and the job it starts."""

    key: str
    kind: str
    params: dict[str, Any]
    label: str
    about: str
    only_with_scores: bool = False  # offered only where the event publishes scores


SHOW_DOCUMENTS = [
    ShowDocument(
        "placards",
        CAR_PLACARDS.name,
        {},
        N_("All windshield placards"),
        N_(
            "A placard for every numbered car: the car number, year make and model, coachbuilder, class, the owner "
            "(unless they asked not to be named) and a QR code that opens the car's public page."
        ),
    ),
    ShowDocument(
        "award-placards",
        AWARD_PLACARDS.name,
        {},
        N_("Award placards"),
        N_("A placard for every class award of the certified classes and every decided special award."),
    ),
    ShowDocument(
        "results-book",
        RESULTS_BOOK.name,
        {"scores": True},
        N_("Results book, with the scores"),
        N_(
            "The whole show: a cover, the contents, the special awards (Best of Show first) with the winners' photos, "
            "and every certified class in order with its places and scores."
        ),
        only_with_scores=True,
    ),
    ShowDocument(
        "results-book-places",
        RESULTS_BOOK.name,
        {"scores": False},
        N_("Results book, places and awards only"),
        N_("The same book without any score."),
    ),
    ShowDocument(
        "score-reports",
        SCORE_REPORTS.name,
        {},
        N_("Every entrant's score report"),
        N_(
            "Each judged car's score report (its result and the judges' sheets and notes), in car-number order, "
            "one after another: to hand to the owners."
        ),
    ),
]


async def _documents_context(
    db: AsyncSession, subject: tuple[Event, Viewer, Settings], form: Form | None
) -> dict[str, Any]:
    event, viewer, settings = subject  # the copies already made are the viewer's
    offered = [d for d in SHOW_DOCUMENTS if event.publish_scores or not d.only_with_scores]
    found = await jobs.copies(db, settings, viewer, event.id, [(d.kind, d.params) for d in offered])
    return {
        "event": event,
        "documents": list(zip(offered, found, strict=True)),
        "lines": len(await ceremony.run_sheet(db, event)),
    }


DOCUMENTS = FormPage("organizer/documents.html", _documents_context)


class OrganizerDocumentsController(Controller):
    """Printed documents of the show: placards, award placards, the results book, every entrant's score report.
    Each renders as a job (``services/jobs.py``): the form starts it and sends the organizer to its progress page;
    a copy made from the same data is reused at once."""

    path = "/organizer/events/{event_id:int}/documents"
    dependencies = {"event": ORGANIZED}

    @get("/")
    async def documents(
        self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn, event: OrganizedEvent
    ) -> Template:
        return await DOCUMENTS.render(request, db, (event, viewer, settings))

    @post("/", media_type=MediaType.HTML)
    async def make(
        self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn, event: OrganizedEvent
    ) -> Response[Any]:
        async def act(form: Form) -> Redirect:
            document = next((d for d in SHOW_DOCUMENTS if d.key == form.get("document", "")), None)
            if document is None:
                raise ServiceError(gettext("Pick one of the documents below."))
            return await start_job_redirect(request, db, settings, viewer, event.id, document.kind, document.params)

        return await submit(request, db, DOCUMENTS, (event, viewer, settings), act, lambda job: job, keep_form=False)
