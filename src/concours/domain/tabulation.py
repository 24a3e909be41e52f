"""Tabulation: how submitted sheets become a class's ranking and awards.

Everything here is configuration-driven (:class:`System`), pure and deterministic: the same
sheets give the same result whatever order they arrive in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from concours.domain.rubric import format_units
from concours.i18n import N_, gettext, localize_decimal, ngettext

if TYPE_CHECKING:
    from concours.domain.tracks import Track

COMBINES = ("mean", "mean_drop_high_low", "sum", "consensus")
SHEET_MODES = ("individual", "team", "section")
AWARD_RULES = ("places", "levels")
# points: score sheets tabulated here; placings: judges order the cars (concours.domain.placings).
METHODS = ("points", "placings")


@dataclass(frozen=True)
class SheetScore:
    """A submitted sheet reduced to numbers: its total and per-category points (weighted units)."""

    sheet_id: int
    judge: str
    total: Fraction
    by_category: Mapping[str, Fraction] = field(default_factory=dict)
    section: str = ""


@dataclass(frozen=True)
class Level:
    name: str
    min_units: int | None = None
    min_permille: int | None = None
    band_units: int | None = None


@dataclass(frozen=True)
class System:
    sheet_mode: str = "individual"
    combine: str = "mean"
    award_rule: str = "places"
    places: int = 3
    min_units_for_first: int | None = None
    cap_units: int | None = None
    tie_break_keys: tuple[str, ...] = ()
    levels: tuple[Level, ...] = ()
    max_units: Fraction = Fraction(0)
    method: str = "points"
    scale: int = 1  # units per point of the sheet: every reason is written in points, as the judges entered them
    # The levels form a track (concours.domain.tracks): a car competes only for the level after the one it has won.
    award_tracks: bool = False


@dataclass
class EntryResult:
    entry_id: int
    score: Fraction | None
    by_category: dict[str, Fraction]
    counted: list[int]
    dropped: list[int]
    combine_note: str
    rank: int | None = None
    award: str = ""
    ineligible: str = ""
    tie_note: str = ""
    unresolved_tie: bool = False
    no_award: str = ""  # why a car has no award, in points (empty for a car with one)
    # With award tracks: the award the car competes for (None: none left) and why, in words.
    track_level: str | None = None
    track: str = ""


def has_tracks(system: System) -> bool:
    """Whether ``system``'s award levels form a track (levels rule, marked as a track, at least one level)."""
    return system.award_tracks and system.award_rule == "levels" and bool(system.levels)


def track_steps(system: System) -> tuple[Level, ...]:
    """The track's steps, easiest first (the levels are listed hardest first); empty without a track."""
    return tuple(reversed(system.levels)) if has_tracks(system) else ()


# Tie notes the services recognise (they add the chief judge's reason to a decided one).
TIE_AWAITING = N_("tied: awaiting the chief judge's decision")
TIE_DECIDED = N_("tie broken by the chief judge's recorded decision")


