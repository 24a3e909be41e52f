"""Every report renders from its sample through the print base template, and the PDF reads back."""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
from dataclasses import fields, is_dataclass

import pytest
from pypdf import PdfReader

import concours.reports
from concours.reports import Report, render_html, render_pdf
from concours.resources import resource_dir
from concours.web.common import pdf_response

for _module in pkgutil.iter_modules(concours.reports.__path__):
    importlib.import_module(f"concours.reports.{_module.name}")


def _all_reports() -> list[type[Report]]:
    found: list[type[Report]] = []
    todo = list(Report.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


REPORTS = _all_reports()


def test_the_known_reports_are_found() -> None:
    names = {c.__name__ for c in REPORTS}
    assert {"ClassResultsReport", "EntrantScoreReport", "JudgePacket"} <= names


def _plain(value: object) -> None:
    """View models hold plain data only: dataclasses, lists, dicts and scalars, never ORM rows."""
    if isinstance(value, (str, int, float, bool, type(None))):
        return
    if isinstance(value, (list, tuple)):
        for v in value:
            _plain(v)
        return
    if isinstance(value, dict):
        for v in value.values():
            _plain(v)
        return
    assert is_dataclass(value) and not isinstance(value, type), f"not plain data: {value!r}"
    assert not hasattr(value, "_sa_instance_state"), f"an ORM row in a view model: {value!r}"
    for f in fields(value):
        _plain(getattr(value, f.name))


@pytest.mark.parametrize("report_class", REPORTS, ids=lambda c: c.__name__)
def test_each_report_renders_from_its_sample_and_reads_back(report_class: type[Report]) -> None:
    report = report_class.sample()
    _plain(report)
    html = render_html(report)
    pdf = render_pdf(html)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    name = report.letterhead.event_name
    # The letterhead opens the document and every page's footer names the event and counts the pages (where the
    # document has page numbers: a placard has none).
    assert name in reader.pages[0].extract_text()
    for n, page in enumerate(reader.pages, start=1):
        if report.page_numbers:
            assert f"{name} ·" in page.extract_text() and f"page {n} of {len(reader.pages)}" in page.extract_text()
        else:
            assert f"page {n}" not in page.extract_text()
    assert report.filename().endswith(".pdf")
    # The text is set in the font shipped with the app, embedded (a subset), whatever the machine has installed.
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get_object().get("/Font") or {}).values()
    }
    assert any(f.split("+")[-1].startswith("Open-Sans") for f in fonts), fonts
    # What the sample holds is what the reader sees (a few words of it, whatever the report).
    words = re.findall(r"[A-Z][a-z]{4,}", html.split("</style>", 1)[1])
    assert words and all(w in text for w in words[:10])


def test_entrant_score_report_shows_each_sheet_and_note() -> None:
    from concours.reports.entrant_score import EntrantScoreReport

    text = _text(EntrantScoreReport.sample())
    assert "Car #12 — 1937 Talbot-Lago T150-C SS" in text and "1st in class" in text
    assert "Judge 1 — 53.5 / 60" in text and "Judge 2 — 52 / 60" in text
    assert "8.5 / 10 (−1.5)" in text and "Later carburettors." in text


def test_class_results_report_explains_scores_and_says_provisional() -> None:
    from dataclasses import replace

    from concours.reports.class_results import ClassResultsReport

    sample = ClassResultsReport.sample()
    text = _text(sample)
    assert "Provisional: not certified" in text and "judge-a 92" in text and "Not judged: absent." in text
    certified = _text(replace(sample, certified="15 June 2026 16:30 CEST"))
    assert "Certified 15 June 2026 16:30 CEST" in certified and "Provisional" not in certified


