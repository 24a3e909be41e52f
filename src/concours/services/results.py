"""Results: tabulate a class from its submitted sheets, certify (freeze) it, publish the event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import (
    ClassResult,
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    JudgingSystem,
    Rubric,
    ScoreLine,
    ScoreSheet,
    TieDecision,
    User,
    Vehicle,
    utcnow,
)
from concours.domain.placings import combine_placings, ordinal
from concours.domain.rubric import format_units, sheet_max, weighted
from concours.domain.tabulation import (
    TIE_AWAITING,
    TIE_DECIDED,
    EntryResult,
    Level,
    SheetScore,
    System,
    tabulate_class,
    why_no_award,
)
from concours.i18n import DEFAULT_LOCALE, gettext, ngettext, using_locale
from concours.services import audit, calibration, certificates, class_systems, placings, show_results, tracks
from concours.services.errors import ServiceError
from concours.services.events import load_rubrics, to_categories
from concours.services.permissions import Viewer, require, why_not_run_judging


async def load_system(session: AsyncSession, event: Event) -> tuple[System, int, bool]:
    """The event's judging system as domain config, the scale of its rubric, and whether scores show as percent."""
    js = await session.scalar(
        select(JudgingSystem).options(selectinload(JudgingSystem.levels)).where(JudgingSystem.event_id == event.id)
    )
    rubric = await session.scalar(
        select(Rubric).options(selectinload(Rubric.categories)).where(Rubric.id == event.rubric_id)
    )
    if js is None or rubric is None:
        raise ServiceError("This event has no judging system yet.")
    system = System(
        sheet_mode=js.sheet_mode,
        combine=js.combine,
        award_rule=js.award_rule,
        places=js.places,
        min_units_for_first=js.min_units_for_first,
        cap_units=js.cap_units,
        tie_break_keys=tuple(js.tie_break_keys or ()),
        levels=tuple(Level(lv.name, lv.min_units, lv.min_permille, lv.band_units) for lv in js.levels),
        max_units=sheet_max(to_categories(rubric.categories)),
        scale=rubric.scale,
        award_tracks=js.award_tracks,
    )
    return system, rubric.scale, js.show_percent


async def submitted_sheets(session: AsyncSession, class_ids: list[int]) -> dict[int, list[SheetScore]]:
    """Every submitted sheet of these classes reduced to numbers, in three queries whatever the size."""
    if not class_ids:
        return {}
    sheets = (
        await session.execute(
            select(ScoreSheet.id, ScoreSheet.entry_id, ScoreSheet.rubric_id, ScoreSheet.section, User.name)
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .outerjoin(Judge, Judge.id == ScoreSheet.judge_id)
            .outerjoin(User, User.id == Judge.user_id)
            .where(
                Entry.class_id.in_(class_ids),
                Entry.status == "accepted",
                ScoreSheet.status == "submitted",
                ScoreSheet.calibration.is_(False),
            )
        )
    ).all()
    if not sheets:
        return {}
    rubric_ids = {s.rubric_id for s in sheets}
    rubrics = await load_rubrics(session, rubric_ids)
    cats = {c.id: c for r in rubrics.values() for c in to_categories(r.categories)}
    lines = (
        await session.execute(
            select(ScoreLine.sheet_id, ScoreLine.category_id, ScoreLine.value_units).where(
                ScoreLine.sheet_id.in_(
                    select(ScoreSheet.id)
                    .join(Entry, Entry.id == ScoreSheet.entry_id)
                    .where(
                        Entry.class_id.in_(class_ids),
                        Entry.status == "accepted",
                        ScoreSheet.status == "submitted",
                        ScoreSheet.calibration.is_(False),
                    )
                )
            )
        )
    ).all()
    by_sheet: dict[int, dict[str, Fraction]] = defaultdict(dict)
    for ln in lines:
        c = cats.get(ln.category_id)
        if c is not None and ln.value_units is not None:
            by_sheet[ln.sheet_id][c.key] = weighted(c, ln.value_units)
    out: dict[int, list[SheetScore]] = defaultdict(list)
    for s in sheets:
        values = by_sheet.get(s.id, {})
        out[s.entry_id].append(SheetScore(s.id, s.name or "team", sum(values.values(), Fraction(0)), values, s.section))
    return out


def score_text(score: Fraction | None, scale: int, maximum: Fraction | None = None) -> str:
    """A score for people: points, and the percent of the sheet's maximum where the system shows it."""
    text = format_units(score, scale)
    if score is not None and maximum:
        text += f" ({float(score * 100 / maximum):.1f} %)"
    return text


