"""An entrant's own score sheets, with the judges' comments, once their class is published."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import ClassResult, Entry, Event, EventClass, Rubric, ScoreSheet, Vehicle
from concours.domain.rubric import format_units, sheet_max, sheet_total
from concours.domain.states import results_public
from concours.services import placings
from concours.services.awards import awards_for_entries
from concours.services.errors import Forbidden
from concours.services.events import to_categories


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


async def entrant_feedback(session: AsyncSession, entry: Entry, owner_name: str) -> Feedback:
    event = await session.get(Event, entry.event_id)
    cls = await session.get(EventClass, entry.class_id) if entry.class_id else None
    assert event is not None
    if cls is None or not results_public(event.status) or cls.certified_at is None:
        raise Forbidden("Your score sheets are shown once your class's results are published.")
    vehicle = await session.get(Vehicle, entry.vehicle_id)
    result = await session.scalar(select(ClassResult).where(ClassResult.entry_id == entry.id))
    sheets = (
        await session.scalars(
            select(ScoreSheet)
            .options(selectinload(ScoreSheet.lines))
            .where(ScoreSheet.entry_id == entry.id, ScoreSheet.status == "submitted")
            .order_by(ScoreSheet.id)
        )
    ).all()
    rubric_ids = {s.rubric_id for s in sheets}
    rubrics = {
        r.id: r
        for r in (
            await session.scalars(
                select(Rubric).options(selectinload(Rubric.categories)).where(Rubric.id.in_(rubric_ids))
            )
        ).all()
    }
    out: list[FeedbackSheet] = []
    for n, sheet in enumerate(sheets, start=1):
        rubric = rubrics[sheet.rubric_id]
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
        label = f"Judge {n}" + (f" — {sheet.section}" if sheet.section else "")
        out.append(
            FeedbackSheet(
                label,
                format_units(sheet_total(cats, values), rubric.scale),
                format_units(sheet_max(cats), rubric.scale),
                sheet.overall_comment,
                lines,
            )
        )
    assert vehicle is not None
    if result is not None and result.explanation.get("method") == "placings":
        notes = (await placings.notes_for_entries(session, [entry.id])).get(entry.id, [])
        return Feedback(
            event.name,
            event.starts_on.strftime("%d %B %Y"),
            event.venue,
            cls.code,
            cls.name,
            entry.car_number,
            vehicle.title,
            owner_name,
            result.rank,
            result.award,
            "",
            "",
            [],
            [f"{a.name} ({a.how})" for a in (await awards_for_entries(session, event, [entry.id])).get(entry.id, [])],
            placings=True,
            notes=notes,
        )
    return Feedback(
        event.name,
        event.starts_on.strftime("%d %B %Y"),
        event.venue,
        cls.code,
        cls.name,
        entry.car_number,
        vehicle.title,
        owner_name,
        result.rank if result else None,
        result.award if result else "",
        str(result.explanation.get("score", "")) if result else "",
        str(result.explanation.get("combine", "")) if result else "",
        out,
        [f"{a.name} ({a.how})" for a in (await awards_for_entries(session, event, [entry.id])).get(entry.id, [])],
    )
