"""What anyone may see: events, the application form, published results."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entrant, Event, Vehicle
from concours.domain.states import EVENT_STATUS_LABELS, accepts_applications, results_public
from concours.i18n import gettext
from concours.services import (
    awards,
    car_pages,
    ceremony,
    conflict_declarations,
    entries,
    events,
    invitations,
    pending_uploads,
    peoples_choice,
    photos,
    results,
    show_results,
)
from concours.services.errors import FormErrors, NotFound, ServiceError, SignInRequired
from concours.services.invitations import InvitationRefused
from concours.services.permissions import Viewer, event_for_public
from concours.settings import Settings
from concours.web.common import BadForm, form_data, render, typed_form
from concours.web.dependencies import AppSettings, Db, MaybeSignedIn, Req
from concours.web.uploads import PHOTO_FORM_LISTS, UPLOAD_BUDGET, UploadBudget, photo_file, take_photos


def owner_form(entrant: Entrant) -> dict[str, str]:
    """A saved owner's contact details as the application form's fields."""
    return {
        "phone": entrant.phone,
        "city": entrant.city,
        "address": entrant.address,
        "postcode": entrant.postcode,
        "country": entrant.country,
    }


async def _owner_form(db: AsyncSession, viewer: Viewer) -> dict[str, str]:
    entrant = await db.get(Entrant, viewer.entrant_id) if viewer.entrant_id else None
    form = {"name": viewer.name, "email": viewer.email}
    return form | owner_form(entrant) if entrant is not None else form


async def _saved_vehicles(db: AsyncSession, entrant_id: int) -> list[Vehicle]:
    return list((await db.scalars(select(Vehicle).where(Vehicle.entrant_id == entrant_id).order_by(Vehicle.id))).all())


async def _apply_page(
    request: Req,
    db: AsyncSession,
    event: Event,
    form: dict[str, str],
    errors: dict[str, str],
    viewer: Viewer | None,
    *,
    saved: list[Vehicle] | None = None,
    status_code: int = 200,
    pending: list[Any] | None = None,
) -> Template:
    if saved is None and viewer is not None and viewer.entrant_id is not None:
        saved = await _saved_vehicles(db, viewer.entrant_id)
    chosen = None
    if form.get("vehicle_id"):
        chosen = next((v for v in saved or [] if str(v.id) == form["vehicle_id"]), None)
    stored = []
    if chosen is not None:
        stored = (await photos.photos_by_vehicle(db, [chosen.id])).get(chosen.id, [])
    return render(
        request,
        "public/apply.html",
        status_code=status_code,
        event=event,
        classes=await events.classes_of(db, event.id),
        form=form,
        errors=errors,
        open=entries.registration_open(event),
        closed_message=entries.closed_message(event),
        restoration_states=entries.RESTORATION_STATES,
        saved=saved or [],
        chosen=chosen,
        stored_photos=stored,
        pending=pending or [],
        max_photo_bytes=photos.MAX_PHOTO_BYTES,
        upload_budget=UPLOAD_BUDGET,
        **await declaring(db, event),
    )


async def declaring(db: AsyncSession, event: Event, *, organizer: bool = False) -> dict[str, Any]:
    """What the application form's conflicts part needs: the judges to pick from (None: names in the owner's
    words), the types and how many lines. The organizer's add-an-entry form always picks from the roster."""
    roster = (
        await conflict_declarations.roster_names(db, event, public=False)
        if organizer
        else await entries.declaration_roster(db, event)
    )
    return {
        "declare_roster": roster,
        "conflict_types": conflict_declarations.declarable_labels(),
        "declaration_rows": conflict_declarations.DECLARATION_ROWS,
        "declared": [],
    }


async def _refused_page(request: Req, db: AsyncSession, event: Event, refusal: InvitationRefused) -> Template:
    """The application form refused for want of a valid invitation: what happened and whom to ask (403)."""
    return render(
        request,
        "public/invitation_refused.html",
        status_code=403,
        event=event,
        message=refusal.message,
        reason=refusal.reason,
        contact=await invitations.organizer_contact(db, event),
    )


