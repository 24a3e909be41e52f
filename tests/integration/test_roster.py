"""The judge roster over HTTP: invitations and CSV import, accepting by link, profiles, declared conflicts,
the chief judge, and judge packets as PDF (read back with pypdf)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from concours.db import AuditLog, Conflict, EventStaff, User
from tests.conftest import new_client
from tests.helpers import find_id, mails, post
from tests.scenes import JudgeScene, count


def test_invited_judge_accepts_by_link_and_sets_specialties(jscene: JudgeScene) -> None:
    roster = jscene.org.get(f"/organizer/events/{jscene.event_id}/roster").text
    assert "Jo Master" in roster and roster.count(">Invited<") == 5
    mail = mails(jscene.db_url, "jo@example.com")[0]
    assert "invited to judge at Lakeside Concours" in mail.body_text
    jo = jscene.as_user("jo@example.com")
    profile = jo.get("/judging/profile")
    assert profile.status_code == 200 and "Accept the invitation to Lakeside Concours" in profile.text
    r = post(jo, f"/judging/invitations/{jscene.event_id}/accept")
    assert r.status_code == 303 and r.headers["location"] == f"/judging/events/{jscene.event_id}/conflicts"
    assert "Accepted" in jo.get("/judging/profile").text
    r = post(jo, "/judging/profile", {"specialties": "Bugatti;  pre-war , bugatti, Coachbuilt"})
    assert r.status_code == 303
    assert 'value="Bugatti, pre-war, Coachbuilt"' in jo.get("/judging/profile").text
    roster = jscene.org.get(f"/organizer/events/{jscene.event_id}/roster").text
    assert roster.count(">Accepted<") == 1 and "Bugatti, pre-war, Coachbuilt" in roster
    # Accepting twice changes nothing; an invitation to another event is not there.
    assert post(jo, f"/judging/invitations/{jscene.event_id}/accept").status_code == 303
    assert post(jo, f"/judging/invitations/{jscene.event_id + 99}/accept").status_code == 404
    assert count(jscene.db_url, AuditLog, AuditLog.action == "accept_invitation") == 1


def test_invite_form_errors_keep_what_was_typed(jscene: JudgeScene) -> None:
    url = f"/organizer/events/{jscene.event_id}/roster"
    r = post(jscene.org, url, {"name": "Nora New", "email": "not-an-address", "rank": "grandmaster"})
    assert r.status_code == 400
    assert "Enter the judge&#39;s e-mail address" in r.text and "Choose a rank" in r.text
    assert 'value="Nora New"' in r.text and 'value="not-an-address"' in r.text
    r = post(jscene.org, url, {"name": "Jo Again", "email": "JO@example.com", "rank": "master"})
    assert r.status_code == 400 and "already on this event" in r.text
    # An organizer edits a profile; a bad rank is refused next to the field.
    jid = jscene.judge_id("lee@example.com")
    r = post(
        jscene.org, f"{url}/{jid}", {"rank": "senior", "honorary": "on", "specialties": "Alfa Romeo", "notes": "x"}
    )
    assert r.status_code == 303
    page = jscene.org.get(url).text
    assert "Senior · honorary" in page and "Alfa Romeo" in page
    r = post(jscene.org, f"{url}/{jid}", {"rank": "nope", "specialties": "Kept"})
    assert r.status_code == 400 and "Choose a rank" in r.text and 'value="Kept"' in r.text
    assert post(jscene.org, f"{url}/999999", {"rank": "judge"}).status_code == 404


def test_csv_import_is_all_or_nothing_with_row_errors(jscene: JudgeScene) -> None:
    url = f"/organizer/events/{jscene.event_id}/roster/import"
    bad = (
        "name,email,rank,honorary,specialties\n"
        "Pat Porsche,pat@example.com,senior,,Porsche\n"
        "Quin,quin-at-example.com,judge,,\n"
        "Rae,rae@example.com,wizard,yes,\n"
        "Pat Again,PAT@example.com,judge,,\n"
    )
    r = post(jscene.org, url, files={"csv": ("judges.csv", bad.encode(), "text/csv")})
    assert r.status_code == 400
    assert "Row 3, column email" in r.text and "Row 4, column rank" in r.text and "Row 5, column email" in r.text
    assert count(jscene.db_url, User, User.email == "pat@example.com") == 0  # nothing half-imported
    r = post(jscene.org, url, files={"csv": ("judges.csv", b"nom,courriel\nx,y\n", "text/csv")})
    assert r.status_code == 400 and "Row 1" in r.text
    r = post(jscene.org, url, files={"csv": ("judges.csv", b"\xff\xfe\x00bad", "text/csv")})
    assert r.status_code == 400 and "UTF-8" in r.text
    good = (
        "name,email,rank,honorary,specialties\nPat Porsche,pat@example.com,senior,,Porsche\nRae,rae@example.com,,yes,\n"
    )
    r = post(jscene.org, url, files={"csv": ("judges.csv", good.encode(), "text/csv")})
    assert r.status_code == 303, r.text
    page = jscene.org.get(r.headers["location"]).text
    assert "imported 2 invited 0 updated" in page and "Pat Porsche" in page and "Judge · honorary" in page
    assert mails(jscene.db_url, "rae@example.com")


def test_judge_declares_conflicts_and_the_chief_judge_sees_them(jscene: JudgeScene) -> None:
    judges = jscene.accept(("lee@example.com", "kim@example.com"))
    lee = judges["lee@example.com"]
    url = f"/judging/events/{jscene.event_id}/conflicts"
    page = lee.get(url).text
    assert "#" in page and "Delahaye 135M" in page  # the cars to choose from
    r = post(lee, url, {"type": "other", "kind": "entry", "target_entry": str(jscene.entries["C2"]), "reason": ""})
    assert r.status_code == 400 and "Say why" in r.text
    r = post(lee, url, {"type": "other", "kind": "entry", "target_entry": "999999", "reason": "sold it"})
    assert r.status_code == 400 and "Choose a car of this event" in r.text
    r = post(
        lee,
        url,
        {"type": "other", "kind": "entry", "target_entry": str(jscene.entries["C2"]), "reason": "I restored this car"},
    )
    assert r.status_code == 303
    r = post(
        lee,
        url,
        {"type": "other", "kind": "class", "target_class": str(jscene.classes["D"]), "reason": "I sell Ferraris"},
    )
    assert r.status_code == 303
    assert "I restored this car" in lee.get(url).text
    # The organizer lists them with the automatic one (Ann owns a car in class C) and names a chief judge.
    conflicts = jscene.org.get(f"/organizer/events/{jscene.event_id}/conflicts").text
    assert "I restored this car" in conflicts and "I sell Ferraris" in conflicts and "class D" in conflicts
    assert "own car #" in conflicts and "Automatic" in conflicts
    kim_id = jscene.judge_id("kim@example.com")
    r = post(jscene.org, f"/organizer/events/{jscene.event_id}/chief-judge", {"chief_judge": str(kim_id)})
    assert r.status_code == 303
    assert "Chief judge</span>" in jscene.org.get(f"/organizer/events/{jscene.event_id}/roster").text
    kim = judges["kim@example.com"]
    kim_page = kim.get(f"/organizer/events/{jscene.event_id}/conflicts")
    assert kim_page.status_code == 200 and "I restored this car" in kim_page.text
    assert kim.get(f"/organizer/events/{jscene.event_id}/assignment").status_code == 200
    assert lee.get(f"/organizer/events/{jscene.event_id}/conflicts").status_code == 403
    assert lee.get(f"/organizer/events/{jscene.event_id}/assignment").status_code == 403
    # The organizer adds one for Jo; Lee cannot withdraw it, the chief judge can remove it.
    jo_id = jscene.judge_id("jo@example.com")
    r = post(
        jscene.org,
        f"/organizer/events/{jscene.event_id}/conflicts",
        {"judge_id": str(jo_id), "type": "family", "kind": "entrant", "target_entrant": "", "reason": "friend"},
    )
    assert r.status_code == 400 and "Choose an owner of this event" in r.text
    owner = find_id(conflicts, r'name="target_entrant"><option value="">Choose…</option><option value="(\d+)"')
    r = post(
        jscene.org,
        f"/organizer/events/{jscene.event_id}/conflicts",
        {
            "judge_id": str(jo_id),
            "type": "family",
            "kind": "entrant",
            "target_entrant": str(owner),
            "reason": "a close friend",
        },
    )
    assert r.status_code == 303
    conflicts = jscene.org.get(f"/organizer/events/{jscene.event_id}/conflicts").text
    assert "a close friend" in conflicts and "Added by the organizers" in conflicts
    organizers = max(int(x) for x in re.findall(r"/organizer/conflicts/(\d+)/delete", conflicts))
    assert post(lee, f"/judging/conflicts/{organizers}/delete").status_code == 404  # not Lee's to withdraw
    assert post(kim, f"/organizer/conflicts/{organizers}/delete").status_code == 303
    assert count(jscene.db_url, Conflict) == 2
    # The roles are what they say: Kim is chief judge, Lee accepted.
    assert count(jscene.db_url, EventStaff, EventStaff.role == "chief_judge") == 1


def test_judge_packet_pdf_has_a_page_per_car_with_its_sheet_link(jscene: JudgeScene) -> None:
    jscene.accept()
    base = f"/organizer/events/{jscene.event_id}"
    assert post(jscene.org, f"{base}/packets").status_code == 404  # no teams yet: nothing to print
    page = jscene.org.get(f"{base}/assignment?propose=1").text
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    assert post(jscene.org, f"{base}/assignment/apply", {"token": token}).status_code == 303
    started = post(jscene.org, f"{base}/packets")  # a job: its page, then the download
    assert started.status_code == 303, started.text
    r = jscene.org.get(started.headers["location"] + "/document.pdf")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/pdf")
    reader = PdfReader(io.BytesIO(r.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Talbot-Lago" in text and "Ferrari" in text and "Delahaye" in text
    # One cover page per judge on a team, then one blank sheet per car they judge.
    roster = jscene.org.get(f"{base}/roster").text
    on_teams = len(re.findall(r"<td>Class [CD]", roster))
    assert on_teams >= 4
    assert len(reader.pages) == on_teams * 3  # 2 cars per class, no car conflicts
    compact = re.sub(r"\s", "", text)  # the printed link under each QR code wraps
    for chassis, entry_id in jscene.entries.items():
        assert f"{jscene.settings.base_url}/judging/entries/{entry_id}" in compact, chassis
    # A judge prints their own packet: a cover page and a sheet per car of their class.
    jo = jscene.clients[0]
    mine = jo.get(f"/judging/events/{jscene.event_id}/packet.pdf")
    assert mine.status_code == 200
    jo_pages = PdfReader(io.BytesIO(mine.content))
    assert len(jo_pages.pages) == 3 and "Judge packet — Jo Master" in jo_pages.pages[0].extract_text()
    # Another event's packet is not the judge's to print.
    assert jo.get(f"/judging/events/{jscene.event_id + 99}/packet.pdf").status_code == 404


def test_organizers_notes_on_a_judge_stay_with_their_event(jscene: JudgeScene) -> None:
    """Another organizer who invites the same judge never sees (nor overwrites) this event's private notes."""
    from tests.helpers import login, make_organizer

    jo = jscene.judge_id("jo@example.com")
    profile = {"rank": "master", "specialties": "Talbot-Lago, Pre-War", "notes": "Prefers the morning"}
    r = post(jscene.org, f"/organizer/events/{jscene.event_id}/roster/{jo}", profile)
    assert r.status_code == 303, re.findall(r'class="error"[^>]*>([^<]*)', r.text)
    assert "Prefers the morning" in jscene.org.get(f"/organizer/events/{jscene.event_id}/roster").text
    make_organizer(jscene.db_url, email="rival@example.com")
    with new_client(jscene.settings) as rival:
        login(rival, "rival@example.com")
        r = post(rival, "/organizer/events", {"name": "Rival Show", "starts_on": "2027-07-01", "timezone": "UTC"})
        rival_event = int(r.headers["location"].rsplit("/", 1)[1])
        invite = {"name": "Jo Master", "email": "jo@example.com", "rank": "master", "notes": "Rival's own note"}
        r = post(rival, f"/organizer/events/{rival_event}/roster", invite)
        assert r.status_code == 303, re.findall(r'class="error"[^>]*>([^<]*)', r.text)
        page = rival.get(f"/organizer/events/{rival_event}/roster").text
        assert "Jo Master" in page and "Rival&#39;s own note" in page and "Prefers the morning" not in page
    page = jscene.org.get(f"/organizer/events/{jscene.event_id}/roster").text
    assert "Prefers the morning" in page and "Rival" not in page
