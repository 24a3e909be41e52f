"""Ties the categories cannot break go to the chief judge; certification freezes, reopening withdraws."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from concours.settings import Settings
from tests.conftest import new_client
from tests.helpers import htmx_post, post
from tests.integration.test_access import Scene
from tests.integration.test_thin_path import APPLICATION


def test_tie_decided_by_chief_judge_then_certified_published_and_reopened(
    client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    scene = Scene(client, db_url, settings)
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
    judge.__exit__(None, None, None)

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