@dataclass
class RankingRow:
    entry_id: int
    car_number: int | None
    title: str
    owner: str
    result: EntryResult
    score_text: str
    sheet_count: int
    # How the score came about: each submitted sheet with its judge, total and whether it counted.
    sheets: list[SheetLine] = field(default_factory=list)


@dataclass(frozen=True)
class SheetLine:
    judge: str
    section: str
    total: str
    counted: bool


async def rank_classes(
    session: AsyncSession, event: Event, class_ids: list[int]
) -> tuple[dict[int, list[RankingRow]], int]:
    """Rank these classes, each by its own judging system (the event's by default): points classes from
    their submitted score sheets, placings classes from the judges' orders. A fixed number of queries."""
    judging = await class_systems.class_judging(session, event, class_ids)
    scale = next((j.scale for j in judging.values() if not j.own), None)
    if scale is None:
        scale = (await load_system(session, event))[1] if event.rubric_id else 10
    entries = (
        (
            await session.execute(
                select(Entry.id, Entry.class_id, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model, User.name)
                .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                .join(Entrant, Entrant.id == Entry.entrant_id)
                .join(User, User.id == Entrant.user_id)
                .where(Entry.class_id.in_(class_ids), Entry.status == "accepted", Entry.absent_reason == "")
            )
        ).all()
        if class_ids
        else []
    )
    points_ids = [c for c in class_ids if judging[c].method == "points"]
    placings_ids = [c for c in class_ids if judging[c].method == "placings"]
    sheets = await submitted_sheets(session, points_ids)
    # Where a class's award levels form a track: the award each car competes for, from its earlier awards.
    car_tracks = await tracks.car_tracks(session, event, {c: judging[c].system for c in points_ids})
    orders = await placings.submitted_orders(session, placings_ids)
    decisions: dict[int, list[tuple[int, int]]] = defaultdict(list)
    reasons: dict[int, str] = {}
    if class_ids:
        for class_id, winner, loser, reason in (
            await session.execute(
                select(
                    TieDecision.class_id, TieDecision.winner_entry_id, TieDecision.loser_entry_id, TieDecision.reason
                )
                .where(TieDecision.class_id.in_(class_ids))
                .order_by(TieDecision.id)
            )
        ).all():
            decisions[class_id].append((winner, loser))
            reasons[winner] = reason
    info = {e.id: e for e in entries}
    by_class: dict[int, list[int]] = defaultdict(list)
    for e in entries:
        by_class[e.class_id].append(e.id)

    def row(r: EntryResult, text: str, count: int, lines: list[SheetLine]) -> RankingRow:
        e = info[r.entry_id]
        return RankingRow(r.entry_id, e.car_number, f"{e.year} {e.make} {e.model}", e.name, r, text, count, lines)

    out: dict[int, list[RankingRow]] = {}
    for class_id in class_ids:
        cj = judging[class_id]
        if cj.method == "display":
            out[class_id] = [
                row(EntryResult(eid, None, {}, [], [], gettext("display class: shown, not judged")), "", 0, [])
                for eid in sorted(by_class[class_id], key=lambda i: (info[i].car_number or 0, i))
            ]
            continue
        if cj.method == "placings":
            out[class_id] = _placings_rows(
                cj, by_class[class_id], orders.get(class_id, []), decisions[class_id], reasons, row
            )
            continue
        class_system = cj.system
        results = tabulate_class(
            class_system,
            {eid: sheets.get(eid, []) for eid in by_class[class_id]},
            decisions[class_id],
            {eid: car_tracks[eid].track for eid in by_class[class_id] if eid in car_tracks},
        )
        for r in results:
            if r.tie_note in (gettext(TIE_AWAITING), gettext(TIE_DECIDED)) and r.entry_id in reasons:
                r.tie_note += f" ({reasons[r.entry_id]})"
        out[class_id] = [
            row(
                r,
                score_text(r.score, cj.scale, class_system.max_units if cj.show_percent else None),
                len(sheets.get(r.entry_id, [])),
                [
                    SheetLine(sh.judge, sh.section, format_units(sh.total, cj.scale), sh.sheet_id not in r.dropped)
                    for sh in sorted(sheets.get(r.entry_id, []), key=lambda sh: (sh.section, sh.sheet_id))
                ],
            )
            for r in results
        ]
    return out, scale


