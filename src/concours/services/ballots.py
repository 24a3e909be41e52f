"""Voting on special awards: a ballot's named voters, its rounds, the judges' secret votes, counts and run-offs.
The rounds (opening, counting, closing) also serve People's Choice, whose public votes come through
:mod:`concours.services.peoples_choice`.

Secrecy of a ballot: a vote only increments a car's counter (``AwardCandidate.votes``: no row per vote, no
id, no timestamp) and ``AwardRoll`` records that a judge voted in a round, not for what. Counts are never
read for a page until the round is closed; the audit log records opening, closing, run-offs and the final
count, never a vote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    AwardCandidate,
    AwardRoll,
    AwardVoter,
    Conflict,
    Entrant,
    Entry,
    Event,
    Judge,
    SpecialAward,
    User,
)
from concours.domain import awards as rules
from concours.i18n import gettext, ngettext
from concours.services import audit
from concours.services.awards import Car, eligible_cars, eligible_ids, entry_by_number, load_cars, record_decision
from concours.services.errors import Forbidden, FormErrors, NotFound, ServiceError
from concours.services.permissions import (
    Viewer,
    conflict_binds,
    require,
    roster_judge_ids,
    why_not_judge,
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
    candidates = await candidate_ids(session, award) if award.round else await eligible_ids(session, event, award)
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


async def candidate_ids(session: AsyncSession, award: SpecialAward, rnd: int | None = None) -> list[int]:
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
    ids = await candidate_ids(session, award)
    cars = await load_cars(session, ids)
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
    require(why_not_judge(viewer))
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
    if not await lock_open_round(session, award_id, ballot.round):
        raise ServiceError("This round has just closed; your vote was not counted.")
    session.add(AwardRoll(award_id=award_id, round=ballot.round, judge_id=viewer.judge_id))
    try:
        await session.flush()  # the roll's primary key refuses a second vote by the same judge in the round
    except IntegrityError as exc:
        raise ServiceError(f"You have already voted in round {ballot.round}.") from exc
    await count_vote(session, award_id, ballot.round, car.entry_id)
    ballot.voted = True
    return ballot


async def lock_open_round(session: AsyncSession, award_id: int, rnd: int) -> bool:
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


async def count_vote(session: AsyncSession, award_id: int, rnd: int, entry_id: int) -> None:
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
        record_decision(award, viewer, winner, award.reason)
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
    entry = await entry_by_number(session, event, form.get("car_number", ""), "car_number")
    if entry.id not in tied:
        raise FormErrors({"car_number": gettext("Choose one of the tied cars.")})
    reason = form.get("reason", "").strip()
    if not reason:
        raise FormErrors({"reason": gettext("Say why this car wins the tie.")})
    record_decision(award, viewer, entry.id, reason)
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
    cars = await load_cars(session, sorted({r[1] for r in rows}))
    out = []
    for rnd in sorted({r[0] for r in rows}):
        is_open = award.status == "open" and rnd == award.round
        lines = [(cars[e], 0 if is_open else v) for r, e, v in rows if r == rnd]
        lines.sort(key=lambda cv: (-cv[1], cv[0].car_number or 0))
        out.append(RoundCount(rnd, lines, is_open))
    return out
