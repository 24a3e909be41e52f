"""Benchmark: the app's long PDFs against bare WeasyPrint on the same HTML, one process and every core.

Builds the demo show (``concours demo``'s data) in a temporary SQLite file, takes the HTML of its long documents
the way the app makes it (every judge's packet, one part per judge; the results book; the windshield placards),
then, in the same run and on the same HTML:

- **bare**: ``weasyprint.HTML(string=html, base_url=static).write_pdf()`` in this process, one part after another;
- **app, 1 process**: the app's path (``concours.reports.pool``: parts rendered in the process pool, several
  parts joined with ``merge``), with ``CONCOURS_PDF_PROCESSES=1``;
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
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from concours.db import Event
from concours.db.engine import Database
from concours.db.migrate import upgrade
from concours.demo import MAIN_SLUG, PAST_SLUG, build_demo
from concours.reports import pool, render_html
from concours.reports.judge_packet import judge_packets_document
from concours.reports.placards import car_placards
from concours.reports.results_book import build as build_results_book
from concours.resources import resource_dir
from concours.settings import Settings


@dataclass
class Document:
    name: str
    parts: list[str]  # the HTML of each part, rendered separately and joined in order (as the app does)
    pages: int = 0


async def documents(settings: Settings, only: set[str]) -> list[Document]:
    db = Database.connect(settings.database_url)
    out: list[Document] = []
    try:
        async with db.read() as session:
            main = await session.scalar(select(Event).where(Event.slug == MAIN_SLUG))
            past = await session.scalar(select(Event).where(Event.slug == PAST_SLUG))
            assert main is not None and past is not None, "the demo is not in this database"
            if "packets" in only:
                packets = await judge_packets_document(session, settings, main, {})
                out.append(Document("judge packets (every judge)", packets.parts))
            if "book" in only:
                book = await build_results_book(session, settings, past, scores=True)
                out.append(Document("results book", [await asyncio.to_thread(render_html, book)]))
            if "placards" in only:
                placards = await car_placards(session, settings, main)
                out.append(Document("windshield placards", [await asyncio.to_thread(render_html, placards)]))
    finally:
        await db.dispose()
    return out


def bare(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(resource_dir("static"))).write_pdf()  # type: ignore[no-any-return]


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
        for part in doc.parts:
            bare(part)
    return Timing(time.perf_counter() - start, time.process_time() - cpu)


async def app_document(doc: Document) -> pool.RenderedPdf:
    """A document the app's way: its parts at once in the pool, then joined (a job's ``run_job``)."""
    rendered = await asyncio.gather(*(pool.pdf_in_pool(part) for part in doc.parts))
    return rendered[0] if len(rendered) == 1 else await pool.merge([r.pdf for r in rendered])


async def time_app(docs: list[Document], processes: int, repeat: int) -> Timing:
    """Every document through the pool of ``processes`` workers, one document after another."""
    os.environ["CONCOURS_PDF_PROCESSES"] = str(processes)
    pool.shutdown_pool()
    try:
        # Start the workers and let each render once (fonts, stylesheets): the app pays this once, not per PDF.
        warm = docs[0].parts[0]
        await asyncio.gather(*(pool.pdf_in_pool(warm) for _ in range(processes)))
        workers = list(pool.get_pool()._processes)  # noqa: SLF001 - the benchmark reads the workers' CPU time
        timings = []
        for _ in range(repeat):
            cpu, workers_cpu, start = time.process_time(), _cpu_of(workers), time.perf_counter()
            for doc in docs:
                result = await app_document(doc)
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
        bare(docs[0].parts[0])  # fonts and stylesheets loaded once in this process too
        for doc in docs:
            doc.pages = sum(len(PdfReader(io.BytesIO(bare(part))).pages) for part in doc.parts)
        pages = sum(d.pages for d in docs)
        for d in docs:
            kb = sum(len(p) for p in d.parts) / 1024
            print(f"  {d.name}: {d.pages} pages in {len(d.parts)} part(s), {kb:.0f} KB HTML")

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
