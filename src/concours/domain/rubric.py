"""Rubric math: values are integers in ``1/scale`` of a point; never floats."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from concours.i18n import gettext

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    max_units: int
    step_units: int
    mode: str = "points"  # points | deduction
    weight_percent: int = 100
    section: str | None = None
    guidance: str = ""
    id: int | None = None
    quick_deductions: tuple[tuple[str, int], ...] = field(default=())


class ScoreError(ValueError):
    """A value a sheet cannot hold; the message is for the judge."""


def format_units(units: int | Fraction | None, scale: int) -> str:
    """``925, 10 → "92.5"``; whole points print without decimals; ``None`` prints as an em dash."""
    if units is None:
        return "—"
    value = Fraction(units) / scale
    if value.denominator == 1:
        return str(value.numerator)
    places = len(str(scale)) - 1 if str(scale).strip("0") == "1" else 2
    text = f"{float(round(value, places)):.{places}f}"
    # Strip trailing zeros only after a decimal point: at scale 1 a rounded mean "90" must stay "90".
    return text.rstrip("0").rstrip(".") if places else text


def parse_points(text: str, scale: int) -> int:
    """A judge's typed points ("12.5") to units; refuses what the scale cannot hold."""
    # Plain decimals only: no exponent, infinity or NaN (which escaped as other errors, and "1e999990"
    # built a million-digit integer); exact arithmetic, so nothing finer than the scale is rounded in.
    cleaned = text.strip().replace(",", ".")
    if not _DECIMAL.fullmatch(cleaned):
        raise ScoreError(gettext("“%(text)s” is not a number", text=text))
    try:
        units = Fraction(cleaned) * scale
    except ValueError as exc:  # int()'s limit on very long digit strings
        raise ScoreError(gettext("“%(text)s” is not a number", text=text)) from exc
    if units.denominator != 1:
        raise ScoreError(
            gettext(
                "%(text)s is finer than this sheet allows (steps of %(step)s)", text=text, step=format_units(1, scale)
            )
        )
    return int(units)


def check_value(category: Category, value_units: int, scale: int) -> None:
    """Raise :class:`ScoreError` unless ``value_units`` is a score this category can hold."""
    if value_units < 0 or value_units > category.max_units:
        shown, maximum = format_units(value_units, scale), format_units(category.max_units, scale)
        raise ScoreError(
            gettext(
                "%(category)s: %(value)s is outside 0–%(maximum)s", category=category.name, value=shown, maximum=maximum
            )
        )
    # Points count up from 0 in steps; deductions count down from the maximum in steps.
    offset = value_units if category.mode == "points" else category.max_units - value_units
    if offset % category.step_units:
        raise ScoreError(
            gettext(
                "%(category)s: scores go in steps of %(step)s",
                category=category.name,
                step=format_units(category.step_units, scale),
            )
        )


def weighted(category: Category, value_units: int) -> Fraction:
    return Fraction(value_units * category.weight_percent, 100)


def sheet_max(categories: Iterable[Category]) -> Fraction:
    # Summed in whole hundredths, one Fraction at the end: as exact as adding weighted() values, and a Fraction
    # operation costs about as much as the rest of the sum (this runs on every save's answer).
    return Fraction(sum(c.max_units * c.weight_percent for c in categories), 100)


def sheet_total(categories: Iterable[Category], values: Mapping[str, int | None]) -> Fraction:
    """The weighted total of the values present (missing lines count as nothing)."""
    hundredths = 0  # as in sheet_max
    for c in categories:
        v = values.get(c.key)
        if v is not None:
            hundredths += v * c.weight_percent
    return Fraction(hundredths, 100)


def missing_lines(categories: Iterable[Category], values: Mapping[str, int | None]) -> list[str]:
    return [c.name for c in categories if values.get(c.key) is None]
