"""Award tracks from history: each car's track (the award it competes for) worked out from the awards recorded at
earlier events in the app, and the organizer's override with a reason (see ``concours.domain.tracks``).

A car is the same car at an earlier event when it is the same vehicle record, or a different record with the same
chassis number (compared without spaces or case). The awards are the certified results of those events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AwardTrack, ClassResult, Entrant, Entry, Event, EventClass, User, Vehicle, utcnow
from concours.domain.tabulation import System, has_tracks, track_steps
from concours.domain.tracks import SOURCE_LABELS, PastAward, Track, overridden, track_from_history
from concours.i18n import gettext
from concours.services import audit, class_systems
from concours.services.errors import FormErrors, ServiceError
from concours.services.permissions import Viewer

MAX_REASON = 500


def _chassis(text: str) -> str:
    """A chassis number as compared across vehicle records (as ``conflicts`` does for "judged this car before")."""
    return "".join(text.split()).casefold()


@dataclass(frozen=True)
class _Car:
    entry_id: int
    class_id: int
    vehicle_id: int
    chassis_number: str


async def _cars(session: AsyncSession, class_ids: list[int]) -> list[_Car]:
    rows = await session.execute(
        select(Entry.id, Entry.class_id, Entry.vehicle_id, Vehicle.chassis_number)
        .join(Vehicle, Vehicle.id == Entry.vehicle_id)
        .where(Entry.class_id.in_(class_ids), Entry.status == "accepted")
    )
    return [_Car(*r) for r in rows.all()]


async def past_awards(session: AsyncSession, event: Event, cars: list[_Car]) -> dict[int, list[PastAward]]:
    """The awards each car won at events before ``event`` (certified results), by entry here: one query."""
    if not cars:
        return {}
    vehicle_ids = {c.vehicle_id for c in cars}
    chassis = {_chassis(c.chassis_number) for c in cars} - {""}
    same_car = (
        or_(Entry.vehicle_id.in_(vehicle_ids), func.replace(func.lower(Vehicle.chassis_number), " ", "").in_(chassis))
        if chassis
        else Entry.vehicle_id.in_(vehicle_ids)
    )
    rows = (
        await session.execute(
            select(ClassResult.award, Entry.vehicle_id, Vehicle.chassis_number, Event.name, Event.starts_on)
            .join(Entry, Entry.id == ClassResult.entry_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Event, Event.id == Entry.event_id)
            .where(ClassResult.award != "", Event.id != event.id, Event.starts_on < event.starts_on, same_car)
        )
    ).all()
    out: dict[int, list[PastAward]] = defaultdict(list)
    for award, vehicle_id, chassis_number, name, starts_on in rows:
        there = _chassis(chassis_number)
        for c in cars:
            if c.vehicle_id == vehicle_id or (there and there == _chassis(c.chassis_number)):
                out[c.entry_id].append(PastAward(award, name, starts_on.year))
    return out


@dataclass(frozen=True)
class Override:
    level: str
    reason: str
    by: str
    at: datetime


async def _overrides(session: AsyncSession, entry_ids: list[int]) -> dict[int, Override]:
    if not entry_ids:
        return {}
    rows = await session.execute(
        select(AwardTrack.entry_id, AwardTrack.level, AwardTrack.reason, User.name, AwardTrack.created_at)
        .outerjoin(User, User.id == AwardTrack.set_by_id)
        .where(AwardTrack.entry_id.in_(entry_ids))
    )
    return {eid: Override(level, reason, by or "the organizer", at) for eid, level, reason, by, at in rows.all()}


@dataclass(frozen=True)
class CarTrack:
    """One car's track in effect, what its history says, and the organizer's override if any."""

    track: Track
    history: Track
    override: Override | None


def _in_effect(system: System, history: Track, override: Override | None) -> Track:
    if override is None:
        return history
    try:
        return overridden(system, override.level, override.reason, override.by)
    except ValueError:  # the system's levels changed since: the history stands
        return history


async def car_tracks(session: AsyncSession, event: Event, systems: Mapping[int, System]) -> dict[int, CarTrack]:
    """Every car's track in the classes of ``systems`` (class id → its system) that have award tracks, by entry:
    three queries however many classes."""
    class_ids = [cid for cid, s in systems.items() if has_tracks(s)]
    if not class_ids:
        return {}
    cars = await _cars(session, class_ids)
    history = await past_awards(session, event, cars)
    overrides = await _overrides(session, [c.entry_id for c in cars])
    out: dict[int, CarTrack] = {}
    for c in cars:
        system = systems[c.class_id]
        from_history = track_from_history(system, history.get(c.entry_id, []))
        assert from_history is not None  # the class has tracks
        override = overrides.get(c.entry_id)
        out[c.entry_id] = CarTrack(_in_effect(system, from_history, override), from_history, override)
    return out


@dataclass(frozen=True)
class TrackRow:
    entry_id: int
    car_number: int | None
    title: str
    owner: str
    chassis_number: str
    track: Track
    history: Track
    override: Override | None
    source: str  # where the track in effect came from, in words


@dataclass(frozen=True)
class TracksPage:
    steps: list[str]  # the track's awards, easiest first
    rows: list[TrackRow]


async def class_tracks_page(session: AsyncSession, event: Event, cls: EventClass) -> TracksPage:
    """The class's cars, each with its track and where it came from (empty for a class without tracks)."""
    judging = await class_systems.judging_of(session, event, cls)
    if judging.method != "points" or not has_tracks(judging.system):
        return TracksPage([], [])
    tracks = await car_tracks(session, event, {cls.id: judging.system})
    rows = (
        await session.execute(
            select(
                Entry.id, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model, Vehicle.chassis_number, User.name
            )
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(Entry.class_id == cls.id, Entry.status == "accepted")
            .order_by(Entry.car_number, Entry.id)
        )
    ).all()
    return TracksPage(
        [s.name for s in track_steps(judging.system)],
        [
            TrackRow(
                r.id,
                r.car_number,
                f"{r.year} {r.make} {r.model}",
                r.name,
                r.chassis_number,
                tracks[r.id].track,
                tracks[r.id].history,
                tracks[r.id].override,
                SOURCE_LABELS[tracks[r.id].track.source],
            )
            for r in rows
            if r.id in tracks
        ],
    )