def _placings_rows(
    cj: class_systems.ClassJudging,
    cars: list[int],
    orders: list[placings.SubmittedOrder],
    decisions: list[tuple[int, int]],
    reasons: dict[int, str],
    row: Callable[[EntryResult, str, int, list[SheetLine]], RankingRow],
) -> list[RankingRow]:
    """A placings class: the judges' orders combined (Borda, more firsts, the chief judge), no points shown."""
    combined = combine_placings(
        cars,
        placings.rankings_of(orders),
        places=cj.system.places,
        decisions=decisions,
        decision_reasons={w: reasons[w] for w, _ in decisions if w in reasons},
    )
    method = (
        gettext("team consensus order")
        if cj.system.sheet_mode == "team"
        else ngettext("Borda count of %(num)s order", "Borda count of %(num)s orders", len(orders))
    )
    out = []
    for p in combined:
        r = EntryResult(
            p.entry_id,
            p.points,
            {},
            [o.sheet_id for o in orders if p.entry_id in o.order],
            [],
            gettext("%(method)s: %(explanation)s", method=method, explanation=p.explanation)
            if p.points is not None
            else p.explanation,
            rank=p.rank,
            award=p.award,
            tie_note=p.tie_note,
            unresolved_tie=p.unresolved_tie,
        )
        if not r.award:
            r.no_award = gettext("in no judge's order") if p.points is None else why_no_award(cj.system, r, [])
        lines = [
            SheetLine(o.ranker, "", ordinal(o.order.index(p.entry_id) + 1), True)
            for o in orders
            if p.entry_id in o.order
        ]
        out.append(row(r, ordinal(p.rank) if p.rank else "", len(lines), lines))
    return out


async def class_ranking(session: AsyncSession, event: Event, cls: EventClass) -> tuple[list[RankingRow], int]:
    ranked, scale = await rank_classes(session, event, [cls.id])
    return ranked[cls.id], scale


async def certify_class(
    session: AsyncSession,
    viewer: Viewer,
    event: Event,
    cls: EventClass,
    *,
    acknowledged: Collection[int] = (),
    at: datetime | None = None,
) -> None:
    """Freeze the class's results from its submitted sheets (or orders); its sheets lock. ``at``: the moment
    recorded (now; the demo backdates its past edition).

    Steps: guard (not certified, a judged class, something submitted, nothing in progress, ties decided,
    every car without a submitted sheet acknowledged one by one) → freeze a result line per car → audit.
    """
    if cls.certified_at is not None:
        raise ServiceError(gettext("Class %(code)s is already certified.", code=cls.code))
    cj = await class_systems.judging_of(session, event, cls)
    if cj.method == "display":
        raise ServiceError(
            gettext(
                "Class %(code)s is a display class: it is not judged, so there is nothing to certify.", code=cls.code
            )
        )
    with using_locale(DEFAULT_LOCALE):  # the certified record is written in English, whoever certifies it
        rows, scale = await class_ranking(session, event, cls)
    if not any(r.result.score is not None for r in rows):
        raise ServiceError(gettext("Class %(code)s has no submitted sheet to certify.", code=cls.code))
    coachbuilders = {
        entry_id: coachbuilder
        for entry_id, coachbuilder in await session.execute(
            select(Entry.id, Vehicle.coachbuilder)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .where(Entry.id.in_([r.entry_id for r in rows]))
        )
    }
    drafts: int | None
    if cj.method == "placings":
        drafts = await placings.drafts_in_class(session, cls.id)
    else:
        drafts = await session.scalar(
            select(func.count())
            .select_from(ScoreSheet)
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .where(
                Entry.class_id == cls.id,
                Entry.status == "accepted",
                Entry.absent_reason == "",
                ScoreSheet.status == "draft",
                ScoreSheet.version > 0,
                ScoreSheet.calibration.is_(False),
            )
        )
    if drafts:
        raise ServiceError(
            ngettext(
                "Class %(code)s still has %(num)s sheet in progress; it must be submitted "
                "(or the chief judge must clear it) before certifying.",
                "Class %(code)s still has %(num)s sheets in progress; they must be submitted "
                "(or the chief judge must clear them) before certifying.",
                drafts,
                code=cls.code,
            )
        )
    if any(r.result.unresolved_tie for r in rows):
        raise ServiceError(
            gettext(
                "Class %(code)s has a tie Borda points and first places did not break; record the chief judge's "
                "decision first.",
                code=cls.code,
            )
            if cj.method == "placings"
            else gettext(
                "Class %(code)s has a tie the categories did not break; record the chief judge's decision first.",
                code=cls.code,
            )
        )
    # Cars whose judges disagree beyond the event's threshold wait for the chief judge to look at them.
    flags = {f.entry_id: f for f in await calibration.class_flags(session, event, cls)}
    waiting = calibration.unreviewed_message(cls, list(flags.values()))
    if waiting:
        raise ServiceError(waiting)
    unjudged = [r for r in rows if r.result.score is None and not r.result.ineligible]
    missing = [r for r in unjudged if r.entry_id not in set(acknowledged)]
    if missing:
        raise ServiceError(
            ngettext(
                "%(num)s car of class %(code)s has no submitted sheet: %(cars)s. Tick each one to certify the class "
                "without it (it is shown as not judged), or have it judged first.",
                "%(num)s cars of class %(code)s have no submitted sheet: %(cars)s. Tick each one to certify the class "
                "without it (it is shown as not judged), or have it judged first.",
                len(missing),
                code=cls.code,
                cars=", ".join(f"#{r.car_number} {r.title}" for r in missing),
            ),
            field="acknowledge",
        )
    for r in unjudged:
        r.result.ineligible = "not judged: no submitted sheet (acknowledged by the chief judge at certification)"
    await session.execute(delete(ClassResult).where(ClassResult.class_id == cls.id))
    for r in rows:
        res = r.result
        session.add(
            ClassResult(
                class_id=cls.id,
                entry_id=r.entry_id,
                rank=res.rank,
                score_units=round(res.score) if res.score is not None and cj.method == "points" else None,
                award=res.award,
                explanation={
                    "car_number": r.car_number,
                    "title": r.title,
                    "coachbuilder": coachbuilders.get(r.entry_id, ""),
                    "owner": r.owner,
                    "score": "" if cj.method == "placings" else r.score_text,
                    "method": cj.method,
                    "combine": res.combine_note,
                    "counted": res.counted,
                    "dropped": res.dropped,
                    "ineligible": res.ineligible,
                    "no_award": res.no_award,
                    **({"track": res.track} if res.track else {}),
                    "tie": res.tie_note,
                    "categories": {k: format_units(v, scale) for k, v in res.by_category.items()},
                    "sheets": [
                        {"judge": sl.judge, "section": sl.section, "total": sl.total, "counted": sl.counted}
                        for sl in r.sheets
                    ],
                    "calibration": _review_record(flags.get(r.entry_id)),
                },
            )
        )
    cls.certified_at = (at or utcnow()).replace(microsecond=0)  # as the hashed record holds it, on either database
    cls.certified_by_id = viewer.user_id
    cert = await certificates.record_certification(session, viewer, event, cls, cls.certified_at)
    audit.record(
        session,
        entity_type="class",
        entity_id=cls.id,
        action="certify",
        user_id=viewer.user_id,
        event_id=event.id,
        after={
            "entries": len(rows),
            "acknowledged_unjudged": [r.entry_id for r in unjudged],
            "calibration_flags": [{"entry_id": f.entry_id} | _review_record(f) for f in flags.values()],
            "content_hash": cert.content_hash,
        },
    )


