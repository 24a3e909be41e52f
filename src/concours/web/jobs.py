"""Report jobs over HTTP: the progress page (htmx polling), the download, and starting a job from a controller."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ReportJob
from concours.db.engine import Database
from concours.services import jobs
from concours.services.permissions import Viewer
from concours.settings import Settings
from concours.web.common import pdf_response, redirect, render
from concours.web.dependencies import AppSettings, Db, Req, SignedIn

POLL_SECONDS = 1


async def start_job_redirect(
    request: Req,
    db: AsyncSession,
    settings: Settings,
    viewer: Viewer,
    event_id: int,
    kind: str,
    params: dict[str, Any] | None = None,
) -> Redirect:
    """Start a document job (see ``services/jobs.py``) and answer with a redirect to its progress page.

    The rendering runs after this request commits (a background task of the response)."""
    started = await jobs.start_job(db, settings, viewer, event_id, kind, params)
    response = redirect(f"/jobs/{started.job.id}")
    if started.pending is not None:
        database: Database = request.app.state.db
        response.background = BackgroundTask(jobs.run_job, database.write, started.pending)
    return response


def _view(job: ReportJob) -> dict[str, Any]:
    interrupted = jobs.is_interrupted(job)
    percent = 100 if job.status == jobs.DONE else int(100 * job.parts_done / job.parts_total) if job.parts_total else 0
    return {
        "job": job,
        "error": jobs.failure(job),
        "interrupted": interrupted,
        "percent": percent,
        "poll": job.status == jobs.RUNNING and not interrupted,
    }


class JobsController(Controller):
    path = "/jobs"

    @get("/{job_id:int}")
    async def page(self, request: Req, db: Db, viewer: SignedIn, job_id: FromPath[int]) -> Template:
        job = await jobs.job_for_viewer(db, viewer, job_id)
        return render(request, "jobs/job.html", poll_seconds=POLL_SECONDS, **_view(job))

    @get("/{job_id:int}/progress")
    async def progress(self, request: Req, db: Db, viewer: SignedIn, job_id: FromPath[int]) -> Template:
        job = await jobs.job_for_viewer(db, viewer, job_id)
        return render(request, "jobs/_progress.html", poll_seconds=POLL_SECONDS, **_view(job))

    @get("/{job_id:int}/document.pdf")
    async def download(self, db: Db, viewer: SignedIn, job_id: FromPath[int]) -> Response[bytes]:
        job = await jobs.job_for_viewer(db, viewer, job_id)
        document = await jobs.document_of(db, job)
        response = pdf_response(document.pdf, document.filename, download=True)
        response.headers["cache-control"] = "private, no-cache"
        return response

    @post("/{job_id:int}/again", media_type=MediaType.HTML)
    async def again(
        self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn, job_id: FromPath[int]
    ) -> Redirect:
        """Make the same document again (after a failure, an interruption, or a change of its data)."""
        job = await jobs.job_for_viewer(db, viewer, job_id)
        return await start_job_redirect(request, db, settings, viewer, job.event_id, job.kind, job.params)
