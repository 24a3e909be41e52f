"""The results export for the press and the club's archive: every certified class result and every decided
special award, with place, car, owner (only where the owner allows it), the car's story and photo links.
Scores are included only when the event publishes scores, each class's judging team only when it publishes the
judges' names."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassResult, Entrant, Entry, Event, EventClass, User, Vehicle, VehiclePhoto
from concours.domain.spreadsheet import csv_text
from concours.services.awards import decided_awards
from concours.services.errors import NotFound
from concours.services.show_results import judging_teams
from concours.settings import Settings

COLUMNS = (
    "section",
    "class_code",
    "class_name",
    "award",
    "place",
    "sponsor",
    "how_decided",
    "score",
    "car_number",
    "year",
    "make",
    "model",
    "coachbuilder",
    "owner",
    "story",
    "photos",
    "judges",
)


@dataclass
class ResultRow:
    section: str  # class | special
    class_code: str
    class_name: str
    award: str
    place: int | None
    sponsor: str
    how_decided: str
    score: str
    car_number: int | None
    year: int
    make: str
    model: str
    coachbuilder: str
    owner: str
    story: str
    photos: list[str] = field(default_factory=list)
    judges: list[str] = field(default_factory=list)  # a class row's judging team, where the event publishes names


def photo_url(settings: Settings, event: Event, photo_id: int) -> str:
    """Where the public (and the press) fetch a photo of a car in the published results."""
    return f"{settings.base_url.rstrip('/')}/events/{event.slug}/results/photos/{photo_id}"


async def results_rows(session: AsyncSession, settings: Settings, event: Event) -> list[ResultRow]:
    """Special awards first (in ceremony order), then every certified class in order (four queries)."""
    classes = {
        c.id: c
        for c in (
            await session.scalars(
                select(EventClass).where(EventClass.event_id == event.id, EventClass.certified_at.is_not(None))
            )
        ).all()
    }
    results = (
        (await session.scalars(select(ClassResult).where(ClassResult.class_id.in_(list(classes))))).all()
        if classes
        else []
    )
    specials = await decided_awards(session, event)
    teams = await judging_teams(session, list(classes)) if event.publish_judges else {}
    entry_ids = {r.entry_id for r in results} | {a.entry_id for a in specials}
    cars = (
        {
            row[0].id: row
            for row in (
                await session.execute(
                    select(Entry, Vehicle, User.name, Entrant.publish_name, EventClass)
                    .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                    .join(Entrant, Entrant.id == Entry.entrant_id)
                    .join(User, User.id == Entrant.user_id)
                    .outerjoin(EventClass, EventClass.id == Entry.class_id)
                    .where(Entry.id.in_(entry_ids))
                )
            ).all()
        }
        if entry_ids
        else {}
    )
    photos: dict[int, list[str]] = {}
    vehicle_ids = [row[1].id for row in cars.values()]
    if vehicle_ids:
        for vid, pid in await session.execute(
            select(VehiclePhoto.vehicle_id, VehiclePhoto.id)
            .where(VehiclePhoto.vehicle_id.in_(vehicle_ids))
            .order_by(VehiclePhoto.position, VehiclePhoto.id)
        ):
            photos.setdefault(vid, []).append(photo_url(settings, event, pid))

    def row(section: str, entry_id: int, cls: EventClass | None, **kw: object) -> ResultRow:
        entry, vehicle, owner, public_name, entry_class = cars[entry_id]
        cls = cls or entry_class
        return ResultRow(
            section=section,
            class_code=cls.code if cls else "",
            class_name=cls.name if cls else "",
            car_number=entry.car_number,
            year=vehicle.year,
            make=vehicle.make,
            model=vehicle.model,
            coachbuilder=vehicle.coachbuilder,
            owner=owner if public_name else "",
            story=vehicle.history,
            photos=photos.get(vehicle.id, []),
            **kw,  # type: ignore[arg-type]
        )

    out = [
        row("special", a.entry_id, None, award=a.name, place=None, sponsor=a.sponsor, how_decided=a.how, score="")
        for a in specials
        if a.entry_id in cars
    ]
    ordered = sorted(
        results,
        key=lambda r: (classes[r.class_id].position, r.rank is None, r.rank or 0, cars[r.entry_id][0].car_number or 0),
    )
    for r in ordered:
        if r.entry_id not in cars:
            continue
        out.append(
            row(
                "class",
                r.entry_id,
                classes[r.class_id],
                award=r.award,
                place=r.rank,
                sponsor="",
                how_decided="",
                score=str(r.explanation.get("score", "")) if event.publish_scores else "",
                judges=teams.get(r.class_id, []),
            )
        )
    return out


def to_csv(rows: list[ResultRow]) -> str:
    """CSV with every text cell neutralised against spreadsheet formulas (the shared OWASP helper)."""
    out = []
    for r in rows:
        d = asdict(r)
        d["photos"] = " ".join(r.photos)
        d["judges"] = "; ".join(r.judges)
        out.append({c: "" if d[c] is None else d[c] for c in COLUMNS})
    return csv_text(out, COLUMNS)


def to_json(event: Event, rows: list[ResultRow]) -> str:
    return json.dumps(
        {
            "event": {"name": event.name, "slug": event.slug, "venue": event.venue, "starts_on": str(event.starts_on)},
            "scores_published": event.publish_scores,
            "judges_published": event.publish_judges,
            "special_awards": [
                {k: v for k, v in asdict(r).items() if k not in ("section", "place", "score", "judges")}
                for r in rows
                if r.section == "special"
            ],
            "classes": [
                {k: v for k, v in asdict(r).items() if k not in ("section", "sponsor", "how_decided")}
                for r in rows
                if r.section == "class"
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


async def results_photo(session: AsyncSession, event: Event, photo_id: int) -> VehiclePhoto:
    """A photo of a car in the event's published results (certified class results or a decided special award).
    The caller checks that the results are public."""
    entry_ids = (
        select(ClassResult.entry_id)
        .join(EventClass, EventClass.id == ClassResult.class_id)
        .where(EventClass.event_id == event.id, EventClass.certified_at.is_not(None))
    )
    awarded = [a.entry_id for a in await decided_awards(session, event)]
    photo = await session.scalar(
        select(VehiclePhoto)
        .join(Entry, Entry.vehicle_id == VehiclePhoto.vehicle_id)
        .where(
            VehiclePhoto.id == photo_id,
            Entry.event_id == event.id,
            Entry.id.in_(entry_ids) | Entry.id.in_(awarded),
        )
        .limit(1)
    )
    if photo is None:
        raise NotFound("There is no such photo.")
    return photo
