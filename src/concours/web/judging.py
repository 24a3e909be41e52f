"""The judge's tablet screens: my classes and cars, a car's sheet with autosave, submission."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry
from concours.db.engine import Database
from concours.domain.rubric import Category, format_units
from concours.i18n import gettext
from concours.services import autosave, calibration_car, judge_home, judging, photos, placings
from concours.services.errors import Forbidden, ServiceError
from concours.services.permissions import Viewer, entry_for_judge
from concours.web.common import device_of, form_data, redirect, render, render_now
from concours.web.dependencies import AppSettings, Db, Req, SignedIn, autosave_viewer

# The benchmark's baseline: the saved-state fragment of a typical line, rendered without the database.
_BENCH_CATEGORY = Category("condition", "Condition & presentation", 300, 5, "deduction", id=0)
_BENCH_SHEET = judging.CarSheets(
    "individual",
    [
        judging.SheetView(
            entry_id=0,
            scale=10,
            lines=[judging.LineView(_BENCH_CATEGORY, 290, "Small chip in the paint.")],
            total=Fraction(290),
            maximum=Fraction(1000),
            missing=["Authenticity", "Function", "Elegance"],
        )
    ],
    10,
)


def _line_change(request: Req, form: dict[str, str], category_id: int) -> autosave.LineChange:
    """A tablet's change to one line, as the sheet's script posts it (a judge's sheet or the calibration car's)."""
    return autosave.LineChange(
        category_id=category_id,
        value=form.get("value", ""),
        note=form.get("note", ""),
        change_id=form.get("change_id", ""),
        device=device_of(request, form),
        base_value=form.get("base_value"),
        base_note=form.get("base_note"),
    )


def _comment_change(request: Req, form: dict[str, str], section: str = "") -> autosave.CommentChange:
    """A tablet's change to the overall comment of a sheet (of one section, for section judging)."""
    return autosave.CommentChange(
        comment=form.get("comment", ""),
        change_id=form.get("change_id", ""),
        device=device_of(request, form),
        section=section,
        base_comment=form.get("base_comment"),
    )


def _require_judge(viewer: Viewer) -> int:
    if viewer.judge_id is None:
        raise Forbidden(gettext("This page is for judges."))
    return viewer.judge_id


async def _autosave_form(request: Req, database: Database) -> tuple[Viewer, dict[str, str]]:
    """The signed-in judge and the form of an autosave request (which takes no ``db`` session, see below)."""
    viewer = await autosave_viewer(request, database)
    _require_judge(viewer)
    return viewer, await form_data(request)


async def _photos(db: AsyncSession, entry: Entry) -> list[dict[str, str]]:
    """The car's photos for the judge (served by /photos/{id}, which checks who may see them)."""
    stored = (await photos.photos_by_vehicle(db, [entry.vehicle_id])).get(entry.vehicle_id, [])
    return [
        {
            "url": f"/photos/{p.id}",
            "thumb_url": f"/photos/{p.id}/thumb",
            "alt": p.caption or gettext("Photo %(n)s", n=n),
        }
        for n, p in enumerate(stored, start=1)
    ]


