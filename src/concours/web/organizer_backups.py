"""The installation's backups, for organizer accounts: the folder the automatic backups go to (a USB stick), how
often and how many are kept, "Back up now", and the backups in the folder."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Controller, get, post
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.i18n import gettext
from concours.services import backups
from concours.services.permissions import Viewer, require, why_not_manage_backups
from concours.settings import Settings
from concours.web.common import Form, FormPage, submit
from concours.web.dependencies import AppSettings, Db, Req, SignedIn


async def _context(db: AsyncSession, subject: tuple[Viewer, Settings], form: Form | None) -> dict[str, Any]:
    viewer, settings = subject
    require(why_not_manage_backups(viewer))
    plan = await backups.plan(db, settings)
    if form is None:
        form = {
            "folder": str(plan.folder) if plan.from_page and plan.folder else "",
            "minutes": str(plan.minutes),
            "keep": str(plan.keep),
        }
    return {
        "plan": plan,
        "form": form,
        "files": await anyio.to_thread.run_sync(backups.backup_files, plan.folder),
        "env_folder": str(settings.backup_dir) if settings.backup_dir else "",
    }


PAGE = FormPage("organizer/backups.html", _context)


class OrganizerBackupsController(Controller):
    path = "/organizer/backups"

    @get("/")
    async def page(
        self,
        request: Req,
        db: Db,
        settings: AppSettings,
        viewer: SignedIn,
        done: FromQuery[str] = "",
    ) -> Template:
        notice = {"saved": gettext("Saved."), "written": gettext("Backup written.")}.get(done, "")
        return await PAGE.render(request, db, (viewer, settings), notice=notice)

    @post("/")
    async def save(self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn) -> Any:
        async def act(form: Form) -> None:
            await backups.save_plan(db, settings, viewer, form)

        return await submit(request, db, PAGE, (viewer, settings), act, "/organizer/backups?done=saved")

    @post("/now")
    async def now(self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn) -> Any:
        async def act(form: Form) -> None:
            await backups.back_up_now(db, settings, viewer)

        return await submit(
            request, db, PAGE, (viewer, settings), act, "/organizer/backups?done=written", field="now", keep_form=False
        )
