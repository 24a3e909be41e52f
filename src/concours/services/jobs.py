"""Report jobs: long documents (every judge's packet, the results book, all placards) rendered in the background.

How to add a document that runs as a job (the whole API):

1. Register its kind once, at import time of the module that builds it::

       register_kind("results_book", "Results book", authorize=event_for_organizer, build=build_results_book)

   ``authorize(session, viewer, event_id) -> Event`` is a permission loader from ``services/permissions.py``
   (it raises NotFound/Forbidden); ``build(session, settings, event, params) -> JobDocument`` loads the data
   and returns the document's HTML as *parts* (complete HTML documents, e.g. one per judge or per class):
   parts render in parallel on every core and are joined in order, and progress is counted in parts.
2. In a controller, start it and send the person to its progress page::

       return await start_job_redirect(request, db, settings, viewer, event_id, "results_book", {"scores": True})

   (``web/jobs.py``). The page ``/jobs/{id}`` shows progress (htmx polling) and the download when done.

A job speaks the language of the person who starts it: :func:`start_job` records it in the job's params
(``"lang"``, unless the params already name one, as when a job is made again) and builds and renders the
document in it, so the French and the English copies are two documents (two scopes).

The finished PDF is stored as a :class:`ReportDocument` named by the hash of its HTML: asking again for a
document whose data have not changed answers at once with the stored one; a change to the data gives new HTML,
so a new render (and older versions of the same document are deleted).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio.to_thread
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from concours.db import Event, ReportDocument, ReportJob, utcnow
from concours.i18n import N_, current_locale, format_datetime, gettext, using_locale
from concours.reports import html_key
from concours.reports.pool import RenderedPdf, merge, pdf_in_pool
from concours.services.errors import NotFound, ServiceError
from concours.services.permissions import Viewer
from concours.settings import Settings

log = logging.getLogger("concours.jobs")

RUNNING, DONE, FAILED = "running", "done", "failed"
# A running job touches ``updated_at`` at least this often; one untouched for STALE_AFTER was interrupted.
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=60)
KEEP_FINISHED = timedelta(days=7)


@dataclass(frozen=True)
class JobDocument:
    """What a kind builds: the file name and the HTML parts, rendered in parallel and joined in order.

    A book numbered through (the results book) also gives ``renumber``: from every part's page count, the first
    part's HTML again (its contents can then name the page each later part starts on), rendered once more in its
    place; and ``page_footer``: from the whole book's page count, a document of that many pages carrying only the
    running footer ("page i of n"), stamped over the joined pages (the parts print no footer of their own)."""

    filename: str
    parts: list[str]
    renumber: Callable[[list[int]], str] | None = None
    page_footer: Callable[[int], str] | None = None

    @property
    def steps(self) -> int:
        """What progress counts: the parts, and the renumbered first part."""
        return len(self.parts) + (1 if self.renumber else 0)


Authorize = Callable[[AsyncSession, Viewer, int], Awaitable[Event]]
Build = Callable[[AsyncSession, Settings, Event, dict[str, Any]], Awaitable[JobDocument]]


@dataclass(frozen=True)
class JobKind:
    name: str
    title: str
    authorize: Authorize
    build: Build


KINDS: dict[str, JobKind] = {}


def register_kind(name: str, title: str, *, authorize: Authorize, build: Build) -> JobKind:
    kind = JobKind(name=name, title=title, authorize=authorize, build=build)
    KINDS[name] = kind
    return kind


@dataclass
class PendingRender:
    """A job to render after the request that started it has committed (run by :func:`run_job`)."""

    job_id: int
    event_id: int
    scope: str
    content_hash: str
    filename: str
    parts: list[str] = field(repr=False)
    renumber: Callable[[list[int]], str] | None = field(default=None, repr=False)
    page_footer: Callable[[int], str] | None = field(default=None, repr=False)
    locale: str = "en"  # the language the document is written in (its renumbered contents and page footer too)


@dataclass
class StartedJob:
    job: ReportJob
    pending: PendingRender | None  # None: the same document was already rendered, the job is done


def scope_of(kind: str, params: dict[str, Any]) -> str:
    return f"{kind}:{json.dumps(params, sort_keys=True, separators=(',', ':'))}"[:200]


def with_language(params: dict[str, Any] | None) -> dict[str, Any]:
    """``params`` naming the language the document is written in: the one they name (a job made again keeps
    its language), else the current request's."""
    out = dict(params or {})
    out["lang"] = out.get("lang") or current_locale()
    return out