async def set_track(
    session: AsyncSession, viewer: Viewer, event: Event, cls: EventClass, form: Mapping[str, str]
) -> None:
    """The organizer sets a car's track (``track``: an award of the class's track; empty: back to what its history
    says), with a reason (required either way).

    Steps: parse (field errors beside the fields, nothing written) → guard (a car of this class, a class with award
    tracks, not certified) → write the override → audit."""
    judging = await class_systems.judging_of(session, event, cls)
    steps = [s.name for s in track_steps(judging.system)] if judging.method == "points" else []
    if not steps:
        raise ServiceError(gettext("Class %(code)s is not judged by a system with award tracks.", code=cls.code))
    entry = None
    entry_text = form.get("entry_id", "").strip()
    if entry_text.isascii() and entry_text.isdigit():
        entry = await session.scalar(
            select(Entry).where(Entry.id == int(entry_text), Entry.class_id == cls.id, Entry.status == "accepted")
        )
    if entry is None:
        raise ServiceError(gettext("Choose a car of this class."))
    errors: dict[str, str] = {}
    level = form.get("track", "").strip()
    chosen = next((s for s in steps if s.casefold() == level.casefold()), None)
    if level and chosen is None:
        errors["track"] = gettext(
            "Choose one of the track's awards (%(awards)s), or what its history says.", awards=", ".join(steps)
        )
    reason = " ".join(form.get("reason", "").split())
    if not reason:
        errors["reason"] = gettext("Say why: the reason is shown with the car's result and kept in the audit log.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = gettext("At most %(count)s characters.", count=MAX_REASON)
    if errors:
        raise FormErrors(errors)
    if cls.certified_at is not None:
        raise ServiceError(
            gettext("Class %(code)s is certified; reopen it before changing a car's track.", code=cls.code)
        )
    current = await session.scalar(select(AwardTrack).where(AwardTrack.entry_id == entry.id))
    before = {"level": current.level, "reason": current.reason} if current is not None else {"level": "from history"}
    if chosen is None:
        if current is not None:
            await session.delete(current)
        after = {"level": "from history", "reason": reason}
    else:
        if current is None:
            current = AwardTrack(entry_id=entry.id)
            session.add(current)
        current.level, current.reason, current.set_by_id = chosen, reason, viewer.user_id
        current.created_at = utcnow()
        after = {"level": chosen, "reason": reason}
    audit.record(
        session,
        entity_type="entry",
        entity_id=entry.id,
        action="award_track",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after=after,
    )
