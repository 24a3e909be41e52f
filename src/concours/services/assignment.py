"""Judge assignment: load the event into the solver's input, apply an automatic plan, manual board changes.

The automatic plan (``concours.domain.assignment.solve``) is shown first and written only when the organizer
confirms it: the confirmation carries the plan's fingerprint, and the plan is solved again and written only if
it is still the same (the solver is deterministic). Writing replaces every team and assignment row of the
event in the request's one transaction; it is refused once score sheets exist. A plan is never partly written:
when the solver finds none, its reasons are shown and nothing changes.

Manual changes on the board (move a judge to a class team or off every team, make a judge captain) are
applied to the current teams in memory and checked with the domain's ``violations``: a change that adds a
rule violation (a conflicted judge, a team below its minimum or above its maximum, an apprentice without a
senior, a captain who is not the most senior...) is refused with the reason; problems that were already
there do not block an unrelated change. Every change is written to the audit log.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
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
    JudgingSystem,
    ScoreSheet,
    Team,
    TeamMember,
    User,
    Vehicle,
)
from concours.domain.assignment import (
    RANKS,
    AssignmentInfeasible,
    AssignmentInput,
    ClassIn,
    ConflictIn,
    EntryIn,
    JudgeIn,
    Plan,
    solve,
    violations,
)
from concours.domain.messages import Message, localize
from concours.i18n import gettext, ngettext
from concours.services import audit
from concours.services.errors import Conflict as ConflictError
from concours.services.errors import NotFound
from concours.services.events import load_rubric
from concours.services.permissions import ACCEPTED, Viewer, conflict_binds
from concours.services.roster import specialty_set

_RANK = {r: i for i, r in enumerate(RANKS)}
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")


@dataclass
class Loaded:
    """The solver's input for an event, and the names the pages need."""

    inputs: AssignmentInput
    judge_names: dict[int, str]
    judge_user: dict[int, int]
    class_codes: dict[int, str]
    classes: dict[int, EventClass]
    car_numbers: dict[int, str]
    conflict_reasons: dict[tuple[int, int], str] = field(default_factory=dict)  # (judge, class) -> why


def class_tags(cls: EventClass, makes: Iterable[str], specialties: Iterable[str]) -> frozenset[str]:
    """A class's tags: the judges' specialties its name, description or cars' makes mention (lower case),
    plus its single words (so "Ferrari" matches class "Ferrari 250 GT" and "pre-war" matches "Pre-War Open")."""
    text = " ".join([cls.name, cls.description, *makes]).lower()
    words = set(_WORD.findall(text))
    tags = {s for s in specialties if s and (s in words or (" " in s and s in text))}
    return frozenset(tags | words)


async def _sections(session: AsyncSession, event: Event, classes: Iterable[EventClass]) -> dict[int, tuple[str, ...]]:
    mode = await session.scalar(select(JudgingSystem.sheet_mode).where(JudgingSystem.event_id == event.id))
    if mode != "section":
        return {}
    out: dict[int, tuple[str, ...]] = {}
    rubrics: dict[int, tuple[str, ...]] = {}
    for c in classes:
        rid = c.rubric_id or event.rubric_id
        if rid is None:
            continue
        if rid not in rubrics:
            rubric = await load_rubric(session, rid)
            rubrics[rid] = tuple(dict.fromkeys(cat.section for cat in rubric.categories if cat.section))
        out[c.id] = rubrics[rid]
    return out


