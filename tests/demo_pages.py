"""The realistic demo as a set of pages to visit: the demo built in the test database, the ids and sign-in tokens
of its people, and every page shape each audience sees (used by the axe browser test and the French pages test)."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    ApplicationInvitation,
    AwardVoter,
    Certification,
    ClassSystem,
    Entrant,
    Entry,
    Event,
    EventClass,
    Judge,
    LoginToken,
    ReportJob,
    ScoreSheet,
    SpecialAward,
    Team,
    TeamMember,
    User,
)
from concours.db.base import utcnow
from concours.demo import DEMO_ENTRANT_EMAIL, DEMO_JUDGE_EMAIL, MAIN_SLUG, ORGANIZER_EMAIL, PAST_SLUG, build_demo
from concours.services import accounts, invitations
from concours.settings import Settings
from tests.conftest import run_db


@dataclass
class Visit:
    role: str
    route: str  # the app's path pattern
    url: str
    status: int = 200  # a form shown with its errors answers 400


@dataclass
class Demo:
    """Ids of the demo's objects, and session tokens for its people."""

    ids: dict[str, Any]
    tokens: dict[str, str]
    notes: dict[str, Any] = field(default_factory=dict)


async def _gather(session: AsyncSession, settings: Settings) -> Demo:
    def one(value: Any, what: str) -> Any:
        assert value is not None, f"the demo has no {what}"
        return value

    main = one(await session.scalar(select(Event).where(Event.slug == MAIN_SLUG)), "current edition")
    past = one(await session.scalar(select(Event).where(Event.slug == PAST_SLUG)), "finished edition")
    users = {u.email: u for u in (await session.scalars(select(User))).all()}
    organizer, judge_user, entrant_user = users[ORGANIZER_EMAIL], users[DEMO_JUDGE_EMAIL], users[DEMO_ENTRANT_EMAIL]
    judge = one(await session.scalar(select(Judge).where(Judge.user_id == judge_user.id)), "demo judge")

    # The demo judge's class in the current edition, and one of its cars.
    judge_class = one(
        await session.scalar(
            select(Team.class_id)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.judge_id == judge.id, Team.event_id == main.id)
        ),
        "class of the demo judge",
    )
    judge_entry = one(
        await session.scalar(
            select(Entry.id).where(Entry.class_id == judge_class, Entry.status == "accepted").order_by(Entry.car_number)
        ),
        "car for the demo judge",
    )
    judge_submitted = one(
        await session.scalar(
            select(ScoreSheet.entry_id)
            .where(ScoreSheet.judge_id == judge.id, ScoreSheet.status == "submitted")
            .order_by(ScoreSheet.entry_id)
        ),
        "car the demo judge has submitted",
    )
    judge_draft = one(
        await session.scalar(
            select(ScoreSheet.entry_id)
            .where(ScoreSheet.judge_id == judge.id, ScoreSheet.status == "draft")
            .order_by(ScoreSheet.entry_id)
        ),
        "car the demo judge has in progress",
    )
    # The entrant's cars, one per edition.
    entrant_entries = {
        event_id: entry_id
        for entry_id, event_id in await session.execute(
            select(Entry.id, Entry.event_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .where(Entrant.user_id == entrant_user.id)
            .order_by(Entry.id)
        )
    }
    # A scored class of each edition, a submitted sheet, a car number of each edition.
    scored_main_class = one(
        await session.scalar(
            select(Entry.class_id)
            .join(ScoreSheet, ScoreSheet.entry_id == Entry.id)
            .where(Entry.event_id == main.id, ScoreSheet.status == "submitted")
            .order_by(Entry.class_id)
        ),
        "scored class",
    )
    sheet = one(
        await session.scalar(
            select(ScoreSheet.id)
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .where(Entry.event_id == main.id, ScoreSheet.status == "submitted")
            .order_by(ScoreSheet.id)
        ),
        "submitted sheet",
    )
    past_class = one(
        await session.scalar(select(EventClass.id).where(EventClass.event_id == past.id).order_by(EventClass.position)),
        "class of the finished edition",
    )
    placings_class = one(
        await session.scalar(
            select(ClassSystem.class_id)
            .join(EventClass, EventClass.id == ClassSystem.class_id)
            .where(ClassSystem.method == "placings", EventClass.event_id == past.id)
        ),
        "placings class",
    )
    placings_judge_user = one(
        await session.scalar(
            select(Judge.user_id)
            .join(TeamMember, TeamMember.judge_id == Judge.id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.class_id == placings_class)
        ),
        "judge of the placings class",
    )

    async def car(event: Event) -> int:
        return int(
            one(
                await session.scalar(
                    select(Entry.car_number)
                    .where(Entry.event_id == event.id, Entry.status == "accepted", Entry.car_number.is_not(None))
                    .order_by(Entry.car_number)
                ),
                "numbered car",
            )
        )

    awards = (await session.scalars(select(SpecialAward).order_by(SpecialAward.id))).all()
    ballot = one(next((a for a in awards if a.kind == "ballot"), None), "ballot award")
    peoples = one(
        next((a for a in awards if a.kind == "peoples_choice" and a.event_id == main.id), None), "People's Choice"
    )
    ballot_judge_user = one(
        await session.scalar(
            select(Judge.user_id)
            .join(AwardVoter, AwardVoter.judge_id == Judge.id)
            .where(AwardVoter.award_id == ballot.id)
            .order_by(Judge.id)
        ),
        "voter on the ballot",
    )
    roster_judge = one(
        await session.scalar(
            select(TeamMember.judge_id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.event_id == main.id)
            .order_by(TeamMember.judge_id)
        ),
        "rostered judge",
    )

    code = one(
        await session.scalar(
            select(Certification.code)
            .join(EventClass, EventClass.content_hash == Certification.content_hash)
            .where(EventClass.event_id == past.id)
            .order_by(Certification.id)
        ),
        "certified record",
    )
    # Token pages: a sign-in link, a password reset link, an invitation to apply; and a document job.
    sign_in = secrets.token_urlsafe(32)
    reset = secrets.token_urlsafe(32)
    later = utcnow() + timedelta(hours=2)
    session.add(LoginToken(token_hash=accounts.token_hash(sign_in), user_id=entrant_user.id, expires_at=later))
    session.add(
        LoginToken(
            token_hash=accounts.token_hash(reset), user_id=organizer.id, purpose="password_reset", expires_at=later
        )
    )
    invitation = secrets.token_urlsafe(32)
    session.add(
        ApplicationInvitation(
            event_id=main.id,
            email="invited@example.com",
            name="Invited Owner",
            token_hash=invitations.token_hash(settings, invitation),
            sent_at=utcnow(),
        )
    )
    job = ReportJob(event_id=main.id, user_id=organizer.id, kind="judge_packets", title="Judges' packets")
    session.add(job)
    await session.flush()

    tokens = {
        "organizer": await accounts.start_session(session, settings, organizer.id, "axe"),
        "chief": await accounts.start_session(session, settings, organizer.id, "axe chief"),
        "judge": await accounts.start_session(session, settings, judge_user.id, "axe"),
        "placings_judge": await accounts.start_session(session, settings, placings_judge_user, "axe"),
        "ballot_judge": await accounts.start_session(session, settings, ballot_judge_user, "axe"),
        "entrant": await accounts.start_session(session, settings, entrant_user.id, "axe"),
    }
    ids = {
        "main": main.id,
        "past": past.id,
        "judge": judge.id,
        "judge_class": judge_class,
        "judge_entry": judge_entry,
        "calibration_car": one(main.calibration_entry_id, "calibration car"),
        "judge_submitted": judge_submitted,
        "judge_draft": judge_draft,
        "entrant_main": entrant_entries[main.id],
        "entrant_past": entrant_entries[past.id],
        "scored_main_class": scored_main_class,
        "sheet": sheet,
        "past_class": past_class,
        "placings_class": placings_class,
        "main_car": await car(main),
        "past_car": await car(past),
        "ballot": ballot.id,
        "peoples": peoples.id,
        "roster_judge": roster_judge,
        "sign_in": sign_in,
        "reset": reset,
        "invitation": invitation,
        "job": job.id,
        "code": code,
    }
    return Demo(ids, tokens)


def build_demo_world(db_url: str, settings: Settings) -> Demo:
    """Build the demo in the test database and gather the ids and sign-in tokens the visits need."""
    assert asyncio.run(build_demo(settings)) is True

    async def go(session: AsyncSession) -> Demo:
        return await _gather(session, settings)

    return run_db(db_url, go)


def demo_visits(d: Demo) -> list[Visit]:
    """Every page shape of the demo, as the audience that sees it (role) and the URL to open."""
    i = d.ids
    m, p = i["main"], i["past"]
    out: list[Visit] = []

    def add(role: str, route: str, *urls: str) -> None:
        out.extend(Visit(role, route, url) for url in urls)

    # The public, on a phone.
    add("public", "/", "/")
    add("public", "/login", "/login")
    add("public", "/password/forgot", "/password/forgot")
    add("public", "/password/reset/{token:str}", f"/password/reset/{i['reset']}")
    add("public", "/auth/link/{token:str}", f"/auth/link/{i['sign_in']}")
    add("public", "/events/{slug:str}", f"/events/{MAIN_SLUG}", f"/events/{PAST_SLUG}")
    add("public", "/events/{slug:str}/apply", f"/events/{MAIN_SLUG}/apply")
    add("public", "/events/{slug:str}/invitation/{token:str}", f"/events/{MAIN_SLUG}/invitation/{i['invitation']}")
    add(
        "public",
        "/events/{slug:str}/cars/{number:int}",
        f"/events/{MAIN_SLUG}/cars/{i['main_car']}",
        f"/events/{PAST_SLUG}/cars/{i['past_car']}",
    )
    add("public", "/events/{slug:str}/live", f"/events/{MAIN_SLUG}/live", f"/events/{PAST_SLUG}/live")
    add("public", "/events/{slug:str}/results", f"/events/{PAST_SLUG}/results")
    add("public", "/events/{slug:str}/vote", f"/events/{MAIN_SLUG}/vote")
    add("public", "/verify", "/verify")
    out.append(Visit("public", "/verify", "/verify?code=not-a-code", status=400))  # the form with its error
    add("public", "/verify/{code:str}", f"/verify/{i['code']}")
    # The entrant, on a phone.
    add("entrant", "/my", "/my/")
    add("entrant", "/my/privacy", "/my/privacy")
    add("entrant", "/my/entries/{entry_id:int}", f"/my/entries/{i['entrant_past']}")  # sheets once published
    add("entrant", "/my/entries/{entry_id:int}/edit", f"/my/entries/{i['entrant_main']}/edit")
    # The judge, on an iPad.
    add("judge", "/judging", "/judging/")
    add("judge", "/judging/profile", "/judging/profile")
    add(
        "judge",
        "/judging/entries/{entry_id:int}",
        f"/judging/entries/{i['judge_entry']}",
        f"/judging/entries/{i['judge_draft']}",  # in progress
        f"/judging/entries/{i['judge_submitted']}",  # read-only once submitted
    )
    add("judge", "/judging/events/{event_id:int}/conflicts", f"/judging/events/{m}/conflicts")
    add("judge", "/judging/calibration/{entry_id:int}", f"/judging/calibration/{i['calibration_car']}")
    add("judge", "/judging/ballots", "/judging/ballots")
    add("ballot_judge", "/judging/ballots/{award_id:int}", f"/judging/ballots/{i['ballot']}")
    add(
        "placings_judge", "/judging/classes/{class_id:int}/placings", f"/judging/classes/{i['placings_class']}/placings"
    )
    # The chief judge, on an iPad.
    add(
        "chief",
        "/chief/events/{event_id:int}",
        f"/chief/events/{m}",
        f"/chief/events/{p}",
        f"/chief/events/{m}?class_id={i['scored_main_class']}&show=submitted",
        f"/chief/events/{m}?show=not_started&page=2",
    )
    add(
        "chief",
        "/chief/events/{event_id:int}/calibration",
        f"/chief/events/{m}/calibration",
        f"/chief/events/{p}/calibration",
    )
    add("chief", "/chief/sheets/{sheet_id:int}", f"/chief/sheets/{i['sheet']}")
    add(
        "chief", "/chief/entries/{entry_id:int}/paper", f"/chief/entries/{i['judge_entry']}/paper?judge_id={i['judge']}"
    )
    # The organizer, at a desk.
    add("organizer", "/organizer", "/organizer/")
    add("organizer", "/organizer/backups", "/organizer/backups")
    add("organizer", "/jobs/{job_id:int}", f"/jobs/{i['job']}")
    add(
        "organizer",
        "/organizer/awards/{award_id:int}",
        f"/organizer/awards/{i['ballot']}",
        f"/organizer/awards/{i['peoples']}",
    )
    add(
        "organizer",
        "/organizer/classes/{class_id:int}/results",
        f"/organizer/classes/{i['scored_main_class']}/results",
        f"/organizer/classes/{i['past_class']}/results",
        f"/organizer/classes/{i['placings_class']}/results",
    )
    add(
        "organizer",
        "/organizer/classes/{class_id:int}/system",
        f"/organizer/classes/{i['scored_main_class']}/system",
        f"/organizer/classes/{i['placings_class']}/system",
    )
    # The demo has no class with award tracks: the page says so (its table: test_award_tracks_browser).
    add("organizer", "/organizer/classes/{class_id:int}/tracks", f"/organizer/classes/{i['scored_main_class']}/tracks")
    for event_id in (m, p):
        e = f"/organizer/events/{event_id}"
        add("organizer", "/organizer/events/{event_id:int}", e)
        for tail in (
            "assignment",
            "awards",
            "branding",
            "ceremony",
            "conflicts",
            "copy",
            "documents",
            "entries",
            "field",
            "invitations",
            "judges",
            "outbox",
            "roster",
            "rubric",
            "system/settings",
        ):
            add("organizer", f"/organizer/events/{{event_id:int}}/{tail}", f"{e}/{tail}")
    e = f"/organizer/events/{m}"
    add(
        "organizer",
        "/organizer/events/{event_id:int}/entries",
        f"{e}/entries?page=2",
        f"{e}/entries?status=accepted&q=a",
    )
    add("organizer", "/organizer/events/{event_id:int}/entries/import", f"{e}/entries/import")
    add("organizer", "/organizer/events/{event_id:int}/entries/new", f"{e}/entries/new")
    add(
        "organizer",
        "/organizer/events/{event_id:int}/judges/{judge_id:int}/severity",
        f"{e}/judges/{i['roster_judge']}/severity",
    )
    add(
        "organizer",
        "/organizer/events/{event_id:int}/roster/{judge_id:int}/remove",
        f"{e}/roster/{i['roster_judge']}/remove",
    )
    return out