def test_judge_packet_has_a_cover_then_a_sheet_per_car_with_its_link() -> None:
    from concours.reports.judge_packet import JudgePacket

    sample = JudgePacket.sample()
    reader = PdfReader(io.BytesIO(render_pdf(render_html(sample))))
    assert len(reader.pages) == 1 + 2
    assert "Judge packet — Jo Master" in reader.pages[0].extract_text()
    sheet = re.sub(r"\s", "", reader.pages[1].extract_text())
    page = " ".join(reader.pages[1].extract_text().split())
    assert "https://concours.example.org/judging/entries/1" in sheet
    # Each line says what to write: points given, or points taken off; and what to weigh.
    assert "Points 0 – 30" in page and "Deduct 0 – 10" in page and "Deduct for parts not correct for the car." in page
    assert "Write a note for the owner on every line" in page


def test_text_from_people_is_escaped_in_the_page_and_in_the_footer() -> None:
    from dataclasses import replace

    from concours.reports import Letterhead
    from concours.reports.class_results import ClassResultsReport

    report = replace(ClassResultsReport.sample(), letterhead=Letterhead('The "Lawn" <b>Show</b>', "1 May 2026"))
    html = render_html(report)
    assert "<b>Show</b>" not in html
    footer = PdfReader(io.BytesIO(render_pdf(html))).pages[0].extract_text()
    assert 'The "Lawn" <b>Show</b> · class B · page 1 of 1' in footer


def test_every_report_template_extends_the_print_base() -> None:
    folder = resource_dir("templates") / "reports"
    templates = [p for p in folder.glob("*.html") if not p.name.startswith("_")]
    assert templates
    for path in templates:
        assert '{% extends "reports/_print_base.html" %}' in path.read_text(), path.name
    assert {c.template for c in REPORTS} == {f"reports/{p.name}" for p in templates}


@pytest.mark.parametrize(
    ("filename", "download", "header"),
    [
        ("class-B-results.pdf", True, 'attachment; filename="class-B-results.pdf"'),
        ("judge-packet-lakeside-2026.pdf", False, 'inline; filename="judge-packet-lakeside-2026.pdf"'),
        ('class-"A";x=1.pdf', True, 'attachment; filename="class--A-x-1.pdf"'),
        ("\u00e9t\u00e9\r\n.pdf", False, 'inline; filename="t-.pdf"'),
    ],
)
def test_pdf_response_names_the_file_safely(filename: str, download: bool, header: str) -> None:
    response = pdf_response(b"%PDF-1.7", filename, download=download)
    assert response.media_type == "application/pdf"
    assert response.headers["content-disposition"] == header


def _text(report: Report) -> str:
    reader = PdfReader(io.BytesIO(render_pdf(render_html(report))))
    return "\n".join(page.extract_text() for page in reader.pages)


# -- in French: the language of the request the document is made for ------------------------------------------

