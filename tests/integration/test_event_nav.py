"""The event's tabs: a labelled navigation landmark, and the page being shown is marked as the current one."""

from __future__ import annotations

import re

import pytest

from tests.scenes import Scene


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("", "Set-up"),
        ("/rubric", "Score sheet"),
        ("/entries", "Entries"),
        ("/judges", "Judges"),
        ("/assignment", "Assignment"),
        ("/awards", "Awards"),
        ("/ceremony", "Ceremony"),
        ("/documents", "Documents"),
    ],
)
def test_the_current_tab_is_marked(scene: Scene, path: str, current: str) -> None:
    page = scene.org.get(f"/organizer/events/{scene.event_id}{path}", follow_redirects=True)
    assert page.status_code == 200
    nav = re.search(r'<nav class="subnav" aria-label="This event">(.*?)</nav>', page.text, re.S)
    assert nav is not None, "the event's tabs are a labelled navigation landmark"
    marked = re.findall(r'<a href="[^"]*" aria-current="page">([^<]*)</a>', nav.group(1))
    assert marked == [current]


def test_the_chief_board_marks_its_tab(scene: Scene) -> None:
    page = scene.org.get(f"/chief/events/{scene.event_id}")
    assert page.status_code == 200
    nav = re.search(r'<nav class="subnav" aria-label="This event">(.*?)</nav>', page.text, re.S)
    assert nav is not None
    assert re.findall(r'aria-current="page">([^<]*)</a>', nav.group(1)) == ["Judging board"]
    assert '<nav aria-label="Main">' in page.text
