"""Special awards, each decided by its own rule: a secret ballot of named judges (with run-offs), a named
person's choice, or People's Choice by single-use voting codes.

Other modules read decided awards only through :func:`decided_awards` and :func:`awards_for_entries`.

Secrecy of a ballot: a vote only increments a car's counter (``AwardCandidate.votes``: no row per vote, no
id, no timestamp) and ``AwardRoll`` records that a judge voted in a round, not for what. Counts are never
read for a page until the round is closed; the audit log records opening, closing, run-offs and the final
count, never a vote.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    AwardCandidate,
    AwardRoll,
    AwardVoter,
    ClassResult,
    Conflict,
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    ScoreSheet,
    SpecialAward,
    User,
    Vehicle,
    VehiclePhoto,
    VotingCode,
    VotingCodeBatch,
    utcnow,
)
from concours.domain import awards as rules
from concours.i18n import N_, gettext, ngettext
from concours.services import audit
from concours.services.errors import Forbidden, FormErrors, NotFound, ServiceError
from concours.services.permissions import (
    Viewer,
    conflict_binds,
    require_in_event,
    roster_judge_ids,
    why_not_organize,
    why_not_run_judging,
)

KINDS = rules.KINDS
ELIGIBILITY = rules.ELIGIBILITY
MAX_CODES_PER_BATCH = 2000


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
            how = f"chosen by {a.chosen_by}" if a.chosen_by else "designated"
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


async def _cars(session: AsyncSession, entry_ids: Sequence[int]) -> dict[int, Car]:
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


async def _eligible_ids(session: AsyncSession, event: Event, award: SpecialAward) -> list[int]:
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
    ids = await _eligible_ids(session, event, award)
    cars = await _cars(session, ids)
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
    return (await _cars(session, [award.entry_id])).get(award.entry_id)


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


async def _entry_by_number(session: AsyncSession, event: Event, text: str, field_name: str) -> Entry:
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


def _decide(award: SpecialAward, viewer: Viewer, entry_id: int, reason: str) -> None:
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
    entry = await _entry_by_number(session, event, form.get("car_number", ""), "car_number")
    await _check_pickable(session, event, award, entry, "car_number")
    _decide(award, viewer, entry.id, form.get("reason", "").strip())
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
# Ballots: voters, rounds, secret votes, counts, run-offs
# ---------------------------------------------------------------------------------------------


async def set_voters(
    session: AsyncSession, viewer: Viewer, award: SpecialAward, event: Event, judge_ids: Sequence[str]
) -> None:
    """The chief judge names the voters, judges of the event's roster (honorary judges included)."""
    if award.kind != "ballot":
        raise ServiceError(gettext("Only a ballot has voters."))
    if award.status != "setup":
        raise FormErrors({"voters": gettext("Voting has opened: the voters are fixed.")})
    roster = await roster_judge_ids(session, event.id)
    picked: set[int] = set()
    for value in judge_ids:
        if not (value.isdecimal() and value.isascii() and len(value) <= 9) or int(value) not in roster:
            raise FormErrors({"voters": gettext("Pick judges of this event's roster.")})
        picked.add(int(value))
    if not picked:
        raise FormErrors({"voters": gettext("Name at least one voter.")})
    before = sorted((await session.scalars(select(AwardVoter.judge_id).where(AwardVoter.award_id == award.id))).all())
    await session.execute(delete(AwardVoter).where(AwardVoter.award_id == award.id))
    session.add_all(AwardVoter(award_id=award.id, judge_id=j) for j in sorted(picked))
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="voters",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"judge_ids": before},
        after={"judge_ids": sorted(picked)},
    )


