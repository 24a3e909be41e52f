"""The People's Choice voting-code sheet: cards of single-use codes, each with a QR code that opens the public
ballot with the code filled in. The codes are derived again from the secret key (only hashes are stored)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self
from urllib.parse import quote

import anyio.to_thread
import segno
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, SpecialAward, VotingCodeBatch
from concours.domain.awards import format_code
from concours.reports import Letterhead, Report
from concours.services import branding
from concours.services.peoples_choice import batch_codes
from concours.settings import Settings


@dataclass(frozen=True)
class CodeCard:
    code: str  # as printed: two groups of five
    url: str
    qr: str  # SVG data URI


@dataclass(frozen=True)
class VotingCodeSheet(Report):
    template: ClassVar[str] = "reports/voting_codes.html"
    letterhead: Letterhead
    award_name: str
    vote_path: str  # what a spectator types without a camera: /events/{slug}/vote
    batch_id: int
    cards: list[CodeCard]

    def filename(self) -> str:
        return f"voting-codes-batch-{self.batch_id}.pdf"

    @classmethod
    def sample(cls) -> Self:
        base = "https://concours.example.org/events/lakeside-2026/vote?code="
        codes = ["KQ7RM2XW9T", "PA3ZD8HNUE"]
        return cls(
            Letterhead.sample(),
            "People's Choice",
            "/events/lakeside-2026/vote",
            1,
            _cards([(c, base + c) for c in codes]),
        )


def ballot_url(settings: Settings, event: Event, code: str) -> str:
    """What a card's QR code opens: the public ballot with the code filled in."""
    return f"{settings.base_url.rstrip('/')}/events/{quote(event.slug)}/vote?code={code}"


def _cards(urls: list[tuple[str, str]]) -> list[CodeCard]:
    return [
        CodeCard(format_code(code), url, segno.make(url, error="m").svg_data_uri(scale=4, border=2))
        for code, url in urls
    ]


async def voting_code_sheet(
    session: AsyncSession, settings: Settings, event: Event, award: SpecialAward, batch: VotingCodeBatch
) -> VotingCodeSheet:
    """The batch's cards, with the event's branding (logo and colours) on each."""
    codes = batch_codes(settings.secret_key, batch)
    cards = await anyio.to_thread.run_sync(_cards, [(c, ballot_url(settings, event, c)) for c in codes])
    letterhead = await branding.letterhead(session, event)
    return VotingCodeSheet(letterhead, award.name, f"/events/{event.slug}/vote", batch.id, cards)
