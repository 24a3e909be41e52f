"""Benchmark: the app's long PDFs against bare WeasyPrint on the same HTML, one process and every core.

Builds the demo show (``concours demo``'s data) in a temporary SQLite file, takes the HTML of its long documents
the way the app's jobs make it (every judge's packet, one part per judge; the results book, its front and one part
per class; the windshield placards, one part per class),
then, in the same run and on the same HTML:

- **bare**: ``weasyprint.HTML(string=html, base_url=static, url_fetcher=...).write_pdf()`` in this process, one
  part after another (the app's fetcher draws the placards' ``qr:`` images);
- **app, 1 process**: the app's path, a job's ``services.jobs.render_document`` (the parts at once in the process
  pool of ``concours.reports.pool``, the book's front renumbered and its footer stamped, the parts joined), with
  ``CONCOURS_PDF_PROCESSES=1``;
- **app, N processes**: the same with one worker per core (or ``--processes``).

It prints pages/s for each, the app's pages/s per core against bare WeasyPrint's (goal ≥ 0.8), and the speed-up
from 1 process to N. Each figure is the best of ``--repeat`` runs (the machine may be shared). Worker start-up
(importing WeasyPrint) is not timed: the app starts its pool once, when it first renders.

    uv run python scripts/bench_pdf.py [--repeat 2] [--processes N] [--only packets,book,placards]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from concours.db import Event
from concours.db.engine import Database
from concours.db.migrate import upgrade
from concours.demo import MAIN_SLUG, PAST_SLUG, build_demo
from concours.reports import pool
from concours.reports.judge_packet import judge_packets_document
from concours.reports.placards import car_placards_document
from concours.reports.results_book import results_book_document
from concours.resources import resource_dir
from concours.services.jobs import JobDocument, render_document
from concours.settings import Settings


@dataclass
class Document:
    name: str
    job: JobDocument  # what the app's job renders: the parts, and for the book its renumbered front and footer
    pages: int = 0  # of the finished document
    html: list[str] = field(default_factory=list)  # every HTML document WeasyPrint renders to make it


async def documents(settings: Settings, only: set[str]) -> list[Document]:
    db = Database.connect(settings.database_url)
    out: list[Document] = []
    try:
        async with db.read() as session:
            main = await session.scalar(select(Event).where(Event.slug == MAIN_SLUG))
            past = await session.scalar(select(Event).where(Event.slug == PAST_SLUG))
            assert main is not None and past is not None, "the demo is not in this database"
            if "packets" in only:
                out.append(Document("judge packets", await judge_packets_document(session, settings, main, {})))
            if "book" in only:
                book = await results_book_document(session, settings, past, {"scores": "1"})
                out.append(Document("results book", book))
            if "placards" in only:
                out.append(Document("windshield placards", await car_placards_document(session, settings, main, {})))
    finally:
        await db.dispose()
    return out


def html_of(doc: Document) -> None:
    """Every HTML document WeasyPrint renders for ``doc`` (the parts; for a book numbered through, its front again
    with the pages the parts start on and the page footer of the whole), and the finished document's pages."""
    counts = [len(PdfReader(io.BytesIO(bare(part))).pages) for part in doc.job.parts]
    doc.html = list(doc.job.parts)
    if doc.job.renumber is not None:
        doc.html.append(doc.job.renumber(counts))
    doc.pages = sum(counts)
    if doc.job.page_footer is not None:
        doc.html.append(doc.job.page_footer(doc.pages))


def bare(html: str) -> bytes:
    """WeasyPrint alone on the document's HTML: the same base URL for the static files, and the same fetcher for
    the ``qr:`` image sources the placards name (drawing those QR codes is part of the document's work)."""
    from weasyprint import HTML

    return HTML(  # type: ignore[no-any-return]
        string=html, base_url=str(resource_dir("static")), url_fetcher=pool.url_fetcher()
    ).write_pdf()


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds on the clock
    cpu: float  # CPU seconds of every process that worked (this one and the pool's workers)


def best(timings: list[Timing]) -> Timing:
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