# What each sample says in French (whitespace as the PDF reads back, runs of it made one space).
FRENCH = {
    "ClassResultsReport": [
        "Classe B — Pre-war European Open",
        "Provisoire : non certifiés",
        "1er de la classe",
        "moyenne de 3 feuilles : judge-a 92",
        "judge-c 91,5",
        "Rang",
        "Voiture",
        "Note",
        "Prix",
        "Comment la note a été obtenue",
        "14 juin 2026",
        "classe B · page 1 sur 1",
    ],
    "EntrantScoreReport": [
        "Rapport de notation",
        "Voiture n° 12 — 1937 Talbot-Lago",
        "Propriétaire : Ann Example",
        "Résultat : 1er de la classe",
        "Note 91,5 (moyenne de 2 feuilles)",
        "Juge 1 — 53,5 / 60",
        "8,5 / 10 (−1,5)",
        "Critère",
        "Commentaire du juge",
        "Prix spécial : Best of Show",
        "scrutin secret parmi les juges, après 1 tour de départage",
        "Résultats certifiés",
        "14 juin 2026",
        "rapport de notation · page 1 sur 1",
    ],
    "EmceeCards": [
        "Prix 1 sur 2",
        "Classe C, French Curves : 1er de la classe",
        "N° 12",
        "Carrosserie Figoni",
        "Présentée par Ada Lovelace",
        "n’annoncez pas son nom",
        "14 juin 2026",
        "page 2 sur 2",
    ],
    "JudgePacket": [
        "Dossier du juge — Jo Master",
        "Classe B — Pre-war European Open",
        "vous êtes chef d’équipe",
        "Votre équipe",
        "Vos voitures (2)",
        "Année",
        "Marque",
        "Emplacement sur le plateau",
        "Voiture n° 12 — Talbot-Lago T150-C SS de 1937",
        "Points 0 – 30",
        "Pénalité 0 – 10",
        "Commentaire général",
        "14 juin 2026",
        "dossier du juge · page 1 sur 3",
    ],
    "PageFooter": ["page 1 sur 3", "page 3 sur 3"],
    "PlacardSet": [
        "Carrosserie Figoni et Falaschi",
        "Classe C — French Curves",
        "Présentée par Ada Lovelace",
        "Scannez pour l’histoire de cette voiture",
        "Choisi par the honorary judges",
        "N° 12",
    ],
    "ResultsBook": [
        "Résultats",
        "14 juin 2026",
        "Résultats publiés",
        "Sommaire",
        "Prix spéciaux",
        "Classe C — French Curves 1935–1939",
        "Place",
        "Véhicule",
        "Propriétaire",
        "Note",
        "97,5",
        "1er de la classe",
        "Résultats certifiés",
        "résultats · page 1 sur 4",
    ],
    "VotingCodeSheet": ["Un vote par carte", "Scannez pour voter", "codes de vote, lot 1 · page 1 sur 1"],
}
# English a French reader must not meet (labels, the running footer, what the services write).
ENGLISH = re.compile(
    r"\b(?:Page|page \d+ of|Class|Score|Rank|Award|Judge|Car|Coachwork|Presented|Scan|Certified|Provisional|"
    r"Results|Contents|voting codes|in class|mean of|Category|Overall comment|June)\b"
)


def test_every_report_has_its_french_words_listed() -> None:
    assert set(FRENCH) == {c.__name__ for c in REPORTS}


@pytest.mark.parametrize("report_class", REPORTS, ids=lambda c: c.__name__)
def test_each_report_renders_in_french(report_class: type[Report]) -> None:
    from concours.i18n import using_locale

    with using_locale("fr"):
        report = report_class.sample()
        html = render_html(report)
    assert '<html lang="fr">' in html
    text = " ".join(_text_of(render_pdf(html)).split())
    missing = [words for words in FRENCH[report_class.__name__] if words not in text]
    assert not missing, (missing, text)
    assert not ENGLISH.findall(text), (ENGLISH.findall(text), text)


def test_the_request_language_reaches_the_thread_that_renders_the_html() -> None:
    """Report HTML renders in a worker thread (``anyio.to_thread.run_sync``): anyio copies the context variables,
    so the request's language, into it."""
    import anyio
    import anyio.to_thread

    from concours.i18n import current_locale, using_locale
    from concours.reports.class_results import ClassResultsReport

    async def render() -> tuple[str, str]:
        with using_locale("fr"):
            report = ClassResultsReport.sample()
            seen = await anyio.to_thread.run_sync(current_locale)
            return seen, await anyio.to_thread.run_sync(render_html, report)

    seen, html = anyio.run(render)
    assert seen == "fr" and "Provisoire : non certifiés" in html and "page %(page)s" not in html
    assert "Provisional" in render_html(ClassResultsReport.sample())  # and the caller's own context is English


def test_a_french_pdf_fits_its_pages() -> None:
    """The French words are longer: the documents keep their page count."""
    from concours.i18n import using_locale

    for report_class in REPORTS:
        english = len(PdfReader(io.BytesIO(render_pdf(render_html(report_class.sample())))).pages)
        with using_locale("fr"):
            french = len(PdfReader(io.BytesIO(render_pdf(render_html(report_class.sample())))).pages)
        assert french == english, report_class.__name__


def _text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
