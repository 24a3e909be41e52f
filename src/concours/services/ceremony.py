"""The awards ceremony: the run sheet (order of presentation, one line per award), reordering, and the live
reveal. What is not presented yet never leaves this module through a public function: the public views are
built by queries that only read presented lines."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours import live
from concours.db import (
    CeremonyLine,
    Entrant,
    Entry,
    Event,
    User,
    Vehicle,
    VehiclePhoto,
    utcnow,
)
from concours.domain.ceremony import AwardToPresent, default_order, is_best_of_show, move, short_story
from concours.i18n import gettext
from concours.services import audit, show_results
from concours.services.awards import decided_awards
from concours.services.errors import NotFound, ServiceError
from concours.services.permissions import Viewer, require_in_event, why_not_organize


@dataclass(frozen=True)
class RunSheetLine:
    id: int
    position: int
    kind: str
    award: str
    chosen_by: str
    car_number: int | None
    title: str
    coachbuilder: str
    owner: str
    owner_public: bool
    story: str
    presented_at: datetime | None


@dataclass(frozen=True)
class PublicLine:
    """A presented line, as the public live page and results show it."""

    id: int
    award: str
    chosen_by: str
    car_number: int | None
    title: str
    coachbuilder: str
    owner: str
    story: str
    photo_url: str
    car_url: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Candidate:
    key: str
    kind: str
    entry_id: int
    class_id: int | None
    award: str
    chosen_by: str  # how a special award was decided, e.g. "chosen by the designer"
    rank: int | None
    order: AwardToPresent


async def line_for_organizer(session: AsyncSession, viewer: Viewer, line_id: int) -> tuple[CeremonyLine, Event]:
    row = (
        await session.execute(
            select(CeremonyLine, Event).join(Event, Event.id == CeremonyLine.event_id).where(CeremonyLine.id == line_id)
        )
    ).first()
    if row is None:
        raise NotFound(gettext("There is no such line on the run sheet."))
    line, event = row._tuple()
    require_in_event(
        why_not_organize(viewer, event.id), viewer, event, hide=gettext("There is no such line on the run sheet.")
    )
    return line, event


async def _candidates(session: AsyncSession, event: Event) -> list[_Candidate]:
    """Every award the results hold: each certified class's placed cars, then the decided special awards."""
    out: list[_Candidate] = []
    for cls in await show_results.certified_classes(session, event):
        for car in cls.winners:
            key = f"class:{cls.id}:{car.entry_id}"
            out.append(
                _Candidate(
                    key=key,
                    kind="class",
                    entry_id=car.entry_id,
                    class_id=cls.id,
                    award=f"Class {cls.code}, {cls.name}: {car.award}",
                    chosen_by="",
                    rank=car.rank,
                    order=AwardToPresent(key, "class", cls.position, car.rank, 0, car.car_number or 0),
                )
            )
    for award in await decided_awards(session, event):
        key = f"award:{award.award_id}"
        kind = "best_of_show" if is_best_of_show(award.name) else "special"
        out.append(
            _Candidate(
                key=key,
                kind=kind,
                entry_id=award.entry_id,
                class_id=None,
                award=award.name,
                chosen_by=award.how,
                rank=None,
                order=AwardToPresent(key, kind, 0, None, award.position, 0),
            )
        )
    return out


async def _lines(session: AsyncSession, event: Event) -> list[CeremonyLine]:
    return list(
        (
            await session.scalars(
                select(CeremonyLine)
                .where(CeremonyLine.event_id == event.id)
                .order_by(CeremonyLine.position, CeremonyLine.id)
            )
        ).all()
    )


def _require_results(event: Event) -> None:
    if event.status not in ("judging", "results_certified", "published", "archived"):
        raise ServiceError(gettext("The run sheet is built from certified results: certify a class first."))


