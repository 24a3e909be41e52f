"""Every word a template shows is ready for translation: text and the attributes people read (``title``, ``alt``,
``placeholder``, ``aria-label``, ``data-confirm``, a button's ``value``) sit inside ``{% trans %}`` or ``_()``.

The check removes translated blocks, Jinja2 tags, expressions and comments, then reads what HTML is left: any
word of two or more letters is English nobody can translate. Names that are the same in every language (the
brand, units, file formats) are listed in ``SAME_IN_EVERY_LANGUAGE``."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "data-confirm", "aria-description"}
SAME_IN_EVERY_LANGUAGE = {"Concours", "PDF", "CSV", "QR", "SVG", "UTC", "KB", "MB", "URL", "ID", "OK", "px"}
WORD = re.compile(r"[^\W\d_]{2,}")

_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_TRANS = re.compile(r"\{%-?\s*trans\b.*?%\}.*?\{%-?\s*endtrans\s*-?%\}", re.S)
_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
# A print template's CSS comes in blocks the print base puts inside its <style> (``reports/_print_base.html``).
_CSS_BLOCK = re.compile(r"\{%-?\s*block\s+(?:style|page_size|page_margin)\s*-?%\}.*?\{%-?\s*endblock\s*-?%\}", re.S)


def untranslated(source: str) -> list[str]:
    """The pieces of ``source`` a visitor would read in English whatever their language."""
    html = _TAG.sub(" ", _TRANS.sub(" ", _CSS_BLOCK.sub(" ", _COMMENT.sub(" ", source))))
    found: list[str] = []

    class Reader(HTMLParser):
        skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style"):
                self.skip += 1
            kind = dict(attrs).get("type", "")
            for name, value in attrs:
                button = name == "value" and tag == "input" and kind in ("submit", "button")
                readable = name in READ_ATTRIBUTES or button
                if readable and value:
                    found.extend(_words(value))

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style") and self.skip:
                self.skip -= 1

        def handle_data(self, data: str) -> None:
            if not self.skip:
                found.extend(_words(data))

    Reader(convert_charrefs=True).feed(html)
    return found


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in SAME_IN_EVERY_LANGUAGE]


def _templates() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))


# Templates not wrapped yet: none (every page is translatable). A template listed here must still have English
# outside trans/_() (the test fails once it is wrapped), so the list can only shrink.
NOT_YET: set[str] = set()


@pytest.mark.parametrize("name", _templates())
def test_template_text_is_translatable(name: str) -> None:
    words = untranslated((TEMPLATES / name).read_text(encoding="utf-8"))
    if name in NOT_YET:
        assert words, f"{name} is translatable now: remove it from NOT_YET"
        return
    assert not words, f"{name}: text outside {{% trans %}} / _(): {sorted(set(words))[:20]}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello</p>", ["Hello"]),
        ("<p>{% trans %}Hello{% endtrans %}</p>", []),
        ("<p>{{ _('Hello') }} {{ name }}</p>", []),
        ('<button title="Close">{{ _("x") }}</button>', ["Close"]),
        ('<input type="submit" value="Save">', ["Save"]),
        ('<input type="hidden" name="x" value="status">', []),
        ('<a class="button primary" href="/x">{{ _("Go") }}</a>', []),
        ("<p>{# a note #}PDF · 12 KB</p>", []),
        ("<script>var hidden = 1;</script>", []),
        ("<p>Déjà vu</p>", ["Déjà", "vu"]),
        ("{% block style %}.card { break-after: page; }{% endblock %}<p>Card</p>", ["Card"]),
    ],
)
def test_the_check_finds_english_text(source: str, expected: list[str]) -> None:
    assert untranslated(source) == expected