def plural(n: int, noun: str) -> str:
    """``1 sheet``, ``3 sheets``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def _mean_by_category(sheets: Sequence[SheetScore]) -> dict[str, Fraction]:
    keys = sorted({k for s in sheets for k in s.by_category})
    return {k: _mean([s.by_category.get(k, Fraction(0)) for s in sheets]) for k in keys}


def combine(
    system: System, sheets: Iterable[SheetScore]
) -> tuple[Fraction | None, dict[str, Fraction], list[int], list[int], str]:
    """Combine one entry's submitted sheets: (score, per-category, counted ids, dropped ids, note)."""
    ordered = sorted(sheets, key=lambda s: s.sheet_id)
    if not ordered:
        return None, {}, [], [], gettext("no submitted sheet")
    if system.combine == "sum" or system.sheet_mode == "section":
        by_section: dict[str, list[SheetScore]] = defaultdict(list)
        for s in ordered:
            by_section[s.section].append(s)
        score = sum((_mean([s.total for s in group]) for group in by_section.values()), Fraction(0))
        cats: dict[str, Fraction] = {}
        for group in by_section.values():
            cats.update(_mean_by_category(group))
        note = ngettext("sum of %(num)s section sheet", "sum of %(num)s section sheets", len(by_section))
        return score, cats, [s.sheet_id for s in ordered], [], note
    if system.combine == "mean_drop_high_low" and len(ordered) >= 3:
        by_total = sorted(ordered, key=lambda s: (s.total, s.sheet_id))
        dropped = [by_total[0], by_total[-1]]
        counted = by_total[1:-1]
        note = gettext("mean of %(n)s sheets after dropping the highest and the lowest", n=len(counted))
        return (
            _mean([s.total for s in counted]),
            _mean_by_category(counted),
            sorted(s.sheet_id for s in counted),
            sorted(s.sheet_id for s in dropped),
            note,
        )
    if system.combine == "consensus" and len(ordered) == 1:
        note = gettext("team consensus sheet")
    elif system.combine == "mean_drop_high_low":
        note = ngettext(
            "mean of %(num)s sheet (fewer than 3 sheets: nothing dropped)",
            "mean of %(num)s sheets (fewer than 3 sheets: nothing dropped)",
            len(ordered),
        )
    else:
        note = ngettext("mean of %(num)s sheet", "mean of %(num)s sheets", len(ordered))
    return _mean([s.total for s in ordered]), _mean_by_category(ordered), [s.sheet_id for s in ordered], [], note


def _tie_key(result: EntryResult, keys: Sequence[str]) -> tuple[Fraction, ...]:
    return tuple(result.by_category.get(k, Fraction(0)) for k in keys)


def tabulate_class(
    system: System,
    sheets_by_entry: Mapping[int, Sequence[SheetScore]],
    decisions: Iterable[tuple[int, int]] = (),
    tracks: Mapping[int, Track] | None = None,
) -> list[EntryResult]:
    """Rank one class. ``decisions`` are chief-judge tie decisions as (winner entry, loser entry). With award
    tracks, ``tracks`` gives each car's track (a car without one competes for the track's first level)."""
    decided = set(decisions)
    results: list[EntryResult] = []
    steps = track_steps(system)
    for entry_id in sorted(sheets_by_entry):
        score, cats, counted, dropped, note = combine(system, sheets_by_entry[entry_id])
        r = EntryResult(entry_id, score, cats, counted, dropped, note)
        if has_tracks(system):
            track = (tracks or {}).get(entry_id)
            r.track_level = track.level if track is not None else steps[0].name
            r.track = track.reason if track is not None else f"competes for the {steps[0].name} award"
        if score is not None and system.cap_units is not None and score > system.cap_units:
            r.ineligible = gettext(
                "over-qualified: %(score)s points is above the cap of %(cap)s",
                score=_points(system, score),
                cap=_points(system, system.cap_units),
            )
        results.append(r)

    eligible = [r for r in results if r.score is not None and not r.ineligible]
    eligible.sort(key=lambda r: (-r.score, r.entry_id))  # type: ignore[operator]
    ordered: list[list[EntryResult]] = []  # groups that share a rank
    i = 0
    while i < len(eligible):
        j = i
        while j < len(eligible) and eligible[j].score == eligible[i].score:
            j += 1
        ordered.extend(_break_ties(eligible[i:j], system.tie_break_keys, decided))
        i = j
    rank = 1
    shared = system.award_rule == "levels"  # levels are shared: an equal score is not a tie to decide
    for group in ordered:
        for r in group:
            r.rank = rank
            if len(group) > 1 and not shared:
                r.unresolved_tie = True
                r.tie_note = gettext(TIE_AWAITING)
        rank += len(group)
    _award(system, ordered, eligible)
    for r in results:
        r.no_award = "" if r.award else why_no_award(system, r, eligible)
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.entry_id))


def _points(system: System, units: int | Fraction) -> str:
    """Points in a reason people read, as their language writes a decimal."""
    return localize_decimal(format_units(units, system.scale))


