"""Conflicts of interest the owner declares on the application, and what the app sees in the judges' profiles
(issue 14): a declaration naming a judge is a suggested conflict, source entrant, that binds once an organizer
confirms it; a name matching nobody yet is matched when the roster grows; the roster is offered to pick from only
when the organizers show it; a shop a judge works with, named in a car's record, and the same street address as an
owner are suggested with the words that matched; the entrant's data download carries the new personal fields."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    Assignment,
    AuditLog,
    Conflict,
    Entrant,
    Entry,
    Event,
    EventClass,
    EventStaff,
    Judge,
    User,
    Vehicle,
)
from concours.domain import conflict_matching
from concours.services import assignment, conflict_suggestions, teams
from concours.services.permissions import INVITED, conflict_reason
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import login_by_link, post
from tests.scenes import APPLICATION, Seeded, count, seed_scoring, signed_in, viewer_of


def open_show(db_url: str, settings: Settings) -> tuple[Seeded, str]:
    """The Lakeside show (class C, cars 0 and 1, judges 0-2 on its team) open for applications again, judge 1
    named Paul Delacroix. Returns the show and the event's slug."""

    async def go(session: AsyncSession) -> tuple[Seeded, str]:
        show = await seed_scoring(session, settings, judges=3, cars=2)
        event = await session.get(Event, show.event_id)
        judge1 = await session.scalar(select(User).where(User.email == "judge1@example.com"))
        assert event is not None and judge1 is not None
        judge1.name = "Paul Delacroix"
        event.status = "registration_open"
        return show, event.slug

    return run_db(db_url, go)


def stored(db_url: str, event_id: int) -> list[tuple[int, int | None, int | None, str, str, str, str]]:
    async def go(session: AsyncSession) -> list[tuple[int, int | None, int | None, str, str, str, str]]:
        rows = await session.scalars(select(Conflict).where(Conflict.event_id == event_id).order_by(Conflict.id))
        return [(c.judge_id, c.entry_id, c.entrant_id, c.kind, c.source, c.state, c.reason) for c in rows]

    return run_db(db_url, go)


def new_entry(db_url: str, email: str) -> Entry:
    async def go(session: AsyncSession) -> Entry:
        entry = await session.scalar(
            select(Entry)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(User.email == email)
        )
        assert entry is not None
        return entry

    return run_db(db_url, go)


def suggest(db_url: str, show: Seeded) -> list[tuple[int, str, int | None, int | None, str, str]]:
    async def go(session: AsyncSession) -> list[tuple[int, str, int | None, int | None, str, str]]:
        event = await session.get(Event, show.event_id)
        org = await session.scalar(select(User).where(User.email == "chief@example.com"))
        assert event is not None and org is not None
        found = await conflict_suggestions.suggest_conflicts(session, viewer_of(org, event.id), event)
        return sorted((c.judge_id, c.kind, c.entry_id, c.entrant_id, c.source, c.reason) for c in found)

    return run_db(db_url, go)


DECLARED = dict(
    APPLICATION,
    address="12, Elm Street",
    postcode="BA1 1AA",
    conflict_name_1="paul  DELACROIX",
    conflict_type_1="restorer",
    conflict_note_1="rebuilt the engine in 2021",
    conflict_name_2="Yvonne Later",
    conflict_type_2="family",
    conflict_note_2="my sister",
)