async def load_input(session: AsyncSession, event: Event) -> Loaded:
    """The event as the solver sees it — a fixed number of queries, whatever its size.

    Judges: those who accepted the invitation, and any already on a class team. Entries: accepted cars in a
    class. Conflicts: every declared one; a judge with a car entered is mapped to their entrant."""
    accepted = (
        select(Judge.id)
        .join(EventStaff, EventStaff.user_id == Judge.user_id)
        .where(EventStaff.event_id == event.id, EventStaff.role == ACCEPTED)
    )
    on_team = select(TeamMember.judge_id).join(Team, Team.id == TeamMember.team_id).where(Team.event_id == event.id)
    ids = set((await session.scalars(accepted.union(on_team))).all())
    judges = (
        (
            await session.execute(
                select(Judge, User.name, Entrant.id)
                .join(User, User.id == Judge.user_id)
                .outerjoin(Entrant, Entrant.user_id == Judge.user_id)
                .where(Judge.id.in_(ids))
            )
        ).all()
        if ids
        else []
    )
    classes = list(
        (
            await session.scalars(
                select(EventClass).where(EventClass.event_id == event.id).order_by(EventClass.position, EventClass.id)
            )
        ).all()
    )
    entries = (
        await session.execute(
            select(Entry.id, Entry.class_id, Entry.entrant_id, Entry.car_number, Vehicle.make)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .where(Entry.event_id == event.id, Entry.status == "accepted", Entry.class_id.is_not(None))
            .order_by(Entry.id)
        )
    ).all()
    conflicts = (await session.scalars(select(Conflict).where(Conflict.event_id == event.id, conflict_binds()))).all()
    sections = await _sections(session, event, classes)
    specialties = {s for j, _, _ in judges for s in specialty_set(j.specialties)}
    makes: dict[int, list[str]] = {}
    for e in entries:
        makes.setdefault(e.class_id, []).append(e.make)
    inputs = AssignmentInput(
        judges=tuple(
            JudgeIn(
                id=j.id,
                name=name,
                rank=j.rank if j.rank in _RANK else "judge",
                specialties=specialty_set(j.specialties),
                honorary=j.honorary,
            )
            for j, name, _ in judges
        ),
        classes=tuple(
            ClassIn(
                id=c.id,
                code=c.code,
                name=c.name,
                tags=class_tags(c, makes.get(c.id, []), specialties),
                team_min=c.team_min,
                team_max=c.team_max,
                sections=sections.get(c.id, ()),
            )
            for c in classes
        ),
        entries=tuple(
            EntryIn(id=e.id, class_id=e.class_id, entrant_id=e.entrant_id, number=str(e.car_number or ""))
            for e in entries
        ),
        conflicts=tuple(
            ConflictIn(
                judge_id=c.judge_id, entry_id=c.entry_id, entrant_id=c.entrant_id, class_id=c.class_id, reason=c.reason
            )
            for c in conflicts
            if c.entry_id is not None or c.entrant_id is not None or c.class_id is not None
        ),
        judge_entrants={j.id: entrant_id for j, _, entrant_id in judges if entrant_id is not None},
    )
    return Loaded(
        inputs=inputs,
        judge_names={j.id: name for j, name, _ in judges},
        judge_user={j.id: j.user_id for j, _, _ in judges},
        class_codes={c.id: c.code for c in classes},
        classes={c.id: c for c in classes},
        car_numbers={e.id: str(e.car_number or e.id) for e in entries},
        conflict_reasons={(c.judge_id, c.class_id): c.reason for c in conflicts if c.class_id is not None},
    )