def why_no_award(system: System, r: EntryResult, eligible: Sequence[EntryResult]) -> str:
    """Why this car has no award, in points of the sheet: not judged, over a cap, tied awaiting a decision,
    below the minimum for a first, placed after the awarded places, or short of every level (by how much)."""
    if r.award:
        return ""
    if r.score is None:
        return r.ineligible or gettext("not judged: no submitted sheet")
    if r.unresolved_tie:
        return gettext("tied for %(place)s: awaiting the chief judge's decision", place=ordinal(r.rank or 0))
    if r.rank == 1 and system.min_units_for_first is not None and r.score < system.min_units_for_first:
        short = system.min_units_for_first - r.score
        return gettext(
            "below the minimum for a first: %(score)s points, %(short)s short of %(minimum)s",
            score=_points(system, r.score),
            short=_points(system, short),
            minimum=_points(system, system.min_units_for_first),
        )
    if r.ineligible:
        return r.ineligible
    if system.award_rule == "levels":
        if not system.levels:
            return gettext("the judging system has no award levels")
        high = max(e.score for e in eligible if e.score is not None)
        if system.award_tracks:
            level = next((lv for lv in system.levels if lv.name == r.track_level), None)
            if level is None:
                return "none left to compete for: " + _lower_first(r.track)
            return _short_of_tracked(system, level, r.score, high)
        return _short_of_level(system, system.levels[-1], r.score, high)
    if r.rank is not None and r.rank > system.places:
        return ngettext(
            "placed %(place)s: awards go to the first %(num)s place",
            "placed %(place)s: awards go to the first %(num)s places",
            system.places,
            place=ordinal(r.rank),
        )
    return gettext("no award")


def _short_of_level(system: System, level: Level, score: Fraction, high: Fraction) -> str:
    """Why ``score`` misses ``level`` (the least demanding one: missing it means missing all)."""
    needs: list[str] = []
    if level.min_units is not None and score < level.min_units:
        needs.append(
            gettext(
                "%(level)s needs %(needed)s points, %(more)s more than its %(score)s",
                level=level.name,
                needed=_points(system, level.min_units),
                more=_points(system, level.min_units - score),
                score=_points(system, score),
            )
        )
    if level.min_permille is not None and system.max_units and score * 1000 < level.min_permille * system.max_units:
        floor = Fraction(level.min_permille * system.max_units, 1000)
        needs.append(
            gettext(
                "%(level)s needs %(percent)s%% (%(needed)s points), %(more)s more than its %(score)s",
                level=level.name,
                percent=localize_decimal(f"{level.min_permille / 10:g}"),
                needed=_points(system, floor),
                more=_points(system, floor - score),
                score=_points(system, score),
            )
        )
    if level.band_units is not None and score < high - level.band_units:
        needs.append(
            gettext(
                "%(level)s goes to cars within %(band)s points of the class's best (%(best)s); "
                "this car is %(below)s below it",
                level=level.name,
                band=_points(system, level.band_units),
                best=_points(system, high),
                below=_points(system, high - score),
            )
        )
    if needs:
        return gettext("below every award level: %(needs)s", needs="; ".join(needs))
    return gettext("below every award level")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _short_of_tracked(system: System, level: Level, score: Fraction, high: Fraction) -> str:
    """Why a car on ``level``'s track misses it, in points: below its minimum, outside its band (by how much)."""
    misses: list[str] = []
    if level.min_units is not None and score < level.min_units:
        misses.append(f"{_points(system, score)} is below its minimum of {_points(system, level.min_units)}")
    if level.min_permille is not None and system.max_units and score * 1000 < level.min_permille * system.max_units:
        floor = Fraction(level.min_permille * system.max_units, 1000)
        misses.append(
            f"{_points(system, score)} is below its minimum of {level.min_permille / 10:g}% ({_points(system, floor)})"
        )
    if level.band_units is not None and score < high - level.band_units:
        misses.append(
            f"{_points(system, score)} is {_points(system, high - score)} below the class's best "
            f"({_points(system, high)}), more than the {_points(system, level.band_units)} its band allows"
        )
    return f"competes for the {level.name} award: " + ("; ".join(misses) if misses else "not reached")