async def _prefilled(
    db: AsyncSession, event: Event, viewer: Viewer | None, vehicle: str | None
) -> tuple[dict[str, str], list[Vehicle]]:
    """The application form's first values: the signed-in entrant's details, and their chosen saved car."""
    form: dict[str, str] = {}
    saved: list[Vehicle] = []
    if viewer is not None and viewer.entrant_id is not None:
        form = await _owner_form(db, viewer)
        saved = await _saved_vehicles(db, viewer.entrant_id)
        chosen = next((v for v in saved if vehicle and str(v.id) == vehicle), None)
        if chosen is not None:
            form.update(entries.vehicle_form(chosen))
            form["vehicle_id"] = str(chosen.id)
    return form, saved


async def _photo_response(
    db: AsyncSession, settings: Settings, viewer: Viewer | None, photo_id: int, *, thumb: bool
) -> Response[bytes]:
    photo = await photos.photo_for_viewer(db, viewer, photo_id)
    return await photo_file(settings, photo, thumb=thumb, cache="private, max-age=3600")


async def _public_event(db: Db, optional_viewer: MaybeSignedIn, slug: FromPath[str]) -> Event:
    return await event_for_public(db, optional_viewer, slug)


PublicEvent = NamedDependency[Event]  # the route's event (by its slug), as the viewer may see it