async def _conflicts(
    session: AsyncSession, event: Event, judge_ids: Sequence[int], entry_ids: Sequence[int]
) -> dict[int, set[int]]:
    """judge id → the entries (among ``entry_ids``) the judge must not vote for: declared conflicts and own cars."""
    if not judge_ids or not entry_ids:
        return {}
    entries = (
        await session.execute(select(Entry.id, Entry.entrant_id, Entry.class_id).where(Entry.id.in_(list(entry_ids))))
    ).all()
    out: dict[int, set[int]] = {}
    for judge_id, c_entry, c_entrant, c_class in await session.execute(
        select(Conflict.judge_id, Conflict.entry_id, Conflict.entrant_id, Conflict.class_id).where(
            Conflict.event_id == event.id, Conflict.judge_id.in_(list(judge_ids)), conflict_binds()
        )
    ):
        for eid, entrant_id, class_id in entries:
            if eid == c_entry or entrant_id == c_entrant or (c_class is not None and class_id == c_class):
                out.setdefault(judge_id, set()).add(eid)
    for judge_id, entrant_id in await session.execute(
        select(Judge.id, Entrant.id)
        .join(Entrant, Entrant.user_id == Judge.user_id)
        .where(Judge.id.in_(list(judge_ids)))
    ):
        for eid, owner, _ in entries:
            if owner == entrant_id:
                out.setdefault(judge_id, set()).add(eid)
    return out


@dataclass(frozen=True)
class RollLine:
    judge_id: int
    name: str
    honorary: bool
    conflicts: list[int]  # car numbers this voter cannot vote for
    excluded: bool  # left off because of a conflict (the award's rule)
    voted: bool  # in the current round


async def ballot_roll(session: AsyncSession, event: Event, award: SpecialAward) -> list[RollLine]:
    """The named voters: conflicts, exclusion and whether each has voted in the current round (never for what)."""
    rows = (
        await session.execute(
            select(Judge.id, User.name, Judge.honorary)
            .join(AwardVoter, AwardVoter.judge_id == Judge.id)
            .join(User, User.id == Judge.user_id)
            .where(AwardVoter.award_id == award.id)
            .order_by(User.name)
        )
    ).all()
    candidates = await _candidate_ids(session, award) if award.round else await _eligible_ids(session, event, award)
    conflicts = await _conflicts(session, event, [r[0] for r in rows], candidates)
    numbers = dict(
        (await session.execute(select(Entry.id, Entry.car_number).where(Entry.id.in_(candidates)))).tuples().all()
    )
    voted = set(
        (
            await session.scalars(
                select(AwardRoll.judge_id).where(AwardRoll.award_id == award.id, AwardRoll.round == award.round)
            )
        ).all()
    )
    return [
        RollLine(
            judge_id=jid,
            name=name,
            honorary=honorary,
            conflicts=sorted(numbers.get(e) or 0 for e in conflicts.get(jid, set())),
            excluded=award.exclude_conflicted and bool(conflicts.get(jid)),
            voted=jid in voted,
        )
        for jid, name, honorary in rows
    ]


async def _candidate_ids(session: AsyncSession, award: SpecialAward, rnd: int | None = None) -> list[int]:
    return list(
        (
            await session.scalars(
                select(AwardCandidate.entry_id).where(
                    AwardCandidate.award_id == award.id, AwardCandidate.round == (rnd or award.round)
                )
            )
        ).all()
    )


def _start_round(session: AsyncSession, award: SpecialAward, entry_ids: Sequence[int]) -> None:
    award.round += 1
    award.status = "open"
    session.add_all(
        AwardCandidate(award_id=award.id, round=award.round, entry_id=e, votes=0) for e in sorted(entry_ids)
    )


