"""The judge's placings sheet on the tablet: order the class's cars, a note per car, submit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass
from concours.domain.placings import METHOD_TEXT, ordinal
from concours.i18n import gettext
from concours.services import placings
from concours.services.errors import Forbidden, FormErrors, ServiceError
from concours.services.permissions import Viewer
from concours.web.common import Db, Form, Req, SignedIn, device_of, form_data, redirect, render


def _refusal(exc: ServiceError) -> int:
    return exc.status_code if exc.status_code in (403, 409) else 422


class JudgingPlacingsController(Controller):
    path = "/judging/classes/{class_id:int}/placings"

    async def _page(
        self,
        request: Req,
        db: AsyncSession,
        viewer: Viewer,
        cls: EventClass,
        event: Event,
        *,
        status_code: int = 200,
        error: str = "",
    ) -> Template:
        view = await placings.sheet_view(db, viewer, cls, event)
        return render(
            request,
            "judging/placings.html",
            status_code=status_code,
            sheet=view,
            method_text=gettext(METHOD_TEXT),
            ordinal=ordinal,
            places=[ordinal(n) for n in range(1, len(view.cars) + 1)],
            error=error,
        )

    @get("/")
    async def sheet(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Template:
        cls, event = await placings.class_for_judge(db, viewer, class_id)
        return await self._page(request, db, viewer, cls, event)

    def _state(self, request: Req, key: str, error: str = "", status_code: int = 200) -> Template:
        return render(
            request,
            "judging/_placing_state.html",
            status_code=status_code,
            key=key,
            error=error,
            state=gettext("Saved"),
        )

    async def _autosave(
        self,
        request: Req,
        db: AsyncSession,
        viewer: Viewer,
        class_id: int,
        key: str,
        save: Callable[[EventClass, Event, Form, str], Awaitable[Any]],
    ) -> Template:
        """One autosaved change (the order, a car's note, the comment): its save-state fragment, or the refusal's
        message in it (a malformed form too, as a 422 fragment)."""
        cls, event = await placings.class_for_judge(db, viewer, class_id)
        try:
            form = await form_data(request)
            await save(cls, event, form, device_of(request, form))
        except ServiceError as exc:
            message = " ".join(exc.errors.values()) if isinstance(exc, FormErrors) else exc.message
            return self._state(request, key, message, _refusal(exc))
        return self._state(request, key)

    @post("/order")
    async def order(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Template:
        async def save(cls: EventClass, event: Event, form: Form, device: str) -> None:
            await placings.save_order(db, viewer, cls, event, order=form.get("order", ""), device=device)

        return await self._autosave(request, db, viewer, class_id, "order", save)

    @post("/notes/{entry_id:int}")
    async def note(
        self,
        request: Req,
        db: Db,
        viewer: SignedIn,
        class_id: FromQuery[int],
        entry_id: FromPath[int],
    ) -> Template:
        async def save(cls: EventClass, event: Event, form: Form, device: str) -> None:
            await placings.save_note(
                db, viewer, cls, event, entry_id=entry_id, note=form.get("note", ""), device=device
            )

        return await self._autosave(request, db, viewer, class_id, f"note-{entry_id}", save)

    @post("/comment")
    async def comment(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Template:
        async def save(cls: EventClass, event: Event, form: Form, device: str) -> None:
            await placings.save_comment(db, viewer, cls, event, comment=form.get("comment", ""), device=device)

        return await self._autosave(request, db, viewer, class_id, "comment", save)

    @post("/move")
    async def move(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Any:
        """Without scripts: move a car a place and show the sheet again."""
        cls, event = await placings.class_for_judge(db, viewer, class_id)
        form = await form_data(request)
        try:
            await placings.move_car(
                db,
                viewer,
                cls,
                event,
                entry_id=form.get("entry_id", ""),
                direction=form.get("dir", ""),
                device=device_of(request, form),
            )
        except Forbidden:
            raise
        except ServiceError as exc:
            return await self._page(request, db, viewer, cls, event, status_code=400, error=exc.message)
        return redirect(f"/judging/classes/{cls.id}/placings#car-{form.get('entry_id', '')}")

    @post("/submit")
    async def submit(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Any:
        cls, event = await placings.class_for_judge(db, viewer, class_id)
        form = await form_data(request)
        try:
            await placings.submit(db, viewer, cls, event, order=form.get("order", ""), device=device_of(request, form))
        except Forbidden:
            raise
        except ServiceError as exc:
            return await self._page(request, db, viewer, cls, event, status_code=400, error=exc.message)
        return redirect("/judging/")
