"""Judge assignment: a team of judges for every class, the judges of every car, sections per judge.

Pure and deterministic: the same input gives the same :class:`Plan` whatever order its tuples are in
(everything is sorted by id; nothing is random). No I/O; the service loads the event, calls
:func:`solve`, and saves the plan or shows :attr:`AssignmentInfeasible.reasons` to the organizer.

Rules every plan satisfies (:func:`violations` checks a plan against them, also a hand-edited one):

- every class with at least one entry has a team of ``team_min..team_max`` judges; a class without
  entries gets no team (a note says so);
- a judge is on at most one team per judging session (``ClassIn.session``), and only in sessions
  they are available for (``JudgeIn.sessions``, empty = all);
- honorary judges are never on class teams (they judge elegance and special awards separately);
- automatic conflicts: a judge who is also an entrant (``AssignmentInput.judge_entrants``) is never
  on the team of a class where they have a car, so never on their own car;
- declared conflicts: with a class (or with every car of it), the judge is not on its team; with a car or an owner
  (entrant), the judge may be on the class team but does **not** judge that car (or that owner's
  cars): the car is left out of their list, their load and, in section judging, their sections of
  that car go to a teammate. Every car must still get at least ``team_min`` judges without a
  conflict: the solver prefers conflict-free judges, adds a member (up to ``team_max``) when a
  conflict would leave a car short, and otherwise explains why it cannot;
- an apprentice is always on a team with a senior or master, and every car an apprentice judges is
  also judged by a senior or master of that team;
- the captain (first judge of a team) has the team's highest rank;
- section judging (``ClassIn.sections``): each section is owned by exactly one team member, the
  counts per member differ by at most one; per car, a section whose owner is conflicted with that
  car is scored by the teammate with the fewest sections on it.

Preferences (not guaranteed, optimised): judges whose specialties match the class's tags, a senior
or master on every team, at most one apprentice per team, team sizes spread evenly (with
``fill_teams`` every available judge is used up to each team's maximum), and across sessions the
judges with most cars so far get the smaller classes.

When no valid plan exists, :class:`AssignmentInfeasible` lists every reason found, as sentences that
name class codes, cars and numbers. A partial plan is never returned.

How: per session (in ``AssignmentInput.session_order``, then by name), exact pre-checks that give
the reasons (per class, per car, the session's total, apprentices against seniors, and a Hall-type
check over sets of classes from a bipartite matching); then an augmenting-path matching that fills
every team to its minimum with conflict-free judges who are not apprentices (fewest candidates
first, best score first); if that falls short, the same with apprentices on teams anchored by a
senior or master; if that falls short too, a bounded exact search that may use anything the rules
allow (its budget is never reached on shows of realistic shape; if it were, the reasons say so).
Then extra members up to the maximum (for a section class, no more members than sections) and a
local search of swaps that raises the score without breaking a rule. The plan is checked with
:func:`violations` before it is returned.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from concours.domain.messages import JudgeRef, Listing, Message, N_p
from concours.i18n import N_

RANKS = ("apprentice", "judge", "senior", "master")
_RANK = {name: i for i, name in enumerate(RANKS)}
_APPRENTICE, _SENIOR = 0, 2  # rank indexes: apprentice; senior and above

# Score weights (integers, so the result never depends on float rounding).
SPECIALTY_MATCH = 60  # the judge has at least one of the class's tags
SPECIALTY_EXTRA = 15  # each further matching tag
CONFLICTED_CAR = 200  # per car of the class the judge must sit out
SENIOR_ON_TEAM = 40  # the team has a senior or master
EXTRA_APPRENTICE = 30  # per apprentice beyond the first on a team
LOAD_WEIGHT = 4  # times (cars judged in earlier sessions) x (cars in the class): twice the marginal sum of squares

SEARCH_BUDGET = 50_000  # steps of the exact search before it gives up


# ----------------------------------------------------------------------------------------------
# Input and output
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgeIn:
    """A judge on the event's roster. ``sessions`` empty means available in every session."""

    id: int
    name: str
    rank: str = "judge"
    specialties: frozenset[str] = frozenset()
    honorary: bool = False
    sessions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClassIn:
    """A class to staff: its tags are matched against judges' specialties (lower case)."""

    id: int
    code: str
    name: str = ""
    tags: frozenset[str] = frozenset()
    team_min: int = 2
    team_max: int = 4
    session: str = "main"
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryIn:
    """An accepted entry (a car) in a class; ``number`` is the car number used in messages."""

    id: int
    class_id: int
    entrant_id: int
    number: str = ""


@dataclass(frozen=True)
class ConflictIn:
    """A declared conflict of a judge with one car, every car of one owner, or a whole class."""

    judge_id: int
    entry_id: int | None = None
    entrant_id: int | None = None
    class_id: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class AssignmentInput:
    """Everything the solver needs. ``judge_entrants`` maps a judge who is also an entrant to that entrant.

    Conflicts naming entries, owners, classes or judges not in the input have no effect (a withdrawn
    car, a judge not on this event's roster). ``fill_teams`` adds every available judge to a team, up
    to each team's maximum (otherwise teams stay at their minimum unless a conflict needs more).
    Sessions are solved in ``session_order``, then the others by name; each session's solve knows
    the cars every judge got in the sessions before it.
    """

    judges: tuple[JudgeIn, ...]
    classes: tuple[ClassIn, ...]
    entries: tuple[EntryIn, ...]
    conflicts: tuple[ConflictIn, ...] = ()
    judge_entrants: Mapping[int, int] = field(default_factory=dict)
    fill_teams: bool = True
    session_order: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A complete assignment.

    - ``teams``: class id → judge ids, captain first (highest rank), then by rank and id;
    - ``entries``: entry id → the judges who score that car (team order, conflicted members left out);
    - ``sections``: class id → judge id → sections owned (only classes judged by sections);
    - ``entry_sections``: entry id → section → the judge who scores it on that car (section classes);
    - ``load``: judge id → number of cars they judge (every judge of the input, 0 when idle);
    - ``unassigned``: non-honorary judges on no team; ``notes``: facts the organizer should see.
    """

    teams: Mapping[int, tuple[int, ...]]
    entries: Mapping[int, tuple[int, ...]]
    sections: Mapping[int, Mapping[int, tuple[str, ...]]]
    entry_sections: Mapping[int, Mapping[str, int]]
    load: Mapping[int, int]
    unassigned: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    def captain(self, class_id: int) -> int:
        """The captain of a class's team (its first judge)."""
        return self.teams[class_id][0]


