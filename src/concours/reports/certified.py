"""What a certified record says in words, in the reader's language.

A class's certified record keeps its texts as they were certified, in English (the award, how the score was
combined, why a car has no award, how a tie was broken: ``services/results.py``, ``certify_class``), because it
is hashed and must not change with who reads it. A document in another language shows them translated: each
text is matched against the English messages the domain writes it with (``domain/tabulation.py``,
``domain/placings.py``, ``domain/awards.py``) and written again, with the same values, in the current language.
A text that matches none (an award level's name, a note someone typed) is shown as it is."""

from __future__ import annotations

import re
from functools import cache

from concours.domain.tabulation import PLACE_NAMES, TIE_AWAITING, TIE_DECIDED
from concours.i18n import DEFAULT_LOCALE, N_, current_locale, gettext, localize_decimal, ngettext

# (singular, plural or None): the messages whose values vary, as the domain writes them (extracted there).
_MESSAGES: tuple[tuple[str, str | None], ...] = (
    ("sum of %(num)s section sheet", "sum of %(num)s section sheets"),
    ("mean of %(n)s sheets after dropping the highest and the lowest", None),
    (
        "mean of %(num)s sheet (fewer than 3 sheets: nothing dropped)",
        "mean of %(num)s sheets (fewer than 3 sheets: nothing dropped)",
    ),
    ("mean of %(num)s sheet", "mean of %(num)s sheets"),
    ("over-qualified: %(score)s points is above the cap of %(cap)s", None),
    ("tied for %(place)s: awaiting the chief judge's decision", None),
    ("below the minimum for a first: %(score)s points, %(short)s short of %(minimum)s", None),
    (
        "placed %(place)s: awards go to the first %(num)s place",
        "placed %(place)s: awards go to the first %(num)s places",
    ),
    ("below every award level: %(needs)s", None),
    ("%(level)s needs %(needed)s points, %(more)s more than its %(score)s", None),
    ("%(level)s needs %(percent)s%% (%(needed)s points), %(more)s more than its %(score)s", None),
    (
        "%(level)s goes to cars within %(band)s points of the class's best (%(best)s); this car is %(below)s below it",
        None,
    ),
    ("tie on score broken by category order (%(keys)s)", None),
    ("%(place)s in class", None),
    (N_("Class %(code)s, %(name)s: %(award)s"), None),  # a class award on the ceremony's run sheet
    ("%(n)sst", None),
    ("%(n)snd", None),
    ("%(n)srd", None),
    ("%(n)sth", None),
    ("Borda count of %(num)s order", "Borda count of %(num)s orders"),
    (
        "Placed %(given)s (left off %(num)s order for a conflict: credited with its average there).",
        "Placed %(given)s (left off %(num)s orders for a conflict: credited with its average there).",
    ),
    ("Placed %(given)s.", None),
    (
        "Borda count %(points)s of a possible %(possible)s, %(num)s first place.",
        "Borda count %(points)s of a possible %(possible)s, %(num)s first places.",
    ),
    ("%(place)s by %(judges)s", None),
    ("%(names)s and %(last)s", None),
    ("chosen by %(who)s", None),
    (
        "secret ballot of %(who)s, after %(num)s run-off",
        "secret ballot of %(who)s, after %(num)s run-offs",
    ),
    ("secret ballot of %(who)s", None),
    ("People's Choice, %(num)s vote from spectators", "People's Choice, %(num)s votes from spectators"),
)
_WITHOUT_VALUES = (
    *PLACE_NAMES.values(),
    TIE_AWAITING,
    TIE_DECIDED,
    "no submitted sheet",
    "team consensus sheet",
    "not judged: no submitted sheet",
    "the judging system has no award levels",
    "no award",
    "below every award level",
    "below the minimum score for a first",
    "1st",
    "display class: shown, not judged",
    "team consensus order",
    "in no judge's order",
    "equal Borda points; placed by the number of first places",
    "tied on Borda points and first places: awaiting the chief judge's decision",
    "tied on Borda points and first places (no award at stake)",
    "Not placed: no submitted order includes this car.",
    "designated",
    "the judges",
    N_("not judged: no submitted sheet (acknowledged by the chief judge at certification)"),
)
# What a value may be: counts are digits, a place is an English ordinal; the rest is any text.
_FIGURE = r"[\d.]+"
_VALUE = {
    **dict.fromkeys(("num", "n", "possible"), r"\d+"),
    **dict.fromkeys(("score", "cap", "short", "minimum", "needed", "more", "band", "best", "below"), _FIGURE),
    **dict.fromkeys(("points", "percent", "total"), _FIGURE),
    "place": r"\d+(?:st|nd|rd|th)",
    **dict.fromkeys(("judges", "names", "last"), r"[^;]+"),
    "level": r"[^;]+?",
    "name": r".+",  # a class's name may hold ": " itself (Hemmings Cup: French-style); the award follows the last
}
# Values that are data (names people typed), shown as they are; numbers are written the reader's way.
_DATA = {"level", "keys", "code", "name", "names", "last"}
_NUMBER = re.compile(r"[\d.]+")


