"""The entrant's choice whether their name appears in public: the car's page, the live page, placards and the
results book (the organizers and the emcee's cards always have it)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template

from concours.services import car_pages
from concours.web.common import Db, SignedIn, form_data, render


class EntrantPrivacyController(Controller):
    path = "/my/privacy"

    @get("/")
    async def privacy(self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn) -> Template:
        entrant = await car_pages.entrant_of(db, viewer)
        return render(request, "entrant/privacy.html", publish_name=entrant.publish_name, saved=False)

    @post("/")
    async def save(self, request: Request[Any, Any, Any], db: Db, viewer: SignedIn) -> Template:
        form = await form_data(request)
        entrant = await car_pages.set_publish_name(db, viewer, form.get("publish_name") == "1")
        return render(request, "entrant/privacy.html", publish_name=entrant.publish_name, saved=True)
