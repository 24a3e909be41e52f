"""Ties the categories cannot break go to the chief judge; certification freezes, reopening withdraws."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import htmx_post, post
from tests.scenes import APPLICATION, Scene, event_with_car, line_ids


def test_tie_decided_by_chief_judge_then_certified_published_and_reopened(
    scene: Scene, client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    # A second car in class A, so that two cars can tie (registration reopened one step at a time).
    for status in ("registration_closed", "registration_open"):
        assert post(client, f"/organizer/events/{scene.event_id}/status", {"status": status}).status_code == 303
    with new_client(settings) as c:
        post(c, f"/events/{scene.slug}/apply", dict(APPLICATION, email="cat@example.com", chassis_number="C3"))
    entries = client.get(f"/organizer/events/{scene.event_id}/entries?status=applied").text
    second = int(re.search(r"/organizer/entries/(\d+)/decision", entries).group(1))  # type: ignore[union-attr]
    assert (
        post(
            client, f"/organizer/entries/{second}/decision", {"status": "accepted", "class_id": scene.class_a}
        ).status_code
        == 303
    )
    post(client, f"/organizer/events/{scene.event_id}/status", {"status": "registration_closed"})
    post(client, f"/organizer/events/{scene.event_id}/status", {"status": "judging"})

    judge = scene.as_user("judge-a@example.com")
    for entry in (scene.entries[0], second):
        for n, cid in enumerate(scene.category_ids(judge, entry)):  # identical sheets: a perfect tie
            assert (
                htmx_post(
                    judge, f"/judging/entries/{entry}/lines/{cid}", {"value": "1", "change_id": f"{entry}-{n}"}
                ).status_code
                == 200
            )
        assert post(judge, f"/judging/entries/{entry}/submit").status_code == 303

    url = f"/organizer/classes/{scene.class_a}/results"
    page = client.get(url).text
    assert page.count("awaiting the chief judge") == 2 and "Decide a tie" in page
    r = post(client, f"/organizer/classes/{scene.class_a}/certify")
    assert r.status_code == 400 and "tie the categories did not break" in r.text
    r = post(client, f"/organizer/classes/{scene.class_a}/ties", {"winner_id": str(second), "reason": ""})
    assert r.status_code == 400 and "Record the reason" in r.text
    r = post(
        client,
        f"/organizer/classes/{scene.class_a}/ties",
        {"winner_id": str(second), "reason": "Completed the Tour d'Elegance"},
    )
    assert r.status_code == 303
    page = client.get(url).text
    assert "Tour d&#39;Elegance" in page and "1st in class" in page and "2nd in class" in page
    assert post(client, f"/organizer/classes/{scene.class_a}/certify").status_code == 303
    assert post(client, f"/organizer/events/{scene.event_id}/publish").status_code == 303

    with new_client(settings) as public:
        results = public.get(f"/events/{scene.slug}/results").text
        assert "Class C" in results and "1st in class" in results
        assert "Class D" not in results  # not certified: not published
    r = post(client, f"/organizer/classes/{scene.class_a}/reopen", {"reason": "Scoring error on car 2"})
    assert r.status_code == 303
    with new_client(settings) as public:
        assert "Class C" not in public.get(f"/events/{scene.slug}/results").text


def test_explanations_and_special_awards(
    scene: Scene, client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    # Both judges' cars scored and submitted; class C certified.
    for email, entry in (("judge-a@example.com", scene.entries[0]), ("judge-b@example.com", scene.entries[1])):
        judge = scene.as_user(email)
        for n, cid in enumerate(scene.category_ids(judge, entry)):
            htmx_post(judge, f"/judging/entries/{entry}/lines/{cid}", {"value": "1", "change_id": f"x{n}"})
        assert post(judge, f"/judging/entries/{entry}/submit").status_code == 303
    page = client.get(f"/organizer/classes/{scene.class_a}/results").text
    assert "mean of 1 sheet" in page and "judge-a: 78" in page  # the sheet that counted, by judge
    assert post(client, f"/organizer/classes/{scene.class_a}/certify").status_code == 303

    url = f"/organizer/events/{scene.event_id}/awards"
    r = post(client, url, {"name": "", "kind": "designated", "eligibility": "accepted", "chosen_by": ""})
    assert r.status_code == 400
    assert "Name the award" in r.text and "Name who chooses" in r.text
    r = post(
        client,
        url,
        {"name": "Chairman's Award", "kind": "designated", "eligibility": "accepted", "chosen_by": "the chairman"},
    )
    assert r.status_code == 303
    award_url = r.headers["location"]
    r = post(client, f"{award_url}/decide", {"car_number": "999"})
    assert r.status_code == 400 and "No accepted car has number 999" in r.text
    entries_page = client.get(f"/organizer/events/{scene.event_id}/entries").text
    car_b = re.findall(r"<h2>#(\d+) ", entries_page)[-1]
    r = post(client, f"{award_url}/decide", {"car_number": car_b, "reason": "For a lifetime of preservation"})
    assert r.status_code == 303
    assert "Chairman&#39;s Award" in client.get(url).text
    assert post(client, f"/organizer/events/{scene.event_id}/publish").status_code == 303
    with new_client(settings) as public:
        results = public.get(f"/events/{scene.slug}/results").text
        assert "Chairman&#39;s Award" in results and "For a lifetime of preservation" in results
        assert "chosen by the chairman" in results


def test_class_results_pdf_explains_each_score(
    scene: Scene, client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    import io

    from pypdf import PdfReader

    judge = scene.as_user("judge-a@example.com")
    entry = scene.entries[0]
    for n, cid in enumerate(scene.category_ids(judge, entry)):
        htmx_post(judge, f"/judging/entries/{entry}/lines/{cid}", {"value": "1", "change_id": f"p{n}"})
    assert post(judge, f"/judging/entries/{entry}/submit").status_code == 303
    pdf = client.get(f"/organizer/classes/{scene.class_a}/results.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Provisional" in text and "Talbot-Lago" in text and "judge-a 78" in text and "1st in class" in text
    # Nobody else gets it.
    other = scene.as_user("judge-b@example.com")
    assert other.get(f"/organizer/classes/{scene.class_a}/results.pdf").status_code == 403


def test_class_results_to_post_name_no_judge(
    scene: Scene, client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    """The copy to post on the board: places and how they were reached, without judges' names or their totals;
    scores only where the event publishes them; an owner who asked not to be named is not named."""
    import io

    from pypdf import PdfReader
    from sqlalchemy import update

    from concours.db import Entrant, Event

    judge = scene.as_user("judge-a@example.com")
    entry = scene.entries[0]
    for n, cid in enumerate(scene.category_ids(judge, entry)):
        htmx_post(judge, f"/judging/entries/{entry}/lines/{cid}", {"value": "1", "change_id": f"q{n}"})
    assert post(judge, f"/judging/entries/{entry}/submit").status_code == 303

    def posted() -> str:
        pdf = client.get(f"/organizer/classes/{scene.class_a}/results.pdf", params={"public": "true"})
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert "-public.pdf" in pdf.headers["content-disposition"]
        return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())

    text = posted()
    assert "Talbot-Lago" in text and "1st in class" in text and "Owner 0" in text
    assert "without the judges' names" in text
    assert "judge-a" not in text and "Judge A" not in text  # neither the name nor the sheet's total
    assert "78" in text  # the car's score: this event publishes scores

    async def private(session: Any) -> None:
        await session.execute(update(Entrant).values(publish_name=False))
        await session.execute(update(Event).where(Event.id == scene.event_id).values(publish_scores=False))
        await session.commit()

    run_db(db_url, private)
    text = posted()
    assert "Talbot-Lago" in text and "1st in class" in text
    assert "Owner 0" not in text and "78" not in text and "Score" not in text
    # The judges' room copy still has every sheet.
    full = client.get(f"/organizer/classes/{scene.class_a}/results.pdf")
    assert "judge-a 78" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(full.content)).pages)


def test_percent_systems_show_the_percent(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    event_id, class_id, entry_id = event_with_car(
        client, db_url, settings, "ncrs_percent", [("nina@example.com", True)]
    )
    assert post(client, f"/organizer/classes/{class_id}/sections", {"share": "evenly"}).status_code == 303
    with new_client(settings) as nina:
        from tests.helpers import login_by_link

        login_by_link(nina, db_url, "nina@example.com")
        lines = line_ids(nina.get(f"/judging/entries/{entry_id}").text)
        assert len(lines) == 5  # one judge owns all five areas
        for n, cid in enumerate(lines):  # 45 points off each area: 4,275 of 4,500 = 95 %
            assert (
                htmx_post(
                    nina, f"/judging/entries/{entry_id}/lines/{cid}", {"value": "45", "change_id": f"n{n}"}
                ).status_code
                == 200
            )
        assert post(nina, f"/judging/entries/{entry_id}/submit").status_code == 303
    ranking = client.get(f"/organizer/classes/{class_id}/results").text
    assert "4275 (95.0 %)" in ranking and "Top Flight" in ranking


def test_published_results_show_the_cars_as_certified(
    scene: Scene, client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    from sqlalchemy import update
    from sqlalchemy.ext.asyncio import AsyncSession

    from concours.db import Vehicle
    from tests.conftest import run_db

    judge = scene.as_user("judge-a@example.com")
    entry = scene.entries[0]
    for n, cid in enumerate(scene.category_ids(judge, entry)):
        htmx_post(judge, f"/judging/entries/{entry}/lines/{cid}", {"value": "1", "change_id": f"f{n}"})
    assert post(judge, f"/judging/entries/{entry}/submit").status_code == 303
    assert post(client, f"/organizer/classes/{scene.class_a}/certify").status_code == 303
    assert post(client, f"/organizer/events/{scene.event_id}/publish").status_code == 303

    async def rename(session: AsyncSession) -> None:  # the car's record changes later (a new application)
        await session.execute(update(Vehicle).values(model="Renamed Later", coachbuilder="Someone Else"))

    run_db(db_url, rename)
    with new_client(settings) as public:
        page = public.get(f"/events/{scene.slug}/results").text
        assert "T150-C SS" in page and "Figoni et Falaschi" in page and "Renamed Later" not in page
