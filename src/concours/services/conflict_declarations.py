"""Conflicts an owner declares on the application: the judges they know (picked from the roster when the event
shows it, else named in their own words), kept on the entry and recorded as suggested conflicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Conflict,
    Entry,
    Event,
    EventStaff,
    Judge,
    Team,
    TeamMember,
    User,
)
from concours.domain.conflict_matching import name_key
from concours.i18n import gettext
from concours.services import audit
from concours.services.conflicts import CONFLICT_TYPES, MAX_REASON, snapshot, type_label
from concours.services.permissions import (
    ACCEPTED,
    Viewer,
    roster_judge_ids,
)

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
            after=snapshot(conflict),
        )
    return stored