async def open_voting(session: AsyncSession, viewer: Viewer, award: SpecialAward, event: Event) -> None:
    """Open the first round: the ballot's cars are the eligible ones now (cars blocked by the one-award rule
    left out); a ballot needs voters who may vote."""
    if award.kind == "designated":
        raise ServiceError(gettext("A designated award is chosen, not voted."))
    if award.status != "setup":
        raise ServiceError(gettext("Voting has already opened for this award."))
    cars = [c for c in await eligible_cars(session, event, award) if not c.blocked]
    if award.kind == "ballot":
        if len(cars) < 2:
            raise ServiceError(
                ngettext(
                    "A ballot needs at least two eligible cars; there is %(num)s. "
                    "Certify the classes or nominate cars first.",
                    "A ballot needs at least two eligible cars; there are %(num)s. "
                    "Certify the classes or nominate cars first.",
                    len(cars),
                )
            )
        roll = await ballot_roll(session, event, award)
        if not [r for r in roll if not r.excluded]:
            raise ServiceError(gettext("Name the voters first (excluded voters do not count)."))
    elif not cars:
        raise ServiceError(gettext("There are no cars on the field to vote for yet."))
    _start_round(session, award, [c.entry_id for c in cars])
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="open",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"round": award.round, "car_numbers": [c.car_number for c in cars]},
    )


@dataclass
class JudgeBallot:
    award_id: int
    name: str
    sponsor: str
    round: int
    voted: bool
    excluded: bool
    cars: list[Car]


async def ballots_for_judge(session: AsyncSession, viewer: Viewer) -> list[JudgeBallot]:
    """The open ballots the signed-in judge is a voter of."""
    if viewer.judge_id is None:
        return []
    awards = (
        await session.scalars(
            select(SpecialAward)
            .join(AwardVoter, AwardVoter.award_id == SpecialAward.id)
            .where(AwardVoter.judge_id == viewer.judge_id, SpecialAward.status == "open", SpecialAward.kind == "ballot")
            .order_by(SpecialAward.position)
        )
    ).all()
    out = []
    for award in awards:
        out.append(await _judge_ballot(session, viewer, award))
    return out


async def _judge_ballot(session: AsyncSession, viewer: Viewer, award: SpecialAward) -> JudgeBallot:
    assert viewer.judge_id is not None
    event = await session.get(Event, award.event_id)
    assert event is not None
    ids = await _candidate_ids(session, award)
    cars = await _cars(session, ids)
    conflicted = (await _conflicts(session, event, [viewer.judge_id], ids)).get(viewer.judge_id, set())
    for car in cars.values():
        car.conflicted = car.entry_id in conflicted
    voted = await session.scalar(
        select(AwardRoll.judge_id).where(
            AwardRoll.award_id == award.id, AwardRoll.round == award.round, AwardRoll.judge_id == viewer.judge_id
        )
    )
    return JudgeBallot(
        award_id=award.id,
        name=award.name,
        sponsor=award.sponsor,
        round=award.round,
        voted=voted is not None,
        excluded=award.exclude_conflicted and bool(conflicted),
        cars=sorted(cars.values(), key=lambda c: (c.car_number or 0, c.entry_id)),
    )


async def ballot_for_judge(session: AsyncSession, viewer: Viewer, award_id: int) -> JudgeBallot:
    """An open ballot of which the judge is a voter, or 404 (a judge learns nothing of other ballots)."""
    if viewer.judge_id is None:
        raise Forbidden("Only judges vote on ballots.")
    award = await session.get(SpecialAward, award_id)
    is_voter = await session.scalar(
        select(AwardVoter.id).where(AwardVoter.award_id == award_id, AwardVoter.judge_id == viewer.judge_id)
    )
    if award is None or award.kind != "ballot" or is_voter is None:
        raise NotFound("There is no such ballot for you.")
    if award.status != "open":
        raise ServiceError("This ballot is not open for voting now.")
    return await _judge_ballot(session, viewer, award)


