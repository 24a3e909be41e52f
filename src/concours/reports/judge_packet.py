"""Judge packets: for each judge their team, class and cars, then a blank score sheet per car with a QR code
that opens that car's sheet on a tablet — the backup for when tablets fail."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self

import anyio.to_thread
import segno
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass, JudgingSystem
from concours.domain.rubric import format_units
from concours.i18n import N_
from concours.reports import Letterhead, Report, render_html
from concours.services import branding
from concours.services.assignment import PacketCar, PacketJudge, packets
from concours.services.errors import NotFound
from concours.services.events import load_rubric, to_categories
from concours.services.jobs import JobDocument, register_kind
from concours.services.permissions import event_for_chief_judge
from concours.settings import Settings


@dataclass(frozen=True)
class SheetLine:
    name: str
    section: str
    maximum: str
    mode: str
    guidance: str = ""  # what to weigh, from the rubric, printed under the category


@dataclass(frozen=True)
class PacketSheet:
    """One car's blank sheet: the car, the link that opens its sheet on a tablet and that link as a QR code."""

    car: PacketCar
    url: str
    qr: str  # an SVG data URI


@dataclass(frozen=True)
class PacketPages:
    """One judge's part of the packet: a cover page, then a blank sheet per car."""

    judge: PacketJudge
    lines: list[SheetLine]
    maximum: str
    sheets: list[PacketSheet]


@dataclass(frozen=True)
class JudgePacket(Report):
    template: ClassVar[str] = "reports/judge_packet.html"
    letterhead: Letterhead
    judges: list[PacketPages]
    section_mode: bool
    slug: str = "event"

    def filename(self) -> str:
        if len(self.judges) == 1:
            return f"judge-packet-{self.slug}-{self.judges[0].judge.judge_id}.pdf"
        return f"judge-packets-{self.slug}.pdf"

    @classmethod
    def sample(cls) -> Self:
        cars = [
            PacketCar(1, "12", 1937, "Talbot-Lago", "T150-C SS", "B-3"),
            PacketCar(2, "14", 1938, "Delahaye", "135M", "B-4"),
        ]
        judge = PacketJudge(
            7, "Jo Master", "master", "B", "Pre-war European Open", 3, True, ["Jo Master", "Lee Senior"], [], cars
        )
        lines = [
            SheetLine("Exterior", "", "30", "points", "Paint, brightwork, panel fit, glass."),
            SheetLine("Interior", "", "20", "points", "Upholstery, instruments, carpets."),
            SheetLine("Authenticity", "", "10", "deduction", "Deduct for parts not correct for the car."),
        ]
        base = "https://concours.example.org/judging/entries"
        sheets = [PacketSheet(c, f"{base}/{c.entry_id}", qr_code(f"{base}/{c.entry_id}")) for c in cars]
        return cls(Letterhead.sample(), [PacketPages(judge, lines, "60", sheets)], False, "lakeside-2026")


def sheet_url(settings: Settings, entry_id: int) -> str:
    return f"{settings.base_url}/judging/entries/{entry_id}"


def qr_code(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def _qr_codes(urls: list[str]) -> dict[str, str]:
    return {u: qr_code(u) for u in urls}


async def judge_packet(
    session: AsyncSession, settings: Settings, event: Event, judge_id: int | None = None
) -> JudgePacket:
    """One judge's packet (or every judge's, in class order): a cover page each, then one page per car."""
    judges: list[PacketJudge] = await packets(session, event, judge_id)
    if not judges:
        raise NotFound(
            "There is no packet to print: this judge is on no team."
            if judge_id is not None
            else "There are no judging teams yet: assign judges first."
        )
    mode = await session.scalar(select(JudgingSystem.sheet_mode).where(JudgingSystem.event_id == event.id))
    rubric_ids: dict[int, int | None] = {}
    for cls in (await session.scalars(select(EventClass).where(EventClass.event_id == event.id))).all():
        rubric_ids[cls.id] = cls.rubric_id or event.rubric_id
    rubric_sheets: dict[int, tuple[str, list[SheetLine]]] = {}
    for rid in {r for r in rubric_ids.values() if r is not None}:
        rubric = await load_rubric(session, rid)
        cats = to_categories(rubric.categories)
        maximum = format_units(sum(c.max_units for c in cats), rubric.scale)
        rubric_sheets[rid] = (
            maximum,
            [
                SheetLine(c.name, c.section or "", format_units(c.max_units, rubric.scale), c.mode, c.guidance)
                for c in cats
            ],
        )
    urls = sorted({sheet_url(settings, car.entry_id) for j in judges for car in j.cars})
    qr = await anyio.to_thread.run_sync(_qr_codes, urls)
    pages = []
    for j in judges:
        class_rubric = rubric_ids.get(j.class_id)
        maximum, lines = rubric_sheets.get(class_rubric or 0, ("", []))
        if mode == "section" and j.sections:
            lines = [ln for ln in lines if ln.section in j.sections]
        sheets = [PacketSheet(c, url, qr[url]) for c in j.cars for url in [sheet_url(settings, c.entry_id)]]
        pages.append(PacketPages(j, lines, maximum, sheets))
    return JudgePacket(await branding.letterhead(session, event), pages, mode == "section", event.slug)


async def judge_packets_document(
    session: AsyncSession, settings: Settings, event: Event, params: dict[str, Any]
) -> JobDocument:
    """Every judge's packet as a job: one part per judge (each numbered on its own), rendered on every core."""
    packet = await judge_packet(session, settings, event)
    parts = await anyio.to_thread.run_sync(
        lambda: [render_html(replace(packet, judges=[pages])) for pages in packet.judges]
    )
    return JobDocument(filename=packet.filename(), parts=parts)


JUDGE_PACKETS = register_kind(
    "judge_packets", N_("Judge packets (every judge)"), authorize=event_for_chief_judge, build=judge_packets_document
)
