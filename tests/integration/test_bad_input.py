"""Malformed forms get a 400 that names the field, never a 500: bytes that are not UTF-8 (a file sent in a text
field), NUL characters, oversized and repeated fields. Forms that can be shown again keep what was typed."""

from __future__ import annotations

import html
from typing import Any

from litestar.testing import TestClient

from concours.settings import Settings
from tests.conftest import new_client
from tests.helpers import csrf, login, make_organizer, post
from tests.scenes import APPLICATION, set_up_event

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8\xff\xe0"


def _multipart(client: TestClient[Any], url: str, text: dict[str, str], raw: dict[str, bytes]) -> Any:
    files = [(k, (None, v)) for k, v in text.items()] + [(k, (None, v)) for k, v in raw.items()]
    files.append(("_csrf_token", (None, csrf(client).encode())))
    return client.post(url, files=files, follow_redirects=False)


def test_sign_in_with_a_file_in_a_text_field(client: TestClient[Any], db_url: str) -> None:
    make_organizer(db_url)
    r = _multipart(client, "/login", {"email": "org@example.com"}, {"password": PNG})
    assert r.status_code == 400
    page = html.unescape(r.text)
    assert "bytes that are not text" in page
    assert 'id="e-password"' in r.text or 'aria-invalid="true"' in r.text
    assert 'value="org@example.com"' in r.text  # what was typed is kept
    r = _multipart(client, "/login/link", {}, {"link_email": PNG})
    assert r.status_code == 400 and "bytes that are not text" in html.unescape(r.text)
    login(client)  # and the right password still works afterwards


def test_application_form_keeps_what_was_typed(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event(client, db_url)
    url = f"/events/{ev['slug']}/apply"
    with new_client(settings) as entrant:
        text = {k: v for k, v in APPLICATION.items() if k != "model"}
        r = _multipart(entrant, url, text, {"model": PNG})
        assert r.status_code == 400
        page = html.unescape(r.text)
        assert "bytes that are not text" in page
        assert 'value="Talbot-Lago"' in r.text and 'value="Edith Entrant"' in r.text
        for data, message in [
            (dict(APPLICATION, make="Talbot\x00Lago"), "NUL character"),
            (dict(APPLICATION, history="h" * 20_001), "too long"),
        ]:
            r = post(entrant, url, data)
            assert r.status_code == 400 and message in html.unescape(r.text), r.text[:300]
        r = entrant.post(
            url,
            data={"_csrf_token": csrf(entrant), **APPLICATION, "make": ["Talbot-Lago", "Bugatti"]},
            follow_redirects=False,
        )
        assert r.status_code == 400 and "sent more than once" in html.unescape(r.text)
    assert "Talbot" not in client.get(f"/organizer/events/{ev['event_id']}/entries").text  # nothing was saved


def test_other_forms_answer_400_naming_the_field(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    r = _multipart(client, f"/organizer/events/{ev['event_id']}/classes", {"code": "Z"}, {"name": PNG})
    assert r.status_code == 400
    assert "name" in r.text and "bytes that are not text" in html.unescape(r.text)
    r = client.post(
        f"/organizer/events/{ev['event_id']}/classes",
        data={"code": "Z", "name": "\x00"},
        headers={"x-csrftoken": csrf(client), "hx-request": "true"},
    )
    assert r.status_code == 400 and "NUL" in r.text
    assert "Z —" not in client.get(f"/organizer/events/{ev['event_id']}").text