async def start_job(
    session: AsyncSession,
    settings: Settings,
    viewer: Viewer,
    event_id: int,
    kind_name: str,
    params: dict[str, Any] | None = None,
) -> StartedJob:
    """Authorize, build the document's HTML, and record a job: done at once when this HTML was rendered before.

    Steps: authorize (the kind's permission loader) → build the HTML parts → look the document up by hash →
    insert the job (done, or running with a :class:`PendingRender` for the caller to run after commit)."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise NotFound(gettext("There is no such document."))
    params = with_language(params)
    event = await kind.authorize(session, viewer, event_id)
    with using_locale(params["lang"]):
        document = await kind.build(session, settings, event, params)
    scope = scope_of(kind.name, params)
    content_hash = html_key(*document.parts)
    now = utcnow()
    await session.execute(
        delete(ReportJob).where(
            ReportJob.user_id == viewer.user_id, ReportJob.status != RUNNING, ReportJob.created_at < now - KEEP_FINISHED
        )
    )
    stored = (
        await session.execute(
            select(ReportDocument.id, ReportDocument.pages).where(
                ReportDocument.event_id == event.id,
                ReportDocument.scope == scope,
                ReportDocument.content_hash == content_hash,
            )
        )
    ).first()
    job = ReportJob(
        event_id=event.id,
        user_id=viewer.user_id,
        kind=kind.name,
        params=params,
        title=kind.title,
        parts_total=document.steps,
        updated_at=now,
    )
    if stored is not None:
        job.status, job.parts_done, job.pages, job.document_id, job.finished_at = (
            DONE,
            job.parts_total,
            stored.pages,
            stored.id,
            now,
        )
    session.add(job)
    await session.flush()
    if stored is not None:
        return StartedJob(job, None)
    return StartedJob(
        job,
        PendingRender(
            job.id,
            event.id,
            scope,
            content_hash,
            document.filename,
            list(document.parts),
            document.renumber,
            document.page_footer,
            params["lang"],
        ),
    )


@dataclass(frozen=True)
class Copy:
    """What a documents page says about one document: its stored copy, if any, and whether today's data would
    give the same document (then asking for it answers at once with that copy)."""

    kind: str
    params: dict[str, Any]
    title: str
    made_at: datetime | None  # the stored copy, if there is one
    made: str  # when, in the event's time zone ("12 June 14:05")
    pages: int
    current: bool
    problem: str  # why the document cannot be made now (e.g. nothing certified yet), or ""


def _local(moment: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return format_datetime(aware.astimezone(zone), "d MMMM HH:mm")


async def copies(
    session: AsyncSession,
    settings: Settings,
    viewer: Viewer,
    event_id: int,
    wanted: list[tuple[str, dict[str, Any]]],
) -> list[Copy]:
    """For each (kind, params): the stored copy and whether it is current, found by building the document's HTML
    (as starting it would) and comparing its hash with the stored one's (one query for all the stored copies)."""
    wanted = [(kind, with_language(params)) for kind, params in wanted]
    scopes = [scope_of(kind, params) for kind, params in wanted]
    stored = {
        row.scope: row
        for row in (
            await session.execute(
                select(
                    ReportDocument.scope, ReportDocument.content_hash, ReportDocument.pages, ReportDocument.created_at
                ).where(ReportDocument.event_id == event_id, ReportDocument.scope.in_(scopes))
            )
        ).all()
    }
    out = []
    for (kind_name, params), scope in zip(wanted, scopes, strict=True):
        kind = KINDS[kind_name]
        event = await kind.authorize(session, viewer, event_id)
        row = stored.get(scope)
        problem, content_hash = "", ""
        try:
            with using_locale(params["lang"]):
                content_hash = html_key(*(await kind.build(session, settings, event, dict(params))).parts)
        except ServiceError as exc:
            problem = exc.message
        out.append(
            Copy(
                kind_name,
                params,
                kind.title,
                row.created_at if row else None,
                _local(row.created_at, event.timezone) if row else "",
                row.pages if row else 0,
                bool(row and row.content_hash == content_hash),
                problem,
            )
        )
    return out


async def job_for_viewer(session: AsyncSession, viewer: Viewer, job_id: int) -> ReportJob:
    """The job, if the viewer started it (anyone else: 404, as for other private objects)."""
    job = await session.get(ReportJob, job_id)
    if job is None or job.user_id != viewer.user_id:
        raise NotFound(gettext("There is no such document."))
    return job


RENDER_FAILED = N_("The document could not be rendered (%(reason)s).")
_RENDER_FAILED = re.compile(r"The document could not be rendered \((\w+)\)\.")


def failure(job: ReportJob) -> str:
    """Why the job failed, in the reader's language (the record keeps it in English)."""
    found = _RENDER_FAILED.fullmatch(job.error or "")
    return gettext(RENDER_FAILED, reason=found[1]) if found else job.error or ""


