"""Judging by placings, the French way: judges order a class's cars by eye; the orders make the result.

No points sheet: each judge (or the team, by consensus) puts the class's cars in order, best first.
The orders combine by a stated method:

1. **Borda count**: in a class of *n* cars a car placed *p*-th on an order earns ``n - p`` points
   (``n - 1`` for a first place, 0 for the last). A car left off an order (the judge has a conflict
   with it) is credited with its average over the orders that place it, so a conflict neither helps
   nor hurts it.
2. Equal Borda points: the car with **more first places** goes ahead.
3. Still equal: the **chief judge's recorded decision** (winner over loser), as for points ties;
   undecided, the cars stay tied and no award is given to them until the chief judge decides.

Agreement between judges' orders is the calibration figure of a placings class: Kendall's tau
between two orders (1 = the same order, -1 = the reverse), per pair of judges and per judge.

Pure: no I/O. Everything is exact (:class:`fractions.Fraction`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

from concours.domain.tabulation import TIE_DECIDED, place_name
from concours.domain.tabulation import ordinal as ordinal  # re-exported: the pages name places with it
from concours.i18n import N_, gettext, localize_decimal, ngettext

METHOD_TEXT = N_(
    "Borda count: in a class of n cars, a car placed p-th by a judge earns n − p points; "
    "equal points go to the car with more first places, then to the chief judge's recorded decision."
)

# What a judge weighs when placing cars (shown on the placings sheet; no numbers to fill in).
GUIDANCE: tuple[tuple[str, str], ...] = (
    (N_("Elegance"), N_("Line, proportion and beauty of the design as the coachbuilder meant it.")),
    (N_("Presence"), N_("How the car holds the lawn: stance, colour, the impression it makes from across the field.")),
    (
        N_("Condition"),
        N_("Honest care and quality of preparation; a fine original can stand above a glossy restoration."),
    ),
    (N_("Story"), N_("Provenance, history and significance: what this car means and how well it tells it.")),
)


class PlacingError(ValueError):
    """An order a placings sheet cannot hold; the message is for the judge."""


@dataclass(frozen=True)
class Ranking:
    """One judge's (or one team's consensus) order of the class's cars, best first."""

    ranker: str
    order: tuple[int, ...]


@dataclass
class PlacingResult:
    entry_id: int
    points: Fraction | None  # Borda points (None: no order places this car)
    firsts: int = 0
    placed: dict[str, int] = field(default_factory=dict)  # ranker -> place on their order (1 = first)
    rank: int | None = None
    award: str = ""
    tie_note: str = ""
    unresolved_tie: bool = False
    explanation: str = ""


def check_order(order: Sequence[int], cars: Iterable[int], *, excluded: Iterable[int] = ()) -> tuple[int, ...]:
    """The order as a tuple, or :class:`PlacingError` unless it places every car once (but the excluded)."""
    expected = set(cars) - set(excluded)
    seen: set[int] = set()
    for car in order:
        if car not in expected:
            raise PlacingError(gettext("The order names a car that is not in this class (or that you may not judge)."))
        if car in seen:
            raise PlacingError(gettext("The order names a car twice."))
        seen.add(car)
    if seen != expected:
        raise PlacingError(
            ngettext(
                "Place every car of the class: %(num)s car not placed yet.",
                "Place every car of the class: %(num)s cars not placed yet.",
                len(expected - seen),
            )
        )
    return tuple(order)


def borda_points(cars: Sequence[int], rankings: Sequence[Ranking]) -> dict[int, Fraction | None]:
    """Each car's Borda points over the orders (a car missing from an order gets its average there)."""
    n = len(cars)
    earned: dict[int, list[int]] = {c: [] for c in cars}
    for r in rankings:
        for p, car in enumerate(r.order, start=1):
            if car in earned:
                earned[car].append(n - p)
    out: dict[int, Fraction | None] = {}
    for car, pts in earned.items():
        if not pts:
            out[car] = None
        elif len(pts) == len(rankings):
            out[car] = Fraction(sum(pts))
        else:
            out[car] = Fraction(sum(pts), len(pts)) * len(rankings)
    return out


