"""What anyone may see: events, the application form, published results."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass
from concours.domain.states import EVENT_STATUS_LABELS, accepts_applications, results_public
from concours.services import awards, entries, events, results
from concours.services.errors import FormErrors, NotFound, ServiceError
from concours.services.permissions import Viewer
from concours.settings import Settings
from concours.web.common import form_data, render


async def _classes(db: AsyncSession, event: Event) -> list[EventClass]:
    return list(
        (
            await db.scalars(select(EventClass).where(EventClass.event_id == event.id).order_by(EventClass.position))
        ).all()
    )


class PublicController(Controller):
    @get("/")
    async def home(self, request: Request[Any, Any, Any], db: AsyncSession, optional_viewer: Viewer | None) -> Template:
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
    async def event_page(
        self, request: Request[Any, Any, Any], db: AsyncSession, slug: str, optional_viewer: Viewer | None
    ) -> Template:
        event = await events.get_event_by_slug(db, slug)
        if event.status == "draft" and not (optional_viewer and optional_viewer.organizes(event.id)):
            raise NotFound("There is no such event.")
        return render(
            request,
            "public/event.html",
            event=event,
            classes=await _classes(db, event),
            label=EVENT_STATUS_LABELS[event.status],
            open=accepts_applications(event.status),
            results=results_public(event.status),
        )

    @get("/events/{slug:str}/apply")
    async def apply_form(
        self, request: Request[Any, Any, Any], db: AsyncSession, slug: str, optional_viewer: Viewer | None
    ) -> Template:
        event = await events.get_event_by_slug(db, slug)
        return render(
            request,
            "public/apply.html",
            event=event,
            classes=await _classes(db, event),
            form={},
            errors={},
            open=accepts_applications(event.status),
            restoration_states=entries.RESTORATION_STATES,
        )

    @post("/events/{slug:str}/apply")
    async def apply(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        settings: Settings,
        slug: str,
        optional_viewer: Viewer | None,
    ) -> Template:
        event = await events.get_event_by_slug(db, slug)
        form = await form_data(request)
        try:
            await entries.apply(db, settings, event, form)
        except FormErrors as exc:
            return render(
                request,
                "public/apply.html",
                status_code=400,
                event=event,
                classes=await _classes(db, event),
                form=form,
                errors=exc.errors,
                open=accepts_applications(event.status),
                restoration_states=entries.RESTORATION_STATES,
            )
        except ServiceError as exc:
            return render(
                request,
                "public/apply.html",
                status_code=400,
                event=event,
                classes=await _classes(db, event),
                form=form,
                errors={"__all__": exc.message},
                open=accepts_applications(event.status),
                restoration_states=entries.RESTORATION_STATES,
            )
        return render(request, "public/applied.html", event=event, email=form.get("email", ""))

    @get("/events/{slug:str}/results")
    async def results_page(
        self, request: Request[Any, Any, Any], db: AsyncSession, slug: str, optional_viewer: Viewer | None
    ) -> Template:
        event = await events.get_event_by_slug(db, slug)
        if not results_public(event.status):
            raise NotFound("The results of this event are not published yet.")
        return render(
            request,
            "public/results.html",
            event=event,
            classes=await results.published_results(db, event),
            awards=await awards.list_awards(db, event),
        )
