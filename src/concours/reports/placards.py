"""Windshield placards (one per car: big car number, year make model, coachbuilder, class, the owner where the
owner allows it, and a QR code that opens the car's public page) and award placards for the winners of the
certified classes and the special awards. One page per placard; the HTML comes in parts (one per class) so a
job can render them in parallel."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import ClassVar

import anyio.to_thread
import segno
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassResult, Entrant, Entry, Event, EventClass, User, Vehicle
from concours.domain.ceremony import is_best_of_show
from concours.reports import Letterhead, Report
from concours.services import branding, ceremony
from concours.services.awards import decided_awards
from concours.services.errors import ServiceError
from concours.settings import Settings


@dataclass(frozen=True)
class Placard:
    car_number: int
    title: str
    coachbuilder: str
    class_code: str
    class_name: str
    owner: str  # "" where the owner does not want to be named
    url: str
    qr: str  # PNG data URI of the QR code for ``url``


@dataclass(frozen=True)
class AwardPlacard:
    award: str
    chosen_by: str
    car_number: int
    title: str
    owner: str


@dataclass(frozen=True)
class PlacardSet(Report):
    """Placards to print: windshield placards (of one class, or all) and/or award placards."""

    template: ClassVar[str] = "reports/placards.html"
    letterhead: Letterhead
    name: str
    placards: list[Placard]
    awards: list[AwardPlacard]

    def filename(self) -> str:
        return f"{self.name}.pdf"

    @classmethod
    def sample(cls) -> PlacardSet:
        url = "https://concours.example/events/lakeside-2026/cars/12"
        return cls(
            Letterhead.sample(),
            "lakeside-2026-placards",
            [
                Placard(
                    12,
                    "1937 Talbot-Lago T150-C SS",
                    "Figoni et Falaschi",
                    "C",
                    "French Curves",
                    "Ada Lovelace",
                    url,
                    qr_png(url),
                )
            ],
            [
                AwardPlacard(
                    "Best of Show", "chosen by the honorary judges", 12, "1937 Talbot-Lago T150-C SS", "Ada Lovelace"
                )
            ],
        )


def car_page_url(settings: Settings, event: Event, car_number: int) -> str:
    return f"{settings.base_url}{ceremony.car_url(event, car_number)}"


def qr_png(url: str) -> str:
    """A QR code for ``url`` as a PNG data URI (an image in the PDF, so it can be read back and decoded)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=4)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _qr_codes(urls: list[str]) -> dict[str, str]:
    return {u: qr_png(u) for u in urls}


async def car_placards(session: AsyncSession, settings: Settings, event: Event) -> PlacardSet:
    """Every accepted car with a number, class by class in class order then car number (one query)."""
    rows = (
        await session.execute(
            select(
                Entry.car_number,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                Vehicle.coachbuilder,
                EventClass.code,
                EventClass.name.label("class_name"),
                User.name.label("owner"),
                Entrant.publish_name,
            )
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .outerjoin(EventClass, EventClass.id == Entry.class_id)
            .where(Entry.event_id == event.id, Entry.status == "accepted", Entry.car_number.is_not(None))
            .order_by(EventClass.position, Entry.car_number)
        )
    ).all()
    if not rows:
        raise ServiceError("There are no numbered cars yet: accept cars and give them numbers first.")
    urls = {r.car_number: car_page_url(settings, event, r.car_number) for r in rows}
    qr = await anyio.to_thread.run_sync(_qr_codes, list(urls.values()))
    out: list[Placard] = []
    for r in rows:
        url = urls[r.car_number]
        out.append(
            Placard(
                r.car_number,
                f"{r.year} {r.make} {r.model}",
                r.coachbuilder,
                r.code or "",
                r.class_name or "",
                r.owner if r.publish_name else "",
                url,
                qr[url],
            )
        )
    return PlacardSet(await branding.letterhead(session, event), f"{event.slug}-placards", out, [])


async def award_placards(session: AsyncSession, event: Event) -> PlacardSet:
    """A placard per award of the certified classes (in class order, first place first) and per special award."""
    rows = (
        await session.execute(
            select(
                ClassResult,
                EventClass.code,
                Entry.car_number,
                Vehicle.year,
                Vehicle.make,
                Vehicle.model,
                User.name,
                Entrant.publish_name,
            )
            .join(EventClass, EventClass.id == ClassResult.class_id)
            .join(Entry, Entry.id == ClassResult.entry_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(EventClass.event_id == event.id, EventClass.certified_at.is_not(None), ClassResult.award != "")
            .order_by(EventClass.position, ClassResult.rank, Entry.car_number)
        )
    ).all()
    placards = [
        AwardPlacard(f"Class {code}: {res.award}", "", number, f"{y} {mk} {md}", owner if public else "")
        for res, code, number, y, mk, md, owner, public in rows
    ]
    decided = await decided_awards(session, event)
    if decided:
        cars = {
            entry_id: (number, f"{y} {mk} {md}", owner if public else "")
            for entry_id, number, y, mk, md, owner, public in (
                await session.execute(
                    select(
                        Entry.id,
                        Entry.car_number,
                        Vehicle.year,
                        Vehicle.make,
                        Vehicle.model,
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
        best = [a for a in decided if is_best_of_show(a.name)]
        for a in best + [a for a in decided if not is_best_of_show(a.name)]:
            number, title, owner = cars[a.entry_id]
            placards.append(AwardPlacard(a.name, a.how, number or 0, title, owner))
    if not placards:
        raise ServiceError("There are no winners yet: award placards are printed once a class is certified.")
    return PlacardSet(await branding.letterhead(session, event), f"{event.slug}-award-placards", [], placards)
