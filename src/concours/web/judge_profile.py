"""The judge's own pages: invitations to accept, specialties, conflicts of interest to declare, their packet."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, Judge
from concours.i18n import gettext
from concours.reports import report_pdf
from concours.reports.judge_packet import judge_packet
from concours.services import conflicts, roster
from concours.services.permissions import Viewer, judge_id_of
from concours.web.common import Form, FormPage, pdf_response, redirect, submit
from concours.web.dependencies import AppSettings, Db, Req, SignedIn


async def _profile_context(db: AsyncSession, viewer: Viewer, form: Form | None) -> dict[str, Any]:
    judge = await db.get(Judge, judge_id_of(viewer))
    assert judge is not None
    return {
        "judge": judge,
        "rank_label": gettext(roster.RANK_LABELS[judge.rank]) if judge.rank in roster.RANK_LABELS else judge.rank,
        "invitations": await roster.my_invitations(db, viewer),
        "form": form
        if form is not None
        else {
            "specialties": judge.specialties,
            "ties": judge.ties,
            "address": judge.address,
            "postcode": judge.postcode,
        },
        "saved": False,
    }


async def _conflicts_context(db: AsyncSession, subject: tuple[Viewer, Event], form: Form | None) -> dict[str, Any]:
    viewer, event = subject
    return {
        "event": event,
        "conflicts": await conflicts.list_conflicts(db, event, judge_id=judge_id_of(viewer), binding_only=True),
        "choices": await conflicts.conflict_choices(db, event),
        "kinds": conflicts.kind_labels(),
        "types": conflicts.type_labels(),
    }


PROFILE = FormPage("judging/profile.html", _profile_context)
CONFLICTS = FormPage("judging/conflicts.html", _conflicts_context)


class JudgeProfileController(Controller):
    path = "/judging"

    @get("/profile")
    async def profile(self, request: Req, db: Db, viewer: SignedIn) -> Template:
        judge_id_of(viewer)
        return await PROFILE.render(request, db, viewer, saved=request.query_params.get("saved") == "1")

    @post("/profile", media_type=MediaType.HTML)
    async def save_profile(self, request: Req, db: Db, viewer: SignedIn) -> Any:
        judge_id_of(viewer)

        async def act(form: Form) -> None:
            await roster.update_own_profile(db, viewer, form)

        return await submit(request, db, PROFILE, viewer, act, "/judging/profile?saved=1")

    @post("/invitations/{event_id:int}/accept", media_type=MediaType.HTML)
    async def accept(self, db: Db, viewer: SignedIn, event_id: FromPath[int]) -> Any:
        judge_id_of(viewer)
        event = await roster.accept_invitation(db, viewer, event_id)
        return redirect(f"/judging/events/{event.id}/conflicts")

    @get("/events/{event_id:int}/conflicts")
    async def conflicts(self, request: Req, db: Db, viewer: SignedIn, event_id: FromPath[int]) -> Template:
        return await CONFLICTS.render(request, db, (viewer, await roster.event_for_judge(db, viewer, event_id)))

    @post("/events/{event_id:int}/conflicts", media_type=MediaType.HTML)
    async def declare(self, request: Req, db: Db, viewer: SignedIn, event_id: FromPath[int]) -> Any:
        event = await roster.event_for_judge(db, viewer, event_id)

        async def act(form: Form) -> None:
            await conflicts.add_conflict(db, viewer, event, judge_id_of(viewer), form, source="judge")

        return await submit(request, db, CONFLICTS, (viewer, event), act, f"/judging/events/{event.id}/conflicts")

    @post("/conflicts/{conflict_id:int}/delete", media_type=MediaType.HTML)
    async def withdraw(self, db: Db, viewer: SignedIn, conflict_id: FromPath[int]) -> Any:
        judge_id_of(viewer)
        conflict = await conflicts.remove_conflict(db, viewer, conflict_id, own_only=True)
        return redirect(f"/judging/events/{conflict.event_id}/conflicts")

    @get("/events/{event_id:int}/packet.pdf")
    async def packet(self, db: Db, viewer: SignedIn, settings: AppSettings, event_id: FromPath[int]) -> Response[bytes]:
        event = await roster.event_for_judge(db, viewer, event_id)
        packet = await judge_packet(db, settings, event, judge_id_of(viewer))
        return pdf_response(await report_pdf(packet), f"judge-packet-{event.slug}.pdf")
