"""The event's judge roster: invitations (one at a time or a CSV), profiles, the chief judge.

The roster lives in ``event_staff`` (no new table): a judge invited to an event has the role ``judge_invited``,
which becomes ``judge`` when they accept. A judge put straight on a class team (``teams.add_judge_to_class``)
counts as on the roster too. Conflicts are ``conflict`` rows (declared by the judge, or added by an organizer);
the automatic ones (a judge who has a car entered) are derived from the entries, never stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Assignment,
    Event,
    EventClass,
    EventStaff,
    Judge,
    Team,
    TeamMember,
    User,
)
from concours.domain.assignment import RANKS
from concours.domain.conflict_matching import MAX_TIE, MAX_TIES, split_ties
from concours.i18n import N_, format_date, gettext, ngettext
from concours.services import accounts, audit
from concours.services.conflicts import list_conflicts
from concours.services.errors import FormErrors, NotFound, ServiceError
from concours.services.permissions import (
    ACCEPTED,
    INVITED,
    ROSTER_ROLES,
    Viewer,
    require,
    roster_judge_ids,
    why_not_judge,
)
from concours.settings import Settings

RANK_LABELS = {"apprentice": N_("Apprentice"), "judge": N_("Judge"), "senior": N_("Senior"), "master": N_("Master")}
MAX_SPECIALTIES = 1000
MAX_NOTES = 2000
CSV_COLUMNS = ("name", "email", "rank", "honorary", "specialties", "notes")
MAX_CSV_ROWS = 2000


class ImportErrors(ServiceError):
    """A CSV import refused as a whole; ``rows`` names each row and column that is wrong."""

    def __init__(self, rows: Sequence[str]) -> None:
        super().__init__(gettext("Nothing was imported: correct these rows and import the file again."))
        self.rows = list(rows)


# ---------------------------------------------------------------------------------------------
# Authorization
# ---------------------------------------------------------------------------------------------


async def judge_on_roster(session: AsyncSession, event: Event, judge_id: int) -> Judge:
    """A judge of this event's roster (invited, accepted or on a class team), or 404."""
    judge = await session.get(Judge, judge_id)
    if judge is None or judge_id not in await roster_judge_ids(session, event.id):
        raise NotFound(gettext("There is no such judge on this event's roster."))
    return judge


async def event_for_judge(session: AsyncSession, viewer: Viewer, event_id: int) -> Event:
    """An event the signed-in judge is on the roster of."""
    require(why_not_judge(viewer))
    assert viewer.judge_id is not None
    event = await session.get(Event, event_id)
    if event is None or viewer.judge_id not in await roster_judge_ids(session, event_id):
        raise NotFound(gettext("You are not on the roster of such an event."))
    return event


# ---------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------


def clean_specialties(text: str) -> str:
    """Comma- (or semicolon-, or line-) separated specialties, trimmed, duplicates dropped, as one line."""
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")]
    seen: dict[str, str] = {}
    for p in parts:
        if p and p.lower() not in seen:
            seen[p.lower()] = " ".join(p.split())
    return ", ".join(seen.values())


def specialty_set(text: str) -> frozenset[str]:
    return frozenset(p.lower() for p in clean_specialties(text).split(", ") if p)


def _yes(value: str) -> bool:
    return value.strip().lower() in ("on", "1", "yes", "y", "true", "x")


def parse_profile(form: Mapping[str, str], *, prefix: str = "") -> tuple[dict[str, object], dict[str, str]]:
    """Rank, honorary, specialties and notes from a form (``errors`` keyed by field name)."""
    errors: dict[str, str] = {}
    rank = (form.get("rank", "") or "judge").strip().lower()
    if rank not in RANKS:
        errors[prefix + "rank"] = gettext("Choose a rank: %(ranks)s.", ranks=", ".join(RANKS))
    specialties = clean_specialties(form.get("specialties", ""))
    if len(specialties) > MAX_SPECIALTIES:
        errors[prefix + "specialties"] = gettext("Keep the specialties under %(n)s characters.", n=MAX_SPECIALTIES)
    notes = form.get("notes", "").strip()
    if len(notes) > MAX_NOTES:
        errors[prefix + "notes"] = gettext("Keep the notes under %(n)s characters.", n=MAX_NOTES)
    values: dict[str, object] = {
        "rank": rank,
        "honorary": _yes(form.get("honorary", "")),
        "specialties": specialties,
        "notes": notes,
    }
    return values, errors


