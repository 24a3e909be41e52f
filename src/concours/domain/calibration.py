"""Calibration: how far each judge sits from their co-judges, and how far a car's sheets disagree.

**Severity** of a judge: on every car they scored alongside co-judges (the same car and, in section
judging, the same section), their total minus the mean of the co-judges' totals; severity is the mean of
these deviations over the cars (negative: a severe judge, positive: a lenient one), **spread** their
standard deviation (how consistently they sit there), and **cars** how many cars it rests on. The same
per category, on the points the judges entered.

**Disagreement** on a car: for the total (each section's total in section judging) and for each
category, the highest value minus the lowest among the car's sheets. Above the event's threshold (a
share of that line's maximum, in per mille) the car is **flagged**: the chief judge looks at it before
the class is certified.

Placings classes have no points: a judge's figure is the **agreement** of their order with their
co-judges' (Kendall's tau, see :mod:`concours.domain.placings`), and a car's disagreement is the spread
of the places the judges gave it, against a threshold in places.

A judge with a confirmed conflict on a car is left out of that car's figures (their sheet neither
counts for them nor moves the co-judges' mean). Every figure is in points of the sheet (units divided
by the rubric's scale), exact (:class:`fractions.Fraction`); only the standard deviation is a float.

Pure: no I/O.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from concours.domain.placings import Ranking, agreement
from concours.domain.rubric import Category, sheet_max, sheet_total

# Defaults: a car is flagged when its sheets differ by more than this share of a line's maximum (per mille),
# and a placings car when the judges' places for it are more than this many places apart.
DEFAULT_PERMILLE = 100
DEFAULT_PLACES = 2
MAX_PERMILLE = 1000
MAX_PLACES = 50


@dataclass(frozen=True)
class Threshold:
    """When a car's sheets disagree enough to flag it: ``permille`` of each line's maximum (points classes),
    ``places`` apart (placings classes)."""

    permille: int = DEFAULT_PERMILLE
    places: int = DEFAULT_PLACES

    def points(self, maximum: Fraction) -> Fraction:
        """The threshold on a line whose maximum is ``maximum`` points."""
        return maximum * self.permille / 1000


@dataclass(frozen=True)
class CalSheet:
    """A submitted score sheet reduced to what calibration needs: the values entered, by category key, in units."""

    sheet_id: int
    entry_id: int
    judge_id: int
    values: Mapping[str, int]
    section: str = ""


@dataclass(frozen=True)
class PointsClass:
    class_id: int
    categories: tuple[Category, ...]
    scale: int
    sheets: tuple[CalSheet, ...]


@dataclass(frozen=True)
class JudgeOrder:
    """A judge's submitted order of a placings class, best first."""

    sheet_id: int
    judge_id: int
    order: tuple[int, ...]


@dataclass(frozen=True)
class PlacingsClass:
    class_id: int
    orders: tuple[JudgeOrder, ...]


@dataclass(frozen=True)
class Line:
    """One line of a car's disagreement: the total, a section's total, a category, or (placings) the place."""

    key: str
    label: str
    values: Mapping[int, Fraction]  # judge -> points (or place)
    maximum: Fraction
    threshold: Fraction
    sheets: Mapping[int, int] = field(default_factory=dict)  # judge -> sheet id

    @property
    def spread(self) -> Fraction:
        return max(self.values.values()) - min(self.values.values())

    @property
    def flagged(self) -> bool:
        return self.spread > self.threshold

    @property
    def ratio(self) -> Fraction:
        """The spread as a share of the threshold (1 = exactly at it)."""
        return self.spread / self.threshold if self.threshold else Fraction(0)


@dataclass
class CarFigures:
    class_id: int
    entry_id: int
    method: str  # points | placings
    lines: list[Line] = field(default_factory=list)
    judges: list[int] = field(default_factory=list)  # judges whose sheets are compared
    excluded: list[int] = field(default_factory=list)  # judges left out for a confirmed conflict

    @property
    def flagged(self) -> bool:
        return any(line.flagged for line in self.lines)

    @property
    def flagged_lines(self) -> list[Line]:
        return [line for line in self.lines if line.flagged]

    @property
    def headline(self) -> Line | None:
        """The line that says most: the first flagged one by how far past its threshold, else the total."""
        if not self.lines:
            return None
        flagged = self.flagged_lines
        if flagged:
            return max(flagged, key=lambda line: line.ratio)
        return self.lines[0]


