"""Benchmark of the judge-assignment solver on a large show.

Builds a show deterministically (fixed seed): 300 entries in 35 classes of 5-14 cars, 150 judges with
ranks and specialties, 15 % of the judges with conflicts (some have cars entered, the others declared
conflicts with a car, an owner or a class). It then runs :func:`concours.domain.assignment.solve`
several times and prints the time per run (median and best), the balance of work (max/min cars per
judge among assigned judges, max/min team size), how many team members match the class by specialty,
and the ratio of the solver's time to a baseline measured in the same run: a naive round-robin
assignment that fills each team to its minimum and ignores balance and specialties. A second scenario
splits the classes into two judging sessions, where the solver can balance work across sessions.

Run: ``uv run python scripts/bench_assign.py`` (a few seconds).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from concours.domain.assignment import (
    AssignmentInput,
    ClassIn,
    ConflictIn,
    EntryIn,
    JudgeIn,
    Plan,
    solve,
    violations,
)

RUNS = 7
MARQUES = [
    "ferrari",
    "mercedes",
    "bugatti",
    "alfa romeo",
    "jaguar",
    "rolls-royce",
    "packard",
    "duesenberg",
    "aston martin",
    "porsche",
    "lancia",
    "delahaye",
    "cadillac",
    "bentley",
    "maserati",
]
ERAS = ["prewar", "postwar", "brass", "sports", "italian", "british", "french", "american", "german"]
STYLES = ["preservation", "coachbuilt", "racing", "open", "closed"]


def build_show(seed: int = 2024, sessions: tuple[str, ...] = ("main",)) -> AssignmentInput:
    """A large show: 300 entries, 35 classes of 5-14 cars, 150 judges, 15 % of them with conflicts."""
    rng = random.Random(seed)
    sizes = [5] * 34 + [14]
    while sum(sizes) < 300:
        i = rng.randrange(35)
        if sizes[i] < 14:
            sizes[i] += 1
    classes: list[ClassIn] = []
    entries: list[EntryIn] = []
    entrant = 1000
    for i, size in enumerate(sizes):
        tags = frozenset({MARQUES[i % len(MARQUES)], rng.choice(ERAS), rng.choice(STYLES)})
        code = chr(ord("A") + i) if i < 26 else f"A{chr(ord('A') + i - 26)}"
        classes.append(ClassIn(i + 1, code, f"Class {code}", tags, 3, 5, sessions[i % len(sessions)]))
        for _ in range(size):
            entrant += 1
            entries.append(EntryIn(len(entries) + 1, i + 1, entrant, str(len(entries) + 1)))
    ranks = ["apprentice"] * 15 + ["judge"] * 75 + ["senior"] * 40 + ["master"] * 20
    rng.shuffle(ranks)
    all_tags = MARQUES + ERAS + STYLES
    judges = [
        JudgeIn(j + 1, f"Judge {j + 1}", ranks[j], frozenset(rng.sample(all_tags, rng.randint(1, 3))))
        for j in range(150)
    ]
    conflicted = rng.sample(range(1, 151), 22)  # 15 % of 150
    judge_entrants: dict[int, int] = {}
    conflicts: list[ConflictIn] = []
    for k, jid in enumerate(sorted(conflicted)):
        if k % 2 == 0:  # the judge has a car entered
            judge_entrants[jid] = rng.choice(entries).entrant_id
        elif k % 3 == 0:
            conflicts.append(ConflictIn(jid, class_id=rng.randint(1, 35), reason="restorer of several cars"))
        elif k % 3 == 1:
            conflicts.append(ConflictIn(jid, entrant_id=rng.choice(entries).entrant_id, reason="friend of the owner"))
        else:
            conflicts.append(ConflictIn(jid, entry_id=rng.choice(entries).id, reason="restored the car"))
    return AssignmentInput(
        tuple(judges), tuple(classes), tuple(entries), tuple(conflicts), judge_entrants, session_order=sessions
    )


def round_robin(inputs: AssignmentInput) -> Plan:
    """The baseline: deal judges in id order to classes in id order, team minimum only, no preferences."""
    own = inputs.judge_entrants
    by_class: dict[int, list[EntryIn]] = {c.id: [] for c in inputs.classes}
    for e in inputs.entries:
        by_class[e.class_id].append(e)
    barred: dict[int, set[int]] = {}
    for c in inputs.conflicts:
        for cl in inputs.classes:
            if c.class_id == cl.id or any(c.entry_id == e.id or c.entrant_id == e.entrant_id for e in by_class[cl.id]):
                barred.setdefault(cl.id, set()).add(c.judge_id)
    pool = [j for j in inputs.judges if not j.honorary]
    teams: dict[int, tuple[int, ...]] = {}
    used: set[tuple[int, str]] = set()
    pos = 0
    for cl in inputs.classes:
        team: list[int] = []
        for _ in range(len(pool)):
            j = pool[pos % len(pool)]
            pos += 1
            if (j.id, cl.session) in used or j.id in barred.get(cl.id, ()):
                continue
            if own.get(j.id) in {e.entrant_id for e in by_class[cl.id]}:
                continue
            team.append(j.id)
            used.add((j.id, cl.session))
            if len(team) == cl.team_min:
                break
        teams[cl.id] = tuple(team)
    entries = {e.id: teams[e.class_id] for e in inputs.entries}
    load = {j.id: sum(1 for t in entries.values() if j.id in t) for j in inputs.judges}
    return Plan(teams, entries, {}, {}, load)


def timed(fn: Callable[[], Plan]) -> tuple[list[float], Plan]:
    times: list[float] = []
    plan = fn()
    for _ in range(RUNS):
        t0 = time.perf_counter()
        plan = fn()
        times.append(time.perf_counter() - t0)
    return times, plan


def describe(name: str, plan: Plan, inputs: AssignmentInput, times: list[float]) -> None:
    loads = [n for n in plan.load.values() if n > 0]
    sizes = [len(t) for t in plan.teams.values()]
    specs = {j.id: j.specialties for j in inputs.judges}
    tags = {c.id: c.tags for c in inputs.classes}
    seats = [(j, cid) for cid, t in plan.teams.items() for j in t]
    matched = sum(1 for j, cid in seats if specs[j] & tags[cid])
    with_match = sum(1 for cid, t in plan.teams.items() if any(specs[j] & tags[cid] for j in t))
    bad = violations(plan, inputs)
    print(f"  {name}:")
    print(f"    time per run: median {statistics.median(times) * 1000:.1f} ms, best {min(times) * 1000:.1f} ms")
    print(
        f"    judges on teams: {len(loads)} of {len(inputs.judges)}; cars per judge max/min: "
        f"{max(loads)}/{min(loads)} (ratio {max(loads) / min(loads):.2f}); team size max/min: "
        f"{max(sizes)}/{min(sizes)}"
    )
    print(
        f"    seats with a specialty match: {matched}/{len(seats)} ({100 * matched / len(seats):.0f} %); "
        f"teams with at least one specialist: {with_match}/{len(plan.teams)}"
    )
    print(f"    rule violations: {len(bad)}" + (f" (first: {bad[0]})" if bad else ""))


def scenario(title: str, inputs: AssignmentInput) -> None:
    sizes = [sum(1 for e in inputs.entries if e.class_id == c.id) for c in inputs.classes]
    print(
        f"{title}: {len(inputs.entries)} entries, {len(inputs.classes)} classes of {min(sizes)}-{max(sizes)} "
        f"cars, {len(inputs.judges)} judges, {len(inputs.judge_entrants)} with cars entered, "
        f"{len(inputs.conflicts)} declared conflicts, team size 3-5"
    )
    solver_times, plan = timed(lambda: solve(inputs))
    base_times, base = timed(lambda: round_robin(inputs))
    check_times, _ = timed(lambda: (violations(plan, inputs), plan)[1])
    describe("solver", plan, inputs, solver_times)
    if len({c.session for c in inputs.classes}) == 1:
        print(
            f"    (in one session every member judges every car of the class: max/min cars per judge cannot go "
            f"below {max(sizes)}/{min(sizes)}, the largest/smallest class)"
        )
    describe("baseline (round-robin to the team minimum; ignores ranks and balance)", base, inputs, base_times)
    s, b, c = statistics.median(solver_times), statistics.median(base_times), statistics.median(check_times)
    print(
        f"  solver / baseline: {s / b:.1f}x (median {s * 1000:.1f} ms vs {b * 1000:.1f} ms); "
        f"checking a plan with violations(): {c * 1000:.1f} ms (solver / check: {s / c:.1f}x)"
    )


def main() -> None:
    """Run both scenarios and print the figures."""
    t0 = time.perf_counter()
    scenario("One session", build_show())
    print()
    scenario("Two sessions (morning, afternoon)", build_show(sessions=("morning", "afternoon")))
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