def fingerprint(plan: Plan) -> str:
    """A short digest of a plan: the confirmation applies exactly the plan the organizer saw."""
    parts = [
        sorted((c, tuple(t)) for c, t in plan.teams.items()),
        sorted((e, tuple(j)) for e, j in plan.entries.items()),
        sorted((c, sorted((j, tuple(s)) for j, s in m.items())) for c, m in plan.sections.items()),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def humanize(message: object, loaded: Loaded) -> str:
    """A domain sentence (:class:`~concours.domain.messages.Message`) in the reader's language, judges named
    ("judge 12" → "judge Ann Smith"); any other text as it is. Starts with a capital."""
    text = localize(message, lambda judge_id: loaded.judge_names.get(judge_id, str(judge_id)))
    return text[:1].upper() + text[1:]


@dataclass
class Proposal:
    """The automatic plan shown for confirmation, or why there is none."""

    plan: Plan | None
    reasons: list[str]
    token: str = ""


async def propose(session: AsyncSession, event: Event) -> tuple[Proposal, Loaded]:
    loaded = await load_input(session, event)
    try:
        plan = solve(loaded.inputs)
    except AssignmentInfeasible as exc:
        return Proposal(None, [humanize(r, loaded) for r in exc.reasons]), loaded
    except ValueError as exc:  # an input the solver refuses (e.g. a judge with an unknown rank)
        return Proposal(None, [humanize(exc.args[0] if exc.args else str(exc), loaded)]), loaded
    return Proposal(plan, [], fingerprint(plan)), loaded


async def _sheets_exist(session: AsyncSession, event: Event) -> bool:
    n = await session.scalar(
        select(func.count())
        .select_from(ScoreSheet)
        .join(Entry, Entry.id == ScoreSheet.entry_id)
        .where(Entry.event_id == event.id, ScoreSheet.calibration.is_(False))
    )
    return bool(n)


async def apply_plan(session: AsyncSession, viewer: Viewer, event: Event, token: str) -> Plan:
    """Write the automatic plan the organizer confirmed, replacing every team and assignment of the event."""
    if await _sheets_exist(session, event):
        raise ConflictError(
            gettext(
                "Judging has started (score sheets exist): the automatic plan would replace the teams that wrote "
                "them. Adjust the teams by hand on the board instead."
            )
        )
    proposal, loaded = await propose(session, event)
    if proposal.plan is None:
        raise ConflictError(gettext("No valid assignment exists:") + " " + " ".join(proposal.reasons))
    if proposal.token != token:
        raise ConflictError(
            gettext(
                "The judges, classes, cars or conflicts changed since this plan was shown; review the new plan "
                "and confirm it again."
            )
        )
    plan = proposal.plan
    before = await _current_teams(session, event)
    await _write(session, event, plan, loaded, replace_all=True)
    audit.record_change(
        session,
        entity_type="event",
        entity_id=event.id,
        action="assignment_apply",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"teams": {str(k): v for k, v in before.items()}},
        after={"teams": {str(k): list(v) for k, v in plan.teams.items()}, "fingerprint": token},
    )
    return plan


async def _current_teams(session: AsyncSession, event: Event) -> dict[int, list[int]]:
    """class id → judge ids, captain first, then by rank (highest first) and id."""
    rows = (
        await session.execute(
            select(Team.class_id, TeamMember.judge_id, TeamMember.is_captain, Judge.rank)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .join(Judge, Judge.id == TeamMember.judge_id)
            .where(Team.event_id == event.id)
        )
    ).all()
    teams: dict[int, list[tuple[bool, int, int]]] = {}
    for r in rows:
        teams.setdefault(r.class_id, []).append((not r.is_captain, -_RANK.get(r.rank, 1), r.judge_id))
    return {cid: [m[2] for m in sorted(ms)] for cid, ms in teams.items() if ms}


async def _current_sections(session: AsyncSession, event: Event) -> dict[int, dict[int, tuple[str, ...]]]:
    rows = (
        await session.execute(
            select(Team.class_id, TeamMember.judge_id, TeamMember.sections)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.event_id == event.id)
        )
    ).all()
    out: dict[int, dict[int, tuple[str, ...]]] = {}
    for r in rows:
        if r.sections:
            out.setdefault(r.class_id, {})[r.judge_id] = tuple(r.sections)
    return out


def _with_entry(c: ConflictIn, e: EntryIn) -> bool:
    return c.entry_id == e.id or c.entrant_id == e.entrant_id


