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
from concours.services.errors import FormErrors, ServiceError
from concours.services.permissions import Viewer
from concours.web.common import Form, FormPage, device_of, form_data, render, submit
from concours.web.dependencies import Db, Req, SignedIn


def _refusal(exc: ServiceError) -> int:
    return exc.status_code if exc.status_code in (403, 409) else 422


Sheet = tuple[Viewer, EventClass, Event]  # a judge's placings sheet for a class


async def _sheet_context(db: AsyncSession, sheet: Sheet, form: Form | None) -> dict[str, Any]:
    view = await placings.sheet_view(db, *sheet)
    return {
        "sheet": view,
        "method_text": gettext(METHOD_TEXT),
        "ordinal": ordinal,
        "places": [ordinal(n) for n in range(1, len(view.cars) + 1)],
    }


SHEET = FormPage("judging/placings.html", _sheet_context)


async def _sheet(db: AsyncSession, viewer: Viewer, class_id: int) -> Sheet:
    return (viewer, *await placings.class_for_judge(db, viewer, class_id))


class JudgingPlacingsController(Controller):
    path = "/judging/classes/{class_id:int}/placings"

    @get("/")
    async def sheet(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Template:
        return await SHEET.render(request, db, await _sheet(db, viewer, class_id))

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
        sheet = await _sheet(db, viewer, class_id)

        async def act(form: Form) -> str:
            car, direction, device = form.get("entry_id", ""), form.get("dir", ""), device_of(request, form)
            await placings.move_car(db, *sheet, entry_id=car, direction=direction, device=device)
            return f"/judging/classes/{class_id}/placings#car-{car}"

        return await submit(request, db, SHEET, sheet, act, lambda back: back, keep_form=False)

    @post("/submit")
    async def submit(self, request: Req, db: Db, viewer: SignedIn, class_id: FromQuery[int]) -> Any:
        sheet = await _sheet(db, viewer, class_id)

        async def act(form: Form) -> None:
            await placings.submit(db, *sheet, order=form.get("order", ""), device=device_of(request, form))

        return await submit(request, db, SHEET, sheet, act, "/judging/", keep_form=False)
