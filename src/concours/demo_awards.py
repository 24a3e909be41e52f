"""The demo's special awards, decided through the services.

The finished (published) edition: two sponsors' awards chosen by named people, People's Choice closed with
its count, and Best of Show decided by a secret ballot of the judges with a run-off. The current edition (in
judging): People's Choice open, with voting codes printed on the console so a visitor can vote.
"""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass, Judge, SpecialAward, User, VotingCodeBatch
from concours.domain.awards import format_code
from concours.services import awards, ballots, peoples_choice
from concours.services.permissions import Viewer, roster_judge_ids
from concours.settings import Settings

MAIN_SLUG = "lakeside-concours-d-elegance-2026"
PAST_SLUG = "lakeside-concours-d-elegance-2025"
ORGANIZER_EMAIL = "organizer@concours.example"
SPECTATORS = 180  # People's Choice votes cast in the finished edition
OPEN_CODES = 60  # codes printed for the current edition


async def _viewer(session: AsyncSession, events: list[Event]) -> Viewer:
    organizer = await session.scalar(select(User).where(User.email == ORGANIZER_EMAIL))
    assert organizer is not None
    ids = frozenset(e.id for e in events)
    return Viewer(organizer.id, organizer.name, organizer.email, True, None, None, ids, ids)


async def _define(
    session: AsyncSession, viewer: Viewer, event: Event, form: dict[str, str], classes: list[str]
) -> SpecialAward:
    return await awards.create_award(session, viewer, event, form, classes)


async def build_awards(session: AsyncSession, settings: Settings) -> None:
    """Add the special awards to both demo editions (the editions must exist)."""
    main = await session.scalar(select(Event).where(Event.slug == MAIN_SLUG))
    past = await session.scalar(select(Event).where(Event.slug == PAST_SLUG))
    if main is None or past is None:
        return
    rng = random.Random(1929)
    viewer = await _viewer(session, [main, past])
    await awards.set_rules(session, viewer, past, {"one_award_per_car": "on", "publish_scores": "on"})
    await awards.set_rules(session, viewer, main, {"one_award_per_car": "on", "publish_scores": "on"})
    class_ids = [
        str(c) for c in (await session.scalars(select(EventClass.id).where(EventClass.event_id == past.id))).all()
    ]

    # Two sponsors' awards, chosen by named people among the cars present and judged.
    designer = await _define(
        session,
        viewer,
        past,
        {
            "name": "The Designer's Award",
            "sponsor": "Atelier Lumière",
            "kind": "designated",
            "position": "10",
            "eligibility": "judged",
            "chosen_by": "the designer, Claudine Marchetti",
        },
        [],
    )
    preservation = await _define(
        session,
        viewer,
        past,
        {
            "name": "Best Preservation",
            "sponsor": "Lakeside Motor Club",
            "kind": "designated",
            "position": "20",
            "eligibility": "judged",
            "chosen_by": "the club's chairman",
        },
        [],
    )
    people = await _define(
        session,
        viewer,
        past,
        {
            "name": "People's Choice",
            "sponsor": "Lakeside Gazette",
            "kind": "peoples_choice",
            "position": "30",
            "eligibility": "judged",
        },
        [],
    )
    best = await _define(
        session,
        viewer,
        past,
        {
            "name": "Best of Show",
            "kind": "ballot",
            "position": "99",
            "eligibility": "class_winners",
            "chosen_by": "the judges",
        },
        class_ids,
    )

    # Best of Show: the class winners, a secret ballot of five judges; round 1 ties, the run-off decides.
    winners = [c for c in await awards.eligible_cars(session, past, best) if not c.blocked]
    judges = sorted(await roster_judge_ids(session, past.id))[:5]
    await ballots.set_voters(session, viewer, best, past, [str(j) for j in judges])
    await ballots.open_voting(session, viewer, best, past)
    first, second = winners[0], winners[1]
    voters = await _judge_viewers(session, judges)
    for voter, car in zip(voters, [first, second, first, second, winners[2 % len(winners)]], strict=True):
        await ballots.cast_ballot_vote(session, voter, best.id, str(car.entry_id))
    await ballots.close_voting(session, viewer, best, past)  # 2-2: a run-off between the two
    for voter, car in zip(voters, [first, second, first, first, second], strict=True):
        await ballots.cast_ballot_vote(session, voter, best.id, str(car.entry_id))
    await ballots.close_voting(session, viewer, best, past)

    # The sponsors pick among the judged cars that hold no award yet.
    for award, citation in (
        (designer, "For the purity of its lines and a colour chosen with rare restraint."),
        (preservation, "Original paint, original interior, and the patina of a life well driven."),
    ):
        free = [
            c for c in await awards.eligible_cars(session, past, award) if not c.blocked and c.entry_id != best.entry_id
        ]
        pick = rng.choice(free)
        await awards.decide_designated(
            session, viewer, award, past, {"car_number": str(pick.car_number), "reason": citation}
        )

    # People's Choice: codes handed out with the programmes, most of them used, then closed and counted.
    batch = await peoples_choice.generate_codes(session, settings.secret_key, viewer, people, past, "250")
    await ballots.open_voting(session, viewer, people, past)
    cars = [c for c in await awards.eligible_cars(session, past, people) if not c.blocked]
    weights = [rng.random() ** 2 for _ in cars]
    favourite = rng.randrange(len(cars))
    weights[favourite] += 2.0  # one car the crowd loved
    for code in peoples_choice.batch_codes(settings.secret_key, batch)[:SPECTATORS]:
        car = rng.choices(cars, weights)[0]
        await peoples_choice.cast_public_vote(session, settings.secret_key, past, code, str(car.entry_id))
    await ballots.close_voting(session, viewer, people, past)

    # The current edition: People's Choice open now, with codes to try.
    open_award = await _define(
        session,
        viewer,
        main,
        {
            "name": "People's Choice",
            "sponsor": "Lakeside Gazette",
            "kind": "peoples_choice",
            "position": "30",
            "eligibility": "accepted",
        },
        [],
    )
    await peoples_choice.generate_codes(session, settings.secret_key, viewer, open_award, main, str(OPEN_CODES))
    await ballots.open_voting(session, viewer, open_award, main)