def build_plan(
    inputs: AssignmentInput,
    teams: Mapping[int, list[int]],
    sections: Mapping[int, Mapping[int, tuple[str, ...]]] | None = None,
) -> Plan:
    """A plan from teams as they are (captain first): each car's judges are the team minus conflicted members;
    in section classes, ``sections`` (or an even share) says who owns what, and a conflicted owner's sections of
    a car go to the teammate with the fewest on it."""
    specs = {c.id: c for c in inputs.classes}
    by_judge: dict[int, list[ConflictIn]] = {}
    for c in inputs.conflicts:
        by_judge.setdefault(c.judge_id, []).append(c)
    entries: dict[int, tuple[int, ...]] = {}
    entry_sections: dict[int, dict[str, int]] = {}
    plan_sections: dict[int, dict[int, tuple[str, ...]]] = {}
    load = {j.id: 0 for j in inputs.judges}
    for cid, team in teams.items():
        spec = specs.get(cid)
        if spec is not None and spec.sections and team:
            given = (sections or {}).get(cid, {})
            owned_once = sorted(s for j in team for s in given.get(j, ())) == sorted(spec.sections)
            if owned_once and not set(given) - set(team):
                plan_sections[cid] = {j: tuple(given.get(j, ())) for j in team}
            else:
                share: dict[int, list[str]] = {j: [] for j in team}
                for i, s in enumerate(spec.sections):
                    share[team[i % len(team)]].append(s)
                plan_sections[cid] = {j: tuple(s) for j, s in share.items()}
    for e in inputs.entries:
        car_team = teams.get(e.class_id)
        if not car_team:
            continue
        judging = tuple(j for j in car_team if not any(_with_entry(c, e) for c in by_judge.get(j, ())))
        entries[e.id] = judging
        for j in judging:
            if j in load:
                load[j] += 1
        owned = plan_sections.get(e.class_id)
        if owned and judging:
            per_car: dict[str, int] = {}
            count = {j: 0 for j in judging}
            for j in team:
                for s in owned.get(j, ()):
                    if j in count:
                        per_car[s] = j
                        count[j] += 1
            for j in team:
                for s in owned.get(j, ()):
                    if j not in count:
                        sub = min(judging, key=lambda x: (count[x], judging.index(x)))
                        per_car[s] = sub
                        count[sub] += 1
            entry_sections[e.id] = per_car
    return Plan(
        teams={c: tuple(t) for c, t in teams.items() if t},
        entries=entries,
        sections=plan_sections,
        entry_sections=entry_sections,
        load=load,
    )


async def _write(
    session: AsyncSession,
    event: Event,
    plan: Plan,
    loaded: Loaded,
    *,
    replace_all: bool,
    class_ids: Iterable[int] = (),
) -> None:
    """Write teams (members, captain, sections) and assignment rows for the plan's classes (or ``class_ids``)."""
    affected = set(loaded.classes) if replace_all else set(class_ids)
    team_rows = {
        t.class_id: t
        for t in (
            await session.scalars(select(Team).where(Team.event_id == event.id, Team.class_id.in_(affected)))
        ).all()
    }
    if team_rows:
        await session.execute(delete(TeamMember).where(TeamMember.team_id.in_([t.id for t in team_rows.values()])))
    entry_ids = [e.id for e in loaded.inputs.entries if e.class_id in affected]
    if replace_all:
        await session.execute(delete(Assignment).where(Assignment.event_id == event.id))
    elif entry_ids:
        await session.execute(delete(Assignment).where(Assignment.entry_id.in_(entry_ids)))
    for cid in sorted(affected):
        team = plan.teams.get(cid)
        row = team_rows.get(cid)
        if not team:
            if row is not None and replace_all:
                await session.delete(row)
            continue
        if row is None:
            row = Team(event_id=event.id, class_id=cid, name=f"Class {loaded.class_codes.get(cid, cid)}")
            session.add(row)
            await session.flush()
        owned = plan.sections.get(cid, {})
        for i, jid in enumerate(team):
            session.add(TeamMember(team_id=row.id, judge_id=jid, is_captain=i == 0, sections=list(owned.get(jid, ()))))
    for e in loaded.inputs.entries:
        if e.class_id not in affected:
            continue
        per_car = plan.entry_sections.get(e.id, {})
        for jid in plan.entries.get(e.id, ()):
            session.add(
                Assignment(
                    event_id=event.id,
                    judge_id=jid,
                    entry_id=e.id,
                    sections=[s for s, j in per_car.items() if j == jid],
                )
            )
    await session.flush()


