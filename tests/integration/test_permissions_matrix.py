"""Who may do what: every role against every named action over one seeded show, through the real pages.

The answers follow the rule stated in ``services/permissions.py``: 404 where the thing is private to its owner
(an entrant's entry, a draft event), 403 where the viewer may know it exists; a signed-out visitor is sent to sign
in (303 for a page, 401 for a form post)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import CeremonyLine, Conflict, Entrant, EventStaff, Judge, SpecialAward, User
from concours.services import accounts, events
from concours.services.permissions import Viewer
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import post
from tests.scenes import SESSION_COOKIE, seed_scoring

ROLES = (
    "organizer",
    "other_organizer",
    "chief_judge",
    "judge",
    "conflicted_judge",
    "entrant",
    "other_entrant",
    "anonymous",
)


@dataclass
class Show:
    """An event in judging (class C, cars 0 and 1, judges 0-2 on the class team; judge 1 is also its chief judge,
    judge 2 has a conflict with car 0), a special award, and a draft event of the same organizer. Cars 0 and 1
    belong to the entrant and the other entrant; the other organizer runs an event of their own."""

    event_id: int
    class_id: int
    car: int
    award_id: int
    conflict_id: int
    line_id: int
    draft_id: int
    draft_slug: str
    tokens: dict[str, str]


async def _seed(session: AsyncSession, settings: Settings) -> Show:
    seeded = await seed_scoring(session, settings, judges=3, cars=2)
    org_id = await session.scalar(select(User.id).where(User.email == "chief@example.com"))
    assert org_id is not None
    organizer = Viewer(org_id, "Charlotte Chief", "chief@example.com", True, None, None)
    draft = await events.create_event(
        session, organizer, name="Winter Draft Show", venue="", starts_on="2027-12-01", ends_on="", timezone="UTC"
    )
    other = User(email="other-org@example.com", name="Oscar Other", is_organizer=True)
    session.add(other)
    await session.flush()
    await events.create_event(
        session,
        Viewer(other.id, other.name, other.email, True, None, None),
        name="Hillside Concours",
        venue="",
        starts_on="2027-07-01",
        ends_on="",
        timezone="UTC",
    )
    judge_users = [await session.scalar(select(Judge.user_id).where(Judge.id == j)) for j in seeded.judge_ids]
    chief_user = judge_users[1]
    assert chief_user is not None
    session.add(EventStaff(event_id=seeded.event_id, user_id=chief_user, role="chief_judge"))
    conflict = Conflict(
        event_id=seeded.event_id,
        judge_id=seeded.judge_ids[2],
        entry_id=seeded.entries[0],
        reason="Sold this car to its owner",
        source="organizer",
    )
    award = SpecialAward(event_id=seeded.event_id, name="Chairman's Award", chosen_by="The chairman")
    line = CeremonyLine(
        event_id=seeded.event_id, source_key="award:0", kind="special", entry_id=seeded.entries[1], award="A line"
    )
    session.add_all([conflict, award, line])
    await session.flush()
    owners = [
        await session.scalar(select(Entrant.user_id).where(Entrant.id == e))
        for e in (
            await session.scalars(select(Entrant.id).order_by(Entrant.id))  # the seed makes one entrant per car
        ).all()
    ]

    async def token(user_id: int | None) -> str:
        assert user_id is not None
        return await accounts.start_session(session, settings, user_id, "matrix")

    tokens = {
        "organizer": seeded.organizer_token,
        "other_organizer": await token(other.id),
        "chief_judge": seeded.judge_tokens[1],
        "judge": seeded.judge_tokens[0],
        "conflicted_judge": seeded.judge_tokens[2],
        "entrant": await token(owners[0]),
        "other_entrant": await token(owners[1]),
    }
    return Show(
        seeded.event_id,
        seeded.class_id,
        seeded.entries[0],
        award.id,
        conflict.id,
        line.id,
        draft.id,
        draft.slug,
        tokens,
    )


@dataclass(frozen=True)
class Action:
    method: str  # GET a page, or POST a form (with its CSRF token)
    url: str  # formatted with the show as ``s``
    answers: dict[str, int]  # role -> status, for the roles that do not get ``default``
    default: int
    public: bool = False  # a public page: no need to sign in

    def expected(self, role: str) -> int:
        if role == "anonymous" and not self.public:
            return 303 if self.method == "GET" else 401  # sign in first (a page redirects, a form post is refused)
        return self.answers.get(role, self.default)

    def run(self, client: TestClient[Any], show: Show) -> int:
        url = self.url.format(s=show)
        if self.method == "GET":
            return int(client.get(url, follow_redirects=False).status_code)
        return int(post(client, url, {}).status_code)


ORGANIZERS = {"organizer": 200}
RUN_JUDGING = {"organizer": 200, "chief_judge": 200}
MATRIX: dict[str, Action] = {
    "set up the event": Action("GET", "/organizer/events/{s.event_id}", ORGANIZERS, 403),
    "set up a draft event": Action("GET", "/organizer/events/{s.draft_id}", ORGANIZERS, 404),
    "see a draft event's public page": Action("GET", "/events/{s.draft_slug}", ORGANIZERS, 404, public=True),
    "review the entries": Action("GET", "/organizer/events/{s.event_id}/entries", ORGANIZERS, 403),
    "run the judging: conflicts": Action("GET", "/organizer/events/{s.event_id}/conflicts", RUN_JUDGING, 403),
    "run the judging: the scoring board": Action("GET", "/chief/events/{s.event_id}", RUN_JUDGING, 403),
    "run the judging: class results": Action("GET", "/organizer/classes/{s.class_id}/results", RUN_JUDGING, 403),
    # A class's judging system and its cars' award tracks: the organizers only, not the chief judge.
    "choose how a class is judged": Action("GET", "/organizer/classes/{s.class_id}/system", ORGANIZERS, 403),
    "set a car's award track": Action("POST", "/organizer/classes/{s.class_id}/tracks", {"organizer": 400}, 403),
    "adjust the score sheet": Action("GET", "/organizer/events/{s.event_id}/rubric", ORGANIZERS, 403),
    "adjust the judging system": Action("GET", "/organizer/events/{s.event_id}/system/settings", ORGANIZERS, 403),
    "copy the event": Action("GET", "/organizer/events/{s.event_id}/copy", ORGANIZERS, 403),
    "copy a draft event": Action("GET", "/organizer/events/{s.draft_id}/copy", ORGANIZERS, 404),
    # Past the rule, the order named is not there (404); anyone else may not reopen orders of this class (403).
    "reopen a judge's order": Action(
        "POST", "/organizer/classes/{s.class_id}/orders/99999/reopen", {"organizer": 404, "chief_judge": 404}, 403
    ),
    # The run sheet is the organizers' (not the chief judge's); a blank move is refused on the run sheet's page.
    "move a line of the run sheet": Action(
        "POST", "/organizer/ceremony/lines/{s.line_id}/move", {"organizer": 400}, 403
    ),
    "score a car": Action("GET", "/judging/entries/{s.car}", {"judge": 200, "chief_judge": 200}, 403),
    "a judge's own profile": Action(
        "GET", "/judging/profile", {"judge": 200, "chief_judge": 200, "conflicted_judge": 200}, 403
    ),
    "the entrant's portal": Action("GET", "/my/", {"entrant": 200, "other_entrant": 200}, 403),
    # The entrant's own car: its sheets are not published yet (403); anyone else: no such entry of theirs (404).
    "an entrant's own entry": Action("GET", "/my/entries/{s.car}", {"entrant": 403}, 404),
    # Allowed for organizer accounts, so the blank form is refused beside its fields.
    "create an event": Action("POST", "/organizer/events", {"organizer": 400, "other_organizer": 400}, 403),
    # Last, as they change the show (each removes its own thing, once).
    "remove a special award": Action("POST", "/organizer/awards/{s.award_id}/remove", {"organizer": 303}, 403),
    "remove a conflict": Action(
        "POST", "/organizer/conflicts/{s.conflict_id}/delete", {"organizer": 303, "chief_judge": 303}, 403
    ),
}


@pytest.mark.parametrize("role", ROLES)
def test_every_action_answers_as_the_rules_say(role: str, settings: Settings, db_url: str) -> None:
    show = run_db(db_url, lambda session: _seed(session, settings))
    wrong = []
    with new_client(settings) as client:
        if role != "anonymous":
            client.cookies.set(SESSION_COOKIE, show.tokens[role])
        for name, action in MATRIX.items():
            got, expected = action.run(client, show), action.expected(role)
            if got != expected:
                wrong.append(f"{name}: {got}, expected {expected}")
    assert not wrong, f"{role}: " + "; ".join(wrong)
