"""The event's branding: a logo (checked and re-encoded like a car photo) and two colours, used by every
printed document of the event (placards, emcee cards, the results book ...)."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventBranding
from concours.domain.ceremony import valid_colour
from concours.services import audit, photos
from concours.services.errors import FormErrors
from concours.services.permissions import Viewer
from concours.settings import Settings

DEFAULT_PRIMARY = "#1d3557"
DEFAULT_ACCENT = "#b08d57"
MAX_LOGO_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Branding:
    """What a printed document needs: the event's name, its colours and its logo as a data URI (or "")."""

    event_name: str
    primary: str = DEFAULT_PRIMARY
    accent: str = DEFAULT_ACCENT
    logo: str = ""

    @property
    def css_name(self) -> str:
        """The event's name as a quoted CSS string (for running footers), every unusual character escaped, so
        it is safe to print unescaped inside a style sheet."""
        return css_string(self.event_name)

    @classmethod
    def sample(cls) -> Branding:
        return cls("Lakeside Concours d'Elegance", "#0b3d2e", "#c8a24a", "")


def css_string(text: str) -> str:
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-")
    return '"' + "".join(c if c in safe else f"\\{ord(c):x} " for c in text) + '"'


def logo_dir(settings: Settings) -> Path:
    return Path(settings.media_dir) / "logos"


def _logo_path(settings: Settings, key: str) -> Path:
    return logo_dir(settings) / f"{key}.jpg"


async def load(session: AsyncSession, event: Event) -> EventBranding | None:
    return await session.scalar(select(EventBranding).where(EventBranding.event_id == event.id))


async def branding_for(session: AsyncSession, settings: Settings, event: Event) -> Branding:
    """The branding of ``event`` for its PDFs (the defaults where the organizer set nothing)."""
    row = await load(session, event)
    if row is None:
        return Branding(event.name)
    logo = ""
    if row.logo_key:
        try:
            data = await anyio.Path(_logo_path(settings, row.logo_key)).read_bytes()
            logo = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
        except OSError:
            logo = ""  # a missing file prints without a logo rather than failing the document
    return Branding(event.name, row.primary_colour, row.accent_colour, logo)


async def logo_bytes(session: AsyncSession, settings: Settings, event: Event) -> bytes | None:
    row = await load(session, event)
    if row is None or not row.logo_key:
        return None
    try:
        return await anyio.Path(_logo_path(settings, row.logo_key)).read_bytes()
    except OSError:
        return None


async def update(
    session: AsyncSession,
    settings: Settings,
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
        errors["primary_colour"] = "Pick a colour (as #rrggbb)."
    if not valid_colour(accent):
        errors["accent_colour"] = "Pick a colour (as #rrggbb)."
    processed: photos.Processed | None = None
    if logo is not None:
        if len(logo.data) > MAX_LOGO_BYTES:
            errors["logo"] = f"The logo is {len(logo.data) / 1048576:.1f} MB; a logo may be at most 4 MB."
        else:
            try:
                processed = await anyio.to_thread.run_sync(photos.process, logo.data, logo.filename)
            except photos.PhotoError as exc:
                errors["logo"] = str(exc)
    if errors:
        raise FormErrors(errors)
    row = await load(session, event)
    before = None
    if row is None:
        row = EventBranding(event_id=event.id)
        session.add(row)
    else:
        before = {"primary": row.primary_colour, "accent": row.accent_colour, "logo": row.logo_key}
    row.primary_colour, row.accent_colour = primary, accent
    if processed is not None:
        key = secrets.token_hex(16)
        directory = logo_dir(settings)

        def write() -> None:
            directory.mkdir(parents=True, exist_ok=True)
            _logo_path(settings, key).write_bytes(processed.thumb)  # 400 px: plenty for a printed logo

        await anyio.to_thread.run_sync(write)
        row.logo_key, row.logo_content_type = key, "image/jpeg"
        row.logo_width, row.logo_height = processed.width, processed.height
    await session.flush()
    audit.record(
        session,
        entity_type="event_branding",
        entity_id=row.id,
        action="update",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after={"primary": primary, "accent": accent, "logo": row.logo_key},
    )
    return row