# ---------------------------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------------------------


@dataclass
class BoardJudge:
    id: int
    name: str
    rank: str
    honorary: bool
    specialties: list[str]
    load: int
    matches: list[str]
    conflicts: list[str]
    is_captain: bool = False
    sections: tuple[str, ...] = ()
    class_id: int | None = None


@dataclass
class BoardClass:
    id: int
    code: str
    name: str
    team_min: int
    team_max: int
    cars: int
    members: list[BoardJudge]
    problems: list[str]


@dataclass
class Board:
    classes: list[BoardClass]
    unassigned: list[BoardJudge]
    problems: list[str]
    judges: list[BoardJudge]


async def board(session: AsyncSession, event: Event) -> tuple[Board, Loaded]:
    """The teams as they are, each judge's load, specialties and conflicts, and every rule the teams break."""
    loaded = await load_input(session, event)
    teams = await _current_teams(session, event)
    plan = build_plan(loaded.inputs, teams, await _current_sections(session, event))
    broken = violations(plan, loaded.inputs)
    problems = [humanize(v, loaded) for v in broken]
    specs = {c.id: c for c in loaded.inputs.classes}
    cars_in: dict[int, int] = {}
    for e in loaded.inputs.entries:
        cars_in[e.class_id] = cars_in.get(e.class_id, 0) + 1
    cars = {e.id: e for e in loaded.inputs.entries}
    conflicts: dict[int, list[str]] = {}
    for c in loaded.inputs.conflicts:
        if c.class_id is not None:
            what = gettext("class %(code)s", code=loaded.class_codes.get(c.class_id, "?"))
        elif c.entry_id is not None:
            what = (
                gettext("car %(number)s", number=loaded.car_numbers.get(c.entry_id, "?"))
                if c.entry_id in cars
                else gettext("a car not in judging")
            )
        else:
            nums = sorted(loaded.car_numbers[e.id] for e in loaded.inputs.entries if e.entrant_id == c.entrant_id)
            what = (
                ngettext("owner of car %(cars)s", "owner of cars %(cars)s", len(nums), cars=", ".join(nums))
                if nums
                else gettext("an owner")
            )
        conflicts.setdefault(c.judge_id, []).append(f"{what}: {c.reason}" if c.reason else what)
    for jid, entrant in loaded.inputs.judge_entrants.items():
        own = [e for e in loaded.inputs.entries if e.entrant_id == entrant]
        for e in own:
            conflicts.setdefault(jid, []).append(
                gettext(
                    "own car %(number)s in class %(code)s",
                    number=loaded.car_numbers[e.id],
                    code=loaded.class_codes.get(e.class_id, "?"),
                )
            )
    seat = {j: (cid, i) for cid, t in teams.items() for i, j in enumerate(t)}
    people: dict[int, BoardJudge] = {}
    for j in sorted(loaded.inputs.judges, key=lambda j: (-_RANK[j.rank], j.name.lower(), j.id)):
        cid, pos = seat.get(j.id, (None, -1))
        tags = specs[cid].tags if cid in specs else frozenset()
        people[j.id] = BoardJudge(
            id=j.id,
            name=j.name,
            rank=j.rank,
            honorary=j.honorary,
            specialties=sorted(j.specialties),
            load=plan.load.get(j.id, 0),
            matches=sorted(j.specialties & tags),
            conflicts=conflicts.get(j.id, []),
            is_captain=pos == 0,
            sections=plan.sections.get(cid, {}).get(j.id, ()) if cid is not None else (),
            class_id=cid,
        )
    out = []
    for cid, cls in loaded.classes.items():
        code = cls.code
        mine = [humanize(v, loaded) for v in broken if isinstance(v, Message) and v.mentions("code", code)]
        out.append(
            BoardClass(
                id=cid,
                code=code,
                name=cls.name,
                team_min=cls.team_min,
                team_max=cls.team_max,
                cars=cars_in.get(cid, 0),
                members=[people[j] for j in teams.get(cid, []) if j in people],
                problems=mine,
            )
        )
    unassigned = [p for p in people.values() if p.class_id is None]
    return Board(out, unassigned, problems, list(people.values())), loaded