@cache
def _patterns() -> list[tuple[re.Pattern[str], str, str | None]]:
    out = []
    for singular, plural in _MESSAGES:
        for form in (singular, plural) if plural else (singular,):
            regex, seen = "", set()
            for piece in re.split(r"(%\(\w+\)s|%%)", form):
                name = re.fullmatch(r"%\((\w+)\)s", piece)
                if name and name.group(1) in seen:
                    regex += f"(?P={name.group(1)})"
                elif name:
                    seen.add(name.group(1))
                    regex += f"(?P<{name.group(1)}>{_VALUE.get(name.group(1), '.+?')})"
                else:
                    regex += "%" if piece == "%%" else re.escape(piece)
            out.append((re.compile(regex), singular, plural))
    return out


def _value(name: str, value: str) -> str:
    if name in _DATA:
        return value
    if _NUMBER.fullmatch(value):
        return localize_decimal(value)
    return _translate(value)


def _direct(text: str) -> str | None:
    """``text`` translated when it is one message as the domain writes it, else None."""
    if text in _WITHOUT_VALUES:
        return gettext(text)
    for regex, singular, plural in _patterns():
        found = regex.fullmatch(text)
        if found is None:
            continue
        values = {k: _value(k, v) for k, v in found.groupdict().items() if k != "num"}
        if plural is not None:
            return ngettext(singular, plural, int(found.group("num")), **values)
        return gettext(singular, **values)
    return None


def _translate(text: str) -> str:
    if not text:
        return text
    sentences = re.split(r"(?<=\.) (?=[A-Z])", text)  # an explanation in sentences
    if len(sentences) > 1:
        return " ".join(_sentence(s) for s in sentences)
    direct = _direct(text)
    if direct is not None:
        return direct
    # Texts put together: a method and its explanation, a list of reasons or places (a reason may hold "; ").
    head, sep, tail = text.partition(": ")
    if sep and _translate(head) != head:
        return gettext("%(method)s: %(explanation)s", method=_translate(head), explanation=_translate(tail))
    if "; " in text:
        parts, out, i = text.split("; "), [], 0
        while i < len(parts):
            for j in range(i + 1, len(parts) + 1):
                found = _direct("; ".join(parts[i:j]))
                if found is not None:
                    out.append(found)
                    i = j
                    break
            else:
                out.append(_translate(parts[i]))
                i += 1
        return "; ".join(out)
    if text.endswith(")") and " (" in text:  # a tie note with the chief judge's reason (data)
        note, _, reason = text[:-1].partition(" (")
        if _translate(note) != note:
            return f"{_translate(note)} ({reason})"
    return text


def _sentence(text: str) -> str:
    """A sentence of an explanation; a tie note ends one capitalised (``Tie broken by ... .``)."""
    translated = _translate(text)
    if translated != text or not text.endswith("."):
        return translated
    note = text[:1].lower() + text[1:-1]
    again = _translate(note)
    return f"{again[:1].upper()}{again[1:]}." if again != note else text


def certified_text(text: str) -> str:
    """``text`` from a certified record (written in English) in the current language."""
    if current_locale() == DEFAULT_LOCALE:
        return text
    return _translate(text)
