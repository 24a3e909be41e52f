"""Special awards: their definitions, who may win them, designated choices, and decisions. Each award is decided
by its own rule: a secret ballot of named judges (:mod:`concours.services.ballots`), a named person's choice (here),
or People's Choice by single-use voting codes (:mod:`concours.services.peoples_choice`).

Other modules read decided awards only through :func:`decided_awards` and :func:`awards_for_entries`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    AwardCandidate,
    AwardRoll,
    AwardVoter,
    ClassResult,
    Entrant,
    Entry,
    Event,
    EventClass,
    ScoreSheet,
    SpecialAward,
    User,
    Vehicle,
    VehiclePhoto,
    VotingCode,
    utcnow,
)
from concours.domain import awards as rules
from concours.i18n import gettext
from concours.services import audit
from concours.services.errors import FormErrors, NotFound, ServiceError
from concours.services.permissions import (
    Viewer,
    require_in_event,
    why_not_organize,
    why_not_run_judging,
)

KINDS = rules.KINDS
ELIGIBILITY = rules.ELIGIBILITY


# ---------------------------------------------------------------------------------------------
# What other modules read: decided awards
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecidedAward:
    """A decided special award. Callers check that results are public before showing it to the public."""

    award_id: int
    entry_id: int
    name: str
    sponsor: str
    kind: str  # ballot | designated | peoples_choice
    how: str  # e.g. "chosen by the designer", "secret ballot of the honorary judges, after 1 run-off"
    chosen_by: str
    position: int  # order in the ceremony (lower first)
    reason: str = ""
    votes: int | None = None  # People's Choice: the winner's votes
    car_number: int | None = None
    title: str = ""  # year make model
    coachbuilder: str = ""
    owner: str = ""  # empty when the owner does not allow their name to be published
    vehicle_id: int | None = None


async def decided_awards(session: AsyncSession, event: Event) -> list[DecidedAward]:
    """Every decided special award of the event, in ceremony order (two queries)."""
    awards = (
        await session.scalars(
            select(SpecialAward)
            .where(
                SpecialAward.event_id == event.id, SpecialAward.status == "decided", SpecialAward.entry_id.is_not(None)
            )
            .order_by(SpecialAward.position, SpecialAward.id)
        )
    ).all()
    return await _decided(session, list(awards))


async def awards_for_entries(
    session: AsyncSession, event: Event, entry_ids: Sequence[int]
) -> dict[int, list[DecidedAward]]:
    """The decided special awards of the given cars (entry id → awards in ceremony order)."""
    out: dict[int, list[DecidedAward]] = {}
    wanted = set(entry_ids)
    for award in await decided_awards(session, event):
        if award.entry_id in wanted:
            out.setdefault(award.entry_id, []).append(award)
    return out


async def _decided(session: AsyncSession, awards: list[SpecialAward]) -> list[DecidedAward]:
    if not awards:
        return []
    ids = [a.id for a in awards]
    # Rounds held and the winner's count in the deciding round, in one grouped query.
    stats: dict[int, tuple[int, int]] = {}
    for award_id, rounds in await session.execute(
        select(AwardCandidate.award_id, func.max(AwardCandidate.round))
        .where(AwardCandidate.award_id.in_(ids))
        .group_by(AwardCandidate.award_id)
    ):
        stats[award_id] = (rounds or 0, 0)
    winners = {a.id: a.entry_id for a in awards}
    for award_id, rnd, entry_id, votes in await session.execute(
        select(AwardCandidate.award_id, AwardCandidate.round, AwardCandidate.entry_id, AwardCandidate.votes).where(
            AwardCandidate.award_id.in_(ids)
        )
    ):
        if entry_id == winners.get(award_id) and rnd == stats.get(award_id, (0, 0))[0]:
            stats[award_id] = (rnd, votes)
    cars = {
        row[0]: row
        for row in await session.execute(
            select(
                Entry.id,
                Entry.car_number,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                Vehicle.coachbuilder,
                User.name,
                Entrant.publish_name,
                Entry.vehicle_id,
            )
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(Entry.id.in_([a.entry_id for a in awards]))
        )
    }
    out = []
    for a in awards:
        assert a.entry_id is not None
        _, number, year, make, model, coach, owner, public_name, vehicle_id = cars[a.entry_id]
        rounds, votes = stats.get(a.id, (0, 0))
        if a.kind == "designated" or not rounds:  # chosen, or recorded before awards were voted in the app
            how = rules.how_decided("designated", a.chosen_by, 0, 0)
        else:
            how = rules.how_decided(a.kind, a.chosen_by, rounds, votes)
        out.append(
            DecidedAward(
                award_id=a.id,
                entry_id=a.entry_id,
                name=a.name,
                sponsor=a.sponsor,
                kind=a.kind,
                how=how,
                chosen_by=a.chosen_by,
                position=a.position,
                reason=a.reason,
                votes=votes if a.kind == "peoples_choice" and rounds else None,
                car_number=number,
                title=f"{year} {make} {model}",
                coachbuilder=coach,
                owner=owner if public_name else "",
                vehicle_id=vehicle_id,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Loading with authorization
# ---------------------------------------------------------------------------------------------


async def award_for_organizer(session: AsyncSession, viewer: Viewer, award_id: int) -> tuple[SpecialAward, Event]:
    award = await session.get(SpecialAward, award_id)
    if award is None:
        raise NotFound("There is no such award.")
    event = await session.get(Event, award.event_id)
    assert event is not None
    require_in_event(why_not_organize(viewer, event.id), viewer, event, hide="There is no such award.")
    return award, event


async def award_for_chief_judge(session: AsyncSession, viewer: Viewer, award_id: int) -> tuple[SpecialAward, Event]:
    """The award, if the viewer runs the judging of its event (organizers and the chief judge)."""
    award = await session.get(SpecialAward, award_id)
    if award is None:
        raise NotFound("There is no such award.")
    event = await session.get(Event, award.event_id)
    assert event is not None
    require_in_event(why_not_run_judging(viewer, event.id), viewer, event, hide="There is no such award.")
    return award, event


# ---------------------------------------------------------------------------------------------
# Definitions by the organizer
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardSpec:
    name: str
    sponsor: str
    kind: str
    position: int
    eligibility: str
    class_ids: list[int]
    chosen_by: str
    exclude_conflicted: bool


def parse_award(form: Mapping[str, str], class_ids: Sequence[str], valid_class_ids: set[int]) -> AwardSpec:
    """An award definition from the form, or :class:`FormErrors` naming each wrong field."""
    errors: dict[str, str] = {}
    name = form.get("name", "").strip()
    if not name:
        errors["name"] = gettext("Name the award, e.g. “Best of Show” or “The Designer's Award”.")
    elif len(name) > 200:
        errors["name"] = gettext("Keep the name under 200 characters.")
    sponsor = form.get("sponsor", "").strip()
    if len(sponsor) > 200:
        errors["sponsor"] = gettext("Keep the sponsor under 200 characters.")
    kind = form.get("kind", "")
    if kind not in rules.KINDS:
        errors["kind"] = gettext("Choose how the award is decided.")
    position_text = form.get("position", "").strip() or "0"
    position = 0
    if not position_text.isdecimal() or not position_text.isascii() or len(position_text) > 4:
        errors["position"] = gettext(
            "Give the order in the ceremony as a whole number, e.g. 10 (Best of Show last: 99)."
        )
    else:
        position = int(position_text)
    eligibility = form.get("eligibility", "")
    if eligibility not in rules.ELIGIBILITY:
        errors["eligibility"] = gettext("Choose which cars may win.")
    picked: list[int] = []
    for value in class_ids:
        if value.isdecimal() and value.isascii() and len(value) <= 9 and int(value) in valid_class_ids:
            picked.append(int(value))
        else:
            errors["class_ids"] = gettext("Pick classes of this event.")
    if eligibility == "class_winners" and not picked and "class_ids" not in errors:
        errors["class_ids"] = gettext("Pick the classes whose winners are eligible.")
    chosen_by = form.get("chosen_by", "").strip()
    if len(chosen_by) > 200:
        errors["chosen_by"] = gettext("Keep this under 200 characters.")
    elif kind == "designated" and not chosen_by:
        errors["chosen_by"] = gettext("Name who chooses, e.g. “the designer” or “Mr. Hoffmann, the sponsor”.")
    if kind == "peoples_choice" and eligibility in ("class_winners", "nominated"):
        errors["eligibility"] = gettext(
            "People's Choice is voted among the cars on the field: present and judged, or any accepted car."
        )
    if errors:
        raise FormErrors(errors)
    return AwardSpec(
        name=name,
        sponsor=sponsor,
        kind=kind,
        position=position,
        eligibility=eligibility,
        class_ids=sorted(set(picked)) if eligibility == "class_winners" else [],
        chosen_by=chosen_by or ("the public" if kind == "peoples_choice" else ""),
        exclude_conflicted=kind == "ballot" and form.get("exclude_conflicted", "") in ("on", "1", "yes", "true"),
    )


async def _event_class_ids(session: AsyncSession, event: Event) -> set[int]:
    return set((await session.scalars(select(EventClass.id).where(EventClass.event_id == event.id))).all())


async def _name_taken(session: AsyncSession, event: Event, name: str, except_id: int | None = None) -> bool:
    query = select(SpecialAward.id).where(
        SpecialAward.event_id == event.id, func.lower(SpecialAward.name) == name.lower()
    )
    if except_id is not None:
        query = query.where(SpecialAward.id != except_id)
    return (await session.scalar(query.limit(1))) is not None


async def create_award(
    session: AsyncSession, viewer: Viewer, event: Event, form: Mapping[str, str], class_ids: Sequence[str]
) -> SpecialAward:
    """Define an award: parse, refuse a name the event already has (any case), write, audit."""
    spec = parse_award(form, class_ids, await _event_class_ids(session, event))
    if await _name_taken(session, event, spec.name):
        raise FormErrors({"name": gettext("This event already has an award named “%(name)s”.", name=spec.name)})
    award = SpecialAward(
        event_id=event.id,
        name=spec.name,
        sponsor=spec.sponsor,
        kind=spec.kind,
        position=spec.position,
        eligibility=spec.eligibility,
        class_ids=spec.class_ids,
        nominated_entry_ids=[],
        chosen_by=spec.chosen_by,
        exclude_conflicted=spec.exclude_conflicted,
        status="setup",
        round=0,
    )
    session.add(award)
    await session.flush()
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="define",
        user_id=viewer.user_id,
        event_id=event.id,
        after=_spec_dict(spec),
    )
    return award


def _spec_dict(spec: AwardSpec) -> dict[str, object]:
    return {
        "name": spec.name,
        "sponsor": spec.sponsor,
        "kind": spec.kind,
        "position": spec.position,
        "eligibility": spec.eligibility,
        "class_ids": spec.class_ids,
        "chosen_by": spec.chosen_by,
        "exclude_conflicted": spec.exclude_conflicted,
    }


async def update_award(
    session: AsyncSession,
    viewer: Viewer,
    award: SpecialAward,
    event: Event,
    form: Mapping[str, str],
    class_ids: Sequence[str],
) -> SpecialAward:
    """Change a definition. Once voting opened or the award is decided, only the name, sponsor and order change."""
    spec = parse_award(form, class_ids, await _event_class_ids(session, event))
    if await _name_taken(session, event, spec.name, except_id=award.id):
        raise FormErrors({"name": gettext("This event already has an award named “%(name)s”.", name=spec.name)})
    before = {
        "name": award.name,
        "sponsor": award.sponsor,
        "kind": award.kind,
        "position": award.position,
        "eligibility": award.eligibility,
        "class_ids": list(award.class_ids),
        "chosen_by": award.chosen_by,
        "exclude_conflicted": award.exclude_conflicted,
    }
    if award.status != "setup" and (
        spec.kind != award.kind
        or spec.eligibility != award.eligibility
        or spec.class_ids != list(award.class_ids)
        or spec.exclude_conflicted != award.exclude_conflicted
    ):
        raise ServiceError(
            gettext(
                "Voting has opened or the award is decided: only its name, sponsor, order and who chooses can change."
            )
        )
    award.name, award.sponsor, award.position, award.chosen_by = spec.name, spec.sponsor, spec.position, spec.chosen_by
    award.kind, award.eligibility, award.class_ids = spec.kind, spec.eligibility, spec.class_ids
    award.exclude_conflicted = spec.exclude_conflicted
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="update",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after=_spec_dict(spec),
    )
    return award


async def remove_award(session: AsyncSession, viewer: Viewer, award_id: int) -> SpecialAward:
    award, event = await award_for_organizer(session, viewer, award_id)
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="remove",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"name": award.name, "kind": award.kind, "status": award.status, "entry_id": award.entry_id},
    )
    await session.delete(award)
    return award


async def set_rules(session: AsyncSession, viewer: Viewer, event: Event, form: Mapping[str, str]) -> None:
    """The event's award rules: at most one special award per car; what the public documents show (the scores, the
    judges' names, the judges' comments on the car pages)."""
    one = form.get("one_award_per_car", "") in ("on", "1", "yes", "true")
    ticked = {
        key: form.get(key, "") in ("on", "1", "yes", "true")
        for key in ("publish_scores", "publish_judges", "publish_comments")
    }
    scores = ticked["publish_scores"]
    before = {
        "one_award_per_car": event.one_award_per_car,
        "publish_scores": event.publish_scores,
        "publish_judges": event.publish_judges,
        "publish_comments": event.publish_comments,
    }
    if one and not event.one_award_per_car:
        holders = (
            await session.execute(
                select(SpecialAward.entry_id, func.count())
                .where(SpecialAward.event_id == event.id, SpecialAward.status == "decided")
                .group_by(SpecialAward.entry_id)
                .having(func.count() > 1)
            )
        ).all()
        if holders:
            raise ServiceError(
                gettext(
                    "Some cars already hold more than one special award: undo one of them before adopting this rule."
                )
            )
    event.one_award_per_car, event.publish_scores = one, scores
    event.publish_judges, event.publish_comments = ticked["publish_judges"], ticked["publish_comments"]
    audit.record(
        session,
        entity_type="event",
        entity_id=event.id,
        action="award_rules",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
        after={"one_award_per_car": one, **ticked},
    )


# ---------------------------------------------------------------------------------------------
# Who may win
# ---------------------------------------------------------------------------------------------


@dataclass
class Car:
    """A car as a picker or a ballot shows it."""

    entry_id: int
    car_number: int | None
    title: str
    coachbuilder: str
    class_code: str
    photo_id: int | None = None
    holds: list[str] = field(default_factory=list)  # other special awards this car holds
    blocked: str = ""  # why it cannot be picked (the one-award rule), or ""
    conflicted: bool = False  # the viewing voter has a conflict with it
    votes: int | None = None  # only once the round is closed


async def load_cars(session: AsyncSession, entry_ids: Sequence[int]) -> dict[int, Car]:
    """Cars by entry id, with their first photo (two queries)."""
    if not entry_ids:
        return {}
    rows = (
        await session.execute(
            select(
                Entry.id,
                Entry.car_number,
                Vehicle.id,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                Vehicle.coachbuilder,
                EventClass.code,
            )
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .outerjoin(EventClass, EventClass.id == Entry.class_id)
            .where(Entry.id.in_(list(entry_ids)))
        )
    ).all()
    vehicle_ids = [r[2] for r in rows]
    photos: dict[int, int] = {}
    for vid, pid in await session.execute(
        select(VehiclePhoto.vehicle_id, VehiclePhoto.id)
        .where(VehiclePhoto.vehicle_id.in_(vehicle_ids))
        .order_by(VehiclePhoto.vehicle_id, VehiclePhoto.position.desc(), VehiclePhoto.id.desc())
    ):
        photos[vid] = pid  # the last one written is the first by position
    return {
        eid: Car(eid, number, f"{year} {make} {model}", coach, code or "", photos.get(vid))
        for eid, number, vid, year, make, model, coach, code in rows
    }


async def eligible_ids(session: AsyncSession, event: Event, award: SpecialAward) -> list[int]:
    on_field = (Entry.event_id == event.id) & (Entry.status == "accepted") & Entry.car_number.is_not(None)
    if award.eligibility == "class_winners":
        ids = (
            await session.scalars(
                select(ClassResult.entry_id)
                .join(EventClass, EventClass.id == ClassResult.class_id)
                .join(Entry, Entry.id == ClassResult.entry_id)
                .where(
                    EventClass.event_id == event.id,
                    EventClass.certified_at.is_not(None),
                    EventClass.id.in_([int(c) for c in award.class_ids]),
                    ClassResult.rank == 1,
                    on_field,
                )
            )
        ).all()
    elif award.eligibility == "nominated":
        wanted = [int(e) for e in award.nominated_entry_ids]
        ids = (await session.scalars(select(Entry.id).where(on_field, Entry.id.in_(wanted)))).all() if wanted else []
    elif award.eligibility == "judged":
        judged = (
            select(ScoreSheet.id)
            .where(
                ScoreSheet.entry_id == Entry.id,
                ScoreSheet.status == "submitted",
                ScoreSheet.calibration.is_(False),
            )
            .exists()
        )
        ids = (await session.scalars(select(Entry.id).where(on_field, Entry.absent_reason == "", judged))).all()
    else:
        ids = (await session.scalars(select(Entry.id).where(on_field, Entry.absent_reason == ""))).all()
    return list(ids)


async def _holdings(session: AsyncSession, event: Event, except_award_id: int) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for entry_id, name in await session.execute(
        select(SpecialAward.entry_id, SpecialAward.name)
        .where(
            SpecialAward.event_id == event.id,
            SpecialAward.status == "decided",
            SpecialAward.entry_id.is_not(None),
            SpecialAward.id != except_award_id,
        )
        .order_by(SpecialAward.position)
    ):
        out.setdefault(entry_id, []).append(name)
    return out


async def eligible_cars(session: AsyncSession, event: Event, award: SpecialAward) -> list[Car]:
    """The cars that may win, by car number, each saying which other awards it holds; under the event's
    one-award rule a car holding another award is listed as blocked."""
    ids = await eligible_ids(session, event, award)
    cars = await load_cars(session, ids)
    holds = await _holdings(session, event, award.id)
    out = []
    for car in sorted(cars.values(), key=lambda c: (c.car_number or 0, c.entry_id)):
        car.holds = holds.get(car.entry_id, [])
        if event.one_award_per_car and car.holds:
            car.blocked = gettext("already holds %(awards)s (one special award per car)", awards=", ".join(car.holds))
        out.append(car)
    return out


async def winner_car(session: AsyncSession, award: SpecialAward) -> Car | None:
    """The car a decided award went to."""
    if award.status != "decided" or award.entry_id is None:
        return None
    return (await load_cars(session, [award.entry_id])).get(award.entry_id)


async def nominate(session: AsyncSession, viewer: Viewer, award: SpecialAward, event: Event, numbers: str) -> None:
    """The chief judge's list of eligible cars, as car numbers (comma or space separated)."""
    if award.status != "setup":
        raise FormErrors({"nominated": gettext("Voting has opened: the nominations are fixed.")})
    tokens = [t for t in numbers.replace(",", " ").split() if t]
    if not tokens:
        raise FormErrors({"nominated": gettext("List the car numbers you nominate, e.g. 12, 31, 44.")})
    bad = [t for t in tokens if not (t.isdecimal() and t.isascii() and len(t) <= 6)]
    if bad:
        raise FormErrors({"nominated": gettext("Not a car number: %(values)s.", values=", ".join(bad[:5]))})
    wanted = sorted({int(t) for t in tokens})
    found = dict(
        (
            await session.execute(
                select(Entry.car_number, Entry.id).where(
                    Entry.event_id == event.id, Entry.status == "accepted", Entry.car_number.in_(wanted)
                )
            )
        )
        .tuples()
        .all()
    )
    missing = [str(n) for n in wanted if n not in found]
    if missing:
        raise FormErrors(
            {"nominated": gettext("No accepted car has number %(numbers)s at this event.", numbers=", ".join(missing))}
        )
    before = list(award.nominated_entry_ids)
    award.nominated_entry_ids = [found[n] for n in wanted]
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="nominate",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"entry_ids": before},
        after={"entry_ids": list(award.nominated_entry_ids), "car_numbers": wanted},
    )


