"""The PDF process pool: WeasyPrint runs in worker processes, one per core, never on the event loop.

Threads would share one interpreter lock with the web server (WeasyPrint is pure Python), so four PDF
requests used to run one after another. The pool is created on first use and shut down with the app
(:func:`shutdown_pool` in the lifespan). ``CONCOURS_PDF_PROCESSES`` sets its size (default: the cores).

Everything sent to a worker is plain data (HTML text, bytes), so the functions here are the whole
contract between the app and the workers.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from concours.resources import resource_dir

_pool: ProcessPoolExecutor | None = None
_ready: ProcessPoolExecutor | None = None  # the pool, once its workers are running
_users = 0  # apps using the pool (one process may hold several, e.g. in tests): the last one shuts it down
_lock = threading.Lock()


def pool_size() -> int:
    configured = os.environ.get("CONCOURS_PDF_PROCESSES", "")
    if configured.isdecimal() and 0 < int(configured) <= 64:
        return int(configured)
    return os.cpu_count() or 1


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    pages: int


def _warm_up() -> None:
    import weasyprint  # noqa: F401 - imported once per worker, not per document


# A QR code in a document is an image whose source names what it encodes (``qr_src``): the renderer draws it
# while rendering, in the worker. So the document's HTML stays small and hashable, and the seconds of pure Python
# that encoding hundreds of QR codes takes run in the pool, in parallel, never in the request.
QR_SCHEME = "qr:"


def qr_src(text: str) -> str:
    """An ``<img src>`` the renderer draws as the QR code of ``text`` (a PNG, so it can be read back)."""
    return QR_SCHEME + quote(text, safe="")


def qr_png(text: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def url_fetcher() -> Any:
    """WeasyPrint's URL fetcher, drawing ``qr:`` sources as QR codes (everything else as WeasyPrint does)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(QR_SCHEME):
                png = qr_png(unquote(url.removeprefix(QR_SCHEME)))
                return URLFetcherResponse(url, body=png, headers={"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return Fetcher()


_fonts = threading.local()


def font_config() -> Any:
    """WeasyPrint's font configuration, one per thread of a process: the shipped fonts' ``@font-face`` rules are
    loaded once, not parsed again for every document."""
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_fonts, "config", None) is None:
        _fonts.config = FontConfiguration()
    return _fonts.config


def html_to_pdf(html: str) -> RenderedPdf:
    """Render one HTML document (runs in a worker process; also callable in-process, e.g. by benchmarks)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(resource_dir("static")), url_fetcher=url_fetcher()).render(
        font_config=font_config()
    )
    return RenderedPdf(pdf=document.write_pdf(), pages=len(document.pages))


def merge_pdfs(parts: list[bytes], overlay: bytes | None = None) -> RenderedPdf:
    """Concatenate rendered parts in order into one PDF (runs in a worker process); ``overlay`` (as many pages
    as the parts have together, e.g. the running footer of a book numbered through) is stamped page by page."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    pages = len(writer.pages)
    if overlay is not None:
        stamps = PdfReader(io.BytesIO(overlay)).pages
        for page, stamp in zip(writer.pages, stamps, strict=False):
            page.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return RenderedPdf(pdf=out.getvalue(), pages=pages)


def get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # Not fork: the server process holds threads (database drivers). A fork server started once
            # with WeasyPrint imported forks each worker ready to render (importing it takes seconds).
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["concours.reports.pool", "weasyprint", "segno"])
            _pool = ProcessPoolExecutor(max_workers=pool_size(), mp_context=context, initializer=_warm_up)
        return _pool


def _worker_pid() -> int:
    return os.getpid()


def _start_workers() -> ProcessPoolExecutor:
    """Create the pool and start every worker, blocking (call it in a thread): starting the fork server
    imports WeasyPrint, seconds of work that must not stall the event loop."""
    global _ready
    pool = get_pool()
    for future in [pool.submit(_worker_pid) for _ in range(pool_size())]:
        future.result()
    with _lock:
        if _pool is pool:
            _ready = pool
    return pool


async def _running_pool() -> ProcessPoolExecutor:
    ready = _ready
    if ready is not None:
        return ready
    return await asyncio.to_thread(_start_workers)


def use_pool() -> None:
    """An app starts using the pool (its lifespan calls :func:`release_pool` when it stops)."""
    global _users
    with _lock:
        _users += 1


def release_pool() -> None:
    """An app stops using the pool; the last one shuts the worker processes down."""
    global _users
    with _lock:
        _users = max(0, _users - 1)
        last = _users == 0
    if last:
        shutdown_pool()


def shutdown_pool() -> None:
    global _pool, _ready
    with _lock:
        pool, _pool, _ready = _pool, None, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


async def pdf_in_pool(html: str) -> RenderedPdf:
    """Render one HTML document to PDF in the pool."""
    return await asyncio.get_running_loop().run_in_executor(await _running_pool(), html_to_pdf, html)


async def merge(parts: list[bytes], overlay: bytes | None = None) -> RenderedPdf:
    return await asyncio.get_running_loop().run_in_executor(await _running_pool(), merge_pdfs, parts, overlay)