async def _judge_and_class(
    session: AsyncSession, event: Event, loaded: Loaded, judge_id: int, class_id: int | None
) -> None:
    if judge_id not in loaded.judge_names:
        raise NotFound(
            gettext("There is no such judge on this event's roster (judges join it by accepting the invitation).")
        )
    if class_id is not None and class_id not in loaded.classes:
        raise NotFound(gettext("There is no such class at this event."))


async def change_team(
    session: AsyncSession,
    viewer: Viewer,
    event: Event,
    *,
    judge_id: int,
    class_id: int | None,
    captain: bool = False,
    device: str = "",
) -> str:
    """Move a judge to a class team (``class_id``), off every team (``None``), or make them captain of their
    team (``captain``). Refused with the reason when it would break a rule the teams keep now; returns what
    was done, as a sentence."""
    loaded = await load_input(session, event)
    await _judge_and_class(session, event, loaded, judge_id, class_id)
    teams = await _current_teams(session, event)
    old_sections = await _current_sections(session, event)
    name = loaded.judge_names[judge_id]
    judge = next(j for j in loaded.inputs.judges if j.id == judge_id)
    current = next((cid for cid, t in teams.items() if judge_id in t), None)
    after = {cid: list(t) for cid, t in teams.items()}
    if captain:
        if current is None:
            raise ConflictError(gettext("%(name)s is not on a team: put them on a class team first.", name=name))
        team = after[current]
        team.remove(judge_id)
        team.insert(0, judge_id)
        done = gettext("%(name)s is now captain of class %(code)s.", name=name, code=loaded.class_codes[current])
        changed = {current}
    else:
        if class_id == current:
            if class_id is None:
                return gettext("%(name)s is already on no team.", name=name)
            return gettext("%(name)s is already on that team.", name=name)
        if class_id is not None:
            code = loaded.class_codes[class_id]
            if judge.honorary:
                raise ConflictError(
                    gettext(
                        "%(name)s is an honorary judge: honorary judges judge elegance and special awards, "
                        "not class teams.",
                        name=name,
                    )
                )
            entrant = loaded.inputs.judge_entrants.get(judge_id)
            own = [e for e in loaded.inputs.entries if e.class_id == class_id and e.entrant_id == entrant]
            if entrant is not None and own:
                raise ConflictError(
                    gettext(
                        "%(name)s has a car entered in class %(code)s (car %(car)s) and cannot be on its team.",
                        name=name,
                        code=code,
                        car=loaded.car_numbers[own[0].id],
                    )
                )
            if (judge_id, class_id) in loaded.conflict_reasons:
                raise ConflictError(
                    gettext(
                        "%(name)s declared a conflict with class %(code)s: %(reason)s",
                        name=name,
                        code=code,
                        reason=loaded.conflict_reasons[judge_id, class_id],
                    )
                )
        if current is not None:
            after[current].remove(judge_id)
        if class_id is not None:
            team = after.setdefault(class_id, [])
            team.append(judge_id)
        changed = {c for c in (current, class_id) if c is not None}
        for cid in changed:  # the most senior member captains a changed team unless its captain still is
            team = after.get(cid, [])
            if team and _RANK[_rank(loaded, team[0])] < max(_RANK[_rank(loaded, j)] for j in team):
                best = min(team, key=lambda j: (-_RANK[_rank(loaded, j)], team.index(j)))
                team.remove(best)
                team.insert(0, best)
        if class_id is None:
            done = gettext("%(name)s is off the class %(code)s team.", name=name, code=loaded.class_codes[current or 0])
        else:
            done = gettext("%(name)s is on the class %(code)s team.", name=name, code=loaded.class_codes[class_id])
    sections = {cid: s for cid, s in old_sections.items() if cid not in changed or captain}
    before_plan = build_plan(loaded.inputs, teams, old_sections)
    after_plan = build_plan(loaded.inputs, {c: t for c, t in after.items() if t}, sections)
    new = [v for v in violations(after_plan, loaded.inputs) if v not in set(violations(before_plan, loaded.inputs))]
    if new:
        raise ConflictError(gettext("Refused: %(rules)s.", rules="; ".join(humanize(v, loaded) for v in new)))
    await _write(session, event, after_plan, loaded, replace_all=False, class_ids=changed)
    audit.record_change(
        session,
        entity_type="team",
        entity_id=judge_id,
        action="make_captain" if captain else ("move_judge" if class_id is not None else "remove_judge"),
        user_id=viewer.user_id,
        event_id=event.id,
        before={"class_id": current, "teams": {str(c): teams.get(c, []) for c in changed}},
        after={"class_id": class_id if not captain else current, "teams": {str(c): after.get(c, []) for c in changed}},
        device=device,
    )
    return done


