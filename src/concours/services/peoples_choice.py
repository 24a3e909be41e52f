"""People's Choice: batches of single-use voting codes, the public ballot and the spectators' votes (one per code,
counted in the award's round like a judge's ballot vote)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    AwardCandidate,
    Entry,
    Event,
    SpecialAward,
    VehiclePhoto,
    VotingCode,
    VotingCodeBatch,
)
from concours.domain import awards as rules
from concours.i18n import N_, gettext
from concours.services import audit
from concours.services.awards import Car, award_for_organizer, load_cars
from concours.services.ballots import candidate_ids, count_vote, lock_open_round
from concours.services.errors import FormErrors, NotFound, ServiceError
from concours.services.permissions import Viewer

MAX_CODES_PER_BATCH = 2000


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
    cars = await load_cars(session, await candidate_ids(session, award, 1)) if is_open else {}
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
    if not await lock_open_round(session, voting_code.award_id, 1):
        raise CodeRefused(gettext(VOTING_CLOSED), "closed")
    candidates = await candidate_ids(session, await _award(session, voting_code.award_id), 1)
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
    await count_vote(session, voting_code.award_id, 1, int(entry_text))
    cars = await load_cars(session, [int(entry_text)])
    return cars[int(entry_text)]


async def _award(session: AsyncSession, award_id: int) -> SpecialAward:
    award = await session.get(SpecialAward, award_id)
    assert award is not None
    return award


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