def test_an_entrants_declaration_is_suggested_binds_once_confirmed_and_is_in_their_data(
    db_url: str, settings: Settings
) -> None:
    show, slug = open_show(db_url, settings)
    judge1 = show.judge_ids[1]
    with new_client(settings) as ent:
        form = ent.get(f"/events/{slug}/apply").text
        # The roster is not shown to entrants: they name people in their own words.
        assert 'name="conflict_name_1"' in form and 'name="conflict_judge_1"' not in form
        assert "Paul Delacroix" not in form and 'name="address"' in form and 'name="postcode"' in form
        r = post(ent, f"/events/{slug}/apply", DECLARED)
        assert r.status_code == 200 and "your application is in" in r.text, r.text
        entry = new_entry(db_url, "edith@example.com")
        # Matched by name (case, spaces): a suggested conflict with the car, declared by the entrant.
        assert stored(db_url, show.event_id) == [
            (
                judge1,
                entry.id,
                None,
                "restorer",
                "entrant",
                "suggested",
                "The owner declared paul DELACROIX on the application: rebuilt the engine in 2021",
            )
        ]
        assert entry.declared_conflicts == [
            {"judge_id": judge1, "name": "paul DELACROIX", "type": "restorer", "note": "rebuilt the engine in 2021"},
            {"judge_id": None, "name": "Yvonne Later", "type": "family", "note": "my sister"},
        ]
        assert count(db_url, AuditLog, AuditLog.action == "declare_on_application") == 1
        # The entrant sees what they declared on their application.
        login_by_link(ent, db_url, "edith@example.com")
        portal = ent.get("/my/").text
        assert "<strong>paul DELACROIX</strong> — Restorer or shop: rebuilt the engine in 2021" in portal
        assert "<strong>Yvonne Later</strong> — Family: my sister" in portal
        edit = ent.get(f"/my/entries/{entry.id}/edit").text
        assert "You declared:" in edit and "<strong>Yvonne Later</strong>" in edit and 'value="BA1 1AA"' in edit
        # The data download carries the address, the postcode and the declarations.
        r = ent.get("/my/privacy/data.json")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        assert "attachment" in r.headers["content-disposition"]
        data = json.loads(r.content)
        assert data["contact"] == {
            "phone": "+44 20 7946 0000",
            "address": "12, Elm Street",
            "postcode": "BA1 1AA",
            "city": "Bath",
            "country": "United Kingdom",
        }
        assert data["account"] == {"name": "Edith Entrant", "email": "edith@example.com"}
        assert data["cars"][0]["coachbuilder"] == "Figoni et Falaschi"
        assert data["applications"][0]["declared_conflicts"][1] == {
            "name": "Yvonne Later",
            "type": "family",
            "note": "my sister",
        }

    # Judging: the car accepted into class C, judge 1 seated on it. The suggestion binds nothing yet.
    async def accept(session: AsyncSession) -> None:
        e = await session.get(Entry, entry.id)
        event = await session.get(Event, show.event_id)
        assert e is not None and event is not None
        e.status, e.class_id, e.car_number = "accepted", show.class_id, 30
        event.status = "judging"
        session.add(Assignment(event_id=show.event_id, judge_id=judge1, entry_id=entry.id))

    run_db(db_url, accept)

    async def binding(session: AsyncSession) -> tuple[str | None, bool, bool]:
        e = await session.get(Entry, entry.id)
        event = await session.get(Event, show.event_id)
        assert e is not None and event is not None
        loaded = await assignment.load_input(session, event)
        seated = await session.scalar(
            select(Assignment.id).where(Assignment.judge_id == judge1, Assignment.entry_id == entry.id)
        )
        solver = (judge1, entry.id) in {(x.judge_id, x.entry_id) for x in loaded.inputs.conflicts}
        return await conflict_reason(session, judge1, e), solver, seated is not None

    assert run_db(db_url, binding) == (None, False, True)
    with signed_in(settings, show.judge_tokens[1]) as judge:
        assert judge.get(f"/judging/entries/{entry.id}").status_code == 200

    # The organizers see it among the suggestions, marked as the entrant's, and confirm it.
    async def declared_id(session: AsyncSession) -> int:
        return (await session.scalars(select(Conflict.id).where(Conflict.source == "entrant"))).one()

    conflict_id = run_db(db_url, declared_id)
    with signed_in(settings, show.organizer_token) as org:
        page = org.get(f"/organizer/events/{show.event_id}/conflicts").text
        row = page[page.index(f'id="conflict-{conflict_id}"') :]
        row = row[: row.index("</tr>")]
        assert "Declared by the entrant" in row and "rebuilt the engine in 2021" in row and "Paul Delacroix" in row
        r = post(org, f"/organizer/conflicts/{conflict_id}/confirm")
        assert r.status_code == 303, r.text
    reason, solver, seated = run_db(db_url, binding)
    assert reason is not None and "rebuilt the engine in 2021" in reason and solver and not seated
    with signed_in(settings, show.judge_tokens[1]) as judge:
        r = judge.get(f"/judging/entries/{entry.id}")
        assert r.status_code == 403 and "rebuilt the engine in 2021" in r.text

    # Yvonne Later joins the judges later: looking for conflicts matches the owner's declaration, source entrant.
    async def later(session: AsyncSession) -> int:
        org = await session.scalar(select(User).where(User.email == "chief@example.com"))
        cls = await session.get(EventClass, show.class_id)
        assert org is not None and cls is not None
        judge = await teams.add_judge_to_class(
            session, settings, viewer_of(org, show.event_id), cls, name="Yvonne  later", email="yl@example.com"
        )
        return judge.id

    yvonne = run_db(db_url, later)
    assert suggest(db_url, show) == [
        (yvonne, "family", entry.id, None, "entrant", "The owner declared Yvonne Later on the application: my sister")
    ]
    assert suggest(db_url, show) == []


