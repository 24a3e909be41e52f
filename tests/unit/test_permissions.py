"""The named rules of ``services/permissions.py``, each against each kind of viewer, and ``require``'s 403/404."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from concours.i18n import using_locale
from concours.services.errors import Forbidden, NotFound
from concours.services.permissions import (
    Viewer,
    can_create_event,
    can_organize,
    can_run_judging,
    require,
    why_not_create_event,
    why_not_enter,
    why_not_judge,
    why_not_manage_backups,
    why_not_organize,
    why_not_run_judging,
)

EVENT, OTHER_EVENT = 7, 8
VIEWERS: dict[str, Viewer | None] = {
    "anonymous": None,
    # An organizer account organizing EVENT (and so running its judging).
    "organizer": Viewer(1, "Olive", "o@example.com", True, None, None, frozenset({EVENT}), frozenset({EVENT})),
    # An organizer account with an event of its own only.
    "other_organizer": Viewer(2, "Otto", "p@example.com", True, None, None, frozenset({OTHER_EVENT})),
    # A judge who is EVENT's chief judge, without an organizer account.
    "chief_judge": Viewer(3, "Cleo", "c@example.com", False, 30, None, chief_judge_event_ids=frozenset({EVENT})),
    "judge": Viewer(4, "Jude", "j@example.com", False, 40, None),
    "entrant": Viewer(5, "Enzo", "e@example.com", False, None, 50),
}
RULES: dict[str, Callable[[Viewer | None], str | None]] = {
    "organize": lambda v: why_not_organize(v, EVENT),
    "run_judging": lambda v: why_not_run_judging(v, EVENT),
    "create_event": why_not_create_event,
    "manage_backups": why_not_manage_backups,
    "judge": why_not_judge,
    "enter": why_not_enter,
}
ALLOWED = {
    "organize": {"organizer"},
    "run_judging": {"organizer", "chief_judge"},
    "create_event": {"organizer", "other_organizer"},
    "manage_backups": {"organizer", "other_organizer"},
    "judge": {"chief_judge", "judge"},
    "enter": {"entrant"},
}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("who", VIEWERS)
def test_each_rule_allows_exactly_its_viewers(rule: str, who: str) -> None:
    reason = RULES[rule](VIEWERS[who])
    if who in ALLOWED[rule]:
        assert reason is None
    else:
        assert reason  # refused, with a reason a person can read


@pytest.mark.parametrize("who", VIEWERS)
def test_can_agrees_with_why_not(who: str) -> None:
    viewer = VIEWERS[who]
    assert can_organize(viewer, EVENT) == (why_not_organize(viewer, EVENT) is None)
    assert can_run_judging(viewer, EVENT) == (why_not_run_judging(viewer, EVENT) is None)
    assert can_create_event(viewer) == (why_not_create_event(viewer) is None)


def test_require_refuses_with_403_or_hides_with_404() -> None:
    require(None)
    require(None, hide="There is no such event.")
    with pytest.raises(Forbidden) as refused:
        require("You are not an organizer of this event.")
    assert refused.value.message == "You are not an organizer of this event."
    with pytest.raises(NotFound) as hidden:
        require("You are not an organizer of this event.", hide="There is no such event.")
    assert hidden.value.message == "There is no such event."


def test_a_reason_is_said_in_the_viewers_language() -> None:
    with using_locale("fr"):
        assert why_not_organize(VIEWERS["judge"], EVENT) == "Vous n’êtes pas organisateur de cet événement."
        assert why_not_create_event(VIEWERS["judge"]) == "Seuls les comptes organisateurs créent des événements."
        assert why_not_run_judging(None, EVENT) == "Vous ne dirigez pas le jugement de cet événement."