async def cast_ballot_vote(session: AsyncSession, viewer: Viewer, award_id: int, entry_text: str) -> JudgeBallot:
    """A judge's secret vote: the roll records that they voted in this round, the car's counter goes up by one,
    and nothing links the two."""
    ballot = await ballot_for_judge(session, viewer, award_id)
    assert viewer.judge_id is not None
    if ballot.excluded:
        raise Forbidden("You have a conflict with a car on this ballot, and this award leaves such voters out.")
    if ballot.voted:
        raise ServiceError(f"You have already voted in round {ballot.round}.")
    car = next(
        (c for c in ballot.cars if entry_text.isdecimal() and entry_text.isascii() and str(c.entry_id) == entry_text),
        None,
    )
    if car is None:
        raise FormErrors({"entry_id": "Choose one of the cars on this ballot."})
    if car.conflicted:
        raise FormErrors({"entry_id": f"You have a conflict with car {car.car_number}: you cannot vote for it."})
    if not await _lock_open_round(session, award_id, ballot.round):
        raise ServiceError("This round has just closed; your vote was not counted.")
    session.add(AwardRoll(award_id=award_id, round=ballot.round, judge_id=viewer.judge_id))
    try:
        await session.flush()  # the roll's primary key refuses a second vote by the same judge in the round
    except IntegrityError as exc:
        raise ServiceError(f"You have already voted in round {ballot.round}.") from exc
    await _count_vote(session, award_id, ballot.round, car.entry_id)
    ballot.voted = True
    return ballot


async def _lock_open_round(session: AsyncSession, award_id: int, rnd: int) -> bool:
    """Hold the award (FOR SHARE on PostgreSQL) while a vote is counted, so closing waits for votes in flight and
    a vote never lands after the count. False if the round closed meanwhile."""
    row = (
        await session.execute(
            select(SpecialAward.status, SpecialAward.round)
            .where(SpecialAward.id == award_id)
            .with_for_update(read=True)
        )
    ).first()
    return row is not None and row[0] == "open" and row[1] == rnd


async def _count_vote(session: AsyncSession, award_id: int, rnd: int, entry_id: int) -> None:
    """Add one vote. Every counter of the round is rewritten (only the chosen one changes), so no row-level
    trace (PostgreSQL's xmin, an update's position) shows which car this transaction voted for."""
    await session.execute(
        update(AwardCandidate)
        .where(AwardCandidate.award_id == award_id, AwardCandidate.round == rnd)
        .values(votes=AwardCandidate.votes + case((AwardCandidate.entry_id == entry_id, 1), else_=0))
    )


async def counts(session: AsyncSession, award: SpecialAward, rnd: int) -> dict[int, int]:
    """A closed round's count (entry id → votes). Never called for the open round."""
    if award.status == "open" and rnd == award.round:
        raise Forbidden("No count is visible while voting is open.")
    return dict(
        (
            await session.execute(
                select(AwardCandidate.entry_id, AwardCandidate.votes).where(
                    AwardCandidate.award_id == award.id, AwardCandidate.round == rnd
                )
            )
        )
        .tuples()
        .all()
    )


async def close_voting(session: AsyncSession, viewer: Viewer, award: SpecialAward, event: Event) -> str:
    """Close the open round and count: one leader wins; a tie starts a run-off among the tied cars (a new round),
    unless a run-off tied among the very same cars, which then waits for a recorded decision. Returns what
    happened, for the page."""
    await session.refresh(award, with_for_update=True)  # votes in flight finish first (PostgreSQL)
    if award.status != "open":
        raise ServiceError(gettext("Voting is not open for this award."))
    award.status = "closed"
    result = await counts(session, award, award.round)
    total = sum(result.values())
    if total == 0:
        award.status = "open"
        raise ServiceError(gettext("No vote has been cast yet: nothing to count."))
    numbers = dict(
        (await session.execute(select(Entry.id, Entry.car_number).where(Entry.id.in_(list(result))))).tuples().all()
    )
    by_number = {str(numbers.get(e)): n for e, n in sorted(result.items(), key=lambda kv: numbers.get(kv[0]) or 0)}
    winner, tied = rules.outcome(result)
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="close",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"round": award.round, "count": by_number, "votes": total},
    )
    if winner is not None:
        _decide(award, viewer, winner, award.reason)
        audit.record(
            session,
            entity_type="special_award",
            entity_id=award.id,
            action="final_count",
            user_id=viewer.user_id,
            event_id=event.id,
            after={"round": award.round, "winner_car_number": numbers.get(winner), "count": by_number},
        )
        return gettext(
            "Car %(number)s wins with %(votes)s of %(total)s votes.",
            number=numbers.get(winner),
            votes=result[winner],
            total=total,
        )
    tied_numbers = [numbers.get(e) for e in tied]
    if award.kind == "ballot" and len(tied) < len(result):
        _start_round(session, award, tied)
        audit.record(
            session,
            entity_type="special_award",
            entity_id=award.id,
            action="run_off",
            user_id=viewer.user_id,
            event_id=event.id,
            after={"round": award.round, "car_numbers": tied_numbers},
        )
        return gettext(
            "A tie between cars %(numbers)s: run-off (round %(round)s) is open.",
            numbers=", ".join(map(str, tied_numbers)),
            round=award.round,
        )
    if award.kind == "ballot":
        return gettext(
            "A tie between cars %(numbers)s: hold another run-off or decide it, with your reason.",
            numbers=", ".join(map(str, tied_numbers)),
        )
    return gettext(
        "A tie between cars %(numbers)s: decide it, with your reason.", numbers=", ".join(map(str, tied_numbers))
    )