def _review_record(flag: calibration.Flag | None) -> dict[str, object]:
    """A flagged car on the certification record: what the figures said and how the chief judge looked at it."""
    if flag is None:
        return {}
    return {
        "figures": flag.figures,
        "reviews": [{"kind": r.kind, "note": r.note, "by": r.by, "at": r.at.isoformat()} for r in flag.reviews],
    }


async def publish(session: AsyncSession, viewer: Viewer, event: Event) -> None:
    """Publish the event's certified classes. Steps: guard (judging has started, a class is certified);
    write the status and the time; audit."""
    if event.status not in ("registration_closed", "judging", "results_certified"):
        raise ServiceError("Results can be published once judging has started and classes are certified.")
    certified = await session.scalar(
        select(func.count())
        .select_from(EventClass)
        .where(EventClass.event_id == event.id, EventClass.certified_at.is_not(None))
    )
    if not certified:
        raise ServiceError("Certify at least one class before publishing: only certified classes are published.")
    before = event.status
    event.status = "published"
    event.published_at = utcnow()
    audit.record(
        session,
        entity_type="event",
        entity_id=event.id,
        action="publish",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"status": before},
        after={"status": "published"},
    )


@dataclass
class PublicClass:
    code: str
    name: str
    rows: list[dict[str, object]]
    placings: bool = False  # judged by placings: places and no score
    judges: list[str] = field(default_factory=list)  # the judging team, where the event publishes the judges' names


