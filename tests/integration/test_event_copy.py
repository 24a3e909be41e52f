"""Copying an event for next year: the set-up comes along (classes, score sheet, judging system, special awards,
branding, the judge roster on the same class teams), nothing of what happened at it (entries, conflicts,
decisions, votes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    AuditLog,
    AwardVoter,
    ClassSystem,
    Conflict,
    Entry,
    Event,
    EventBranding,
    EventClass,
    EventStaff,
    JudgingSystem,
    Rubric,
    RubricCategory,
    SpecialAward,
    Team,
    TeamMember,
)
from concours.services import awards, class_systems
from concours.services.event_copy import next_name
from concours.services.permissions import INVITED
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import login, mails, make_organizer, post
from tests.scenes import Scene, judge_id_of, viewer_of

GOOD = {
    "name": "Lakeside Concours 2028",
    "slug": "lakeside-2028",
    "venue": "Lakeside Park, North Lawn",
    "starts_on": "2028-06-10",
    "ends_on": "2028-06-11",
    "timezone": "Europe/Paris",
    "invite_judges": "on",
}


def _dress(scene: Scene) -> None:
    """The scene's event with what a real one has: a class with its own system, awards (one decided, one a
    ballot with a voter), branding, a judge's conflict, and the organizer's notes on a judge."""

    async def go(session: AsyncSession) -> None:
        viewer = viewer_of(await _user(session), scene.event_id)
        event = await session.get(Event, scene.event_id)
        assert event is not None
        cls_d = await session.get(EventClass, scene.class_b)
        assert cls_d is not None
        await class_systems.set_class_system(session, viewer, event, cls_d, {"judging": "placings", "places": "2"})
        best = await awards.create_award(
            session,
            viewer,
            event,
            {"name": "Best of Show", "kind": "ballot", "position": "99", "eligibility": "class_winners"},
            [str(scene.class_a), str(scene.class_b)],
        )
        judge_a = await judge_id_of(session, "judge-a@example.com")
        session.add(AwardVoter(award_id=best.id, judge_id=judge_a))
        sponsor = await awards.create_award(
            session,
            viewer,
            event,
            {
                "name": "The Sponsor's Trophy",
                "sponsor": "Acme Watches",
                "kind": "designated",
                "position": "5",
                "eligibility": "accepted",
                "chosen_by": "the sponsor",
            },
            [],
        )
        sponsor.status, sponsor.entry_id, sponsor.reason = "decided", scene.entries[0], "Lovely."
        session.add(EventBranding(event_id=event.id, primary_colour="#112233", accent_colour="#445566", logo_jpeg=b"x"))
        session.add(
            Conflict(
                event_id=event.id, judge_id=judge_a, entry_id=scene.entries[1], reason="Sold it", source="declared"
            )
        )

    run_db(scene.db_url, go)


async def _user(session: AsyncSession) -> Any:
    from concours.db import User

    return await session.scalar(select(User).where(User.email == "org@example.com"))


def test_next_name() -> None:
    assert next_name("Lakeside Concours 2027") == "Lakeside Concours 2028"
    assert next_name("Lakeside Concours") == "Lakeside Concours"
    assert next_name("Concours 1999 ") == "Concours 2000 "


def test_copy_takes_the_set_up_and_leaves_the_show(scene: Scene, db_url: str) -> None:
    _dress(scene)
    page = scene.org.get(f"/organizer/events/{scene.event_id}/copy")
    assert page.status_code == 200, page.text
    assert 'value="Lakeside Concours"' in page.text and 'value="2028-06-12"' in page.text  # next year's date
    assert 'value="lakeside-concours-2"' in page.text  # a free web address

    r = post(scene.org, f"/organizer/events/{scene.event_id}/copy", GOOD)
    assert r.status_code == 303, r.text
    new_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert scene.org.get(f"/organizer/events/{new_id}").status_code == 200

    async def check(session: AsyncSession) -> None:
        old = await session.get(Event, scene.event_id)
        new = await session.get(Event, new_id)
        assert old is not None and new is not None
        assert (new.name, new.slug, new.status, new.timezone) == (
            GOOD["name"],
            "lakeside-2028",
            "draft",
            "Europe/Paris",
        )
        assert str(new.starts_on) == "2028-06-10" and new.venue == GOOD["venue"]
        assert new.terms_text == old.terms_text and new.max_photos == old.max_photos

        def classes(event_id: int) -> Any:
            return select(EventClass.code, EventClass.name, EventClass.position, EventClass.places_awarded).where(
                EventClass.event_id == event_id
            )

        assert sorted((await session.execute(classes(new_id))).all()) == sorted(
            (await session.execute(classes(scene.event_id))).all()
        )
        # The score sheet: a copy owned by the new event, line for line.
        assert new.rubric_id is not None and new.rubric_id != old.rubric_id
        rubric = await session.get(Rubric, new.rubric_id)
        assert rubric is not None and rubric.event_id == new_id

        def lines(rubric_id: int | None) -> Any:
            return (
                select(RubricCategory.key, RubricCategory.max_units, RubricCategory.mode)
                .where(RubricCategory.rubric_id == rubric_id)
                .order_by(RubricCategory.position)
            )

        assert (await session.execute(lines(new.rubric_id))).all() == (
            await session.execute(lines(old.rubric_id))
        ).all()
        # The judging system, and class D's own.
        systems = {
            s.event_id: (s.preset, s.method, s.sheet_mode, s.award_rule, s.places)
            for s in await session.scalars(select(JudgingSystem))
        }
        assert systems[new_id] == systems[scene.event_id]
        own = (
            await session.execute(
                select(EventClass.code, ClassSystem.method, ClassSystem.places)
                .join(ClassSystem, ClassSystem.class_id == EventClass.id)
                .where(EventClass.event_id == new_id)
            )
        ).all()
        assert own == [("D", "placings", 2)]
        # Awards: definitions only, class ids pointing at the new classes, no decision; the ballot's voter kept.
        new_classes = set((await session.scalars(select(EventClass.id).where(EventClass.event_id == new_id))).all())
        copied = {a.name: a for a in await session.scalars(select(SpecialAward).where(SpecialAward.event_id == new_id))}
        assert set(copied) == {"Best of Show", "The Sponsor's Trophy"}
        assert set(copied["Best of Show"].class_ids) == new_classes
        sponsor = copied["The Sponsor's Trophy"]
        assert (sponsor.status, sponsor.entry_id, sponsor.reason, sponsor.sponsor) == (
            "setup",
            None,
            "",
            "Acme Watches",
        )
        judge_a = await judge_id_of(session, "judge-a@example.com")
        judge_b = await judge_id_of(session, "judge-b@example.com")
        voters = (
            await session.scalars(select(AwardVoter.judge_id).where(AwardVoter.award_id == copied["Best of Show"].id))
        ).all()
        assert voters == [judge_a]
        branding = await session.scalar(select(EventBranding).where(EventBranding.event_id == new_id))
        assert branding is not None and branding.primary_colour == "#112233" and branding.logo_jpeg == b"x"
        # The roster: invited again, same class seats, no conflicts.
        seats = (
            await session.execute(
                select(TeamMember.judge_id, EventClass.code)
                .join(Team, Team.id == TeamMember.team_id)
                .join(EventClass, EventClass.id == Team.class_id)
                .where(Team.event_id == new_id)
            )
        ).all()
        assert sorted(seats) == sorted([(judge_a, "C"), (judge_b, "D")])
        roles = (
            await session.scalars(
                select(EventStaff.role).where(EventStaff.event_id == new_id, EventStaff.role == INVITED)
            )
        ).all()
        assert len(roles) == 2
        organizers = (
            await session.scalars(
                select(EventStaff.role).where(EventStaff.event_id == new_id, EventStaff.role != INVITED)
            )
        ).all()
        assert sorted(organizers) == ["chief_judge", "organizer"]
        assert (await session.scalars(select(Conflict).where(Conflict.event_id == new_id))).all() == []
        assert (await session.scalars(select(Entry).where(Entry.event_id == new_id))).all() == []
        audit = await session.scalar(select(AuditLog).where(AuditLog.event_id == new_id, AuditLog.action == "copy"))
        assert audit is not None and audit.after is not None and audit.after["source_event_id"] == scene.event_id

    run_db(db_url, check)
    invitation = mails(db_url, "judge-a@example.com")[0]
    assert "Lakeside Concours 2028" in invitation.body_text and "class C" in invitation.body_text


def test_bad_input_is_shown_beside_the_fields_and_kept(scene: Scene, db_url: str) -> None:
    url = f"/organizer/events/{scene.event_id}/copy"
    r = post(scene.org, url, dict(GOOD, starts_on="2028-06-11", ends_on="2028-06-10"))
    assert r.status_code == 400
    assert "The last day cannot be before the first." in r.text
    assert 'value="Lakeside Concours 2028"' in r.text and 'value="2028-06-11"' in r.text
    r = post(scene.org, url, dict(GOOD, name="  "))
    assert r.status_code == 400 and "Give the event a name" in r.text and 'value="lakeside-2028"' in r.text
    r = post(scene.org, url, dict(GOOD, slug=scene.slug))
    assert r.status_code == 400 and "already has the address" in r.text
    r = post(scene.org, url, dict(GOOD, slug="Not A Slug!"))
    assert r.status_code == 400 and "Lower-case letters" in r.text
    assert run_db(db_url, _events) == 1  # nothing half-made


async def _events(session: AsyncSession) -> int:
    return len((await session.scalars(select(Event.id))).all())


def test_only_the_event_organizers_copy_it(scene: Scene, db_url: str, settings: Settings) -> None:
    make_organizer(db_url, email="other@example.com")
    with new_client(settings) as other:
        login(other, "other@example.com")
        assert other.get(f"/organizer/events/{scene.event_id}/copy").status_code in (403, 404)
        assert post(other, f"/organizer/events/{scene.event_id}/copy", GOOD).status_code in (403, 404)
    judge = scene.as_user("judge-a@example.com")
    assert post(judge, f"/organizer/events/{scene.event_id}/copy", GOOD).status_code in (403, 404)
    assert run_db(db_url, _events) == 1
