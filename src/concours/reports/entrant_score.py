"""The entrant's score report: their car's result and every submitted sheet with the judges' notes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry, Event
from concours.domain.awards import how_decided
from concours.domain.tabulation import place_name
from concours.i18n import N_, gettext, ngettext
from concours.reports import CertifiedStamp, Letterhead, Report, file_url, render_html
from concours.reports.certified import certified_text
from concours.services import branding, certificates, show_results
from concours.services.errors import ServiceError
from concours.services.feedback import Feedback, FeedbackLine, FeedbackSheet, entrant_feedback, event_feedback
from concours.services.jobs import JobDocument, register_kind
from concours.services.permissions import event_for_organizer
from concours.settings import Settings


@dataclass(frozen=True)
class EntrantScoreReport(Report):
    template: ClassVar[str] = "reports/entrant_score.html"
    letterhead: Letterhead
    fb: Feedback
    photo: str = ""  # the car's first photo as a file URL, or ""
    stamp: CertifiedStamp | None = None  # the class's certification: its code and a QR code to check it

    def filename(self) -> str:
        return f"score-report-car-{self.fb.car_number or 'entry'}.pdf"

    @classmethod
    def sample(cls) -> Self:
        """In the current language, as the services write it (the categories and notes are data)."""
        letterhead = Letterhead.sample()
        lines = [
            FeedbackLine("Exterior", "points", "27", "30", "", "Paint excellent; a chip on the left running board."),
            FeedbackLine("Interior", "points", "18", "20", "", "Leather correct for the year."),
            FeedbackLine("Authenticity", "deduction", "8.5", "10", "1.5", "Later carburettors."),
        ]
        return cls(
            letterhead,
            Feedback(
                letterhead.event_name,
                letterhead.date,
                letterhead.venue,
                "B",
                "Pre-war European Open",
                12,
                "1937 Talbot-Lago T150-C SS",
                "Ann Example",
                1,
                place_name(1),
                "91.5",
                ngettext("mean of %(num)s sheet", "mean of %(num)s sheets", 2),
                [
                    FeedbackSheet(
                        gettext("Judge %(n)s", n=1), "53.5", "60", "A superb car, beautifully presented.", lines
                    ),
                    FeedbackSheet(gettext("Judge %(n)s", n=2), "52", "60", "", lines),
                ],
                [f"Best of Show ({how_decided('ballot', '', 2, 0)})"],
            ),
            stamp=CertifiedStamp.sample(),
        )


def _in_language(fb: Feedback) -> Feedback:
    """The feedback with what the certified record says (kept in English) in the current language."""
    return replace(
        fb, award=certified_text(fb.award), combine=certified_text(fb.combine), no_award=certified_text(fb.no_award)
    )


async def _photos(session: AsyncSession, settings: Settings, feedback: list[Feedback]) -> dict[int, str]:
    ids = {fb.vehicle_id for fb in feedback if fb.vehicle_id is not None}
    return {vid: file_url(path) for vid, path in (await show_results.first_photos(session, settings, ids)).items()}


async def _stamps(
    session: AsyncSession, settings: Settings, feedback: list[Feedback]
) -> dict[int | None, CertifiedStamp]:
    """Each class's certification stamp, for the classes of these reports."""
    codes = await certificates.current_codes(session, sorted({fb.class_id for fb in feedback if fb.class_id}))
    return {class_id: CertifiedStamp.of(settings.base_url, code) for class_id, code in codes.items()}


async def entrant_score_report(
    session: AsyncSession, settings: Settings, entry: Entry, owner_name: str
) -> EntrantScoreReport:
    """The report for the entrant's own entry, with the car's photo (refused until the class's results are
    published)."""
    fb = _in_language(await entrant_feedback(session, entry, owner_name))
    letterhead = await branding.branded(session, entry.event_id, Letterhead(fb.event_name, fb.event_date, fb.venue))
    photo = (await _photos(session, settings, [fb])).get(fb.vehicle_id or 0, "")
    return EntrantScoreReport(letterhead, fb, photo, (await _stamps(session, settings, [fb])).get(fb.class_id))


async def score_reports_document(
    session: AsyncSession, settings: Settings, event: Event, params: dict[str, Any]
) -> JobDocument:
    """Every entrant's score report of the event in one PDF, in car-number order, as a job: one part per car
    (each numbered on its own, as it is handed to its owner)."""
    feedback = [_in_language(fb) for fb in await event_feedback(session, event)]
    if not feedback:
        raise ServiceError(gettext("There are no score reports yet: they are made from certified classes."))
    letterhead = await branding.letterhead(session, event)
    photo = await _photos(session, settings, feedback)
    stamps = await _stamps(session, settings, feedback)
    reports = [
        EntrantScoreReport(letterhead, fb, photo.get(fb.vehicle_id or 0, ""), stamps.get(fb.class_id))
        for fb in feedback
    ]
    parts = await anyio.to_thread.run_sync(lambda: [render_html(r) for r in reports])
    return JobDocument(f"{event.slug}-score-reports.pdf", parts)


SCORE_REPORTS = register_kind(
    "score_reports", N_("Score reports (every entrant)"), authorize=event_for_organizer, build=score_reports_document
)
