"""Conflicts of interest. A stored conflict has a target (a car, an owner with all their cars, or a class), a
**type** (own car, family, restorer or shop ...), a **source** (declared by the judge, declared by the entrant,
added by the organizers, suggested by the app) and a **state**: ``suggested`` (waits for an organizer),
``confirmed`` or ``dismissed`` (with a reason). Only a confirmed conflict binds (``permissions.conflict_binds``):
a judge never scores a car a confirmed conflict names. A judge with a car entered is an automatic own-car
conflict, derived from the entries and never stored."""

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
    utcnow,
)
from concours.i18n import N_, gettext
from concours.services import audit
from concours.services.errors import Conflict as ConflictError
from concours.services.errors import FormErrors, NotFound
from concours.services.events import classes_of
from concours.services.permissions import (
    Viewer,
    require_in_event,
    roster_judge_ids,
    why_not_run_judging,
)

CONFLICT_KINDS = {"entry": N_("a car"), "entrant": N_("an owner (all their cars)"), "class": N_("a whole class")}

JUDGED_BEFORE_YEARS = 5

# The type of a conflict (the ``kind`` column), in the words the pages use.
_JUDGED_BEFORE = N_("Judged this car within the last %(years)s years")
CONFLICT_TYPES = {
    "own_car": N_("Own car"),
    "family": N_("Family"),
    "restorer": N_("Restorer or shop"),
    "dealer": N_("Dealer, or sold the car"),
    "prior_owner": N_("Prior owner"),
    "employer": N_("Employer or employee"),
    "judged_before": _JUDGED_BEFORE % {"years": JUDGED_BEFORE_YEARS},
    "other": N_("Other"),
}

# Who raised it. ``automatic`` is the derived own-car conflict (never stored).
CONFLICT_SOURCES = {
    "judge": N_("Declared by the judge"),
    "entrant": N_("Declared by the entrant"),
    "organizer": N_("Added by the organizers"),
    "app": N_("Suggested by the app"),
    "automatic": N_("Automatic"),
}

CONFLICT_STATES = {"suggested": N_("Suggested"), "confirmed": N_("Confirmed"), "dismissed": N_("Dismissed")}


# What to say when the chosen car, owner or class is not one of the event's.
_CHOOSE_TARGET = {
    "entry": N_("Choose a car of this event."),
    "entrant": N_("Choose an owner of this event."),
    "class": N_("Choose a whole class of this event."),
}


def type_label(conflict_type: str) -> str:
    """The type of a conflict in the reader's language."""
    if conflict_type == "judged_before":
        return gettext(_JUDGED_BEFORE, years=JUDGED_BEFORE_YEARS)
    return gettext(CONFLICT_TYPES[conflict_type]) if conflict_type in CONFLICT_TYPES else conflict_type


def type_labels() -> dict[str, str]:
    """Every type of conflict, in the reader's language (the form's choices)."""
    return {key: type_label(key) for key in CONFLICT_TYPES}


def kind_labels() -> dict[str, str]:
    """What a conflict can be with, in the reader's language (the form's choices)."""
    return {key: gettext(label) for key, label in CONFLICT_KINDS.items()}


MAX_REASON = 300

ACTIVE_ENTRY = ("applied", "accepted", "waitlisted")


@dataclass
class ConflictView:
    id: int | None  # None: automatic (derived from the entries)
    judge_id: int
    judge_name: str
    kind: str  # the target: entry | entrant | class | own_car
    target: str
    reason: str
    source: str  # judge | entrant | organizer | app | automatic
    class_code: str = ""
    conflict_type: str = "other"  # a key of CONFLICT_TYPES
    state: str = "confirmed"  # suggested | confirmed | dismissed
    dismissed_reason: str = ""

    @property
    def type_label(self) -> str:
        return type_label(self.conflict_type)

    @property
    def source_label(self) -> str:
        return gettext(CONFLICT_SOURCES[self.source]) if self.source in CONFLICT_SOURCES else self.source

    @property
    def state_label(self) -> str:
        return gettext(CONFLICT_STATES[self.state]) if self.state in CONFLICT_STATES else self.state


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
            .where(Entry.event_id == event.id, Entry.status.in_(ACTIVE_ENTRY))
            .order_by(Entry.car_number, Entry.id)
        )
    ).all()
    classes = await classes_of(session, event.id)
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


