"""Conflicts of interest: declared by the judge, added by an organizer, or automatic (a judge with a car
entered, derived from the entries, never stored). A judge never scores a conflicted car."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Assignment,
    Conflict,
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    User,
    Vehicle,
)
from concours.services import audit
from concours.services.errors import FormErrors, NotFound
from concours.services.permissions import Viewer, require_in_event, roster_judge_ids, why_not_run_judging

CONFLICT_KINDS = {"entry": "a car", "entrant": "an owner (all their cars)", "class": "a whole class"}


MAX_REASON = 300


@dataclass
class ConflictView:
    id: int | None  # None: automatic (derived from the entries)
    judge_id: int
    judge_name: str
    kind: str  # entry | entrant | class | own_car
    target: str
    reason: str
    source: str  # declared | organizer | automatic
    class_code: str = ""


@dataclass
class Choice:
    value: str
    label: str


async def conflict_choices(session: AsyncSession, event: Event) -> dict[str, list[Choice]]:
    """What a conflict may name at this event: its cars (entered ones), their owners, its classes."""
    cars = (
        await session.execute(
            select(Entry.id, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model, User.name, Entrant.id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(Entry.event_id == event.id, Entry.status.in_(("applied", "accepted", "waitlisted")))
            .order_by(Entry.car_number, Entry.id)
        )
    ).all()
    classes = (
        await session.scalars(select(EventClass).where(EventClass.event_id == event.id).order_by(EventClass.position))
    ).all()
    owners: dict[int, str] = {}
    for c in cars:
        owners.setdefault(c[6], c[5])
    return {
        "entry": [
            Choice(str(c[0]), (f"#{c[1]} " if c[1] is not None else "") + f"{c[2]} {c[3]} {c[4]} ({c[5]})")
            for c in cars
        ],
        "entrant": [Choice(str(k), v) for k, v in sorted(owners.items(), key=lambda kv: kv[1].lower())],
        "class": [Choice(str(c.id), f"{c.code} — {c.name}") for c in classes],
    }


async def list_conflicts(session: AsyncSession, event: Event, judge_id: int | None = None) -> list[ConflictView]:
    """Every conflict of the event (declared, added by organizers, automatic), by judge — three queries."""
    q = (
        select(Conflict, User.name)
        .join(Judge, Judge.id == Conflict.judge_id)
        .join(User, User.id == Judge.user_id)
        .where(Conflict.event_id == event.id)
        .order_by(User.name, Conflict.id)
    )
    if judge_id is not None:
        q = q.where(Conflict.judge_id == judge_id)
    rows = (await session.execute(q)).all()
    entry_ids = {c.entry_id for c, _ in rows if c.entry_id}
    entrant_ids = {c.entrant_id for c, _ in rows if c.entrant_id}
    cars: dict[int, str] = {}
    owners: dict[int, str] = {}
    if entry_ids or entrant_ids:
        for r in (
            await session.execute(
                select(
                    Entry.id, Entry.entrant_id, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model, User.name
                )
                .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                .join(Entrant, Entrant.id == Entry.entrant_id)
                .join(User, User.id == Entrant.user_id)
                .where(or_(Entry.id.in_(entry_ids), Entry.entrant_id.in_(entrant_ids)))
            )
        ).all():
            cars[r[0]] = (f"car #{r[2]} " if r[2] is not None else "car ") + f"{r[3]} {r[4]} {r[5]}"
            owners[r[1]] = r[6]
    classes = dict(
        (await session.execute(select(EventClass.id, EventClass.code).where(EventClass.event_id == event.id)))
        .tuples()
        .all()
    )
    out: list[ConflictView] = []
    for c, name in rows:
        if c.entry_id:
            kind, target = "entry", cars.get(c.entry_id, "a car")
        elif c.entrant_id:
            kind, target = "entrant", f"owner {owners.get(c.entrant_id, 'unknown')}"
        else:
            kind, target = "class", f"class {classes.get(c.class_id or 0, '?')}"
        out.append(ConflictView(c.id, c.judge_id, name, kind, target, c.reason, c.source))
    # Automatic: judges of the roster with a car entered at this event.
    ids = await roster_judge_ids(session, event.id)
    if judge_id is not None:
        ids &= {judge_id}
    if ids:
        own = (
            await session.execute(
                select(
                    Judge.id, User.name, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model, EventClass.code
                )
                .join(User, User.id == Judge.user_id)
                .join(Entrant, Entrant.user_id == Judge.user_id)
                .join(Entry, Entry.entrant_id == Entrant.id)
                .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                .outerjoin(EventClass, EventClass.id == Entry.class_id)
                .where(Judge.id.in_(ids), Entry.event_id == event.id, Entry.status != "withdrawn")
                .order_by(User.name, Entry.car_number)
            )
        ).all()
        for o in own:
            car = (f"car #{o[2]} " if o[2] is not None else "car ") + f"{o[3]} {o[4]} {o[5]}"
            where = f" in class {o[6]}" if o[6] else ""
            out.append(
                ConflictView(
                    None,
                    o[0],
                    o[1],
                    "own_car",
                    f"own {car}{where}",
                    f"has a car entered{where}: never on that class's team",
                    "automatic",
                    o[6] or "",
                )
            )
    out.sort(key=lambda c: (c.judge_name.lower(), c.id is None, c.id or 0))
    return out


async def add_conflict(
    session: AsyncSession,
    viewer: Viewer,
    event: Event,
    judge_id: int,
    form: Mapping[str, str],
    *,
    source: str,
) -> Conflict:
    """Record a conflict of ``judge_id`` with a car, an owner or a class (``kind`` + ``target_<kind>``).

    The judge comes off the cars it names at once (their assignment rows go); the board shows what that does
    to the team."""
    kind = form.get("kind", "")
    errors: dict[str, str] = {}
    if kind not in CONFLICT_KINDS:
        errors["kind"] = "Choose what the conflict is with: a car, an owner or a class."
    reason = " ".join(form.get("reason", "").split())
    if not reason:
        errors["reason"] = "Say why (e.g. “restored this car”, “a close friend of the owner”)."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Keep the reason under {MAX_REASON} characters."
    target_text = form.get(f"target_{kind}", "") if kind in CONFLICT_KINDS else ""
    target = int(target_text) if target_text.isdecimal() and len(target_text) < 10 else None
    entry_ids: list[int] = []
    if kind in CONFLICT_KINDS:
        ok = False
        if target is not None and kind == "entry":
            entry = await session.get(Entry, target)
            ok = entry is not None and entry.event_id == event.id
            entry_ids = [target] if ok else []
        elif target is not None and kind == "entrant":
            entry_ids = list(
                (
                    await session.scalars(
                        select(Entry.id).where(Entry.event_id == event.id, Entry.entrant_id == target)
                    )
                ).all()
            )
            ok = bool(entry_ids)
        elif target is not None and kind == "class":
            cls = await session.get(EventClass, target)
            ok = cls is not None and cls.event_id == event.id
            if ok:
                entry_ids = list((await session.scalars(select(Entry.id).where(Entry.class_id == target))).all())
        if not ok:
            errors[f"target_{kind}"] = f"Choose {CONFLICT_KINDS[kind].split(' (')[0]} of this event."
    if errors:
        raise FormErrors(errors)
    assert target is not None
    conflict = Conflict(
        event_id=event.id,
        judge_id=judge_id,
        entry_id=target if kind == "entry" else None,
        entrant_id=target if kind == "entrant" else None,
        class_id=target if kind == "class" else None,
        reason=reason,
        source=source,
        created_by_id=viewer.user_id,
    )
    session.add(conflict)
    await session.flush()
    if entry_ids:
        await session.execute(
            delete(Assignment).where(Assignment.judge_id == judge_id, Assignment.entry_id.in_(entry_ids))
        )
    audit.record(
        session,
        entity_type="conflict",
        entity_id=conflict.id,
        action="declare" if source == "declared" else "add",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"judge_id": judge_id, "kind": kind, "target": target, "reason": reason, "source": source},
    )
    return conflict


async def remove_conflict(session: AsyncSession, viewer: Viewer, conflict_id: int, *, own_only: bool) -> Conflict:
    """Remove a conflict: the chief judge or an organizer any of the event; a judge only one they declared."""
    conflict = await session.get(Conflict, conflict_id)
    if conflict is None:
        raise NotFound("There is no such conflict.")
    if own_only:
        if conflict.judge_id != viewer.judge_id or conflict.source != "declared":
            raise NotFound("There is no such conflict among the ones you declared.")
    else:
        event = await session.get(Event, conflict.event_id)
        assert event is not None
        require_in_event(why_not_run_judging(viewer, event.id), viewer, event, hide="There is no such conflict.")
    audit.record(
        session,
        entity_type="conflict",
        entity_id=conflict.id,
        action="remove",
        user_id=viewer.user_id,
        event_id=conflict.event_id,
        before={
            "judge_id": conflict.judge_id,
            "entry_id": conflict.entry_id,
            "entrant_id": conflict.entrant_id,
            "class_id": conflict.class_id,
            "reason": conflict.reason,
            "source": conflict.source,
        },
    )
    await session.delete(conflict)
    return conflict
