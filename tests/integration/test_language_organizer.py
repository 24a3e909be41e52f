"""The organizer's pages in French: set-up (checklist, score sheet, judging system, branding, copy), entries
(the queue, adding one, the CSV import, invitations), judges' assignment, special awards and show-day documents.
Each answers 200 in French for a browser asking for it; a placeholder the catalog broke would answer 500."""

from __future__ import annotations

from tests.helpers import post
from tests.scenes import Scene

FRENCH = {"accept-language": "fr-FR,fr;q=0.9"}

# Path under the event → a phrase the page says in French.
PAGES = {
    "": "Liste des étapes",  # the checklist on the set-up page
    "/rubric": "Enregistrer la feuille de notation",
    "/system/settings": "Enregistrer le système de jugement",
    "/branding": "Enregistrer l’habillage",
    "/copy": "Créer la copie",
    "/entries": "Inscriptions cochées",
    "/entries/new": "Ajouter l’inscription",
    "/entries/import": "Vérifier et importer",
    "/invitations": "Envoyer les invitations",
    "/assignment?propose=1": "Affectation automatique",
    "/awards": "Définir un prix",
    "/documents": "Tous les cartons de pare-brise",
}


def test_the_organizer_pages_speak_french(scene: Scene) -> None:
    org, base = scene.org, f"/organizer/events/{scene.event_id}"
    for path, phrase in PAGES.items():
        page = org.get(base + path, headers=FRENCH)
        assert page.status_code == 200, path
        assert '<html lang="fr">' in page.text, path
        assert phrase in page.text, path
        assert 'aria-label="Cet événement"' in page.text, path  # the event's tabs

    ballot = post(
        org,
        base + "/awards",
        {"name": "Best of Show", "kind": "ballot", "eligibility": "judged", "position": "99"},
        headers=FRENCH,
    )
    assert ballot.status_code == 303
    page = org.get(ballot.headers["location"], headers=FRENCH)
    assert page.status_code == 200 and '<html lang="fr">' in page.text
    assert "Désigner les votants (juges de cet événement)" in page.text
    assert "Scrutin de juges désignés" in page.text  # the kind's label, a constant of the domain

    # What the services say on these pages: the judging system's summary, a form's errors beside its fields.
    summary = org.get(base + "/system/settings", headers=FRENCH).text
    assert "Chaque juge note toute la voiture ; la note de la voiture est la moyenne des totaux des juges." in summary
    documents = org.get(base + "/documents", headers=FRENCH).text  # nothing certified yet: each document says why
    assert "Le livret des résultats est fait à partir des résultats certifiés" in documents
    refused = post(org, base + "/awards", {"kind": "designated", "eligibility": "judged"}, headers=FRENCH)
    assert refused.status_code == 400
    assert "Nommez le prix, p. ex. « Best of Show » ou « Prix du designer »." in refused.text
    assert "Nommez qui choisit" in refused.text

    no_file = post(org, base + "/entries/import", {}, headers=FRENCH)
    assert no_file.status_code == 400 and "Choisissez le fichier CSV à importer." in no_file.text

    # The same pages in English say what they always said.
    assert "Save score sheet" in org.get(base + "/rubric", headers={"accept-language": "en"}).text
