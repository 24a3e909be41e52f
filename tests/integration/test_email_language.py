"""E-mails are written in their reader's language: the one chosen from the menu while signed in, else the one the
account was created in (the applicant's own request, or the organizer's who invited a judge), else English."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry, User, Vehicle
from concours.i18n import LOCALE_COOKIE
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import login_by_link, mails, post, post_multipart
from tests.scenes import APPLICATION, set_up_event


def locale_of(db_url: str, email: str) -> str | None:
    async def go(session: AsyncSession) -> str | None:
        return await session.scalar(select(User.locale).where(User.email == email))

    return run_db(db_url, go)


def entry_of(db_url: str, model: str) -> int:
    async def go(session: AsyncSession) -> int:
        found = await session.scalar(
            select(Entry.id).join(Vehicle, Vehicle.id == Entry.vehicle_id).where(Vehicle.model == model)
        )
        assert found is not None
        return found

    return run_db(db_url, go)


def apply(settings: Settings, slug: str, lang: str, **fields: str) -> None:
    with new_client(settings) as applicant:
        applicant.cookies.set(LOCALE_COOKIE, lang)
        r = post_multipart(applicant, f"/events/{slug}/apply", dict(APPLICATION, **fields), [])
        assert r.status_code == 200, r.text


def test_each_owner_reads_their_e_mails_in_their_language(
    client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    event = set_up_event(client, db_url)  # the organizer works in English
    apply(settings, event["slug"], "fr", name="Jeanne Dupont", email="jeanne@example.com", model="T150-C")
    apply(
        settings,
        event["slug"],
        "en",
        name="Edith Entrant",
        email="edith@example.com",
        model="T23",
        chassis_number="92001",
    )
    assert locale_of(db_url, "jeanne@example.com") == "fr"
    assert locale_of(db_url, "edith@example.com") == "en"

    (french,) = mails(db_url, "jeanne@example.com")
    assert french.subject == "Votre lien de connexion à Concours"
    assert "Bonjour Jeanne Dupont," in french.body_text and "Merci de votre candidature" in french.body_text
    assert "/auth/link/" in french.body_text and "Thank you" not in french.body_text
    (english,) = mails(db_url, "edith@example.com")
    assert english.subject == "Your Concours sign-in link"
    assert "Hello Edith Entrant," in english.body_text and "Thank you for applying" in english.body_text

    # The organizer (in English) accepts both cars: each owner is told in their own language.
    for model in ("T150-C", "T23"):
        entry_id = entry_of(db_url, model)
        r = post(
            client,
            f"/organizer/entries/{entry_id}/decision",
            {"status": "accepted", "class_id": str(event["class_id"]), "message": "Bienvenue / Welcome"},
        )
        assert r.status_code in (200, 303), r.text
    decided = mails(db_url, "jeanne@example.com")[0]
    assert decided.subject.endswith(": votre candidature")
    assert "est acceptée à" in decided.body_text and "Un message du comité :" in decided.body_text
    assert "Bienvenue / Welcome" in decided.body_text and "has been accepted" not in decided.body_text
    decided = mails(db_url, "edith@example.com")[0]
    assert decided.subject.endswith(": your application") and "has been accepted" in decided.body_text

    # Edith, signed in, picks French from the menu: her account remembers it, and her next link is French.
    with new_client(settings) as edith:
        login_by_link(edith, db_url, "edith@example.com")
        assert post(edith, "/language", {"lang": "fr", "next": "/my/"}).status_code == 303
    assert locale_of(db_url, "edith@example.com") == "fr"
    with new_client(settings) as anyone:  # a device with no choice made: the account's language still holds
        assert post(anyone, "/login/link", {"link_email": "edith@example.com"}).status_code == 200
    link = mails(db_url, "edith@example.com")[0]
    assert link.subject == "Votre lien de connexion à Concours" and "Connectez-vous" in link.body_text

    # The menu used while signed out changes no account.
    with new_client(settings) as anyone:
        post(anyone, "/language", {"lang": "en", "next": "/"})
    assert locale_of(db_url, "edith@example.com") == "fr"


def test_a_judge_invited_by_an_organizer_working_in_french_reads_french(
    client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    event = set_up_event(client, db_url)
    client.cookies.set(LOCALE_COOKIE, "fr")
    r = post(
        client,
        f"/organizer/events/{event['event_id']}/roster",
        {"name": "Jules Juge", "email": "jules@example.com", "rank": "judge"},
    )
    assert r.status_code in (200, 303), r.text
    assert locale_of(db_url, "jules@example.com") == "fr"
    (invitation,) = mails(db_url, "jules@example.com")
    assert invitation.subject == "Votre lien de connexion à Concours"
    assert "Vous êtes invité à juger à" in invitation.body_text and "You are invited" not in invitation.body_text
