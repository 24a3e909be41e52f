"""What the set-up use cases share: form text cleaning, indexed form rows, points typed as text, the
event lock. The use cases themselves live in ``rubrics`` (the score sheet) and ``judging_systems``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from concours.db import Event, JudgingSystem, Rubric
from concours.domain.rubric import ScoreError, parse_points

DEFAULT_SCALE = 10


def clean_text(value: Any) -> str:
    """Form text as the database can hold it: no NUL, no lone surrogates, trimmed."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8").strip()


def category_key(text: str) -> str:
    """``"Body & paint" → "body_paint"``: lower-case ASCII letters, digits and underscores."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:40]


def points_units(text: str, scale: int, what: str) -> int:
    try:
        return parse_points(text, scale)
    except ScoreError as exc:
        raise ValueError(f"{what}: {exc}.") from exc


async def lock_event(session: AsyncSession, event: Event) -> Event:
    """Lock the event row (PostgreSQL; SQLite writers already hold the lock) and refresh it.

    ``FOR NO KEY UPDATE``: organizers' set-up changes queue behind one another, while rows that merely
    reference the event (a judge's audit entry, say) are not blocked, so a judge who holds the rubric
    (see :func:`current_rubric`) and then writes such a row cannot deadlock with us."""
    locked = await session.scalar(
        select(Event)
        .where(Event.id == event.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


def plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def indexed_rows(form: Mapping[str, str], prefix: str, fields: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """``level-0-name``, ``level-0-min`` … grouped by index, in index order."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d{{1,3}})-({'|'.join(map(re.escape, fields))})$")
    rows: dict[int, dict[str, str]] = {}
    for k, v in form.items():
        m = pattern.match(k)
        if m:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = clean_text(v)
    return sorted(rows.items())


# ---------------------------------------------------------------------------------------------------------
# What the pages show (plain data)


async def current_rubric(session: AsyncSession, event: Event, *, lock: bool = False) -> Rubric | None:
    if event.rubric_id is None:
        return None
    query = select(Rubric).options(selectinload(Rubric.categories)).where(Rubric.id == event.rubric_id)
    if lock:
        # FOR UPDATE (not NO KEY UPDATE) conflicts with the key-share lock a new sheet's foreign key takes:
        # it waits for (and then counts) any sheet a judge is creating against this rubric, and a judge
        # starting a sheet meanwhile waits for our change.
        query = query.with_for_update(of=Rubric).execution_options(populate_existing=True)
    rubric: Rubric | None = await session.scalar(query)
    return rubric


async def judging_system_of(session: AsyncSession, event: Event, *, lock: bool = False) -> JudgingSystem | None:
    query = select(JudgingSystem).options(selectinload(JudgingSystem.levels)).where(JudgingSystem.event_id == event.id)
    if lock:
        query = query.with_for_update(of=JudgingSystem, key_share=True).execution_options(populate_existing=True)
    system: JudgingSystem | None = await session.scalar(query)
    return system
