"""Calibration of an event's judging: each judge's severity, each car's disagreement, the flags the chief
judge looks at before certifying a class, and a judge's severity over past events for the organizer.

The figures come from :mod:`concours.domain.calibration`; this module loads what they rest on in a fixed
number of queries (submitted sheets and orders, conflicts, the threshold, who looked at which flagged car)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    AuditLog,
    CalibrationReview,
    Conflict,
    Entry,
    Event,
    EventClass,
    Judge,
    JudgingSystem,
    PlacingLine,
    PlacingSheet,
    ScoreLine,
    ScoreSheet,
    User,
    Vehicle,
)
from concours.domain import calibration as cal
from concours.domain.placings import agreement_words
from concours.domain.rubric import Category
from concours.i18n import format_date, gettext, localize_decimal, ngettext
from concours.services import audit, class_systems
from concours.services.errors import FormErrors, NotFound, ServiceError
from concours.services.events import load_rubrics, to_categories
from concours.services.permissions import (
    Viewer,
    conflict_binds,
    event_for_chief_judge,
    event_for_organizer,
    require_in_event,
    why_not_run_judging,
)

MAX_NOTE = 1000


# -- loading ----------------------------------------------------------------------------------------------------


async def binding_conflicts(session: AsyncSession, event_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The (judge, entry) pairs a confirmed conflict binds at these events: a conflict names the car, its
    entrant or its whole class (one query)."""
    ids = list(event_ids)
    if not ids:
        return set()
    rows = (
        await session.execute(
            select(Conflict.judge_id, Entry.id)
            .join(
                Entry,
                (Entry.event_id == Conflict.event_id)
                & or_(
                    Conflict.entry_id == Entry.id,
                    Conflict.entrant_id == Entry.entrant_id,
                    Conflict.class_id == Entry.class_id,
                ),
            )
            .where(Conflict.event_id.in_(ids), conflict_binds())
        )
    ).all()
    return {(judge_id, entry_id) for judge_id, entry_id in rows}


async def threshold_of(session: AsyncSession, event: Event) -> cal.Threshold:
    row = (
        await session.execute(
            select(JudgingSystem.disagreement_permille, JudgingSystem.disagreement_places).where(
                JudgingSystem.event_id == event.id
            )
        )
    ).first()
    return cal.Threshold(row[0], row[1]) if row is not None else cal.Threshold()


@dataclass
class _Loaded:
    """What one event's figures rest on."""

    calibration: cal.Calibration
    threshold: cal.Threshold
    classes: dict[int, EventClass]
    methods: dict[int, str]
    team_codes: list[str]  # classes judged by one consensus sheet per car: nothing to compare


async def sheet_values(
    session: AsyncSession, sheet_ids: list[int], key_of: dict[int, str]
) -> dict[int, dict[str, int]]:
    """The scored lines of these sheets: sheet id -> category key -> units (categories outside ``key_of`` left out)."""
    values: dict[int, dict[str, int]] = defaultdict(dict)
    if not sheet_ids:
        return values
    lines = await session.execute(
        select(ScoreLine.sheet_id, ScoreLine.category_id, ScoreLine.value_units).where(
            ScoreLine.sheet_id.in_(sheet_ids), ScoreLine.value_units.is_not(None)
        )
    )
    for sheet_id, category_id, units in lines.all():
        if category_id in key_of:
            values[sheet_id][key_of[category_id]] = units
    return values