def test_with_the_roster_shown_the_owner_picks_a_judge_and_errors_keep_what_was_typed(
    db_url: str, settings: Settings
) -> None:
    show, slug = open_show(db_url, settings)
    judge0 = show.judge_ids[0]

    async def invited_only(session: AsyncSession) -> None:
        # A judge only invited (not accepted, not on a team) is not shown to entrants.
        user = User(email="invited@example.com", name="Ines Invited")
        session.add(user)
        await session.flush()
        session.add(Judge(user_id=user.id))
        session.add(EventStaff(event_id=show.event_id, user_id=user.id, role=INVITED))

    run_db(db_url, invited_only)
    with signed_in(settings, show.organizer_token) as org:
        r = post(org, f"/organizer/events/{show.event_id}/conflicts/roster-setting", {"roster_public": "on"})
        assert r.status_code == 303, r.text
        assert 'name="roster_public" value="on" checked' in org.get(r.headers["location"]).text
    with new_client(settings) as ent:
        form = ent.get(f"/events/{slug}/apply").text
        assert 'name="conflict_judge_1"' in form and 'name="conflict_name_1"' not in form
        assert f'<option value="{judge0}">Judge 0</option>' in form and "Paul Delacroix" in form
        assert "Ines Invited" not in form
        # A type missing, a judge not of the roster, a note too long: each error beside its field, input kept.
        bad = dict(
            APPLICATION,
            address="3 Rue de la Paix",
            conflict_judge_1=str(judge0),
            conflict_type_1="",
            conflict_note_1="we race together",
            conflict_judge_2="999999",
            conflict_type_2="dealer",
            conflict_type_3="other",
            conflict_note_3="x" * 201,
        )
        r = post(ent, f"/events/{slug}/apply", bad)
        assert r.status_code == 400
        page = r.text
        assert '<p class="error" id="e-conflict_type_1">Choose how you know them' in page
        assert '<p class="error" id="e-conflict_judge_2">Choose one of the event&#39;s judges.</p>' in page
        assert '<p class="error" id="e-conflict_judge_3">Choose the judge, or leave the line blank.</p>' in page
        assert '<p class="error" id="e-conflict_note_3">Keep the note under 200 characters.</p>' in page
        assert f'<option value="{judge0}" selected>Judge 0</option>' in page
        assert 'value="we race together"' in page and 'value="3 Rue de la Paix"' in page
        assert '<option value="dealer" selected>' in page and 'value="Talbot-Lago"' in page
        assert count(db_url, Entry, Entry.event_id == show.event_id) == 2 and stored(db_url, show.event_id) == []
        good = dict(APPLICATION, conflict_judge_1=str(judge0), conflict_type_1="dealer", conflict_note_1="")
        r = post(ent, f"/events/{slug}/apply", good)
        assert r.status_code == 200, r.text
    entry = new_entry(db_url, "edith@example.com")
    assert stored(db_url, show.event_id) == [
        (judge0, entry.id, None, "dealer", "entrant", "suggested", "The owner declared Judge 0 on the application")
    ]
    with new_client(settings) as french:  # the conflicts part of the form speaks the reader's language
        french.cookies.set("concours_lang", "fr")
        r = post(french, f"/events/{slug}/apply", dict(APPLICATION, email="f@example.com", conflict_type_1="family"))
        assert r.status_code == 400 and "Juges que vous connaissez" in r.text
        assert "Choisissez le juge, ou laissez la ligne vide." in r.text and ">Famille</option>" in r.text


def test_the_organizers_add_entry_form_takes_the_owners_declarations(db_url: str, settings: Settings) -> None:
    show, _ = open_show(db_url, settings)
    judge2 = show.judge_ids[2]
    owner = dict(APPLICATION, decision="applied", email="marcel@example.com", chassis_number="47190")
    owner.pop("terms")
    url = f"/organizer/events/{show.event_id}/entries/new"
    with signed_in(settings, show.organizer_token) as org:
        assert 'name="conflict_judge_1"' in org.get(url).text  # the organizers always pick from the roster
        r = post(org, url, dict(owner, conflict_judge_1=str(judge2), conflict_type_1="nonsense"))
        assert r.status_code == 400
        assert '<p class="error" id="e-conflict_type_1">' in r.text and 'value="marcel@example.com"' in r.text
        r = post(org, url, dict(owner, conflict_judge_1=str(judge2), conflict_type_1="prior_owner"))
        assert r.status_code == 303, r.text
    entry = new_entry(db_url, "marcel@example.com")
    assert stored(db_url, show.event_id) == [
        (judge2, entry.id, None, "prior_owner", "entrant", "suggested", "The owner declared Judge 2 on the application")
    ]