async def tied_cars(session: AsyncSession, award: SpecialAward) -> list[int]:
    """The entries tied at the top of a closed, undecided round."""
    if award.status != "closed":
        return []
    return rules.outcome(await counts(session, award, award.round))[1]


async def run_off(session: AsyncSession, viewer: Viewer, award: SpecialAward, event: Event) -> None:
    """Another run-off among the cars still tied (a ballot whose run-off tied again)."""
    tied = await tied_cars(session, award)
    if award.kind != "ballot" or not tied:
        raise ServiceError(gettext("There is no tie waiting for a run-off."))
    _start_round(session, award, tied)
    numbers = (await session.scalars(select(Entry.car_number).where(Entry.id.in_(tied)))).all()
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="run_off",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"round": award.round, "car_numbers": sorted(n or 0 for n in numbers)},
    )


async def decide_tie(
    session: AsyncSession, viewer: Viewer, award: SpecialAward, event: Event, form: Mapping[str, str]
) -> None:
    """The chief judge (or organizer) decides a tie that voting did not break, with a reason."""
    tied = await tied_cars(session, award)
    if not tied:
        raise ServiceError(gettext("There is no tie waiting for a decision."))
    entry = await _entry_by_number(session, event, form.get("car_number", ""), "car_number")
    if entry.id not in tied:
        raise FormErrors({"car_number": gettext("Choose one of the tied cars.")})
    reason = form.get("reason", "").strip()
    if not reason:
        raise FormErrors({"reason": gettext("Say why this car wins the tie.")})
    _decide(award, viewer, entry.id, reason)
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="final_count",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"round": award.round, "winner_car_number": entry.car_number, "tie_decided": reason[:500]},
    )


@dataclass(frozen=True)
class RoundCount:
    round: int
    lines: list[tuple[Car, int]]  # by votes, most first
    open: bool  # an open round shows no counts (lines hold 0 for every car)


async def rounds(session: AsyncSession, award: SpecialAward) -> list[RoundCount]:
    """Every round with its cars; counts only for closed rounds."""
    rows = (
        await session.execute(
            select(AwardCandidate.round, AwardCandidate.entry_id, AwardCandidate.votes).where(
                AwardCandidate.award_id == award.id
            )
        )
    ).all()
    cars = await _cars(session, sorted({r[1] for r in rows}))
    out = []
    for rnd in sorted({r[0] for r in rows}):
        is_open = award.status == "open" and rnd == award.round
        lines = [(cars[e], 0 if is_open else v) for r, e, v in rows if r == rnd]
        lines.sort(key=lambda cv: (-cv[1], cv[0].car_number or 0))
        out.append(RoundCount(rnd, lines, is_open))
    return out