async def _load(session: AsyncSession, event: Event, class_ids: list[int] | None = None) -> _Loaded:
    """Every submitted sheet and order of the event's judged classes (or of ``class_ids``), reduced to the domain's
    input; a fixed number of queries however large the show."""
    query = select(EventClass).where(EventClass.event_id == event.id)
    if class_ids is not None:
        query = query.where(EventClass.id.in_(class_ids))
    classes = {c.id: c for c in (await session.scalars(query.order_by(EventClass.position, EventClass.code))).all()}
    threshold = await threshold_of(session, event)
    has_system = await session.scalar(select(JudgingSystem.id).where(JudgingSystem.event_id == event.id))
    judging = await class_systems.class_judging(session, event, list(classes)) if classes and has_system else {}
    methods = {cid: j.method for cid, j in judging.items()}
    points_ids = [cid for cid, m in methods.items() if m == "points"]
    placings_ids = [cid for cid, m in methods.items() if m == "placings"]

    sheets = (
        (
            await session.execute(
                select(
                    ScoreSheet.id,
                    ScoreSheet.entry_id,
                    ScoreSheet.judge_id,
                    ScoreSheet.section,
                    ScoreSheet.rubric_id,
                    Entry.class_id,
                )
                .join(Entry, Entry.id == ScoreSheet.entry_id)
                .where(
                    Entry.class_id.in_(points_ids),
                    Entry.status == "accepted",
                    Entry.absent_reason == "",
                    ScoreSheet.status == "submitted",
                    ScoreSheet.calibration.is_(False),
                    ScoreSheet.judge_id.is_not(None),
                )
            )
        ).all()
        if points_ids
        else []
    )
    rubric_ids = {s.rubric_id for s in sheets} | {classes[c].rubric_id or event.rubric_id or 0 for c in points_ids}
    rubrics = await load_rubrics(session, rubric_ids)
    key_of = {c.id: c.key for r in rubrics.values() for c in r.categories}
    values = await sheet_values(session, [s.id for s in sheets], key_of)
    by_class: dict[int, list[cal.CalSheet]] = defaultdict(list)
    for s in sheets:
        by_class[s.class_id].append(cal.CalSheet(s.id, s.entry_id, s.judge_id, values.get(s.id, {}), s.section))
    points_classes = []
    for cid in points_ids:
        rubric = rubrics.get(classes[cid].rubric_id or event.rubric_id or 0)
        categories: tuple[Category, ...] = tuple(to_categories(rubric.categories)) if rubric else ()
        scale = rubric.scale if rubric else 10
        points_classes.append(cal.PointsClass(cid, categories, scale, tuple(by_class.get(cid, []))))

    orders = (
        (
            await session.execute(
                select(PlacingSheet.id, PlacingSheet.class_id, PlacingSheet.judge_id).where(
                    PlacingSheet.class_id.in_(placings_ids),
                    PlacingSheet.status == "submitted",
                    PlacingSheet.judge_id.is_not(None),
                )
            )
        ).all()
        if placings_ids
        else []
    )
    placed: dict[int, list[int]] = defaultdict(list)
    if orders:
        for sheet_id, entry_id in (
            await session.execute(
                select(PlacingLine.sheet_id, PlacingLine.entry_id)
                .join(Entry, Entry.id == PlacingLine.entry_id)
                .where(
                    PlacingLine.sheet_id.in_([o.id for o in orders]),
                    Entry.status == "accepted",
                    Entry.absent_reason == "",
                )
                .order_by(PlacingLine.sheet_id, PlacingLine.position)
            )
        ).all():
            placed[sheet_id].append(entry_id)
    placings_classes = [
        cal.PlacingsClass(
            cid,
            tuple(cal.JudgeOrder(o.id, o.judge_id, tuple(placed.get(o.id, []))) for o in orders if o.class_id == cid),
        )
        for cid in placings_ids
    ]
    conflicts = await binding_conflicts(session, [event.id])
    figures = cal.calibrate(points_classes, placings_classes, threshold=threshold, conflicts=conflicts)
    team = [classes[cid].code for cid, j in judging.items() if j.method != "display" and j.system.sheet_mode == "team"]
    return _Loaded(figures, threshold, classes, methods, team)


# -- who looked at a flagged car --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """How the chief judge looked at a flagged car: ``acknowledged`` with a note, or ``reopened`` a sheet."""

    kind: str
    note: str
    by: str
    at: datetime
    figures: str = ""

    @property
    def text(self) -> str:
        what = "acknowledged" if self.kind == "acknowledged" else "reopened a sheet"
        return f"{self.by} {what}: {self.note}"


