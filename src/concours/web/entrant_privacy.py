"""The entrant's privacy: a download of everything the app keeps about them, and the choice whether their name
appears in public: the car's page, the live page, placards and the results book (the organizers and the emcee's
cards always have it)."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Response, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.services import car_pages
from concours.services.permissions import Viewer
from concours.web.common import Form, FormPage, submit
from concours.web.dependencies import Db, Req, SignedIn


async def _context(db: AsyncSession, viewer: Viewer, form: Form | None) -> dict[str, Any]:
    return {"publish_name": (await car_pages.entrant_of(db, viewer)).publish_name, "saved": False}


PAGE = FormPage("entrant/privacy.html", _context)


class EntrantPrivacyController(Controller):
    path = "/my/privacy"

    @get("/")
    async def privacy(self, request: Req, db: Db, viewer: SignedIn) -> Template:
        return await PAGE.render(request, db, viewer, saved=request.query_params.get("saved") == "1")

    @post("/")
    async def save(self, request: Req, db: Db, viewer: SignedIn) -> Any:
        async def act(form: Form) -> None:
            await car_pages.set_publish_name(db, viewer, form.get("publish_name") == "1")

        return await submit(request, db, PAGE, viewer, act, "/my/privacy?saved=1")

    @get("/data.json")
    async def data(self, db: Db, viewer: SignedIn) -> Response[bytes]:
        """Everything the app keeps about the entrant as a person, as a JSON download."""
        body = json.dumps(await car_pages.personal_data(db, viewer), ensure_ascii=False, indent=2)
        return Response(
            content=body.encode(),
            media_type="application/json",
            headers={
                "content-disposition": 'attachment; filename="my-data.json"',
                "cache-control": "private, no-store",
            },
        )