class AssignmentInfeasible(Exception):
    """No valid plan exists (or none was found); ``reasons`` says why, one sentence each."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons) or ["No valid assignment exists."]
        super().__init__(" ".join(self.reasons))


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------


def _judges(count: int) -> Message:
    return Message.counted(N_p("%(num)s judge", "%(num)s judges"), count)


def _car(entry: EntryIn) -> Message:
    return (
        Message(N_("car %(number)s"), number=entry.number) if entry.number else Message(N_("entry %(id)s"), id=entry.id)
    )


class _OutOfBudget(Exception):
    pass


class _Conflicts:
    """Declared and automatic conflicts, indexed for lookups."""

    def __init__(self, inputs: AssignmentInput) -> None:
        self.entries: dict[int, set[int]] = {}
        self.entrants: dict[int, set[int]] = {}
        self.classes: dict[int, set[int]] = {}
        self.reason: dict[tuple[int, str, int], str] = {}
        for c in inputs.conflicts:
            if c.entry_id is None and c.entrant_id is None and c.class_id is None:
                raise ValueError(
                    Message(N_("conflict of judge %(judge)s names no car, owner or class"), judge=JudgeRef(c.judge_id))
                )
            for kind, target, index in (
                ("entry", c.entry_id, self.entries),
                ("entrant", c.entrant_id, self.entrants),
                ("class", c.class_id, self.classes),
            ):
                if target is not None:
                    index.setdefault(c.judge_id, set()).add(target)
                    self.reason.setdefault((c.judge_id, kind, target), c.reason)
        self.own = dict(inputs.judge_entrants)

    def with_class(self, judge_id: int, class_id: int) -> bool:
        return class_id in self.classes.get(judge_id, ())

    def owns_in(self, judge_id: int, entries: Iterable[EntryIn]) -> bool:
        own = self.own.get(judge_id)
        return own is not None and any(e.entrant_id == own for e in entries)

    def with_entry(self, judge_id: int, entry: EntryIn) -> bool:
        return entry.id in self.entries.get(judge_id, ()) or entry.entrant_id in self.entrants.get(judge_id, ())

    def why(self, judge_id: int, entry: EntryIn) -> str:
        return self.reason.get((judge_id, "entry", entry.id)) or self.reason.get(
            (judge_id, "entrant", entry.entrant_id), ""
        )


@dataclass
class _Class:
    """A class with entries, prepared for one session's solve."""

    spec: ClassIn
    entries: tuple[EntryIn, ...]
    elig: tuple[int, ...] = ()  # judges allowed on the team, by id
    conflicted: dict[int, frozenset[int]] = field(default_factory=dict)  # eligible judge -> cars to sit out
    pair: dict[int, int] = field(default_factory=dict)  # eligible judge -> pair score
    own_car: int = 0  # available judges excluded because they have a car in the class
    declared: int = 0  # ... because they declared a conflict with the class
    all_cars: int = 0  # ... because they are conflicted with every car of the class

    @property
    def id(self) -> int:
        return self.spec.id

    @property
    def cap(self) -> int:
        """The size extra members stop at: the maximum, or one member per section when judged by sections."""
        if self.spec.sections:
            return min(self.spec.team_max, max(self.spec.team_min, len(self.spec.sections)))
        return self.spec.team_max

    def clean(self, judge_id: int) -> bool:
        return judge_id not in self.conflicted


# ----------------------------------------------------------------------------------------------
# The solver
# ----------------------------------------------------------------------------------------------