async def list_conflicts(
    session: AsyncSession, event: Event, judge_id: int | None = None, *, binding_only: bool = False
) -> list[ConflictView]:
    """Every conflict of the event (stored in any state, and the automatic ones), by judge — four queries.
    ``binding_only``: only the confirmed ones (a judge's own page)."""
    q = (
        select(Conflict, User.name)
        .join(Judge, Judge.id == Conflict.judge_id)
        .join(User, User.id == Judge.user_id)
        .where(Conflict.event_id == event.id)
        .order_by(User.name, Conflict.id)
    )
    if judge_id is not None:
        q = q.where(Conflict.judge_id == judge_id)
    if binding_only:
        q = q.where(Conflict.state == "confirmed")
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
        out.append(
            ConflictView(
                c.id,
                c.judge_id,
                name,
                kind,
                target,
                c.reason,
                c.source,
                conflict_type=c.kind,
                state=c.state,
                dismissed_reason=c.dismissed_reason,
            )
        )
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
                    conflict_type="own_car",
                )
            )
    order = {"suggested": 0, "confirmed": 1, "dismissed": 2}
    out.sort(key=lambda c: (order.get(c.state, 1), c.judge_name.lower(), c.id is None, c.id or 0))
    return out


async def _covered_entry_ids(
    session: AsyncSession, event_id: int, entry_id: int | None, entrant_id: int | None, class_id: int | None
) -> list[int]:
    """The event's entries a conflict names: the car, the owner's cars, or the class's cars."""
    if entry_id is not None:
        target = Entry.id == entry_id
    elif entrant_id is not None:
        target = Entry.entrant_id == entrant_id
    elif class_id is not None:
        target = Entry.class_id == class_id
    else:
        return []
    return list((await session.scalars(select(Entry.id).where(Entry.event_id == event_id, target))).all())


async def _unassign(session: AsyncSession, judge_id: int, entry_ids: list[int]) -> None:
    """A judge comes off the cars a confirmed conflict names at once (their assignment rows go)."""
    if entry_ids:
        await session.execute(
            delete(Assignment).where(Assignment.judge_id == judge_id, Assignment.entry_id.in_(entry_ids))
        )


async def add_conflict(
    session: AsyncSession,
    viewer: Viewer,
    event: Event,
    judge_id: int,
    form: Mapping[str, str],
    *,
    source: str,
) -> Conflict:
    """Record a confirmed conflict of ``judge_id`` (declared by the judge, ``source="judge"``, or added by the
    organizers) with a car, an owner or a class (``kind`` + ``target_<kind>``), of a ``type``.

    The judge comes off the cars it names at once (their assignment rows go); the board shows what that does
    to the team."""
    kind = form.get("kind", "")
    errors: dict[str, str] = {}
    conflict_type = form.get("type", "")
    if conflict_type not in CONFLICT_TYPES:
        errors["type"] = gettext("Choose the type of conflict (“Other” if none fits).")
    if kind not in CONFLICT_KINDS:
        errors["kind"] = gettext("Choose what the conflict is with: a car, an owner or a class.")
    reason = " ".join(form.get("reason", "").split())
    if not reason:
        errors["reason"] = gettext("Say why (e.g. “restored this car”, “a close friend of the owner”).")
    elif len(reason) > MAX_REASON:
        errors["reason"] = gettext("Keep the reason under %(n)s characters.", n=MAX_REASON)
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
            entry_ids = await _covered_entry_ids(session, event.id, None, target, None)
            ok = bool(entry_ids)
        elif target is not None and kind == "class":
            cls = await session.get(EventClass, target)
            ok = cls is not None and cls.event_id == event.id
            if ok:
                entry_ids = await _covered_entry_ids(session, event.id, None, None, target)
        if not ok:
            errors[f"target_{kind}"] = gettext(_CHOOSE_TARGET[kind])
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
        kind=conflict_type,
        state="confirmed",
        created_by_id=viewer.user_id,
    )
    session.add(conflict)
    await session.flush()
    await _unassign(session, judge_id, entry_ids)
    audit.record(
        session,
        entity_type="conflict",
        entity_id=conflict.id,
        action="declare" if source == "judge" else "add",
        user_id=viewer.user_id,
        event_id=event.id,
        after={
            "judge_id": judge_id,
            "kind": kind,
            "target": target,
            "type": conflict_type,
            "reason": reason,
            "source": source,
            "state": "confirmed",
        },
    )
    return conflict


