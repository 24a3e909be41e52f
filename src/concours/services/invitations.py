"""Invitation-only events: the organizer invites owners by e-mail, each with a private application link.

The link carries a random token; the database keeps only its keyed hash (:func:`concours.domain.tokens.keyed_hash`,
as voting codes are kept). A link is good for one application; inviting the same address again while its
invitation is unused sends a new link and the old one stops working. While the event's setting
``invitation_only`` is on, the public application form admits only a valid, unused link (:func:`admit`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ApplicationInvitation, Entry, Event, User, Vehicle, utcnow
from concours.domain.tokens import keyed_hash
from concours.i18n import N_, current_locale, format_date, gettext, using_locale
from concours.services import accounts, audit, outbox, roster
from concours.services.errors import FormErrors, ServiceError
from concours.services.permissions import Viewer
from concours.settings import Settings

PURPOSE = "application-invitation"
MAX_ADDRESSES = 200
MAX_MESSAGE = 2000
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_NAMED = re.compile(r"^(?P<name>[^<>]*)<(?P<email>[^<>]+)>$")

INVITATION_ONLY = N_("This event accepts applications by invitation only.")


class InvitationRefused(ServiceError):
    """The application form refused: no invitation, or an unknown or used link (403, with what to do)."""

    status_code = 403

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # missing | unknown | used


def token_hash(settings: Settings, token: str) -> str:
    return keyed_hash(settings.secret_key, PURPOSE, token)


def link(settings: Settings, event: Event, token: str) -> str:
    return f"{settings.base_url}/events/{event.slug}/invitation/{token}"


# -- the organizer's side -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str


def parse_invitees(text: str, default_name: str = "") -> list[Invitee]:
    """Addresses separated by commas, semicolons or new lines, each ``jane@example.com`` or
    ``Jane Doe <jane@example.com>``; duplicates dropped. FormErrors names the first wrong one."""
    out: dict[str, Invitee] = {}
    items = [p.strip() for p in re.split(r"[,;\n]+", text) if p.strip()]
    if not items:
        raise FormErrors({"emails": gettext("Enter at least one e-mail address.")})
    if len(items) > MAX_ADDRESSES:
        raise FormErrors({"emails": gettext("Invite at most %(max)s addresses at a time.", max=MAX_ADDRESSES)})
    for item in items:
        name = default_name if len(items) == 1 else ""
        named = _NAMED.match(item)
        email = item
        if named:
            name, email = named.group("name").strip().strip('"'), named.group("email").strip()
        if not _EMAIL.match(email) or len(email) > 254:
            raise FormErrors(
                {"emails": gettext("“%(item)s” is not an e-mail address; correct it and send again.", item=item[:100])}
            )
        if len(name) > 200:
            raise FormErrors({"name": gettext("Keep the name under 200 characters.")})
        key = accounts.normalize_email(email)
        out.setdefault(key, Invitee(key, name))
    return list(out.values())


@dataclass(frozen=True)
class InviteResult:
    invited: int
    resent: int
    already_applied: list[str]


async def invite(
    session: AsyncSession, settings: Settings, viewer: Viewer, event: Event, form: Mapping[str, str]
) -> InviteResult:
    """Invite owners to apply: parse the addresses (and the optional name and message); for each, a new
    invitation (or a new link for an unused one), an e-mail with the link through the outbox, an audit line.
    An address that has already applied with an invitation is left alone and named in the result."""
    message = form.get("message", "").strip()
    if len(message) > MAX_MESSAGE:
        raise FormErrors({"message": gettext("Keep the message under %(max)s characters.", max=MAX_MESSAGE)})
    invitees = parse_invitees(form.get("emails", ""), form.get("name", "").strip())
    existing: dict[str, list[ApplicationInvitation]] = {}
    for row in await session.scalars(
        select(ApplicationInvitation).where(
            ApplicationInvitation.event_id == event.id,
            ApplicationInvitation.email.in_([i.email for i in invitees]),
        )
    ):
        existing.setdefault(row.email, []).append(row)
    # Each invitation in its reader's language: an account's, else the inviting organizer's (a local show).
    readers: dict[str, str | None] = {
        email: locale
        for email, locale in await session.execute(
            select(User.email, User.locale).where(User.email.in_([i.email for i in invitees]))
        )
    }
    already: list[str] = []
    invited = resent = 0
    for who in invitees:
        rows = existing.get(who.email, [])
        unused = next((r for r in rows if r.applied_at is None), None)
        if unused is None and rows:
            already.append(who.email)
            continue
        token = secrets.token_urlsafe(32)
        now = utcnow()
        if unused is not None:
            unused.token_hash = token_hash(settings, token)
            unused.sent_at = now
            unused.name = who.name or unused.name
            unused.message = message
            row = unused
            resent += 1
        else:
            row = ApplicationInvitation(
                event_id=event.id,
                email=who.email,
                name=who.name,
                message=message,
                token_hash=token_hash(settings, token),
                invited_by_id=viewer.user_id,
                sent_at=now,
            )
            session.add(row)
            invited += 1
        await session.flush()
        with using_locale(readers.get(who.email) or current_locale()):
            subject = gettext("Your invitation to apply to %(event)s", event=event.name)
            body = _mail(settings, event, viewer, who, message, token)
        outbox.queue(session, to=who.email, subject=subject, body=body, event_id=event.id)
        audit.record(
            session,
            entity_type="application_invitation",
            entity_id=row.id,
            action="resend" if row is unused else "invite",
            user_id=viewer.user_id,
            event_id=event.id,
            after={"email": who.email},
        )
    return InviteResult(invited, resent, already)


def _mail(settings: Settings, event: Event, viewer: Viewer, who: Invitee, message: str, token: str) -> str:
    """The invitation's text, in the current language (the caller chooses the reader's)."""
    hello = gettext("Hello %(name)s,", name=who.name) if who.name else gettext("Hello,")
    where = {"inviter": viewer.name, "event": event.name, "date": format_date(event.starts_on)}
    invites = (
        gettext(
            "%(inviter)s invites you to apply with your car to %(event)s, %(venue)s, on %(date)s.",
            venue=event.venue,
            **where,
        )
        if event.venue
        else gettext("%(inviter)s invites you to apply with your car to %(event)s, on %(date)s.", **where)
    )
    return (
        f"{hello}\n\n{invites} "
        + gettext("Applications are by invitation only.")
        + "\n\n"
        + (message + "\n\n" if message else "")
        + gettext("Apply with this private link (it is yours; it works for one application):")
        + f"\n\n{link(settings, event, token)}\n\n"
        + gettext("If you have questions, reply to %(name)s at %(email)s.", name=viewer.name, email=viewer.email)
        + "\n"
    )


async def set_invitation_only(session: AsyncSession, viewer: Viewer, event: Event, on: bool) -> None:
    before = event.invitation_only
    event.invitation_only = on
    audit.record_change(
        session,
        entity_type="event",
        entity_id=event.id,
        action="invitation_only",
        user_id=viewer.user_id,
        event_id=event.id,
        before={"invitation_only": before},
        after={"invitation_only": on},
    )


@dataclass(frozen=True)
class InvitationLine:
    id: int
    email: str
    name: str
    sent_at: datetime
    applied_at: datetime | None
    entry_id: int | None
    car: str

    @property
    def state(self) -> str:
        return "applied" if self.applied_at else "sent"


async def list_invitations(session: AsyncSession, event: Event) -> list[InvitationLine]:
    """Every invitation of the event, newest first, with the car it brought (one query)."""
    rows = (
        await session.execute(
            select(ApplicationInvitation, Vehicle.year, Vehicle.make, Vehicle.model)
            .outerjoin(Entry, Entry.id == ApplicationInvitation.entry_id)
            .outerjoin(Vehicle, Vehicle.id == Entry.vehicle_id)
            .where(ApplicationInvitation.event_id == event.id)
            .order_by(ApplicationInvitation.sent_at.desc(), ApplicationInvitation.id.desc())
        )
    ).all()
    return [
        InvitationLine(
            inv.id,
            inv.email,
            inv.name,
            inv.sent_at,
            inv.applied_at,
            inv.entry_id,
            f"{year} {make} {model}" if make else "",
        )
        for inv, year, make, model in rows
    ]


# -- the owner's side -----------------------------------------------------------------------------------------


async def organizer_contact(session: AsyncSession, event: Event) -> User | None:
    """Whom an owner without an invitation may ask: the event's first organizer."""
    return await roster.first_staff(session, event, "organizer")


