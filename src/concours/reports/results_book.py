"""The results book: one PDF of the show — a cover, the contents with page numbers, the special awards (Best of
Show first) with the winners' photos, then every certified class in class order with its places and, as the
event chooses, the scores; page numbers throughout. One HTML document, so the contents can point at pages."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, ClassVar

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.domain.states import results_public
from concours.domain.tabulation import place_name
from concours.i18n import N_, format_date, gettext
from concours.reports import CertifiedStamp, Letterhead, PageFooter, Report, file_url, long_date, render_html
from concours.reports.certified import certified_text
from concours.services import branding, certificates, show_results
from concours.services.errors import ServiceError
from concours.services.jobs import JobDocument, register_kind
from concours.services.permissions import event_for_organizer
from concours.settings import Settings


@dataclass(frozen=True)
class BookAward:
    award: str
    chosen_by: str
    car_number: int | None
    title: str
    coachbuilder: str
    owner: str
    photo: str  # a file URL, or ""


@dataclass(frozen=True)
class BookRow:
    rank: int | None
    award: str
    car_number: int | None
    title: str
    coachbuilder: str
    owner: str
    score: str
    note: str


@dataclass
class BookClass:
    code: str
    name: str
    rows: list[BookRow] = field(default_factory=list)  # filled while building; plain data once built
    winner_photo: str = ""
    winner_caption: str = ""
    stamp: CertifiedStamp | None = None  # the class's certification: its code and a QR code to check it
    judges: list[str] = field(default_factory=list)  # the judging team, where the event publishes the judges' names


@dataclass(frozen=True)
class ResultsBook(Report):
    template: ClassVar[str] = "reports/results_book.html"
    letterhead: Letterhead
    slug: str
    dates: str
    published: bool
    show_scores: bool
    awards: list[BookAward]
    classes: list[BookClass]
    # Printed as one document (a preview, the unit test) everything shows; a job prints it in parts:
    front: bool = True  # the cover, contents and special awards
    sections: bool = True  # a section per class
    numbered: bool = True  # the running footer with page numbers (a job stamps them over the joined book)
    class_pages: list[int] | None = None  # the page each class starts on, for the contents, when known

    def filename(self) -> str:
        return f"{self.slug}-results-book.pdf"

    @classmethod
    def sample(cls) -> ResultsBook:
        row = BookRow(
            1, place_name(1), 12, "1937 Talbot-Lago T150-C SS", "Figoni et Falaschi", "Ada Lovelace", "97.5", ""
        )
        return cls(
            Letterhead.sample(),
            "lakeside-2026",
            long_date(date(2026, 6, 14)),
            True,
            True,
            [
                BookAward(
                    "Best of Show",
                    gettext("chosen by %(who)s", who="the honorary judges"),
                    12,
                    row.title,
                    row.coachbuilder,
                    row.owner,
                    "",
                )
            ],
            [BookClass("C", "French Curves 1935–1939", [row], stamp=CertifiedStamp.sample())],
        )


def _dates(event: Event) -> str:
    if event.starts_on == event.ends_on:
        return format_date(event.starts_on)
    return gettext(
        "%(first)s – %(last)s", first=format_date(event.starts_on, "d MMMM"), last=format_date(event.ends_on)
    )


async def build(session: AsyncSession, settings: Settings, event: Event, *, scores: bool = True) -> ResultsBook:
    """The results book from the certified classes and decided special awards (``services/show_results.py``);
    scores only where asked and the event publishes them."""
    classes = await show_results.certified_classes(session, event)
    if not classes:
        raise ServiceError(gettext("The results book is made from certified results: certify a class first."))
    awards = await show_results.special_awards(session, event)
    winners = {car.vehicle_id for cls in classes for car in cls.cars if car.rank == 1 and car.award}
    photo = {
        vehicle_id: file_url(path)  # a missing file prints without the photo (WeasyPrint skips it)
        for vehicle_id, path in (
            await show_results.first_photos(
                session, settings, winners | {a.vehicle_id for a in awards if a.vehicle_id is not None}
            )
        ).items()
    }
    show_scores = scores and event.publish_scores
    codes = await certificates.current_codes(session, [cls.id for cls in classes])
    teams = await show_results.judging_teams(session, [cls.id for cls in classes]) if event.publish_judges else {}
    book_classes = []
    for cls in classes:
        bc = BookClass(cls.code, cls.name, judges=teams.get(cls.id, []))
        if cls.id in codes:
            bc.stamp = CertifiedStamp.of(settings.base_url, codes[cls.id])
        for car in cls.cars:
            bc.rows.append(
                BookRow(
                    car.rank,
                    certified_text(car.award),
                    car.car_number,
                    car.title,
                    car.coachbuilder,
                    car.owner,
                    car.score if show_scores else "",
                    certified_text(car.note),
                )
            )
            if car.rank == 1 and car.award and not bc.winner_photo and car.vehicle_id in photo:
                bc.winner_photo = photo[car.vehicle_id]
                bc.winner_caption = gettext("No. %(number)s %(title)s", number=car.car_number, title=car.title)
        book_classes.append(bc)
    book_awards = [
        BookAward(
            a.name,
            a.how,
            a.car_number,
            a.title,
            a.coachbuilder,
            a.owner,
            photo.get(a.vehicle_id, "") if a.vehicle_id is not None else "",
        )
        for a in awards
    ]
    return ResultsBook(
        await branding.letterhead(session, event),
        event.slug,
        _dates(event),
        results_public(event.status),
        show_scores,
        book_awards,
        book_classes,
    )


# -- as a job: the front (cover, contents, special awards) and each class render in parallel ---------------------


def _front(book: ResultsBook, pages: list[int]) -> str:
    """The cover, contents and special awards; the contents name the page each class starts on, from the page
    counts of the front and of every class part (in order)."""
    starts, page = [], pages[0] + 1
    for count in pages[1:]:
        starts.append(page)
        page += count
    return render_html(replace(book, sections=False, numbered=False, class_pages=starts))


def _page_footer(book: ResultsBook, pages: int) -> str:
    return render_html(PageFooter(book.letterhead, gettext("results"), pages))


def _parts(book: ResultsBook) -> list[str]:
    front = _front(book, [0] * (len(book.classes) + 1))
    return [front] + [render_html(replace(book, front=False, numbered=False, classes=[cls])) for cls in book.classes]


async def results_book_document(
    session: AsyncSession, settings: Settings, event: Event, params: dict[str, Any]
) -> JobDocument:
    """The results book as a job: the front and one part per class render in parallel, then the contents are
    rendered again with the pages the classes start on, and page numbers are stamped through the whole book."""
    book = await build(session, settings, event, scores=bool(params.get("scores")))
    parts = await anyio.to_thread.run_sync(_parts, book)
    return JobDocument(
        book.filename(),
        parts,
        renumber=functools.partial(_front, book),
        page_footer=functools.partial(_page_footer, book),
    )


RESULTS_BOOK = register_kind(
    "results_book", N_("Results book"), authorize=event_for_organizer, build=results_book_document
)