# ---------------------------------------------------------------------------------------------
# Designated awards
# ---------------------------------------------------------------------------------------------


async def entry_by_number(session: AsyncSession, event: Event, text: str, field_name: str) -> Entry:
    number = text.strip().lstrip("#")
    if not number.isdecimal() or not number.isascii() or len(number) > 6:
        raise FormErrors({field_name: gettext("Enter the car number of the chosen car.")})
    entry = await session.scalar(
        select(Entry).where(Entry.event_id == event.id, Entry.car_number == int(number), Entry.status == "accepted")
    )
    if entry is None:
        raise FormErrors({field_name: gettext("No accepted car has number %(numbers)s at this event.", numbers=number)})
    return entry


async def _check_pickable(
    session: AsyncSession, event: Event, award: SpecialAward, entry: Entry, field_name: str
) -> None:
    cars = {c.entry_id: c for c in await eligible_cars(session, event, award)}
    car = cars.get(entry.id)
    if car is None:
        rule = gettext(rules.ELIGIBILITY[award.eligibility]).lower()
        raise FormErrors(
            {field_name: gettext("Car %(number)s is not eligible: %(rule)s.", number=entry.car_number, rule=rule)}
        )
    if car.blocked:
        raise FormErrors(
            {field_name: gettext("Car %(number)s %(reason)s.", number=entry.car_number, reason=car.blocked)}
        )