async def reviews_of(session: AsyncSession, event: Event, entry_ids: Iterable[int]) -> dict[int, list[Review]]:
    """The acknowledgements and the reopened sheets (with their reasons) of these cars, oldest first."""
    ids = list(entry_ids)
    out: dict[int, list[Review]] = defaultdict(list)
    if not ids:
        return out
    for review, name in (
        await session.execute(
            select(CalibrationReview, User.name)
            .outerjoin(User, User.id == CalibrationReview.reviewed_by_id)
            .where(CalibrationReview.entry_id.in_(ids))
        )
    ).all():
        out[review.entry_id].append(Review("acknowledged", review.note, name or "—", review.created_at, review.figures))
    # Reopened score sheets of these cars; a reopened order of a placings class counts for every car it places.
    reopened = (
        await session.execute(
            select(AuditLog, User.name, ScoreSheet.entry_id, PlacingLine.entry_id)
            .outerjoin(User, User.id == AuditLog.user_id)
            .outerjoin(ScoreSheet, (AuditLog.entity_type == "score_sheet") & (ScoreSheet.id == AuditLog.entity_id))
            .outerjoin(
                PlacingLine, (AuditLog.entity_type == "placing_sheet") & (PlacingLine.sheet_id == AuditLog.entity_id)
            )
            .where(
                AuditLog.event_id == event.id,
                AuditLog.action == "reopen",
                AuditLog.entity_type.in_(("score_sheet", "placing_sheet")),
                or_(ScoreSheet.entry_id.in_(ids), PlacingLine.entry_id.in_(ids)),
            )
            .order_by(AuditLog.at, AuditLog.id)
        )
    ).all()
    for log, name, sheet_entry, placed_entry in reopened:
        entry_id = sheet_entry if sheet_entry is not None else placed_entry
        reason = str((log.after or {}).get("reason", ""))
        out[entry_id].append(Review("reopened", reason, name or "—", log.at))
    for reviews in out.values():
        reviews.sort(key=lambda r: r.at)
    return out


# -- the page ---------------------------------------------------------------------------------------------------


@dataclass
class LineView:
    label: str  # in the reader's language
    spread: str  # the number, written as the reader's language writes it
    threshold: str
    flagged: bool
    unit: str  # "points" | "places"
    values: list[tuple[str, str, int | None]]  # judge, value, sheet id (score sheets only)

    @property
    def amount(self) -> str:
        """The spread with its unit: ``4.5 points`` / ``4,5 points``, ``1 place``."""
        return _amount(self.spread, self.unit)


@dataclass
class CarView:
    entry_id: int
    class_id: int
    class_code: str
    car_number: int | None
    title: str
    method: str
    flagged: bool
    lines: list[LineView]
    headline: LineView | None
    ratio: float  # the headline's spread over its threshold (1 = at the threshold), for the chart
    judges: int
    excluded: list[str]
    reviews: list[Review]
    certified: bool

    @property
    def reviewed(self) -> bool:
        return bool(self.reviews)


@dataclass
class JudgeView:
    judge_id: int
    name: str
    severity: float | None
    severity_text: str
    spread: str
    cars: int
    categories: list[tuple[str, str]]  # category name, signed severity
    agreement: str  # placings: Kendall's tau with co-judges, in words
    agreement_value: float | None


@dataclass
class CalibrationPage:
    event: Event
    percent: str
    places: int
    judges: list[JudgeView]
    cars: list[CarView]
    team_classes: list[str] = field(default_factory=list)  # one consensus sheet per car: nothing to compare

    @property
    def flagged(self) -> list[CarView]:
        return [c for c in self.cars if c.flagged]

    @property
    def awaiting(self) -> list[CarView]:
        return [c for c in self.flagged if not c.reviewed and not c.certified]

    @property
    def scale_max(self) -> float:
        """The largest |severity| on the chart's axis, rounded up to a whole point (at least 1)."""
        biggest = max((abs(j.severity) for j in self.judges if j.severity is not None), default=0.0)
        return float(max(1, int(biggest) + (0 if biggest == int(biggest) else 1)))

    @property
    def ratio_max(self) -> float:
        return max([2.0] + [c.ratio for c in self.cars])