async def find(
    session: AsyncSession, settings: Settings, event: Event, token: str, *, lock: bool = False
) -> ApplicationInvitation:
    """The unused invitation of this event that ``token`` opens, or :class:`InvitationRefused` saying why.
    ``lock``: held until the transaction ends, so two sends of one link cannot both apply."""
    row = None
    if token and len(token) <= 100:
        query = select(ApplicationInvitation).where(
            ApplicationInvitation.token_hash == token_hash(settings, token),
            ApplicationInvitation.event_id == event.id,
        )
        row = await session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise InvitationRefused(
            gettext(
                "This invitation link is not valid: it may be mistyped, or a newer invitation replaced it. "
                "Use the link in the latest invitation e-mail, or ask the organizer for a new one."
            ),
            reason="unknown",
        )
    if row.applied_at is not None:
        raise InvitationRefused(
            gettext(
                "This invitation has already been used to apply; each link is good for one application. "
                "Follow that application in your portal, or ask the organizer for a new invitation for another car."
            ),
            reason="used",
        )
    return row


async def admit(
    session: AsyncSession, settings: Settings, event: Event, token: str | None
) -> ApplicationInvitation | None:
    """May this application go ahead? An invitation-only event needs a valid, unused link (its invitation is
    returned); an open event admits anyone (an invitation link given is still honoured and returned)."""
    if not event.invitation_only and not token:
        return None
    if not token:
        raise InvitationRefused(gettext(INVITATION_ONLY), reason="missing")
    try:
        return await find(session, settings, event, token, lock=True)
    except InvitationRefused:
        if event.invitation_only:
            raise
        return None  # an open event: a stale link does not stop anyone applying


def mark_used(invitation: ApplicationInvitation, entry: Entry) -> None:
    invitation.applied_at = utcnow()
    invitation.entry_id = entry.id