# ---------------------------------------------------------------------------------------------
# People's Choice: voting codes and the public ballot
# ---------------------------------------------------------------------------------------------


async def generate_codes(
    session: AsyncSession, secret: str, viewer: Viewer, award: SpecialAward, event: Event, count_text: str
) -> VotingCodeBatch:
    """A batch of single-use codes; only their keyed hashes are stored (the sheet derives them again)."""
    if award.kind != "peoples_choice":
        raise ServiceError(gettext("Voting codes are for People's Choice."))
    if award.status == "decided":
        raise ServiceError(gettext("This award is decided: no more codes."))
    text = count_text.strip()
    if not text.isdecimal() or not text.isascii() or len(text) > 5 or not 1 <= int(text) <= MAX_CODES_PER_BATCH:
        raise FormErrors({"count": gettext("Give a number of codes from 1 to %(max)s.", max=MAX_CODES_PER_BATCH)})
    batch = VotingCodeBatch(award_id=award.id, size=int(text), salt=secrets.token_hex(16), created_by_id=viewer.user_id)
    session.add(batch)
    await session.flush()
    session.add_all(
        VotingCode(
            code_hash=rules.code_hash(secret, rules.voting_code(secret, award.id, batch.id, i, batch.salt)),
            award_id=award.id,
            batch_id=batch.id,
            spent=False,
        )
        for i in range(batch.size)
    )
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="codes",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"batch_id": batch.id, "size": batch.size},
    )
    return batch


async def code_batches(session: AsyncSession, award: SpecialAward) -> list[tuple[VotingCodeBatch, int]]:
    """The award's batches with how many of each batch's codes are spent."""
    spent = dict(
        (
            await session.execute(
                select(VotingCode.batch_id, func.count())
                .where(VotingCode.award_id == award.id, VotingCode.spent.is_(True))
                .group_by(VotingCode.batch_id)
            )
        )
        .tuples()
        .all()
    )
    batches = (
        await session.scalars(
            select(VotingCodeBatch).where(VotingCodeBatch.award_id == award.id).order_by(VotingCodeBatch.id)
        )
    ).all()
    return [(b, spent.get(b.id, 0)) for b in batches]


def batch_codes(secret: str, batch: VotingCodeBatch) -> list[str]:
    return [rules.voting_code(secret, batch.award_id, batch.id, i, batch.salt) for i in range(batch.size)]


async def batch_for_organizer(
    session: AsyncSession, viewer: Viewer, batch_id: int
) -> tuple[VotingCodeBatch, SpecialAward, Event]:
    batch = await session.get(VotingCodeBatch, batch_id)
    if batch is None:
        raise NotFound("There is no such batch of codes.")
    award, event = await award_for_organizer(session, viewer, batch.award_id)
    return batch, award, event