def snapshot(conflict: Conflict) -> dict[str, object]:
    return {
        "judge_id": conflict.judge_id,
        "entry_id": conflict.entry_id,
        "entrant_id": conflict.entrant_id,
        "class_id": conflict.class_id,
        "type": conflict.kind,
        "reason": conflict.reason,
        "source": conflict.source,
        "state": conflict.state,
        "dismissed_reason": conflict.dismissed_reason,
    }


async def conflict_for_chief_judge(session: AsyncSession, viewer: Viewer, conflict_id: int) -> tuple[Conflict, Event]:
    """A stored conflict of an event whose judging the viewer runs (organizer or chief judge), with its event."""
    row = (
        await session.execute(
            select(Conflict, Event).join(Event, Event.id == Conflict.event_id).where(Conflict.id == conflict_id)
        )
    ).first()
    if row is None:
        raise NotFound("There is no such conflict.")
    conflict, event = row._tuple()
    require_in_event(why_not_run_judging(viewer, event.id), viewer, event, hide="There is no such conflict.")
    return conflict, event


async def remove_conflict(session: AsyncSession, viewer: Viewer, conflict_id: int, *, own_only: bool) -> Conflict:
    """Remove a conflict: the chief judge or an organizer any of the event; a judge only one they declared."""
    if own_only:
        conflict = await session.get(Conflict, conflict_id)
        if conflict is None or conflict.judge_id != viewer.judge_id or conflict.source != "judge":
            raise NotFound("There is no such conflict among the ones you declared.")
    else:
        conflict, _ = await conflict_for_chief_judge(session, viewer, conflict_id)
    audit.record(
        session,
        entity_type="conflict",
        entity_id=conflict.id,
        action="remove",
        user_id=viewer.user_id,
        event_id=conflict.event_id,
        before=snapshot(conflict),
    )
    await session.delete(conflict)
    return conflict


async def confirm_conflict(session: AsyncSession, viewer: Viewer, conflict_id: int) -> Conflict:
    """Confirm a suggested (or dismissed) conflict: from now on it binds, and the judge comes off the cars it
    names. Steps: load and authorize (organizer or chief judge), guard the state, write, unassign, audit."""
    conflict, _ = await conflict_for_chief_judge(session, viewer, conflict_id)
    if conflict.state == "confirmed":
        raise ConflictError("This conflict is already confirmed.")
    before = snapshot(conflict)
    conflict.state = "confirmed"
    conflict.dismissed_reason = ""
    conflict.decided_by_id = viewer.user_id
    conflict.decided_at = utcnow()
    await _unassign(
        session,
        conflict.judge_id,
        await _covered_entry_ids(session, conflict.event_id, conflict.entry_id, conflict.entrant_id, conflict.class_id),
    )
    audit.record_change(
        session,
        entity_type="conflict",
        entity_id=conflict.id,
        action="confirm",
        user_id=viewer.user_id,
        event_id=conflict.event_id,
        before=before,
        after=snapshot(conflict),
    )
    return conflict


async def dismiss_conflict(session: AsyncSession, viewer: Viewer, conflict_id: int, reason_text: str) -> Conflict:
    """Dismiss a suggested conflict with a reason (it never binds, and is never suggested again). The error,
    when the reason is missing, is keyed ``dismissed_reason_<id>`` so the page shows it beside that row's field."""
    conflict, _ = await conflict_for_chief_judge(session, viewer, conflict_id)
    if conflict.state != "suggested":
        raise ConflictError("Only a suggested conflict can be dismissed; remove a confirmed one instead.")
    reason = " ".join(reason_text.split())
    field = f"dismissed_reason_{conflict.id}"
    if not reason:
        raise FormErrors({field: "Say why this is not a conflict (e.g. “no relation, a common name”)."})
    if len(reason) > MAX_REASON:
        raise FormErrors({field: f"Keep the reason under {MAX_REASON} characters."})
    before = snapshot(conflict)
    conflict.state = "dismissed"
    conflict.dismissed_reason = reason
    conflict.decided_by_id = viewer.user_id
    conflict.decided_at = utcnow()
    audit.record_change(
        session,
        entity_type="conflict",
        entity_id=conflict.id,
        action="dismiss",
        user_id=viewer.user_id,
        event_id=conflict.event_id,
        before=before,
        after=snapshot(conflict),
    )
    return conflict
