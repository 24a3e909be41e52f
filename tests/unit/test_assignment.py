"""Judge assignment: worked examples, exact infeasibility messages, and properties on random shows."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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

FAST = settings(max_examples=150, deadline=None)


# ----------------------------------------------------------------------------------------------
# Builders
# ----------------------------------------------------------------------------------------------


def judge(
    jid: int, rank: str = "judge", *specialties: str, honorary: bool = False, sessions: Iterable[str] = ()
) -> JudgeIn:
    return JudgeIn(jid, f"Judge {jid}", rank, frozenset(specialties), honorary, frozenset(sessions))


def klass(
    cid: int, code: str, tmin: int = 2, tmax: int = 3, *tags: str, session: str = "main", sections: Sequence[str] = ()
) -> ClassIn:
    return ClassIn(cid, code, f"Class {code}", frozenset(tags), tmin, tmax, session, tuple(sections))


def cars(class_id: int, *ids: int) -> list[EntryIn]:
    """Entries with the given ids in a class; entrant id = 100 + entry id, car number = entry id."""
    return [EntryIn(i, class_id, 100 + i, str(i)) for i in ids]


def show(
    judges: Sequence[JudgeIn],
    classes: Sequence[ClassIn],
    entries: Sequence[EntryIn],
    conflicts: Sequence[ConflictIn] = (),
    own: dict[int, int] | None = None,
    fill: bool = True,
) -> AssignmentInput:
    return AssignmentInput(tuple(judges), tuple(classes), tuple(entries), tuple(conflicts), own or {}, fill)


def solved(inputs: AssignmentInput) -> Plan:
    plan = solve(inputs)
    assert violations(plan, inputs) == []
    return plan


def reasons(inputs: AssignmentInput) -> list[str]:
    with pytest.raises(AssignmentInfeasible) as info:
        solve(inputs)
    return info.value.reasons


def staff(n: int, rank: str = "judge", start: int = 1) -> list[JudgeIn]:
    return [judge(i, rank) for i in range(start, start + n)]


# ----------------------------------------------------------------------------------------------
# Conflicts
# ----------------------------------------------------------------------------------------------


def test_conflict_with_a_car_takes_the_judge_off_that_car_only() -> None:
    inputs = show(
        staff(3), [klass(1, "A", 2, 3)], cars(1, 1, 2, 3), [ConflictIn(3, entry_id=2, reason="restored the car")]
    )
    plan = solved(inputs)
    assert sorted(plan.teams[1]) == [1, 2, 3]  # filled to the maximum; judge 3 stays on the team
    assert plan.entries == {1: (1, 2, 3), 2: (1, 2), 3: (1, 2, 3)}
    assert plan.load == {1: 3, 2: 3, 3: 2}
    assert "Judge 3 is on the class A team but does not judge car 2 (restored the car)." in plan.notes


def test_when_the_team_cannot_grow_the_conflicted_judge_is_left_out() -> None:
    inputs = show(staff(3), [klass(1, "A", 2, 2)], cars(1, 1, 2, 3), [ConflictIn(1, entry_id=2)])
    plan = solved(inputs)
    assert plan.teams[1] == (2, 3)
    assert all(len(js) == 2 for js in plan.entries.values())


def test_a_conflict_is_covered_by_an_extra_member_beyond_the_minimum() -> None:
    # Only 3 judges; each sits out one car; every car still needs 2 conflict-free judges: team of 3.
    conflicts = [ConflictIn(1, entry_id=1), ConflictIn(2, entry_id=2), ConflictIn(3, entry_id=3)]
    plan = solved(show(staff(3), [klass(1, "A", 2, 3)], cars(1, 1, 2, 3), conflicts, fill=False))
    assert sorted(plan.teams[1]) == [1, 2, 3]
    assert plan.entries == {1: (2, 3), 2: (1, 3), 3: (1, 2)}


def test_conflict_with_an_owner_covers_all_their_cars() -> None:
    entries = [EntryIn(1, 1, 500, "1"), EntryIn(2, 1, 500, "2"), EntryIn(3, 1, 501, "3")]
    plan = solved(show(staff(3), [klass(1, "A", 2, 3)], entries, [ConflictIn(2, entrant_id=500, reason="friend")]))
    assert plan.entries[1] == plan.entries[2] == (1, 3)
    assert plan.entries[3] == (1, 2, 3)


def test_conflict_with_a_class_keeps_the_judge_off_its_team() -> None:
    inputs = show(
        staff(4), [klass(1, "A", 2, 3), klass(2, "B", 1, 1)], cars(1, 1, 2) + cars(2, 3), [ConflictIn(1, class_id=1)]
    )
    plan = solved(inputs)
    assert 1 not in plan.teams[1]


def test_a_judge_with_a_car_entered_is_never_on_that_class_team() -> None:
    # Judge 1 owns car 2 (entrant 102): off class A, free to judge class B.
    inputs = show(staff(4), [klass(1, "A", 2, 3), klass(2, "B", 1, 1)], cars(1, 1, 2) + cars(2, 3), own={1: 102})
    plan = solved(inputs)
    assert 1 not in plan.teams[1]
    assert plan.teams[2] == (1,)
    assert all(1 not in js for e, js in plan.entries.items() if e in (1, 2))


# ----------------------------------------------------------------------------------------------
# Ranks, specialties, balance
# ----------------------------------------------------------------------------------------------


def test_apprentice_only_with_a_senior_or_master_and_captain_is_most_senior() -> None:
    judges = [judge(1, "apprentice"), judge(2, "judge"), judge(3, "judge"), judge(4, "master"), judge(5, "judge")]
    plan = solved(show(judges, [klass(1, "A", 2, 3), klass(2, "B", 2, 2)], cars(1, 1, 2) + cars(2, 3, 4)))
    team_of_1 = next(t for t in plan.teams.values() if 1 in t)
    assert 4 in team_of_1
    assert team_of_1[0] == 4  # the master captains


def test_apprentices_fill_places_only_beside_the_one_senior() -> None:
    # 1 senior, 2 judges, 1 apprentice, two classes of 2: only senior+apprentice / judge+judge works.
    judges = [judge(1, "senior"), judge(2, "judge"), judge(3, "judge"), judge(4, "apprentice")]
    plan = solved(show(judges, [klass(1, "A", 2, 2), klass(2, "B", 2, 2)], cars(1, 1) + cars(2, 2)))
    assert sorted(sorted(t) for t in plan.teams.values()) == [[1, 4], [2, 3]]


def test_an_apprentice_never_judges_a_car_without_a_senior() -> None:
    # The master sits out car 2, so the apprentice must not be on class A (a judge takes the place).
    judges = [judge(1, "master"), judge(2, "apprentice"), judge(3, "judge"), judge(4, "judge")]
    inputs = show(judges, [klass(1, "A", 2, 3)], cars(1, 1, 2), [ConflictIn(1, entry_id=2)])
    plan = solved(inputs)
    assert 2 not in plan.teams[1]


def test_specialists_go_to_their_classes() -> None:
    judges = [
        judge(1, "judge", "italian"),
        judge(2, "judge", "prewar"),
        judge(3, "judge", "ferrari"),
        judge(4, "judge", "packard", "prewar"),
    ]
    classes = [klass(1, "F", 2, 2, "ferrari", "italian"), klass(2, "P", 2, 2, "prewar", "packard")]
    plan = solved(show(judges, classes, cars(1, 1, 2) + cars(2, 3, 4)))
    assert sorted(plan.teams[1]) == [1, 3]
    assert sorted(plan.teams[2]) == [2, 4]


def test_extra_judges_spread_evenly_larger_classes_first() -> None:
    classes = [klass(1, "A", 2, 5), klass(2, "B", 2, 5), klass(3, "C", 2, 5)]
    entries = cars(1, 1) + cars(2, 2, 3, 4) + cars(3, 5, 6)
    plan = solved(show(staff(8), classes, entries))
    assert sorted(len(t) for t in plan.teams.values()) == [2, 3, 3]
    assert len(plan.teams[1]) == 2  # the one-car class gets no extra judge
    assert plan.unassigned == ()


def test_without_fill_teams_stay_at_their_minimum() -> None:
    plan = solved(show(staff(8), [klass(1, "A", 2, 5)], cars(1, 1, 2), fill=False))
    assert len(plan.teams[1]) == 2
    assert len(plan.unassigned) == 6


def test_across_sessions_the_busiest_judges_get_the_smallest_class() -> None:
    classes = [
        klass(1, "A", 2, 2, session="am"),
        klass(2, "B", 2, 2, session="am"),
        klass(3, "C", 2, 2, session="pm"),
        klass(4, "D", 2, 2, session="pm"),
    ]
    entries = cars(1, *range(1, 11)) + cars(2, 11, 12) + cars(3, *range(13, 23)) + cars(4, 23, 24)
    inputs = replace(show(staff(4), classes, entries), session_order=("am", "pm"))
    plan = solved(inputs)
    assert set(plan.load.values()) == {12}  # 10 + 2 for everyone
    assert set(plan.teams[1]) == set(plan.teams[4])


def test_one_team_per_session_and_only_in_available_sessions() -> None:
    judges = [judge(1), judge(2), judge(3, sessions={"pm"}), judge(4, sessions={"pm"})]
    classes = [klass(1, "A", 2, 2, session="am"), klass(2, "B", 2, 2, session="pm")]
    plan = solved(show(judges, classes, cars(1, 1) + cars(2, 2)))
    assert sorted(plan.teams[1]) == [1, 2]


def test_honorary_judges_are_not_placed_on_class_teams() -> None:
    judges = [*staff(2), judge(3, "master", honorary=True)]
    plan = solved(show(judges, [klass(1, "A", 2, 3)], cars(1, 1)))
    assert 3 not in plan.teams[1]
    assert plan.load[3] == 0
    assert plan.unassigned == ()


def test_a_class_without_entries_gets_no_team() -> None:
    plan = solved(show(staff(2), [klass(1, "A", 2, 2), klass(2, "B", 2, 2)], cars(1, 1)))
    assert list(plan.teams) == [1]
    assert "Class B has no entries; no team was formed." in plan.notes


# ----------------------------------------------------------------------------------------------
# Sections
# ----------------------------------------------------------------------------------------------


def test_sections_owned_once_spread_evenly_and_covered_per_car() -> None:
    sections = ("exterior", "interior", "engine", "chassis", "trunk")
    inputs = show(staff(3), [klass(1, "A", 2, 3, sections=sections)], cars(1, 1, 2), [ConflictIn(1, entry_id=2)])
    plan = solved(inputs)
    owned = plan.sections[1]
    assert sorted(s for ss in owned.values() for s in ss) == sorted(sections)
    assert sorted(len(ss) for ss in owned.values()) == [1, 2, 2]
    assert len(owned[1]) == 1  # the member who sits a car out owns the fewest
    on_car_2 = plan.entry_sections[2]
    assert set(on_car_2) == set(sections) and 1 not in on_car_2.values()
    assert plan.entry_sections[1] == {s: j for j, ss in owned.items() for s in ss}


def test_section_classes_take_no_more_members_than_sections() -> None:
    plan = solved(show(staff(6), [klass(1, "A", 2, 5, sections=("body", "engine", "interior"))], cars(1, 1)))
    assert len(plan.teams[1]) == 3


# ----------------------------------------------------------------------------------------------
# Determinism
# ----------------------------------------------------------------------------------------------


def test_same_input_in_any_order_gives_the_same_plan() -> None:
    judges = [judge(i, RANKS[i % 4], ("ferrari", "prewar", "jaguar")[i % 3]) for i in range(1, 25)]
    classes = [klass(c, chr(64 + c), 2, 4, ("ferrari", "prewar", "jaguar")[c % 3]) for c in range(1, 7)]
    entries = [EntryIn(e, 1 + e % 6, 100 + e % 20, str(e)) for e in range(1, 40)]
    conflicts = [ConflictIn(3, entry_id=5), ConflictIn(8, entrant_id=104), ConflictIn(11, class_id=2)]
    inputs = show(judges, classes, entries, conflicts, {4: 107})
    plan = solved(inputs)
    rng = random.Random(7)
    for _ in range(3):
        shuffled = replace(
            inputs,
            judges=tuple(rng.sample(judges, len(judges))),
            classes=tuple(rng.sample(classes, len(classes))),
            entries=tuple(rng.sample(entries, len(entries))),
            conflicts=tuple(rng.sample(conflicts, len(conflicts))),
        )
        assert solve(shuffled) == plan


# ----------------------------------------------------------------------------------------------
# Infeasible inputs: every reason, in words
# ----------------------------------------------------------------------------------------------


def test_class_with_too_few_judges_without_conflict() -> None:
    judges = staff(5)
    conflicts = [ConflictIn(3, class_id=6)]
    inputs = show(judges, [klass(6, "F", 3, 4)], cars(6, 1, 2), conflicts, own={1: 101, 2: 102})
    assert reasons(inputs) == [
        "Class F needs 3 judges; only 2 of the 5 available judges have no conflict with it "
        "(2 have a car entered in it and 1 declared a conflict with the class)."
    ]


def test_every_reason_is_reported_not_just_the_first() -> None:
    inputs = show(staff(2), [klass(1, "A", 3, 3), klass(2, "B", 4, 4)], cars(1, 1) + cars(2, 2))
    assert reasons(inputs) == [
        "Class A needs 3 judges; only 2 of the 2 available judges have no conflict with it.",
        "Class B needs 4 judges; only 2 of the 2 available judges have no conflict with it.",
        "The 2 classes need at least 7 judges together (the sum of their team minimums), but only 2 are available.",
    ]


def test_car_with_too_few_judges_without_conflict() -> None:
    conflicts = [ConflictIn(1, entry_id=7), ConflictIn(2, entrant_id=107)]
    inputs = show(staff(3), [klass(1, "A", 2, 3)], cars(1, 7, 8), conflicts)
    assert reasons(inputs) == [
        "Class A, car 7: needs 2 judges without a conflict with the car; only 1 of the class's 3 eligible "
        "judges has none (the others declared a conflict with the car or its owner)."
    ]


def test_session_with_fewer_judges_than_the_sum_of_minimums() -> None:
    judges = [*staff(5), judge(6, honorary=True)]
    classes = [klass(1, "A", 2, 3), klass(2, "B", 2, 3), klass(3, "C", 2, 3)]
    inputs = show(judges, classes, cars(1, 1) + cars(2, 2) + cars(3, 3))
    assert reasons(inputs) == [
        "The 3 classes need at least 6 judges together (the sum of their team minimums), but only 5 are "
        "available (1 honorary judge is not placed on class teams)."
    ]


def test_classes_competing_for_the_same_judges() -> None:
    # Judges 4 and 5 are entrant 900, with a car in both A and B: those two classes share judges 1-3.
    entries = [EntryIn(1, 1, 900, "1"), EntryIn(2, 2, 900, "2"), EntryIn(3, 3, 103, "3")]
    classes = [klass(1, "A", 2, 2), klass(2, "B", 2, 2), klass(3, "C", 1, 1)]
    inputs = show(staff(5), classes, entries, own={4: 900, 5: 900})
    assert reasons(inputs) == [
        "Classes A and B need 4 judges together (their team minimums); only 3 judges are eligible for any of "
        "them, and a judge is on one team per session."
    ]


def test_too_few_seniors_for_the_apprentices() -> None:
    judges = [judge(1, "senior"), judge(2, "judge"), judge(3, "apprentice"), judge(4, "apprentice")]
    inputs = show(judges, [klass(1, "A", 2, 2), klass(2, "B", 2, 2)], cars(1, 1) + cars(2, 2))
    assert reasons(inputs) == [
        "The 2 classes need at least 4 judges together, and 2 of the 4 available are apprentices, who may only "
        "join a team with a senior or master: with 1 senior or master, apprentices can fill at most 1 place, "
        "so 3 places must go to judges who are not apprentices; only 2 are available."
    ]


def test_apprentices_and_single_car_conflicts_explained_when_search_fails() -> None:
    # The counts allow it, but car 2 has no senior without a conflict, so no apprentice may judge it,
    # and the only other judge for it is judge 2: car 2 cannot get its 2 judges.
    judges = [judge(1, "senior"), judge(2, "judge"), judge(3, "apprentice"), judge(4, "apprentice")]
    conflicts = [ConflictIn(1, entry_id=2), ConflictIn(2, entry_id=1)]
    inputs = show(judges, [klass(1, "A", 2, 3)], cars(1, 1, 2), conflicts)
    assert reasons(inputs) == [
        "Class A needs 2 judges, but only 0 of its eligible judges are neither an apprentice nor in conflict "
        "with one of its cars; the other places cannot be filled: the 2 eligible apprentices can only join a "
        "team with a senior or master who judges the same cars and 2 judges with a conflict on a car can only "
        "join a team that still gives every car its minimum of judges without a conflict."
    ]


def test_team_minimum_above_maximum() -> None:
    inputs = show(staff(5), [klass(1, "A", 4, 3)], cars(1, 1))
    assert reasons(inputs) == ["Class A has a team minimum of 4 but a maximum of 3."]


def test_sessions_are_named_when_there_are_several() -> None:
    classes = [klass(1, "A", 3, 3, session="am"), klass(2, "B", 2, 2, session="pm")]
    inputs = show(staff(2), classes, cars(1, 1) + cars(2, 2))
    assert reasons(inputs) == [
        "Class A needs 3 judges in session am; only 2 of the 2 available judges have no conflict with it."
    ]


def test_malformed_input_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown rank"):
        solve(show([judge(1, "chief")], [klass(1, "A", 1, 1)], cars(1, 1)))
    with pytest.raises(ValueError, match="unknown class"):
        solve(show(staff(1), [klass(1, "A", 1, 1)], cars(2, 1)))
    with pytest.raises(ValueError, match="names no car"):
        solve(show(staff(1), [klass(1, "A", 1, 1)], cars(1, 1), [ConflictIn(1)]))


# ----------------------------------------------------------------------------------------------
# The checker catches each kind of broken plan
# ----------------------------------------------------------------------------------------------


def test_violations_flags_broken_plans() -> None:
    judges = [judge(1, "master"), judge(2, "apprentice"), judge(3), judge(4)]
    inputs = show(
        judges,
        [klass(1, "A", 2, 3), klass(2, "B", 1, 2)],
        cars(1, 1, 2) + cars(2, 3),
        [ConflictIn(3, entry_id=2)],
        own={4: 103},
    )
    good = solved(inputs)

    def broken(**changes: object) -> list[str]:
        return violations(replace(good, **changes), inputs)  # type: ignore[arg-type]

    assert any("no team" in v for v in broken(teams={1: good.teams[1]}))
    assert any("team of 1" in v for v in broken(teams={**good.teams, 1: (1,)}))
    assert any("two teams" in v for v in broken(teams={1: (1, 3), 2: (1,)}))
    assert any("has a car in the class" in v for v in broken(teams={**good.teams, 2: (4,)}))
    assert any("apprentice without a senior" in v for v in broken(teams={1: (3, 2), 2: (1,)}))
    assert any("captain" in v for v in broken(teams={1: (3, 1), 2: (4,)}))
    assert any("conflict with the car" in v for v in broken(entries={**good.entries, 2: (1, 2, 3)}))
    assert any("load" in v for v in broken(load={**good.load, 1: 99}))


# ----------------------------------------------------------------------------------------------
# Properties on random shows
# ----------------------------------------------------------------------------------------------


@st.composite
def small_shows(draw: st.DrawFn) -> AssignmentInput:
    """Small random shows: 1-2 sessions, 1-3 classes, up to 7 judges, conflicts of every kind."""
    sessions = ["am", "pm"][: draw(st.integers(1, 2))]
    n_classes = draw(st.integers(1, 3))
    classes = []
    for c in range(1, n_classes + 1):
        tmin = draw(st.integers(1, 3))
        tmax = tmin + draw(st.integers(0, 2))
        sections = draw(st.sampled_from([(), ("body", "engine"), ("a", "b", "c", "d")]))
        tags = frozenset(draw(st.sets(st.sampled_from(["ferrari", "prewar", "jaguar"]), max_size=2)))
        session = draw(st.sampled_from(sessions))
        classes.append(ClassIn(c, chr(64 + c), f"Class {c}", tags, tmin, tmax, session, sections))
    n_judges = draw(st.integers(1, 7))
    judges = [
        JudgeIn(
            j,
            f"Judge {j}",
            draw(st.sampled_from(RANKS)),
            frozenset(draw(st.sets(st.sampled_from(["ferrari", "prewar", "jaguar"]), max_size=2))),
            draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
            frozenset(draw(st.sets(st.sampled_from(sessions), max_size=1))),
        )
        for j in range(1, n_judges + 1)
    ]
    entries = []
    for c in range(1, n_classes + 1):  # 0 cars: a class without entries, which gets no team
        for _ in range(draw(st.integers(0, 3))):
            e = len(entries) + 1
            entries.append(EntryIn(e, c, draw(st.integers(1, 5)), str(e)))
    conflicts = []
    for _ in range(draw(st.integers(0, 4))):
        jid = draw(st.integers(1, n_judges))
        kind = draw(st.sampled_from(["entry", "entrant", "class"]))
        if kind == "entry" and entries:
            conflicts.append(ConflictIn(jid, entry_id=draw(st.sampled_from(entries)).id))
        elif kind == "entrant":
            conflicts.append(ConflictIn(jid, entrant_id=draw(st.integers(1, 5))))
        else:
            conflicts.append(ConflictIn(jid, class_id=draw(st.integers(1, n_classes))))
    own = draw(st.dictionaries(st.integers(1, n_judges), st.integers(1, 5), max_size=2))
    return AssignmentInput(tuple(judges), tuple(classes), tuple(entries), tuple(conflicts), own, draw(st.booleans()))


def any_valid_assignment(inputs: AssignmentInput) -> bool:
    """Brute force, independent of the solver: does some choice of teams satisfy every hard rule?"""
    judges = {j.id: j for j in inputs.judges}
    order = {r: i for i, r in enumerate(RANKS)}

    def conflicted(j: int, e: EntryIn) -> bool:
        return any(c.judge_id == j and (c.entry_id == e.id or c.entrant_id == e.entrant_id) for c in inputs.conflicts)

    def valid(cl: ClassIn, team: tuple[int, ...], es: list[EntryIn]) -> bool:
        for e in es:
            judging = [j for j in team if not conflicted(j, e)]
            ranks = [order[judges[j].rank] for j in judging]
            if len(judging) < cl.team_min or (0 in ranks and not any(r >= 2 for r in ranks)):
                return False
        ranks = [order[judges[j].rank] for j in team]
        return not (0 in ranks and not any(r >= 2 for r in ranks))

    for session in {c.session for c in inputs.classes}:
        options = []
        for cl in inputs.classes:
            es = [e for e in inputs.entries if e.class_id == cl.id]
            if cl.session != session or not es:
                continue
            pool = [
                j.id
                for j in inputs.judges
                if not j.honorary
                and (not j.sessions or session in j.sessions)
                and not any(c.judge_id == j.id and c.class_id == cl.id for c in inputs.conflicts)
                and inputs.judge_entrants.get(j.id) not in {e.entrant_id for e in es}
            ]
            teams = [
                t
                for k in range(cl.team_min, cl.team_max + 1)
                for t in itertools.combinations(pool, k)
                if valid(cl, t, es)
            ]
            options.append(teams)
        if not any(
            len({j for t in choice for j in t}) == sum(len(t) for t in choice) for choice in itertools.product(*options)
        ):
            return False
    return True


@FAST
@given(small_shows())
def test_small_shows_get_a_valid_plan_exactly_when_one_exists(inputs: AssignmentInput) -> None:
    try:
        plan = solve(inputs)
    except AssignmentInfeasible as exc:
        assert exc.reasons and all(r.strip() for r in exc.reasons)
        assert not any_valid_assignment(inputs), exc.reasons
    else:
        assert violations(plan, inputs) == []


@st.composite
def medium_shows(draw: st.DrawFn) -> AssignmentInput:
    """Bigger random shows (up to 12 classes, 50 judges), from a seed so that Hypothesis stays fast."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    n_classes, n_judges = rng.randint(1, 12), rng.randint(3, 50)
    tags = ["ferrari", "prewar", "jaguar", "italian", "preservation"]
    classes = []
    for c in range(1, n_classes + 1):
        tmin = rng.randint(1, 4)
        classes.append(
            ClassIn(
                c,
                f"C{c}",
                "",
                frozenset(rng.sample(tags, 2)),
                tmin,
                tmin + rng.randint(0, 2),
                rng.choice(["am", "pm"]) if rng.random() < 0.3 else "main",
                ("a", "b", "c") if rng.random() < 0.3 else (),
            )
        )
    judges = [
        JudgeIn(j, f"J{j}", rng.choice(RANKS), frozenset(rng.sample(tags, rng.randint(0, 2))), rng.random() < 0.05)
        for j in range(1, n_judges + 1)
    ]
    entries = [EntryIn(e, rng.randint(1, n_classes), rng.randint(1, 40), str(e)) for e in range(1, rng.randint(2, 80))]
    conflicts = []
    for j in rng.sample(range(1, n_judges + 1), n_judges // 5):
        kind = rng.choice(["entry", "entrant", "class"])
        conflicts.append(
            ConflictIn(j, entry_id=rng.randint(1, len(entries)))
            if kind == "entry"
            else ConflictIn(j, entrant_id=rng.randint(1, 40))
            if kind == "entrant"
            else ConflictIn(j, class_id=rng.randint(1, n_classes))
        )
    own = {j: rng.randint(1, 40) for j in rng.sample(range(1, n_judges + 1), n_judges // 10)}
    return AssignmentInput(tuple(judges), tuple(classes), tuple(entries), tuple(conflicts), own, rng.random() < 0.8)


@settings(max_examples=60, deadline=None)
@given(medium_shows())
def test_bigger_shows_get_a_valid_plan_or_reasons(inputs: AssignmentInput) -> None:
    try:
        plan = solve(inputs)
    except AssignmentInfeasible as exc:
        assert exc.reasons and all(r.endswith(".") for r in exc.reasons)
    else:
        assert violations(plan, inputs) == []
        assert solve(inputs) == plan
