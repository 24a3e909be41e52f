"""The team size (the fewest and most judges a class needs) is set where judges are put on classes, shown there
with what the team still needs, and followed by the assignment board."""

from __future__ import annotations

import re

from concours.db import AuditLog, EventClass
from tests.conftest import run_db
from tests.helpers import post
from tests.scenes import Scene, count


def team_size_of(scene: Scene, class_id: int) -> tuple[int, int]:
    async def go(session):  # type: ignore[no-untyped-def]
        cls = await session.get(EventClass, class_id)
        return cls.team_min, cls.team_max

    return run_db(scene.db_url, go)  # type: ignore[no-any-return]


def class_card(page: str, class_id: int) -> str:
    found = re.search(rf'<section class="card" id="class-{class_id}">.*?</section>', page, re.S)
    assert found, page[:500]
    return found.group(0)


def test_the_team_size_is_shown_and_changed_where_judges_are_put_on_classes(scene: Scene) -> None:
    judges = f"/organizer/events/{scene.event_id}/judges"
    card = class_card(scene.org.get(judges).text, scene.class_a)
    # The scene's class C has one judge; a team needs two to four by default.
    assert "Team of 2–4 judges: 1 on it" in card and "needs 1 more" in card

    url = f"/organizer/classes/{scene.class_a}/team-size"
    r = post(scene.org, url, {"team_min": "1", "team_max": "3"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"#class-{scene.class_a}")
    assert team_size_of(scene, scene.class_a) == (1, 3)
    card = class_card(scene.org.get(judges).text, scene.class_a)
    assert "Team of 1–3 judges: 1 on it" in card and "needs" not in card
    assert count(scene.db_url, AuditLog, AuditLog.action == "team_size") == 1
    # The same size again records nothing.
    assert post(scene.org, url, {"team_min": "1", "team_max": "3"}).status_code == 303
    assert count(scene.db_url, AuditLog, AuditLog.action == "team_size") == 1
    # The assignment board follows it.
    assert "team of 1–3" in scene.org.get(f"/organizer/events/{scene.event_id}/assignment").text


def test_a_wrong_team_size_is_refused_beside_the_field_and_kept(scene: Scene) -> None:
    url = f"/organizer/classes/{scene.class_a}/team-size"
    for typed, message in (
        ({"team_min": "4", "team_max": "2"}, "The fewest judges (4) is more than the most (2)."),
        ({"team_min": "0", "team_max": "2"}, "A team needs at least one judge."),
        ({"team_min": "2", "team_max": "40"}, "A team has at most 12 judges"),
        ({"team_min": "two", "team_max": "4"}, "Give the team size as two whole numbers"),
        ({"team_max": "4"}, "Give the team size as two whole numbers"),
    ):
        r = post(scene.org, url, typed)
        assert r.status_code == 400, (typed, r.status_code)
        card = class_card(r.text, scene.class_a)
        assert message in card, (typed, card)
        assert 'aria-invalid="true"' in card and '<details class="team-size-form" open>' in card
        for name, value in typed.items():
            assert f'name="{name}" inputmode="numeric" size="3" value="{value}"' in card
        # The other class's form shows its own stored size, untouched.
        other = class_card(r.text, scene.class_b)
        assert 'value="2"' in other and "aria-invalid" not in other
    assert team_size_of(scene, scene.class_a) == (2, 4)
