"""Copy an event for next year or a sister show: its set-up comes along, nothing of what happened at it.

Copied: the event's settings (description, terms, limits, award rules), the score sheets (rubrics are kept per
event, so each rubric in use is copied as version 1 of the new event's), the judging system and its award levels,
the classes (code, name, description, order, places, team size, their score sheet and their own judging system),
the special awards' definitions (name, sponsor, order, how decided, who chooses, eligibility and a ballot's
voters; never nominations, votes, voting codes or decisions), the branding (logo and colours), the organizers,
and the judge roster: every judge is invited again, on the same class team as before, without their conflicts
(those named cars and owners of the old event). Not copied: entries, sheets, assignments, results, the ceremony.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import (
    AwardLevel,
    AwardVoter,
    Event,
    EventBranding,
    EventClass,
    EventStaff,
    Judge,
    JudgingSystem,
    SpecialAward,
    Team,
    TeamMember,
    User,
)
from concours.i18n import gettext
from concours.services import accounts, audit
from concours.services.class_setup import copy_class_rows, copy_rubrics
from concours.services.errors import FormErrors
from concours.services.events import parse_event_fields, slug_taken, slugify
from concours.services.permissions import INVITED, Viewer, require, roster_judge_ids, why_not_create_event
from concours.settings import Settings

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 80
# The event's own settings that carry over unchanged (its name, venue, dates, status and publication do not).
EVENT_SETTINGS = (
    "description",
    "history_max_chars",
    "max_photos",
    "terms_text",
    "one_award_per_car",
    "publish_scores",
    "publish_judges",
    "publish_comments",
    "invitation_only",
    "roster_public",
)


def _next_year(d: date) -> date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def next_name(name: str) -> str:
    """The copy's suggested name: a year at the end of the name becomes the next year."""
    m = re.search(r"(\d{4})\s*$", name)
    if m is None:
        return name
    return name[: m.start(1)] + str(int(m.group(1)) + 1) + name[m.end(1) :]


async def copy_form(session: AsyncSession, source: Event) -> dict[str, str]:
    """The copy form's first values: the next year's name and dates, the same venue and time zone, a free slug."""
    name = next_name(source.name)
    base = slugify(name)[:MAX_SLUG]
    slug, n = base, 1
    while await slug_taken(session, slug):
        n += 1
        slug = f"{base}-{n}"
    return {
        "name": name,
        "slug": slug,
        "venue": source.venue,
        "starts_on": _next_year(source.starts_on).isoformat(),
        "ends_on": _next_year(source.ends_on).isoformat(),
        "timezone": source.timezone,
        "invite_judges": "on",
    }


async def copy_summary(session: AsyncSession, source: Event) -> dict[str, int]:
    """What a copy of ``source`` takes along, counted for the copy page."""
    classes = await session.scalar(select(func.count()).select_from(EventClass).where(EventClass.event_id == source.id))
    awards = await session.scalar(
        select(func.count()).select_from(SpecialAward).where(SpecialAward.event_id == source.id)
    )
    return {"classes": classes or 0, "awards": awards or 0, "judges": len(await roster_judge_ids(session, source.id))}


@dataclass(frozen=True)
class CopySpec:
    name: str
    slug: str
    venue: str
    starts_on: date
    ends_on: date
    timezone: str
    invite_judges: bool


