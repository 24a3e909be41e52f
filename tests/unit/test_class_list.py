"""The pasted list of classes (domain.class_list), line by line: what is taken, and what each wrong line says."""

from __future__ import annotations

import pytest

from concours.domain.class_list import ClassLine, ClassListError, parse_class_list


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B — Pre-War European Classics", [("B", "Pre-War European Classics")]),
        ("B—Pre-War", [("B", "Pre-War")]),
        ("b – Pre-War", [("B", "Pre-War")]),  # en dash; the code in upper case
        ("P-2 - Sports Racing", [("P-2", "Sports Racing")]),  # a hyphen with spaces; the code keeps its own
        ("P-2, Sports Racing", [("P-2", "Sports Racing")]),
        ("C, Open Cars, 1930-1939", [("C", "Open Cars, 1930-1939")]),  # the first comma separates
        ("D — Coupés, Post-War", [("D", "Coupés, Post-War")]),  # the first separator wins
        ("E, Pre-War — European", [("E", "Pre-War — European")]),
        ("F\tFerrari Sports Cars", [("F", "Ferrari Sports Cars")]),  # spreadsheet cells
        ("G\tGrand Tourers, 1950s\t\t", [("G", "Grand Tourers, 1950s")]),  # empty cells at the end
        ("Code\tName\nH\tHot Rods", [("H", "Hot Rods")]),  # a heading row
        ("Code, Name\nH, Hot Rods", [("H", "Hot Rods")]),
        (
            "\n  A — American Classics  \n\n\r\nB, British Sports\n",
            [("A", "American Classics"), ("B", "British Sports")],
        ),
    ],
)
def test_valid_lists(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(c.code, c.name) for c in parse_class_list(text)] == expected


def test_line_numbers_count_blank_lines() -> None:
    assert parse_class_list("\nA — One\n\nB — Two") == [ClassLine(2, "A", "One"), ClassLine(4, "B", "Two")]


@pytest.mark.parametrize(
    ("text", "existing", "problems"),
    [
        (
            "A — One\nJust a name",
            (),
            [
                "Line 2 (“Just a name”): give a code and a name separated by a dash, a comma or a tab, "
                "e.g. “B — Pre-War European Classics”."
            ],
        ),
        (" — Nameless", (), ["Line 1: the code is missing."]),
        ("A, ", (), ["Line 1: the name is missing."]),
        ("LONGERTHAN10 — Name", (), ["Line 1: the code “LONGERTHAN10” is longer than 10 characters."]),
        (
            "Pre War, Classics",
            (),
            ["Line 1: the code “PRE WAR” has a space in it; a code is short, such as “B” or “P-2”."],
        ),
        ("A — " + "n" * 201, (), ["Line 1: the name is longer than 200 characters."]),
        (
            "A\tOne\tthree",
            (),
            [
                "Line 1 (“A\tOne\tthree”): give a code and a name separated by a dash, a comma or a "
                "tab, e.g. “B — Pre-War European Classics”."
            ],
        ),
        ("B — Pre-War", ("b",), ["Line 1: class B already exists in this event."]),
        ("A — One\nC — Two\na — Three", (), ["Line 3: code A is also on line 1."]),
        ("", (), ["Paste at least one class, one a line, e.g. “B — Pre-War European Classics”."]),
        ("  \n\n", (), ["Paste at least one class, one a line, e.g. “B — Pre-War European Classics”."]),
        (
            "A — One\nX\nB — Two\nA — Again\n — \nC — Three",
            ("C",),
            [
                "Line 2 (“X”): give a code and a name separated by a dash, a comma or a tab, "
                "e.g. “B — Pre-War European Classics”.",
                "Line 4: code A is also on line 1.",
                "Line 5: the code is missing; the name is missing.",
                "Line 6: class C already exists in this event.",
            ],
        ),
    ],
)
def test_wrong_lines_are_named(text: str, existing: tuple[str, ...], problems: list[str]) -> None:
    with pytest.raises(ClassListError) as caught:
        parse_class_list(text, existing)
    assert caught.value.problems == problems


def test_too_many_classes() -> None:
    text = "\n".join(f"K{n} — Class {n}" for n in range(201))
    with pytest.raises(ClassListError) as caught:
        parse_class_list(text)
    assert caught.value.problems == ["At most 200 classes at a time; this list has 201."]
