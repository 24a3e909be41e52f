"""Judge packets: for each judge their team, class and cars, then a blank score sheet per car with a QR code
that opens that car's sheet on a tablet — the backup for when tablets fail."""

from __future__ import annotations

from dataclasses import dataclass

import anyio.to_thread
import segno
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass, JudgingSystem
from concours.domain.rubric import format_units
from concours.reports import render_pdf
from concours.services.assignment import PacketJudge, packets
from concours.services.errors import NotFound
from concours.services.events import load_rubric, to_categories
from concours.settings import Settings


@dataclass
class SheetLine:
    name: str
    section: str
    maximum: str
    mode: str


def sheet_url(settings: Settings, entry_id: int) -> str:
    return f"{settings.base_url}/judging/entries/{entry_id}"


def _qr_codes(urls: list[str]) -> dict[str, str]:
    return {u: segno.make(u, error="m").svg_data_uri(scale=4, border=2) for u in urls}


async def judge_packet_pdf(
    session: AsyncSession, settings: Settings, event: Event, judge_id: int | None = None
) -> bytes:
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
    sheets: dict[int, tuple[str, list[SheetLine]]] = {}
    for rid in {r for r in rubric_ids.values() if r is not None}:
        rubric = await load_rubric(session, rid)
        cats = to_categories(rubric.categories)
        maximum = format_units(sum(c.max_units for c in cats), rubric.scale)
        sheets[rid] = (
            maximum,
            [SheetLine(c.name, c.section or "", format_units(c.max_units, rubric.scale), c.mode) for c in cats],
        )
    urls = sorted({sheet_url(settings, car.entry_id) for j in judges for car in j.cars})
    qr = await anyio.to_thread.run_sync(_qr_codes, urls)
    pages = []
    for j in judges:
        rid = rubric_ids.get(j.class_id)
        maximum, lines = sheets.get(rid or 0, ("", []))
        if mode == "section" and j.sections:
            lines = [ln for ln in lines if ln.section in j.sections]
        pages.append({"judge": j, "lines": lines, "maximum": maximum})
    return await render_pdf(
        "reports/judge_packet.html",
        event=event,
        pages=pages,
        qr=qr,
        url=lambda entry_id: sheet_url(settings, entry_id),
        section_mode=mode == "section",
    )