def test_shop_ties_and_the_same_address_are_suggested_with_what_matched(db_url: str, settings: Settings) -> None:
    show, _ = open_show(db_url, settings)
    judge0, judge1, judge2 = show.judge_ids
    car0, car1 = show.entries

    async def records(session: AsyncSession) -> int:
        entries = (await session.scalars(select(Entry).where(Entry.id.in_(show.entries)).order_by(Entry.id))).all()
        v0 = await session.get(Vehicle, entries[0].vehicle_id)
        v1 = await session.get(Vehicle, entries[1].vehicle_id)
        owner1 = await session.get(Entrant, entries[1].entrant_id)
        assert v0 is not None and v1 is not None and owner1 is not None
        v0.coachbuilder = "Figoni et Falaschi"
        v0.restoration_notes = "Body-off restoration 2017-2019 by PAUL RUSSELL and Company, Essex, Massachusetts."
        v1.coachbuilder = "Saoutchik"
        v1.history = "Sold new in Klingenberg; later with the Touringcar Club of Zurich."  # no whole-word tie
        owner1.address, owner1.postcode = "12 elm st.", "SW1A1AA"
        return entries[1].entrant_id

    owner1 = run_db(db_url, records)
    with signed_in(settings, show.judge_tokens[0]) as judge:
        profile = judge.get("/judging/profile").text
        assert "Shops, restorers, dealers or clubs you work for or with" in profile
        too_many = "\n".join(f"Shop {n}" for n in range(25))
        r = post(judge, "/judging/profile", {"specialties": "Talbot", "ties": too_many, "address": "1 Kept Road"})
        assert r.status_code == 400
        assert '<p class="error" id="e-ties">List at most 20, one per line.</p>' in r.text
        assert 'value="1 Kept Road"' in r.text and "Shop 24" in r.text
        r = post(judge, "/judging/profile", {"specialties": "Talbot", "ties": "Paul Russell & Co.\nKling\nTouring"})
        assert r.status_code == 303, r.text
        assert "Paul Russell &amp; Co.\nKling\nTouring</textarea>" in judge.get("/judging/profile").text
    with signed_in(settings, show.judge_tokens[1]) as judge:
        r = post(judge, "/judging/profile", {"specialties": "", "address": "12, Elm Street", "postcode": "sw1a 1aa"})
        assert r.status_code == 303, r.text
    with signed_in(settings, show.judge_tokens[2]) as judge:  # the same street, another postcode: no match
        r = post(judge, "/judging/profile", {"specialties": "", "address": "12 Elm Street", "postcode": "SW1A 2AA"})
        assert r.status_code == 303, r.text
    with signed_in(settings, show.organizer_token) as org:
        r = post(org, f"/organizer/events/{show.event_id}/conflicts/suggest")
        assert r.status_code == 303 and "2%20new%20suggestions" in r.headers["location"]
        page = org.get(r.headers["location"]).text
        roster = org.get(f"/organizer/events/{show.event_id}/roster").text
        assert "Works with: Paul Russell &amp; Co.; Kling; Touring" in roster  # the organizers see the ties
    assert "Same address as the owner, Owner 1" in page and "12 elm" not in page.lower()  # the address stays private
    assert sorted((j, k, e, o, src, why) for j, e, o, k, src, _, why in stored(db_url, show.event_id)) == [
        (
            judge0,
            "restorer",
            car0,
            None,
            "app",
            "Works with Paul Russell & Co., named in the car's restoration notes: “Body-off restoration 2017-2019 by "
            "PAUL RUSSELL and Company, Essex, Massachusetts.”",
        ),
        (judge1, "family", None, owner1, "app", "Same address as the owner, Owner 1"),
    ]
    assert judge2 not in {c[0] for c in stored(db_url, show.event_id)}


def test_find_tie_whole_words_only() -> None:
    text = "Restored by Carrosserie Chapron, Levallois; engine by Kling & Söhne."
    assert conflict_matching.find_tie("CHAPRON", text) == text  # short: the whole text
    longer = "In 1950 the car went back to Paris, where the coachwork was repainted by Carrosserie Chapron of " * 2
    assert conflict_matching.find_tie("chapron", longer) == (
        "…coachwork was repainted by Carrosserie Chapron of In 1950 the car went back to Paris,…"
    )
    assert conflict_matching.find_tie("Kling and Sohne GmbH", text) is not None  # accents, "&" and the company word
    assert conflict_matching.find_tie("Chap", text) is None  # part of a word
    assert conflict_matching.find_tie("Levallois Motors", text) is None  # not every word
    assert conflict_matching.find_tie("Co.", text) is None  # nothing left to match
    assert conflict_matching.address_key("12, Elm Street", "sw1a 1aa") == conflict_matching.address_key(
        "12 elm st.", "SW1A1AA"
    )
    assert conflict_matching.address_key("12 Elm Street", "") is None
