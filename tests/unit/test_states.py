"""State machines: which event and entry status changes are allowed."""

from __future__ import annotations

import itertools

import pytest

from concours.domain.states import (
    ENTRY_STATUSES,
    ENTRY_TRANSITIONS,
    EVENT_STATUS_HELP,
    EVENT_STATUS_LABELS,
    EVENT_STATUSES,
    TransitionError,
    accepts_applications,
    check_entry_transition,
    check_event_transition,
    judging_open,
    next_event_status,
    previous_event_status,
    results_public,
)


def test_event_statuses_in_order() -> None:
    assert EVENT_STATUSES == (
        "draft",
        "registration_open",
        "registration_closed",
        "judging",
        "results_certified",
        "published",
        "archived",
    )
    assert set(EVENT_STATUS_LABELS) == set(EVENT_STATUSES)


def test_next_event_status_walks_the_chain() -> None:
    status: str | None = "draft"
    walked = []
    while status is not None:
        walked.append(status)
        status = next_event_status(status)
    assert tuple(walked) == EVENT_STATUSES
    assert next_event_status("archived") is None


@pytest.mark.parametrize(("current", "target"), list(itertools.pairwise(EVENT_STATUSES)))
def test_event_goes_forward_one_step(current: str, target: str) -> None:
    check_event_transition(current, target)


@pytest.mark.parametrize(("target", "current"), list(itertools.pairwise(EVENT_STATUSES))[:-1])
def test_event_goes_back_one_step_to_correct_a_mistake(current: str, target: str) -> None:
    check_event_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("archived", "published"),  # never out of archived
        ("draft", "judging"),  # no skipping forward
        ("registration_open", "results_certified"),
        ("published", "judging"),  # no jumping back two steps
        ("archived", "draft"),
        ("draft", "draft"),  # not a change
        ("judging", "judging"),
        ("draft", "archived"),
    ],
)
def test_event_refuses(current: str, target: str) -> None:
    with pytest.raises(TransitionError, match="cannot go from"):
        check_event_transition(current, target)


def test_event_refuses_an_unknown_status() -> None:
    with pytest.raises(TransitionError, match="unknown event status"):
        check_event_transition("draft", "cancelled")


@pytest.mark.parametrize(("current", "target"), list(itertools.product(EVENT_STATUSES, repeat=2)))
def test_event_transition_matrix(current: str, target: str) -> None:
    ci, ti = EVENT_STATUSES.index(current), EVENT_STATUSES.index(target)
    allowed = ti == ci + 1 or (ti == ci - 1 and current != "archived")
    if allowed:
        check_event_transition(current, target)
    else:
        with pytest.raises(TransitionError):
            check_event_transition(current, target)


def test_refusal_message_uses_the_labels() -> None:
    with pytest.raises(TransitionError, match="“Archived” to “Results published”"):
        check_event_transition("archived", "published")


ALLOWED_ENTRY = {
    ("applied", "accepted"),
    ("applied", "waitlisted"),
    ("applied", "declined"),
    ("applied", "withdrawn"),
    ("waitlisted", "accepted"),
    ("waitlisted", "declined"),
    ("waitlisted", "withdrawn"),
    ("accepted", "waitlisted"),
    ("accepted", "declined"),
    ("accepted", "withdrawn"),
    ("declined", "accepted"),
    ("declined", "waitlisted"),
}


def test_entry_transition_table_covers_every_status() -> None:
    assert set(ENTRY_TRANSITIONS) == set(ENTRY_STATUSES)
    for targets in ENTRY_TRANSITIONS.values():
        assert targets <= set(ENTRY_STATUSES)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ENTRY_STATUSES, repeat=2)))
def test_entry_transition_matrix(current: str, target: str) -> None:
    if (current, target) in ALLOWED_ENTRY:
        check_entry_transition(current, target)
    else:
        with pytest.raises(TransitionError, match=f"that is {current} cannot become {target}"):
            check_entry_transition(current, target)


@pytest.mark.parametrize("target", ENTRY_STATUSES)
def test_withdrawn_is_final(target: str) -> None:
    with pytest.raises(TransitionError):
        check_entry_transition("withdrawn", target)


def test_entry_refuses_unknown_statuses() -> None:
    with pytest.raises(TransitionError):
        check_entry_transition("applied", "approved")
    with pytest.raises(TransitionError):
        check_entry_transition("pending", "accepted")


def test_status_predicates() -> None:
    assert [s for s in EVENT_STATUSES if accepts_applications(s)] == ["registration_open"]
    assert [s for s in EVENT_STATUSES if judging_open(s)] == ["registration_closed", "judging"]
    assert [s for s in EVENT_STATUSES if results_public(s)] == ["published", "archived"]


@pytest.mark.parametrize(
    ("status", "back"),
    [
        ("draft", None),
        ("registration_open", "draft"),
        ("registration_closed", "registration_open"),
        ("judging", "registration_closed"),
        ("results_certified", "judging"),
        ("published", "results_certified"),
        ("archived", None),
    ],
)
def test_the_step_back_offered_is_one_the_machine_allows(status: str, back: str | None) -> None:
    assert previous_event_status(status) == back
    if back is not None:
        check_event_transition(status, back)  # raises if not allowed


def test_every_status_says_what_it_means() -> None:
    assert set(EVENT_STATUS_HELP) == set(EVENT_STATUSES)
    assert all(text.endswith(".") for text in EVENT_STATUS_HELP.values())
