"""An entrant's own score sheets, with the judges' comments, once their class is published."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import ClassResult, Entrant, Entry, Event, EventClass, Rubric, ScoreSheet, User, Vehicle
from concours.domain.rubric import format_units, sheet_max, sheet_total
from concours.domain.states import results_public
from concours.i18n import format_date, gettext
from concours.services import placings
from concours.services.awards import awards_for_entries
from concours.services.errors import Forbidden
from concours.services.events import load_rubrics, to_categories


@dataclass
class FeedbackLine:
    name: str
    mode: str
    value: str
    maximum: str
    deduction: str
    note: str


@dataclass
class FeedbackSheet:
    label: str
    total: str
    maximum: str
    comment: str
    lines: list[FeedbackLine]


@dataclass
class Feedback:
    event_name: str
    event_date: str
    venue: str
    class_code: str
    class_name: str
    car_number: int | None
    title: str
    owner: str
    rank: int | None
    award: str
    score: str
    combine: str
    sheets: list[FeedbackSheet]
    special_awards: list[str] = field(default_factory=list)  # "Best of Show (secret ballot of the judges)"
    # A placings class: a place and the judges' notes, no points.
    placings: bool = False
    notes: list[str] = field(default_factory=list)
    vehicle_id: int | None = None  # the car, for its photo on the printed report
    no_award: str = ""  # why the car has no class award, in points, as certified ("placed 4th: ...")
    class_id: int | None = None  # the class, for its certification's code on the printed report
    track: str = ""  # with award tracks: the award the car competed for and why, as certified


async def entrant_feedback(session: AsyncSession, entry: Entry, owner_name: str) -> Feedback:
    """The entrant's own sheets (refused until their class's results are published)."""
    event = await session.get(Event, entry.event_id)
    cls = await session.get(EventClass, entry.class_id) if entry.class_id else None
    assert event is not None
    if cls is None or not results_public(event.status) or cls.certified_at is None:
        raise Forbidden("Your score sheets are shown once your class's results are published.")
    vehicle = await session.get(Vehicle, entry.vehicle_id)
    assert vehicle is not None
    car = _Car(entry.id, entry.car_number, vehicle.title, owner_name, cls, vehicle.id)
    return (await _feedback(session, event, [car]))[0]


async def event_feedback(session: AsyncSession, event: Event) -> list[Feedback]:
    """Every judged car's feedback in the event's certified classes, in car-number order: what the organizer
    prints as all entrants' score reports (a fixed number of queries, whatever the size of the show)."""
    rows = (
        await session.execute(
            select(
                Entry.id, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model, User.name, EventClass, Vehicle.id
            )
            .join(ClassResult, ClassResult.entry_id == Entry.id)
            .join(EventClass, EventClass.id == ClassResult.class_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(Entry.event_id == event.id, EventClass.certified_at.is_not(None))
            .order_by(Entry.car_number.is_(None), Entry.car_number, Entry.id)
        )
    ).all()
    cars = [
        _Car(eid, number, f"{year} {make} {model}", owner, cls, vid)
        for eid, number, year, make, model, owner, cls, vid in rows
    ]
    return await _feedback(session, event, cars)


@dataclass(frozen=True)
class _Car:
    entry_id: int
    car_number: int | None
    title: str
    owner: str
    cls: EventClass
    vehicle_id: int | None = None


def _sheet(n: int, sheet: ScoreSheet, rubric: Rubric) -> FeedbackSheet:
    cats = to_categories(rubric.categories)
    by_cat = {ln.category_id: ln for ln in sheet.lines}
    values = {c.key: by_cat[c.id].value_units if c.id in by_cat else None for c in cats}
    lines = []
    for c in cats:
        ln = by_cat.get(c.id) if c.id is not None else None
        v = ln.value_units if ln else None
        lines.append(
            FeedbackLine(
                c.name,
                c.mode,
                format_units(v, rubric.scale),
                format_units(c.max_units, rubric.scale),
                format_units(c.max_units - v, rubric.scale)
                if c.mode == "deduction" and v is not None and v < c.max_units
                else "",
                ln.note if ln else "",
            )
        )
    label = gettext("Judge %(n)s", n=n) + (f" — {sheet.section}" if sheet.section else "")
    return FeedbackSheet(
        label,
        format_units(sheet_total(cats, values), rubric.scale),
        format_units(sheet_max(cats), rubric.scale),
        sheet.overall_comment,
        lines,
    )


async def _feedback(session: AsyncSession, event: Event, cars: list[_Car]) -> list[Feedback]:
    """The feedback of these cars, in their order: results, submitted sheets, rubrics, placings notes and special
    awards each loaded once for all of them."""
    ids = [c.entry_id for c in cars]
    if not ids:
        return []
    results = {
        r.entry_id: r for r in (await session.scalars(select(ClassResult).where(ClassResult.entry_id.in_(ids)))).all()
    }
    sheets: dict[int, list[ScoreSheet]] = {}
    for sheet in (
        await session.scalars(
            select(ScoreSheet)
            .options(selectinload(ScoreSheet.lines))
            .where(ScoreSheet.entry_id.in_(ids), ScoreSheet.status == "submitted", ScoreSheet.calibration.is_(False))
            .order_by(ScoreSheet.id)
        )
    ).all():
        sheets.setdefault(sheet.entry_id, []).append(sheet)
    rubric_ids = {s.rubric_id for listed in sheets.values() for s in listed}
    rubrics = await load_rubrics(session, rubric_ids)
    placings_ids = [i for i in ids if i in results and results[i].explanation.get("method") == "placings"]
    notes = await placings.notes_for_entries(session, placings_ids)
    awards = await awards_for_entries(session, event, ids)
    date = format_date(event.starts_on)
    out = []
    for car in cars:
        result = results.get(car.entry_id)
        special = [f"{a.name} ({a.how})" for a in awards.get(car.entry_id, [])]
        head = (event.name, date, event.venue, car.cls.code, car.cls.name, car.car_number, car.title, car.owner)
        if result is not None and result.explanation.get("method") == "placings":
            out.append(
                Feedback(
                    *head,
                    result.rank,
                    result.award,
                    "",
                    "",
                    [],
                    special,
                    placings=True,
                    notes=notes.get(car.entry_id, []),
                    vehicle_id=car.vehicle_id,
                    no_award=str(result.explanation.get("no_award", "")),
                    class_id=car.cls.id,
                )
            )
            continue
        out.append(
            Feedback(
                *head,
                result.rank if result else None,
                result.award if result else "",
                str(result.explanation.get("score", "")) if result else "",
                str(result.explanation.get("combine", "")) if result else "",
                [
                    _sheet(n, sheet, rubrics[sheet.rubric_id])
                    for n, sheet in enumerate(sheets.get(car.entry_id, []), start=1)
                ],
                special,
                vehicle_id=car.vehicle_id,
                no_award=str(result.explanation.get("no_award") or result.explanation.get("ineligible") or "")
                if result
                else "",
                class_id=car.cls.id,
                track=str(result.explanation.get("track", "")) if result else "",
            )
        )
    return out