class CodeRefused(ServiceError):
    """A voting code that cannot vote; ``reason`` is unknown | spent | closed."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message, field="code")
        self.reason = reason


@dataclass
class PublicBallot:
    award_id: int
    name: str
    sponsor: str
    open: bool
    cars: list[Car]
    status: str = "open"


async def public_ballot(session: AsyncSession, event: Event) -> PublicBallot | None:
    """The event's People's Choice as the public sees it: its cars while voting is open, never a count."""
    award = await session.scalar(
        select(SpecialAward)
        .where(SpecialAward.event_id == event.id, SpecialAward.kind == "peoples_choice")
        .order_by(SpecialAward.status != "open", SpecialAward.position, SpecialAward.id)
        .limit(1)
    )
    if award is None:
        return None
    is_open = award.status == "open"
    cars = await _cars(session, await _candidate_ids(session, award, 1)) if is_open else {}
    return PublicBallot(
        award.id,
        award.name,
        award.sponsor,
        is_open,
        sorted(cars.values(), key=lambda c: (c.car_number or 0, c.entry_id)),
    )


async def peoples_choice_open(session: AsyncSession, event: Event) -> bool:
    """Whether spectators can vote now (for a link on the event's page)."""
    found = await session.scalar(
        select(SpecialAward.id)
        .where(SpecialAward.event_id == event.id, SpecialAward.kind == "peoples_choice", SpecialAward.status == "open")
        .limit(1)
    )
    return found is not None


CODE_SPENT = N_("This code has already been used to vote. Each code votes once.")
VOTING_CLOSED = N_("Voting has closed: thank you for coming!")


async def check_code(session: AsyncSession, secret: str, event: Event, code_text: str) -> VotingCode:
    """The unspent code of an open People's Choice of this event, or :class:`CodeRefused` saying why."""
    code = rules.normalize_code(code_text)
    row = None
    if code is not None:
        row = (
            await session.execute(
                select(VotingCode, SpecialAward.status)
                .join(SpecialAward, SpecialAward.id == VotingCode.award_id)
                .where(VotingCode.code_hash == rules.code_hash(secret, code), SpecialAward.event_id == event.id)
            )
        ).first()
    if row is None:
        raise CodeRefused(
            gettext(
                "This is not one of this show's voting codes. "
                "Check the letters on your card (no 0, 1, I, L or O are used)."
            ),
            "unknown",
        )
    voting_code, status = row._tuple()
    if voting_code.spent:
        raise CodeRefused(gettext(CODE_SPENT), "spent")
    if status != "open":
        raise CodeRefused(gettext("Voting is not open now.") if status == "setup" else gettext(VOTING_CLOSED), "closed")
    return voting_code


async def cast_public_vote(session: AsyncSession, secret: str, event: Event, code_text: str, entry_text: str) -> Car:
    """Spend the code and count the vote, in one transaction; a code spent meanwhile by another phone is refused."""
    voting_code = await check_code(session, secret, event, code_text)
    if not await _lock_open_round(session, voting_code.award_id, 1):
        raise CodeRefused(gettext(VOTING_CLOSED), "closed")
    candidates = await _candidate_ids(session, await _award(session, voting_code.award_id), 1)
    if (
        not (entry_text.isdecimal() and entry_text.isascii() and len(entry_text) <= 9)
        or int(entry_text) not in candidates
    ):
        raise FormErrors({"entry_id": gettext("Choose a car from the list.")})
    spent = await session.execute(
        update(VotingCode)
        .where(VotingCode.code_hash == voting_code.code_hash, VotingCode.spent.is_(False))
        .values(spent=True)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise CodeRefused(gettext(CODE_SPENT), "spent")
    await _count_vote(session, voting_code.award_id, 1, int(entry_text))
    cars = await _cars(session, [int(entry_text)])
    return cars[int(entry_text)]


async def _award(session: AsyncSession, award_id: int) -> SpecialAward:
    award = await session.get(SpecialAward, award_id)
    assert award is not None
    return award


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
    winners = await _cars(session, [a.entry_id for a in awards if a.entry_id is not None and a.status == "decided"])
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


async def ballot_photo(session: AsyncSession, event: Event, entry_id: int) -> VehiclePhoto:
    """The first photo of a car on the event's People's Choice ballot (the car stands on the field: public)."""
    on_ballot = (
        select(AwardCandidate.entry_id)
        .join(SpecialAward, SpecialAward.id == AwardCandidate.award_id)
        .where(
            SpecialAward.event_id == event.id,
            SpecialAward.kind == "peoples_choice",
            SpecialAward.status != "setup",
            AwardCandidate.entry_id == entry_id,
        )
        .exists()
    )
    photo = await session.scalar(
        select(VehiclePhoto)
        .join(Entry, Entry.vehicle_id == VehiclePhoto.vehicle_id)
        .where(Entry.id == entry_id, Entry.event_id == event.id, on_ballot)
        .order_by(VehiclePhoto.position, VehiclePhoto.id)
        .limit(1)
    )
    if photo is None:
        raise NotFound("There is no such photo.")
    return photo