def record_decision(award: SpecialAward, viewer: Viewer, entry_id: int, reason: str) -> None:
    award.entry_id = entry_id
    award.status = "decided"
    award.decided_at = utcnow()
    award.decided_by_id = viewer.user_id
    award.reason = reason[:2000]


async def decide_designated(
    session: AsyncSession, viewer: Viewer, award: SpecialAward, event: Event, form: Mapping[str, str]
) -> None:
    """Record the named person's choice: the car must be eligible (and free under the one-award rule)."""
    if award.kind != "designated":
        raise ServiceError(gettext("This award is not chosen by a named person."))
    if award.status == "decided":
        raise ServiceError(gettext("This award is decided; undo the decision first to choose again."))
    entry = await entry_by_number(session, event, form.get("car_number", ""), "car_number")
    await _check_pickable(session, event, award, entry, "car_number")
    record_decision(award, viewer, entry.id, form.get("reason", "").strip())
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="decide",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"entry_id": entry.id, "car_number": entry.car_number, "chosen_by": award.chosen_by},
    )


async def undo_decision(session: AsyncSession, viewer: Viewer, award: SpecialAward, event: Event) -> None:
    """Take back a designated choice (a mistake); ballots and People's Choice keep their count."""
    if award.kind != "designated" or award.status != "decided":
        raise ServiceError(gettext("Only a designated award's choice can be undone."))
    before = {"entry_id": award.entry_id}
    award.entry_id, award.status, award.decided_at, award.decided_by_id = None, "setup", None, None
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="undo",
        user_id=viewer.user_id,
        event_id=event.id,
        before=before,
    )


