"""The judge's tablet screens: my classes and cars, a car's sheet with autosave, submission."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.domain.rubric import format_units
from concours.services import judging
from concours.services.errors import Forbidden, ServiceError
from concours.services.permissions import Viewer, entry_for_judge
from concours.web.common import device_of, form_data, redirect, render


def _require_judge(viewer: Viewer) -> int:
    if viewer.judge_id is None:
        raise Forbidden("This page is for judges.")
    return viewer.judge_id


def _refusal(exc: ServiceError) -> int:
    """A refused change answers with its reason as a fragment: 403 not yours, 409 locked, 422 invalid."""
    return exc.status_code if exc.status_code in (403, 409) else 422


class JudgingController(Controller):
    path = "/judging"

    @get("/")
    async def home(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer) -> Template:
        judge_id = _require_judge(viewer)
        return render(request, "judging/home.html", classes=await judging.judge_home(db, judge_id))

    @get("/entries/{entry_id:int}")
    async def car(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, entry_id: int) -> Template:
        judge_id = _require_judge(viewer)
        entry = await entry_for_judge(db, viewer, entry_id)
        sheet = await judging.car_sheets(db, judge_id, entry)
        return render(
            request,
            "judging/sheet.html",
            car=await judging.car_details(db, entry),
            sheet=sheet,
            fmt=format_units,
            error="",
        )

    async def _fragment(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        viewer: Viewer,
        entry_id: int,
        category_id: int | None,
        error: str = "",
        section: str = "",
        status_code: int = 422,
    ) -> Template:
        assert viewer.judge_id is not None
        entry = await entry_for_judge(db, viewer, entry_id)
        sheet = await judging.car_sheets(db, viewer.judge_id, entry)
        line = next((ln for sv in sheet.sheets for ln in sv.lines if ln.category.id == category_id), None)
        return render(
            request,
            "judging/_saved.html",
            status_code=status_code if error else 200,
            sheet=sheet,
            line=line,
            comment_key=f"comment-{section}" if section else "comment",
            fmt=format_units,
            error=error,
        )

    @post("/entries/{entry_id:int}/lines/{category_id:int}")
    async def save_line(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, entry_id: int, category_id: int
    ) -> Template:
        _require_judge(viewer)
        entry = await entry_for_judge(db, viewer, entry_id)
        form = await form_data(request)
        try:
            await judging.save_line(
                db,
                viewer,
                entry,
                category_id=category_id,
                value=form.get("value", ""),
                note=form.get("note", ""),
                change_id=form.get("change_id", ""),
                device=device_of(request, form),
            )
        except ServiceError as exc:
            return await self._fragment(
                request, db, viewer, entry_id, category_id, error=exc.message, status_code=_refusal(exc)
            )
        await db.flush()
        return await self._fragment(request, db, viewer, entry_id, category_id)

    @post("/entries/{entry_id:int}/comment")
    async def save_comment(
        self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, entry_id: int
    ) -> Template:
        _require_judge(viewer)
        entry = await entry_for_judge(db, viewer, entry_id)
        form = await form_data(request)
        try:
            await judging.save_comment(
                db,
                viewer,
                entry,
                comment=form.get("comment", ""),
                change_id=form.get("change_id", ""),
                device=device_of(request, form),
                section=form.get("section", ""),
            )
        except ServiceError as exc:
            return await self._fragment(
                request,
                db,
                viewer,
                entry_id,
                None,
                error=exc.message,
                section=form.get("section", ""),
                status_code=_refusal(exc),
            )
        await db.flush()
        return await self._fragment(request, db, viewer, entry_id, None, section=form.get("section", ""))

    @post("/entries/{entry_id:int}/submit")
    async def submit(self, request: Request[Any, Any, Any], db: AsyncSession, viewer: Viewer, entry_id: int) -> Any:
        judge_id = _require_judge(viewer)
        entry = await entry_for_judge(db, viewer, entry_id)
        form = await form_data(request)
        try:
            await judging.submit_sheet(db, viewer, entry, device=device_of(request, form))
        except Forbidden:
            raise
        except ServiceError as exc:
            sheet = await judging.car_sheets(db, judge_id, entry)
            return render(
                request,
                "judging/sheet.html",
                status_code=400,
                car=await judging.car_details(db, entry),
                sheet=sheet,
                fmt=format_units,
                error=exc.message,
            )
        return redirect("/judging/")
