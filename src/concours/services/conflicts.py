"""Conflicts of interest. A stored conflict has a target (a car, an owner with all their cars, or a class), a
**type** (own car, family, restorer or shop ...), a **source** (declared by the judge, declared by the entrant,
added by the organizers, suggested by the app) and a **state**: ``suggested`` (waits for an organizer),
``confirmed`` or ``dismissed`` (with a reason). Only a confirmed conflict binds (``permissions.conflict_binds``):
a judge never scores a car a confirmed conflict names. A judge with a car entered is an automatic own-car
conflict, derived from the entries and never stored."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Assignment,
    Conflict,
    Entrant,
    Entry,
    Event,
    EventClass,
    EventStaff,
    Judge,
    ScoreSheet,
    Team,
    TeamMember,
    User,
    Vehicle,
    utcnow,
)
from concours.i18n import N_, gettext
from concours.services import audit
from concours.services.errors import Conflict as ConflictError
from concours.services.errors import FormErrors, NotFound
from concours.services.permissions import (
    ACCEPTED,
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


def _snapshot(conflict: Conflict) -> dict[str, object]:
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
        before=_snapshot(conflict),
    )
    await session.delete(conflict)
    return conflict


async def confirm_conflict(session: AsyncSession, viewer: Viewer, conflict_id: int) -> Conflict:
    """Confirm a suggested (or dismissed) conflict: from now on it binds, and the judge comes off the cars it
    names. Steps: load and authorize (organizer or chief judge), guard the state, write, unassign, audit."""
    conflict, _ = await conflict_for_chief_judge(session, viewer, conflict_id)
    if conflict.state == "confirmed":
        raise ConflictError("This conflict is already confirmed.")
    before = _snapshot(conflict)
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
        after=_snapshot(conflict),
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
    before = _snapshot(conflict)
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
        after=_snapshot(conflict),
    )
    return conflict


# -- suggestions by the app --------------------------------------------------------------------------


def surname(name: str) -> str:
    """The last word of a person's name, lower-cased, letters only ("Ann  O'Neil-Smith" → "o'neil-smith")."""
    words = re.findall(r"[^\W\d_][\w'’-]*", name.casefold())
    return words[-1] if words else ""


def _chassis(text: str) -> str:
    return "".join(text.split()).casefold()


def _fold(text: str) -> str:
    """Case- and accent-insensitive: "Chapron" and "CHAPRÓN" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", _fold(text).replace("&", " and "))


def name_key(name: str) -> str:
    """A person's name compared case-, accent- and punctuation-insensitively ("Paul  DELACROIX." → "paul delacroix")."""
    return " ".join(_words(name))


# Words at the end of a shop's name that say what kind of company it is, not which: "Russell & Co." is "Russell".
_COMPANY_WORDS = {
    "co",
    "company",
    "ltd",
    "limited",
    "inc",
    "llc",
    "gmbh",
    "sa",
    "sarl",
    "srl",
    "bv",
    "ag",
    "plc",
    "and",
}
MAX_TIES = 20
MAX_TIE = 100


def split_ties(text: str) -> list[str]:
    """A judge's ties, one per line (or separated by semicolons), trimmed, duplicates dropped."""
    seen: dict[str, str] = {}
    for line in re.split(r"[\n;]", text):
        tie = " ".join(line.split())
        if tie and name_key(tie) and name_key(tie) not in seen:
            seen[name_key(tie)] = tie
    return list(seen.values())


def _tie_words(tie: str) -> list[str]:
    words = _words(tie)
    while len(words) > 1 and words[-1] in _COMPANY_WORDS:
        words.pop()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    return words


def find_tie(tie: str, text: str, *, around: int = 40) -> str | None:
    """Where ``text`` names the shop ``tie`` — whole words, in order, whatever the case, accents or punctuation
    between them ("Paul Russell & Co." is named by "restored by paul russell and company in 2019", not by
    "Russellville") — the words around the match, else None. A one-word tie needs three letters or more."""
    words = _tie_words(tie)
    if not words or (len(words) == 1 and len(words[0]) < 3):
        return None
    folded = _fold(text)
    if len(folded) != len(text):  # a character folded into several: the snippet quotes the folded text
        text = folded
    text = text.replace("\n", " ").replace("\r", " ")
    pattern = re.escape(words[0])
    after_and = False
    for word in words[1:]:
        if word == "and":
            after_and = True
            continue
        pattern += (r"(?:[\W_]+and[\W_]+|[^\w&]*&[^\w&]*)" if after_and else r"[\W_]+") + re.escape(word)
        after_and = False
    match = re.search(r"(?<![^\W_])" + pattern + r"(?![^\W_])", folded)
    if match is None:
        return None
    start = max(0, match.start() - around)
    if start > 0:
        space = text.find(" ", start, match.start())
        start = space + 1 if space != -1 else match.start()
    end = min(len(text), match.end() + around)
    if end < len(text):
        space = text.rfind(" ", match.end(), end)
        end = space if space != -1 else match.end()
    snippet = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + snippet + ("…" if end < len(text) else "")


