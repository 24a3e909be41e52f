"""Special awards over HTTP: a secret ballot with a conflicted voter and a tie run-off, designated choices under
the one-award rule, duplicate names, People's Choice with spent, unknown and guessed codes, the voting-code
sheet read back, awards-only publishing and the results export."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar.testing import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    AuditLog,
    AwardCandidate,
    AwardRoll,
    Conflict,
    Entry,
    Event,
    SpecialAward,
    User,
    VotingCode,
    VotingCodeBatch,
)
from concours.domain.awards import code_hash, format_code
from concours.reports.voting_codes import ballot_url
from concours.services import photos, throttle
from concours.services.accounts import start_session
from concours.services.peoples_choice import batch_codes
from concours.settings import Settings
from tests.conftest import TEST_SECRET, new_client, run_db
from tests.helpers import csrf, drawn_images, image_bytes, post
from tests.scenes import SESSION_COOKIE, Seeded, seed_scoring


@contextmanager
def signed_in(settings: Settings, token: str) -> Iterator[TestClient[Any]]:
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, token)
        yield c


def seed(db_url: str, settings: Settings, **kwargs: Any) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, **kwargs)

    return run_db(db_url, go)


def slug_of(db_url: str, event_id: int) -> str:
    async def go(session: AsyncSession) -> str:
        event = await session.get(Event, event_id)
        assert event is not None
        return event.slug

    return run_db(db_url, go)


def define(org: TestClient[Any], event_id: int, **fields: Any) -> str:
    data = {"kind": "designated", "eligibility": "accepted", "position": "10", **fields}
    r = post(org, f"/organizer/events/{event_id}/awards", data)
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def test_ballot_with_conflicted_voter_and_tie_run_off(db_url: str, settings: Settings) -> None:
    scene = seed(db_url, settings, judges=3, cars=3)
    e10, e11, _e12 = scene.entries

    async def conflict(session: AsyncSession) -> None:
        session.add(Conflict(event_id=scene.event_id, judge_id=scene.judge_ids[1], entry_id=e10, reason="Restored it"))

    run_db(db_url, conflict)
    with signed_in(settings, scene.organizer_token) as org:
        url = define(
            org, scene.event_id, name="Best of Show", kind="ballot", eligibility="nominated", chosen_by="the judges"
        )
        assert post(org, f"{url}/open").status_code == 400  # no cars nominated, no voters
        assert post(org, f"{url}/nominate", {"nominated": "10, 11, 99"}).status_code == 400
        assert post(org, f"{url}/nominate", {"nominated": "10, 11, 12"}).status_code == 303
        r = post(org, f"{url}/voters", {"judge_ids": [str(j) for j in scene.judge_ids]})
        assert r.status_code == 303
        page = org.get(url).text
        assert "cannot vote for #10" in page  # the roll shows the conflict
        assert post(org, f"{url}/open").status_code == 303
        award_id = int(url.rsplit("/", 1)[1])
        assert post(org, f"{url}/close").status_code == 400  # nothing to count yet

        def vote(judge: int, entry: int) -> Any:
            with signed_in(settings, scene.judge_tokens[judge]) as j:
                return post(j, f"/judging/ballots/{award_id}", {"entry_id": str(entry)})

        with signed_in(settings, scene.judge_tokens[1]) as j1:
            ballot = j1.get(f"/judging/ballots/{award_id}").text
            assert "your conflict: you cannot vote for this car" in ballot
            assert "Best of Show" in j1.get("/judging/ballots/").text
        r = vote(1, e10)
        assert r.status_code == 400 and "conflict with car 10" in r.text
        assert vote(0, e10).status_code == 303
        r = vote(0, e11)  # a second vote in the round
        assert r.status_code == 400 and "already voted in round 1" in r.text
        assert vote(1, e11).status_code == 303
        # No count anywhere while the round is open.
        page = org.get(url).text
        assert "Counts are hidden" in page and "<th>Votes</th>" not in page
        # Two votes, 1-1: a run-off between cars 10 and 11 opens.
        r = post(org, f"{url}/close")
        assert r.status_code == 200 and "run-off (round 2) is open" in r.text
        assert vote(2, _e12).status_code == 400  # car 12 is not in the run-off
        assert vote(0, e10).status_code == 303
        assert vote(1, e11).status_code == 303
        assert vote(2, e10).status_code == 303
        r = post(org, f"{url}/close")
        assert "Car 10 wins with 2 of 3 votes" in r.text
        page = org.get(url).text
        assert "Round 2 (run-off)" in page and "secret ballot of the judges, after 1 run-off" in page

    async def check(session: AsyncSession) -> None:
        award = await session.get(SpecialAward, award_id)
        assert award is not None and award.status == "decided" and award.entry_id == e10 and award.round == 2
        counts = {(c.round, c.entry_id): c.votes for c in (await session.scalars(select(AwardCandidate))).all()}
        assert counts[(1, e10)] == 1 and counts[(1, e11)] == 1 and counts[(2, e10)] == 2 and counts[(2, e11)] == 1
        # Secrecy: the roll knows who voted, not for what; the counters know nothing of who.
        assert set(AwardRoll.__table__.columns.keys()) == {"award_id", "round", "judge_id"}
        assert set(AwardCandidate.__table__.columns.keys()) == {"award_id", "round", "entry_id", "votes"}
        actions = [
            a.action
            for a in (
                await session.scalars(
                    select(AuditLog).where(AuditLog.entity_type == "special_award").order_by(AuditLog.id)
                )
            ).all()
        ]
        assert actions == ["define", "nominate", "voters", "open", "close", "run_off", "close", "final_count"]

    run_db(db_url, check)


def test_exclude_conflicted_voters(db_url: str, settings: Settings) -> None:
    scene = seed(db_url, settings, judges=2, cars=2)

    async def conflict(session: AsyncSession) -> None:
        session.add(
            Conflict(event_id=scene.event_id, judge_id=scene.judge_ids[1], entry_id=scene.entries[0], reason="Friend")
        )

    run_db(db_url, conflict)
    with signed_in(settings, scene.organizer_token) as org:
        url = define(
            org, scene.event_id, name="Best Pre-war", kind="ballot", eligibility="accepted", exclude_conflicted="on"
        )
        post(org, f"{url}/voters", {"judge_ids": [str(j) for j in scene.judge_ids]})
        assert "left out of this ballot" in org.get(url).text
        assert post(org, f"{url}/open").status_code == 303
        award_id = url.rsplit("/", 1)[1]
    with signed_in(settings, scene.judge_tokens[1]) as j1:
        r = post(j1, f"/judging/ballots/{award_id}", {"entry_id": str(scene.entries[1])})
        assert r.status_code == 403 and "leaves such voters out" in r.text
    with signed_in(settings, scene.judge_tokens[0]) as j0:
        assert post(j0, f"/judging/ballots/{award_id}", {"entry_id": str(scene.entries[1])}).status_code == 303
    # A judge who is not a voter learns nothing of the ballot.
    other = seed(db_url, settings, judges=1, cars=1, prefix="x")
    with signed_in(settings, other.judge_tokens[0]) as stranger:
        assert stranger.get(f"/judging/ballots/{award_id}").status_code == 404


def test_designated_one_award_rule_and_duplicate_names(db_url: str, settings: Settings) -> None:
    scene = seed(db_url, settings, judges=1, cars=2)
    with signed_in(settings, scene.organizer_token) as org:
        url_a = define(org, scene.event_id, name="The Designer's Award", chosen_by="the designer", sponsor="Atelier")
        r = post(
            org,
            f"/organizer/events/{scene.event_id}/awards",
            {"name": "the designer's award", "kind": "designated", "eligibility": "accepted", "chosen_by": "x"},
        )
        assert r.status_code == 400 and "already has an award named" in r.text
        assert 'value="the designer&#39;s award"' in r.text  # what was typed is kept
        url_b = define(org, scene.event_id, name="Chairman's Award", chosen_by="the chairman")
        assert (
            post(
                org,
                f"/organizer/events/{scene.event_id}/awards/rules",
                {"one_award_per_car": "on", "publish_scores": "on"},
            ).status_code
            == 303
        )
        assert post(org, f"{url_a}/decide", {"car_number": "10"}).status_code == 303
        page = org.get(url_b).text
        assert "holds The Designer&#39;s Award" in page
        r = post(org, f"{url_b}/decide", {"car_number": "10"})
        assert r.status_code == 400 and "one special award per car" in r.text
        assert 'value="10"' in r.text
        assert post(org, f"{url_b}/decide", {"car_number": "11"}).status_code == 303
        # Renaming one award to the other's name is refused too.
        r = post(
            org,
            url_b,
            {
                "name": "THE DESIGNER'S AWARD",
                "kind": "designated",
                "eligibility": "accepted",
                "chosen_by": "the chairman",
                "position": "5",
            },
        )
        assert r.status_code == 400 and "already has an award named" in r.text


def test_the_voting_code_sheet_carries_the_events_branding(db_url: str, settings: Settings) -> None:
    scene = seed(db_url, settings, judges=1, cars=1)
    with signed_in(settings, scene.organizer_token) as org:
        url = define(org, scene.event_id, name="People's Choice", kind="peoples_choice", eligibility="accepted")
        assert post(org, f"{url}/codes", {"count": "2"}).status_code == 303
        sheet = re.search(r"/organizer/code-batches/\d+/sheet.pdf", org.get(url).text).group(0)  # type: ignore[union-attr]
        plain = PdfReader(io.BytesIO(org.get(sheet).content)).pages[0]
        assert drawn_images(plain) == []  # no logo yet (the QR codes are drawn as vectors)
        logo = io.BytesIO()
        Image.new("RGB", (64, 48), (10, 200, 10)).save(logo, format="JPEG")
        r = org.post(
            f"/organizer/events/{scene.event_id}/branding",
            data={"primary_colour": "#112233", "accent_colour": "#c8a24a", "_csrf_token": csrf(org)},
            files={"logo": ("logo.jpg", logo.getvalue(), "image/jpeg")},
        )
        assert r.status_code == 200 and "Branding saved" in r.text
        branded = PdfReader(io.BytesIO(org.get(sheet).content)).pages[0]
        (logo_image,) = drawn_images(branded)
        drawn = branded.get_contents().get_data()  # type: ignore[union-attr]
        name = logo_image.name.rsplit(".", 1)[0].encode()
        assert drawn.count(b"/" + name + b" Do") == 2  # the logo, on each card
        assert re.search(rb"0\.0?66\d* 0\.133\d* 0\.2\d* (rg|RG)", drawn)  # the main colour's bar on the cards
        assert re.findall(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", branded.extract_text() or "")  # the codes still print


def test_peoples_choice_codes_sheet_and_votes(db_url: str, settings: Settings) -> None:
    scene = seed(db_url, settings, judges=1, cars=3)
    slug = slug_of(db_url, scene.event_id)
    with signed_in(settings, scene.organizer_token) as org:
        url = define(org, scene.event_id, name="People's Choice", kind="peoples_choice", eligibility="accepted")
        assert post(org, f"{url}/codes", {"count": "0"}).status_code == 400
        assert post(org, f"{url}/codes", {"count": "3"}).status_code == 303
        page = org.get(url).text
        batch_id = int(re.search(r"/organizer/code-batches/(\d+)/sheet.pdf", page).group(1))  # type: ignore[union-attr]
        pdf = org.get(f"/organizer/code-batches/{batch_id}/sheet.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        printed = re.findall(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", text)
        assert len(printed) == 3
        with new_client(settings) as public:
            assert public.get(f"/events/{slug}/vote").status_code == 200  # not open yet: says so
        assert post(org, f"{url}/open").status_code == 303

    async def stored(session: AsyncSession) -> tuple[list[str], list[str]]:
        batch = await session.get(VotingCodeBatch, batch_id)
        assert batch is not None
        hashes = list((await session.scalars(select(VotingCode.code_hash))).all())
        return batch_codes(TEST_SECRET, batch), hashes

    codes, hashes = run_db(db_url, stored)
    # The sheet prints exactly the batch's codes; only keyed hashes are stored, never the codes.
    assert sorted(format_code(c) for c in codes) == sorted(printed)
    assert sorted(hashes) == sorted(code_hash(TEST_SECRET, c) for c in codes)
    assert not any(c in h for c in codes for h in hashes)
    # Each card's QR code encodes this URL (regenerated and compared with what the sheet encodes).
    assert ballot_url(settings, _event(db_url, scene.event_id), codes[0]).endswith(
        f"/events/{slug}/vote?code={codes[0]}"
    )

    with new_client(settings) as phone:
        page = phone.get(f"/events/{slug}/vote", params={"code": codes[0]})
        assert page.status_code == 200 and "#10" in page.text and format_code(codes[0]) in page.text
        r = post(phone, f"/events/{slug}/vote", {"code": codes[0].lower(), "entry_id": str(scene.entries[1])})
        assert r.status_code == 200 and "Your vote for #11" in r.text
        r = post(phone, f"/events/{slug}/vote", {"code": codes[0], "entry_id": str(scene.entries[0])})
        assert r.status_code == 409 and "already been used" in r.text
        assert phone.get(f"/events/{slug}/vote", params={"code": codes[0]}).status_code == 409
        r = post(phone, f"/events/{slug}/vote", {"code": "ABCDE-FGHJK", "entry_id": str(scene.entries[0])})
        assert r.status_code == 400 and "not one of this show" in r.text
        r = post(phone, f"/events/{slug}/vote", {"code": codes[1], "entry_id": "999999"})
        assert r.status_code == 400 and "Choose a car from the list" in r.text
        assert (
            post(phone, f"/events/{slug}/vote", {"code": codes[1], "entry_id": str(scene.entries[1])}).status_code
            == 200
        )
        page = phone.get(f"/events/{slug}/vote", params={"q": "11"})
        assert page.status_code == 200 and "#11" in page.text and "#10" not in page.text  # search by number
        assert not re.search(r"\b\d+\s+votes?\b", page.text, re.I)  # no count for the public while open
    with signed_in(settings, scene.organizer_token) as org:
        assert "Counts are hidden" in org.get(url).text
        assert "2 of 3 codes used" in org.get(f"/organizer/events/{scene.event_id}/awards").text
        r = post(org, f"{url}/close")
        assert "Car 11 wins with 2 of 2 votes" in r.text
    with new_client(settings) as phone:
        r = post(phone, f"/events/{slug}/vote", {"code": codes[2], "entry_id": str(scene.entries[0])})
        assert r.status_code == 409 and "Voting has closed" in r.text
        # Counts are shown to the organizer once closed; the public sees the closed ballot, never a count.
        page = phone.get(f"/events/{slug}/vote").text
        assert "Voting has closed" in page and not re.search(r"\b\d+\s+votes?\b", page, re.I)


def test_guessed_codes_are_throttled(db_url: str, settings: Settings) -> None:
    scene = seed(db_url, settings, judges=1, cars=2)
    slug = slug_of(db_url, scene.event_id)
    with signed_in(settings, scene.organizer_token) as org:
        url = define(org, scene.event_id, name="People's Choice", kind="peoples_choice", eligibility="accepted")
        assert post(org, f"{url}/codes", {"count": "1"}).status_code == 303
        assert post(org, f"{url}/open").status_code == 303
    free = throttle.POLICIES["voting-code"].free
    with new_client(settings) as guesser:
        for n in range(free + 1):
            guess = f"{n:05d}ABCDE".replace("0", "A").replace("1", "B")
            r = post(guesser, f"/events/{slug}/vote", {"code": guess, "entry_id": str(scene.entries[0])})
            assert r.status_code == 400 and "not one of this show" in r.text
        r = guesser.get(f"/events/{slug}/vote", params={"code": "ZZZZZZZZZZ"})
        assert r.status_code == 429 and "Too many attempts" in r.text and r.headers.get("retry-after")
        r = post(guesser, f"/events/{slug}/vote", {"code": "ZZZZZZZZZZ", "entry_id": str(scene.entries[0])})
        assert r.status_code == 429


def _event(db_url: str, event_id: int) -> Event:
    async def go(session: AsyncSession) -> Event:
        event = await session.get(Event, event_id)
        assert event is not None
        return event

    return run_db(db_url, go)


def test_awards_only_publishing_and_export(db_url: str, settings: Settings) -> None:
    scene = seed(db_url, settings, judges=1, cars=2)
    slug = slug_of(db_url, scene.event_id)
    with signed_in(settings, scene.organizer_token) as org, signed_in(settings, scene.judge_tokens[0]) as judge:
        for entry in scene.entries:
            page = judge.get(f"/judging/entries/{entry}").text
            for n, cid in enumerate(re.findall(r'/lines/(\d+)"', page)):
                r = judge.post(
                    f"/judging/entries/{entry}/lines/{cid}",
                    data={"value": "1" if entry == scene.entries[0] else "2", "change_id": f"{entry}-{n}"},
                    headers={"x-csrftoken": judge.cookies.get("concours_csrf") or "", "hx-request": "true"},
                )
                assert r.status_code == 200, r.text
            assert post(judge, f"/judging/entries/{entry}/submit").status_code == 303
        assert post(org, f"/organizer/classes/{scene.class_id}/certify").status_code == 303
        url = define(org, scene.event_id, name='=HYPERLINK("x")', chosen_by="@the sponsor", sponsor="+Sponsor")
        assert post(org, f"{url}/decide", {"car_number": "10", "reason": "-elegance"}).status_code == 303
        assert post(org, f"/organizer/events/{scene.event_id}/awards/rules", {}).status_code == 303  # no scores

        async def private_owner(session: AsyncSession) -> None:
            from concours.db import Entrant, Entry

            entry = await session.get(Entry, scene.entries[0])
            assert entry is not None
            entrant = await session.get(Entrant, entry.entrant_id)
            assert entrant is not None
            entrant.publish_name = False

        run_db(db_url, private_owner)
        rows = list(
            csv.reader(
                io.StringIO(org.get(f"/organizer/events/{scene.event_id}/results.csv").content.decode("utf-8-sig"))
            )
        )
        header, body = rows[0], rows[1:]
        assert header[:5] == ["section", "class_code", "class_name", "award", "place"]
        special = dict(zip(header, body[0], strict=True))
        assert special["section"] == "special" and special["award"].startswith("'=")
        assert special["sponsor"] == "'+Sponsor" and special["owner"] == ""  # the owner keeps their name private
        assert special["how_decided"] == "chosen by @the sponsor"
        classes = [dict(zip(header, r, strict=True)) for r in body[1:]]
        assert [c["place"] for c in classes] == ["1", "2"] and all(c["score"] == "" for c in classes)
        owners = {c["car_number"]: c["owner"] for c in classes}
        assert owners == {"10": "", "11": "Owner 1"} and classes[0]["story"].startswith("Delivered new in Paris")
        data = json.loads(org.get(f"/organizer/events/{scene.event_id}/results.json").text)
        assert data["scores_published"] is False and data["special_awards"][0]["car_number"] == 10
        assert data["classes"][0]["place"] == 1
        assert post(org, f"/organizer/events/{scene.event_id}/publish").status_code == 303
    with new_client(settings) as public:
        page = public.get(f"/events/{slug}/results").text
        assert "<th>Score</th>" not in page and "HYPERLINK" in page and "Owner 0" not in page

    # The entrant's own page and PDF carry the special award (and still their sheets: scores are theirs).
    async def owner_session(session: AsyncSession) -> str:
        user = await session.scalar(select(User).where(User.email == "owner0@example.com"))
        assert user is not None
        return await start_session(session, settings, user.id, "test")

    with signed_in(settings, run_db(db_url, owner_session)) as owner:
        assert "HYPERLINK" in owner.get("/my/").text
        page = owner.get(f"/my/entries/{scene.entries[0]}").text
        assert "Special award:" in page and "chosen by @the sponsor" in page
        pdf = owner.get(f"/my/entries/{scene.entries[0]}/report.pdf")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Special award:" in text and "HYPERLINK" in text
        # The car has no photo yet: the only picture is the (square) QR code of the certified record's check.
        drawn = drawn_images(PdfReader(io.BytesIO(pdf.content)).pages[0])
        assert [im.image.width == im.image.height for im in drawn] == [True]

        # With a photo of the car, the report shows it beside the car's name.
        async def add_photo(session: AsyncSession) -> None:
            vehicle_id = await session.scalar(select(Entry.vehicle_id).where(Entry.id == scene.entries[0]))
            assert vehicle_id is not None
            await photos.store(session, settings, vehicle_id, [photos.process(image_bytes("JPEG", (900, 600)))])
            await session.commit()

        run_db(db_url, add_photo)
        pdf = owner.get(f"/my/entries/{scene.entries[0]}/report.pdf")
        drawn = [
            im for im in drawn_images(PdfReader(io.BytesIO(pdf.content)).pages[0]) if im.image.width != im.image.height
        ]
        assert len(drawn) == 1 and drawn[0].image.width / drawn[0].image.height == 1.5

    # The public results show the winners with their car's photo: car 10 (its special award and its class place);
    # car 11 placed too but has no photo, so none is shown for it.
    with new_client(settings) as public:
        page = public.get(f"/events/{slug}/results").text
        thumb = f"/events/{slug}/cars/10/thumb"
        assert page.count(f'src="{thumb}"') == 2, page
        assert "/cars/11/thumb" not in page
        r = public.get(thumb)
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"


def test_awards_belong_to_their_event(db_url: str, settings: Settings) -> None:
    scene = seed(db_url, settings, judges=1, cars=2)
    other = seed(db_url, settings, judges=1, cars=1, prefix="x")
    with signed_in(settings, scene.organizer_token) as org:
        url = define(org, scene.event_id, name="Best of Show", kind="ballot", eligibility="accepted")
    with signed_in(settings, other.organizer_token) as stranger:
        assert stranger.get(url).status_code == 403
        assert post(stranger, f"{url}/open").status_code == 403
        assert stranger.get(f"/organizer/events/{scene.event_id}/results.csv").status_code == 403
        assert stranger.get(f"/organizer/events/{scene.event_id}/awards").status_code == 403
    with signed_in(settings, scene.judge_tokens[0]) as judge:
        assert judge.get(url).status_code == 403
    with new_client(settings) as public:
        assert public.get(f"/organizer/events/{scene.event_id}/results.json", follow_redirects=False).status_code in (
            302,
            303,
            401,
        )


def test_demo_awards(db_url: str, settings: Settings) -> None:
    """The demo's finished edition has its special awards decided each by its rule; the current edition's
    People's Choice is open and a code the demo prints votes."""
    import asyncio

    from concours.demo import build_demo
    from concours.demo_awards import MAIN_SLUG, PAST_SLUG, demo_voting_lines

    assert asyncio.run(build_demo(settings)) is True
    lines = asyncio.run(demo_voting_lines(settings))
    vote_url = re.search(r"(/events/\S+/vote\?code=\w+)", lines[0]).group(1)  # type: ignore[union-attr]
    with new_client(settings) as visitor:
        page = visitor.get(f"/events/{PAST_SLUG}/results").text
        for text in (
            "Best of Show",
            "after 1 run-off",
            "People&#39;s Choice",
            "votes from spectators",
            "The Designer&#39;s Award",
            "Best Preservation",
            "chosen by the designer",
        ):
            assert text in page, text
        assert "Vote for People's Choice" in visitor.get(f"/events/{MAIN_SLUG}").text
        ballot = visitor.get(vote_url)
        assert ballot.status_code == 200
        entry_id = re.search(r'name="entry_id" value="(\d+)"', ballot.text).group(1)  # type: ignore[union-attr]
        code = vote_url.rsplit("=", 1)[1]
        r = post(visitor, f"/events/{MAIN_SLUG}/vote", {"code": code, "entry_id": entry_id})
        assert r.status_code == 200 and "is counted" in r.text

    async def facts(session: AsyncSession) -> dict[str, tuple[str, str, int]]:
        rows = (
            await session.execute(
                select(SpecialAward.name, SpecialAward.kind, SpecialAward.status, SpecialAward.round, Event.slug).join(
                    Event, Event.id == SpecialAward.event_id
                )
            )
        ).all()
        return {f"{slug}:{name}": (kind, status, rnd) for name, kind, status, rnd, slug in rows}

    got = run_db(db_url, facts)
    assert got[f"{PAST_SLUG}:Best of Show"] == ("ballot", "decided", 2)
    assert got[f"{PAST_SLUG}:People's Choice"] == ("peoples_choice", "decided", 1)
    assert got[f"{PAST_SLUG}:The Designer's Award"][1] == "decided"
    assert got[f"{PAST_SLUG}:Best Preservation"][1] == "decided"
    assert got[f"{MAIN_SLUG}:People's Choice"] == ("peoples_choice", "open", 1)


