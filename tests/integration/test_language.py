"""The language of each page: the browser's Accept-Language, else the visitor's choice from the footer menu
(remembered on the device), English otherwise; error pages too."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.helpers import post


def test_the_browser_language_chooses_french(client: TestClient[Any]) -> None:
    page = client.get("/login", headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert page.headers["content-language"] == "fr"
    assert "accept-language" in page.headers["vary"].lower()
    assert "Langue" in page.text and "Se connecter" in page.text

    english = client.get("/login", headers={"accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and "Language" in english.text
    assert english.headers["content-language"] == "en"


def test_the_menu_remembers_the_choice_and_returns_to_the_page(client: TestClient[Any]) -> None:
    answer = post(client, "/language", {"lang": "fr", "next": "/login?next=/my/"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/my/"
    assert client.cookies.get("concours_lang") == "fr"
    # The choice wins over the browser's own language.
    page = client.get("/login", headers={"accept-language": "en"})
    assert '<html lang="fr">' in page.text
    assert 'aria-current="true">Français</button>' in page.text

    post(client, "/language", {"lang": "en", "next": "/login"})
    assert '<html lang="en">' in client.get("/login", headers={"accept-language": "fr"}).text


def test_the_menu_refuses_what_it_does_not_offer(client: TestClient[Any]) -> None:
    answer = post(client, "/language", {"lang": "xx", "next": "https://elsewhere.example/"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"  # never off-site
    assert client.cookies.get("concours_lang") in (None, "en")
    assert '<html lang="en">' in client.get("/login").text
    # Without the CSRF token the change is refused.
    assert client.post("/language", data={"lang": "fr"}, follow_redirects=False).status_code == 403


def test_an_error_page_speaks_the_visitor_language(client: TestClient[Any]) -> None:
    page = client.get("/events/no-such-event", headers={"accept-language": "fr"})
    assert page.status_code == 404
    assert '<html lang="fr">' in page.text
    assert "Retour à l’accueil" in page.text


def test_a_malformed_form_is_refused_in_the_visitor_language(client: TestClient[Any]) -> None:
    page = post(client, "/login", {"email": "ann\x00@example.com", "password": "x"}, headers={"accept-language": "fr"})
    assert page.status_code == 400
    assert "Ce champ contient un caractère NUL" in page.text
    english = post(client, "/login", {"email": "ann\x00@example.com", "password": "x"})
    assert "This field contains a NUL character" in english.text