async def _names(session: AsyncSession, judge_ids: Iterable[int]) -> dict[int, str]:
    ids = list(judge_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(Judge.id, User.name).join(User, User.id == Judge.user_id).where(Judge.id.in_(ids))
    )
    return {judge_id: name for judge_id, name in rows.all()}


def _figure(value: Fraction, unit: str) -> str:
    return localize_decimal(cal.points(value, 0 if unit == "places" else 2))


def _signed(value: Fraction | float | None, places: int = 1) -> str:
    return localize_decimal(cal.signed(value, places))


def _amount(figure: str, unit: str) -> str:
    """A figure (already written for the reader) with its unit, singular or plural as the language wants."""
    try:
        number = float(figure.replace(",", ".").replace("\u202f", "").replace("\xa0", ""))
    except ValueError:
        number = 2.0
    n = int(number) if number == int(number) else 2
    if unit == "places":
        return ngettext("%(figure)s place", "%(figure)s places", n, figure=figure)
    return ngettext("%(figure)s point", "%(figure)s points", n, figure=figure)


def line_label(line: cal.Line) -> str:
    """A line's name in the reader's language: the total, a section's total, the place; a category by its name."""
    if line.key == "total":
        return gettext("Total")
    if line.key.startswith("total:"):
        return gettext("%(section)s total", section=line.key.split(":", 1)[1].replace("_", " ").capitalize())
    if line.key == "place":
        return gettext("Place")
    return line.label


def _line_view(line: cal.Line, unit: str, names: dict[int, str]) -> LineView:
    return LineView(
        line_label(line),
        _figure(line.spread, unit),
        _figure(line.threshold, unit),
        line.flagged,
        unit,
        [
            (names.get(j, "?"), _figure(v, unit), line.sheets.get(j) if unit == "points" else None)
            for j, v in sorted(line.values.items(), key=lambda jv: names.get(jv[0], ""))
        ],
    )


def figures_text(car: cal.CarFigures) -> str:
    """What made the car flagged, in words: ``Total 18 points apart (threshold 15); Exterior 16 (9)``."""
    unit = "places" if car.method == "placings" else "points"
    return "; ".join(
        gettext(
            "%(label)s %(amount)s apart (threshold %(threshold)s)",
            label=line_label(ln),
            amount=_amount(_figure(ln.spread, unit), unit),
            threshold=_figure(ln.threshold, unit),
        )
        for ln in car.flagged_lines
    )


async def page(session: AsyncSession, viewer: Viewer, event_id: int) -> CalibrationPage:
    """The calibration page for the chief judge and the organizer: judges side by side, every car's disagreement."""
    event = await event_for_chief_judge(session, viewer, event_id)
    loaded = await _load(session, event)
    figures = loaded.calibration
    entries = (
        {
            e.id: e
            for e in (
                await session.execute(
                    select(Entry.id, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model)
                    .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                    .where(Entry.id.in_([c.entry_id for c in figures.cars]))
                )
            ).all()
        }
        if figures.cars
        else {}
    )
    judge_ids = set(figures.judges) | {j for c in figures.cars for j in c.judges + c.excluded}
    names = await _names(session, judge_ids)
    reviews = await reviews_of(session, event, [c.entry_id for c in figures.flagged])
    cars: list[CarView] = []
    for c in figures.cars:
        e = entries.get(c.entry_id)
        unit = "places" if c.method == "placings" else "points"
        lines = [_line_view(ln, unit, names) for ln in c.lines]
        head = c.headline
        cls = loaded.classes[c.class_id]
        cars.append(
            CarView(
                c.entry_id,
                c.class_id,
                cls.code,
                e.car_number if e else None,
                f"{e.year} {e.make} {e.model}" if e else "",
                c.method,
                c.flagged,
                lines,
                _line_view(head, unit, names) if head else None,
                float(head.ratio) if head else 0.0,
                len(c.judges),
                [names.get(j, "?") for j in c.excluded],
                reviews.get(c.entry_id, []) if c.flagged else [],
                cls.certified_at is not None,
            )
        )
    cars.sort(key=lambda v: (not v.flagged, -v.ratio, v.class_code, v.car_number or 0))
    judges = []
    for j in sorted(figures.judges.values(), key=lambda f: names.get(f.judge_id, "")):
        sev = j.severity
        agree = j.agreement
        judges.append(
            JudgeView(
                j.judge_id,
                names.get(j.judge_id, "?"),
                float(sev) if sev is not None else None,
                _signed(sev),
                localize_decimal(cal.points(j.spread, 1)),
                j.cars,
                [
                    (figures.category_names.get(k, k), _signed(v))
                    for k, v in sorted(
                        j.category_severity.items(), key=lambda kv: figures.category_names.get(kv[0], "")
                    )
                ],
                agreement_words(agree) if j.taus else "",
                float(agree) if agree is not None else None,
            )
        )
    return CalibrationPage(
        event,
        localize_decimal(cal.points(Fraction(loaded.threshold.permille, 10), 1)),
        loaded.threshold.places,
        judges,
        cars,
        loaded.team_codes,
    )