def combine_placings(
    cars: Sequence[int],
    rankings: Sequence[Ranking],
    *,
    places: int = 3,
    decisions: Iterable[tuple[int, int]] = (),
    decision_reasons: Mapping[int, str] | None = None,
) -> list[PlacingResult]:
    """The class result from the orders: ranks, awards and an explanation in words for every car.

    ``decisions`` are the chief judge's recorded tie decisions as (winner entry, loser entry).
    The result does not depend on the order in which the rankings or the cars are given.
    """
    cars = sorted(set(cars))
    rankings = sorted(rankings, key=lambda r: (r.ranker, r.order))
    decided = set(decisions)
    reasons = dict(decision_reasons or {})
    points = borda_points(cars, rankings)
    results = {c: PlacingResult(c, points[c]) for c in cars}
    for ranking in rankings:
        for p, car in enumerate(ranking.order, start=1):
            if car in results:
                results[car].placed[ranking.ranker] = p
                if p == 1:
                    results[car].firsts += 1
    placed = [results[c] for c in cars if results[c].points is not None]
    placed.sort(key=lambda r: (-(r.points or 0), -r.firsts, r.entry_id))
    groups: list[list[PlacingResult]] = []
    i = 0
    while i < len(placed):
        j = i
        while j < len(placed) and placed[j].points == placed[i].points:
            j += 1
        tied = placed[i:j]
        if len(tied) > 1:
            by_firsts: dict[int, list[PlacingResult]] = {}
            for r in tied:
                by_firsts.setdefault(r.firsts, []).append(r)
            for firsts in sorted(by_firsts, reverse=True):
                sub = by_firsts[firsts]
                if len(by_firsts) > 1:
                    for r in sub:
                        r.tie_note = gettext("equal Borda points; placed by the number of first places")
                groups.extend(_decide(sub, decided, reasons) if len(sub) > 1 else [sub])
        else:
            groups.append(tied)
        i = j
    rank = 1
    for group in groups:
        for r in group:
            r.rank = rank
            if len(group) > 1 and rank <= places:
                r.unresolved_tie = True
                r.tie_note = gettext("tied on Borda points and first places: awaiting the chief judge's decision")
            elif len(group) > 1:
                r.tie_note = gettext("tied on Borda points and first places (no award at stake)")
            elif rank <= places:
                r.award = place_name(rank)
        rank += len(group)
    n = len(cars)
    for r in results.values():
        r.explanation = _explain(r, n, len(rankings))
    return sorted(results.values(), key=lambda r: (r.rank is None, r.rank or 0, r.entry_id))


def _decide(
    group: list[PlacingResult], decided: set[tuple[int, int]], reasons: Mapping[int, str]
) -> list[list[PlacingResult]]:
    remaining = sorted(group, key=lambda r: r.entry_id)
    out: list[list[PlacingResult]] = []
    note = gettext(TIE_DECIDED)
    while len(remaining) > 1:
        ids = [r.entry_id for r in remaining]
        top = [r for r in remaining if all((r.entry_id, o) in decided for o in ids if o != r.entry_id)]
        if len(top) != 1:
            break
        reason = reasons.get(top[0].entry_id, "")
        top[0].tie_note = f"{note} ({reason})" if reason else note
        out.append(top)
        remaining = [r for r in remaining if r is not top[0]]
    if len(remaining) == 1 and out:
        remaining[0].tie_note = note
    if remaining:
        out.append(remaining)
    return out


