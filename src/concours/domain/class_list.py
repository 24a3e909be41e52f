"""A list of classes pasted by an organizer, one a line: ``CODE — Name``, ``CODE, Name`` or ``CODE<tab>Name``
(two cells copied from a spreadsheet). Parsed whole before anything is added: every wrong line is named with its
number and what is wrong with it."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

MAX_CODE = 10
MAX_NAME = 200
MAX_LINES = 200
# Between the code and the name: a tab (a spreadsheet's cells) where there is one, else the first dash (em or en
# dash, or a hyphen with spaces around it: a code such as "P-2" keeps its own hyphen) or comma.
_DASH = re.compile(r"\s*[—–]\s*|\s+-\s+")
EXAMPLE = "B — Pre-War European Classics"


@dataclass(frozen=True)
class ClassLine:
    line: int  # its number in the pasted text, from 1
    code: str  # upper case, as classes are stored
    name: str


class ClassListError(ValueError):
    """The list has wrong lines; ``problems`` holds one sentence per wrong line, naming it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _split(text: str) -> tuple[str, str] | None:
    if "\t" in text:
        cells = [c.strip() for c in text.split("\t")]
        while len(cells) > 2 and not cells[-1]:
            cells.pop()  # a spreadsheet's empty cells at the end of a row
        if len(cells) > 2:
            return None
        return cells[0], cells[1]
    dash = _DASH.search(text)
    comma = text.find(",")
    if dash is not None and (comma < 0 or dash.start() <= comma):
        return text[: dash.start()].strip(), text[dash.end() :].strip()
    if comma >= 0:
        return text[:comma].strip(), text[comma + 1 :].strip()
    return None


def _is_header(code: str, name: str) -> bool:
    return code.lower() in ("code", "class", "class code") and name.lower() in ("name", "class name", "title")


def parse_class_list(text: str, existing_codes: Collection[str] = ()) -> list[ClassLine]:
    """The classes of a pasted list, in order; blank lines are skipped, and so is a first line of column
    headings (``Code, Name``). Raises :class:`ClassListError` naming every wrong line: no code or name, a code
    or name too long, a code that already exists in the event or is on an earlier line of the list."""
    existing = {c.strip().upper() for c in existing_codes}
    problems: list[str] = []
    out: list[ClassLine] = []
    seen: dict[str, int] = {}
    lines = text.splitlines()
    first = True
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        split = _split(line)
        if split is None:
            problems.append(
                f"Line {number} (“{line[:60]}”): give a code and a name separated by a dash, a comma or a tab, "
                f"e.g. “{EXAMPLE}”."
            )
            first = False
            continue
        code, name = split[0].upper(), split[1]
        if first and _is_header(code, name):
            first = False
            continue
        first = False
        wrong: list[str] = []
        if not code:
            wrong.append("the code is missing")
        elif len(code) > MAX_CODE:
            wrong.append(f"the code “{code[:20]}” is longer than {MAX_CODE} characters")
        elif any(ch.isspace() for ch in code):
            wrong.append(f"the code “{code}” has a space in it; a code is short, such as “B” or “P-2”")
        if not name:
            wrong.append("the name is missing")
        elif len(name) > MAX_NAME:
            wrong.append(f"the name is longer than {MAX_NAME} characters")
        if code and not wrong:
            if code in existing:
                wrong.append(f"class {code} already exists in this event")
            elif code in seen:
                wrong.append(f"code {code} is also on line {seen[code]}")
        if wrong:
            problems.append(f"Line {number}: {'; '.join(wrong)}.")
            continue
        seen[code] = number
        out.append(ClassLine(number, code, name))
    if not problems and not out:
        problems.append(f"Paste at least one class, one a line, e.g. “{EXAMPLE}”.")
    if len(out) > MAX_LINES:
        problems.append(f"At most {MAX_LINES} classes at a time; this list has {len(out)}.")
    if problems:
        raise ClassListError(problems)
    return out