_STREET_WORDS = {
    "street": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "lane": "ln",
    "drive": "dr",
    "boulevard": "blvd",
    "bd": "blvd",
    "place": "pl",
    "court": "ct",
    "square": "sq",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}


def address_key(address: str, postcode: str) -> str | None:
    """A street address and postcode compared case- and punctuation-insensitively, common street words abbreviated
    ("12, Elm Street" / "sw1a 1aa" and "12 elm st." / "SW1A1AA" are the same); None unless both are given."""
    street = [_STREET_WORDS.get(w, w) for w in _words(address)]
    code = "".join(_words(postcode))
    if not street or not code:
        return None
    return " ".join(street) + "|" + code


# -- declared by the entrant on the application ------------------------------------------------------

# What an owner may declare (own car is automatic; judged before is the app's).
DECLARABLE_TYPES = {k: v for k, v in CONFLICT_TYPES.items() if k not in ("own_car", "judged_before")}


def declarable_labels() -> dict[str, str]:
    """The types an owner may declare, in the reader's language (the application form's choices)."""
    return {key: type_label(key) for key in DECLARABLE_TYPES}


DECLARATION_ROWS = 3
MAX_DECLARED_NAME = 200
MAX_DECLARED_NOTE = 200


@dataclass(frozen=True)
class Declaration:
    """One line of the application's conflicts: a judge of the roster (``judge_id``, when the roster is shown to
    entrants) or a person the owner names in their own words, the type and a short note."""

    judge_id: int | None
    name: str
    type: str
    note: str

    @property
    def type_label(self) -> str:
        return type_label(self.type)

    @property
    def reason(self) -> str:
        """The conflict's reason, as the organizers read it: who the owner named, and their note."""
        text = f"The owner declared {self.name} on the application"
        return (text + (f": {self.note}" if self.note else ""))[:MAX_REASON]

    def as_json(self) -> dict[str, object]:
        return {"judge_id": self.judge_id, "name": self.name, "type": self.type, "note": self.note}


def declarations_of(stored: object) -> list[Declaration]:
    """An entry's ``declared_conflicts`` as declarations (what the owner sees on their application)."""
    out: list[Declaration] = []
    for d in stored if isinstance(stored, list) else []:
        if isinstance(d, dict):
            judge_id = d.get("judge_id")
            out.append(
                Declaration(
                    judge_id if isinstance(judge_id, int) else None,
                    str(d.get("name", "")),
                    str(d.get("type", "other")),
                    str(d.get("note", "")),
                )
            )
    return out


async def roster_names(session: AsyncSession, event: Event, *, public: bool) -> dict[int, str]:
    """The judges of the roster by name. ``public``: the ones an entrant may pick from when the event shows its
    roster, those who accepted or sit on a team (not those only invited)."""
    if public:
        staff = (
            select(Judge.id)
            .join(EventStaff, EventStaff.user_id == Judge.user_id)
            .where(EventStaff.event_id == event.id, EventStaff.role == ACCEPTED)
        )
        teams = select(TeamMember.judge_id).join(Team, Team.id == TeamMember.team_id).where(Team.event_id == event.id)
        ids = set((await session.scalars(staff.union(teams))).all())
    else:
        ids = await roster_judge_ids(session, event.id)
    if not ids:
        return {}
    rows = (
        await session.execute(
            select(Judge.id, User.name)
            .join(User, User.id == Judge.user_id)
            .where(Judge.id.in_(ids))
            .order_by(User.name)
        )
    ).all()
    return {judge_id: name for judge_id, name in rows}


async def set_roster_public(session: AsyncSession, viewer: Viewer, event: Event, on: bool) -> None:
    """Show the roster (judges who accepted, or on a team) to entrants on the application form, so they pick the
    judges they know; or not, and they name people in their own words. The caller loaded ``event`` for someone
    who runs its judging."""
    before = event.roster_public
    event.roster_public = on
    audit.record_change(
        session,
        entity_type="event",
        entity_id=event.id,
        action="roster_public",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"roster_public": before},
        after={"roster_public": on},
    )


