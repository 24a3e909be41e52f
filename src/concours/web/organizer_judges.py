"""The organizer's judges: teams per class, adding judges, section ownership."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Event,
    EventClass,
    Judge,
    JudgingSystem,
    Team,
    TeamMember,
    User,
)
from concours.services import judging
from concours.services.errors import FormErrors, ServiceError
from concours.services.events import load_rubric
from concours.services.permissions import (
    Viewer,
    class_for_organizer,
    event_for_organizer,
)
from concours.settings import Settings
from concours.web.common import form_data, redirect, render


class OrganizerJudgesController(Controller):
    path = "/organizer"

    @get("/events/{event_id:int}/judges")
    async def judges(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, event_id: int
    ) -> Template:
        event = await event_for_organizer(db, viewer, event_id)
        return await self._judges_page(request, db, event)

    async def _judges_page(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        event: Event,
        *,
        status_code: int = 200,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        classes = (
            await db.scalars(select(EventClass).where(EventClass.event_id == event.id).order_by(EventClass.position))
        ).all()
        members = (
            await db.execute(
                select(
                    Team.class_id,
                    User.name,
                    User.email,
                    TeamMember.is_captain,
                    Judge.rank,
                    Judge.id.label("judge_id"),
                    TeamMember.sections,
                )
                .join(TeamMember, TeamMember.team_id == Team.id)
                .join(Judge, Judge.id == TeamMember.judge_id)
                .join(User, User.id == Judge.user_id)
                .where(Team.event_id == event.id)
                .order_by(TeamMember.is_captain.desc(), User.name)
            )
        ).all()
        system = await db.scalar(select(JudgingSystem).where(JudgingSystem.event_id == event.id))
        sections: list[str] = []
        if system is not None and system.sheet_mode == "section" and event.rubric_id:
            rubric = await load_rubric(db, event.rubric_id)
            sections = list(dict.fromkeys(c.section for c in rubric.categories if c.section))
        return render(
            request,
            "organizer/judges.html",
            status_code=status_code,
            event=event,
            classes=classes,
            members=members,
            sections=sections,
            form=form or {},
            errors=errors or {},
        )

    @post("/events/{event_id:int}/judges")
    async def add_judge(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, settings: Settings, event_id: int
    ) -> Any:
        event = await event_for_organizer(db, viewer, event_id)
        form = await form_data(request)
        cls = None
        if form.get("class_id", "").isdigit():
            cls = await db.get(EventClass, int(form["class_id"]))
        try:
            if cls is None or cls.event_id != event.id:
                raise FormErrors({"class_id": "Choose the class this judge will judge."})
            await judging.add_judge_to_class(
                db,
                settings,
                viewer,
                cls,
                name=form.get("name", ""),
                email=form.get("email", ""),
                captain=form.get("captain") == "on",
            )
        except FormErrors as exc:
            return await self._judges_page(request, db, event, status_code=400, form=form, errors=exc.errors)
        return redirect(f"/organizer/events/{event.id}/judges")

    @post("/classes/{class_id:int}/sections")
    async def sections(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, class_id: int) -> Any:
        cls, event = await class_for_organizer(db, viewer, class_id)
        form = await request.form()
        try:
            if form.get("share") == "evenly":
                await judging.share_sections(db, viewer, cls)
            else:
                assignment: dict[int, list[str]] = {}
                for key in form:
                    if key.startswith("sections-") and key[9:].isdigit():
                        assignment[int(key[9:])] = [v for v in form.getall(key) if isinstance(v, str)]
                await judging.set_sections(db, viewer, cls, assignment)
        except ServiceError as exc:
            return await self._judges_page(
                request, db, event, status_code=400, errors={f"sections-{cls.id}": exc.message}
            )
        return redirect(f"/organizer/events/{event.id}/judges#class-{cls.id}")
