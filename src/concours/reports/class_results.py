"""Class results: the ranked cars of one class with how each score was reached, provisional until certified."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entrant, Entry, Event, EventClass
from concours.domain.tabulation import place_name
from concours.i18n import format_date, gettext, localize_decimal, ngettext
from concours.reports import CertifiedStamp, Letterhead, Report
from concours.services import branding, certificates, show_results
from concours.services.class_systems import judging_of
from concours.services.results import RankingRow, class_ranking


@dataclass(frozen=True)
class ResultLine:
    rank: str
    car_number: str
    title: str
    owner: str
    score: str
    award: str
    how: str
    notes: list[str]


@dataclass(frozen=True)
class ClassResultsReport(Report):
    template: ClassVar[str] = "reports/class_results.html"
    letterhead: Letterhead
    class_code: str
    class_name: str
    certified: str  # when the class was certified, in the event's timezone; "" while provisional
    lines: list[ResultLine]
    placings: bool = False  # judged by placings: places and how each was given, no score
    public: bool = False  # for posting: no judges' names, no sheet-by-sheet figures
    scores: bool = True  # the score column (a public copy follows the event's choice to publish scores)
    stamp: CertifiedStamp | None = None  # certified: the code and QR code to check the copy against the record
    judges: tuple[str, ...] = ()  # the class's judging team: on a public copy only where the event publishes names

    def filename(self) -> str:
        return f"class-{self.class_code}-results{'-public' if self.public else ''}.pdf"

    @classmethod
    def sample(cls) -> Self:
        """In the current language, as the services write it (the judges' and the cars' names are data)."""
        mean = ngettext("mean of %(num)s sheet", "mean of %(num)s sheets", 3)
        return cls(
            Letterhead.sample(),
            "B",
            "Pre-war European Open",
            "",
            [
                ResultLine(
                    "1",
                    "12",
                    "1937 Talbot-Lago T150-C SS",
                    "Ann Example",
                    "91.5",
                    place_name(1),
                    _how(mean, [("judge-a", "92"), ("judge-b", "91"), ("judge-c", "91.5")]),
                    [],
                ),
                ResultLine(
                    "2",
                    "14",
                    "1938 Delahaye 135M",
                    "Ben Sample",
                    "88",
                    place_name(2),
                    _how(mean, [("judge-a", "88"), ("judge-b", "87"), ("judge-c", "89")]),
                    [gettext("tie on score broken by category order (%(keys)s)", keys="Authenticity")],
                ),
                ResultLine(
                    "—",
                    "15",
                    "1936 Bugatti Type 57",
                    "Cy Owner",
                    "—",
                    "",
                    gettext("no submitted sheet"),
                    ["Not judged: absent."],
                ),
            ],
        )


def _how(note: str, sheets: list[tuple[str, str]]) -> str:
    """How a score was reached: the combination, then each judge's total (``mean of 3 sheets: judge-a 92; ...``)."""
    given = "; ".join(f"{judge} {localize_decimal(total)}" for judge, total in sheets)
    return gettext("%(note)s: %(sheets)s", note=note, sheets=given)


def _when(event: Event, cls: EventClass) -> str:
    if cls.certified_at is None:
        return ""
    try:
        zone = ZoneInfo(event.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    moment = cls.certified_at.astimezone(zone)
    return f"{format_date(moment)} {moment.strftime('%H:%M %Z')}"


def _line(row: RankingRow, placings: bool = False, public: bool = False) -> ResultLine:
    r = row.result
    if placings:  # the places each judge gave, no Borda points: a placings class shows no numbers
        if public:
            how = ngettext("Placed by %(num)s judge", "Placed by %(num)s judges", len(row.sheets)) if row.sheets else ""
        elif row.sheets:
            given = "; ".join(gettext("%(place)s by %(judges)s", place=s.total, judges=s.judge) for s in row.sheets)
            how = gettext("Placed %(given)s", given=given)
        else:
            how = gettext("On no order")
        return ResultLine(
            str(r.rank) if r.rank else "—",
            str(row.car_number) if row.car_number is not None else "—",
            row.title,
            row.owner,
            "",
            r.award,
            how,
            [
                n
                for n in (
                    (_no_award(r.no_award) if r.no_award and not r.unresolved_tie else r.ineligible),
                    r.tie_note,
                )
                if n
            ],
        )
    sheets = "; ".join(
        f"{s.judge}{f' ({s.section})' if s.section else ''} "
        + (localize_decimal(s.total) if s.counted else gettext("%(total)s dropped", total=localize_decimal(s.total)))
        for s in row.sheets
    )
    how = (
        gettext("%(note)s: %(sheets)s", note=r.combine_note, sheets=sheets) if sheets and not public else r.combine_note
    )
    return ResultLine(
        str(r.rank) if r.rank else "—",
        str(row.car_number) if row.car_number is not None else "—",
        row.title,
        row.owner,
        row.score_text,
        r.award,
        how,
        [
            n
            for n in (
                gettext("Track: %(track)s", track=r.track) if r.track else "",
                (_no_award(r.no_award) if r.no_award and not r.unresolved_tie else r.ineligible),
                r.tie_note,
            )
            if n
        ],
    )


def _no_award(why: str) -> str:
    return gettext("No award — %(why)s", why=why)


def results_of(
    event: Event, cls: EventClass, rows: list[RankingRow], *, placings: bool = False, public: bool = False
) -> ClassResultsReport:
    """The class's results; ``public`` for posting on the board or handing to the press: how each score was reached
    without judges' names or per-judge totals, and scores only where the event publishes them."""
    return ClassResultsReport(
        Letterhead.of(event),
        cls.code,
        cls.name,
        _when(event, cls),
        [_line(r, placings, public) for r in rows],
        placings,
        public,
        not public or bool(event.publish_scores),
    )


async def class_results_report(
    session: AsyncSession, event: Event, cls: EventClass, *, public: bool = False, base_url: str = ""
) -> ClassResultsReport:
    """The class's results; once certified, stamped with the certification's code and a QR code to the
    verification page at ``base_url``."""
    rows, _ = await class_ranking(session, event, cls)
    judging = await judging_of(session, event, cls)
    if public:  # owners who asked not to be named are not named on a posted copy
        private = set(
            (
                await session.scalars(
                    select(Entry.id)
                    .join(Entrant, Entrant.id == Entry.entrant_id)
                    .where(Entry.class_id == cls.id, Entrant.publish_name.is_(False))
                )
            ).all()
        )
        rows = [replace(r, owner="") if r.entry_id in private else r for r in rows]
    report = results_of(event, cls, rows, placings=judging.method == "placings", public=public)
    if not public or event.publish_judges:
        report = replace(report, judges=tuple((await show_results.judging_teams(session, [cls.id])).get(cls.id, [])))
    code = (await certificates.current_codes(session, [cls.id])).get(cls.id) if cls.certified_at else None
    stamp = CertifiedStamp.of(base_url, code) if code else None
    return replace(report, letterhead=await branding.letterhead(session, event), stamp=stamp)