def _break_ties(
    group: list[EntryResult], keys: Sequence[str], decided: set[tuple[int, int]]
) -> list[list[EntryResult]]:
    if len(group) == 1:
        return [group]
    by_key: dict[tuple[Fraction, ...], list[EntryResult]] = defaultdict(list)
    for r in group:
        by_key[_tie_key(r, keys)].append(r)
    out: list[list[EntryResult]] = []
    for key in sorted(by_key, reverse=True):
        sub = sorted(by_key[key], key=lambda r: r.entry_id)
        if len(by_key) > 1:
            for r in sub:
                r.tie_note = gettext("tie on score broken by category order (%(keys)s)", keys=", ".join(keys))
        if len(sub) > 1:
            out.extend(_decide(sub, decided))
        else:
            out.append(sub)
    return out


def _decide(group: list[EntryResult], decided: set[tuple[int, int]]) -> list[list[EntryResult]]:
    """Order a tied group by the chief judge's decisions: an entry recorded as beating every other
    remaining entry takes the next place, and so on; whatever is left undecided stays tied."""
    remaining = sorted(group, key=lambda r: r.entry_id)
    out: list[list[EntryResult]] = []
    while len(remaining) > 1:
        ids = [r.entry_id for r in remaining]
        top = [r for r in remaining if all((r.entry_id, o) in decided for o in ids if o != r.entry_id)]
        if len(top) != 1:
            break
        top[0].tie_note = gettext(TIE_DECIDED)
        out.append(top)
        remaining = [r for r in remaining if r is not top[0]]
    if len(remaining) == 1 and out:
        remaining[0].tie_note = gettext(TIE_DECIDED)
    if remaining:
        out.append(remaining)
    return out


# The awards of the first places, in the language of the answer (a certified record keeps them in English, as
# certified: a document translates them where it shows them, ``gettext(award)``).
PLACE_NAMES = {1: N_("1st in class"), 2: N_("2nd in class"), 3: N_("3rd in class")}
_ORDINALS = {"st": N_("%(n)sst"), "nd": N_("%(n)snd"), "rd": N_("%(n)srd"), "th": N_("%(n)sth")}


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``23rd`` / ``1er``, ``2e``, ``23e``."""
    if n == 1:
        return gettext("1st")
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return gettext(_ORDINALS[suffix], n=n)


def place_name(n: int) -> str:
    if n in PLACE_NAMES:
        return gettext(PLACE_NAMES[n])
    return gettext("%(place)s in class", place=ordinal(n))


def _award(system: System, ordered: list[list[EntryResult]], eligible: list[EntryResult]) -> None:
    if not eligible:
        return
    if system.award_rule == "levels":
        high = max(r.score for r in eligible if r.score is not None)
        for r in eligible:
            if system.award_tracks:  # only the level of the car's track
                own = next((lv for lv in system.levels if lv.name == r.track_level), None)
                if own is not None and _meets(system, own, r.score, high):  # type: ignore[arg-type]
                    r.award = own.name
                continue
            for level in system.levels:
                if _meets(system, level, r.score, high):  # type: ignore[arg-type]
                    r.award = level.name
                    break
        return
    for group in ordered:
        for r in group:
            if r.unresolved_tie or r.rank is None or r.rank > system.places:
                continue
            if r.rank == 1 and system.min_units_for_first is not None and r.score < system.min_units_for_first:  # type: ignore[operator]
                r.ineligible = r.ineligible or gettext("below the minimum score for a first")
                continue
            r.award = place_name(r.rank)


def _meets(system: System, level: Level, score: Fraction, high: Fraction) -> bool:
    if level.min_units is not None and score < level.min_units:
        return False
    if level.min_permille is not None and (
        system.max_units == 0 or score * 1000 < level.min_permille * system.max_units
    ):
        return False
    return not (level.band_units is not None and score < high - level.band_units)
