"""Cells for CSV and spreadsheet exports that a spreadsheet shows as text, never runs as a formula.

The OWASP rule for CSV injection: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``, which spreadsheets take as "this is text" and do not display. Every export
writes its cells through :func:`safe_cell` (or :func:`csv_text`); imports read them back with
:func:`unescape_cell`, so an exported file imports unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that would start a formula, prefixed with ``'``; numbers and empty cells as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The text :func:`safe_cell` was given (for importing a file this app exported)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_text(rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> str:
    """A CSV file (header, CRLF lines) of ``rows`` with every cell made safe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return out.getvalue()
