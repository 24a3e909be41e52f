"""The judge's and the chief judge's pages in French, chosen by the browser's Accept-Language: the judge's home,
a car's sheet (with the status texts its offline queue shows), a refused value's message, the chief judge's board
and calibration page. English stays as it was."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from litestar.testing import TestClient

from concours.settings import Settings
from tests.helpers import csrf
from tests.scenes import Seeded, categories, seed, signed_in

FRENCH = {"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"}


@pytest.fixture
def show(db_url: str, settings: Settings) -> Seeded:
    return seed(db_url, settings, judges=2, cars=2)


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def save(client: TestClient[Any], url: str, data: dict[str, str], headers: dict[str, str]) -> Any:
    """An autosave as the judge's tablet sends it (htmx, CSRF token in the header), in ``headers``' language."""
    return client.post(
        url,
        data=data,
        headers={"x-csrftoken": csrf(client), "hx-request": "true", **headers},
        follow_redirects=False,
    )


def test_the_judge_home_and_sheet_speak_french(show: Seeded, settings: Settings) -> None:
    entry = show.entries[0]
    with signed_in(settings, show.judge_tokens[1]) as judge:
        home = judge.get("/judging/", headers=FRENCH)
        assert home.status_code == 200 and '<html lang="fr">' in home.text
        shown = text_of(home.text)
        assert "Votre jugement" in shown
        assert "Classe C — French Curves 1935-1939" in shown  # the class's name is data: as typed
        assert "Feuilles soumises : 0 sur 2" in shown
        assert "Pas commencée" in shown and "Toutes les modifications sont enregistrées" in shown
        assert "Your judging" not in shown

        sheet = judge.get(f"/judging/entries/{entry}", headers=FRENCH)
        assert sheet.status_code == 200, sheet.text
        shown = text_of(sheet.text)
        assert "Soumettre la feuille" in shown and "Touchez chaque contrôle qui échoue" in shown
        assert "Commentaire pour le participant" in shown and "Commentaire général" in shown
        assert "Total" in shown and "à noter" in shown
        # The offline queue's texts, in the page's language for the script to read.
        block = re.search(r'<script type="application/json" id="sync-texts">(.*?)</script>', sheet.text, re.S)
        assert block, sheet.text
        texts = json.loads(block.group(1))
        assert texts["saving"] == "Enregistrement…"
        assert texts["saved"] == "Toutes les modifications sont enregistrées"
        assert texts["waiting_one"] == "{n} modification en attente"
        assert texts["waiting_other"] == "{n} modifications en attente"
        assert texts["offline"].startswith("Hors ligne — {waiting}")

        english = judge.get(f"/judging/entries/{entry}", headers={"accept-language": "en"})
        texts = json.loads(re.search(r'id="sync-texts">(.*?)</script>', english.text, re.S).group(1))  # type: ignore[union-attr]
        assert texts["waiting_other"] == "{n} changes waiting" and texts["saving"] == "Saving…"
        assert "Note for the entrant" in english.text and "Overall comment" in english.text


@pytest.mark.parametrize(
    ("category", "value", "french", "english"),
    [
        (3, "abc", "« abc » n’est pas un nombre", "“abc” is not a number"),
        (3, "21", "est hors de 0–20", "is outside 0–20"),
        (0, "45", "une pénalité est comprise entre 0 et 40", "a deduction is between 0 and 40"),
        (0, "0.3", "par pas de 0.5", "steps of 0.5"),
    ],
)
def test_a_refused_value_says_why_in_french(
    show: Seeded, settings: Settings, category: int, value: str, french: str, english: str
) -> None:
    entry = show.entries[0]
    with signed_in(settings, show.judge_tokens[0]) as judge:
        cats = categories(judge, entry)
        url = f"/judging/entries/{entry}/lines/{cats[category]}"
        refused = save(judge, url, {"value": value, "change_id": "fr-1"}, FRENCH)
        assert refused.status_code == 422, refused.text
        assert french in html.unescape(refused.text)
        again = save(judge, url, {"value": value, "change_id": "en-1"}, {"accept-language": "en"})
        assert again.status_code == 422 and english in html.unescape(again.text)


def test_a_saved_line_and_a_stale_change_in_french(show: Seeded, settings: Settings) -> None:
    entry = show.entries[0]
    with signed_in(settings, show.judge_tokens[0]) as judge:
        cats = categories(judge, entry)
        url = f"/judging/entries/{entry}/lines/{cats[3]}"
        saved = save(judge, url, {"value": "15", "change_id": "a", "base_value": "", "base_note": ""}, FRENCH)
        assert saved.status_code == 200 and ">Enregistré<" in saved.text
        assert "Total <strong>15</strong>" in saved.text and "à noter" in saved.text
        stale = save(judge, url, {"value": "16", "change_id": "b", "base_value": "", "base_note": ""}, FRENCH)
        assert stale.status_code == 409
        assert "a été modifié sur un autre appareil ou une autre page : la ligne vaut maintenant 15 points" in (
            html.unescape(stale.text)
        )
        # Submitting a sheet with lines missing names them, in French.
        refused = judge.post(
            f"/judging/entries/{entry}/submit",
            data={"_csrf_token": csrf(judge)},
            headers={"x-csrftoken": csrf(judge), **FRENCH},
            follow_redirects=False,
        )
        assert refused.status_code == 400, refused.text
        assert "Notez chaque critère avant de soumettre. Manquant :" in html.unescape(refused.text)


def test_the_chief_board_and_calibration_speak_french(show: Seeded, settings: Settings) -> None:
    with signed_in(settings, show.organizer_token) as chief:
        board = chief.get(f"/chief/events/{show.event_id}", headers=FRENCH)
        assert board.status_code == 200, board.text
        shown = text_of(board.text)
        assert '<html lang="fr">' in board.text
        assert "Avancement du jugement — Lakeside Concours" in shown
        assert "<strong>0 sur 4</strong> feuilles soumises" in shown
        assert "Toutes les voitures (2)" in shown and "Pas commencée" in shown
        assert "Saisir la feuille papier" in shown and "Judging progress" not in shown

        calibration = chief.get(f"/chief/events/{show.event_id}/calibration", headers=FRENCH)
        assert calibration.status_code == 200, calibration.text
        shown = text_of(calibration.text)
        assert "Lakeside Concours : étalonnage" in shown and "Les juges côte à côte" in shown

        english = chief.get(f"/chief/events/{show.event_id}", headers={"accept-language": "en"})
        assert "Judging progress — Lakeside Concours" in english.text
        assert "Enter paper sheet" in english.text


def test_the_chief_sheet_and_paper_pages_speak_french(show: Seeded, settings: Settings) -> None:
    entry = show.entries[0]
    with signed_in(settings, show.organizer_token) as chief:
        paper = chief.get(f"/chief/entries/{entry}/paper?judge_id={show.judge_ids[0]}", headers=FRENCH)
        assert paper.status_code == 200, paper.text
        shown = text_of(paper.text)
        assert "Feuille papier de Judge 0 — voiture n° 10" in shown
        assert "Enregistrer la feuille papier" in shown
        # A refused paper value, in French, beside the form.
        cats = re.findall(r'name="value-(\d+)"', paper.text)
        refused = chief.post(
            f"/chief/entries/{entry}/paper",
            data={"judge_id": str(show.judge_ids[0]), f"value-{cats[-1]}": "abc", "_csrf_token": csrf(chief)},
            headers={"x-csrftoken": csrf(chief), **FRENCH},
            follow_redirects=False,
        )
        assert refused.status_code == 400, refused.text
        assert "« abc » n’est pas un nombre" in html.unescape(refused.text)


def test_the_placings_sheet_speaks_french(db_url: str, settings: Settings) -> None:
    show = seed(db_url, settings, judges=2, cars=3)
    with signed_in(settings, show.organizer_token) as org:
        switched = org.post(
            f"/organizer/classes/{show.class_id}/system",
            data={"judging": "placings", "places": "3", "_csrf_token": csrf(org)},
            headers={"x-csrftoken": csrf(org)},
            follow_redirects=False,
        )
        assert switched.status_code == 303, switched.text
    with signed_in(settings, show.judge_tokens[0]) as judge:
        page = judge.get(f"/judging/classes/{show.class_id}/placings", headers=FRENCH)
        assert page.status_code == 200, page.text
        shown = text_of(page.text)
        assert "Ce qu’il faut peser" in shown and "Élégance" in shown and "Méthode de Borda" in shown
        assert ">1er<" in page.text and ">2e<" in page.text and "Soumettre mon ordre" in shown
        texts = json.loads(re.search(r'id="sync-texts">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
        assert texts["places"] == ["1er", "2e", "3e"] and texts["moved"] == "{car} est maintenant {place}"
        e0, e1, _ = show.entries
        refused = save(judge, f"/judging/classes/{show.class_id}/placings/order", {"order": f"{e0},{e1}"}, FRENCH)
        assert refused.status_code == 422
        assert "Placez toutes les voitures de la classe : 1 voiture pas encore placée." in html.unescape(refused.text)
        english = judge.get(f"/judging/classes/{show.class_id}/placings", headers={"accept-language": "en"})
        assert ">1st<" in english.text and "What to weigh" in english.text