def _cpu_of(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes have used so far, from /proc (Linux)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def time_bare(docs: list[Document]) -> Timing:
    cpu, start = time.process_time(), time.perf_counter()
    for doc in docs:
        for html in doc.html:
            bare(html)
    return Timing(time.perf_counter() - start, time.process_time() - cpu)


async def time_app(docs: list[Document], processes: int, repeat: int) -> Timing:
    """Every document through the pool of ``processes`` workers, one document after another."""
    os.environ["CONCOURS_PDF_PROCESSES"] = str(processes)
    pool.shutdown_pool()
    try:
        # Start the workers and let each render once (fonts, stylesheets): the app pays this once, not per PDF.
        warm = docs[0].job.parts[0]
        await asyncio.gather(*(pool.pdf_in_pool(warm) for _ in range(processes)))
        workers = list(pool.get_pool()._processes)  # noqa: SLF001 - the benchmark reads the workers' CPU time
        timings = []
        for _ in range(repeat):
            cpu, workers_cpu, start = time.process_time(), _cpu_of(workers), time.perf_counter()
            for doc in docs:
                result = await render_document(doc.job)
                assert result.pages == doc.pages, (doc.name, result.pages, doc.pages)
            wall = time.perf_counter() - start
            timings.append(Timing(wall, time.process_time() - cpu + _cpu_of(workers) - workers_cpu))
        return best(timings)
    finally:
        pool.shutdown_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each path; the best is kept")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="workers for the 'all cores' run")
    parser.add_argument("--only", default="packets,book,placards", help="which documents (comma-separated)")
    args = parser.parse_args()
    only = set(args.only.split(","))

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(
            database_url=url,
            secret_key="bench-pdf-" + "x" * 40,
            environment="test",
            media_dir=Path(tmp) / "media",
            base_url="https://concours.example",
        )
        print("building the demo show…", flush=True)
        upgrade(url)
        asyncio.run(build_demo(settings))
        docs = asyncio.run(documents(settings, only))
        bare(docs[0].job.parts[0])  # fonts and stylesheets loaded once in this process too
        for doc in docs:
            html_of(doc)
        pages = sum(d.pages for d in docs)
        for d in docs:
            kb = sum(len(p) for p in d.html) / 1024
            print(f"  {d.name}: {d.pages} pages; {len(d.job.parts)} part(s), {len(d.html)} HTML documents, {kb:.0f} KB")

        n = args.processes
        t_bare = best([time_bare(docs) for _ in range(args.repeat)])
        t_one = asyncio.run(time_app(docs, 1, args.repeat))
        t_all = asyncio.run(time_app(docs, n, args.repeat))
        load = os.getloadavg()[0]
        print(f"\n{pages} pages, best of {args.repeat}; cores: {os.cpu_count()}, load average {load:.2f}")
        print("                                          wall         pages/s   CPU s   pages per CPU s")
        for label, t in (
            ("bare WeasyPrint, 1 process, sequential", t_bare),
            ("app (process pool), 1 process", t_one),
            (f"app (process pool), {n} processes", t_all),
        ):
            print(f"  {label:<40}{t.wall:6.2f} s  {pages / t.wall:6.1f}  {t.cpu:7.2f}   {pages / t.cpu:6.1f}")
        per_core_one = t_bare.wall / t_one.wall
        per_core_all = t_bare.wall / t_all.wall / n
        print(f"  app ÷ bare per core (wall): 1 process {per_core_one:.2f}, {n} processes {per_core_all:.2f}")
        cpu_one, cpu_all = t_bare.cpu / t_one.cpu, t_bare.cpu / t_all.cpu
        print(f"  app ÷ bare per CPU second: 1 process {cpu_one:.2f}, {n} processes {cpu_all:.2f}")
        print(f"  speed-up 1 → {n} processes: ×{t_one.wall / t_all.wall:.2f} (at most ×{n})")
        if load > (os.cpu_count() or 1) / 2:
            print("  the machine is busy (load above half the cores): the wall-clock figures are not reliable;")
            print("  pages per CPU second still compare the paths' own costs")


if __name__ == "__main__":
    main()