async def _judge_viewers(session: AsyncSession, judge_ids: list[int]) -> list[Viewer]:
    rows = (
        await session.execute(
            select(Judge.id, User).join(User, User.id == Judge.user_id).where(Judge.id.in_(judge_ids))
        )
    ).all()
    by_id = {jid: user for jid, user in rows}
    return [Viewer(by_id[j].id, by_id[j].name, by_id[j].email, False, j, None) for j in judge_ids]


async def console_lines(session: AsyncSession, settings: Settings) -> list[str]:
    """What ``concours demo`` prints about People's Choice: the ballot, a few unused codes, the code sheet."""
    main = await session.scalar(select(Event).where(Event.slug == MAIN_SLUG))
    if main is None:
        return []
    award = await session.scalar(
        select(SpecialAward).where(SpecialAward.event_id == main.id, SpecialAward.kind == "peoples_choice")
    )
    batch = await session.scalar(
        select(VotingCodeBatch)
        .where(VotingCodeBatch.award_id == (award.id if award else -1))
        .order_by(VotingCodeBatch.id)
    )
    if award is None or batch is None:
        return []
    base = settings.base_url.rstrip("/")
    codes = [format_code(c) for c in peoples_choice.batch_codes(settings.secret_key, batch)[-3:]]
    return [
        f"  vote          {base}/events/{main.slug}/vote?code={codes[0].replace('-', '')}",
        f"                more codes (single use): {', '.join(codes[1:])}",
        f"  code sheet    {base}/organizer/code-batches/{batch.id}/sheet.pdf (as organizer)",
    ]


async def demo_voting_lines(settings: Settings) -> list[str]:
    """:func:`console_lines` on its own connection, for the CLI."""
    from concours.db.engine import Database

    db = Database.connect(settings.database_url)
    try:
        async with db.read() as session:
            return await console_lines(session, settings)
    finally:
        await db.dispose()
