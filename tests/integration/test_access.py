"""Roles cannot see or change what is not theirs; state changes need the CSRF token; bad input never 500s."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Conflict, Judge, User
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import find_id, htmx_post, mails, post
from tests.scenes import APPLICATION, Scene, set_up_event


def test_judge_cannot_open_or_score_a_car_of_another_class(scene: Scene) -> None:
    judge_a = scene.as_user("judge-a@example.com")
    car_b = scene.entries[1]
    assert judge_a.get(f"/judging/entries/{car_b}").status_code == 403
    cats = scene.category_ids(judge_a, scene.entries[0])
    r = htmx_post(judge_a, f"/judging/entries/{car_b}/lines/{cats[0]}", {"value": "1", "change_id": "x"})
    assert r.status_code == 403
    assert "B2" not in judge_a.get("/judging/").text  # the other class's car is not listed


def test_conflicted_judge_gets_403(scene: Scene) -> None:
    async def declare(session: AsyncSession) -> None:
        from sqlalchemy import select

        judge_id = await session.scalar(
            select(Judge.id).join(User, User.id == Judge.user_id).where(User.email == "judge-a@example.com")
        )
        session.add(
            Conflict(
                event_id=scene.event_id,
                judge_id=judge_id,
                entry_id=scene.entries[0],
                reason="restored this car",
                source="judge",
            )
        )

    run_db(scene.db_url, declare)
    judge_a = scene.as_user("judge-a@example.com")
    r = judge_a.get(f"/judging/entries/{scene.entries[0]}")
    assert r.status_code == 403 and "restored this car" in r.text


def test_judge_and_entrant_cannot_see_organizer_pages_or_unpublished_results(scene: Scene) -> None:
    judge_a = scene.as_user("judge-a@example.com")
    assert judge_a.get(f"/organizer/classes/{scene.class_a}/results").status_code == 403
    assert judge_a.get(f"/organizer/events/{scene.event_id}/entries").status_code == 403
    ann = scene.as_user("ann@example.com")
    assert ann.get(f"/organizer/events/{scene.event_id}").status_code == 403
    assert ann.get(f"/events/{scene.slug}/results").status_code == 404  # not published
    assert ann.get(f"/my/entries/{scene.entries[0]}").status_code == 403  # own sheets, not yet published
    assert ann.get(f"/my/entries/{scene.entries[0]}/report.pdf").status_code == 403
    # Another entrant's entry is not there at all for Ann.
    assert ann.get(f"/my/entries/{scene.entries[1]}").status_code == 404
    assert ann.get(f"/my/entries/{scene.entries[1]}/report.pdf").status_code == 404
    # Ann is not a judge.
    assert ann.get(f"/judging/entries/{scene.entries[0]}").status_code == 403


def test_anonymous_is_sent_to_sign_in(client: TestClient[Any], db_url: str) -> None:
    r = client.get("/organizer/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = client.get("/judging/entries/1", follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/my/entries/1/report.pdf", follow_redirects=False).status_code == 303


def test_another_organizer_cannot_touch_the_event(scene: Scene) -> None:
    from tests.helpers import login, make_organizer

    make_organizer(scene.db_url, email="other@example.com")
    with new_client(scene.settings) as other:
        login(other, "other@example.com")
        assert other.get(f"/organizer/events/{scene.event_id}").status_code == 403
        r = post(other, f"/organizer/entries/{scene.entries[0]}/decision", {"status": "declined"})
        assert r.status_code == 403
        assert post(other, f"/organizer/classes/{scene.class_a}/certify").status_code == 403


def test_state_change_without_csrf_token_is_refused(scene: Scene) -> None:
    r = scene.org.post(
        f"/organizer/events/{scene.event_id}/classes", data={"code": "Z", "name": "Sneaky"}, follow_redirects=False
    )
    assert r.status_code == 403
    assert "Sneaky" not in scene.org.get(f"/organizer/events/{scene.event_id}").text
    judge_a = scene.as_user("judge-a@example.com")
    cats = scene.category_ids(judge_a, scene.entries[0])
    r = judge_a.post(
        f"/judging/entries/{scene.entries[0]}/lines/{cats[0]}", data={"value": "1"}, headers={"hx-request": "true"}
    )
    assert r.status_code == 403
    r = judge_a.post(
        f"/judging/entries/{scene.entries[0]}/lines/{cats[0]}",
        data={"value": "1"},
        headers={"hx-request": "true", "x-csrftoken": "forged-token"},
    )
    assert r.status_code == 403
    assert "Not started" in judge_a.get("/judging/").text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("41", "between 0 and 40"),
        ("0.25", "finer"),
        ("abc", "not a number"),
        ("-1", "between 0 and 40"),
        ("0.3", "steps of 0.5"),
    ],
)
def test_bad_scores_are_refused_with_a_message(scene: Scene, value: str, message: str) -> None:
    judge_a = scene.as_user("judge-a@example.com")
    cats = scene.category_ids(judge_a, scene.entries[0])
    r = htmx_post(judge_a, f"/judging/entries/{scene.entries[0]}/lines/{cats[0]}", {"value": value, "change_id": "v"})
    assert r.status_code == 422 and message in r.text, r.text


def test_wrong_category_and_garbage_never_500(scene: Scene) -> None:
    judge_a = scene.as_user("judge-a@example.com")
    e = scene.entries[0]
    r = htmx_post(judge_a, f"/judging/entries/{e}/lines/999999", {"value": "1", "change_id": "w"})
    assert r.status_code == 422 and "not on this car" in r.text
    for url in (
        f"/judging/entries/{e}/lines/abc",
        "/judging/entries/notanumber",
        "/my/entries/-1",
        "/organizer/events/99999999999999999999",
        "/events/%00/results",
        "/auth/link/x",
    ):
        r = judge_a.get(url)
        assert r.status_code < 500, (url, r.status_code)
    r = htmx_post(
        judge_a,
        f"/judging/entries/{e}/lines/{scene.category_ids(judge_a, e)[0]}",
        {"value": "1" * 5000, "note": "x" * 3000, "change_id": "y" * 500},
    )
    assert 400 <= r.status_code < 500


def test_submitted_sheet_is_locked_for_the_judge(scene: Scene) -> None:
    judge_a = scene.as_user("judge-a@example.com")
    e = scene.entries[0]
    cats = scene.category_ids(judge_a, e)
    r = post(judge_a, f"/judging/entries/{e}/submit")
    assert r.status_code == 400 and "Score every category" in r.text
    for n, cid in enumerate(cats):
        assert (
            htmx_post(judge_a, f"/judging/entries/{e}/lines/{cid}", {"value": "1", "change_id": f"s{n}"}).status_code
            == 200
        )
    assert post(judge_a, f"/judging/entries/{e}/submit").status_code == 303
    r = htmx_post(judge_a, f"/judging/entries/{e}/lines/{cats[0]}", {"value": "2", "change_id": "after"})
    assert r.status_code == 409 and "only the chief judge can reopen" in r.text


def test_application_errors_keep_what_was_typed(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event(client, db_url)
    with new_client(settings) as c:
        form = dict(APPLICATION, year="19x7", email="not-an-email", terms="")
        r = post(c, f"/events/{ev['slug']}/apply", form)
        assert r.status_code == 400
        assert "Enter the model year" in r.text and "Enter an e-mail address" in r.text
        assert "You must accept" in r.text
        assert 'value="Talbot-Lago"' in r.text and 'value="19x7"' in r.text and "Delivered new in Paris" in r.text
        # A second application for the same chassis number is caught and explained.
        assert post(c, f"/events/{ev['slug']}/apply", APPLICATION).status_code == 200
        r = post(c, f"/events/{ev['slug']}/apply", dict(APPLICATION, email="someone@example.com"))
        assert r.status_code == 400 and "already applied" in r.text
    entries = client.get(f"/organizer/events/{ev['event_id']}/entries").text
    assert entries.count("/decision") == 1


def test_login_link_is_single_use(scene: Scene) -> None:
    from tests.helpers import login_link

    link = login_link(scene.db_url, "judge-b@example.com")
    with new_client(scene.settings) as c:
        assert post(c, link).status_code == 303
    with new_client(scene.settings) as c:
        r = post(c, link)
        assert r.status_code == 410
        assert c.get("/judging/", follow_redirects=False).status_code == 303  # not signed in


def test_wrong_password_is_refused(client: TestClient[Any], db_url: str) -> None:
    from tests.helpers import make_organizer

    make_organizer(db_url)
    r = post(client, "/login", {"email": "org@example.com", "password": "wrong"})
    assert r.status_code == 400 and "do not match" in r.text and 'value="org@example.com"' in r.text
    assert client.get("/organizer/", follow_redirects=False).status_code == 303


def test_pages_are_not_cached_and_static_files_are_served(client: TestClient[Any]) -> None:
    page = client.get("/")
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
    js = client.get("/static/js/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:200] and "no-store" not in js.headers.get("cache-control", "")


def test_refused_forms_are_html_pages(client: TestClient[Any], db_url: str) -> None:
    from tests.helpers import login, make_organizer

    make_organizer(db_url)
    r = post(client, "/login", {"email": "org@example.com", "password": "wrong"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    login(client)
    r = post(client, "/organizer/events", {"name": "", "starts_on": "soon"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")


def test_a_judge_never_opens_their_own_car(scene: Scene) -> None:
    client = scene.org
    for status in ("registration_closed", "registration_open"):
        post(client, f"/organizer/events/{scene.event_id}/status", {"status": status})
    judge_as_entrant = scene.as_user("judge-a@example.com")
    form = dict(APPLICATION, email="judge-a@example.com", chassis_number="OWN1", name="Judge A")
    r = post(judge_as_entrant, f"/events/{scene.slug}/apply", form)
    assert r.status_code == 200 and "your application is in" in r.text
    page = client.get(f"/organizer/events/{scene.event_id}/entries?status=applied").text
    own = find_id(page, r"/organizer/entries/(\d+)/decision")
    assert (
        post(
            client, f"/organizer/entries/{own}/decision", {"status": "accepted", "class_id": scene.class_a}
        ).status_code
        == 303
    )
    for status in ("registration_closed", "judging"):
        post(client, f"/organizer/events/{scene.event_id}/status", {"status": status})
    judge_a = scene.as_user("judge-a@example.com")
    r = judge_a.get(f"/judging/entries/{own}")
    assert r.status_code == 403 and "your own car" in r.text


def test_review_findings_never_500(scene: Scene) -> None:
    """Inputs a security review found: superscript digits, huge ids, NUL in queries, ancient dates."""
    org = scene.org
    e = scene.event_id
    for url, data in (
        (
            f"/organizer/events/{e}/awards",
            {"award_name": "X", "kind": "designated", "car_number": "²", "chosen_by": "me"},
        ),
        (
            f"/organizer/events/{e}/awards",
            {"award_name": "X", "kind": "designated", "car_number": "9" * 25, "chosen_by": "me"},
        ),
        (f"/organizer/events/{e}/judges", {"name": "J", "email": "j@example.com", "class_id": "²"}),
        (f"/organizer/events/{e}/chief-judge", {"chief_judge": "9" * 30}),
        (f"/organizer/events/{e}/classes", {"code": "Q", "name": "n" * 300}),
    ):
        r = post(org, url, data)
        assert r.status_code < 500, (url, r.status_code)
    for url in (
        f"/organizer/events/{e}/entries?class_id=²&era=²²²²s",
        f"/organizer/events/{e}/entries?make=a%00b",
        f"/chief/entries/{scene.entries[0]}/paper?judge_id={'9' * 30}",
    ):
        assert org.get(url).status_code < 500, url


def test_publishing_goes_through_its_checks(scene: Scene) -> None:
    org = scene.org
    # The status form cannot jump to "published" around the certification checks.
    r = post(org, f"/organizer/events/{scene.event_id}/status", {"status": "results_certified"})
    r = post(org, f"/organizer/events/{scene.event_id}/status", {"status": "published"})
    assert r.status_code == 400 and "Publish certified results" in r.text
    with new_client(scene.settings) as public:
        assert public.get(f"/events/{scene.slug}/results").status_code == 404


def test_nobody_applies_into_someone_elses_account(scene: Scene) -> None:
    """Applying with an address that has an account needs its owner to sign in; nothing is written before."""
    for status in ("registration_closed", "registration_open"):
        post(scene.org, f"/organizer/events/{scene.event_id}/status", {"status": status})
    before = len(mails(scene.db_url, "ann@example.com"))
    with new_client(scene.settings) as stranger:
        form = dict(APPLICATION, email="ann@example.com", chassis_number="EVIL1", phone="666", city="Evilville")
        r = post(stranger, f"/events/{scene.slug}/apply", form)
        assert r.status_code == 200 and "already has an account" in r.text and 'value="Evilville"' in r.text
    assert "EVIL1" not in scene.org.get(f"/organizer/events/{scene.event_id}/entries").text
    assert "Evilville" not in scene.org.get(f"/organizer/events/{scene.event_id}/entries").text
    assert len(mails(scene.db_url, "ann@example.com")) == before + 1  # the owner got a sign-in link
    ann = scene.as_user("ann@example.com")  # uses that newest link
    r = post(ann, f"/events/{scene.slug}/apply", dict(form, city="Bath"))
    assert r.status_code == 200 and "your application is in" in r.text
