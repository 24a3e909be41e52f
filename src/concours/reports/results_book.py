"""The results book: one PDF of the show — a cover, the contents with page numbers, the special awards (Best of
Show first) with the winners' photos, then every certified class in class order with its places and, as the
event chooses, the scores; page numbers throughout. One HTML document, so the contents can point at pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassResult, Entrant, Entry, Event, EventClass, User, Vehicle, VehiclePhoto
from concours.domain.ceremony import is_best_of_show
from concours.domain.states import results_public
from concours.reports import Letterhead, Report
from concours.services import branding, photos
from concours.services.awards import decided_awards
from concours.services.errors import ServiceError
from concours.settings import Settings


@dataclass(frozen=True)
class BookAward:
    award: str
    chosen_by: str
    car_number: int | None
    title: str
    coachbuilder: str
    owner: str
    photo: str  # a file URL, or ""


@dataclass(frozen=True)
class BookRow:
    rank: int | None
    award: str
    car_number: int | None
    title: str
    coachbuilder: str
    owner: str
    score: str
    note: str


@dataclass
class BookClass:
    code: str
    name: str
    rows: list[BookRow] = field(default_factory=list)  # filled while building; plain data once built
    winner_photo: str = ""
    winner_caption: str = ""


@dataclass(frozen=True)
class ResultsBook(Report):
    template: ClassVar[str] = "reports/results_book.html"
    letterhead: Letterhead
    slug: str
    dates: str
    published: bool
    show_scores: bool
    awards: list[BookAward]
    classes: list[BookClass]

    def filename(self) -> str:
        return f"{self.slug}-results-book.pdf"

    @classmethod
    def sample(cls) -> ResultsBook:
        row = BookRow(
            1, "1st in class", 12, "1937 Talbot-Lago T150-C SS", "Figoni et Falaschi", "Ada Lovelace", "97.5", ""
        )
        return cls(
            Letterhead.sample(),
            "lakeside-2026",
            "14 June 2026",
            True,
            True,
            [
                BookAward(
                    "Best of Show", "chosen by the honorary judges", 12, row.title, row.coachbuilder, row.owner, ""
                )
            ],
            [BookClass("C", "French Curves 1935–1939", [row])],
        )


def _file_url(path: Path) -> str:
    """``path`` as a file URL (made absolute against the working folder, as the server runs)."""
    return (path if path.is_absolute() else Path.cwd() / path).as_uri()  # noqa: ASYNC240 - no I/O


def _dates(event: Event) -> str:
    if event.starts_on == event.ends_on:
        return event.starts_on.strftime("%d %B %Y")
    return f"{event.starts_on.strftime('%d %B')} – {event.ends_on.strftime('%d %B %Y')}"


def _awards_only(event: Event) -> bool:
    return not event.publish_scores


async def build(session: AsyncSession, settings: Settings, event: Event, *, scores: bool = True) -> ResultsBook:
    classes = (
        await session.scalars(
            select(EventClass)
            .where(EventClass.event_id == event.id, EventClass.certified_at.is_not(None))
            .order_by(EventClass.position, EventClass.code)
        )
    ).all()
    if not classes:
        raise ServiceError("The results book is made from certified results: certify a class first.")
    rows = (
        await session.execute(
            select(
                ClassResult,
                Entry.vehicle_id,
                User.name,
                Entrant.publish_name,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                Vehicle.coachbuilder,
                Entry.car_number,
            )
            .join(Entry, Entry.id == ClassResult.entry_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(ClassResult.class_id.in_([c.id for c in classes]))
            .order_by(ClassResult.rank.is_(None), ClassResult.rank, Entry.car_number)
        )
    ).all()
    decided = await decided_awards(session, event)
    award_cars = (
        {
            r.id: r
            for r in (
                await session.execute(
                    select(
                        Entry.id,
                        Entry.vehicle_id,
                        Entry.car_number,
                        Vehicle.year,
                        Vehicle.make,
                        Vehicle.model,
                        Vehicle.coachbuilder,
                        User.name,
                        Entrant.publish_name,
                    )
                    .join(Vehicle, Vehicle.id == Entry.vehicle_id)
                    .join(Entrant, Entrant.id == Entry.entrant_id)
                    .join(User, User.id == Entrant.user_id)
                    .where(Entry.id.in_({a.entry_id for a in decided}))
                )
            ).all()
        }
        if decided
        else {}
    )
    winners = {r[1] for r in rows if r[0].rank == 1 and r[0].award} | {c.vehicle_id for c in award_cars.values()}
    first_photo: dict[int, str] = {}
    if winners:
        for photo in (
            await session.scalars(
                select(VehiclePhoto)
                .where(VehiclePhoto.vehicle_id.in_(winners))
                .order_by(VehiclePhoto.vehicle_id, VehiclePhoto.position, VehiclePhoto.id)
            )
        ).all():
            if photo.vehicle_id not in first_photo:
                # A missing file prints without the photo (WeasyPrint skips an image it cannot load).
                first_photo[photo.vehicle_id] = _file_url(photos.photo_path(settings, photo, thumb=False))
    show_scores = scores and not _awards_only(event)
    book_classes = []
    for c in classes:
        bc = BookClass(c.code, c.name)
        for res, vehicle_id, owner, public, y, mk, md, coach, number in rows:
            if res.class_id != c.id:
                continue
            ex = res.explanation
            bc.rows.append(
                BookRow(
                    res.rank,
                    res.award,
                    ex.get("car_number", number),
                    ex.get("title", f"{y} {mk} {md}"),
                    ex.get("coachbuilder", coach),
                    ex.get("owner", owner) if public else "",
                    str(ex.get("score", "")) if show_scores else "",
                    ex.get("ineligible", ""),
                )
            )
            if res.rank == 1 and res.award and not bc.winner_photo and vehicle_id in first_photo:
                bc.winner_photo = first_photo[vehicle_id]
                bc.winner_caption = f"No. {number} {y} {mk} {md}"
        book_classes.append(bc)
    ordered = [a for a in decided if is_best_of_show(a.name)] + [a for a in decided if not is_best_of_show(a.name)]
    book_awards = []
    for a in ordered:
        car = award_cars[a.entry_id]
        book_awards.append(
            BookAward(
                a.name,
                a.how,
                car.car_number,
                f"{car.year} {car.make} {car.model}",
                car.coachbuilder,
                car.name if car.publish_name else "",
                first_photo.get(car.vehicle_id, ""),
            )
        )
    return ResultsBook(
        await branding.letterhead(session, event),
        event.slug,
        _dates(event),
        results_public(event.status),
        show_scores,
        book_awards,
        book_classes,
    )
