"""Invitation-only events, the organizer's side: the setting, inviting owners by e-mail, the invitations' state."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.i18n import gettext, ngettext
from concours.services import entries, invitations
from concours.web.common import Form, FormPage, notice_url, submit
from concours.web.dependencies import ORGANIZED, AppSettings, Db, OrganizedEvent, Req, SignedIn


async def _invitations_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    lines = await invitations.list_invitations(db, event)
    return {
        "event": event,
        "invitations": lines,
        "applied": sum(1 for line in lines if line.state == "applied"),
        "registration_open": entries.registration_open(event),
    }


INVITATIONS = FormPage("organizer/invitations.html", _invitations_context)


def _done(result: invitations.InviteResult) -> str:
    parts = []
    if result.invited:
        parts.append(ngettext("%(num)s invitation sent", "%(num)s invitations sent", result.invited))
    if result.resent:
        parts.append(gettext("%(n)s sent again with a new link (the old one no longer works)", n=result.resent))
    if result.already_applied:
        parts.append(
            gettext("already applied, not invited again: %(emails)s", emails=", ".join(result.already_applied))
        )
    return "; ".join(parts) + "."


class OrganizerInvitationsController(Controller):
    path = "/organizer/events/{event_id:int}/invitations"
    dependencies = {"event": ORGANIZED}

    @get("/")
    async def invitations_page(self, request: Req, db: Db, event: OrganizedEvent) -> Template:
        return await INVITATIONS.render(request, db, event)

    @post("/", media_type=MediaType.HTML)
    async def invite(self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> invitations.InviteResult:
            return await invitations.invite(db, settings, viewer, event, form)

        done = f"/organizer/events/{event.id}/invitations"
        return await submit(request, db, INVITATIONS, event, act, lambda result: notice_url(done, _done(result)))

    @post("/setting", media_type=MediaType.HTML)
    async def setting(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            await invitations.set_invitation_only(db, viewer, event, form.get("invitation_only", "") == "on")

        return await submit(
            request, db, INVITATIONS, event, act, f"/organizer/events/{event.id}/invitations", keep_form=False
        )