def parse_declarations(
    form: Mapping[str, str], roster: Mapping[int, str] | None, *, rows: int = DECLARATION_ROWS
) -> tuple[list[Declaration], dict[str, str]]:
    """The application's conflict lines ``conflict_judge_<n>`` (a judge id of ``roster``, when the roster is shown)
    or ``conflict_name_<n>`` (a name in the owner's words, when it is not), ``conflict_type_<n>``,
    ``conflict_note_<n>``; a blank line is skipped. Errors are keyed by field."""
    out: list[Declaration] = []
    errors: dict[str, str] = {}
    for n in range(1, rows + 1):
        who_field = f"conflict_judge_{n}" if roster is not None else f"conflict_name_{n}"
        who = " ".join((form.get(who_field) or "").split())
        kind = (form.get(f"conflict_type_{n}") or "").strip()
        note = " ".join((form.get(f"conflict_note_{n}") or "").split())
        if not who and not note and not kind:
            continue
        judge_id: int | None = None
        name = who
        if not who:
            errors[who_field] = (
                gettext("Choose the judge, or leave the line blank.")
                if roster is not None
                else gettext("Name the person on the judging team, or leave the line blank.")
            )
        elif roster is not None:
            judge_id = int(who) if who.isdecimal() and len(who) < 10 else None
            if judge_id is None or judge_id not in roster:
                errors[who_field] = gettext("Choose one of the event's judges.")
            else:
                name = roster[judge_id]
        elif len(who) > MAX_DECLARED_NAME:
            errors[who_field] = gettext("At most %(n)s characters.", n=MAX_DECLARED_NAME)
        if kind not in DECLARABLE_TYPES:
            errors[f"conflict_type_{n}"] = gettext("Choose how you know them (“Other” if none fits).")
        if len(note) > MAX_DECLARED_NOTE:
            errors[f"conflict_note_{n}"] = gettext("Keep the note under %(n)s characters.", n=MAX_DECLARED_NOTE)
        out.append(Declaration(judge_id, name, kind, note))
    return out, errors


async def record_declarations(
    session: AsyncSession, event: Event, entry: Entry, declared: list[Declaration], user_id: int | None
) -> list[Conflict]:
    """Keep what the owner declared on the entry, and make each declaration that names a judge of the roster (the
    one picked, or the one whose name matches :func:`name_key`) a **suggested** conflict with the car, source
    ``entrant``: it binds once an organizer confirms it, as the owner's word alone does not take a judge off a
    car. A name that matches nobody yet is matched when the organizers look for conflicts. Audited."""
    if not declared:
        return []
    ids = await roster_judge_ids(session, event.id)
    by_name: dict[str, list[int]] = {}
    if ids:
        for judge_id, name in (
            await session.execute(
                select(Judge.id, User.name).join(User, User.id == Judge.user_id).where(Judge.id.in_(ids))
            )
        ).all():
            by_name.setdefault(name_key(name), []).append(judge_id)
    existing = set(
        (
            await session.scalars(
                select(Conflict.judge_id).where(
                    Conflict.event_id == event.id,
                    or_(Conflict.entry_id == entry.id, Conflict.entrant_id == entry.entrant_id),
                )
            )
        ).all()
    )
    kept: list[dict[str, object]] = []
    stored: list[Conflict] = []
    for d in declared:
        judge_id = d.judge_id
        if judge_id is None:
            matches = by_name.get(name_key(d.name), [])
            judge_id = matches[0] if len(matches) == 1 else None
        kept.append(d.as_json() | {"judge_id": judge_id})
        if judge_id is None or judge_id not in ids or judge_id in existing:
            continue
        existing.add(judge_id)
        conflict = Conflict(
            event_id=event.id,
            judge_id=judge_id,
            entry_id=entry.id,
            reason=d.reason,
            source="entrant",
            kind=d.type,
            state="suggested",
            created_by_id=user_id,
        )
        session.add(conflict)
        stored.append(conflict)
    entry.declared_conflicts = [*(entry.declared_conflicts or []), *kept]
    await session.flush()
    for conflict in stored:
        audit.record(
            session,
            entity_type="conflict",
            entity_id=conflict.id,
            action="declare_on_application",
            user_id=user_id,
            event_id=event.id,
            after=_snapshot(conflict),
        )
    return stored


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
    chassis = {_chassis(c.chassis_number) for c in cars} - {""}
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
            here = _chassis(c.chassis_number)
            if c.vehicle_id == vehicle_id or (here and here == _chassis(chassis_number)):
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
            after=_snapshot(conflict),
        )
    return stored
