"""Every page shape of the realistic demo in French, as each audience sees it: it answers as in English, says it
is French, and shows none of the app's English sentences (a string the catalog translates but a page shows
untranslated: a label passed from Python without ``_()``, a constant not marked, a fragment glued in English)."""

from __future__ import annotations

import html
import re
from typing import Any

from babel.messages.pofile import read_po
from litestar.testing import TestClient

from concours.resources import resource_dir
from concours.settings import Settings
from tests.demo_pages import build_demo_world, demo_visits
from tests.scenes import SESSION_COOKIE

# English the catalog's sentences cannot catch: words glued to figures or names in Python, labels from the domain,
# dates written the ISO way. None of these is in the demo's own data.
ENGLISH_FRAGMENTS = (
    "Kendall's tau",
    "agreement (",
    "opposed orders",
    " apart",
    "(class ",
    "threshold ",
    "team of ",
    "most senior",
    "chosen by ",
    "points over",
    "not judge car",
    "team (consensus)",
)
_ISO_DATE = re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b")
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
_SPACES = re.compile(r"\s+")
_MAIL_SUBJECT = re.compile(r'<td class="mail-subject">.*?</td>', re.S)


def _english_sentences() -> list[str]:
    """The catalog's English sentences (three words or more, no placeholders or markup) whose French differs."""
    folder = resource_dir("locale") / "fr" / "LC_MESSAGES"
    found: set[str] = set()
    for path in folder.glob("*.po"):
        with path.open("rb") as source:
            for message in read_po(source, locale="fr"):
                english, french = message.id, message.string
                if not isinstance(english, str) or not isinstance(french, str) or not french:
                    continue
                if "%" in english or "<" in english or len(english.split()) < 3 or english in french:
                    continue
                found.add(_SPACES.sub(" ", english).strip())
    return sorted(found)


def _shown_text(page: str) -> str:
    return _SPACES.sub(" ", html.unescape(_TAGS.sub(" ", page)))


def test_every_demo_page_speaks_french(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    demo = build_demo_world(db_url, settings)
    english = _english_sentences()
    assert len(english) > 200  # the catalog is the app's, not a stub
    problems: list[str] = []
    for visit in demo_visits(demo):
        client.cookies.clear()
        token = demo.tokens.get(visit.role)
        if token:
            client.cookies.set(SESSION_COOKIE, token)
        page = client.get(visit.url, headers={"accept-language": "fr-FR,fr;q=0.9"}, follow_redirects=False)
        if page.status_code != visit.status:
            problems.append(f"{visit.role} {visit.url}: {page.status_code}, not {visit.status}")
            continue
        if '<html lang="fr">' not in page.text:
            problems.append(f"{visit.role} {visit.url}: not in French")
            continue
        # An e-mail is written in its reader's language: the outbox lists the demo people's mail in English.
        text = _shown_text(_MAIL_SUBJECT.sub(" ", page.text))
        left = [sentence for sentence in english if sentence in text]
        left += [fragment for fragment in ENGLISH_FRAGMENTS if fragment in text]
        left += _ISO_DATE.findall(text)
        if left:
            problems.append(f"{visit.role} {visit.url}: English left: {left[:5]}")
    assert problems == [], "\n".join(problems)
