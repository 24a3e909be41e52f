"""The organizer chooses what the public documents show: the scores, the judges' names (each class's judging team),
the judges' comments on the public car pages. Each choice is followed by the public results page, the public car
page, the class results PDF to post, the results book and the export; entrants always get their own sheets with the
comments, whatever is chosen."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from litestar.testing import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, User
from concours.services.accounts import start_session
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import htmx_post, post
from tests.scenes import Seeded, line_ids, seed, signed_in

AGREED = ["24", "19", "14", "14", "14", "9"]  # 94 on car #10
LOWER = ["20", "19", "14", "14", "14", "9"]  # 90 on car #11
COMMENTS = ("Lovely patina on the doors; keep it.", "The chrome is pitted on the rear bumper.")


def published_show(db_url: str, settings: Settings) -> tuple[Seeded, str]:
    """Two judges (Judge 0 the captain) score both cars, each with an overall comment on car #10; the class is
    certified and the event published."""
    show = seed(db_url, settings, judges=2, cars=2, preset="ccca_100")
    for n, token in enumerate(show.judge_tokens):
        with signed_in(settings, token) as judge:
            for c, entry in enumerate(show.entries):
                base = f"/judging/entries/{entry}"
                for k, cid in enumerate(line_ids(judge.get(base).text)):
                    r = htmx_post(
                        judge, f"{base}/lines/{cid}", {"value": (AGREED, LOWER)[c][k], "change_id": f"{n}{c}{k}"}
                    )
                    assert r.status_code == 200, r.text
                if c == 0:
                    r = htmx_post(judge, f"{base}/comment", {"comment": COMMENTS[n], "change_id": f"{n}-comment"})
                    assert r.status_code == 200, r.text
                assert post(judge, f"{base}/submit").status_code == 303
    with signed_in(settings, show.organizer_token) as org:
        assert post(org, f"/organizer/classes/{show.class_id}/certify").status_code == 303
        assert post(org, f"/organizer/events/{show.event_id}/publish").status_code == 303

    async def slug(session: AsyncSession) -> str:
        event = await session.get(Event, show.event_id)
        assert event is not None
        return event.slug

    return show, run_db(db_url, slug)


def choose(org: TestClient[Any], show: Seeded, **choices: bool) -> None:
    form = {key: "on" for key, on in choices.items() if on}
    assert post(org, f"/organizer/events/{show.event_id}/awards/rules", form).status_code == 303


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)


def results_book(org: TestClient[Any], event_id: int) -> str:
    r = post(org, f"/organizer/events/{event_id}/documents", {"document": "results-book"})
    assert r.status_code == 303, r.text
    job = r.headers["location"]
    assert "Download the PDF" in org.get(job).text
    return pdf_text(org.get(f"{job}/document.pdf").content)


def test_each_choice_shows_or_hides_on_every_public_document(db_url: str, settings: Settings) -> None:
    show, slug = published_show(db_url, settings)
    team = "Judged by Judge 0, Judge 1"
    with signed_in(settings, show.organizer_token) as org, new_client(settings) as public:
        # The defaults: scores yes; the judges' names and comments no.
        rules = org.get(f"/organizer/events/{show.event_id}/awards").text
        assert 'name="publish_judges">' in rules and 'name="publish_comments">' in rules  # offered, not ticked
        page = public.get(f"/events/{slug}/results").text
        assert "<th>Score</th>" in page and "Judge 0" not in page and "Judged by" not in page
        car = public.get(f"/events/{slug}/cars/10").text
        assert "judges-comments" not in car and COMMENTS[0] not in car
        posted = pdf_text(org.get(f"/organizer/classes/{show.class_id}/results.pdf?public=true").content)
        assert "Judge 0" not in posted and "without the judges' names" in posted and "94" in posted
        book = results_book(org, show.event_id)
        assert "Judged by" not in book and "Judge 0" not in book
        data = json.loads(org.get(f"/organizer/events/{show.event_id}/results.json").text)
        assert data["judges_published"] is False and all(c["judges"] == [] for c in data["classes"])

        # The judges' names: the class's team on the results page, the posted PDF, the book and the export; never
        # the sheet-by-sheet totals. Comments still not published.
        choose(org, show, publish_scores=True, publish_judges=True)
        page = public.get(f"/events/{slug}/results").text
        assert f'<p class="judges">{team}</p>' in page
        assert COMMENTS[0] not in public.get(f"/events/{slug}/cars/10").text
        posted = pdf_text(org.get(f"/organizer/classes/{show.class_id}/results.pdf?public=true").content)
        assert team in posted and "Judge 0 94" not in posted and "Judge 0 (" not in posted
        assert team in results_book(org, show.event_id)
        data = json.loads(org.get(f"/organizer/events/{show.event_id}/results.json").text)
        assert data["judges_published"] is True and data["classes"][0]["judges"] == ["Judge 0", "Judge 1"]
        csv_text = org.get(f"/organizer/events/{show.event_id}/results.csv").content.decode("utf-8-sig")
        assert csv_text.splitlines()[0].endswith(",judges") and "Judge 0; Judge 1" in csv_text

        # The comments, with the judges' names since those are published too; only on the car they were written on.
        choose(org, show, publish_scores=True, publish_judges=True, publish_comments=True)
        car = public.get(f"/events/{slug}/cars/10").text
        section = car.split('id="judges-comments"')[1].split("</section>")[0]
        assert COMMENTS[0] in section and "— Judge 0" in section
        assert "The chrome is pitted on the rear bumper." in section and "— Judge 1" in section
        assert "judges-comments" not in public.get(f"/events/{slug}/cars/11").text

        # Comments without names, and no scores: nothing names a judge, no score column, the book without scores.
        choose(org, show, publish_comments=True)
        car = public.get(f"/events/{slug}/cars/10").text
        assert COMMENTS[0] in car and "Judge 0" not in car and "(94)" not in car
        page = public.get(f"/events/{slug}/results").text
        assert "<th>Score</th>" not in page and "Judged by" not in page
        posted = pdf_text(org.get(f"/organizer/classes/{show.class_id}/results.pdf?public=true").content)
        assert "Judge 0" not in posted and not re.search(r"\b94\b", posted)
        # The organizer's own copy keeps everything.
        internal = pdf_text(org.get(f"/organizer/classes/{show.class_id}/results.pdf").content)
        assert team in internal and "Judge 0 94" in internal

    # Whatever is chosen, the entrant sees their own sheets with every comment.
    async def owner_session(session: AsyncSession) -> str:
        user = await session.scalar(select(User).where(User.email == "owner0@example.com"))
        assert user is not None
        return await start_session(session, settings, user.id, "test")

    with signed_in(settings, show.organizer_token) as org:
        choose(org, show)
    with signed_in(settings, run_db(db_url, owner_session)) as owner:
        page = owner.get(f"/my/entries/{show.entries[0]}").text
        assert COMMENTS[0] in page.replace("&#39;", "'") and "pitted on the rear bumper" in page
        report = pdf_text(owner.get(f"/my/entries/{show.entries[0]}/report.pdf").content)
        assert "Lovely patina on the doors" in report and "pitted on the rear" in report
