"""State machines: event status and entry status, with the transitions each allows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from concours.i18n import N_, gettext, pgettext

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
    "draft": N_("Draft"),
    "registration_open": N_("Registration open"),
    "registration_closed": N_("Registration closed"),
    "judging": N_("Judging"),
    "results_certified": N_("Results certified"),
    "published": N_("Results published"),
    "archived": N_("Archived"),
}

# What each status means for the people using the app: shown where the organizer moves the event, and in the
# question asked before the move.
EVENT_STATUS_HELP = {
    "draft": N_("Only organizers see the event; set up classes, the score sheet and the judging system."),
    "registration_open": N_("The public application form is open: owners apply with their cars."),
    "registration_closed": N_("Applications are closed. Judges can already score; place cars and assign judges."),
    "judging": N_("Judging day: judges score on their tablets; the chief judge follows the board."),
    "results_certified": N_("Every judged class is certified: results are frozen, ready to publish."),
    "published": N_("Results, awards and score sheets are public; entrants see their own sheets."),
    "archived": N_("The event is closed for good: nothing changes any more."),
}


def event_status_label(status: str) -> str:
    """The status in the reader's language. "Judging" as a status ("Jugement en cours") is not the judges' area
    of the site ("Jugement"): it is translated in its own context."""
    if status == "judging":
        return pgettext("event status", "Judging")
    return gettext(EVENT_STATUS_LABELS[status]) if status in EVENT_STATUS_LABELS else status


class _ShownStatusLabels(Mapping[str, str]):
    """``EVENT_STATUS_LABELS`` read in the reader's language (the templates' ``status_labels``)."""

    def __getitem__(self, status: str) -> str:
        if status not in EVENT_STATUS_LABELS:
            raise KeyError(status)
        return event_status_label(status)

    def __iter__(self) -> Iterator[str]:
        return iter(EVENT_STATUS_LABELS)

    def __len__(self) -> int:
        return len(EVENT_STATUS_LABELS)


SHOWN_STATUS_LABELS: Mapping[str, str] = _ShownStatusLabels()


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


def previous_event_status(status: str) -> str | None:
    """The step back an organizer may take to correct a mistake (none from the first status, none out of archived;
    from published it takes the results off the public pages again)."""
    i = EVENT_STATUSES.index(status)
    if i == 0 or status == "archived":
        return None
    return EVENT_STATUSES[i - 1]


def check_event_transition(current: str, target: str) -> None:
    if target not in EVENT_STATUSES:
        raise TransitionError(gettext("unknown event status “%(status)s”", status=target))
    ci, ti = EVENT_STATUSES.index(current), EVENT_STATUSES.index(target)
    # Forward one step at a time; back one step to correct a mistake (never out of "archived").
    if ti == ci + 1 or (ti == ci - 1 and current != "archived"):
        return
    raise TransitionError(
        gettext(
            "an event cannot go from “%(current)s” to “%(target)s”",
            current=event_status_label(current),
            target=event_status_label(target),
        )
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
