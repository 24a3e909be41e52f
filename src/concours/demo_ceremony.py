"""Demo content for the show day: the finished edition's run sheet, presented line by line on the ramp in the
afternoon, and the event's colours for its printed documents (placards and the results book print on demand)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import CeremonyLine, Event, User
from concours.services import branding, ceremony
from concours.services.permissions import Viewer

RAMP_OPENS = (14, 0)
MINUTES_PER_AWARD = 3


async def build_ceremony(session: AsyncSession, slug: str, organizer_email: str) -> int:
    """Build the run sheet of the event ``slug`` from its results and mark every line presented, as on the day,
    by the organizer. Call it after the special awards are decided. Returns the number of lines."""
    event = await session.scalar(select(Event).where(Event.slug == slug))
    user = await session.scalar(select(User).where(User.email == organizer_email))
    assert event is not None and user is not None
    viewer = Viewer(user.id, user.name, user.email, True, None, None, frozenset({event.id}), frozenset({event.id}))
    await branding.update(session, viewer, event, {"primary_colour": "#0b3d2e", "accent_colour": "#c8a24a"}, None)
    await ceremony.sync_run_sheet(session, viewer, event)
    lines = (
        await session.scalars(
            select(CeremonyLine).where(CeremonyLine.event_id == event.id).order_by(CeremonyLine.position)
        )
    ).all()
    for line in lines:
        await ceremony.present_line(session, viewer, line.id, device="demo")
    # History: the ramp opened on the show's last afternoon, an award every few minutes.
    start = datetime(event.ends_on.year, event.ends_on.month, event.ends_on.day, *RAMP_OPENS, tzinfo=UTC)
    for n, line in enumerate(lines):
        line.presented_at = start + timedelta(minutes=MINUTES_PER_AWARD * n)
    await session.flush()
    return len(lines)
