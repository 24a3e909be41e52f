"""Sentences the domain tells people (a rule a plan breaks, why no plan exists): each is its English text — the
``str`` it is, for logs, tests and comparisons — and the template and parameters a page writes it with in the
reader's language, naming judges by name (:func:`localize`). No sentence is rebuilt by matching English text.

In the domain: ``Message(N_("class %(code)s: team of %(size)s"), code="B", size=5)``; a count that changes the
words: ``Message.counted(N_p("%(num)s judge", "%(num)s judges"), 3)``; a judge: ``JudgeRef(12)`` (English
"12" after the word "judge", as the domain has always written it; a page writes the judge's name); a list:
``Listing([...])`` ("a, b and c")."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from concours.i18n import N_, raw_gettext, raw_ngettext


def N_p(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - a marker, like N_
    """Mark a singular/plural pair for extraction (``scripts/translations.py``); translated where shown."""
    return singular, plural


@dataclass(frozen=True)
class JudgeRef:
    """A judge in a sentence: their id in English text (``judge 12``), their name on a page."""

    id: int

    def __str__(self) -> str:
        return str(self.id)


def _plural_index(count: int) -> int:
    return 0 if count == 1 else 1


class Message(str):
    """A sentence: English as its ``str`` value, with what it takes to write it in another language."""

    template: str
    plural: str | None
    number: int | None
    params: Mapping[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Message:
        return cls._make(template, None, None, params)

    @classmethod
    def counted(cls, forms: tuple[str, str], count: int, /, **params: Any) -> Message:
        """A sentence whose words follow ``count`` (``%(num)s`` in the templates)."""
        return cls._make(forms[0], forms[1], count, {"num": count, **params})

    @classmethod
    def _make(cls, template: str, plural: str | None, count: int | None, params: Mapping[str, Any]) -> Message:
        english = plural if plural is not None and count is not None and _plural_index(count) else template
        self = super().__new__(cls, english % {k: str(v) for k, v in params.items()})
        self.template, self.plural, self.number, self.params = template, plural, count, dict(params)
        return self

    def mentions(self, name: str, value: object) -> bool:
        """Whether the parameter ``name`` of this sentence (or of one inside it) is ``value``."""
        if self.params.get(name) == value:
            return True
        return any(isinstance(v, Message | Listing) and v.mentions(name, value) for v in self.params.values())


class Listing(str):
    """Items joined as a list reads: ``a, b and c``."""

    items: tuple[Any, ...]

    def __new__(cls, items: Iterable[Any]) -> Listing:
        kept = tuple(items)
        words = [str(i) for i in kept]
        english = words[0] if len(words) == 1 else (", ".join(words[:-1]) + " and " + words[-1] if words else "")
        self = super().__new__(cls, english)
        self.items = kept
        return self

    def mentions(self, name: str, value: object) -> bool:
        return any(isinstance(i, Message | Listing) and i.mentions(name, value) for i in self.items)


def localize(value: Any, judge_name: Callable[[int], str] = str) -> str:
    """``value`` written in the current language: a :class:`Message` translated with its parameters written
    the same way, a :class:`JudgeRef` as ``judge_name(id)``; any other value as its text."""
    if isinstance(value, Message):
        params = {k: localize(v, judge_name) for k, v in value.params.items()}
        if value.plural is not None and value.number is not None:
            text = raw_ngettext(value.template, value.plural, value.number)
        else:
            text = raw_gettext(value.template)
        return text % params
    if isinstance(value, Listing):
        words = [localize(i, judge_name) for i in value.items]
        if len(words) <= 1:
            return "".join(words)
        return raw_gettext(N_("%(items)s and %(last)s")) % {"items": ", ".join(words[:-1]), "last": words[-1]}
    if isinstance(value, JudgeRef):
        return judge_name(value.id)
    return str(value)