class JudgingController(Controller):
    path = "/judging"

    @get("/")
    async def home(self, request: Req, db: Db, viewer: SignedIn) -> Template:
        judge_id = _require_judge(viewer)
        classes = await judge_home.judge_home(db, judge_id)
        windows = await judge_home.judging_windows(db, [c.class_id for c in classes])
        placings_classes = await placings.placings_class_ids(db, [c.class_id for c in classes])
        offers = await calibration_car.offers(db, judge_id, viewer.entrant_id)
        return render(
            request,
            "judging/home.html",
            classes=classes,
            windows=windows,
            placings_classes=placings_classes,
            calibration_offers=offers,
        )

    @get("/_bench/fragment", include_in_schema=False)
    async def bench_fragment(self, request: Req, settings: AppSettings) -> Template:
        """Load-test baseline (scripts/load_autosave.py): the fragment a save answers, without the database."""
        if settings.environment == "production":
            raise NotFoundException()
        return render(
            request,
            "judging/_saved.html",
            sheet=_BENCH_SHEET,
            line=_BENCH_SHEET.sheets[0].lines[0],
            comment_key="comment",
            comment=None,
            fmt=format_units,
            error="",
        )

    @get("/entries/{entry_id:int}")
    async def car(self, request: Req, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Any:
        judge_id = _require_judge(viewer)
        entry = await entry_for_judge(db, viewer, entry_id)
        if entry.class_id is not None and entry.class_id in await placings.placings_class_ids(db, [entry.class_id]):
            return redirect(f"/judging/classes/{entry.class_id}/placings#car-{entry.id}")
        sheet = await judging.car_sheets(db, judge_id, entry)
        return render(
            request,
            "judging/sheet.html",
            car=await judge_home.car_details(db, entry),
            photos=await _photos(db, entry),
            sheet=sheet,
            fmt=format_units,
            error="",
        )

    @staticmethod
    def _answer(request: Req, saved: autosave.Saved, comment_key: str) -> Response[bytes]:
        """The answer to a change: its line's save state (with what the server holds now) and the total, rendered
        while the change is being stored (``autosave.autosave``)."""
        return render_now(
            request,
            "judging/_saved.html",
            status_code=saved.status_code,
            sheet=saved.sheets,
            line=saved.line,
            comment=saved.comment,
            comment_key=comment_key,
            fmt=format_units,
            error=saved.error,
        )

    # The two autosave routes take no ``db`` session: the save reads outside the write and keeps its write
    # transaction to its few statements (services/autosave.py), instead of holding one for the request.

    @post("/entries/{entry_id:int}/lines/{category_id:int}")
    async def save_line(
        self, request: Req, state: State, entry_id: FromPath[int], category_id: FromPath[int]
    ) -> Response[bytes]:
        return await self._save_line(request, state, entry_id, category_id)

    @post("/entries/{entry_id:int}/comment")
    async def save_comment(self, request: Req, state: State, entry_id: FromPath[int]) -> Response[bytes]:
        return await self._save_comment(request, state, entry_id)

    async def _save_line(
        self, request: Req, state: State, entry_id: int, category_id: int, *, calibration: bool = False
    ) -> Response[bytes]:
        """A tablet's change to one line of the judge's sheet (or their calibration sheet): its saved state."""
        database: Database = state.db
        viewer, form = await _autosave_form(request, database)
        change = _line_change(request, form, category_id)
        return await autosave.autosave(
            database,
            viewer,
            entry_id,
            change,
            lambda saved: self._answer(request, saved, str(category_id) if saved.line is None else ""),
            calibration=calibration,
        )

    async def _save_comment(
        self, request: Req, state: State, entry_id: int, *, calibration: bool = False
    ) -> Response[bytes]:
        """A tablet's change to the overall comment (of a section, on a judge's own sheet): its saved state."""
        database: Database = state.db
        viewer, form = await _autosave_form(request, database)
        section = "" if calibration else form.get("section", "")
        change = _comment_change(request, form, section)
        comment_key = f"comment-{section}" if section else "comment"
        return await autosave.autosave(
            database,
            viewer,
            entry_id,
            change,
            lambda saved: self._answer(request, saved, comment_key),
            calibration=calibration,
        )

    # The calibration car: the normal sheet and autosave, on the judge's calibration sheet (never counted).

    @get("/calibration/{entry_id:int}")
    async def calibration_car(self, request: Req, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Template:
        judge_id = _require_judge(viewer)
        entry = await calibration_car.entry_for_calibration(db, viewer, entry_id)
        return await self._calibration_page(request, db, judge_id, entry, "")

    async def _calibration_page(
        self, request: Req, db: AsyncSession, judge_id: int, entry: Entry, error: str
    ) -> Template:
        return render(
            request,
            "judging/sheet.html",
            status_code=400 if error else 200,
            car=await judge_home.car_details(db, entry),
            photos=await _photos(db, entry),
            sheet=await judging.car_sheets(db, judge_id, entry, calibration=True),
            fmt=format_units,
            error=error,
            sheet_base=f"/judging/calibration/{entry.id}",
            calibration=True,
        )

    @post("/calibration/{entry_id:int}/lines/{category_id:int}")
    async def calibration_line(
        self, request: Req, state: State, entry_id: FromPath[int], category_id: FromPath[int]
    ) -> Response[bytes]:
        return await self._save_line(request, state, entry_id, category_id, calibration=True)

    @post("/calibration/{entry_id:int}/comment")
    async def calibration_comment(self, request: Req, state: State, entry_id: FromPath[int]) -> Response[bytes]:
        return await self._save_comment(request, state, entry_id, calibration=True)

    @post("/calibration/{entry_id:int}/submit")
    async def calibration_submit(self, request: Req, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Any:
        judge_id = _require_judge(viewer)
        entry = await calibration_car.entry_for_calibration(db, viewer, entry_id)
        form = await form_data(request)
        try:
            await judging.submit_sheet(db, viewer, entry, device=device_of(request, form), calibration=True)
        except Forbidden:
            raise
        except ServiceError as exc:
            return await self._calibration_page(request, db, judge_id, entry, exc.message)
        return redirect("/judging/")

    @post("/entries/{entry_id:int}/submit")
    async def submit(self, request: Req, db: Db, viewer: SignedIn, entry_id: FromPath[int]) -> Any:
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
                car=await judge_home.car_details(db, entry),
                photos=await _photos(db, entry),
                sheet=sheet,
                fmt=format_units,
                error=exc.message,
            )
        return redirect("/judging/")
