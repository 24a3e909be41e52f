"""Award tracks: competitions that follow a car's past awards (AACA: a car that has won its First competes
for the Senior award; one that has won its Senior has finished the class's track).

A judging system has a track when its award levels are marked as one (``System.award_tracks``): the levels,
listed hardest first, are read easiest first as the steps of the track. A car competes for the step after the
highest one it has won at an earlier event; a car with none competes for the first step. Pure: the awards come
in as :class:`PastAward` values, and every reason is in words for the organizer and the owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concours.domain.tabulation import Level, System, has_tracks, track_steps
from concours.i18n import N_

__all__ = ["SOURCE_LABELS", "PastAward", "Track", "has_tracks", "overridden", "track_from_history", "track_steps"]


@dataclass(frozen=True)
class PastAward:
    """An award a car won at an earlier event, as recorded there."""

    award: str
    event: str
    year: int


@dataclass(frozen=True)
class Track:
    """The award a car competes for this time (``level``; None when it has won every step of the track),
    why, and where that came from: ``history`` (an award won before), ``first`` (none on record) or
    ``override`` (set by the organizer, with their reason)."""

    level: str | None
    reason: str
    source: str = "history"


SOURCE_LABELS = {  # translated where shown
    "history": N_("from an earlier award"),
    "first": N_("no earlier award on record"),
    "override": N_("set by the organizer"),
}


def _at(award: PastAward) -> str:
    """``Spring Meet 2025``: the event and its year (not twice when the name already ends with it)."""
    year = str(award.year)
    return award.event if award.event.rstrip().endswith(year) else f"{award.event} {year}"


def _names(steps: Sequence[Level]) -> str:
    names = [s.name for s in steps]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def track_from_history(system: System, past: Sequence[PastAward]) -> Track | None:
    """The track a car competes in, from the awards it won at earlier events (any order). None for a system
    without tracks. The highest step won decides; of several wins of it, the latest is named."""
    steps = track_steps(system)
    if not steps:
        return None
    index = {s.name.casefold(): i for i, s in enumerate(steps)}
    won = [(index[a.award.strip().casefold()], a) for a in past if a.award.strip().casefold() in index]
    if not won:
        return Track(
            steps[0].name,
            f"No {_names(steps)} recorded at an earlier event: competes for the {steps[0].name} award",
            "first",
        )
    top = max(i for i, _ in won)
    latest = max((a for i, a in won if i == top), key=lambda a: (a.year, a.event))
    if top + 1 < len(steps):
        following = steps[top + 1].name
        return Track(following, f"Won its {steps[top].name} at {_at(latest)}: competes for the {following} award")
    return Track(None, f"Won its {steps[top].name} at {_at(latest)}, the last award of this track")


def overridden(system: System, level: str, reason: str, by: str) -> Track:
    """The organizer's choice of track for a car, with their reason (``level`` must be a step of the track)."""
    step = next((s for s in track_steps(system) if s.name.casefold() == level.strip().casefold()), None)
    if step is None:
        raise ValueError(f"{level!r} is not an award of this track")
    return Track(step.name, f"Set by {by}: competes for the {step.name} award ({reason})", "override")