@dataclass
class JudgeFigures:
    judge_id: int
    deviations: list[Fraction] = field(default_factory=list)  # per car: total minus the co-judges' mean
    by_category: dict[str, list[Fraction]] = field(default_factory=dict)
    taus: list[Fraction] = field(default_factory=list)  # placings: mean tau with co-judges, per class

    @property
    def cars(self) -> int:
        return len(self.deviations)

    @property
    def severity(self) -> Fraction | None:
        return mean(self.deviations)

    @property
    def spread(self) -> float | None:
        return std_dev(self.deviations)

    @property
    def category_severity(self) -> dict[str, Fraction]:
        return {k: m for k, v in self.by_category.items() if (m := mean(v)) is not None}

    @property
    def agreement(self) -> Fraction | None:
        return mean(self.taus)


@dataclass
class Calibration:
    judges: dict[int, JudgeFigures]
    cars: list[CarFigures]
    category_names: dict[str, str]

    @property
    def flagged(self) -> list[CarFigures]:
        return [c for c in self.cars if c.flagged]


def mean(values: Sequence[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def std_dev(values: Sequence[Fraction]) -> float | None:
    """Population standard deviation; None under two values (one car says nothing about consistency)."""
    if len(values) < 2:
        return None
    m = sum(values, Fraction(0)) / len(values)
    return math.sqrt(sum(((v - m) ** 2 for v in values), Fraction(0)) / len(values))


def _points_class(
    cls: PointsClass,
    threshold: Threshold,
    conflicts: Collection[tuple[int, int]],
    judges: dict[int, JudgeFigures],
    names: dict[str, str],
) -> list[CarFigures]:
    scale = Fraction(cls.scale)
    for c in cls.categories:
        names.setdefault(c.key, c.name)
    sections = {s.section for s in cls.sheets}
    by_car: dict[int, list[CalSheet]] = defaultdict(list)
    for s in cls.sheets:
        by_car[s.entry_id].append(s)
    cars: list[CarFigures] = []
    for entry_id in sorted(by_car):
        sheets = sorted(by_car[entry_id], key=lambda s: (s.section, s.judge_id, s.sheet_id))
        kept = [s for s in sheets if (s.judge_id, entry_id) not in conflicts]
        car = CarFigures(
            cls.class_id,
            entry_id,
            "points",
            judges=sorted({s.judge_id for s in kept}),
            excluded=sorted({s.judge_id for s in sheets if (s.judge_id, entry_id) in conflicts}),
        )
        for section in sorted(sections):
            group = [s for s in kept if s.section == section]
            cats = [c for c in cls.categories if not section or (c.section or "") == section]
            _compare(car, group, cats, scale, section, threshold, judges)
        cars.append(car)
    return cars


def _compare(
    car: CarFigures,
    group: list[CalSheet],
    cats: list[Category],
    scale: Fraction,
    section: str,
    threshold: Threshold,
    judges: dict[int, JudgeFigures],
) -> None:
    """One car's sheets for one section (the whole sheet outside section judging): its lines and each judge's
    deviation from the others."""
    if len(group) < 2:
        return
    totals = {s.judge_id: sheet_total(cats, s.values) / scale for s in group}
    sheet_ids = {s.judge_id: s.sheet_id for s in group}
    maximum = sheet_max(cats) / scale
    label = f"{section.replace('_', ' ').capitalize()} total" if section else "Total"
    car.lines.append(
        Line(f"total:{section}" if section else "total", label, totals, maximum, threshold.points(maximum), sheet_ids)
    )
    for c in cats:
        values = {s.judge_id: Fraction(s.values[c.key]) / scale for s in group if c.key in s.values}
        if len(values) >= 2:
            cmax = Fraction(c.max_units) / scale
            car.lines.append(Line(c.key, c.name, values, cmax, threshold.points(cmax), sheet_ids))
    for s in group:
        others = [t for t in group if t is not s]
        figures = judges.setdefault(s.judge_id, JudgeFigures(s.judge_id))
        figures.deviations.append(
            totals[s.judge_id] - sum((totals[t.judge_id] for t in others), Fraction(0)) / len(others)
        )
        for c in cats:
            if c.key not in s.values:
                continue
            theirs = [Fraction(t.values[c.key]) for t in others if c.key in t.values]
            if theirs:
                dev = (Fraction(s.values[c.key]) - sum(theirs, Fraction(0)) / len(theirs)) / scale
                figures.by_category.setdefault(c.key, []).append(dev)


def _placings_class(
    cls: PlacingsClass,
    threshold: Threshold,
    conflicts: Collection[tuple[int, int]],
    judges: dict[int, JudgeFigures],
) -> list[CarFigures]:
    orders = [
        JudgeOrder(o.sheet_id, o.judge_id, tuple(c for c in o.order if (o.judge_id, c) not in conflicts))
        for o in sorted(cls.orders, key=lambda o: (o.judge_id, o.sheet_id))
    ]
    agreed = agreement([Ranking(str(o.judge_id), o.order) for o in orders])
    for o in orders:
        tau = agreed.by_judge.get(str(o.judge_id))
        if tau is not None:
            judges.setdefault(o.judge_id, JudgeFigures(o.judge_id)).taus.append(tau)
    cars_in_class = sorted({c for o in cls.orders for c in o.order})
    out: list[CarFigures] = []
    for entry_id in cars_in_class:
        places = {o.judge_id: Fraction(o.order.index(entry_id) + 1) for o in orders if entry_id in o.order}
        car = CarFigures(
            cls.class_id,
            entry_id,
            "placings",
            judges=sorted(places),
            excluded=sorted({o.judge_id for o in cls.orders if (o.judge_id, entry_id) in conflicts}),
        )
        if len(places) >= 2:
            car.lines.append(
                Line(
                    "place",
                    "Place",
                    places,
                    Fraction(len(cars_in_class)),
                    Fraction(threshold.places),
                    {o.judge_id: o.sheet_id for o in orders if entry_id in o.order},
                )
            )
        out.append(car)
    return out


def calibrate(
    points_classes: Iterable[PointsClass],
    placings_classes: Iterable[PlacingsClass] = (),
    *,
    threshold: Threshold = Threshold(),
    conflicts: Collection[tuple[int, int]] = (),
) -> Calibration:
    """The calibration figures of an event's judging. ``conflicts`` are confirmed (judge, entry) pairs."""
    judges: dict[int, JudgeFigures] = {}
    names: dict[str, str] = {}
    cars: list[CarFigures] = []
    conflict_set = set(conflicts)
    for pc in points_classes:
        cars.extend(_points_class(pc, threshold, conflict_set, judges, names))
    for lc in placings_classes:
        cars.extend(_placings_class(lc, threshold, conflict_set, judges))
    return Calibration(judges, cars, names)


def severity_words(severity: Fraction | None) -> str:
    """A severity for people: how many points above or below the co-judges, on average."""
    if severity is None:
        return "no co-judged cars"
    if severity == 0:
        return "level with the co-judges"
    return f"{signed(severity)} points {'above' if severity > 0 else 'below'} the co-judges on average"


def signed(value: Fraction | float | None, places: int = 1) -> str:
    """``+2.5``, ``−3.0`` (a true minus sign), ``0.0``."""
    if value is None:
        return "—"
    number = round(float(value), places)
    if number == 0:
        return f"{0:.{places}f}"
    return f"{'+' if number > 0 else '−'}{abs(number):.{places}f}"


def points(value: Fraction | float | None, places: int = 1) -> str:
    """A figure in points, at most ``places`` decimals, trailing zeros dropped: ``2.5``, ``10``."""
    if value is None:
        return "—"
    text = f"{float(value):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- the calibration car ------------------------------------------------------------------------------------------


def median(values: Sequence[Fraction]) -> Fraction | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(frozen=True)
class CarDeviation:
    """One judge's sheet on the calibration car: their total and, for the total and each category, how far it sits
    from the median of the other judges' (positive: more lenient than the others; None with no other sheet)."""

    judge_id: int
    total: Fraction
    deviation: Fraction | None
    by_category: Mapping[str, Fraction | None]


def calibration_car(
    sheets: Iterable[CalSheet], categories: Sequence[Category], scale: int, conflicts: Collection[tuple[int, int]] = ()
) -> list[CarDeviation]:
    """Each judge's deviation on the event's calibration car from the median of the others, in points of the sheet.
    A judge with a confirmed conflict on the car is left out (their sheet moves no one's median)."""
    kept = [s for s in sheets if (s.judge_id, s.entry_id) not in conflicts]
    frac_scale = Fraction(scale)
    totals = {s.judge_id: sheet_total(categories, s.values) / frac_scale for s in kept}
    out = []
    for s in sorted(kept, key=lambda s: s.judge_id):
        others = [t for t in kept if t is not s]
        mid = median([totals[t.judge_id] for t in others])
        by_category: dict[str, Fraction | None] = {}
        for c in categories:
            if c.key not in s.values:
                continue
            theirs = median([Fraction(t.values[c.key]) for t in others if c.key in t.values])
            by_category[c.key] = (Fraction(s.values[c.key]) - theirs) / frac_scale if theirs is not None else None
        out.append(
            CarDeviation(
                s.judge_id, totals[s.judge_id], totals[s.judge_id] - mid if mid is not None else None, by_category
            )
        )
    return out