def _rank(loaded: Loaded, judge_id: int) -> str:
    return next(j.rank for j in loaded.inputs.judges if j.id == judge_id)


# ---------------------------------------------------------------------------------------------
# Packets: what each judge judges
# ---------------------------------------------------------------------------------------------


@dataclass
class PacketCar:
    entry_id: int
    number: str
    year: int
    make: str
    model: str
    field_position: str
    owner: str = ""


@dataclass
class PacketJudge:
    judge_id: int
    name: str
    rank: str
    class_code: str
    class_name: str
    class_id: int
    is_captain: bool
    team: list[str]
    sections: list[str]
    cars: list[PacketCar]


async def packets(session: AsyncSession, event: Event, judge_id: int | None = None) -> list[PacketJudge]:
    """For each judge on a team (or one judge): team, class and the cars they judge (their team's accepted cars
    without those they have a conflict with, as ``entry_for_judge`` enforces) — four queries."""
    q = (
        select(TeamMember, Team.class_id, EventClass.code, EventClass.name, User.name, Judge.rank)
        .join(Team, Team.id == TeamMember.team_id)
        .join(EventClass, EventClass.id == Team.class_id)
        .join(Judge, Judge.id == TeamMember.judge_id)
        .join(User, User.id == Judge.user_id)
        .where(Team.event_id == event.id)
        .order_by(EventClass.position, EventClass.id, TeamMember.is_captain.desc(), User.name)
    )
    members = (await session.execute(q)).all()
    class_ids = {m[1] for m in members}
    cars = (
        (
            await session.execute(
                select(Entry, Vehicle)
                .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                .where(Entry.class_id.in_(class_ids), Entry.status == "accepted")
                .order_by(Entry.car_number, Entry.id)
            )
        ).all()
        if class_ids
        else []
    )
    conflicts = (await session.scalars(select(Conflict).where(Conflict.event_id == event.id, conflict_binds()))).all()
    team_names: dict[int, list[str]] = {}
    for m in members:
        team_names.setdefault(m[1], []).append(m[4] + (" (captain)" if m[0].is_captain else ""))
    out = []
    for member, cid, code, cname, name, rank in members:
        if judge_id is not None and member.judge_id != judge_id:
            continue
        mine = [c for c in conflicts if c.judge_id == member.judge_id]
        judged = [
            PacketCar(e.id, str(e.car_number or ""), v.year, v.make, v.model, e.field_position)
            for e, v in cars
            if e.class_id == cid
            and not any(c.entry_id == e.id or c.entrant_id == e.entrant_id or c.class_id == e.class_id for c in mine)
        ]
        out.append(
            PacketJudge(
                member.judge_id,
                name,
                rank,
                code,
                cname,
                cid,
                member.is_captain,
                team_names.get(cid, []),
                list(member.sections or []),
                judged,
            )
        )
    return out
