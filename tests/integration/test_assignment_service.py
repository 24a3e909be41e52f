"""Automatic assignment and the assignment board over HTTP: the plan is shown, then written whole on
confirmation; infeasible plans say why and write nothing; manual changes that would place a conflicted judge
or break a team rule are refused with the reason; a conflicted judge cannot open the car's sheet."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Assignment, AuditLog, Entry, EventClass, ScoreSheet, Team, TeamMember
from tests.conftest import run_db
from tests.helpers import post
from tests.scenes import JudgeScene, count


def board_url(s: JudgeScene) -> str:
    return f"/organizer/events/{s.event_id}/assignment"


def propose_and_apply(s: JudgeScene) -> str:
    page = s.org.get(board_url(s) + "?propose=1").text
    assert "Proposed teams" in page, page
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    r = post(s.org, board_url(s) + "/apply", {"token": token})
    assert r.status_code == 303, r.text
    return s.org.get(r.headers["location"]).text


def teams(s: JudgeScene) -> dict[str, list[tuple[int, bool]]]:
    async def go(session: AsyncSession) -> dict[str, list[tuple[int, bool]]]:
        rows = (
            await session.execute(
                select(EventClass.code, TeamMember.judge_id, TeamMember.is_captain)
                .join(Team, Team.class_id == EventClass.id)
                .join(TeamMember, TeamMember.team_id == Team.id)
                .order_by(EventClass.code, TeamMember.is_captain.desc(), TeamMember.judge_id)
            )
        ).all()
        out: dict[str, list[tuple[int, bool]]] = {}
        for code, jid, captain in rows:
            out.setdefault(code, []).append((jid, captain))
        return out

    return run_db(s.db_url, go)


def assignments(s: JudgeScene) -> set[tuple[int, int]]:
    async def go(session: AsyncSession) -> set[tuple[int, int]]:
        return {(a, b) for a, b in (await session.execute(select(Assignment.judge_id, Assignment.entry_id))).all()}

    return run_db(s.db_url, go)


def change(s: JudgeScene, email: str, class_code: str | None, action: str = "move", client: Any = None) -> Any:
    data = {"judge_id": str(s.judge_id(email)), "class_id": str(s.classes[class_code]) if class_code else ""}
    return post(client or s.org, board_url(s) + "/change", dict(data, action=action))


def test_automatic_assignment_is_shown_then_written_whole(jscene: JudgeScene) -> None:
    s = jscene
    s.accept()
    ann, jo = s.judge_id("ann@example.com"), s.judge_id("jo@example.com")
    page = s.org.get(board_url(s) + "?propose=1").text
    assert "Proposed teams" in page and count(s.db_url, TeamMember) == 0  # shown, not yet written
    page = propose_and_apply(s)
    assert "The automatic plan is in place." in page
    t = teams(s)
    assert set(t) == {"C", "D"} and all(2 <= len(m) <= 4 for m in t.values())
    assert ann not in [j for j, _ in t["C"]]  # her own car is in class C
    assert all(sum(c for _, c in members) == 1 for members in t.values())  # one captain per team
    assert (jo, True) in t["C"]  # the master who knows Talbot-Lago captains class C
    # Every car is judged by its team: one assignment row per member and car.
    expected = {
        (j, s.entries[ch]) for code, chs in (("C", ("C1", "C2")), ("D", ("D1", "D2"))) for ch in chs for j, _ in t[code]
    }
    assert assignments(s) == expected
    assert count(s.db_url, AuditLog, AuditLog.action == "assignment_apply") == 1
    # The same input gives the same plan: proposing again shows exactly these teams.
    again = s.org.get(board_url(s) + "?propose=1").text
    token = re.search(r'name="token" value="([0-9a-f]+)"', again).group(1)  # type: ignore[union-attr]
    assert post(s.org, board_url(s) + "/apply", {"token": token}).status_code == 303
    assert teams(s) == t
    # The board shows each judge's load and specialties.
    board = s.org.get(board_url(s)).text
    assert "2 cars" in board and "talbot-lago" in board


def test_infeasible_plan_says_why_and_writes_nothing(jscene: JudgeScene) -> None:
    s = jscene
    s.accept(("jo@example.com", "kim@example.com", "lee@example.com"))

    async def need_three(session: AsyncSession) -> None:
        await session.execute(update(EventClass).values(team_min=3, team_max=3))

    run_db(s.db_url, need_three)
    kim = s.clients[1]
    r = post(
        kim,
        f"/judging/events/{s.event_id}/conflicts",
        {"type": "other", "kind": "class", "target_class": str(s.classes["D"]), "reason": "I sell Ferraris"},
    )
    assert r.status_code == 303
    page = s.org.get(board_url(s) + "?propose=1").text
    assert "No valid assignment exists" in page
    assert "Class D needs 3 judges; only 2 of the 3 available judges have no conflict with it" in page
    assert "Apply these teams" not in page
    # A forged confirmation writes nothing either.
    r = post(s.org, board_url(s) + "/apply", {"token": "0" * 20})
    assert r.status_code == 409 and "No valid assignment exists" in r.text
    assert count(s.db_url, TeamMember) == 0 and count(s.db_url, Assignment) == 0


def test_a_stale_confirmation_is_refused(jscene: JudgeScene) -> None:
    s = jscene
    s.accept()
    page = s.org.get(board_url(s) + "?propose=1").text
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    # Meanwhile a judge declares a conflict with a car: the plan shown is no longer the plan.
    jo = s.clients[0]
    r = post(
        jo,
        f"/judging/events/{s.event_id}/conflicts",
        {"type": "other", "kind": "entry", "target_entry": str(s.entries["C1"]), "reason": "I restored this car"},
    )
    assert r.status_code == 303
    r = post(s.org, board_url(s) + "/apply", {"token": token})
    assert r.status_code == 409 and "changed since this plan was shown" in r.text
    assert count(s.db_url, TeamMember) == 0


def test_manual_changes_are_checked_recorded_and_refused_with_the_reason(jscene: JudgeScene) -> None:
    s = jscene
    judges = s.accept()
    propose_and_apply(s)
    jo, kim, lee, mx, ann = (s.judge_id(f"{n}@example.com") for n in ("jo", "kim", "lee", "max", "ann"))
    plan = {"C": [(jo, True), (lee, False), (mx, False)], "D": [(kim, True), (ann, False)]}
    assert teams(s) == plan  # deterministic: the master who knows Talbot-Lago captains C, the Ferrari expert D
    # Ann has a car in class C: never on its team.
    r = change(s, "ann@example.com", "C")
    assert r.status_code == 409 and "Ann has a car entered in class C" in r.text
    assert r.headers["content-type"].startswith("text/html")  # a page a browser shows, with the board
    # A declared conflict with the class: refused with the judge's reason.
    r = post(
        judges["kim@example.com"],
        f"/judging/events/{s.event_id}/conflicts",
        {
            "type": "other",
            "kind": "class",
            "target_class": str(s.classes["C"]),
            "reason": "I judge for the Delahaye club",
        },
    )
    assert r.status_code == 303
    r = change(s, "kim@example.com", "C")
    assert r.status_code == 409 and "declared a conflict with class C: I judge for the Delahaye club" in r.text
    # Taking Ann off class D leaves it below its minimum.
    r = change(s, "ann@example.com", None)
    assert r.status_code == 409 and "Class D: team of 1, allowed 2-4" in r.text
    # Moving Jo away leaves the apprentice without a senior or master.
    r = change(s, "jo@example.com", "D")
    assert r.status_code == 409 and "Class C: an apprentice without a senior or master on the team" in r.text
    assert teams(s) == plan  # refused changes change nothing
    # Not on the roster, a class of no event, garbage ids: not found, never a 500.
    assert post(s.org, board_url(s) + "/change", {"judge_id": "999999", "class_id": ""}).status_code == 404
    assert post(s.org, board_url(s) + "/change", {"judge_id": str(ann), "class_id": "999999"}).status_code == 404
    assert post(s.org, board_url(s) + "/change", {"judge_id": "x" * 50, "class_id": "1" * 40}).status_code == 404
    # A valid move: Lee joins class D; it is recorded and Lee's cars follow.
    r = change(s, "lee@example.com", "D")
    assert r.status_code == 303, r.text
    assert teams(s) == {"C": [(jo, True), (mx, False)], "D": [(kim, True), (lee, False), (ann, False)]}
    assert (lee, s.entries["D1"]) in assignments(s) and (lee, s.entries["C1"]) not in assignments(s)
    assert count(s.db_url, AuditLog, AuditLog.action == "move_judge") == 1
    # The captain is the team's most senior judge: making Lee captain over Kim is refused.
    r = change(s, "lee@example.com", None, action="captain")
    assert r.status_code == 409 and "is not the most senior member" in r.text
    # Only who runs the judging may change teams.
    assert change(s, "ann@example.com", None, client=judges["max@example.com"]).status_code == 403


def test_conflicted_judge_gets_403_on_the_car_and_is_not_assigned_to_it(jscene: JudgeScene) -> None:
    s = jscene
    judges = s.accept()
    propose_and_apply(s)
    for status in ("registration_closed", "judging"):
        assert post(s.org, f"/organizer/events/{s.event_id}/status", {"status": status}).status_code == 303
    t = teams(s)
    member = next(j for j, c in t["C"] if not c)
    email = next(e for e, _c in judges.items() if s.judge_id(e) == member)
    judge = judges[email]
    car = s.entries["C2"]
    assert judge.get(f"/judging/entries/{car}").status_code == 200
    r = post(
        judge,
        f"/judging/events/{s.event_id}/conflicts",
        {"type": "other", "kind": "entry", "target_entry": str(car), "reason": "I sold this car to its owner"},
    )
    assert r.status_code == 303
    r = judge.get(f"/judging/entries/{car}")
    assert r.status_code == 403 and "I sold this car to its owner" in r.text
    assert (member, car) not in assignments(s)
    assert "Delahaye" not in judge.get("/judging/").text
    # The board lists the conflict under the judge, and the packet leaves that car out.
    board = s.org.get(board_url(s)).text
    assert "I sold this car to its owner" in board
    # Once sheets exist, the automatic plan no longer replaces the teams.

    async def a_sheet(session: AsyncSession) -> None:
        entry = await session.get(Entry, s.entries["C1"])
        assert entry is not None
        rubric_id = (await session.execute(select(EventClass.rubric_id))).scalars().first()
        from concours.db import Event

        event = await session.get(Event, s.event_id)
        assert event is not None
        session.add(ScoreSheet(entry_id=entry.id, judge_id=member, rubric_id=rubric_id or event.rubric_id))

    run_db(s.db_url, a_sheet)
    page = s.org.get(board_url(s) + "?propose=1").text
    token = re.search(r'name="token" value="([0-9a-f]+)"', page)
    r = post(s.org, board_url(s) + "/apply", {"token": token.group(1) if token else ""})
    assert r.status_code == 409 and "Judging has started" in r.text


def test_the_board_says_the_rules_broken_in_french_naming_the_judges(jscene: JudgeScene) -> None:
    """The rule messages are sentences with parameters, not English text: a French board names each judge."""
    s = jscene
    s.accept()
    propose_and_apply(s)
    lee, jo, ann = (s.judge_id(f"{n}@example.com") for n in ("lee", "jo", "ann"))

    async def break_rules(session: AsyncSession) -> None:
        # Lee captains class C over Jo (a master), and Ann leaves class D alone with Kim.
        await session.execute(update(TeamMember).where(TeamMember.judge_id == jo).values(is_captain=False))
        await session.execute(update(TeamMember).where(TeamMember.judge_id == lee).values(is_captain=True))
        await session.execute(TeamMember.__table__.delete().where(TeamMember.judge_id == ann))

    run_db(s.db_url, break_rules)
    s.org.cookies.set("concours_lang", "fr")
    page = s.org.get(board_url(s)).text
    assert "Classe C : le chef d’équipe Lee Judge n’est pas le membre le plus expérimenté" in page, page
    assert "Classe D : équipe de 1, 2 à 4 autorisés" in page
    assert "is not the most senior member" not in page and "team of 1" not in page
    # A refused change says why in French too.
    r = change(s, "jo@example.com", "D")
    assert r.status_code == 409 and "Refused" not in r.text
    assert "Classe C : un apprenti sans senior ni maître dans l’équipe" in r.text