class _Solver:
    def __init__(self, inputs: AssignmentInput) -> None:
        self.inputs = inputs
        self.judges = {j.id: j for j in sorted(inputs.judges, key=lambda j: j.id)}
        if len(self.judges) != len(inputs.judges):
            raise ValueError("duplicate judge ids")
        for j in self.judges.values():
            if j.rank not in _RANK:
                raise ValueError(
                    Message(
                        N_("judge %(judge)s has unknown rank %(rank)s; expected one of %(ranks)s"),
                        judge=JudgeRef(j.id),
                        rank=repr(j.rank),
                        ranks=", ".join(RANKS),
                    )
                )
        self.rank = {jid: _RANK[j.rank] for jid, j in self.judges.items()}
        classes = sorted(inputs.classes, key=lambda c: c.id)
        if len({c.id for c in classes}) != len(classes):
            raise ValueError("duplicate class ids")
        by_class: dict[int, list[EntryIn]] = {c.id: [] for c in classes}
        entries = sorted(inputs.entries, key=lambda e: e.id)
        if len({e.id for e in entries}) != len(entries):
            raise ValueError("duplicate entry ids")
        for e in entries:
            if e.class_id not in by_class:
                raise ValueError(
                    Message(N_("entry %(id)s is in unknown class %(class_id)s"), id=e.id, class_id=e.class_id)
                )
            by_class[e.class_id].append(e)
        self.specs = classes
        self.entries = entries
        self.by_class = {cid: tuple(es) for cid, es in by_class.items()}
        self.conf = _Conflicts(inputs)
        named = {c.session for c in classes}
        first = [s for s in dict.fromkeys(inputs.session_order) if s in named]
        self.sessions = first + sorted(named - set(first))
        self.multi = len(self.sessions) > 1
        self.load: dict[int, int] = dict.fromkeys(self.judges, 0)
        self.reasons: list[str] = []
        self.notes: list[str] = []
        self.teams: dict[int, list[int]] = {}
        self.cls: dict[int, _Class] = {}

    # -- input and scores ----------------------------------------------------------------------

    def _in(self, session: str) -> str:
        return Message(N_(" in session %(session)s"), session=session) if self.multi else ""

    def _available(self, session: str) -> list[int]:
        return [jid for jid, j in self.judges.items() if not j.honorary and (not j.sessions or session in j.sessions)]

    def _prepare(self, spec: ClassIn, available: list[int]) -> _Class:
        c = _Class(spec, self.by_class[spec.id])
        elig: list[int] = []
        n_cars = len(c.entries)
        for jid in available:
            if self.conf.with_class(jid, spec.id):
                c.declared += 1
                continue
            if self.conf.owns_in(jid, c.entries):
                c.own_car += 1
                continue
            cars = frozenset(e.id for e in c.entries if self.conf.with_entry(jid, e))
            if len(cars) == n_cars:
                c.all_cars += 1
                continue
            elig.append(jid)
            if cars:
                c.conflicted[jid] = cars
            c.pair[jid] = self._pair_score(jid, c, len(cars))
        c.elig = tuple(elig)
        return c

    def _pair_score(self, jid: int, c: _Class, conflicted_cars: int) -> int:
        judge = self.judges[jid]
        matches = len(judge.specialties & c.spec.tags)
        score = SPECIALTY_MATCH + SPECIALTY_EXTRA * (matches - 1) if matches else 0
        score -= CONFLICTED_CAR * conflicted_cars
        score -= LOAD_WEIGHT * self.load[jid] * len(c.entries)
        return score

    def _bonus(self, members: Iterable[int]) -> int:
        seniors = apprentices = 0
        for m in members:
            r = self.rank[m]
            seniors += r >= _SENIOR
            apprentices += r == _APPRENTICE
        return (SENIOR_ON_TEAM if seniors else 0) - EXTRA_APPRENTICE * max(0, apprentices - 1)

    def _score(self, c: _Class, members: Sequence[int]) -> int:
        return sum(c.pair[m] for m in members) + self._bonus(members)

    def _team_ok(self, c: _Class, members: Sequence[int]) -> bool:
        """Size, coverage of every car, and the apprentice rule (members are assumed eligible)."""
        n = len(members)
        tmin = c.spec.team_min
        if n < tmin or n > c.spec.team_max:
            return False
        rank = self.rank
        has_app = any(rank[m] == _APPRENTICE for m in members)
        partial = [m for m in members if m in c.conflicted]
        if not has_app and not partial:
            return True
        if has_app and not any(rank[m] >= _SENIOR for m in members):
            return False
        if n - len(partial) >= tmin and not (has_app and partial):
            # Enough conflict-free members cover every car; and with apprentices but nobody sitting
            # a car out, the team's senior or master judges every car the apprentices judge.
            return True
        conflicted = c.conflicted
        for e in c.entries:
            judging = [m for m in members if e.id not in conflicted.get(m, ())]
            if len(judging) < tmin:
                return False
            if any(rank[m] == _APPRENTICE for m in judging) and not any(rank[m] >= _SENIOR for m in judging):
                return False
        return True

    # -- pre-checks ----------------------------------------------------------------------------

    def _precheck(self, session: str, classes: list[_Class], available: list[int]) -> list[str]:
        reasons: list[str] = []
        where = self._in(session)
        for c in classes:
            code, tmin, tmax = c.spec.code, c.spec.team_min, c.spec.team_max
            if tmin < 1:
                reasons.append(
                    Message(
                        N_("Class %(code)s has a team minimum of %(min)s; every team needs at least 1 judge."),
                        code=code,
                        min=tmin,
                    )
                )
                continue
            if tmax < tmin:
                reasons.append(
                    Message(
                        N_("Class %(code)s has a team minimum of %(min)s but a maximum of %(max)s."),
                        code=code,
                        min=tmin,
                        max=tmax,
                    )
                )
                continue
            if len(c.elig) < tmin:
                why: list[Message] = []
                if c.own_car:
                    why.append(
                        Message.counted(
                            N_p("%(num)s has a car entered in it", "%(num)s have a car entered in it"), c.own_car
                        )
                    )
                if c.declared:
                    why.append(Message(N_("%(num)s declared a conflict with the class"), num=c.declared))
                if c.all_cars:
                    why.append(
                        Message.counted(
                            N_p(
                                "%(num)s is in conflict with every car in it",
                                "%(num)s are in conflict with every car in it",
                            ),
                            c.all_cars,
                        )
                    )
                reasons.append(
                    Message.counted(
                        N_p(
                            "Class %(code)s needs %(judges)s%(where)s; only %(num)s of the %(available)s has no "
                            "conflict with it%(detail)s.",
                            "Class %(code)s needs %(judges)s%(where)s; only %(num)s of the %(available)s have no "
                            "conflict with it%(detail)s.",
                        ),
                        len(c.elig),
                        code=code,
                        judges=_judges(tmin),
                        where=where,
                        available=Message.counted(
                            N_p("%(num)s available judge", "%(num)s available judges"), len(available)
                        ),
                        detail=Message(N_(" (%(why)s)"), why=Listing(why)) if why else "",
                    )
                )
                continue
            for e in c.entries:
                free_of = [j for j in c.elig if e.id not in c.conflicted.get(j, ())]
                if len(free_of) < tmin:
                    reasons.append(
                        Message.counted(
                            N_p(
                                "Class %(code)s, %(car)s: needs %(judges)s without a conflict with the car; only "
                                "%(num)s of the class's %(eligible)s has none (the others declared a conflict with "
                                "the car or its owner).",
                                "Class %(code)s, %(car)s: needs %(judges)s without a conflict with the car; only "
                                "%(num)s of the class's %(eligible)s have none (the others declared a conflict with "
                                "the car or its owner).",
                            ),
                            len(free_of),
                            code=code,
                            car=_car(e),
                            judges=_judges(tmin),
                            eligible=Message.counted(
                                N_p("%(num)s eligible judge", "%(num)s eligible judges"), len(c.elig)
                            ),
                        )
                    )
        if any(c.spec.team_min < 1 or c.spec.team_max < c.spec.team_min for c in classes):
            return reasons
        demand = sum(c.spec.team_min for c in classes)
        together = "" if len(classes) == 1 else Message(N_(" together"))
        classes_need = (
            Message.counted(
                N_p("Session %(session)s: its class needs", "Session %(session)s: its %(num)s classes need"),
                len(classes),
                session=session,
            )
            if self.multi
            else Message.counted(N_p("The class needs", "The %(num)s classes need"), len(classes))
        )
        if demand > len(available) and len(classes) > 1:  # for one class, the check above says it
            honorary = sum(1 for j in self.judges.values() if j.honorary and (not j.sessions or session in j.sessions))
            note = (
                Message.counted(
                    N_p(
                        " (%(num)s honorary judge is not placed on class teams)",
                        " (%(num)s honorary judges are not placed on class teams)",
                    ),
                    honorary,
                )
                if honorary
                else ""
            )
            reasons.append(
                Message.counted(
                    N_p(
                        "%(classes_need)s at least %(judges)s%(together)s (the sum of their team minimums), but only "
                        "%(num)s is available%(note)s.",
                        "%(classes_need)s at least %(judges)s%(together)s (the sum of their team minimums), but only "
                        "%(num)s are available%(note)s.",
                    ),
                    len(available),
                    classes_need=classes_need,
                    judges=_judges(demand),
                    together=together,
                    note=note,
                )
            )
            return reasons
        # Apprentices only fill places on teams with a senior or master: at most one anchored team per
        # senior or master, each taking apprentices for the rest of its minimum.
        seniors = sum(1 for j in available if self.rank[j] >= _SENIOR)
        apprentices = sum(1 for j in available if self.rank[j] == _APPRENTICE)
        if apprentices and demand <= len(available):
            anchored = sorted((c.spec.team_min for c in classes), reverse=True)[:seniors]
            places = min(apprentices, sum(m - 1 for m in anchored))
            others = len(available) - apprentices
            if others < demand - places:
                places_of = N_p("%(num)s place", "%(num)s places")
                reasons.append(
                    Message(
                        N_("%(who)s %(fill)s %(left)s"),
                        who=Message.counted(
                            N_p(
                                "%(classes_need)s at least %(judges)s%(together)s, and %(num)s of the %(available)s "
                                "available is an apprentice, who may only join a team with a senior or master:",
                                "%(classes_need)s at least %(judges)s%(together)s, and %(num)s of the %(available)s "
                                "available are apprentices, who may only join a team with a senior or master:",
                            ),
                            apprentices,
                            classes_need=classes_need,
                            judges=_judges(demand),
                            together=together,
                            available=len(available),
                        ),
                        fill=Message(
                            N_(
                                "with %(seniors)s, apprentices can fill at most %(places)s, so %(rest)s must go to "
                                "judges who are not apprentices;"
                            ),
                            seniors=Message.counted(
                                N_p("%(num)s senior or master", "%(num)s seniors and masters"), seniors
                            )
                            if seniors
                            else Message(N_("no senior or master")),
                            places=Message.counted(places_of, places),
                            rest=Message.counted(places_of, demand - places),
                        ),
                        left=Message.counted(N_p("only %(num)s is available.", "only %(num)s are available."), others),
                    )
                )
        if reasons:
            return reasons
        # Hall-type check over sets of classes: a matching of every team minimum ignoring apprentices
        # and single-car conflicts. A failure names a set of classes whose eligible judges are too few.
        _, deficits = self._bmatch(classes, {c.id: list(c.elig) for c in classes})
        seen: set[frozenset[int]] = set()
        for group, judges in deficits:
            if group in seen:
                continue
            seen.add(group)
            members = [self.cls[cid] for cid in sorted(group)]
            need = sum(c.spec.team_min for c in members)
            reasons.append(
                Message.counted(
                    N_p(
                        "Classes %(codes)s need %(need)s together%(where)s (their team minimums); only %(num)s judge "
                        "is eligible for any of them, and a judge is on one team per session.",
                        "Classes %(codes)s need %(need)s together%(where)s (their team minimums); only %(num)s judges "
                        "are eligible for any of them, and a judge is on one team per session.",
                    ),
                    len(judges),
                    codes=Listing(c.spec.code for c in members),
                    need=_judges(need),
                    where=where,
                )
            )
        return reasons

    # -- matching ------------------------------------------------------------------------------

    def _bmatch(
        self,
        classes: list[_Class],
        cand: dict[int, list[int]],
        demand: Mapping[int, int] | None = None,
        start: Mapping[int, list[int]] | None = None,
    ) -> tuple[dict[int, list[int]], list[tuple[frozenset[int], frozenset[int]]]]:
        """Fill every team to its demand (default: its minimum) from ``cand`` by augmenting paths.

        Returns the teams and the deficits. Classes go fewest candidates (per place) first; each takes
        the best-scoring free candidate, preferring a senior or master when the team has none yet.
        When no candidate is free, an augmenting path moves judges between teams (members given in
        ``start`` stay where they are). A class that still lacks a judge comes with the set of classes
        its search reached and their candidates: those classes need more judges than that.
        """
        need = demand if demand is not None else {c.id: c.spec.team_min for c in classes}
        teams: dict[int, list[int]] = {c.id: list(start[c.id]) if start else [] for c in classes}
        owner: dict[int, int] = {j: cid for cid, team in teams.items() for j in team}
        by_id = {c.id: c for c in classes}
        deficits: list[tuple[frozenset[int], frozenset[int]]] = []
        order = sorted(classes, key=lambda c: (len(cand[c.id]) - need[c.id], c.id))
        for c in order:
            while len(teams[c.id]) < need[c.id]:
                lacks_senior = not any(self.rank[m] >= _SENIOR for m in teams[c.id])
                best: tuple[int, int] | None = None
                for j in cand[c.id]:
                    if j in owner:
                        continue
                    s = c.pair[j] + (SENIOR_ON_TEAM if lacks_senior and self.rank[j] >= _SENIOR else 0)
                    if best is None or s > best[0]:
                        best = (s, j)
                if best is not None:
                    teams[c.id].append(best[1])
                    owner[best[1]] = c.id
                    continue
                reached = self._augment(c.id, teams, owner, cand, by_id)
                if reached is not None:
                    if not any(group <= reached for group, _ in deficits):
                        deficits.append((reached, frozenset(j for cid in reached for j in cand[cid])))
                    break
        return teams, deficits

    def _anchored(self, classes: list[_Class]) -> dict[int, list[int]] | None:
        """Teams of conflict-free judges where apprentices join only teams anchored by a senior or master.

        First every class whose minimum is 2 or more gets one senior or master if it can (a maximum
        matching; a team of one gains nothing from apprentices), then the other places go to
        conflict-free judges, apprentices included on anchored teams. None when that falls short.
        """
        seniors = {
            c.id: [j for j in c.elig if c.clean(j) and self.rank[j] >= _SENIOR] if c.spec.team_min > 1 else []
            for c in classes
        }
        demand = {c.id: 1 if c.spec.team_min > 1 else 0 for c in classes}
        anchors, _ = self._bmatch(classes, seniors, demand=demand)
        fixed = {j for team in anchors.values() for j in team}
        cand = {
            c.id: [
                j for j in c.elig if c.clean(j) and j not in fixed and (anchors[c.id] or self.rank[j] != _APPRENTICE)
            ]
            for c in classes
        }
        teams, deficits = self._bmatch(classes, cand, start=anchors)
        return None if deficits else teams

    def _augment(
        self,
        start: int,
        teams: dict[int, list[int]],
        owner: dict[int, int],
        cand: dict[int, list[int]],
        by_id: Mapping[int, _Class],
    ) -> frozenset[int] | None:
        """Give class ``start`` one more judge along an alternating path; None on success, else the reached set."""
        prev: dict[int, tuple[int, int] | None] = {start: None}
        queue = deque([start])
        while queue:
            x = queue.popleft()
            members = set(teams[x])
            for j in sorted(cand[x], key=lambda j: (-by_id[x].pair[j], j)):
                if j in members:
                    continue
                o = owner.get(j)
                if o is None:
                    teams[x].append(j)
                    owner[j] = x
                    while (step := prev[x]) is not None:
                        p, moved = step
                        teams[x].remove(moved)
                        teams[p].append(moved)
                        owner[moved] = p
                        x = p
                    return None
                if o not in prev:
                    prev[o] = (x, j)
                    queue.append(o)
        return frozenset(prev)

    # -- exact search ---------------------------------------------------------------------------

    def _search(self, classes: list[_Class], free: set[int], budget: list[int]) -> dict[int, list[int]] | None:
        """Depth-first search for a valid team for every class; exact unless the budget runs out.

        The class with the least slack goes first; its teams are tried best candidates first. A branch
        is cut as soon as a class left cannot reach its minimum with the judges still free (without a
        free senior or master it cannot use apprentices), or the free judges who are not apprentices
        are too few for all classes left (see the session-wide check in :meth:`_precheck`).
        """
        if not classes:
            return {}
        slack = self._slack(classes, free)
        if slack is None:
            return None
        c = min(classes, key=lambda c: (slack[c.id], c.id))
        rest = [x for x in classes if x is not c]
        cands = sorted((j for j in c.elig if j in free), key=lambda j: (-c.pair[j], j))
        for team in self._minimal_teams(c, cands, budget):
            free.difference_update(team)
            found = self._search(rest, free, budget)
            free.update(team)
            if found is not None:
                found[c.id] = list(team)
                return found
        return None

    def _slack(self, classes: list[_Class], free: set[int]) -> dict[int, int] | None:
        """Free usable candidates minus the minimum, per class; None when some class or the whole is hopeless."""
        rank = self.rank
        slack: dict[int, int] = {}
        for c in classes:
            cands = [j for j in c.elig if j in free]
            if not any(rank[j] >= _SENIOR for j in cands):
                cands = [j for j in cands if rank[j] != _APPRENTICE]
            slack[c.id] = len(cands) - c.spec.team_min
            if slack[c.id] < 0:
                return None
        seniors = sum(1 for j in free if rank[j] >= _SENIOR)
        apprentices = sum(1 for j in free if rank[j] == _APPRENTICE)
        anchored = sorted((c.spec.team_min for c in classes), reverse=True)[:seniors]
        places = min(apprentices, sum(m - 1 for m in anchored))
        if len(free) - apprentices < sum(c.spec.team_min for c in classes) - places:
            return None
        return slack

    def _minimal_teams(self, c: _Class, cands: list[int], budget: list[int]) -> Iterator[tuple[int, ...]]:
        """Every valid team no smaller valid team is part of, best candidates first.

        Any valid team contains such a team, and using fewer judges never hurts another class, so the
        search stays exact while looking at far fewer teams.
        """
        chosen: list[int] = []
        tmin, tmax = c.spec.team_min, c.spec.team_max

        def rec(i: int) -> Iterator[tuple[int, ...]]:
            budget[0] -= 1
            if budget[0] < 0:
                raise _OutOfBudget
            if len(chosen) >= tmin and self._team_ok(c, chosen):
                yield tuple(chosen)
                return
            if len(chosen) == tmax or i == len(cands) or len(chosen) + len(cands) - i < tmin:
                return
            chosen.append(cands[i])
            yield from rec(i + 1)
            chosen.pop()
            yield from rec(i + 1)

        yield from rec(0)

    # -- extra members and improvement ----------------------------------------------------------

    def _fill(self, classes: list[_Class], teams: dict[int, list[int]], free: set[int]) -> None:
        """Add free judges to the smallest teams (then the classes with most cars) up to each cap."""
        open_ = {c.id: c for c in classes if len(teams[c.id]) < c.cap}
        while free and open_:
            c = min(open_.values(), key=lambda c: (len(teams[c.id]), -len(c.entries), c.id))
            team = teams[c.id]
            base = self._score(c, team)
            best: tuple[int, int] | None = None
            for j in sorted(free):
                if j not in c.pair:
                    continue
                new = [*team, j]
                gain = self._score(c, new) - base
                if (best is None or gain > best[0]) and self._team_ok(c, new):
                    best = (gain, j)
            if best is None:
                del open_[c.id]
                continue
            team.append(best[1])
            free.discard(best[1])
            if len(team) >= c.cap:
                del open_[c.id]

    def _improve(self, classes: list[_Class], teams: dict[int, list[int]], free: set[int], passes: int = 4) -> None:
        """Swap judges between teams, or with free judges, while the total score rises.

        The score of a team is the sum of its members' pair scores plus the rank-mix bonus, which only
        depends on how many seniors/masters and apprentices it has, so gains are computed from counts.
        """
        rank = self.rank
        kind = {j: (int(rank[j] >= _SENIOR), int(rank[j] == _APPRENTICE)) for j in rank}

        def bonus(seniors: int, apprentices: int) -> int:
            return (SENIOR_ON_TEAM if seniors else 0) - EXTRA_APPRENTICE * max(0, apprentices - 1)

        counts: dict[int, tuple[int, int]] = {}
        for c in classes:
            members = teams[c.id]
            counts[c.id] = (sum(kind[m][0] for m in members), sum(kind[m][1] for m in members))

        def moved(cnt: tuple[int, int], out: int, into: int) -> tuple[int, int]:
            return cnt[0] - kind[out][0] + kind[into][0], cnt[1] - kind[out][1] + kind[into][1]

        for _ in range(passes):
            improved = False
            for c in classes:
                team_c = teams[c.id]
                for i in range(len(team_c)):
                    a = team_c[i]
                    # a free judge instead of a
                    for b in sorted(free):
                        if b not in c.pair:
                            continue
                        new_cnt = moved(counts[c.id], a, b)
                        gain = c.pair[b] - c.pair[a] + bonus(*new_cnt) - bonus(*counts[c.id])
                        if gain <= 0:
                            continue
                        new = [*team_c[:i], b, *team_c[i + 1 :]]
                        if self._team_ok(c, new):
                            team_c[i] = b
                            counts[c.id] = new_cnt
                            free.discard(b)
                            free.add(a)
                            a = b
                            improved = True
                    # a swap with a judge of another team
                    for d in classes:
                        if d is c or a not in d.pair:
                            continue
                        team_d = teams[d.id]
                        for k, b in enumerate(team_d):
                            if b not in c.pair:
                                continue
                            gain = c.pair[b] + d.pair[a] - c.pair[a] - d.pair[b]
                            if kind[a] != kind[b]:
                                cnt_c, cnt_d = moved(counts[c.id], a, b), moved(counts[d.id], b, a)
                                gain += bonus(*cnt_c) + bonus(*cnt_d) - bonus(*counts[c.id]) - bonus(*counts[d.id])
                            else:
                                cnt_c, cnt_d = counts[c.id], counts[d.id]
                            if gain <= 0:
                                continue
                            new_c = [*team_c[:i], b, *team_c[i + 1 :]]
                            new_d = [*team_d[:k], a, *team_d[k + 1 :]]
                            if self._team_ok(c, new_c) and self._team_ok(d, new_d):
                                team_c[i], team_d[k] = b, a
                                counts[c.id], counts[d.id] = cnt_c, cnt_d
                                a = b
                                improved = True
            if not improved:
                return

    # -- one session -----------------------------------------------------------------------------

    def _solve_session(self, session: str) -> None:
        available = self._available(session)
        classes: list[_Class] = []
        for spec in self.specs:
            if spec.session != session:
                continue
            if not self.by_class[spec.id]:
                self.notes.append(Message(N_("Class %(code)s has no entries; no team was formed."), code=spec.code))
                continue
            c = self._prepare(spec, available)
            self.cls[c.id] = c
            classes.append(c)
        if not classes:
            return
        reasons = self._precheck(session, classes, available)
        if reasons:
            self.reasons.extend(reasons)
            return
        tier1 = {c.id: [j for j in c.elig if c.clean(j) and self.rank[j] != _APPRENTICE] for c in classes}
        teams, deficits = self._bmatch(classes, tier1)
        anchored = self._anchored(classes) if deficits else None
        if anchored is not None:
            teams = anchored
        elif deficits:
            budget = [SEARCH_BUDGET]
            try:
                found = self._search(classes, set(available), budget)
                exhausted = False
            except _OutOfBudget:
                found, exhausted = None, True
            if found is None:
                self.reasons.extend(self._explain(session, deficits, exhausted))
                return
            teams = found
        used = {j for t in teams.values() for j in t}
        free = {j for j in available if j not in used}
        if self.inputs.fill_teams:
            self._fill(classes, teams, free)
        self._improve(classes, teams, free)
        for c in classes:
            self.teams[c.id] = teams[c.id]
            for j in teams[c.id]:
                self.load[j] += len(c.entries) - len(c.conflicted.get(j, ()))

    def _explain(
        self,
        session: str,
        deficits: list[tuple[frozenset[int], frozenset[int]]],
        exhausted: bool,
    ) -> list[str]:
        reasons: list[str] = []
        seen: set[frozenset[int]] = set()
        for group, clean in deficits:
            if group in seen:
                continue
            seen.add(group)
            members = [self.cls[cid] for cid in sorted(group)]
            need = sum(c.spec.team_min for c in members)
            elig = {j for c in members for j in c.elig}
            apprentices = sorted(j for j in elig if self.rank[j] == _APPRENTICE)
            partial = sorted(j for j in elig - set(apprentices) if j not in clean)
            codes = Listing(c.spec.code for c in members)
            one = len(members) == 1
            head = Message.counted(
                N_p(
                    "Class %(codes)s needs %(need)s%(where)s, but only %(num)s of its eligible judges is neither an "
                    "apprentice nor in conflict with one of its cars",
                    "Class %(codes)s needs %(need)s%(where)s, but only %(num)s of its eligible judges are neither an "
                    "apprentice nor in conflict with one of its cars",
                )
                if one
                else N_p(
                    "Classes %(codes)s need %(need)s together%(where)s, but only %(num)s of the judges eligible for "
                    "them is neither an apprentice nor in conflict with one of their cars",
                    "Classes %(codes)s need %(need)s together%(where)s, but only %(num)s of the judges eligible for "
                    "them are neither an apprentice nor in conflict with one of their cars",
                ),
                len(clean),
                codes=codes,
                need=_judges(need),
                where=self._in(session),
            )
            why: list[Message] = []
            if apprentices:
                why.append(
                    Message.counted(
                        N_p(
                            "the eligible apprentice can only join a team with a senior or master who judges the "
                            "same cars",
                            "the %(num)s eligible apprentices can only join a team with a senior or master who "
                            "judges the same cars",
                        ),
                        len(apprentices),
                    )
                )
            if partial:
                why.append(
                    Message(
                        N_(
                            "%(judges)s with a conflict on a car can only join a team that still gives every car its "
                            "minimum of judges without a conflict"
                        ),
                        judges=_judges(len(partial)),
                    )
                )
            tail = (
                Message(N_("; no arrangement was found within the search limit for the other places"))
                if exhausted
                else Message(N_("; the other places cannot be filled"))
            )
            reasons.append(
                Message(N_("%(head)s%(tail)s: %(why)s."), head=head, tail=tail, why=Listing(why))
                if why
                else Message(N_("%(head)s%(tail)s."), head=head, tail=tail)
            )
        return reasons

    # -- the whole problem ---------------------------------------------------------------------------

    def solve(self) -> Plan:
        for session in self.sessions:
            self._solve_session(session)
        if self.reasons:
            raise AssignmentInfeasible(self.reasons)
        return self._plan()

    def _plan(self) -> Plan:
        teams: dict[int, tuple[int, ...]] = {}
        sections: dict[int, dict[int, tuple[str, ...]]] = {}
        entries: dict[int, tuple[int, ...]] = {}
        entry_sections: dict[int, dict[str, int]] = {}
        load: dict[int, int] = dict.fromkeys(self.judges, 0)
        notes = list(self.notes)
        for cid in sorted(self.teams):
            c = self.cls[cid]
            team = tuple(sorted(self.teams[cid], key=lambda j: (-self.rank[j], j)))
            teams[cid] = team
            owned: dict[int, list[str]] = {j: [] for j in team}
            owner_of: dict[str, int] = {}
            if c.spec.sections:
                dealers = sorted(team, key=lambda j: (len(c.conflicted.get(j, ())), team.index(j)))
                for i, s in enumerate(c.spec.sections):
                    owned[dealers[i % len(dealers)]].append(s)
                    owner_of[s] = dealers[i % len(dealers)]
                sections[cid] = {j: tuple(owned[j]) for j in team}
            for e in c.entries:
                judging = tuple(j for j in team if e.id not in c.conflicted.get(j, ()))
                entries[e.id] = judging
                for j in judging:
                    load[j] += 1
                for j in team:
                    if j not in judging:
                        why = self.conf.why(j, e)
                        notes.append(
                            Message(
                                N_("%(name)s is on the class %(code)s team but does not judge %(car)s (%(why)s)."),
                                name=self.judges[j].name,
                                code=c.spec.code,
                                car=_car(e),
                                why=why,
                            )
                            if why
                            else Message(
                                N_(
                                    "%(name)s is on the class %(code)s team but does not judge %(car)s (declared "
                                    "conflict)."
                                ),
                                name=self.judges[j].name,
                                code=c.spec.code,
                                car=_car(e),
                            )
                        )
                if c.spec.sections:
                    per_car: dict[str, int] = {}
                    count = dict.fromkeys(judging, 0)
                    orphans = []
                    for s in c.spec.sections:
                        if owner_of[s] in count:
                            per_car[s] = owner_of[s]
                            count[owner_of[s]] += 1
                        else:
                            orphans.append(s)
                    for s in orphans:
                        sub = min(judging, key=lambda j: (count[j], judging.index(j)))
                        per_car[s] = sub
                        count[sub] += 1
                    entry_sections[e.id] = {s: per_car[s] for s in c.spec.sections}
        on_team = {j for t in teams.values() for j in t}
        unassigned = tuple(jid for jid, j in self.judges.items() if not j.honorary and jid not in on_team)
        return Plan(teams, entries, sections, entry_sections, load, unassigned, tuple(notes))


