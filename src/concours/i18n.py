"""Translations and locale formatting: English is the source language, French ships with the app.

Every layer may use this module (like :mod:`concours.settings`): it holds no state of the app, only the catalogs
and the locale of what is being answered now. The locale is chosen per request (the visitor's choice in a cookie,
else their browser's ``Accept-Language``; see :class:`LocaleMiddleware` in ``web/locale.py``) and kept in a context
variable, so templates, services and reports rendered for that request all speak its language.

- Templates: ``{% trans %}Text with {{ name }}{% endtrans %}`` or ``{{ _("Text") }}`` (Jinja2's i18n extension,
  new-style: ``_("Hello %(name)s", name=n)``).
- Python: ``from concours.i18n import gettext as _`` for text made while answering; ``N_("Text")`` marks a
  constant for extraction without translating it (translate where it is shown: ``{{ _(label) }}``).
- Dates and numbers: :func:`format_date`, :func:`format_datetime`, :func:`format_number` (filters ``date``,
  ``datetime``, ``number`` in templates).

Catalogs live in ``locale/<lang>/LC_MESSAGES/messages.po`` inside the package and are compiled in memory when
first used; ``scripts/translations.py`` extracts the strings and updates the catalogs (see the README)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import cache
from typing import Any

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment

from concours.resources import resource_dir

DEFAULT_LOCALE = "en"
# The languages the app speaks, each named in its own language (for the language menu).
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}
LOCALE_COOKIE = "concours_lang"

_current: ContextVar[str] = ContextVar("concours_locale", default=DEFAULT_LOCALE)


def N_(message: str) -> str:  # noqa: N802 - the conventional name of the no-op marker
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


def current_locale() -> str:
    return _current.get()


def set_locale(code: str) -> None:
    """Answer the rest of this request (this context) in ``code``; unknown codes fall back to English."""
    _current.set(code if code in LANGUAGES else DEFAULT_LOCALE)


@contextmanager
def using_locale(code: str) -> Iterator[None]:
    """Within the block, speak ``code`` (e.g. an e-mail in its reader's language, or a test)."""
    token = _current.set(code if code in LANGUAGES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def negotiate(accept_language: str | None) -> str:
    """The best of :data:`LANGUAGES` for an ``Accept-Language`` header (``fr-CA,fr;q=0.9,en;q=0.5`` → ``fr``)."""
    if not accept_language:
        return DEFAULT_LOCALE
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        wanted.append((-quality, position, tag.strip().lower().replace("_", "-")))
    for quality, _, tag in sorted(wanted):
        if quality >= 0:  # q=0 means "not this one"
            continue
        base = tag.split("-", 1)[0]
        if base in LANGUAGES:
            return base
    return DEFAULT_LOCALE


@cache
def translations(code: str) -> NullTranslations:
    """The compiled catalog for ``code`` (English: none, the source text is the message). Part files beside
    ``messages.po`` (kept while several people translate at once) fill its gaps."""
    folder = resource_dir("locale") / code / "LC_MESSAGES"
    if code == DEFAULT_LOCALE or not folder.is_dir():
        return NullTranslations()
    files = sorted(folder.glob("*.po"), key=lambda p: (p.name != "messages.po", p.name))
    catalog = None
    for path in files:
        with path.open("rb") as source:
            part = read_po(source, locale=code)
        if catalog is None:
            catalog = part
            continue
        for message in part:
            existing = catalog.get(message.id, context=message.context)
            if message.id and message.string and (existing is None or not existing.string):
                catalog[message.id] = message
    if catalog is None:
        return NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


def raw_gettext(message: str) -> str:
    """``message`` in the current language, placeholders untouched (for Jinja2, which fills and escapes them)."""
    return translations(current_locale()).gettext(message)


def raw_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def raw_pgettext(context: str, message: str) -> str:
    return str(translations(current_locale()).pgettext(context, message))


def gettext(message: str, **variables: Any) -> str:
    """``message`` in the current language, with ``%(name)s`` placeholders filled from ``variables``."""
    text = translations(current_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """The singular or plural form for ``n`` in the current language; ``%(num)s`` is ``n``."""
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def pgettext(context: str, message: str, **variables: Any) -> str:
    """``message`` in ``context`` (the same English word meaning two things), in the current language."""
    text = raw_pgettext(context, message)
    return text % variables if variables else text


# How each language writes dates and numbers: English as the app always has (14 June 2026, 1,234.5).
_FORMATS = {"en": "en_GB", "fr": "fr_FR"}


def _locale() -> Locale:
    return Locale.parse(_FORMATS.get(current_locale(), current_locale()))


def format_date(value: date | datetime | None, form: str = "long") -> str:
    """``14 June 2026`` / ``14 juin 2026`` (``form``: short, medium, long, full, or a CLDR pattern)."""
    if value is None:
        return ""
    return dates.format_date(value, format=form, locale=_locale())


def format_datetime(value: datetime | None, form: str = "medium") -> str:
    """A date and time of day in the current language (``form``: short, medium, long, or a CLDR pattern)."""
    if value is None:
        return ""
    return dates.format_datetime(value, format=form, locale=_locale())


def format_time(value: datetime | time | None, form: str = "short") -> str:
    """A time of day: ``2:05 PM`` / ``14:05``."""
    if value is None:
        return ""
    return dates.format_time(value, format=form, locale=_locale())


def format_number(value: float | int | None, places: int | None = None) -> str:
    """``1,234.5`` / ``1 234,5``; ``places`` fixes the number of decimals."""
    if value is None:
        return "—"
    if places is None:
        return numbers.format_decimal(value, locale=_locale())
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return numbers.format_decimal(value, format=pattern, locale=_locale())


def localize_decimal(text: str) -> str:
    """A number already written with a decimal point (``"92.5"``) in the current language (``"92,5"``)."""
    symbol = numbers.get_decimal_symbol(_locale())
    return text.replace(".", symbol) if symbol != "." else text


def install_jinja(env: Environment) -> None:
    """Jinja2's i18n extension on ``env``, speaking the current request's language; also the locale filters
    ``date``, ``datetime``, ``time`` and ``number`` and the globals the language menu needs."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        raw_gettext, raw_ngettext, newstyle=True, pgettext=raw_pgettext
    )
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["time"] = format_time
    env.filters["number"] = format_number
    env.globals["current_locale"] = current_locale
    env.globals["languages"] = LANGUAGES
