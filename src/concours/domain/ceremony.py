"""The ceremony's rules, pure: the default order of presentation, the short story an emcee reads, colours."""

from __future__ import annotations

import re
from dataclasses import dataclass

STORY_MAX_CHARS = 400
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class AwardToPresent:
    """What the default order needs to know about one line of the run sheet."""

    key: str
    kind: str  # class | special | best_of_show
    class_position: int = 0
    rank: int | None = None
    award_position: int = 0
    car_number: int = 0


def default_order(lines: list[AwardToPresent]) -> list[str]:
    """The usual order on the ramp: classes in class order, each from third place to first, then the special
    awards in their own order, Best of Show last. Returns the lines' keys."""

    def sort_key(line: AwardToPresent) -> tuple[int, int, int, int]:
        if line.kind == "class":
            # Third to first: a higher rank (a lower place) comes first; unranked awards (levels) before them.
            return (0, line.class_position, -(line.rank if line.rank is not None else 10_000), line.car_number)
        if line.kind == "best_of_show":
            return (2, line.award_position, 0, line.car_number)
        return (1, line.award_position, 0, line.car_number)

    return [line.key for line in sorted(lines, key=sort_key)]


def is_best_of_show(award_name: str) -> bool:
    """Best of Show (or Best in Show) closes the ceremony, whatever its place among the special awards."""
    return re.search(r"\bbest\s+(of|in)\s+show\b", award_name, re.IGNORECASE) is not None


def move(keys: list[str], key: str, direction: str) -> list[str]:
    """The order with ``key`` moved one place ``up`` or ``down`` (unchanged at either end)."""
    if key not in keys or direction not in ("up", "down"):
        return list(keys)
    out = list(keys)
    i = out.index(key)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(out):
        out[i], out[j] = out[j], out[i]
    return out


def short_story(history: str, limit: int = STORY_MAX_CHARS) -> str:
    """The first sentences of the car's history from its application, at most ``limit`` characters, cut at a
    sentence (or a word) boundary: what an emcee can read aloud in half a minute."""
    text = " ".join(history.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if end >= limit // 3:
        return cut[: end + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut).rstrip(",;:") + " …"


def valid_colour(value: str) -> bool:
    """A colour as the colour picker sends it: ``#rrggbb``."""
    return bool(_HEX_COLOUR.match(value))