def solve(inputs: AssignmentInput) -> Plan:
    """Assign judges to class teams, cars and sections; raise :class:`AssignmentInfeasible` with every reason.

    Raises ``ValueError`` for malformed input (duplicate ids, unknown rank, an entry in an unknown class).
    """
    plan = _Solver(inputs).solve()
    problems = violations(plan, inputs)
    if problems:  # pragma: no cover - a solver bug; never hand out a plan that breaks a rule
        raise RuntimeError("assignment solver produced an invalid plan: " + "; ".join(problems))
    return plan


# ----------------------------------------------------------------------------------------------
# The checker
# ----------------------------------------------------------------------------------------------


def violations(plan: Plan, inputs: AssignmentInput) -> list[str]:
    """Every rule ``plan`` breaks for ``inputs`` (empty when the plan is valid).

    Independent of the solver's internals: it works from the raw input, so it can also check a plan
    an organizer edited by hand.
    """
    out: list[str] = []
    M = Message  # noqa: N806 - short, as the sentences are many
    judges = {j.id: j for j in inputs.judges}
    classes = {c.id: c for c in inputs.classes}
    conf = _Conflicts(inputs)
    by_class: dict[int, list[EntryIn]] = {cid: [] for cid in classes}
    for e in sorted(inputs.entries, key=lambda e: e.id):
        by_class.setdefault(e.class_id, []).append(e)
    seat: dict[tuple[int, str], int] = {}
    for cid, team in sorted(plan.teams.items()):
        spec = classes.get(cid)
        if spec is None:
            out.append(M(N_("team for unknown class %(id)s"), id=cid))
            continue
        code = spec.code
        if not by_class[cid]:
            out.append(M(N_("class %(code)s has no entries but has a team"), code=code))
        if len(set(team)) != len(team):
            out.append(M(N_("class %(code)s: a judge is on the team twice"), code=code))
        if not spec.team_min <= len(team) <= spec.team_max:
            out.append(
                M(
                    N_("class %(code)s: team of %(size)s, allowed %(min)s-%(max)s"),
                    code=code,
                    size=len(team),
                    min=spec.team_min,
                    max=spec.team_max,
                )
            )
        for j in team:
            judge = judges.get(j)
            if judge is None:
                out.append(M(N_("class %(code)s: unknown judge %(judge)s"), code=code, judge=JudgeRef(j)))
                continue
            if judge.honorary:
                out.append(
                    M(N_("class %(code)s: honorary judge %(judge)s on a class team"), code=code, judge=JudgeRef(j))
                )
            if judge.sessions and spec.session not in judge.sessions:
                out.append(
                    M(
                        N_("class %(code)s: judge %(judge)s is not available in session %(session)s"),
                        code=code,
                        judge=JudgeRef(j),
                        session=spec.session,
                    )
                )
            if (j, spec.session) in seat:
                out.append(
                    M(
                        N_("judge %(judge)s is on two teams in session %(session)s (classes %(first)s and %(second)s)"),
                        judge=JudgeRef(j),
                        session=spec.session,
                        first=classes[seat[j, spec.session]].code,
                        second=code,
                    )
                )
            seat[j, spec.session] = cid
            if conf.with_class(j, cid):
                out.append(
                    M(
                        N_("class %(code)s: judge %(judge)s declared a conflict with the class"),
                        code=code,
                        judge=JudgeRef(j),
                    )
                )
            if conf.owns_in(j, by_class[cid]):
                out.append(
                    M(N_("class %(code)s: judge %(judge)s has a car in the class"), code=code, judge=JudgeRef(j))
                )
        known = [j for j in team if j in judges]
        ranks = [_RANK[judges[j].rank] for j in known]
        if known and ranks[0] != max(ranks):
            out.append(
                M(
                    N_("class %(code)s: captain %(judge)s is not the most senior member"),
                    code=code,
                    judge=JudgeRef(team[0]),
                )
            )
        if _APPRENTICE in ranks and not any(r >= _SENIOR for r in ranks):
            out.append(M(N_("class %(code)s: an apprentice without a senior or master on the team"), code=code))
        if spec.sections:
            owned = plan.sections.get(cid, {})
            all_owned = [s for j in team for s in owned.get(j, ())]
            if sorted(all_owned) != sorted(spec.sections) or set(owned) - set(team):
                out.append(M(N_("class %(code)s: sections not owned exactly once by team members"), code=code))
            counts = [len(owned.get(j, ())) for j in team]
            if counts and max(counts) - min(counts) > 1:
                out.append(
                    M(N_("class %(code)s: sections not spread evenly (%(counts)s)"), code=code, counts=Listing(counts))
                )
        elif plan.sections.get(cid):
            out.append(M(N_("class %(code)s: sections for a class not judged by sections"), code=code))
    for cid, es in by_class.items():
        if es and cid in classes and cid not in plan.teams:
            out.append(M(N_("class %(code)s has entries but no team"), code=classes[cid].code))
    load: dict[int, int] = dict.fromkeys(judges, 0)
    for e in sorted(inputs.entries, key=lambda e: e.id):
        spec = classes.get(e.class_id)
        class_team = plan.teams.get(e.class_id)
        if spec is None or class_team is None:
            continue
        got = tuple(plan.entries.get(e.id, ()))
        expected = tuple(j for j in class_team if not conf.with_entry(j, e))
        if got != expected:
            out.append(
                M(
                    N_("%(car)s: judged by %(got)s, expected the team minus conflicted members: %(expected)s"),
                    car=_car(e),
                    got=Listing(JudgeRef(j) for j in got),
                    expected=Listing(JudgeRef(j) for j in expected),
                )
            )
        for j in got:
            if j in load:
                load[j] += 1
            if conf.with_entry(j, e):
                out.append(
                    M(
                        N_("%(car)s: judge %(judge)s has a conflict with the car or its owner"),
                        car=_car(e),
                        judge=JudgeRef(j),
                    )
                )
            if conf.own.get(j) == e.entrant_id:
                out.append(M(N_("%(car)s: judge %(judge)s judges their own car"), car=_car(e), judge=JudgeRef(j)))
        if len(got) < spec.team_min:
            out.append(
                M.counted(
                    N_p(
                        "%(car)s: %(num)s judge without a conflict, class %(code)s needs %(min)s",
                        "%(car)s: %(num)s judges without a conflict, class %(code)s needs %(min)s",
                    ),
                    len(got),
                    car=_car(e),
                    code=spec.code,
                    min=spec.team_min,
                )
            )
        ranks = [_RANK[judges[j].rank] for j in got if j in judges]
        if _APPRENTICE in ranks and not any(r >= _SENIOR for r in ranks):
            out.append(M(N_("%(car)s: judged by an apprentice without a senior or master"), car=_car(e)))
        if spec.sections:
            per_car = plan.entry_sections.get(e.id, {})
            if set(per_car) != set(spec.sections) or any(j not in got for j in per_car.values()):
                out.append(M(N_("%(car)s: sections not each scored by one of its judges"), car=_car(e)))
    for e in inputs.entries:
        if e.id in plan.entries and e.class_id not in plan.teams:
            out.append(M(N_("%(car)s: judges listed but its class has no team"), car=_car(e)))
    for j, n in load.items():
        if plan.load.get(j, 0) != n:
            out.append(
                M(
                    N_("judge %(judge)s: load %(load)s but judges %(cars)s cars"),
                    judge=JudgeRef(j),
                    load=plan.load.get(j, 0),
                    cars=n,
                )
            )
    return out
