"""The judge's own pages: invitations to accept, specialties, conflicts of interest to declare, their packet."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, Judge
from concours.reports import report_pdf
from concours.reports.judge_packet import judge_packet
from concours.services import conflicts, roster
from concours.services.errors import Forbidden, FormErrors
from concours.services.permissions import Viewer
from concours.settings import Settings
from concours.web.common import form_data, pdf_response, redirect, render


def _judge_id(viewer: Viewer) -> int:
    if viewer.judge_id is None:
        raise Forbidden("This page is for judges.")
    return viewer.judge_id


class JudgeProfileController(Controller):
    path = "/judging"

    @get("/profile")
    async def profile(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer) -> Template:
        _judge_id(viewer)
        return await self._profile_page(request, db, viewer, saved=request.query_params.get("saved") == "1")

    async def _profile_page(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        viewer: Viewer,
        *,
        status_code: int = 200,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        saved: bool = False,
    ) -> Template:
        judge = await db.get(Judge, _judge_id(viewer))
        assert judge is not None
        return render(
            request,
            "judging/profile.html",
            status_code=status_code,
            judge=judge,
            rank_label=roster.RANK_LABELS.get(judge.rank, judge.rank),
            invitations=await roster.my_invitations(db, viewer),
            form=form or {"specialties": judge.specialties},
            errors=errors or {},
            saved=saved,
        )

    @post("/profile", media_type=MediaType.HTML)
    async def save_profile(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer) -> Any:
        _judge_id(viewer)
        form = await form_data(request)
        try:
            await roster.update_own_profile(db, viewer, form)
        except FormErrors as exc:
            return await self._profile_page(request, db, viewer, status_code=400, form=form, errors=exc.errors)
        return redirect("/judging/profile?saved=1")

    @post("/invitations/{event_id:int}/accept", media_type=MediaType.HTML)
    async def accept(self, db: AsyncSession, viewer: Viewer, event_id: int) -> Any:
        _judge_id(viewer)
        event = await roster.accept_invitation(db, viewer, event_id)
        return redirect(f"/judging/events/{event.id}/conflicts")

    @get("/events/{event_id:int}/conflicts")
    async def conflicts(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int
    ) -> Template:
        event = await roster.event_for_judge(db, viewer, event_id)
        return await self._conflicts_page(request, db, viewer, event)

    async def _conflicts_page(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        viewer: Viewer,
        event: Event,
        *,
        status_code: int = 200,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        return render(
            request,
            "judging/conflicts.html",
            status_code=status_code,
            event=event,
            conflicts=await conflicts.list_conflicts(db, event, judge_id=_judge_id(viewer)),
            choices=await conflicts.conflict_choices(db, event),
            kinds=conflicts.CONFLICT_KINDS,
            form=form or {},
            errors=errors or {},
        )

    @post("/events/{event_id:int}/conflicts", media_type=MediaType.HTML)
    async def declare(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int) -> Any:
        event = await roster.event_for_judge(db, viewer, event_id)
        form = await form_data(request)
        try:
            await conflicts.add_conflict(db, viewer, event, _judge_id(viewer), form, source="declared")
        except FormErrors as exc:
            return await self._conflicts_page(request, db, viewer, event, status_code=400, form=form, errors=exc.errors)
        return redirect(f"/judging/events/{event.id}/conflicts")

    @post("/conflicts/{conflict_id:int}/delete", media_type=MediaType.HTML)
    async def withdraw(self, db: AsyncSession, viewer: Viewer, conflict_id: int) -> Any:
        _judge_id(viewer)
        conflict = await conflicts.remove_conflict(db, viewer, conflict_id, own_only=True)
        return redirect(f"/judging/events/{conflict.event_id}/conflicts")

    @get("/events/{event_id:int}/packet.pdf")
    async def packet(self, db: AsyncSession, viewer: Viewer, settings: Settings, event_id: int) -> Response[bytes]:
        event = await roster.event_for_judge(db, viewer, event_id)
        packet = await judge_packet(db, settings, event, _judge_id(viewer))
        return pdf_response(await report_pdf(packet), f"judge-packet-{event.slug}.pdf")
