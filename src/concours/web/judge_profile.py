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
from concours.services.errors import Forbidden
from concours.services.permissions import Viewer
from concours.settings import Settings
from concours.web.common import Form, FormPage, pdf_response, redirect, submit


def _judge_id(viewer: Viewer) -> int:
    if viewer.judge_id is None:
        raise Forbidden("This page is for judges.")
    return viewer.judge_id


async def _profile_context(db: AsyncSession, viewer: Viewer, form: Form | None) -> dict[str, Any]:
    judge = await db.get(Judge, _judge_id(viewer))
    assert judge is not None
    return {
        "judge": judge,
        "rank_label": roster.RANK_LABELS.get(judge.rank, judge.rank),
        "invitations": await roster.my_invitations(db, viewer),
        "form": form if form is not None else {"specialties": judge.specialties},
        "saved": False,
    }


async def _conflicts_context(db: AsyncSession, subject: tuple[Viewer, Event], form: Form | None) -> dict[str, Any]:
    viewer, event = subject
    return {
        "event": event,
        "conflicts": await conflicts.list_conflicts(db, event, judge_id=_judge_id(viewer)),
        "choices": await conflicts.conflict_choices(db, event),
        "kinds": conflicts.CONFLICT_KINDS,
    }


PROFILE = FormPage("judging/profile.html", _profile_context)
CONFLICTS = FormPage("judging/conflicts.html", _conflicts_context)


class JudgeProfileController(Controller):
    path = "/judging"

    @get("/profile")
    async def profile(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer) -> Template:
        _judge_id(viewer)
        return await PROFILE.render(request, db, viewer, saved=request.query_params.get("saved") == "1")

    @post("/profile", media_type=MediaType.HTML)
    async def save_profile(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer) -> Any:
        _judge_id(viewer)

        async def act(form: Form) -> None:
            await roster.update_own_profile(db, viewer, form)

        return await submit(request, db, PROFILE, viewer, act, "/judging/profile?saved=1")

    @post("/invitations/{event_id:int}/accept", media_type=MediaType.HTML)
    async def accept(self, db: AsyncSession, viewer: Viewer, event_id: int) -> Any:
        _judge_id(viewer)
        event = await roster.accept_invitation(db, viewer, event_id)
        return redirect(f"/judging/events/{event.id}/conflicts")

    @get("/events/{event_id:int}/conflicts")
    async def conflicts(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int
    ) -> Template:
        return await CONFLICTS.render(request, db, (viewer, await roster.event_for_judge(db, viewer, event_id)))

    @post("/events/{event_id:int}/conflicts", media_type=MediaType.HTML)
    async def declare(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int) -> Any:
        event = await roster.event_for_judge(db, viewer, event_id)

        async def act(form: Form) -> None:
            await conflicts.add_conflict(db, viewer, event, _judge_id(viewer), form, source="declared")

        return await submit(request, db, CONFLICTS, (viewer, event), act, f"/judging/events/{event.id}/conflicts")

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