async def parse_copy(session: AsyncSession, form: dict[str, str]) -> CopySpec:
    """The copy form, checked: the new event's fields as a new event's, and a web address (slug) not taken."""
    errors: dict[str, str] = {}
    try:
        fields = parse_event_fields(
            name=form.get("name", ""),
            venue=form.get("venue", ""),
            starts_on=form.get("starts_on", ""),
            ends_on=form.get("ends_on", ""),
            timezone=form.get("timezone", ""),
        )
    except FormErrors as exc:
        errors.update(exc.errors)
        fields = None
    slug = form.get("slug", "").strip().lower() or slugify(form.get("name", ""))
    if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG:
        errors["slug"] = gettext("Lower-case letters, digits and dashes only, e.g. lakeside-concours-2028.")
    elif await slug_taken(session, slug):
        errors["slug"] = gettext("Another event already has the address “%(slug)s”; choose another.", slug=slug)
    if errors or fields is None:
        raise FormErrors(errors)
    return CopySpec(
        name=fields.name,
        slug=slug,
        venue=fields.venue,
        starts_on=fields.starts_on,
        ends_on=fields.ends_on,
        timezone=fields.timezone,
        invite_judges=form.get("invite_judges", "") in ("on", "1", "yes", "true"),
    )


async def copy_event(
    session: AsyncSession, settings: Settings, viewer: Viewer, source: Event, form: dict[str, str]
) -> Event:
    """Copy ``source`` (the caller has loaded it for its organizer) as a new draft event.

    Steps: check the form; create the event with the source's settings; copy the rubrics in use, the judging
    system, the classes with their own systems, the special awards' definitions and the branding; make the
    source's organizers (and the viewer) organizers and chief judges as they were; invite the roster again with
    the same class seats (e-mailed now if ``invite_judges``); audit the copy. One transaction (the request's)."""
    require(why_not_create_event(viewer))
    spec = await parse_copy(session, form)
    event = Event(
        slug=spec.slug,
        name=spec.name,
        venue=spec.venue,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        timezone=spec.timezone,
        status="draft",
    )
    for attr in EVENT_SETTINGS:
        setattr(event, attr, getattr(source, attr))
    session.add(event)
    await session.flush()

    # Staff: the source's organizers and chief judge, and the viewer as both (as creating an event does).
    staff = {
        (user_id, role)
        for user_id, role in await session.execute(
            select(EventStaff.user_id, EventStaff.role).where(
                EventStaff.event_id == source.id, EventStaff.role.in_(("organizer", "chief_judge"))
            )
        )
    }
    staff |= {(viewer.user_id, "organizer"), (viewer.user_id, "chief_judge")}
    for user_id, role in sorted(staff):
        session.add(EventStaff(event_id=event.id, user_id=user_id, role=role))

    # Score sheets: every rubric the event or a class uses now (not the older versions kept for old sheets).
    classes = (
        await session.scalars(
            select(EventClass).where(EventClass.event_id == source.id).order_by(EventClass.position, EventClass.id)
        )
    ).all()
    rubric_ids = {r for r in [source.rubric_id, *(c.rubric_id for c in classes)] if r is not None}
    new_rubric = await copy_rubrics(session, rubric_ids, event.id)
    event.rubric_id = new_rubric.get(source.rubric_id) if source.rubric_id else None

    # The judging system and its award levels.
    system = await session.scalar(
        select(JudgingSystem).options(selectinload(JudgingSystem.levels)).where(JudgingSystem.event_id == source.id)
    )
    if system is not None:
        copied = JudgingSystem(
            event_id=event.id,
            preset=system.preset,
            method=system.method,
            sheet_mode=system.sheet_mode,
            combine=system.combine,
            award_rule=system.award_rule,
            places=system.places,
            min_units_for_first=system.min_units_for_first,
            cap_units=system.cap_units,
            show_percent=system.show_percent,
            award_tracks=system.award_tracks,
            tie_break_keys=list(system.tie_break_keys or []),
            disagreement_permille=system.disagreement_permille,
            disagreement_places=system.disagreement_places,
        )
        copied.levels = [
            AwardLevel(
                position=lv.position,
                name=lv.name,
                min_units=lv.min_units,
                min_permille=lv.min_permille,
                band_units=lv.band_units,
            )
            for lv in system.levels
        ]
        session.add(copied)

    # Classes, each with its own judging system where it has one.
    new_class = await copy_class_rows(session, event.id, classes, new_rubric)

    # The judge roster: invited again, on the same class teams; conflicts stay with the old event.
    judge_ids = await roster_judge_ids(session, source.id)
    judges = (
        await session.execute(select(Judge, User).join(User, User.id == Judge.user_id).where(Judge.id.in_(judge_ids)))
    ).all()
    for _judge, user in sorted(judges, key=lambda r: r[1].name):
        session.add(EventStaff(event_id=event.id, user_id=user.id, role=INVITED, notes=""))
    teams = (
        await session.scalars(select(Team).options(selectinload(Team.members)).where(Team.event_id == source.id))
    ).all()
    seats: dict[int, str] = {}
    for team in teams:
        if team.class_id not in new_class:
            continue
        cls = new_class[team.class_id]
        new_team = Team(event_id=event.id, class_id=cls.id, name=team.name)
        new_team.members = [
            TeamMember(judge_id=m.judge_id, is_captain=m.is_captain, sections=list(m.sections or []))
            for m in team.members
        ]
        session.add(new_team)
        for m in team.members:
            seats[m.judge_id] = cls.code
    await session.flush()

    # Special awards: the definitions only.
    awards = (
        await session.scalars(
            select(SpecialAward).where(SpecialAward.event_id == source.id).order_by(SpecialAward.position)
        )
    ).all()
    voters: dict[int, list[int]] = {}
    for judge_id, award_id in await session.execute(
        select(AwardVoter.judge_id, AwardVoter.award_id).where(AwardVoter.award_id.in_([a.id for a in awards]))
    ):
        voters.setdefault(award_id, []).append(judge_id)
    for award in awards:
        new_award = SpecialAward(
            event_id=event.id,
            name=award.name,
            sponsor=award.sponsor,
            kind=award.kind,
            position=award.position,
            eligibility=award.eligibility,
            class_ids=[new_class[int(c)].id for c in award.class_ids or [] if int(c) in new_class],
            nominated_entry_ids=[],
            exclude_conflicted=award.exclude_conflicted,
            chosen_by=award.chosen_by,
            status="setup",
            round=0,
        )
        session.add(new_award)
        await session.flush()
        for judge_id in sorted(set(voters.get(award.id, [])) & judge_ids):
            session.add(AwardVoter(award_id=new_award.id, judge_id=judge_id))

    # Branding.
    branding = await session.scalar(select(EventBranding).where(EventBranding.event_id == source.id))
    if branding is not None:
        session.add(
            EventBranding(
                event_id=event.id,
                primary_colour=branding.primary_colour,
                accent_colour=branding.accent_colour,
                logo_jpeg=branding.logo_jpeg,
            )
        )
    await session.flush()

    if spec.invite_judges:
        minutes = accounts.link_minutes_for_event(settings, event)
        for judge, user in judges:
            await accounts.send_login_link(
                session,
                settings,
                user,
                next_url="/judging/profile",
                event_id=event.id,
                intro=partial(_judge_invitation, event.name, seats.get(judge.id)),
                minutes=minutes,
            )
    audit.record(
        session,
        entity_type="event",
        entity_id=event.id,
        action="copy",
        user_id=viewer.user_id,
        event_id=event.id,
        after={
            "source_event_id": source.id,
            "name": event.name,
            "slug": event.slug,
            "classes": len(classes),
            "rubrics": len(new_rubric),
            "special_awards": len(awards),
            "judges": len(judges),
            "judges_e_mailed": spec.invite_judges,
        },
    )
    return event


def _judge_invitation(event_name: str, class_code: str | None) -> str:
    """The opening of a copied roster's invitation (written in the judge's language)."""
    if class_code:
        return gettext(
            "You are invited to judge at %(event)s on the class %(code)s team. Sign in to accept the invitation, "
            "check your specialties and declare any conflict of interest (a car, an owner or a class).",
            event=event_name,
            code=class_code,
        )
    return gettext(
        "You are invited to judge at %(event)s. Sign in to accept the invitation, check your specialties "
        "and declare any conflict of interest (a car, an owner or a class).",
        event=event_name,
    )