# -- certification and acknowledgement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    entry_id: int
    car_number: int | None
    title: str
    figures: str
    reviews: tuple[Review, ...]


async def class_flags(session: AsyncSession, event: Event, cls: EventClass) -> list[Flag]:
    """The class's flagged cars, each with how the chief judge looked at it (none yet: certifying waits)."""
    loaded = await _load(session, event, [cls.id])
    flagged = loaded.calibration.flagged
    if not flagged:
        return []
    entries = {
        e.id: e
        for e in (
            await session.execute(
                select(Entry.id, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model)
                .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                .where(Entry.id.in_([c.entry_id for c in flagged]))
            )
        ).all()
    }
    reviews = await reviews_of(session, event, [c.entry_id for c in flagged])
    return [
        Flag(
            c.entry_id,
            entries[c.entry_id].car_number,
            f"{entries[c.entry_id].year} {entries[c.entry_id].make} {entries[c.entry_id].model}",
            figures_text(c),
            tuple(reviews.get(c.entry_id, [])),
        )
        for c in sorted(flagged, key=lambda c: (entries[c.entry_id].car_number or 0, c.entry_id))
    ]


async def entry_for_review(session: AsyncSession, viewer: Viewer, entry_id: int) -> tuple[Entry, EventClass, Event]:
    """A car in judging and its class and event, if the viewer runs the event's judging."""
    row = (
        await session.execute(
            select(Entry, EventClass, Event)
            .join(EventClass, EventClass.id == Entry.class_id)
            .join(Event, Event.id == Entry.event_id)
            .where(Entry.id == entry_id, Entry.status == "accepted")
        )
    ).first()
    if row is None:
        raise NotFound(gettext("There is no such car in judging."))
    entry, cls, event = row._tuple()
    require_in_event(
        why_not_run_judging(viewer, event.id), viewer, event, hide=gettext("There is no such car in judging.")
    )
    return entry, cls, event


async def acknowledge(session: AsyncSession, viewer: Viewer, entry_id: int, *, note: str) -> Event:
    """The chief judge has looked at a flagged car and lets its sheets stand, saying why.

    Steps: authorize by loading the car; guard (a note, the class not certified, the car flagged); write the
    acknowledgement (a second one replaces the first); audit with the figures it answers."""
    entry, cls, event = await entry_for_review(session, viewer, entry_id)
    note = note.strip()
    if len(note) < 5:
        raise FormErrors(
            {f"note-{entry_id}": gettext("Say what you looked at and why the sheets stand (a few words at least).")}
        )
    if len(note) > MAX_NOTE:
        raise FormErrors({f"note-{entry_id}": gettext("Keep the note under %(n)s characters.", n=MAX_NOTE)})
    if cls.certified_at is not None:
        raise ServiceError(
            gettext("Class %(code)s is certified; reopen its results to review its cars again.", code=cls.code)
        )
    loaded = await _load(session, event, [cls.id])
    car = next((c for c in loaded.calibration.flagged if c.entry_id == entry_id), None)
    if car is None:
        raise ServiceError(
            gettext("Car #%(number)s is not flagged: its judges agree within the threshold.", number=entry.car_number)
        )
    figures = figures_text(car)
    review = await session.scalar(select(CalibrationReview).where(CalibrationReview.entry_id == entry_id))
    before = {"note": review.note, "figures": review.figures} if review is not None else None
    if review is None:
        review = CalibrationReview(event_id=event.id, class_id=cls.id, entry_id=entry_id, note=note)
        session.add(review)
    review.note, review.figures, review.reviewed_by_id = note, figures, viewer.user_id
    await session.flush()
    audit.record(
        session,
        entity_type="entry",
        entity_id=entry_id,
        action="calibration_acknowledge",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after={"note": note, "figures": figures, "class": cls.code},
    )
    return event


