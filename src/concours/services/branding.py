"""The event's branding: a logo (checked and re-encoded like a car photo) and two colours, printed on every
document of the event through the reports' letterhead (placards, emcee cards, the results book, judge packets,
class results, entrant reports)."""

from __future__ import annotations

import base64
from dataclasses import replace

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventBranding
from concours.domain.ceremony import valid_colour
from concours.i18n import format_number, gettext
from concours.reports import Letterhead
from concours.services import audit, photos
from concours.services.errors import FormErrors
from concours.services.permissions import Viewer

DEFAULT_PRIMARY = "#1d3557"
DEFAULT_ACCENT = "#b08d57"
MAX_LOGO_BYTES = 4 * 1024 * 1024


async def load(session: AsyncSession, event_id: int) -> EventBranding | None:
    row: EventBranding | None = await session.scalar(select(EventBranding).where(EventBranding.event_id == event_id))
    return row


def _apply(letterhead: Letterhead, row: EventBranding | None) -> Letterhead:
    if row is None:
        return letterhead
    logo = "data:image/jpeg;base64," + base64.b64encode(row.logo_jpeg).decode("ascii") if row.logo_jpeg else ""
    return replace(letterhead, logo=logo, primary=row.primary_colour, accent=row.accent_colour)


async def branded(session: AsyncSession, event_id: int, letterhead: Letterhead) -> Letterhead:
    """``letterhead`` with the event's logo and colours, where the organizer set them (one query)."""
    return _apply(letterhead, await load(session, event_id))


async def letterhead(session: AsyncSession, event: Event) -> Letterhead:
    """The event's letterhead, branded: what every report of the event prints."""
    return await branded(session, event.id, Letterhead.of(event))


async def update(
    session: AsyncSession,
    viewer: Viewer,
    event: Event,
    form: dict[str, str],
    logo: photos.Upload | None,
) -> EventBranding:
    """Save the colours and, if one was sent, the logo (checked by content, re-encoded). Nothing is saved
    when anything is wrong."""
    primary = form.get("primary_colour", "").strip().lower()
    accent = form.get("accent_colour", "").strip().lower()
    errors: dict[str, str] = {}
    if not valid_colour(primary):
        errors["primary_colour"] = gettext("Pick a colour (as #rrggbb).")
    if not valid_colour(accent):
        errors["accent_colour"] = gettext("Pick a colour (as #rrggbb).")
    processed: photos.Processed | None = None
    if logo is not None:
        if len(logo.data) > MAX_LOGO_BYTES:
            errors["logo"] = gettext(
                "The logo is %(size)s MB; a logo may be at most 4 MB.", size=format_number(len(logo.data) / 1048576, 1)
            )
        else:
            try:
                processed = await anyio.to_thread.run_sync(photos.process, logo.data, logo.filename or "The logo")
            except photos.PhotoError as exc:
                errors["logo"] = str(exc)
    if errors:
        raise FormErrors(errors)
    row = await load(session, event.id)
    before = None
    if row is None:
        row = EventBranding(event_id=event.id)
        session.add(row)
    else:
        before = {"primary": row.primary_colour, "accent": row.accent_colour, "logo": bool(row.logo_jpeg)}
    row.primary_colour, row.accent_colour = primary, accent
    if processed is not None:
        row.logo_jpeg = processed.thumb  # 400 px: plenty for a printed logo
    await session.flush()
    audit.record(
        session,
        entity_type="event_branding",
        entity_id=row.id,
        action="update",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after={"primary": primary, "accent": accent, "logo": bool(row.logo_jpeg)},
    )
    return row
