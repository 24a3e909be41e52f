"""The audit helper records only real changes: the changed fields, and nothing when nothing changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from concours.services.audit import changes, plain, snapshot


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param({"a": 1, "b": "x"}, {"a": 1, "b": "x"}, None, id="nothing changed"),
        pytest.param({"a": 1, "b": "x"}, {"a": 2, "b": "x"}, ({"a": 1}, {"a": 2}), id="one field"),
        pytest.param({"a": 1}, {"a": 1, "b": 2}, ({"b": None}, {"b": 2}), id="a field only after"),
        pytest.param({"a": 1, "b": 2}, {"a": 1}, ({"b": 2}, {"b": None}), id="a field only before"),
        pytest.param(None, {"a": 1}, (None, {"a": 1}), id="new: everything"),
        pytest.param({"k": [1, 2]}, {"k": (1, 2)}, None, id="a tuple equals the list"),
        pytest.param({"m": {1: "x"}}, {"m": {"1": "x"}}, None, id="keys as text, as JSON stores them"),
        pytest.param({"m": {"1": "x"}}, {"m": {"1": "y"}}, ({"m": {"1": "x"}}, {"m": {"1": "y"}}), id="nested"),
        pytest.param({"d": date(2027, 6, 12)}, {"d": "2027-06-12"}, None, id="dates as ISO text"),
        pytest.param({"n": None}, {"n": 0}, ({"n": None}, {"n": 0}), id="None is not 0"),
    ],
)
def test_changes_keeps_only_what_differs(
    before: dict[str, Any] | None, after: dict[str, Any], expected: tuple[Any, Any] | None
) -> None:
    assert changes(before, after) == expected


def test_snapshot_reads_plain_values() -> None:
    class Thing:
        name = "Gold"
        at = datetime(2027, 6, 12, 9, 30, tzinfo=UTC)
        tags = frozenset({"b", "a"})

    assert snapshot(Thing(), ("name", "at", "tags")) == {
        "name": "Gold",
        "at": "2027-06-12T09:30:00+00:00",
        "tags": ["a", "b"],
    }
    assert plain({"x": (1, {2: date(2027, 1, 2)})}) == {"x": [1, {"2": "2027-01-02"}]}
