"""The organizer's checklist on the event's set-up page follows the event from set-up to judging: done steps are
ticked, the next step is marked and links where to do it."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from concours.settings import Settings
from tests.conftest import new_client
from tests.helpers import post
from tests.scenes import APPLICATION, Scene, set_up_event


def steps(client: TestClient[Any], event_id: int) -> dict[str, tuple[str, str]]:
    """Each step's title → (its state: done / next / todo, its detail)."""
    page = client.get(f"/organizer/events/{event_id}").text
    box = re.search(r'<details class="card checklist".*?</details>', page, re.S)
    assert box is not None, "no checklist on the set-up page"
    found = re.findall(
        r'<li class="(\w+)">.*?<a href="[^"]*"[^>]*>([^<]+)</a>\s*<span class="detail">([^<]*)', box.group(0), re.S
    )
    return {title: (state, detail.strip().removesuffix(" — next")) for state, title, detail in found}


def test_the_checklist_follows_the_event(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event(client, db_url)
    first = steps(client, ev["event_id"])
    assert len(first) == 11
    assert first["Add the classes"] == ("done", "1 class")
    assert first["Open registration"] == ("done", "open")
    assert first["Review applications"] == ("next", "no application yet; or add a car yourself")
    assert [s for s, _ in first.values()].count("next") == 1
    assert first["Number the cars"] == ("todo", "no accepted car yet")

    # An application arrives: reviewing it is what is left of that step.
    with new_client(settings) as owner:  # another browser, its own app: asyncpg connections stay on their loop
        form = owner.get(f"/events/{ev['slug']}/apply")
        assert form.status_code == 200
        r = post(owner, f"/events/{ev['slug']}/apply", dict(APPLICATION, class_id=str(ev["class_id"])))
        assert r.status_code in (200, 303), r.text[:300]
    now = steps(client, ev["event_id"])
    assert now["Review applications"] == ("next", "0 accepted, 1 waiting")


def test_a_show_in_judging_has_most_steps_done(scene: Scene) -> None:
    state = steps(scene.org, scene.event_id)
    for title in (
        "Add the classes",
        "Choose the score sheet",
        "Choose the judging system",
        "Open registration",
        "Number the cars",
        "Invite the judges",
        "Put judges on every class",
        "Open judging",
    ):
        assert state[title][0] == "done", (title, state[title])
    assert (
        state["Certify every class"] == ("next", "0 of 2 certified")
        or state["Certify every class"][1] == "0 of 2 certified"
    )
    assert state["Publish the results"] == ("todo", "not yet")


def test_an_invitation_only_event_is_pointed_at_its_invitations(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    r = post(client, f"/organizer/events/{ev['event_id']}/invitations/setting", {"invitation_only": "on"})
    assert r.status_code == 303, r.text[:300]
    assert steps(client, ev["event_id"])["Review applications"] == ("next", "by invitation only: invite the owners")
    page = client.get(f"/organizer/events/{ev['event_id']}").text
    assert f'href="/organizer/events/{ev["event_id"]}/invitations"' in page
