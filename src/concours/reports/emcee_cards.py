"""Emcee cards: one page per award in the order of the run sheet, with what the emcee reads on the ramp."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.i18n import gettext
from concours.reports import Letterhead, Report
from concours.reports.certified import certified_text
from concours.services import branding, ceremony
from concours.services.errors import ServiceError


@dataclass(frozen=True)
class EmceeCard:
    number: int
    total: int
    award: str
    chosen_by: str
    car_number: int | None
    title: str
    coachbuilder: str
    owner: str
    owner_public: bool
    story: str


@dataclass(frozen=True)
class EmceeCards(Report):
    template: ClassVar[str] = "reports/emcee_cards.html"
    letterhead: Letterhead
    slug: str
    cards: list[EmceeCard]

    def filename(self) -> str:
        return f"{self.slug}-emcee-cards.pdf"

    @classmethod
    def sample(cls) -> EmceeCards:
        title, coach = "1937 Talbot-Lago T150-C SS", "Figoni et Falaschi"
        story = "Delivered new in Paris; raced at Le Mans in 1938; restored 2019."
        return cls(
            Letterhead.sample(),
            "lakeside-2026",
            [
                EmceeCard(
                    1,
                    2,
                    certified_text("Class C, French Curves: 1st in class"),
                    "",
                    12,
                    title,
                    coach,
                    "Ada Lovelace",
                    True,
                    story,
                ),
                EmceeCard(
                    2,
                    2,
                    "Best of Show",
                    gettext("chosen by %(who)s", who="the honorary judges"),
                    12,
                    title,
                    coach,
                    "Ada Lovelace",
                    False,
                    story,
                ),
            ],
        )


async def build(session: AsyncSession, event: Event) -> EmceeCards:
    lines = await ceremony.run_sheet(session, event)
    if not lines:
        raise ServiceError("The run sheet is empty: build it from the results first.")
    total = len(lines)
    cards = [
        EmceeCard(
            n,
            total,
            certified_text(ln.award),
            certified_text(ln.chosen_by),
            ln.car_number,
            ln.title,
            ln.coachbuilder,
            ln.owner,
            ln.owner_public,
            ln.story,
        )
        for n, ln in enumerate(lines, start=1)
    ]
    return EmceeCards(await branding.letterhead(session, event), event.slug, cards)
