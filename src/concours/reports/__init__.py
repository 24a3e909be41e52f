"""PDF reports: each document is a view model (plain dataclasses, a ``sample()`` for tests and previews) rendered
through one print base template (``templates/reports/_print_base.html``: page size, running footer, the event's
letterhead), then turned into PDF by WeasyPrint, always off the event loop.

To add a report: a frozen dataclass subclassing :class:`Report` with ``template``, ``filename()`` and ``sample()``,
a template that ``{% extends "reports/_print_base.html" %}``, and a builder that loads what it shows. The unit test
``tests/unit/test_reports.py`` renders every :class:`Report` subclass from its sample and reads the PDF back."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar, Self

import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, select_autoescape

from concours import i18n
from concours.db import Event
from concours.domain.certificate import grouped
from concours.reports.pool import RenderedPdf, html_to_pdf, pdf_in_pool, qr_src
from concours.resources import resource_dir

_env: Environment | None = None


def _environment() -> Environment:
    global _env
    if _env is None:
        env = Environment(loader=FileSystemLoader(resource_dir("templates")), autoescape=select_autoescape(["html"]))
        i18n.install_jinja(env)
        # A figure the services wrote with a decimal point ("92.5"), as the document's language writes it.
        env.filters["decimal"] = lambda text: i18n.localize_decimal(str(text))
        _env = env
    return _env


@dataclass(frozen=True)
class Letterhead:
    """The event's branding on every page of every report: its name, date and venue (the footer repeats them)."""

    event_name: str
    date: str
    venue: str = ""
    # The organizer's branding (services/branding.py): the logo as a data URI, the main and accent colours.
    logo: str = ""
    primary: str = ""
    accent: str = ""

    @classmethod
    def of(cls, event: Event) -> Letterhead:
        return cls(event.name, long_date(event.starts_on), event.venue)

    @classmethod
    def sample(cls) -> Letterhead:
        return cls("Lakeside Concours d'Elegance", long_date(date(2026, 6, 14)), "Villa Lawn, Lakeside")


@dataclass(frozen=True)
class CertifiedStamp:
    """What a document carrying certified results prints (``reports/_stamp.html``): the certification's code,
    grouped for reading, and a QR code to the public page that checks it against the record."""

    code: str  # grouped: 3F2A-91C0-77B1
    url: str
    qr: str  # the QR code for ``url`` as an image source

    @classmethod
    def of(cls, base_url: str, code: str) -> CertifiedStamp:
        url = f"{base_url.rstrip('/')}/verify/{code}"
        return cls(grouped(code), url, qr_src(url))

    @classmethod
    def sample(cls) -> CertifiedStamp:
        return cls.of("https://concours.example", "3f2a91c077b1")


def file_url(path: Path) -> str:
    """``path`` as a file URL for an image in a report (made absolute against the working folder, as the server
    runs); a missing file prints without the image (WeasyPrint skips it)."""
    return (path if path.is_absolute() else Path.cwd() / path).as_uri()  # noqa: ASYNC240 - no I/O


def long_date(day: date) -> str:
    """``14 June 2026`` / ``14 juin 2026``: in the language of the request the document is made for."""
    return i18n.format_date(day)


class Report:
    """A printable document's view model. Subclasses are frozen dataclasses holding only plain data."""

    template: ClassVar[str]
    # Every page's footer names the event and counts the pages, except where a document says otherwise (a
    # placard behind a windshield has no page number); the template leaves its ``page_footer`` block empty then.
    page_numbers: ClassVar[bool] = True
    letterhead: Letterhead

    def filename(self) -> str:
        raise NotImplementedError

    @classmethod
    def sample(cls) -> Self:
        """A realistic instance built from literals: what the unit test and a preview render."""
        raise NotImplementedError


@dataclass(frozen=True)
class PageFooter(Report):
    """Only the running footer ("event · label · page i of n") on ``pages`` blank pages: a document rendered in
    parts is numbered through by stamping this over the joined pages (``services/jobs.py``, ``page_footer``)."""

    template: ClassVar[str] = "reports/page_footer.html"
    letterhead: Letterhead
    label: str
    pages: int

    def filename(self) -> str:
        return "page-footer.pdf"

    @classmethod
    def sample(cls) -> Self:
        return cls(Letterhead.sample(), "results", 3)


def render_html(report: Report) -> str:
    """The report's HTML: its template with ``report`` as the only context, in the current language
    (:func:`concours.i18n.current_locale`: the request's, which ``anyio.to_thread.run_sync`` carries into the
    worker thread with the other context variables; a job renders in the language it was started in)."""
    return _environment().get_template(report.template).render(report=report)


def render_pdf(html: str) -> bytes:
    """HTML to PDF bytes. A plain function of plain data, so it can run in a worker thread or process."""
    return html_to_pdf(html).pdf


async def report_pdf(report: Report) -> bytes:
    """Render a report to PDF without blocking the event loop: the HTML in a thread, the PDF in the process pool
    (:mod:`concours.reports.pool`), or from the cache when the same HTML was rendered recently."""
    html = await anyio.to_thread.run_sync(render_html, report)
    return (await html_pdf(html)).pdf


# The same HTML gives the same PDF: recently rendered documents are kept, keyed by the HTML's hash, so a
# document is rendered again only when its data change. Long documents run as jobs (``services/jobs.py``).
CACHE_MAX_BYTES = 64 * 1024 * 1024
_cache: OrderedDict[str, RenderedPdf] = OrderedDict()
_cache_bytes = 0
_cache_lock = threading.Lock()


def html_key(*parts: str) -> str:
    """The content hash that names a document: the same HTML parts, the same PDF."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part.encode()).digest())
    return digest.hexdigest()


def _cached(key: str) -> RenderedPdf | None:
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
        return hit


def _remember(key: str, doc: RenderedPdf) -> None:
    global _cache_bytes
    if len(doc.pdf) > CACHE_MAX_BYTES // 4:
        return
    with _cache_lock:
        if key in _cache:
            return
        _cache[key] = doc
        _cache_bytes += len(doc.pdf)
        while _cache_bytes > CACHE_MAX_BYTES and _cache:
            _, old = _cache.popitem(last=False)
            _cache_bytes -= len(old.pdf)


async def html_pdf(html: str) -> RenderedPdf:
    """One HTML document as a PDF (in the pool), from the cache when the same HTML was rendered recently."""
    key = html_key(html)
    hit = _cached(key)
    if hit is not None:
        return hit
    doc = await pdf_in_pool(html)
    _remember(key, doc)
    return doc
