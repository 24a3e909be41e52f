"""The organizer's event pages speak French to a browser that asks for it: the dashboard, the event with its status
buttons, classes, judges, roster, conflicts, field, results, ceremony, outbox, backups, a judge's severity and the
removal of a judge — each answers 200 in French, the status labels and the notices after an action included."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import run_db
from tests.helpers import post
from tests.scenes import Scene, judge_id_of


def _french(scene: Scene, url: str, *phrases: str) -> str:
    page = scene.org.get(url, headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert page.status_code == 200, (url, page.status_code)
    assert '<html lang="fr">' in page.text, url
    for phrase in phrases:
        assert phrase in page.text, (url, phrase)
    return page.text


def _judge_id(scene: Scene, email: str) -> int:
    async def go(session: AsyncSession) -> int:
        return await judge_id_of(session, email)

    return run_db(scene.db_url, go)


def test_every_page_of_the_organizer_answers_in_french(scene: Scene) -> None:
    ev, cls = scene.event_id, scene.class_a
    judge = _judge_id(scene, "judge-a@example.com")
    pages: list[tuple[str, tuple[str, ...]]] = [
        ("/organizer/", ("Vos événements", "Jugement en cours", "12 juin 2027")),
        (f"/organizer/events/{ev}", ("Statut :", "Jugement en cours", "Passer à « Résultats certifiés »")),
        (f"/organizer/events/{ev}", ("Inscriptions :", "2 acceptées", "Ajouter plusieurs classes")),
        (f"/organizer/classes/{cls}/system", ("Comment cette classe est jugée", "Classement à la française")),
        (f"/organizer/events/{ev}/judges", ("Affecter un juge à une classe", "Changer la taille de l’équipe")),
        (f"/organizer/events/{ev}/roster", ("Inviter un juge", "Dans une équipe")),
        (f"/organizer/events/{ev}/conflicts", ("Ajouter un conflit", "Chercher des conflits")),
        (f"/organizer/events/{ev}/field", ("Plateau et arrivées", "Enregistrer l’arrivée")),
        (f"/organizer/classes/{cls}/results", ("Certifier la classe C", "Feuilles : 0 soumises")),
        (f"/organizer/events/{ev}/ceremony", ("Remise des prix", "Pas encore de déroulé")),
        (f"/organizer/events/{ev}/outbox", ("Boîte d’envoi", "Objet")),
        ("/organizer/backups", ("Sauvegardes automatiques", "Toutes les combien de minutes")),
        (f"/organizer/events/{ev}/judges/{judge}/severity", ("sévérité lors des événements passés",)),
        (f"/organizer/events/{ev}/roster/{judge}/remove", ("de la liste des juges ?", "Garder judge-a")),
        (
            f"/organizer/events/{ev}/awards",
            ("Classes dont les lauréats sont éligibles", "Qui choisit"),
        ),  # the award fields
    ]
    for url, phrases in pages:
        _french(scene, url, *phrases)


def test_what_an_action_says_comes_back_in_french(scene: Scene) -> None:
    """The notice after an action and the status move are said in the language of the browser that acted."""
    french: dict[str, Any] = {"headers": {"accept-language": "fr"}}
    found = post(scene.org, f"/organizer/events/{scene.event_id}/conflicts/suggest", **french)
    assert found.status_code == 303
    _french(scene, found.headers["location"], "Fait : rien de nouveau à suggérer.")

    back = post(scene.org, f"/organizer/events/{scene.event_id}/status", {"status": "registration_closed"})
    assert back.status_code == 303
    event_page = f"/organizer/events/{scene.event_id}"
    page = _french(scene, event_page, "Inscriptions closes", "Passer à « Jugement en cours »")
    assert "Passer l’événement à « Jugement en cours » ? Jour du jugement :" in page  # the question asked first

    # English is unchanged for everyone else.
    english = scene.org.get(f"/organizer/events/{scene.event_id}", headers={"accept-language": "en"}).text
    assert "Move to “Judging”" in english and "Entries: 2 accepted." in english


def test_form_errors_of_these_pages_are_in_french(scene: Scene) -> None:
    french: dict[str, Any] = {"headers": {"accept-language": "fr"}}
    size = post(
        scene.org, f"/organizer/classes/{scene.class_a}/team-size", {"team_min": "0", "team_max": "0"}, **french
    )
    assert size.status_code == 400 and "Une équipe a besoin d’au moins un juge." in size.text
    twice = post(scene.org, f"/organizer/events/{scene.event_id}/classes", {"code": "C", "name": "Again"}, **french)
    assert twice.status_code == 400 and "La classe C existe déjà dans cet événement." in twice.text
    backups = post(scene.org, "/organizer/backups", {"folder": "usb", "minutes": "x", "keep": "3"}, **french)
    assert backups.status_code == 400
    assert (
        "Donnez le chemin complet du dossier" in backups.text and "Un nombre entier de minutes, de 1 à" in backups.text
    )
    # In English the same mistakes read as before.
    english = post(scene.org, f"/organizer/classes/{scene.class_a}/team-size", {"team_min": "0", "team_max": "0"})
    assert "A team needs at least one judge." in english.text
