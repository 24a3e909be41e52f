"""Conflicts the app suggests: what it can see from addresses, surnames, a judge's ties, owners' declarations and
earlier judging, stored as ``suggested`` for an organizer to confirm or dismiss."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Conflict,
    Entrant,
    Entry,
    Event,
    Judge,
    ScoreSheet,
    Team,
    TeamMember,
    User,
    Vehicle,
)
from concours.domain.conflict_matching import address_key, chassis_key, find_tie, name_key, split_ties, surname
from concours.services import audit
from concours.services.conflict_declarations import Declaration
from concours.services.conflicts import ACTIVE_ENTRY, JUDGED_BEFORE_YEARS, MAX_REASON, snapshot
from concours.services.permissions import (
    Viewer,
    require_in_event,
    roster_judge_ids,
    why_not_run_judging,
)


@dataclass(frozen=True)
class Suggestion:
    """A conflict the app can see; stored as ``suggested`` with source ``app``."""

    judge_id: int
    kind: str  # a key of CONFLICT_TYPES
    reason: str
    entry_id: int | None = None
    entrant_id: int | None = None
    source: str = "app"  # app | entrant (an owner's declaration that names a judge found on the roster later)


async def find_suggestions(
    session: AsyncSession, event: Event, *, years: int = JUDGED_BEFORE_YEARS
) -> list[Suggestion]:
    """What the app can see, not yet recorded in any state for the same judge and car (a conflict that names the
    car, its owner or its class, even a dismissed one, covers it). Five queries:

    - a judge of the roster at the same street address and postcode as a car's owner (both given, compared by
      :func:`address_key`) → family, with the owner: "Same address as the owner";
    - a judge of the roster with the same surname as a car's owner (not the judge's own car: that one is
      automatic; not when the same address was already suggested) → family, with the owner;
    - a shop, restorer, dealer or club the judge lists as a tie (their profile) named, as whole words, in the
      car's coachbuilder, restoration notes or history (:func:`find_tie`) → restorer or shop, with the car and
      the words that matched;
    - an owner's declaration on the application that named someone not on the roster then, whose name
      (:func:`name_key`) is now a judge's of the roster → the declared type, with the car, source ``entrant``;
    - a judge who judged the same car (the same vehicle, or the same chassis number) at an earlier event of the
      app within ``years`` years (a sheet of theirs on it, or a seat on its class's team) → judged before, with
      the car."""
    judge_ids = await roster_judge_ids(session, event.id)
    if not judge_ids:
        return []
    judges = (
        await session.execute(
            select(Judge.id, Judge.user_id, User.name, Judge.ties, Judge.address, Judge.postcode)
            .join(User, User.id == Judge.user_id)
            .where(Judge.id.in_(judge_ids))
            .order_by(Judge.id)
        )
    ).all()
    cars = (
        await session.execute(
            select(
                Entry.id,
                Entry.entrant_id,
                Entry.class_id,
                Entry.vehicle_id,
                Entry.car_number,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                Vehicle.chassis_number,
                Entrant.user_id,
                User.name,
                Entrant.address,
                Entrant.postcode,
                Vehicle.coachbuilder,
                Vehicle.restoration_notes,
                Vehicle.history,
                Entry.declared_conflicts,
            )
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(Entry.event_id == event.id, Entry.status.in_(ACTIVE_ENTRY))
            .order_by(Entry.car_number, Entry.id)
        )
    ).all()
    if not cars:
        return []
    recorded = (
        await session.execute(
            select(Conflict.judge_id, Conflict.entry_id, Conflict.entrant_id, Conflict.class_id).where(
                Conflict.event_id == event.id
            )
        )
    ).all()
    found: set[tuple[int, int | None, int | None]] = set()  # (judge, entry, entrant) suggested in this run

    def covered(judge_id: int, car: tuple[int, int, int | None]) -> bool:
        entry_id, entrant_id, class_id = car
        return (
            (judge_id, None, entrant_id) in found
            or (judge_id, entry_id, None) in found
            or any(
                r.judge_id == judge_id
                and (
                    r.entry_id == entry_id
                    or r.entrant_id == entrant_id
                    or (r.class_id is not None and r.class_id == class_id)
                )
                for r in recorded
            )
        )

    out: list[Suggestion] = []

    def add(s: Suggestion) -> None:
        out.append(s)
        found.add((s.judge_id, s.entry_id, s.entrant_id))

    owners: dict[int, tuple[int, str, str | None, list[tuple[int, int, int | None]]]] = {}
    for c in cars:
        owners.setdefault(c.entrant_id, (c[9], c[10], address_key(c.address, c.postcode), []))[3].append(
            (c.id, c.entrant_id, c.class_id)
        )
    # Family: the same address as the owner, once per owner.
    for j in judges:
        home = address_key(j.address, j.postcode)
        if home is None:
            continue
        for entrant_id, (owner_user_id, owner_name, owner_key, owned) in owners.items():
            if owner_user_id == j.user_id or owner_key != home or any(covered(j.id, car) for car in owned):
                continue
            add(Suggestion(j.id, "family", f"Same address as the owner, {owner_name}", entrant_id=entrant_id))
    # Family: the same surname as the owner, once per owner.
    for j in judges:
        name = surname(j.name)
        if len(name) < 2:
            continue
        for entrant_id, (owner_user_id, owner_name, _, owned) in owners.items():
            if owner_user_id == j.user_id or surname(owner_name) != name:
                continue
            if any(covered(j.id, car) for car in owned):
                continue
            add(Suggestion(j.id, "family", f"Same surname as the owner, {owner_name}", entrant_id=entrant_id))
    # Restorer or shop: a tie the judge lists, named in the car's record.
    for j in judges:
        ties = split_ties(j.ties)
        if not ties:
            continue
        for c in cars:
            if c[9] == j.user_id or covered(j.id, (c.id, c.entrant_id, c.class_id)):
                continue
            for tie in ties:
                hit = next(
                    (
                        (where, snippet)
                        for where, text in (
                            ("coachbuilder", c.coachbuilder),
                            ("restoration notes", c.restoration_notes),
                            ("history", c.history),
                        )
                        if (snippet := find_tie(tie, text)) is not None
                    ),
                    None,
                )
                if hit is not None:
                    add(
                        Suggestion(
                            j.id,
                            "restorer",
                            f"Works with {tie}, named in the car's {hit[0]}: “{hit[1]}”",
                            entry_id=c.id,
                        )
                    )
                    break
    # Declared by the owner: someone not on the roster when they applied, whose name is now a judge's.
    judge_by_name: dict[str, list[int]] = {}
    for j in judges:
        judge_by_name.setdefault(name_key(j.name), []).append(j.id)
    for c in cars:
        for d in c.declared_conflicts or []:
            if not isinstance(d, dict) or d.get("judge_id") is not None:
                continue
            matches = judge_by_name.get(name_key(str(d.get("name", ""))), [])
            if len(matches) != 1 or covered(matches[0], (c.id, c.entrant_id, c.class_id)):
                continue
            declared = Declaration(None, str(d.get("name", "")), str(d.get("type", "other")), str(d.get("note", "")))
            add(Suggestion(matches[0], declared.type, declared.reason, entry_id=c.id, source="entrant"))
    # Judged before: the same vehicle or chassis number at an earlier event within ``years`` years.
    vehicle_ids = {c.vehicle_id for c in cars}
    chassis = {chassis_key(c.chassis_number) for c in cars} - {""}
    since = event.starts_on - timedelta(days=round(365.25 * years))
    same_car = or_(Entry.vehicle_id.in_(vehicle_ids), func.lower(Vehicle.chassis_number).in_(chassis))
    earlier = (
        Event.id != event.id,
        Event.starts_on < event.starts_on,
        Event.starts_on >= since,
    )
    columns = (Entry.vehicle_id, Vehicle.chassis_number, Event.name, Event.starts_on)
    by_sheet = (
        select(ScoreSheet.judge_id, *columns)
        .join(Entry, Entry.id == ScoreSheet.entry_id)
        .join(Vehicle, Vehicle.id == Entry.vehicle_id)
        .join(Event, Event.id == Entry.event_id)
        .where(ScoreSheet.judge_id.in_(judge_ids), ScoreSheet.calibration.is_(False), same_car, *earlier)
    )
    by_team = (
        select(TeamMember.judge_id, *columns)
        .join(Team, Team.id == TeamMember.team_id)
        .join(Entry, Entry.class_id == Team.class_id)
        .join(Vehicle, Vehicle.id == Entry.vehicle_id)
        .join(Event, Event.id == Entry.event_id)
        .where(
            TeamMember.judge_id.in_(judge_ids),
            Entry.status == "accepted",
            Entry.absent_reason == "",
            same_car,
            *earlier,
        )
    )
    judged: dict[tuple[int, int], tuple[str, date, str]] = {}  # (judge, entry here) → the latest earlier event
    for judge_id, vehicle_id, chassis_number, event_name, starts_on in (
        await session.execute(by_sheet.union(by_team))
    ).all():
        for c in cars:
            here = chassis_key(c.chassis_number)
            if c.vehicle_id == vehicle_id or (here and here == chassis_key(chassis_number)):
                key = (judge_id, c.id)
                if key not in judged or judged[key][1] < starts_on:
                    judged[key] = (event_name, starts_on, "car" if c.vehicle_id == vehicle_id else "chassis number")
    by_id = {c.id: c for c in cars}
    for (judge_id, entry_id), (event_name, on, same) in sorted(judged.items()):
        c = by_id[entry_id]
        if covered(judge_id, (c.id, c.entrant_id, c.class_id)):
            continue
        add(
            Suggestion(
                judge_id,
                "judged_before",
                f"Judged this car at {event_name} ({on:%B %Y}): the same {same}",
                entry_id=entry_id,
            )
        )
    return out


async def suggest_conflicts(
    session: AsyncSession, viewer: Viewer, event: Event, *, years: int = JUDGED_BEFORE_YEARS
) -> list[Conflict]:
    """Store what :func:`find_suggestions` finds as ``suggested`` conflicts (source ``app``), audited; they bind
    only once an organizer confirms them. Running it again adds nothing new."""
    require_in_event(why_not_run_judging(viewer, event.id), viewer, event, hide="There is no such event.")
    stored: list[Conflict] = []
    for s in await find_suggestions(session, event, years=years):
        conflict = Conflict(
            event_id=event.id,
            judge_id=s.judge_id,
            entry_id=s.entry_id,
            entrant_id=s.entrant_id,
            reason=s.reason[:MAX_REASON],
            source=s.source,
            kind=s.kind,
            state="suggested",
            created_by_id=viewer.user_id,
        )
        session.add(conflict)
        stored.append(conflict)
    if stored:
        await session.flush()
    for conflict in stored:
        audit.record(
            session,
            entity_type="conflict",
            entity_id=conflict.id,
            action="suggest",
            user_id=viewer.user_id,
            event_id=event.id,
            after=snapshot(conflict),
        )
    return stored