async def sync_run_sheet(session: AsyncSession, viewer: Viewer, event: Event) -> int:
    """Build the run sheet from the certified results and decided special awards, or bring it up to date.

    Steps: load the awards the results hold and the current lines; refresh the lines not yet presented
    (award, car, story) and drop those whose award no longer exists; insert new awards where the default
    order puts them relative to the lines already there (the organizer's order is kept); audit.
    Presented lines are never changed. Returns how many lines were added."""
    _require_results(event)
    candidates = await _candidates(session, event)
    if not candidates:
        raise ServiceError(gettext("There is nothing to present yet: certify a class or decide a special award first."))
    by_key = {c.key: c for c in candidates}
    story_rows = await session.execute(
        select(Entry.id, Vehicle.history)
        .join(Vehicle, Vehicle.id == Entry.vehicle_id)
        .where(Entry.id.in_({c.entry_id for c in candidates}))
    )
    stories: dict[int, str] = {entry_id: history for entry_id, history in story_rows.all()}
    lines = await _lines(session, event)
    kept: list[CeremonyLine] = []
    removed = 0
    for line in lines:
        cand = by_key.get(line.source_key)
        if line.presented_at is not None:
            kept.append(line)
        elif cand is None:
            await session.delete(line)
            removed += 1
        else:
            line.award, line.chosen_by, line.rank, line.entry_id = cand.award, cand.chosen_by, cand.rank, cand.entry_id
            line.story = short_story(stories.get(cand.entry_id, ""))
            kept.append(line)
    order = [line.source_key for line in kept]
    existing = set(order)
    default = default_order([c.order for c in candidates])
    added = 0
    for i, key in enumerate(default):
        if key in existing:
            continue
        before = next((k for k in reversed(default[:i]) if k in existing), None)
        order.insert(order.index(before) + 1 if before is not None else 0, key)
        existing.add(key)
        cand = by_key[key]
        line = CeremonyLine(
            event_id=event.id,
            source_key=key,
            kind=cand.kind,
            entry_id=cand.entry_id,
            class_id=cand.class_id,
            award=cand.award,
            chosen_by=cand.chosen_by,
            rank=cand.rank,
            story=short_story(stories.get(cand.entry_id, "")),
        )
        session.add(line)
        kept.append(line)
        added += 1
    positions = {key: n for n, key in enumerate(order)}
    for line in kept:
        line.position = positions[line.source_key]
    await session.flush()
    audit.record(
        session,
        entity_type="run_sheet",
        entity_id=event.id,
        action="build",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"lines": len(kept), "added": added, "removed": removed},
    )
    return added


async def reset_order(session: AsyncSession, viewer: Viewer, event: Event) -> None:
    """Put the lines back in the default order (presented lines first, as they were presented)."""
    lines = await _lines(session, event)
    if not lines:
        raise ServiceError(gettext("Build the run sheet first."))
    candidates = {c.key: c.order for c in await _candidates(session, event)}
    default = default_order([candidates[line.source_key] for line in lines if line.source_key in candidates])
    rank = {key: n for n, key in enumerate(default)}
    presented = sorted((ln for ln in lines if ln.presented_at), key=lambda ln: (ln.presented_at, ln.position))
    rest = sorted((ln for ln in lines if not ln.presented_at), key=lambda ln: rank.get(ln.source_key, len(rank)))
    for n, line in enumerate(presented + rest):
        line.position = n
    audit.record(
        session,
        entity_type="run_sheet",
        entity_id=event.id,
        action="reset_order",
        user_id=viewer.user_id,
        event_id=event.id,
    )


async def move_line(session: AsyncSession, viewer: Viewer, line_id: int, direction: str) -> Event:
    """Move a line one place up or down the run sheet."""
    line, event = await line_for_organizer(session, viewer, line_id)
    if direction not in ("up", "down"):
        raise ServiceError(gettext("Move a line up or down."))
    lines = await _lines(session, event)
    keys = move([ln.source_key for ln in lines], line.source_key, direction)
    positions = {key: n for n, key in enumerate(keys)}
    for ln in lines:
        ln.position = positions[ln.source_key]
    audit.record(
        session,
        entity_type="ceremony_line",
        entity_id=line.id,
        action=f"move_{direction}",
        user_id=viewer.user_id,
        event_id=event.id,
    )
    return event


async def present_line(session: AsyncSession, viewer: Viewer, line_id: int, *, device: str = "") -> Event:
    """Mark a line presented: from this commit on, the award is public on the live page and in the results,
    and every connected browser is told at once (after the commit). Presenting twice changes nothing."""
    line, event = await line_for_organizer(session, viewer, line_id)
    if line.presented_at is not None:
        return event
    line.presented_at = utcnow()
    line.presented_by_id = viewer.user_id
    await session.flush()
    audit.record(
        session,
        entity_type="ceremony_line",
        entity_id=line.id,
        action="present",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"award": line.award, "entry_id": line.entry_id},
        device=device,
    )
    shown = await presented_lines(session, event)
    public = next(p for p in shown if p.id == line.id)
    live.publish_after_commit(
        session, live.reveal_channel(event.id), {"kind": "reveal", "count": len(shown), "line": public.to_json()}
    )
    return event


