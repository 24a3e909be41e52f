"""Placings (French-style) judging: worked examples, and properties every combined result must have."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concours.domain.placings import (
    PlacingError,
    Ranking,
    agreement,
    agreement_words,
    borda_points,
    check_order,
    combine_placings,
    kendall_tau,
)

FAST = settings(max_examples=200, deadline=None)


def by_id(results: list) -> dict:
    return {r.entry_id: r for r in results}


def test_three_judges_borda_worked_example() -> None:
    # Four cars 1..4; three judges. n = 4: a first earns 3, a second 2, a third 1, a fourth 0.
    orders = [
        Ranking("Anne", (1, 2, 3, 4)),
        Ranking("Bob", (2, 1, 3, 4)),
        Ranking("Carl", (1, 3, 2, 4)),
    ]
    res = combine_placings([1, 2, 3, 4], orders)
    r = by_id(res)
    assert [x.entry_id for x in res] == [1, 2, 3, 4]
    assert (r[1].points, r[2].points, r[3].points, r[4].points) == (8, 6, 4, 0)
    assert [r[i].award for i in (1, 2, 3, 4)] == ["1st in class", "2nd in class", "3rd in class", ""]
    assert r[1].explanation == (
        "Placed 1st by Anne and Carl; 2nd by Bob. Borda count 8 of a possible 9, 2 first places."
    )
    assert r[4].explanation == "Placed 4th by Anne, Bob and Carl. Borda count 0 of a possible 9, 0 first places."


def test_equal_points_go_to_more_first_places() -> None:
    orders = [
        Ranking("A", (1, 2, 3)),  # 1:2 2:1 3:0
        Ranking("B", (3, 2, 1)),  # 3:2 2:1 1:0
        Ranking("C", (2, 1, 3)),  # 2:2 1:1 3:0
        Ranking("D", (1, 3, 2)),  # 1:2 3:1 2:0
    ]
    # car1 = 2+0+1+2 = 5 (2 firsts), car2 = 1+1+2+0 = 4 (1 first), car3 = 0+2+0+1 = 3
    r = by_id(combine_placings([1, 2, 3], orders))
    assert (r[1].points, r[2].points, r[3].points) == (5, 4, 3)
    orders = [
        Ranking("A", (1, 2, 3)),  # 1:2 2:1 3:0
        Ranking("B", (2, 3, 1)),  # 2:2 3:1 1:0
        Ranking("C", (3, 1, 2)),  # 3:2 1:1 2:0
        Ranking("D", (1, 3, 2)),  # 1:2 3:1 2:0
        Ranking("E", (2, 3, 1)),  # 2:2 3:1 1:0
    ]
    # car1 = 2+0+1+2+0 = 5 (2 firsts); car2 = 1+2+0+0+2 = 5 (2 firsts); car3 = 0+1+2+1+1 = 5 (1 first)
    res = combine_placings([1, 2, 3], orders)
    r = by_id(res)
    assert r[1].points == r[2].points == r[3].points == 5
    assert r[3].rank == 3 and "number of first places" in r[3].tie_note
    # 1 and 2 are still level (same points, same firsts): no award until the chief judge decides
    assert r[1].unresolved_tie and r[2].unresolved_tie and r[1].rank == r[2].rank == 1
    assert r[1].award == r[2].award == ""
    decided = by_id(
        combine_placings([1, 2, 3], orders, decisions=[(2, 1)], decision_reasons={2: "Finer presence on the lawn"})
    )
    assert decided[2].rank == 1 and decided[2].award == "1st in class"
    assert decided[1].rank == 2 and decided[1].award == "2nd in class"
    assert "chief judge's recorded decision (Finer presence on the lawn)" in decided[2].explanation


def test_team_consensus_is_the_result() -> None:
    res = combine_placings([10, 11, 12], [Ranking("Class A team", (12, 10, 11))], places=2)
    assert [(x.entry_id, x.award) for x in res] == [(12, "1st in class"), (10, "2nd in class"), (11, "")]


def test_conflicted_car_left_off_an_order_gets_its_average() -> None:
    # Bob has a conflict with car 3: his order places only 1 and 2.
    orders = [Ranking("Anne", (3, 1, 2)), Ranking("Bob", (1, 2)), Ranking("Carl", (3, 2, 1))]
    pts = borda_points([1, 2, 3], orders)
    # n = 3. Car 3: Anne 2, Carl 2 -> average 2, times 3 orders = 6.
    assert pts[3] == 6
    assert pts[1] == 1 + 2 + 0 and pts[2] == 0 + 1 + 1
    r = by_id(combine_placings([1, 2, 3], orders))
    assert r[3].award == "1st in class"
    assert "left off 1 order for a conflict" in r[3].explanation


def test_a_tie_below_the_places_does_not_wait_for_a_decision() -> None:
    orders = [Ranking("A", (1, 2, 3, 4)), Ranking("B", (1, 2, 4, 3))]
    r = by_id(combine_placings([1, 2, 3, 4], orders, places=2))
    assert r[3].rank == r[4].rank == 3
    assert not r[3].unresolved_tie and "no award at stake" in r[3].tie_note


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ((1, 2), "1 car not placed yet"),
        ((1, 2, 2, 3), "twice"),
        ((1, 2, 3, 9), "not in this class"),
    ],
)
def test_check_order_refuses(order: tuple[int, ...], message: str) -> None:
    with pytest.raises(PlacingError, match=message):
        check_order(order, [1, 2, 3])


def test_check_order_leaves_out_the_excluded() -> None:
    assert check_order((3, 1), [1, 2, 3], excluded=[2]) == (3, 1)
    with pytest.raises(PlacingError):
        check_order((3, 1, 2), [1, 2, 3], excluded=[2])


def test_kendall_tau_and_agreement() -> None:
    assert kendall_tau((1, 2, 3, 4), (1, 2, 3, 4)) == 1
    assert kendall_tau((1, 2, 3, 4), (4, 3, 2, 1)) == -1
    # one swapped pair of six: (5 - 1) / 6
    assert kendall_tau((1, 2, 3, 4), (2, 1, 3, 4)) == Fraction(2, 3)
    assert kendall_tau((1,), (1,)) is None
    ag = agreement([Ranking("A", (1, 2, 3, 4)), Ranking("B", (2, 1, 3, 4)), Ranking("C", (4, 3, 2, 1))])
    assert ag.pairs[("A", "B")] == Fraction(2, 3)
    assert ag.pairs[("A", "C")] == -1
    assert ag.by_judge["C"] < ag.by_judge["A"]
    assert agreement_words(Fraction(1)) == "strong agreement (Kendall's tau +1.00)"
    assert agreement_words(None) == "not enough orders to compare"


# ---- properties

cars_st = st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=9, unique=True)


@st.composite
def class_orders(draw: st.DrawFn) -> tuple[list[int], list[Ranking]]:
    cars = draw(cars_st)
    judges = draw(st.integers(min_value=1, max_value=5))
    rankings = [Ranking(f"J{j}", tuple(draw(st.permutations(cars)))) for j in range(judges)]
    return cars, rankings


@FAST
@given(class_orders(), st.randoms())
def test_result_does_not_depend_on_input_order(data: tuple[list[int], list[Ranking]], rnd: object) -> None:
    cars, rankings = data
    a = combine_placings(cars, rankings)
    shuffled_rankings = list(rankings)
    shuffled_cars = list(cars)
    rnd.shuffle(shuffled_rankings)  # type: ignore[attr-defined]
    rnd.shuffle(shuffled_cars)  # type: ignore[attr-defined]
    b = combine_placings(shuffled_cars, shuffled_rankings)
    assert [(r.entry_id, r.rank, r.award, r.points) for r in a] == [(r.entry_id, r.rank, r.award, r.points) for r in b]


@FAST
@given(class_orders())
def test_invariants(data: tuple[list[int], list[Ranking]]) -> None:
    cars, rankings = data
    n = len(cars)
    res = combine_placings(cars, rankings, places=3)
    # Borda points always total n(n-1)/2 per order
    assert sum((r.points or 0) for r in res) == Fraction(n * (n - 1), 2) * len(rankings)
    # ranks never increase points downward, each award at most once, awards only within the places
    for earlier, later in zip(res, res[1:], strict=False):
        assert (earlier.points or 0) >= (later.points or 0)
        assert (earlier.rank or 0) <= (later.rank or 0)
    awards = [r.award for r in res if r.award]
    assert len(awards) == len(set(awards))
    assert all(r.rank is not None and r.rank <= 3 for r in res if r.award)
    # every car explained in words
    assert all(r.explanation.startswith("Placed ") for r in res)


@FAST
@given(class_orders())
def test_unanimous_orders_give_that_order(data: tuple[list[int], list[Ranking]]) -> None:
    cars, rankings = data
    same = [Ranking(r.ranker, rankings[0].order) for r in rankings]
    res = combine_placings(cars, same)
    assert [r.entry_id for r in res] == list(rankings[0].order)
    assert all(not r.unresolved_tie for r in res)


@FAST
@given(class_orders())
def test_a_car_everyone_places_first_wins(data: tuple[list[int], list[Ranking]]) -> None:
    cars, rankings = data
    best = cars[0]
    moved = [Ranking(r.ranker, (best, *[c for c in r.order if c != best])) for r in rankings]
    res = combine_placings(cars, moved)
    assert res[0].entry_id == best and res[0].award == "1st in class"


@FAST
@given(class_orders())
def test_tau_is_symmetric_and_bounded(data: tuple[list[int], list[Ranking]]) -> None:
    _, rankings = data
    a = rankings[0].order
    b = rankings[-1].order
    t = kendall_tau(a, b)
    assert t == kendall_tau(b, a)
    if t is not None:
        assert -1 <= t <= 1
        assert kendall_tau(a, a) == 1
