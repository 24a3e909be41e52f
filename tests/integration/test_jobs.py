"""Long documents as jobs: started by a post, rendered in the process pool after the request commits, progress
on a page, the PDF downloaded when done; the same data reuse the stored document, changed data render anew;
nobody else sees another person's job."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar.testing import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ReportDocument, ReportJob, Vehicle
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import post
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring


@contextmanager
def signed_in(settings: Settings, token: str) -> Iterator[TestClient[Any]]:
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, token)
        yield c


def seed(db_url: str, settings: Settings) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, judges=3, cars=4)

    return run_db(db_url, go)


def documents(db_url: str) -> int:
    async def go(session: AsyncSession) -> int:
        return await session.scalar(select(func.count()).select_from(ReportDocument)) or 0

    return run_db(db_url, go)


def start(org: TestClient[Any], event_id: int) -> str:
    r = post(org, f"/organizer/events/{event_id}/packets")
    assert r.status_code == 303, r.text
    assert re.fullmatch(r"/jobs/\d+", r.headers["location"])
    return str(r.headers["location"])


def test_judge_packets_run_as_a_job_and_are_reused_until_their_data_change(db_url: str, settings: Settings) -> None:
    s = seed(db_url, settings)
    with signed_in(settings, s.organizer_token) as org:
        job = start(org, s.event_id)
        page = org.get(job)
        assert page.status_code == 200 and "Judge packets" in page.text
        # Rendered in the background once the start committed: the page offers the download.
        assert "Download the PDF" in page.text and "3 judges" not in page.text
        assert "hx-trigger" not in page.text  # finished: no more polling
        pdf = org.get(f"{job}/document.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"].startswith("application/pdf")
        assert "judge-packets-" in pdf.headers["content-disposition"]
        reader = PdfReader(io.BytesIO(pdf.content))
        assert len(reader.pages) == 3 * (1 + 4)  # per judge: a cover and a sheet per car, joined in order
        firsts = [i for i, p in enumerate(reader.pages) if "Judge packet — " in p.extract_text()]
        assert firsts == [0, 5, 10]
        assert "Judge 0" in reader.pages[0].extract_text() and "Judge 2" in reader.pages[10].extract_text()
        assert documents(db_url) == 1

        # The same data: a new job, done at once with the stored document (same bytes).
        again = start(org, s.event_id)
        assert again != job
        assert org.get(f"{again}/document.pdf").content == pdf.content
        assert documents(db_url) == 1

        # The data change (a car's model): rendered anew; the old version is gone, its job says so.
        async def rename(session: AsyncSession) -> None:
            vehicle = (await session.scalars(select(Vehicle).order_by(Vehicle.id))).first()
            assert vehicle is not None
            vehicle.model = "Figoni et Falaschi teardrop"

        run_db(db_url, rename)
        fresh = start(org, s.event_id)
        text = "\n".join(
            p.extract_text() for p in PdfReader(io.BytesIO(org.get(f"{fresh}/document.pdf").content)).pages
        )
        assert "Figoni et Falaschi" in text
        assert documents(db_url) == 1
        old = org.get(job)
        assert "has changed since" in old.text and f'action="{job}/again"' in old.text
        assert org.get(f"{job}/document.pdf").status_code == 404
        remade = post(org, f"{job}/again")
        assert remade.status_code == 303 and org.get(remade.headers["location"] + "/document.pdf").status_code == 200

        # Another person (a judge of the event) cannot see the job, nor start one.
        with signed_in(settings, s.judge_tokens[1]) as judge:
            assert judge.get(job).status_code == 404
            assert judge.get(f"{job}/document.pdf").status_code == 404
            assert judge.get(f"{job}/progress").status_code == 404
            assert post(judge, f"{job}/again").status_code == 404
            assert post(judge, f"/organizer/events/{s.event_id}/packets").status_code == 403


def test_a_running_job_shows_its_progress_and_polls(db_url: str, settings: Settings) -> None:
    s = seed(db_url, settings)

    async def running(session: AsyncSession) -> int:
        from concours.db import utcnow

        user_id = await session.scalar(select(ReportJob.user_id).limit(1))
        job = ReportJob(
            event_id=s.event_id,
            user_id=user_id,
            kind="judge_packets",
            params={},
            title="Judge packets (every judge)",
            parts_total=4,
            parts_done=1,
            updated_at=utcnow(),
        )
        session.add(job)
        await session.flush()
        return job.id

    with signed_in(settings, s.organizer_token) as org:
        start(org, s.event_id)
        job_id = run_db(db_url, running)
        fragment = org.get(f"/jobs/{job_id}/progress").text
        assert 'hx-trigger="every 1s"' in fragment and "1 of 4 parts done" in fragment
        assert 'value="25"' in fragment
        assert org.get(f"/jobs/{job_id}/document.pdf").status_code == 404  # not ready yet