class PublicController(Controller):
    dependencies = {"event": Provide(_public_event)}

    @get("/")
    async def home(self, request: Req, db: Db, optional_viewer: MaybeSignedIn) -> Template:
        rows = (
            await db.scalars(
                select(Event)
                .where(
                    Event.status.in_(
                        ("registration_open", "registration_closed", "judging", "results_certified", "published")
                    )
                )
                .order_by(Event.starts_on.desc())
            )
        ).all()
        return render(request, "public/home.html", events=rows, labels=EVENT_STATUS_LABELS)

    @get("/events/{slug:str}")
    async def event_page(self, request: Req, db: Db, settings: AppSettings, event: PublicEvent) -> Template:
        cars = await show_results.numbered_cars(db, event) if car_pages.car_visible(event) else []
        with_photo = await show_results.first_photos(db, settings, {c.vehicle_id for c in cars if c.vehicle_id})
        return render(
            request,
            "public/event.html",
            event=event,
            classes=await events.classes_of(db, event.id),
            label=EVENT_STATUS_LABELS[event.status],
            open=accepts_applications(event.status),
            results=results_public(event.status),
            voting=await peoples_choice.peoples_choice_open(db, event),
            live=ceremony.live_visible(event),
            field=cars,
            with_photo=set(with_photo),
        )

    @get("/events/{slug:str}/apply")
    async def apply_form(
        self,
        request: Req,
        db: Db,
        event: PublicEvent,
        optional_viewer: MaybeSignedIn,
        vehicle: FromQuery[str | None] = None,
    ) -> Template:
        if event.invitation_only and entries.registration_open(event):
            return await _refused_page(
                request, db, event, InvitationRefused(gettext(invitations.INVITATION_ONLY), reason="missing")
            )
        form, saved = await _prefilled(db, event, optional_viewer, vehicle)
        return await _apply_page(request, db, event, form, {}, optional_viewer, saved=saved)

    @get("/events/{slug:str}/invitation/{token:str}")
    async def invited_form(
        self,
        request: Req,
        db: Db,
        settings: AppSettings,
        event: PublicEvent,
        token: FromPath[str],
        optional_viewer: MaybeSignedIn,
        vehicle: FromQuery[str | None] = None,
    ) -> Template:
        """The application form opened by an invitation link: the invited address filled in, the link kept."""
        if not entries.registration_open(event):
            return await _apply_page(request, db, event, {}, {}, optional_viewer)
        try:
            invitation = await invitations.find(db, settings, event, token)
        except InvitationRefused as exc:
            return await _refused_page(request, db, event, exc)
        form, saved = await _prefilled(db, event, optional_viewer, vehicle)
        if "vehicle_id" not in form:
            form.update(email=invitation.email, name=invitation.name or form.get("name", ""))
        form["invitation"] = token
        return await _apply_page(request, db, event, form, {}, optional_viewer, saved=saved)

    @post("/events/{slug:str}/apply", middleware=[UploadBudget])
    async def apply(
        self, request: Req, db: Db, settings: AppSettings, event: PublicEvent, optional_viewer: MaybeSignedIn
    ) -> Template:
        if not entries.registration_open(event):
            form = await typed_form(request, multi=PHOTO_FORM_LISTS)
            return await _apply_page(
                request, db, event, form, {"__all__": entries.closed_message(event)}, optional_viewer, status_code=400
            )
        intake = await take_photos(request, settings)  # kept as pending whatever else is wrong with the form
        try:
            form = await form_data(request, multi=PHOTO_FORM_LISTS)
        except BadForm as exc:
            kept = exc.form | {"pending_photos": intake.token}
            return await _apply_page(
                request, db, event, kept, exc.errors, optional_viewer, status_code=400, pending=intake.pending
            )
        if form.get("vehicle_id") and optional_viewer is not None:
            form["email"] = optional_viewer.email
        form["pending_photos"] = intake.token
        try:
            await entries.apply(
                db,
                settings,
                event,
                form,
                intake.uploads,
                viewer=optional_viewer,
                photo_problem=intake.problem,
                invitation=form.get("invitation") or None,
            )
        except InvitationRefused as exc:
            pending_uploads.discard(settings, intake.token)
            return await _refused_page(request, db, event, exc)
        except SignInRequired as exc:
            # Status 200 so the sign-in link that was queued is committed; the typed form stays on the page.
            return await _apply_page(
                request, db, event, form, {"email": exc.message}, optional_viewer, pending=intake.pending
            )
        except FormErrors as exc:
            return await _apply_page(
                request, db, event, form, exc.errors, optional_viewer, status_code=400, pending=intake.pending
            )
        except ServiceError as exc:
            return await _apply_page(
                request,
                db,
                event,
                form,
                {"__all__": exc.message},
                optional_viewer,
                status_code=400,
                pending=intake.pending,
            )
        pending_uploads.discard(settings, intake.token)
        return render(request, "public/applied.html", event=event, email=form.get("email", ""))

    @get("/pending-photos/{token:str}/{key:str}")
    async def pending_thumb(self, settings: AppSettings, token: FromPath[str], key: FromPath[str]) -> Response[bytes]:
        """A photo kept from a refused form (the random token is the only key to it)."""
        path = pending_uploads.thumb_path(settings, token, key)
        if path is None:
            raise NotFound(gettext("There is no such photo."))
        data = await anyio.Path(path).read_bytes()
        return Response(content=data, media_type="image/jpeg", headers={"cache-control": "private, no-store"})

    @get("/photos/{photo_id:int}")
    async def photo(
        self, db: Db, settings: AppSettings, photo_id: FromPath[int], optional_viewer: MaybeSignedIn
    ) -> Response[bytes]:
        return await _photo_response(db, settings, optional_viewer, photo_id, thumb=False)

    @get("/photos/{photo_id:int}/thumb")
    async def photo_thumb(
        self, db: Db, settings: AppSettings, photo_id: FromPath[int], optional_viewer: MaybeSignedIn
    ) -> Response[bytes]:
        return await _photo_response(db, settings, optional_viewer, photo_id, thumb=True)

    @get("/events/{slug:str}/results")
    async def results_page(
        self,
        request: Req,
        db: Db,
        settings: AppSettings,
        slug: FromPath[str],
        optional_viewer: MaybeSignedIn,
    ) -> Template:
        event = await events.get_event_by_slug(db, slug)
        if not results_public(event.status):
            # During the ceremony: the awards presented so far, nothing else.
            if ceremony.live_visible(event) and await ceremony.ceremony_started(db, event):
                lines = await ceremony.presented_lines(db, event)
                return render(request, "public/results_live.html", event=event, lines=lines)
            raise NotFound(gettext("The results of this event are not published yet."))
        classes = await results.published_results(db, event)
        decided = await awards.decided_awards(db, event)
        # Winners are shown with their car's photo: class awards and special awards (one query for all).
        awarded = {a.entry_id for a in decided}
        winners = [r for c in classes for r in c.rows if r["award"] or r["entry_id"] in awarded]
        with_photo = await show_results.first_photos(db, settings, {int(str(r["vehicle_id"])) for r in winners})
        return render(
            request,
            "public/results.html",
            event=event,
            classes=classes,
            awards=decided,
            photo_numbers={r["car_number"] for r in winners if r["vehicle_id"] in with_photo},
        )
