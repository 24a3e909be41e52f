"""Translations and locale formatting (concours.i18n) and the French catalog's completeness."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

import pytest
from jinja2 import Environment

from concours import i18n
from concours.i18n import (
    format_date,
    format_datetime,
    format_number,
    gettext,
    localize_decimal,
    negotiate,
    using_locale,
)

ROOT = Path(__file__).resolve().parents[2]


def _translations_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("translations_script", ROOT / "scripts" / "translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("fr", "fr"),
        ("fr-CA,fr;q=0.9,en;q=0.5", "fr"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE,de;q=0.9,fr;q=0.7", "fr"),
        ("de-DE,de;q=0.9", "en"),
        ("fr;q=0,en;q=0.5", "en"),
        ("en;q=0.2,fr;q=0.9", "fr"),
        ("fr;q=bogus,en", "en"),
        ("*", "en"),
    ],
)
def test_the_browser_language_is_negotiated(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_french_is_spoken_within_its_block_only() -> None:
    assert gettext("Sign in") == "Sign in"
    with using_locale("fr"):
        assert i18n.current_locale() == "fr"
        assert gettext("Sign in") == "Se connecter"
        assert gettext("Sign out %(name)s", name="Ann") == "Déconnecter Ann"
        assert gettext("A sentence nobody translated") == "A sentence nobody translated"
    assert i18n.current_locale() == "en"
    with using_locale("xx"):
        assert i18n.current_locale() == "en"


def test_dates_and_numbers_follow_the_locale() -> None:
    day = date(2026, 6, 14)
    assert format_date(day) == "14 June 2026"
    assert format_number(1234.5) == "1,234.5"
    assert localize_decimal("92.5") == "92.5"
    with using_locale("fr"):
        assert format_date(day) == "14 juin 2026"
        assert format_datetime(datetime(2026, 6, 14, 14, 5), "d MMMM y, HH:mm") == "14 juin 2026, 14:05"
        assert format_number(1234.5).replace("\u202f", " ") == "1 234,5"
        assert format_number(3, places=1) == "3,0"
        assert localize_decimal("92.5") == "92,5"
    assert format_date(None) == ""


def test_templates_speak_the_current_language_and_escape_what_they_fill_in() -> None:
    env = Environment(autoescape=True)
    i18n.install_jinja(env)
    source = '{% trans name=who %}Sign out {{ name }}{% endtrans %} · {{ _("Sign in") }} · {{ d|date }}'
    template = env.from_string(source)
    shown = template.render(who="<b>Ann</b>", d=date(2026, 6, 14))
    assert shown == "Sign out &lt;b&gt;Ann&lt;/b&gt; · Sign in · 14 June 2026"
    with using_locale("fr"):
        shown = template.render(who="<b>Ann</b>", d=date(2026, 6, 14))
    assert shown == "Déconnecter &lt;b&gt;Ann&lt;/b&gt; · Se connecter · 14 juin 2026"


def test_every_string_of_the_app_has_its_french_translation() -> None:
    """``scripts/translations.py missing fr`` lists what to translate when this fails."""
    script = _translations_script()
    template = script.extract()
    assert len(template) > 10  # the extraction found the templates' strings
    assert script.missing("fr", template) == []


def test_the_french_catalog_keeps_placeholders_intact() -> None:
    """A translation that drops or renames a ``%(name)s`` would fail (or say the wrong thing) when shown."""
    import re

    script = _translations_script()
    placeholder = re.compile(r"%\((\w+)\)s")
    for message in script.read_language("fr"):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(placeholder.findall(i) for i in ids))
        for text in strings:
            assert set(placeholder.findall(text)) <= wanted | {"num"}, (message.id, text)
            assert set(placeholder.findall(text)) >= {p for p in wanted if p != "num"}, (message.id, text)