async def published_results(session: AsyncSession, event: Event) -> list[PublicClass]:
    """Certified classes of a published event, from the frozen results (two queries; a third for the judging teams
    where the event publishes the judges' names)."""
    classes = (
        await session.scalars(
            select(EventClass)
            .where(EventClass.event_id == event.id, EventClass.certified_at.is_not(None))
            .order_by(EventClass.position)
        )
    ).all()
    rows = (
        (
            await session.execute(
                select(
                    ClassResult,
                    Entry.car_number,
                    Vehicle.year,
                    Vehicle.make,
                    Vehicle.model,
                    Vehicle.coachbuilder,
                    User.name,
                    Entrant.publish_name,
                    Entry.vehicle_id,
                )
                .join(Entry, Entry.id == ClassResult.entry_id)
                .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                .join(Entrant, Entrant.id == Entry.entrant_id)
                .join(User, User.id == Entrant.user_id)
                .where(ClassResult.class_id.in_([c.id for c in classes]))
                .order_by(ClassResult.rank.is_(None), ClassResult.rank, Entry.car_number)
            )
        ).all()
        if classes
        else []
    )
    teams = await show_results.judging_teams(session, [c.id for c in classes]) if event.publish_judges else {}
    out = []
    for c in classes:
        out.append(
            PublicClass(
                c.code,
                c.name,
                [
                    {
                        "rank": r[0].rank,
                        "award": r[0].award,
                        "score": r[0].explanation.get("score", ""),
                        # As certified: a later edit of the car or the owner does not rewrite published results.
                        "car_number": r[0].explanation.get("car_number", r.car_number),
                        "title": r[0].explanation.get("title", f"{r.year} {r.make} {r.model}"),
                        "coachbuilder": r[0].explanation.get("coachbuilder", r.coachbuilder),
                        "owner": r[0].explanation.get("owner", r.name) if r.publish_name else "",
                        "entry_id": r[0].entry_id,
                        "vehicle_id": r.vehicle_id,
                        "note": r[0].explanation.get("ineligible", ""),
                    }
                    for r in rows
                    if r[0].class_id == c.id
                ],
                placings=any(r[0].class_id == c.id and r[0].explanation.get("method") == "placings" for r in rows),
                judges=teams.get(c.id, []),
            )
        )
    return out


async def record_tie_decision(
    session: AsyncSession,
    viewer: Viewer,
    event: Event,
    cls: EventClass,
    *,
    winner_id: str,
    reason: str,
) -> None:
    """The chief judge places ``winner`` above every other car it is tied with, and says why."""
    require(why_not_run_judging(viewer, event.id))
    if cls.certified_at is not None:
        raise ServiceError(f"Class {cls.code} is certified; reopen it to change a decision.")
    rows, _ = await class_ranking(session, event, cls)
    winner = next((r for r in rows if str(r.entry_id) == winner_id.strip()), None)
    if winner is None or not winner.result.unresolved_tie:
        raise ServiceError("Choose one of the cars in an undecided tie.", field="winner_id")
    if len(reason.strip()) < 5:
        raise ServiceError("Record the reason for the decision (it is shown with the result).", field="reason")
    losers = [
        r.entry_id
        for r in rows
        if r.result.unresolved_tie and r.result.rank == winner.result.rank and r.entry_id != winner.entry_id
    ]
    for loser in losers:
        await session.execute(
            delete(TieDecision).where(
                TieDecision.class_id == cls.id,
                TieDecision.winner_entry_id == loser,
                TieDecision.loser_entry_id == winner.entry_id,
            )
        )
        session.add(
            TieDecision(
                class_id=cls.id,
                winner_entry_id=winner.entry_id,
                loser_entry_id=loser,
                reason=reason.strip(),
                decided_by_id=viewer.user_id,
            )
        )
    audit.record(
        session,
        entity_type="class",
        entity_id=cls.id,
        action="tie_decision",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"winner": winner.entry_id, "over": losers, "reason": reason.strip()},
    )


async def reopen_class(session: AsyncSession, viewer: Viewer, event: Event, cls: EventClass, *, reason: str) -> None:
    """Undo a certification (its frozen results are withdrawn from publication until certified again).

    Steps: guard (the chief judge, a certified class, a reason); delete the frozen results and the
    certification; audit with the reason."""
    require(why_not_run_judging(viewer, event.id))
    if cls.certified_at is None:
        raise ServiceError(f"Class {cls.code} is not certified.")
    if len(reason.strip()) < 5:
        raise ServiceError("Say why the class is reopened; the reason is kept in the audit log.", field="reason")
    await session.execute(delete(ClassResult).where(ClassResult.class_id == cls.id))
    before = cls.certified_at.isoformat()
    withdrawn = cls.content_hash
    cls.certified_at = None
    cls.certified_by_id = None
    await certificates.withdraw(session, cls)
    audit.record(
        session,
        entity_type="class",
        entity_id=cls.id,
        action="reopen",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"certified_at": before, "content_hash": withdrawn},
        after={"reason": reason.strip()},
    )