def test_a_tie_that_voting_cannot_break_is_decided_with_a_reason(db_url: str, settings: Settings) -> None:
    scene = seed(db_url, settings, judges=2, cars=2)
    e10, e11 = scene.entries
    with signed_in(settings, scene.organizer_token) as org:
        url = define(org, scene.event_id, name="Best of Show", kind="ballot", eligibility="accepted")
        post(org, f"{url}/voters", {"judge_ids": [str(j) for j in scene.judge_ids]})
        assert post(org, f"{url}/open").status_code == 303
        award_id = url.rsplit("/", 1)[1]
        for token, entry in zip(scene.judge_tokens, (e10, e11), strict=True):
            with signed_in(settings, token) as judge:
                assert post(judge, f"/judging/ballots/{award_id}", {"entry_id": str(entry)}).status_code == 303
        # 1-1 between every car on the ballot: a run-off would change nothing, so the chief judge decides.
        r = post(org, f"{url}/close")
        assert "hold another run-off or decide it" in r.text
        r = post(org, f"{url}/tie", {"car_number": "11", "reason": ""})
        assert r.status_code == 400 and "Say why this car wins the tie" in r.text
        r = post(org, f"{url}/tie", {"car_number": "12", "reason": "Presence"})
        assert r.status_code == 400
        assert post(org, f"{url}/tie", {"car_number": "11", "reason": "Presence on the lawn"}).status_code == 303
        page = org.get(url).text
        assert "#11" in page and "Presence on the lawn" in page and "Decided" in page
        assert post(org, f"{url}/run-off").status_code == 400  # nothing left to run off