def _explain(r: PlacingResult, n: int, orders: int) -> str:
    """Why the car stands where it does, in words (the places each judge gave, the method, any tie)."""
    if r.points is None:
        return gettext("Not placed: no submitted order includes this car.")
    by_place: dict[int, list[str]] = {}
    for ranker, p in sorted(r.placed.items()):
        by_place.setdefault(p, []).append(ranker)
    given = "; ".join(
        gettext("%(place)s by %(judges)s", place=ordinal(p), judges=_names(names))
        for p, names in sorted(by_place.items())
    )
    missing = orders - len(r.placed)
    text = (
        ngettext(
            "Placed %(given)s (left off %(num)s order for a conflict: credited with its average there).",
            "Placed %(given)s (left off %(num)s orders for a conflict: credited with its average there).",
            missing,
            given=given,
        )
        if missing
        else gettext("Placed %(given)s.", given=given)
    )
    text += " " + ngettext(
        "Borda count %(points)s of a possible %(possible)s, %(num)s first place.",
        "Borda count %(points)s of a possible %(possible)s, %(num)s first places.",
        r.firsts,
        points=localize_decimal(_num(r.points)),
        possible=(n - 1) * orders,
    )
    if r.tie_note:
        text += f" {r.tie_note[0].upper()}{r.tie_note[1:]}."
    return text


def _names(names: list[str]) -> str:
    return (
        names[0] if len(names) == 1 else gettext("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])
    )


def _num(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.1f}"


def kendall_tau(a: Sequence[int], b: Sequence[int]) -> Fraction | None:
    """Kendall's tau between two orders over the cars both place: 1 same order, -1 reversed."""
    pos_a = {c: i for i, c in enumerate(a)}
    pos_b = {c: i for i, c in enumerate(b)}
    common = sorted(set(pos_a) & set(pos_b))
    if len(common) < 2:
        return None
    score = 0
    pairs = 0
    for x, y in combinations(common, 2):
        pairs += 1
        score += 1 if (pos_a[x] - pos_a[y]) * (pos_b[x] - pos_b[y]) > 0 else -1
    return Fraction(score, pairs)


@dataclass(frozen=True)
class Agreement:
    """How far the judges' orders agree: per pair, per judge (mean over co-judges), and overall."""

    pairs: dict[tuple[str, str], Fraction]
    by_judge: dict[str, Fraction]
    overall: Fraction | None


def agreement(rankings: Sequence[Ranking]) -> Agreement:
    pairs: dict[tuple[str, str], Fraction] = {}
    ordered = sorted(rankings, key=lambda r: r.ranker)
    for ra, rb in combinations(ordered, 2):
        tau = kendall_tau(ra.order, rb.order)
        if tau is not None:
            pairs[(ra.ranker, rb.ranker)] = tau
    by_judge: dict[str, Fraction] = {}
    for r in ordered:
        mine = [t for (a, b), t in pairs.items() if r.ranker in (a, b)]
        if mine:
            by_judge[r.ranker] = sum(mine, Fraction(0)) / len(mine)
    overall = sum(pairs.values(), Fraction(0)) / len(pairs) if pairs else None
    return Agreement(pairs, by_judge, overall)


NOT_ENOUGH_ORDERS = N_("not enough orders to compare")


def agreement_label(tau: Fraction | None) -> str:
    """Kendall's tau in a word or two (English, marked for translation: translate where shown)."""
    if tau is None:
        return NOT_ENOUGH_ORDERS
    if tau >= Fraction(7, 10):
        return N_("strong agreement")
    if tau >= Fraction(3, 10):
        return N_("fair agreement")
    if tau > Fraction(-3, 10):
        return N_("little agreement")
    return N_("opposed orders")


def agreement_words(tau: Fraction | None) -> str:
    """Kendall's tau for people, in the current language: ``strong agreement (Kendall's tau +0.70)``."""
    label = gettext(agreement_label(tau))
    if tau is None:
        return label
    return gettext("%(label)s (Kendall's tau %(tau)s)", label=label, tau=localize_decimal(f"{float(tau):+.2f}"))