def unreviewed_message(cls: EventClass, flags: list[Flag]) -> str | None:
    """Why certifying the class waits for the chief judge, naming each flagged car not looked at; None if none."""
    waiting = [f for f in flags if not f.reviews]
    if not waiting:
        return None
    cars = "; ".join(f"#{f.car_number} {f.title} ({f.figures})" for f in waiting)
    return ngettext(
        "Class %(code)s cannot be certified yet: the judges' sheets of %(num)s car disagrees beyond the event's "
        "threshold: %(cars)s. On the calibration page, reopen a sheet with a reason or acknowledge each car with a "
        "note.",
        "Class %(code)s cannot be certified yet: the judges' sheets of %(num)s cars disagree beyond the event's "
        "threshold: %(cars)s. On the calibration page, reopen a sheet with a reason or acknowledge each car with a "
        "note.",
        len(waiting),
        code=cls.code,
        cars=cars,
    )


# -- a judge over past events, for the organizer -----------------------------------------------------------------


@dataclass(frozen=True)
class PastSeverity:
    event_id: int
    event_name: str
    starts_on: str
    severity: str
    spread: str
    cars: int
    agreement: str
    value: float | None


@dataclass
class JudgeHistory:
    event: Event
    judge_id: int
    name: str
    rows: list[PastSeverity]


async def judge_history(session: AsyncSession, viewer: Viewer, event_id: int, judge_id: int) -> JudgeHistory:
    """A judge's severity at every event the viewer organizes where they judged, newest first.

    For the organizer only: a judge never sees these figures about another judge."""
    event = await event_for_organizer(session, viewer, event_id)
    row = (
        await session.execute(
            select(Judge.id, User.name).join(User, User.id == Judge.user_id).where(Judge.id == judge_id)
        )
    ).first()
    if row is None:
        raise NotFound(gettext("There is no such judge."))
    # The events the viewer organizes where this judge submitted a sheet or an order (two queries).
    own = list(viewer.organizer_event_ids)
    with_sheets = set(
        (
            await session.scalars(
                select(Entry.event_id)
                .join(ScoreSheet, ScoreSheet.entry_id == Entry.id)
                .where(
                    ScoreSheet.judge_id == judge_id,
                    ScoreSheet.status == "submitted",
                    ScoreSheet.calibration.is_(False),
                    Entry.event_id.in_(own),
                )
                .distinct()
            )
        ).all()
    ) | set(
        (
            await session.scalars(
                select(EventClass.event_id)
                .join(PlacingSheet, PlacingSheet.class_id == EventClass.id)
                .where(
                    PlacingSheet.judge_id == judge_id, PlacingSheet.status == "submitted", EventClass.event_id.in_(own)
                )
                .distinct()
            )
        ).all()
    )
    events = (
        (await session.scalars(select(Event).where(Event.id.in_(with_sheets)).order_by(Event.starts_on.desc()))).all()
        if with_sheets
        else []
    )
    rows = []
    for past in events:  # one calibration per event the judge judged at: a handful, not one per row of a page
        figures = (await _load(session, past)).calibration.judges.get(judge_id)
        if figures is None:
            continue
        sev = figures.severity
        rows.append(
            PastSeverity(
                past.id,
                past.name,
                format_date(past.starts_on),
                _signed(sev),
                localize_decimal(cal.points(figures.spread, 1)),
                figures.cars,
                agreement_words(figures.agreement) if figures.taus else "",
                float(sev) if sev is not None else None,
            )
        )
    return JudgeHistory(event, judge_id, row[1], rows)
