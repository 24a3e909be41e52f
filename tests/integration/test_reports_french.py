"""PDFs in the language of the request that asks for them: a class's results and an entrant's score report
downloaded with ``Accept-Language: fr`` read back in French (labels, what the services explain, numbers and
dates the French way), the English copies as before; the certified record stays in English whoever certifies;
a document made as a job is written in the language of the person who started it, also when made again."""

from __future__ import annotations

import io
import re
from typing import Any

from litestar.testing import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassResult, ReportJob
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import htmx_post, make_document, pdf_pages_text, post, stored_copies
from tests.scenes import SESSION_COOKIE, Scene, Show

FRENCH = {"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"}
ENGLISH_LABELS = re.compile(
    r"\b(?:Page|page \d+ of|Class(?! name)|Score|Rank|Award|Judge|Car|Provisional|Certified|in class)\b"
)


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_class_results_and_score_report_in_french(scene: Scene, client: TestClient[Any], db_url: str) -> None:
    judge = scene.as_user("judge-a@example.com")
    entry = scene.entries[0]
    for n, cid in enumerate(scene.category_ids(judge, entry)):
        htmx_post(judge, f"/judging/entries/{entry}/lines/{cid}", {"value": "1", "change_id": f"p{n}"})
    assert post(judge, f"/judging/entries/{entry}/submit").status_code == 303

    url = f"/organizer/classes/{scene.class_a}/results.pdf"
    pdf = client.get(url, headers=FRENCH)
    assert pdf.status_code == 200 and pdf.headers["content-language"] == "fr"
    text = _text(pdf.content)
    assert "Classe C — French Curves 1935-1939" in text and "Provisoire : non certifiés" in text
    assert "1er de la classe" in text and "moyenne de 1 feuille : judge-a 78" in text
    assert "Comment la note a été obtenue" in text and "classe C · page 1 sur 1" in text
    assert not ENGLISH_LABELS.findall(text), text
    english = _text(client.get(url).content)
    assert "Provisional: not certified" in english and "1st in class" in english and "page 1 of 1" in english

    # Certified from a French page: the record (hashed, verified later) keeps its words in English.
    assert post(client, f"/organizer/classes/{scene.class_a}/certify", headers=FRENCH).status_code == 303
    assert post(client, f"/organizer/events/{scene.event_id}/publish").status_code == 303

    async def record(session: AsyncSession) -> ClassResult:
        return (await session.scalars(select(ClassResult).where(ClassResult.entry_id == entry))).one()

    frozen = run_db(db_url, record)
    assert frozen.award == "1st in class" and frozen.explanation["combine"] == "mean of 1 sheet"
    text = _text(client.get(url, headers=FRENCH).content)
    assert re.search(r"Certifiés le \d{1,2} \w+ 20\d\d \d\d:\d\d", text), text

    owner = scene.as_user("ann@example.com")
    report = owner.get(f"/my/entries/{entry}/report.pdf", headers=FRENCH)
    assert report.status_code == 200 and report.headers["content-type"] == "application/pdf"
    text = _text(report.content)
    assert "Rapport de notation" in text and "Propriétaire : Owner 0" in text and "Classe C — French Curves" in text
    assert "Résultat : 1er de la classe" in text and "(moyenne de 1 feuille)" in text
    assert "Critère" in text and "Juge 1 —" in text and "Résultats certifiés" in text
    assert "rapport de notation · page 1 sur 1" in text
    assert not ENGLISH_LABELS.findall(text), text
    english = _text(owner.get(f"/my/entries/{entry}/report.pdf").content)
    assert "Score report" in english and "Result: 1st in class" in english and "(mean of 1 sheet)" in english


def test_a_job_is_written_in_the_language_of_who_started_it(
    show: Show,
    settings: Settings,
    db_url: str,
) -> None:
    with new_client(settings) as french, new_client(settings) as english:
        for c in (french, english):
            c.cookies.set(SESSION_COOKIE, show.organizer_token)
        french.headers.update(FRENCH)
        job, pdf = make_document(french, show.event_id, "results-book-places")
        text = " ".join(" ".join(pdf_pages_text(pdf)).split())
        assert "Résultats publiés" in text or "Provisoire : résultats certifiés" in text
        assert "Sommaire" in text and "Prix spéciaux" in text and "1er de la classe" in text
        assert "Classe A — Class name A" in text and "résultats · page 1 sur" in text  # the stamped footer
        assert not ENGLISH_LABELS.findall(text), text

        def params(job: str) -> dict[str, Any]:
            async def go(session: AsyncSession) -> dict[str, Any]:
                row = await session.get(ReportJob, int(job.rsplit("/", 1)[1]))
                assert row is not None
                return dict(row.params)

            return run_db(db_url, go)

        assert params(job)["lang"] == "fr"
        # In English it is another document (stored beside the French one), in English.
        other, pdf = make_document(english, show.event_id, "results-book-places")
        assert params(other)["lang"] == "en" and stored_copies(db_url) == 2
        assert "Contents" in " ".join(pdf_pages_text(pdf)) and "Sommaire" not in " ".join(pdf_pages_text(pdf))
        # Made again, a job keeps its language, whoever's browser asks.
        again = post(english, f"{job}/again")
        assert again.status_code == 303 and params(again.headers["location"])["lang"] == "fr"