def is_interrupted(job: ReportJob) -> bool:
    return job.status == RUNNING and utcnow() - job.updated_at > STALE_AFTER


async def document_of(session: AsyncSession, job: ReportJob) -> ReportDocument:
    if job.status != DONE or job.document_id is None:
        raise NotFound(gettext("This document is not ready, or has changed since: make it again."))
    document = await session.get(ReportDocument, job.document_id)
    if document is None:
        raise NotFound(gettext("This document has changed since: make it again."))
    return document


async def _touch(sessions: async_sessionmaker[AsyncSession], job_id: int, **values: Any) -> None:
    async with sessions() as session:
        await session.execute(update(ReportJob).where(ReportJob.id == job_id).values(updated_at=utcnow(), **values))
        await session.commit()


async def _renumbered(renumber: Callable[[list[int]], str], rendered: list[RenderedPdf]) -> RenderedPdf:
    """The first part rendered again from every part's page count. Should the new numbers change its own length
    (they should not: only digits change), it is rendered once more with its new length."""
    counts = [r.pages for r in rendered]
    first = rendered[0]
    for _ in range(2):
        first = await pdf_in_pool(await anyio.to_thread.run_sync(renumber, counts))
        if first.pages == counts[0]:
            break
        counts[0] = first.pages
    return first


async def render_document(
    document: JobDocument, progress: Callable[[int], Awaitable[None]] | None = None
) -> RenderedPdf:
    """A job's document rendered as a job renders it, without the database: every part at once in the pool (one
    per core at a time), the first part renumbered, the page footer stamped, the parts joined. ``progress`` is
    awaited with the steps done as parts finish, and at least every HEARTBEAT_SECONDS (``scripts/bench_pdf.py``
    times this path against bare WeasyPrint)."""
    tasks = [asyncio.ensure_future(pdf_in_pool(part)) for part in document.parts]
    try:
        done_count = 0
        waiting: set[asyncio.Future[Any]] = set(tasks)
        while waiting:
            finished, waiting = await asyncio.wait(
                waiting, timeout=HEARTBEAT_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            for task in finished:
                task.result()  # a failed part fails the document
            done_count += len(finished)
            if progress is not None:
                await progress(done_count)
        rendered = [t.result() for t in tasks]
        if document.renumber is not None:
            rendered[0] = await _renumbered(document.renumber, rendered)
            if progress is not None:
                await progress(done_count + 1)
        overlay = None
        if document.page_footer is not None:
            footer = await anyio.to_thread.run_sync(document.page_footer, sum(r.pages for r in rendered))
            overlay = (await pdf_in_pool(footer)).pdf
        if len(rendered) == 1 and overlay is None:
            return rendered[0]
        return await merge([r.pdf for r in rendered], overlay)
    finally:
        for task in tasks:
            task.cancel()  # when a part failed, the others are not waited for


async def run_job(sessions: async_sessionmaker[AsyncSession], pending: PendingRender) -> None:
    """Render the parts on every core, join them, store the document and mark the job done (or failed).

    Runs after the request that started the job has committed (a background task); ``sessions`` is the
    app's write session factory. Progress is written as parts finish, at least every HEARTBEAT_SECONDS."""

    async def progress(done: int) -> None:
        await _touch(sessions, pending.job_id, parts_done=done)

    try:
        parts = JobDocument(pending.filename, pending.parts, pending.renumber, pending.page_footer)
        with using_locale(pending.locale):  # the contents and footer rendered now speak the job's language
            whole = await render_document(parts, progress)
        async with sessions() as session:
            document = ReportDocument(
                event_id=pending.event_id,
                scope=pending.scope,
                content_hash=pending.content_hash,
                filename=pending.filename,
                pages=whole.pages,
                pdf=whole.pdf,
            )
            session.add(document)
            await session.flush()
            await session.execute(
                delete(ReportDocument).where(
                    ReportDocument.event_id == pending.event_id,
                    ReportDocument.scope == pending.scope,
                    ReportDocument.id != document.id,
                )
            )
            await session.execute(
                update(ReportJob)
                .where(ReportJob.id == pending.job_id)
                .values(
                    status=DONE,
                    document_id=document.id,
                    pages=whole.pages,
                    parts_done=parts.steps,
                    updated_at=utcnow(),
                    finished_at=utcnow(),
                )
            )
            await session.commit()
    except Exception as exc:  # the job records why; the server keeps running
        log.exception("report job %s failed", pending.job_id)
        await _touch(
            sessions,
            pending.job_id,
            status=FAILED,
            error=RENDER_FAILED % {"reason": type(exc).__name__},  # English in the record, translated when shown
            finished_at=utcnow(),
        )
