"""The demo's calibration story: a calibration page worth looking at.

On this year's field (in judging) one judge of class D scores below the team on every car (severe) and one judge
of class C above it (lenient); the judges otherwise agree within the event's threshold, and two cars are flagged:
class D's car where the severe judge found a wrong engine the others missed (acknowledged by the chief judge,
with a note), and class C's car its captain found would not start while the others saw it start (still to look
at).

Last year's finished edition: any car its judges disagreed on was acknowledged at certification, as the chief
judge did on the day.

Everything here is deterministic (no random draws), so the rest of the demo is what it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from statistics import median_low
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry, Event, EventClass, Judge
from concours.domain.calibration import Threshold
from concours.domain.rubric import Category
from concours.services import calibration
from concours.services import calibration_car as calibration_car_service
from concours.services.permissions import Viewer


class PlannedLine(Protocol):
    """A line of a sheet the demo plans, before its judge saves it: the value in the rubric's units, and the note."""

    category_id: int
    value_units: int
    note: str


class PlannedSheet(Protocol):
    """A sheet the demo plans for a judge on a car, before it is saved (``demo.PlannedSheet``)."""

    @property
    def entry_id(self) -> int: ...

    @property
    def judge_id(self) -> int: ...

    @property
    def status(self) -> str: ...

    @property
    def lines(self) -> Sequence[PlannedLine]: ...


S = TypeVar("S", bound=PlannedSheet)

SEVERE_CLASS, LENIENT_CLASS = "D", "C"
# Points (in units of the demo's scale, tenths) the severe judge takes off and the lenient judge adds, per category.
SEVERE = {"authenticity": -15, "condition": -10, "elegance": -5}
LENIENT = {"authenticity": 15, "condition": 10, "elegance": 10}
ACKNOWLEDGED_NOTE = (
    "Walked the car with the team: the engine is a later type, as the lower sheet says; the others had missed it. "
    "The sheets stand."
)
PAST_NOTE = "Looked at with the team at tallying: the notes on the sheets explain the difference. The sheets stand."


def _grid(category: Category, value: int) -> int:
    """The nearest value on the category's steps (counted down from the maximum for deductions), within 0..max."""
    anchor = 0 if category.mode == "points" else category.max_units % category.step_units
    snapped = anchor + round((value - anchor) / category.step_units) * category.step_units
    return max(0, min(category.max_units, snapped))


def _lines(sheet: PlannedSheet, category: Category) -> list[PlannedLine]:
    return [ln for ln in sheet.lines if ln.category_id == category.id]


def calm_the_noise(sheets: Sequence[PlannedSheet], categories: Sequence[Category], threshold: Threshold) -> None:
    """Bring each car's submitted values for a category within a quarter of the threshold of their median, so
    the only flags are the story's (the random sheets otherwise disagree a little here and there)."""
    by_car: dict[int, list[PlannedSheet]] = defaultdict(list)
    for s in sheets:
        if s.status == "submitted":
            by_car[s.entry_id].append(s)
    for car_sheets in by_car.values():
        for c in categories:
            scored = [(ln, ln.value_units) for s in car_sheets for ln in s.lines if ln.category_id == c.id]
            if len(scored) < 2:
                continue
            middle = _grid(c, median_low(v for _, v in scored))
            band = (c.max_units * threshold.permille // 1000 // 4) // c.step_units * c.step_units
            for ln, v in scored:
                ln.value_units = _grid(c, min(middle + band, max(middle - band, v)))


def _shift(sheet: PlannedSheet, categories: Sequence[Category], by: dict[str, int]) -> None:
    for c in categories:
        for ln in sheet.lines:
            if ln.category_id == c.id and c.key in by:
                ln.value_units = _grid(c, ln.value_units + by[c.key])


def shape(
    sheets: Sequence[S],
    categories: Sequence[Category],
    teams: dict[str, list[Judge]],
    cars: dict[str, list[int]],
    threshold: Threshold,
) -> tuple[Judge, Judge, S, S]:
    """Calm the noise, make one judge severe and one lenient, and flag one car of each of their classes, on the
    sheets as planned (before their judges save them). ``cars`` are the entry ids of each class in field order.
    Returns the two judges and the two sheets that flag."""
    calm_the_noise(sheets, categories, threshold)
    severe, lenient = teams[SEVERE_CLASS][-1], teams[LENIENT_CLASS][-1]
    for s in sheets:
        if s.status != "submitted":
            continue
        if s.judge_id == severe.id:
            _shift(s, categories, SEVERE)
        elif s.judge_id == lenient.id:
            _shift(s, categories, LENIENT)
    by_key = {c.key: c for c in categories}
    # Class D's second car: the severe judge deducts 8 more points for a wrong engine type.
    wrong_engine = next(s for s in sheets if s.entry_id == cars[SEVERE_CLASS][1] and s.judge_id == severe.id)
    _shift(wrong_engine, categories, {"authenticity": -80})
    for ln in _lines(wrong_engine, by_key["authenticity"]):
        ln.note = "Wrong engine type: a later block, not the one this chassis left the works with"
    # Class C's third car: its captain found it would not start (the maximum 5 off the function check); the rest of
    # the team saw it start.
    no_start = next(
        s for s in sheets if s.entry_id == cars[LENIENT_CLASS][2] and s.judge_id == teams[LENIENT_CLASS][0].id
    )
    operations = by_key["operations"]
    for ln in _lines(no_start, operations):
        ln.value_units = operations.max_units - 50
        ln.note = "Does not start"
    return severe, lenient, wrong_engine, no_start


async def acknowledge_the_story(session: AsyncSession, viewer: Viewer, entry_id: int) -> None:
    """The chief judge has already looked at class D's flagged car and let its sheets stand."""
    await calibration.acknowledge(session, viewer, entry_id, note=ACKNOWLEDGED_NOTE)


async def acknowledge_before_certifying(session: AsyncSession, viewer: Viewer, event: Event, cls: EventClass) -> None:
    """Last year's chief judge looked at each car the judges disagreed on before certifying its class."""
    for flag in await calibration.class_flags(session, event, cls):
        if not flag.reviews:
            await calibration.acknowledge(session, viewer, flag.entry_id, note=PAST_NOTE)


async def calibration_car(session: AsyncSession, viewer: Viewer, event: Event) -> None:
    """The current edition names a calibration car (the first accepted car on the lawn), as a chief judge would
    before judging starts: every judge's home offers it first."""
    entry_id = await session.scalar(
        select(Entry.id)
        .where(Entry.event_id == event.id, Entry.status == "accepted", Entry.car_number.is_not(None))
        .order_by(Entry.car_number)
        .limit(1)
    )
    if entry_id is not None and event.rubric_id is not None:
        form = {"calibration_entry": str(entry_id), "calibration_rubric": str(event.rubric_id)}
        await calibration_car_service.set_car(session, viewer, event.id, form)
