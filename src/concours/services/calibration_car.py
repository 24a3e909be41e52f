"""The calibration car: before judging starts, every judge of the event scores one accepted car on a sheet the
organizer or chief judge chose, so the chief judge can see how far each judge sits from the others and brief the
team. Those sheets (``ScoreSheet.calibration``) never count: not in results, rankings, awards, certification or the
regular calibration figures. A judge with a confirmed conflict on the car is not offered it (and is refused it).

The deviations come from :func:`concours.domain.calibration.calibration_car`; the judge's sheet itself is the normal
sheet with autosave (``services/autosave.py``, ``read_calibration_target``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import (
    Entry,
    Event,
    EventClass,
    EventStaff,
    Judge,
    Rubric,
    ScoreSheet,
    Team,
    TeamMember,
    User,
    Vehicle,
)
from concours.domain import calibration as cal
from concours.domain.states import judging_open
from concours.i18n import gettext, localize_decimal
from concours.services import audit
from concours.services.calibration import binding_conflicts, sheet_values
from concours.services.errors import FormErrors, NotFound
from concours.services.events import to_categories
from concours.services.permissions import (
    ACCEPTED,
    Viewer,
    can_run_judging,
    event_for_chief_judge,
    require,
    require_may_score,
    why_not_judge,
)

# While the car is offered on the judges' home (its sheet is open while judging is, see ``judging_open``).
OFFERED_STATUSES = ("registration_open", "registration_closed", "judging")


async def event_judge_ids(session: AsyncSession, event_id: int) -> set[int]:
    """Every judge of the event: on one of its class teams, or accepted on its roster (one query)."""
    teams = select(TeamMember.judge_id).join(Team, Team.id == TeamMember.team_id).where(Team.event_id == event_id)
    staff = (
        select(Judge.id)
        .join(EventStaff, EventStaff.user_id == Judge.user_id)
        .where(EventStaff.event_id == event_id, EventStaff.role == ACCEPTED)
    )
    return set((await session.scalars(teams.union(staff))).all())


# -- the judge's side -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationOffer:
    """The calibration car on a judge's home."""

    event_name: str
    entry_id: int
    car_number: int | None
    title: str
    sheet_status: str  # not_started | in_progress | submitted
    open: bool  # judging is open: the sheet can be written


