"""Emcee cards: one page per award in the order of the run sheet, with what the emcee reads on the ramp."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.reports import render_pdf
from concours.services import branding, ceremony
from concours.services.branding import Branding
from concours.services.errors import ServiceError
from concours.settings import Settings


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
class EmceeCards:
    brand: Branding
    cards: list[EmceeCard]

    @classmethod
    def sample(cls) -> EmceeCards:
        return cls(
            Branding.sample(),
            [
                EmceeCard(
                    1,
                    2,
                    "Class C, French Curves: 1st in class",
                    "",
                    12,
                    "1937 Talbot-Lago T150-C SS",
                    "Figoni et Falaschi",
                    "Ada Lovelace",
                    True,
                    "Delivered new in Paris; restored 2019.",
                ),
                EmceeCard(
                    2,
                    2,
                    "Best of Show",
                    "the honorary judges",
                    12,
                    "1937 Talbot-Lago T150-C SS",
                    "Figoni et Falaschi",
                    "Ada Lovelace",
                    False,
                    "Delivered new in Paris; restored 2019.",
                ),
            ],
        )


async def build(session: AsyncSession, settings: Settings, event: Event) -> EmceeCards:
    lines = await ceremony.run_sheet(session, event)
    if not lines:
        raise ServiceError("The run sheet is empty: build it from the results first.")
    total = len(lines)
    cards = [
        EmceeCard(
            n,
            total,
            ln.award,
            ln.chosen_by,
            ln.car_number,
            ln.title,
            ln.coachbuilder,
            ln.owner,
            ln.owner_public,
            ln.story,
        )
        for n, ln in enumerate(lines, start=1)
    ]
    return EmceeCards(await branding.branding_for(session, settings, event), cards)


async def render(model: EmceeCards) -> bytes:
    return await render_pdf("reports/emcee_cards.html", brand=model.brand, cards=model.cards)
