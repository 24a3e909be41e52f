"""Certified documents can be verified: certifying a class stores a content hash over what was certified, every
document that carries certified results prints its short code with a QR code, and a public page says whether a
code matches a certified record (which event and class, when, by whom, and whether it still stands).

The hashed record (``class_record``) holds the event and class, the certification's number and moment, the rules
the class was judged by (the judging system and the rubrics' categories), every submitted sheet (its lines:
category, value in units, note; its comment) or placings order, and the frozen result (places, totals, awards,
explanations). Recomputing it over the same data gives the same hash; a reopened and re-certified class gets a new
certification, so a new hash, and the old code answers "superseded"."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import (
    Certification,
    ClassResult,
    Entry,
    Event,
    EventClass,
    PlacingSheet,
    ScoreSheet,
    User,
    utcnow,
)
from concours.domain.certificate import content_hash, grouped, normalise_code, short_code
from concours.domain.states import results_public
from concours.i18n import format_date
from concours.services import class_systems
from concours.services.events import load_rubrics
from concours.services.permissions import Viewer

RECORD_FORMAT = 1


def verify_path(code: str) -> str:
    return f"/verify/{code}"


async def class_record(
    session: AsyncSession, event: Event, cls: EventClass, *, number: int, certified_at: datetime, by_id: int | None
) -> dict[str, Any]:
    """The certified record of a class as plain data (the frozen results must be flushed): what the hash covers."""
    cj = await class_systems.judging_of(session, event, cls)
    system = dataclasses.asdict(cj.system)
    if not system.get("award_tracks"):  # records certified before award tracks existed keep their hash
        system.pop("award_tracks", None)
    sheets = (
        await session.scalars(
            select(ScoreSheet)
            .options(selectinload(ScoreSheet.lines))
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .where(
                Entry.class_id == cls.id,
                Entry.status == "accepted",
                ScoreSheet.status == "submitted",
                ScoreSheet.calibration.is_(False),
            )
            .order_by(ScoreSheet.id)
        )
    ).all()
    orders = (
        await session.scalars(
            select(PlacingSheet)
            .options(selectinload(PlacingSheet.lines))
            .where(PlacingSheet.class_id == cls.id, PlacingSheet.status == "submitted")
            .order_by(PlacingSheet.id)
        )
    ).all()
    rubric_ids = {s.rubric_id for s in sheets} | {r for r in (cls.rubric_id, event.rubric_id) if r is not None}
    rubrics = await load_rubrics(session, rubric_ids)
    keys = {c.id: c.key for r in rubrics.values() for c in r.categories}
    results = (
        await session.scalars(select(ClassResult).where(ClassResult.class_id == cls.id).order_by(ClassResult.entry_id))
    ).all()
    return {
        "format": RECORD_FORMAT,
        "event": {"id": event.id, "slug": event.slug},
        "class": {"id": cls.id, "code": cls.code},
        "certification": {"number": number, "at": certified_at, "by": by_id},
        "rules": {
            "method": cj.method,
            "preset": cj.preset,
            "scale": cj.scale,
            "show_percent": cj.show_percent,
            "system": system,
            "rubrics": [
                {
                    "id": r.id,
                    "version": r.version,
                    "scale": r.scale,
                    "categories": [
                        {
                            "key": c.key,
                            "mode": c.mode,
                            "max_units": c.max_units,
                            "step_units": c.step_units,
                            "weight_percent": c.weight_percent,
                            "section": c.section,
                        }
                        for c in r.categories
                    ],
                }
                for r in sorted(rubrics.values(), key=lambda r: r.id)
            ],
        },
        "sheets": [
            {
                "id": s.id,
                "entry_id": s.entry_id,
                "judge_id": s.judge_id,
                "team_id": s.team_id,
                "section": s.section,
                "rubric_id": s.rubric_id,
                "comment": s.overall_comment,
                "lines": sorted(
                    (
                        {
                            "category": keys.get(ln.category_id, str(ln.category_id)),
                            "value_units": ln.value_units,
                            "note": ln.note,
                        }
                        for ln in s.lines
                    ),
                    key=lambda ln: str(ln["category"]),
                ),
            }
            for s in sheets
        ],
        "orders": [
            {
                "id": o.id,
                "judge_id": o.judge_id,
                "team_id": o.team_id,
                "comment": o.overall_comment,
                "lines": [
                    {"entry_id": ln.entry_id, "position": ln.position, "note": ln.note}
                    for ln in sorted(o.lines, key=lambda ln: (ln.position, ln.entry_id))
                ],
            }
            for o in orders
        ],
        "result": [
            {
                "entry_id": r.entry_id,
                "rank": r.rank,
                "score_units": r.score_units,
                "award": r.award,
                "explanation": r.explanation,
            }
            for r in results
        ],
    }


async def record_certification(
    session: AsyncSession, viewer: Viewer, event: Event, cls: EventClass, certified_at: datetime
) -> Certification:
    """Hash what was just certified (the class's frozen results are written) and keep it: on the class, and as a
    certification record that outlives a reopen."""
    await session.flush()
    number = (
        await session.scalar(select(func.count()).select_from(Certification).where(Certification.class_id == cls.id))
        or 0
    ) + 1
    record = await class_record(session, event, cls, number=number, certified_at=certified_at, by_id=viewer.user_id)
    digest = content_hash(record)
    cert = Certification(
        event_id=event.id,
        class_id=cls.id,
        number=number,
        content_hash=digest,
        code=short_code(digest),
        certified_at=certified_at,
        certified_by_id=viewer.user_id,
        certified_by_name=viewer.name,
    )
    session.add(cert)
    cls.content_hash = digest
    return cert


async def withdraw(session: AsyncSession, cls: EventClass) -> None:
    """The class is reopened: its current certification no longer stands."""
    if cls.content_hash is not None:
        cert = await session.scalar(select(Certification).where(Certification.content_hash == cls.content_hash))
        if cert is not None:
            cert.withdrawn_at = utcnow()
    cls.content_hash = None


async def recompute(session: AsyncSession, cert: Certification) -> str:
    """The hash of a certification's record as the database holds it now (the same while nothing has changed)."""
    event = await session.get(Event, cert.event_id)
    cls = await session.get(EventClass, cert.class_id)
    assert event is not None and cls is not None
    record = await class_record(
        session, event, cls, number=cert.number, certified_at=cert.certified_at, by_id=cert.certified_by_id
    )
    return content_hash(record)


async def current_codes(session: AsyncSession, class_ids: list[int]) -> dict[int, str]:
    """The code of each class's current certification (classes certified before codes existed have none)."""
    if not class_ids:
        return {}
    rows = await session.execute(
        select(EventClass.id, Certification.code)
        .join(Certification, Certification.content_hash == EventClass.content_hash)
        .where(EventClass.id.in_(class_ids))
    )
    return {class_id: code for class_id, code in rows.all()}


def local_time(moment: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    return f"{format_date(local, 'dd MMMM y')} {local.strftime('%H:%M %Z')}"  # the month in the reader's language


@dataclass(frozen=True)
class VerifiedLine:
    rank: int | None
    award: str
    car_number: object
    title: str
    owner: str
    score: str
    note: str


@dataclass(frozen=True)
class Verification:
    """What the public verification page says about a code."""

    code: str  # grouped
    event_name: str
    event_slug: str
    class_code: str
    class_name: str
    certified_at: str  # in the event's timezone
    certified_by: str
    state: str  # current | superseded (certified again since) | withdrawn (reopened, not yet certified again)
    changed_at: str = ""  # when it was withdrawn or superseded
    current_code: str = ""  # the code of the certification that supersedes it
    published: bool = False  # the results are public: the lines are shown
    show_scores: bool = False
    lines: list[VerifiedLine] = field(default_factory=list)


async def verify(session: AsyncSession, text: str) -> Verification | None:
    """What the record says about a code typed or scanned; None for a code that names no certified record.
    Results are shown only where they are published and the record still stands."""
    code = normalise_code(text)
    if code is None:
        return None
    row = (
        await session.execute(
            select(Certification, Event, EventClass, User.name)
            .join(Event, Event.id == Certification.event_id)
            .join(EventClass, EventClass.id == Certification.class_id)
            .outerjoin(User, User.id == Certification.certified_by_id)
            .where(Certification.code == code)
        )
    ).first()
    if row is None:
        return None
    cert, event, cls, by_now = row
    later = await session.scalar(
        select(Certification)
        .where(Certification.class_id == cls.id, Certification.number > cert.number)
        .order_by(Certification.number.desc())
        .limit(1)
    )
    state, changed, current = "current", "", ""
    if later is not None:
        state = "superseded"
        changed = local_time(later.certified_at, event.timezone)
        current = grouped(later.code) if later.withdrawn_at is None else ""
    elif cert.withdrawn_at is not None or cls.content_hash != cert.content_hash:
        state = "withdrawn"
        changed = local_time(cert.withdrawn_at, event.timezone) if cert.withdrawn_at else ""
    published = state == "current" and results_public(event.status)
    lines: list[VerifiedLine] = []
    if published:
        from concours.services.results import published_results  # results imports this module

        for pc in await published_results(session, event):
            if pc.code == cls.code:
                lines = [
                    VerifiedLine(
                        r["rank"],  # type: ignore[arg-type]
                        str(r["award"]),
                        r["car_number"],
                        str(r["title"]),
                        str(r["owner"]),
                        "" if pc.placings else str(r["score"]),
                        str(r["note"]),
                    )
                    for r in pc.rows
                ]
    return Verification(
        code=grouped(cert.code),
        event_name=event.name,
        event_slug=event.slug,
        class_code=cls.code,
        class_name=cls.name,
        certified_at=local_time(cert.certified_at, event.timezone),
        certified_by=cert.certified_by_name or by_now or "",
        state=state,
        changed_at=changed,
        current_code=current,
        published=published,
        show_scores=bool(event.publish_scores),
        lines=lines,
    )


@dataclass(frozen=True)
class CertificationLine:
    """One certification of a class as its results page lists it, the current one first."""

    code: str  # grouped
    path: str  # the verification page
    certified_at: str
    certified_by: str
    current: bool


async def class_certifications(session: AsyncSession, event: Event, cls: EventClass) -> list[CertificationLine]:
    """Every certification of the class, latest first (one query)."""
    rows = (
        await session.scalars(
            select(Certification).where(Certification.class_id == cls.id).order_by(Certification.number.desc())
        )
    ).all()
    return [
        CertificationLine(
            grouped(c.code),
            verify_path(c.code),
            local_time(c.certified_at, event.timezone),
            c.certified_by_name,
            c.content_hash == cls.content_hash,
        )
        for c in rows
    ]