async def offers(session: AsyncSession, judge_id: int, entrant_id: int | None = None) -> list[CalibrationOffer]:
    """The calibration cars this judge is to score, one per event they judge that has one (three queries); none
    where a confirmed conflict binds them to the car, or it is their own."""
    user_id = select(Judge.user_id).where(Judge.id == judge_id).scalar_subquery()
    mine = or_(
        Event.id.in_(
            select(Team.event_id).join(TeamMember, TeamMember.team_id == Team.id).where(TeamMember.judge_id == judge_id)
        ),
        Event.id.in_(select(EventStaff.event_id).where(EventStaff.user_id == user_id, EventStaff.role == ACCEPTED)),
    )
    rows = (
        await session.execute(
            select(Event.id, Event.name, Event.status, Entry.id, Entry.entrant_id, Entry.car_number, Vehicle)
            .join(Entry, Entry.id == Event.calibration_entry_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .where(Event.status.in_(OFFERED_STATUSES), Entry.status == "accepted", mine)
            .order_by(Event.starts_on, Event.id)
        )
    ).all()
    if not rows:
        return []
    conflicts = await binding_conflicts(session, [r[0] for r in rows])
    states = {
        entry_id: cal_state(status, version)
        for entry_id, status, version in (
            await session.execute(
                select(ScoreSheet.entry_id, ScoreSheet.status, ScoreSheet.version).where(
                    ScoreSheet.judge_id == judge_id,
                    ScoreSheet.calibration.is_(True),
                    ScoreSheet.entry_id.in_([r[3] for r in rows]),
                )
            )
        ).all()
    }
    return [
        CalibrationOffer(
            name, entry_id, number, vehicle.title, states.get(entry_id, "not_started"), judging_open(status)
        )
        for _, name, status, entry_id, owner, number, vehicle in rows
        if (judge_id, entry_id) not in conflicts and (entrant_id is None or owner != entrant_id)
    ]


def cal_state(status: str, version: int) -> str:
    if status == "submitted":
        return "submitted"
    return "in_progress" if version else "not_started"


async def entry_for_calibration(session: AsyncSession, viewer: Viewer, entry_id: int) -> Entry:
    """The calibration car, if the viewer judges at its event and no confirmed conflict binds them to it."""
    require(why_not_judge(viewer))
    assert viewer.judge_id is not None
    row = (
        await session.execute(
            select(Entry, Event)
            .join(Event, Event.id == Entry.event_id)
            .where(Entry.id == entry_id, Event.calibration_entry_id == Entry.id, Entry.status == "accepted")
        )
    ).first()
    if row is None:
        raise NotFound(gettext("There is no such calibration car."))
    entry, event = row._tuple()
    if viewer.judge_id not in await event_judge_ids(session, event.id):
        raise NotFound(gettext("There is no such calibration car."))
    await require_may_score(session, viewer, entry)
    return entry


# -- the chief judge's side -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class JudgeDeviation:
    judge_id: int
    name: str
    total: str
    deviation: float | None
    deviation_text: str
    categories: list[tuple[str, str]]  # category name, signed deviation


@dataclass
class CalibrationCarSection:
    entry_id: int | None
    rubric_id: int | None
    car: str  # "#12 1937 Talbot-Lago (class B)"
    rubric: str
    can_change: bool
    cars: list[Choice] = field(default_factory=list)
    rubrics: list[Choice] = field(default_factory=list)
    judges: list[JudgeDeviation] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # judges who have not submitted their calibration sheet
    conflicted: list[str] = field(default_factory=list)  # not offered the car: a confirmed conflict binds them
    maximum: str = ""

    @property
    def charted(self) -> list[JudgeDeviation]:
        return [j for j in self.judges if j.deviation is not None]

    @property
    def scale_max(self) -> float:
        biggest = max((abs(j.deviation) for j in self.charted if j.deviation is not None), default=0.0)
        return float(max(1, int(biggest) + (0 if biggest == int(biggest) else 1)))


async def _names(session: AsyncSession, judge_ids: set[int]) -> dict[int, str]:
    if not judge_ids:
        return {}
    rows = await session.execute(
        select(Judge.id, User.name).join(User, User.id == Judge.user_id).where(Judge.id.in_(judge_ids))
    )
    return {judge_id: name for judge_id, name in rows.all()}


async def _choices(session: AsyncSession, event: Event) -> tuple[list[Choice], list[Choice]]:
    cars = [
        Choice(
            entry_id,
            gettext(
                "#%(number)s %(car)s (class %(code)s)", number=number, car=" ".join((str(year), make, model)), code=code
            )
            if number
            else f"{year} {make} {model}",
        )
        for entry_id, number, year, make, model, code in (
            await session.execute(
                select(Entry.id, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model, EventClass.code)
                .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                .outerjoin(EventClass, EventClass.id == Entry.class_id)
                .where(Entry.event_id == event.id, Entry.status == "accepted")
                .order_by(Entry.car_number, Entry.id)
            )
        ).all()
    ]
    replaced = select(Rubric.replaces_id).where(Rubric.event_id == event.id, Rubric.replaces_id.is_not(None))
    rubrics = [
        Choice(
            r.id, gettext("%(name)s (version %(version)s)", name=r.name, version=r.version) if r.version > 1 else r.name
        )
        for r in (
            await session.scalars(
                select(Rubric).where(Rubric.event_id == event.id, Rubric.id.not_in(replaced)).order_by(Rubric.id)
            )
        ).all()
    ]
    return cars, rubrics


async def section(session: AsyncSession, viewer: Viewer, event: Event) -> CalibrationCarSection:
    """The calibration page's "Calibration car" section: the car and sheet, each judge's total and deviation from
    the median of the others (total and per category), who has not scored it yet. The viewer runs the judging."""
    cars, rubrics = await _choices(session, event)
    out = CalibrationCarSection(
        event.calibration_entry_id,
        event.calibration_rubric_id,
        "",
        "",
        can_run_judging(viewer, event.id),
        cars,
        rubrics,
    )
    if event.calibration_entry_id is None or event.calibration_rubric_id is None:
        return out
    out.car = next((c.label for c in cars if c.id == event.calibration_entry_id), "")
    out.rubric = next((r.label for r in rubrics if r.id == event.calibration_rubric_id), "")
    rubric = await session.scalar(
        select(Rubric).options(selectinload(Rubric.categories)).where(Rubric.id == event.calibration_rubric_id)
    )
    if rubric is None:
        return out
    categories = to_categories(list(rubric.categories))
    sheets = (
        await session.execute(
            select(ScoreSheet.id, ScoreSheet.judge_id).where(
                ScoreSheet.entry_id == event.calibration_entry_id,
                ScoreSheet.calibration.is_(True),
                ScoreSheet.rubric_id == rubric.id,
                ScoreSheet.status == "submitted",
                ScoreSheet.judge_id.is_not(None),
            )
        )
    ).all()
    values = await sheet_values(session, [s.id for s in sheets], {c.id: c.key for c in categories if c.id is not None})
    conflicts = await binding_conflicts(session, [event.id])
    entry_id = event.calibration_entry_id
    deviations = cal.calibration_car(
        [cal.CalSheet(s.id, entry_id, s.judge_id, values.get(s.id, {})) for s in sheets],
        categories,
        rubric.scale,
        conflicts,
    )
    judges = await event_judge_ids(session, event.id)
    conflicted = {j for j, e in conflicts if e == entry_id and j in judges}
    scored = {d.judge_id for d in deviations}
    names = await _names(session, judges | scored)
    out.maximum = localize_decimal(
        cal.points(Fraction(sum(c.max_units * c.weight_percent for c in categories), 100 * rubric.scale), 1)
    )
    out.judges = sorted(
        (_judge_row(d, names, {c.key: c.name for c in categories}) for d in deviations), key=lambda j: j.name
    )
    out.waiting = sorted(names.get(j, "?") for j in judges - scored - conflicted)
    out.conflicted = sorted(names.get(j, "?") for j in conflicted)
    return out


def _judge_row(d: cal.CarDeviation, names: Mapping[int, str], category_names: Mapping[str, str]) -> JudgeDeviation:
    return JudgeDeviation(
        d.judge_id,
        names.get(d.judge_id, "?"),
        localize_decimal(cal.points(d.total, 2)),
        float(d.deviation) if d.deviation is not None else None,
        localize_decimal(cal.signed(d.deviation)),
        [(category_names.get(k, k), localize_decimal(cal.signed(v))) for k, v in d.by_category.items()],
    )


async def set_car(session: AsyncSession, viewer: Viewer, event_id: int, form: Mapping[str, str]) -> Event:
    """Name the event's calibration car and its sheet (the organizer or the chief judge).

    Steps: authorize by loading the event; parse and check (an accepted car of the event, a current rubric of the
    event); write; audit."""
    event = await event_for_chief_judge(session, viewer, event_id)
    cars, rubrics = await _choices(session, event)
    errors: dict[str, str] = {}
    entry_text, rubric_text = form.get("calibration_entry", "").strip(), form.get("calibration_rubric", "").strip()
    entry_id = int(entry_text) if entry_text.isdigit() else None
    rubric_id = int(rubric_text) if rubric_text.isdigit() else None
    if entry_id is None or entry_id not in {c.id for c in cars}:
        errors["calibration_entry"] = "Choose one of the event's accepted cars."
    if rubric_id is None or rubric_id not in {r.id for r in rubrics}:
        errors["calibration_rubric"] = "Choose one of the event's score sheets."
    if errors:
        raise FormErrors(errors)
    before = {"entry_id": event.calibration_entry_id, "rubric_id": event.calibration_rubric_id}
    event.calibration_entry_id, event.calibration_rubric_id = entry_id, rubric_id
    audit.record(
        session,
        entity_type="event",
        entity_id=event.id,
        action="calibration_car",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after={"entry_id": entry_id, "rubric_id": rubric_id},
    )
    return event


async def clear_car(session: AsyncSession, viewer: Viewer, event_id: int) -> Event:
    """No calibration car any more (the sheets already written stay, and still never count)."""
    event = await event_for_chief_judge(session, viewer, event_id)
    if event.calibration_entry_id is not None:
        audit.record(
            session,
            entity_type="event",
            entity_id=event.id,
            action="calibration_car_clear",
            user_id=viewer.user_id,
            event_id=event.id,
            before={"entry_id": event.calibration_entry_id, "rubric_id": event.calibration_rubric_id},
            after=None,
        )
    event.calibration_entry_id = event.calibration_rubric_id = None
    return event