def _check_person(name: str, email: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = gettext("Enter the judge's name.")
    elif len(name) > 200:
        errors["name"] = gettext("Keep the name under 200 characters.")
    email = email.strip()
    if "@" not in email or len(email) > 254 or " " in email or email.startswith("@") or email.endswith("@"):
        errors["email"] = gettext("Enter the judge's e-mail address; the invitation goes there.")
    return errors


def _profile_dict(judge: Judge) -> dict[str, object]:
    return {"rank": judge.rank, "honorary": judge.honorary, "specialties": judge.specialties}


# ---------------------------------------------------------------------------------------------
# The roster
# ---------------------------------------------------------------------------------------------


@dataclass
class RosterJudge:
    judge_id: int
    user_id: int
    name: str
    email: str
    rank: str
    honorary: bool
    specialties: str
    notes: str
    status: str  # invited | accepted | on_team
    class_code: str = ""
    class_id: int | None = None
    is_captain: bool = False
    sections: list[str] = field(default_factory=list)
    load: int = 0
    conflicts: list[str] = field(default_factory=list)
    ties: str = ""  # the shops, restorers, dealers or clubs they work with, one per line (their profile)

    @property
    def status_label(self) -> str:
        """In English; the page translates it (``_(j.status_label)``)."""
        return {"invited": N_("Invited"), "accepted": N_("Accepted"), "on_team": N_("On a team")}[self.status]


async def roster(session: AsyncSession, event: Event) -> list[RosterJudge]:
    """Every judge of the event, with their team, load (cars assigned) and conflicts — five queries."""
    ids = await roster_judge_ids(session, event.id)
    if not ids:
        return []
    rows = (
        await session.execute(
            select(Judge, User).join(User, User.id == Judge.user_id).where(Judge.id.in_(ids)).order_by(User.name)
        )
    ).all()
    roles: dict[int, str] = {}
    event_notes: dict[int, str] = {}
    for user_id, role, notes in await session.execute(
        select(EventStaff.user_id, EventStaff.role, EventStaff.notes).where(
            EventStaff.event_id == event.id, EventStaff.role.in_(ROSTER_ROLES)
        )
    ):
        roles[user_id], event_notes[user_id] = role, notes
    seats = {
        r.judge_id: r
        for r in (
            await session.execute(
                select(
                    TeamMember.judge_id,
                    TeamMember.is_captain,
                    TeamMember.sections,
                    EventClass.code,
                    EventClass.id.label("class_id"),
                )
                .join(Team, Team.id == TeamMember.team_id)
                .join(EventClass, EventClass.id == Team.class_id)
                .where(Team.event_id == event.id)
                .order_by(EventClass.position)
            )
        ).all()
    }
    loads = dict(
        (
            await session.execute(
                select(Assignment.judge_id, func.count())
                .where(Assignment.event_id == event.id)
                .group_by(Assignment.judge_id)
            )
        )
        .tuples()
        .all()
    )
    conflicts: dict[int, list[str]] = {}
    for c in await list_conflicts(session, event):
        conflicts.setdefault(c.judge_id, []).append(c.target)
    out = []
    for judge, user in rows:
        role = roles.get(user.id)
        status = "accepted" if role == ACCEPTED else "invited" if role == INVITED else "on_team"
        seat = seats.get(judge.id)
        out.append(
            RosterJudge(
                judge_id=judge.id,
                user_id=user.id,
                name=user.name,
                email=user.email,
                rank=judge.rank,
                honorary=judge.honorary,
                specialties=judge.specialties,
                notes=event_notes.get(user.id, ""),
                status=status,
                class_code=seat.code if seat else "",
                class_id=seat.class_id if seat else None,
                is_captain=bool(seat and seat.is_captain),
                sections=list(seat.sections or []) if seat else [],
                load=loads.get(judge.id, 0),
                conflicts=conflicts.get(judge.id, []),
                ties=judge.ties,
            )
        )
    return out


async def _put_on_roster(
    session: AsyncSession,
    settings: Settings,
    viewer: Viewer,
    event: Event,
    *,
    name: str,
    email: str,
    profile: Mapping[str, object],
) -> tuple[Judge, bool]:
    """Create or update the judge and invite them; returns (judge, newly invited)."""
    user = await accounts.get_or_create_user(session, email, name)
    judge = await session.scalar(select(Judge).where(Judge.user_id == user.id))
    before = None
    if judge is None:
        judge = Judge(user_id=user.id, rank="judge", honorary=False, specialties="", notes="")
        session.add(judge)
    else:
        before = _profile_dict(judge)
    judge.rank = str(profile["rank"])
    judge.honorary = bool(profile["honorary"])
    if profile["specialties"]:
        judge.specialties = str(profile["specialties"])
    await session.flush()
    seat = await session.scalar(
        select(EventStaff).where(
            EventStaff.event_id == event.id, EventStaff.user_id == user.id, EventStaff.role.in_(ROSTER_ROLES)
        )
    )
    invited = seat is None
    if seat is None:
        seat = EventStaff(event_id=event.id, user_id=user.id, role=INVITED, notes="")
        session.add(seat)
    if profile["notes"]:
        seat.notes = str(profile["notes"])
    if invited:
        await accounts.send_login_link(
            session,
            settings,
            user,
            next_url="/judging/profile",
            event_id=event.id,
            intro=lambda: gettext(
                "You are invited to judge at %(event)s. Sign in to accept the invitation, check your specialties "
                "and declare any conflict of interest (a car, an owner or a class).",
                event=event.name,
            ),
            minutes=accounts.link_minutes_for_event(settings, event),
        )
    audit.record_change(
        session,
        entity_type="judge",
        entity_id=judge.id,
        action="invite" if invited else "update_profile",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after={**_profile_dict(judge), "email": user.email},
    )
    return judge, invited


async def invite_judge(
    session: AsyncSession, settings: Settings, viewer: Viewer, event: Event, form: Mapping[str, str]
) -> Judge:
    name, email = form.get("name", "").strip(), form.get("email", "").strip()
    errors = _check_person(name, email)
    profile, profile_errors = parse_profile(form)
    errors.update(profile_errors)
    if not errors:
        user = await session.scalar(select(User).where(User.email == accounts.normalize_email(email)))
        if user is not None:
            on = await session.scalar(
                select(EventStaff.id).where(
                    EventStaff.event_id == event.id, EventStaff.user_id == user.id, EventStaff.role.in_(ROSTER_ROLES)
                )
            )
            if on is not None:
                errors["email"] = gettext("%(name)s is already on this event's roster.", name=user.name)
    if errors:
        raise FormErrors(errors)
    judge, _ = await _put_on_roster(session, settings, viewer, event, name=name, email=email, profile=profile)
    return judge


@dataclass
class ImportResult:
    invited: int
    updated: int


async def import_csv(
    session: AsyncSession, settings: Settings, viewer: Viewer, event: Event, text: str
) -> ImportResult:
    """Invite every judge of a CSV (columns name, email, rank, honorary, specialties, notes; header row first).

    All or nothing: every row is checked first; any error refuses the whole file, naming row and column."""
    if not text.strip():
        raise ImportErrors([gettext("The file is empty: the first row must name the columns (name, email, ...).")])
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("name", "email") if c not in headers]
    unknown = [h for h in headers if h and h not in CSV_COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(
                ngettext(
                    "Row 1: the column %(columns)s must be there.",
                    "Row 1: the columns %(columns)s must be there.",
                    len(missing),
                    columns=", ".join(missing),
                )
            )
        if unknown:
            problems.append(
                gettext(
                    "Row 1: unknown column %(unknown)s; the columns are %(columns)s.",
                    unknown=", ".join(unknown),
                    columns=", ".join(CSV_COLUMNS),
                )
            )
        raise ImportErrors(problems)
    reader.fieldnames = headers
    errors: list[str] = []
    rows: list[tuple[str, str, dict[str, object]]] = []
    seen: dict[str, int] = {}
    try:
        raw_rows = list(reader)
    except csv.Error as exc:
        raise ImportErrors([gettext("The file is not valid CSV: %(error)s.", error=exc)]) from exc
    if len(raw_rows) > MAX_CSV_ROWS:
        raise ImportErrors(
            [gettext("The file has %(n)s rows; import at most %(most)s at a time.", n=len(raw_rows), most=MAX_CSV_ROWS)]
        )
    for n, raw in enumerate(raw_rows, start=2):
        row = {k: (v if isinstance(v, str) else "").replace("\x00", "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        name, email = row.get("name", ""), row.get("email", "")
        for col, msg in _check_person(name, email).items():
            errors.append(gettext("Row %(n)s, column %(column)s: %(problem)s", n=n, column=col, problem=msg))
        profile, perrs = parse_profile(row)
        for col, msg in perrs.items():
            errors.append(gettext("Row %(n)s, column %(column)s: %(problem)s", n=n, column=col, problem=msg))
        key = accounts.normalize_email(email)
        if key in seen:
            errors.append(
                gettext(
                    "Row %(n)s, column email: %(email)s is already on row %(row)s.", n=n, email=email, row=seen[key]
                )
            )
        seen.setdefault(key, n)
        rows.append((name, email, profile))
    if not rows and not errors:
        errors.append(gettext("The file has a header row but no judges."))
    if errors:
        raise ImportErrors(errors)
    result = ImportResult(0, 0)
    for name, email, profile in rows:
        _, invited = await _put_on_roster(session, settings, viewer, event, name=name, email=email, profile=profile)
        if invited:
            result.invited += 1
        else:
            result.updated += 1
    return result


async def update_judge(
    session: AsyncSession, viewer: Viewer, event: Event, judge: Judge, form: Mapping[str, str]
) -> None:
    """An organizer sets a judge's rank, honorary flag, specialties and notes."""
    profile, errors = parse_profile(form, prefix=f"j{judge.id}-")
    if errors:
        raise FormErrors(errors)
    before = _profile_dict(judge)
    judge.rank = str(profile["rank"])
    judge.honorary = bool(profile["honorary"])
    judge.specialties = str(profile["specialties"])
    seat = await session.scalar(
        select(EventStaff).where(
            EventStaff.event_id == event.id, EventStaff.user_id == judge.user_id, EventStaff.role.in_(ROSTER_ROLES)
        )
    )
    before["notes"] = seat.notes if seat is not None else None
    if seat is None:  # on a team without an invitation: now on the roster, accepted
        seat = EventStaff(event_id=event.id, user_id=judge.user_id, role=ACCEPTED, notes="")
        session.add(seat)
    seat.notes = str(profile["notes"])
    audit.record_change(
        session,
        entity_type="judge",
        entity_id=judge.id,
        action="update_profile",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after={**_profile_dict(judge), "notes": seat.notes},
    )


async def update_own_profile(session: AsyncSession, viewer: Viewer, form: Mapping[str, str]) -> Judge:
    """A judge sets their own specialties, the shops, restorers, dealers or clubs they work for or with (one per
    line), and optionally their street address and postcode (rank, honorary and notes are the organizers'). The
    ties and the address serve only to suggest conflicts of interest."""
    require(why_not_judge(viewer))
    assert viewer.judge_id is not None
    judge = await session.get(Judge, viewer.judge_id)
    assert judge is not None
    errors: dict[str, str] = {}
    specialties = clean_specialties(form.get("specialties", ""))
    if len(specialties) > MAX_SPECIALTIES:
        errors["specialties"] = gettext("Keep the specialties under %(n)s characters.", n=MAX_SPECIALTIES)
    ties = split_ties(form.get("ties", ""))
    if len(ties) > MAX_TIES:
        errors["ties"] = gettext("List at most %(n)s, one per line.", n=MAX_TIES)
    elif any(len(t) > MAX_TIE for t in ties):
        errors["ties"] = gettext("Keep each name under %(n)s characters, one per line.", n=MAX_TIE)
    address = " ".join(form.get("address", "").split())
    postcode = " ".join(form.get("postcode", "").split())
    if len(address) > 200:
        errors["address"] = gettext("At most %(n)s characters.", n=200)
    if len(postcode) > 20:
        errors["postcode"] = gettext("At most %(n)s characters.", n=20)
    if errors:
        raise FormErrors(errors)
    before = {
        "specialties": judge.specialties,
        "ties": judge.ties,
        "address": judge.address,
        "postcode": judge.postcode,
    }
    judge.specialties = specialties
    judge.ties = "\n".join(ties)
    judge.address, judge.postcode = address, postcode
    audit.record_change(
        session,
        entity_type="judge",
        entity_id=judge.id,
        action="update_specialties",
        user_id=viewer.user_id,
        event_id=None,
        before=before,
        after={"specialties": specialties, "ties": judge.ties, "address": address, "postcode": postcode},
    )
    return judge


@dataclass
class Invitation:
    event_id: int
    event_name: str
    starts_on: str
    accepted: bool


async def my_invitations(session: AsyncSession, viewer: Viewer) -> list[Invitation]:
    rows = (
        await session.execute(
            select(Event.id, Event.name, Event.starts_on, EventStaff.role)
            .join(EventStaff, EventStaff.event_id == Event.id)
            .where(EventStaff.user_id == viewer.user_id, EventStaff.role.in_(ROSTER_ROLES))
            .order_by(Event.starts_on, Event.id)
        )
    ).all()
    return [Invitation(r.id, r.name, format_date(r.starts_on), r.role == ACCEPTED) for r in rows]


async def accept_invitation(session: AsyncSession, viewer: Viewer, event_id: int) -> Event:
    staff = await session.scalar(
        select(EventStaff).where(
            EventStaff.event_id == event_id, EventStaff.user_id == viewer.user_id, EventStaff.role.in_(ROSTER_ROLES)
        )
    )
    event = await session.get(Event, event_id)
    if staff is None or event is None or viewer.judge_id is None:
        raise NotFound(gettext("There is no invitation to that event for you."))
    if staff.role == INVITED:
        staff.role = ACCEPTED
        audit.record(
            session,
            entity_type="judge",
            entity_id=viewer.judge_id,
            action="accept_invitation",
            user_id=viewer.user_id,
            event_id=event_id,
        )
    return event


async def first_staff(session: AsyncSession, event: Event, role: str) -> User | None:
    """The event's first staff member in ``role`` (``organizer``, ``chief_judge``), by when they were added."""
    user: User | None = await session.scalar(
        select(User)
        .join(EventStaff, EventStaff.user_id == User.id)
        .where(EventStaff.event_id == event.id, EventStaff.role == role)
        .order_by(EventStaff.id)
        .limit(1)
    )
    return user


async def chief_judge(session: AsyncSession, event: Event) -> User | None:
    return await first_staff(session, event, "chief_judge")


async def set_chief_judge(
    session: AsyncSession, settings: Settings, viewer: Viewer, event: Event, judge_id_text: str
) -> User:
    """Make a judge of the roster the event's chief judge (replacing the previous one)."""
    if not judge_id_text.isdecimal() or len(judge_id_text) > 9:
        raise FormErrors({"chief_judge": gettext("Choose a judge of the roster.")})
    judge = await session.get(Judge, int(judge_id_text))
    if judge is None or judge.id not in await roster_judge_ids(session, event.id):
        raise FormErrors({"chief_judge": gettext("Choose a judge of the roster.")})
    user = await session.get(User, judge.user_id)
    assert user is not None
    previous = await chief_judge(session, event)
    if previous is not None and previous.id == user.id:
        return user
    await session.execute(delete(EventStaff).where(EventStaff.event_id == event.id, EventStaff.role == "chief_judge"))
    session.add(EventStaff(event_id=event.id, user_id=user.id, role="chief_judge"))
    audit.record_change(
        session,
        entity_type="event",
        entity_id=event.id,
        action="chief_judge",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"user_id": previous.id if previous else None},
        after={"user_id": user.id},
    )
    await accounts.send_login_link(
        session,
        settings,
        user,
        next_url=f"/organizer/events/{event.id}/assignment",
        event_id=event.id,
        intro=lambda: gettext(
            "You are the chief judge of %(event)s: you review the judging teams and every conflict.",
            event=event.name,
        ),
        minutes=accounts.link_minutes_for_event(settings, event),
    )
    return user
