"""State machines: event status and entry status, with the transitions each allows."""

from __future__ import annotations

EVENT_STATUSES = (
    "draft",
    "registration_open",
    "registration_closed",
    "judging",
    "results_certified",
    "published",
    "archived",
)

EVENT_STATUS_LABELS = {
    "draft": "Draft",
    "registration_open": "Registration open",
    "registration_closed": "Registration closed",
    "judging": "Judging",
    "results_certified": "Results certified",
    "published": "Results published",
    "archived": "Archived",
}

ENTRY_STATUSES = ("applied", "accepted", "waitlisted", "declined", "withdrawn")
ENTRY_TRANSITIONS: dict[str, frozenset[str]] = {
    "applied": frozenset({"accepted", "waitlisted", "declined", "withdrawn"}),
    "waitlisted": frozenset({"accepted", "declined", "withdrawn"}),
    "accepted": frozenset({"waitlisted", "declined", "withdrawn"}),
    "declined": frozenset({"accepted", "waitlisted"}),
    "withdrawn": frozenset(),
}


class TransitionError(ValueError):
    """A status change the state machine does not allow; the message says why."""


def next_event_status(status: str) -> str | None:
    i = EVENT_STATUSES.index(status)
    return EVENT_STATUSES[i + 1] if i + 1 < len(EVENT_STATUSES) else None


def check_event_transition(current: str, target: str) -> None:
    if target not in EVENT_STATUSES:
        raise TransitionError(f"unknown event status “{target}”")
    ci, ti = EVENT_STATUSES.index(current), EVENT_STATUSES.index(target)
    # Forward one step at a time; back one step to correct a mistake (never out of "archived").
    if ti == ci + 1 or (ti == ci - 1 and current != "archived"):
        return
    raise TransitionError(
        f"an event cannot go from “{EVENT_STATUS_LABELS[current]}” to “{EVENT_STATUS_LABELS[target]}”"
    )


def check_entry_transition(current: str, target: str) -> None:
    if target not in ENTRY_TRANSITIONS.get(current, frozenset()):
        raise TransitionError(f"an entry that is {current} cannot become {target}")


def accepts_applications(status: str) -> bool:
    return status == "registration_open"


def judging_open(status: str) -> bool:
    return status in ("registration_closed", "judging")


def results_public(status: str) -> bool:
    return status in ("published", "archived")