async def unpresent_line(session: AsyncSession, viewer: Viewer, line_id: int, *, device: str = "") -> Event:
    """Undo a mis-pressed "presented": the line goes back to waiting and every live page re-syncs."""
    line, event = await line_for_organizer(session, viewer, line_id)
    if line.presented_at is None:
        return event
    audit.record(
        session,
        entity_type="ceremony_line",
        entity_id=line.id,
        action="unpresent",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"presented_at": line.presented_at.isoformat()},
        device=device,
    )
    line.presented_at = None
    line.presented_by_id = None
    live.publish_after_commit(session, live.reveal_channel(event.id), {"kind": "resync"})
    return event


async def run_sheet(session: AsyncSession, event: Event) -> list[RunSheetLine]:
    """The whole run sheet, in order, for the organizer and the emcee (one query)."""
    rows = (
        await session.execute(
            select(
                CeremonyLine,
                Entry.car_number,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                Vehicle.coachbuilder,
                User.name,
                Entrant.publish_name,
            )
            .join(Entry, Entry.id == CeremonyLine.entry_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(CeremonyLine.event_id == event.id)
            .order_by(CeremonyLine.position, CeremonyLine.id)
        )
    ).all()
    return [
        RunSheetLine(
            id=ln.id,
            position=ln.position,
            kind=ln.kind,
            award=ln.award,
            chosen_by=ln.chosen_by,
            car_number=number,
            title=f"{year} {make} {model}",
            coachbuilder=coachbuilder,
            owner=owner,
            owner_public=publish_name,
            story=ln.story,
            presented_at=ln.presented_at,
        )
        for ln, number, year, make, model, coachbuilder, owner, publish_name in rows
    ]


def car_url(event: Event, car_number: int | None) -> str:
    return f"/events/{event.slug}/cars/{car_number}" if car_number is not None else ""


def photo_url(event: Event, car_number: int | None) -> str:
    return f"/events/{event.slug}/cars/{car_number}/photo" if car_number is not None else ""


async def presented_lines(session: AsyncSession, event: Event) -> list[PublicLine]:
    """The lines presented so far, in the order they were presented: all the public may know (two queries)."""
    rows = (
        await session.execute(
            select(
                CeremonyLine,
                Entry.car_number,
                Entry.vehicle_id,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                Vehicle.coachbuilder,
                User.name,
                Entrant.publish_name,
            )
            .join(Entry, Entry.id == CeremonyLine.entry_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(CeremonyLine.event_id == event.id, CeremonyLine.presented_at.is_not(None))
            .order_by(CeremonyLine.presented_at, CeremonyLine.position)
        )
    ).all()
    with_photo = (
        set(
            (
                await session.scalars(
                    select(VehiclePhoto.vehicle_id).where(VehiclePhoto.vehicle_id.in_({r.vehicle_id for r in rows}))
                )
            ).all()
        )
        if rows
        else set()
    )
    return [
        PublicLine(
            id=ln.id,
            award=ln.award,
            chosen_by=ln.chosen_by,
            car_number=number,
            title=f"{year} {make} {model}",
            coachbuilder=coachbuilder,
            owner=owner if publish_name else "",
            story=ln.story,
            photo_url=photo_url(event, number) if vehicle_id in with_photo else "",
            car_url=car_url(event, number),
        )
        for ln, number, vehicle_id, year, make, model, coachbuilder, owner, publish_name in rows
    ]


async def ceremony_started(session: AsyncSession, event: Event) -> bool:
    count = await session.scalar(
        select(func.count())
        .select_from(CeremonyLine)
        .where(CeremonyLine.event_id == event.id, CeremonyLine.presented_at.is_not(None))
    )
    return bool(count)


def live_visible(event: Event) -> bool:
    """The live page exists once judging has begun (before the first reveal it says the ceremony is to come)."""
    return event.status in ("judging", "results_certified", "published", "archived")