# ---------------------------------------------------------------------------------------------
# The organizer's overview
# ---------------------------------------------------------------------------------------------


@dataclass
class AwardLine:
    award: SpecialAward
    winner: Car | None
    voters: int = 0
    voted: int = 0
    codes: int = 0
    codes_spent: int = 0


async def award_lines(session: AsyncSession, event: Event) -> list[AwardLine]:
    """Every award of the event in ceremony order, with its winner and progress (never an open count)."""
    awards = (
        await session.scalars(
            select(SpecialAward)
            .where(SpecialAward.event_id == event.id)
            .order_by(SpecialAward.position, SpecialAward.id)
        )
    ).all()
    ids = [a.id for a in awards]
    winners = await load_cars(session, [a.entry_id for a in awards if a.entry_id is not None and a.status == "decided"])
    voters = (
        dict(
            (
                await session.execute(
                    select(AwardVoter.award_id, func.count())
                    .where(AwardVoter.award_id.in_(ids))
                    .group_by(AwardVoter.award_id)
                )
            )
            .tuples()
            .all()
        )
        if ids
        else {}
    )
    voted: dict[int, int] = {}
    if ids:
        for award_id, rnd, n in await session.execute(
            select(AwardRoll.award_id, AwardRoll.round, func.count())
            .where(AwardRoll.award_id.in_(ids))
            .group_by(AwardRoll.award_id, AwardRoll.round)
        ):
            if any(a.id == award_id and a.round == rnd for a in awards):
                voted[award_id] = n
    codes: dict[int, tuple[int, int]] = {}
    if ids:
        for award_id, spent, n in await session.execute(
            select(VotingCode.award_id, VotingCode.spent, func.count())
            .where(VotingCode.award_id.in_(ids))
            .group_by(VotingCode.award_id, VotingCode.spent)
        ):
            total, used = codes.get(award_id, (0, 0))
            codes[award_id] = (total + n, used + (n if spent else 0))
    return [
        AwardLine(
            award=a,
            winner=winners.get(a.entry_id) if a.entry_id is not None and a.status == "decided" else None,
            voters=voters.get(a.id, 0),
            voted=voted.get(a.id, 0),
            codes=codes.get(a.id, (0, 0))[0],
            codes_spent=codes.get(a.id, (0, 0))[1],
        )
        for a in awards
    ]
