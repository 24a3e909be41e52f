"""Windshield placards (one per car: big car number, year make model, coachbuilder, class, the owner where the
owner allows it, and a QR code that opens the car's public page) and award placards for the winners of the
certified classes and the special awards. One page per placard; the HTML comes in parts (one per class) so a
job can render them in parallel."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.i18n import N_, gettext
from concours.reports import Letterhead, Report, render_html
from concours.reports.certified import certified_text
from concours.reports.pool import qr_src
from concours.services import branding, ceremony, show_results
from concours.services.errors import ServiceError
from concours.services.jobs import JobDocument, register_kind
from concours.services.permissions import event_for_organizer
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
    qr: str  # the QR code for ``url`` as an image source (drawn by the renderer: ``pool.qr_src``)


@dataclass(frozen=True)
class AwardPlacard:
    award: str
    chosen_by: str
    car_number: int
    title: str
    owner: str
    class_code: str = ""  # a class award's class; "" for a special award


@dataclass(frozen=True)
class PlacardSet(Report):
    """Placards to print: windshield placards (of one class, or all) and/or award placards."""

    template: ClassVar[str] = "reports/placards.html"
    page_numbers: ClassVar[bool] = False
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
                    qr_src(url),
                )
            ],
            [
                AwardPlacard(
                    "Best of Show",
                    gettext("chosen by %(who)s", who="the honorary judges"),
                    12,
                    "1937 Talbot-Lago T150-C SS",
                    "Ada Lovelace",
                )
            ],
        )


def car_page_url(settings: Settings, event: Event, car_number: int) -> str:
    return f"{settings.base_url}{ceremony.car_url(event, car_number)}"


async def car_placards(session: AsyncSession, settings: Settings, event: Event) -> PlacardSet:
    """Every accepted car with a number, class by class in class order then car number."""
    cars = await show_results.numbered_cars(session, event)
    if not cars:
        raise ServiceError("There are no numbered cars yet: accept cars and give them numbers first.")
    out = [
        Placard(
            c.car_number,
            c.title,
            c.coachbuilder,
            c.class_code,
            c.class_name,
            c.owner,
            url,
            qr_src(url),
        )
        for c in cars
        for url in [car_page_url(settings, event, c.car_number)]
    ]
    return PlacardSet(await branding.letterhead(session, event), f"{event.slug}-placards", out, [])


async def award_placards(session: AsyncSession, event: Event) -> PlacardSet:
    """A placard per award of the certified classes (in class order, first place first), then per special award
    (Best of Show first)."""
    placards = [
        AwardPlacard(
            gettext("Class %(code)s: %(award)s", code=cls.code, award=certified_text(car.award)),
            "",
            car.car_number or 0,
            car.title,
            car.owner,
            cls.code,
        )
        for cls in await show_results.certified_classes(session, event)
        for car in cls.winners
    ]
    for a in await show_results.special_awards(session, event):
        placards.append(AwardPlacard(a.name, a.how, a.car_number or 0, a.title, a.owner))
    if not placards:
        raise ServiceError(gettext("There are no winners yet: award placards are printed once a class is certified."))
    return PlacardSet(await branding.letterhead(session, event), f"{event.slug}-award-placards", [], placards)


def _in_parts(placards: PlacardSet) -> list[str]:
    """The set's HTML in parts, one per class (the special awards' placards together in one)."""
    parts = [
        replace(placards, placards=list(group), awards=[])
        for _, group in itertools.groupby(placards.placards, lambda p: p.class_code)
    ]
    parts += [
        replace(placards, placards=[], awards=list(group))
        for _, group in itertools.groupby(placards.awards, lambda a: a.class_code)
    ]
    return [render_html(p) for p in parts]


async def car_placards_document(
    session: AsyncSession, settings: Settings, event: Event, params: dict[str, Any]
) -> JobDocument:
    """Every windshield placard as a job: one part per class."""
    placards = await car_placards(session, settings, event)
    parts = await anyio.to_thread.run_sync(_in_parts, placards)
    return JobDocument(placards.filename(), parts)


async def award_placards_document(
    session: AsyncSession, settings: Settings, event: Event, params: dict[str, Any]
) -> JobDocument:
    """Every award placard as a job: one part per class, and one for the special awards."""
    placards = await award_placards(session, event)
    parts = await anyio.to_thread.run_sync(_in_parts, placards)
    return JobDocument(placards.filename(), parts)


CAR_PLACARDS = register_kind(
    "placards", N_("Windshield placards (every car)"), authorize=event_for_organizer, build=car_placards_document
)
AWARD_PLACARDS = register_kind(
    "award_placards", N_("Award placards (every winner)"), authorize=event_for_organizer, build=award_placards_document
)
