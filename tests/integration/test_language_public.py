"""The public pages, the application form and the entrant's portal in French: a browser that asks for French
(``Accept-Language: fr``) reads every page in French, dates written the French way ("12 juin 2027"), and the
application form's field errors in French beside their fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, User
from concours.services import accounts
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import make_organizer, post
from tests.scenes import APPLICATION, new_event, organizer, seed_show, signed_in

FRENCH = {"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"}


def _french(page: Any, *phrases: str, status: int = 200) -> str:
    assert page.status_code == status, page.text[:500]
    assert '<html lang="fr">' in page.text
    for phrase in phrases:
        assert phrase in page.text, phrase
    return str(page.text)


def test_the_public_pages_of_a_published_show_in_french(db_url: str, settings: Settings) -> None:
    async def go(session: AsyncSession) -> Any:
        return await seed_show(session, settings, status="published")

    show = run_db(db_url, go)
    with new_client(settings) as public:
        public.headers.update(FRENCH)
        home = _french(public.get("/"), "Concours d’élégance", "Résultats publiés", "12 juin 2027")
        assert "June" not in home
        _french(
            public.get(f"/events/{show.slug}"),
            "12 juin 2027 – 13 juin 2027",
            "Le plateau (8 voitures)",
            "Classe A — Class name A",
            ">Résultats<",
        )
        _french(public.get(f"/events/{show.slug}/cars/101"), "N° 101", "Carrosserie", "Historique", "Présentée par")
        _french(
            public.get(f"/events/{show.slug}/results"),
            "Résultats — Lakeside Concours",
            "Prix spéciaux",
            "<th>Rang</th>",
            ">Propriétaire</th>",
        )
        live = _french(public.get(f"/events/{show.slug}/live"), "Lakeside Concours — la remise des prix")
        # The words the live page's script writes for the awards that arrive later, in French too.
        assert 'data-t-number="N° {number}"' in live and 'data-t-many="{count} prix remis"' in live
        _french(public.get("/verify"), "Vérifier un document certifié", "Code imprimé sur le document")
        wrong = _french(public.get("/verify?code=nope"), "Un code compte 12 lettres et chiffres", status=400)
        assert "A code is 12 letters" not in wrong
        # The same pages in English are as they always were.
        public.headers.update({"accept-language": "en"})
        assert "12 June 2027" in public.get("/").text
        assert "The field (8 cars)" in public.get(f"/events/{show.slug}").text


def test_the_application_form_in_french_with_its_errors(client: Any, db_url: str, settings: Settings) -> None:
    make_organizer(db_url)

    async def go(session: AsyncSession) -> str:
        event, _, _ = await new_event(session, await organizer(session))
        closes = datetime(2027, 6, 1, 18, 0, tzinfo=UTC)
        await session.execute(update(Event).where(Event.id == event.id).values(registration_closes_at=closes))
        return event.slug

    slug = run_db(db_url, go)
    client.headers.update(FRENCH)
    form = _french(
        client.get(f"/events/{slug}/apply"),
        "Candidater à Lakeside Concours",
        "Les candidatures ferment le 01 juin 2027, 18:00 UTC.",
        "Vous, le propriétaire",
        "Numéro de châssis",
        "Restaurée",
        "Envoyer ma candidature",
    )
    assert "Full name" not in form
    sent = dict(APPLICATION, make="", year="19", email="not-an-address")
    refused = _french(
        post(client, f"/events/{slug}/apply", sent),
        "Veuillez corriger les champs signalés ci-dessous.",
        "Saisissez la marque.",
        "L’année du modèle est comprise entre 1885 et",
        "Saisissez une adresse e-mail comme nom@exemple.com",
        status=400,
    )
    assert 'id="e-make">Saisissez la marque.</p>' in refused
    assert 'value="T150-C SS"' in refused  # what was typed is kept
    applied = _french(post(client, f"/events/{slug}/apply", APPLICATION), "Merci — votre candidature est bien reçue")
    assert "edith@example.com" in applied


def test_sign_in_in_french(client: Any, db_url: str) -> None:
    make_organizer(db_url)
    client.headers.update(FRENCH)
    _french(client.get("/login"), "Juges et participants", "M’envoyer un lien de connexion", "Mot de passe oublié ?")
    wrong = post(client, "/login", {"email": "org@example.com", "password": "not the password"})
    _french(wrong, "Cet e-mail et ce mot de passe ne correspondent à aucun compte d’organisateur.", status=400)
    _french(post(client, "/login/link", {"link_email": "nobody"}), "Saisissez l’adresse e-mail", status=400)
    _french(post(client, "/login/link", {"link_email": "nobody@example.com"}), "Consultez vos e-mails")
    _french(client.get("/auth/link/not-a-token"), "Ce lien a expiré", status=410)
    _french(client.get("/password/forgot"), "Saisissez votre adresse e-mail d’organisateur")


def test_the_entrant_portal_in_french(db_url: str, settings: Settings) -> None:
    async def go(session: AsyncSession) -> tuple[Any, str]:
        show = await seed_show(session, settings, status="published")
        owner = await session.scalar(select(User).where(User.email == "owner101@example.com"))
        assert owner is not None
        return show, await accounts.start_session(session, settings, owner.id, "test")

    show, token = run_db(db_url, go)
    with signed_in(settings, token) as owner:
        owner.headers.update(FRENCH)
        portal = _french(
            owner.get("/my/"),
            "Mes inscriptions",
            "12 juin 2027",
            "Candidature : <span",
            "Acceptée",
            "Résultat : <strong>1er de la classe</strong>",  # the certified record (English) in French
            "Mes feuilles de notation",
            "Votre nom en public",
        )
        assert "Application:" not in portal
        _french(owner.get("/my/privacy"), "Montrer mon nom en public", "Oui, montrer mon nom")
        sheets = owner.get(f"/my/entries/{show.entries[101]}")
        _french(sheets, "Télécharger le rapport PDF")
