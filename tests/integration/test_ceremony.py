"""The run sheet over HTTP: built from the certified results in the default order, reordered by the organizer,
read back from the emcee cards' PDF; presenting line by line; what the public sees before and after."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import AuditLog, CeremonyLine, SpecialAward
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import htmx_post, post
from tests.scenes import Show, seed_show

SESSION_COOKIE = "concours_session"


def make_show(db_url: str, settings: Settings, **kwargs: Any) -> Show:
    async def go(session: AsyncSession) -> Show:
        return await seed_show(session, settings, **kwargs)

    return run_db(db_url, go)


@pytest.fixture
def show(db_url: str, settings: Settings) -> Show:
    return make_show(db_url, settings, private_owner=103)


@pytest.fixture
def organizer(settings: Settings, show: Show) -> Iterator[TestClient[Any]]:
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, show.organizer_token)
        yield c


def card_awards(pdf: bytes) -> list[str]:
    """The award on each emcee card, page by page (between "Award n of N" and the car)."""
    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for page in reader.pages:
        lines = [ln.strip() for ln in (page.extract_text() or "").splitlines() if ln.strip()]
        i = next(i for i, ln in enumerate(lines) if re.match(r"Award \d+ of \d+", ln))
        j = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(("Chosen by", "No. ")))
        out.append(" ".join(lines[i + 1 : j]))
    return out


def line_ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr id="line-(\d+)"', page)]


DEFAULT = [
    "Class A, Class name A: 3rd in class",
    "Class A, Class name A: 2nd in class",
    "Class A, Class name A: 1st in class",
    "Class B, Class name B: 3rd in class",
    "Class B, Class name B: 2nd in class",
    "Class B, Class name B: 1st in class",
    "The Sponsor's Trophy",
    "Best of Show",
]


def test_run_sheet_default_order_reordered_and_read_back_from_emcee_cards(
    organizer: TestClient[Any], show: Show, db_url: str
) -> None:
    url = f"/organizer/events/{show.event_id}/ceremony"
    assert "No run sheet yet" in organizer.get(url).text
    assert post(organizer, f"{url}/build").status_code == 303
    page = organizer.get(url).text
    pdf = organizer.get(f"{url}/emcee-cards.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert card_awards(pdf.content) == DEFAULT
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "No. 101" in text and "delivered new in Paris" in text and "Chosen by the honorary judges" in text
    assert "asked not to be named in public" in text  # the emcee is told; car 103's owner is private

    # Best of Show up one place (plain form), then the first line down (as htmx sends it).
    ids = line_ids(page)
    assert post(organizer, f"/organizer/ceremony/lines/{ids[-1]}/move", {"direction": "up"}).status_code == 303
    r = htmx_post(organizer, f"/organizer/ceremony/lines/{ids[0]}/move", {"direction": "down"})
    assert r.status_code == 303  # htmx follows it and swaps in the page's run sheet
    expected = [DEFAULT[1], DEFAULT[0], *DEFAULT[2:6], "Best of Show", "The Sponsor's Trophy"]
    assert card_awards(organizer.get(f"{url}/emcee-cards.pdf").content) == expected

    # Rebuilding keeps the organizer's order; resetting restores the default.
    assert post(organizer, f"{url}/build").status_code == 303
    assert card_awards(organizer.get(f"{url}/emcee-cards.pdf").content) == expected
    assert post(organizer, f"{url}/reset").status_code == 303
    assert card_awards(organizer.get(f"{url}/emcee-cards.pdf").content) == DEFAULT

    r = post(organizer, f"/organizer/ceremony/lines/{ids[0]}/move", {"direction": "sideways"})
    assert r.status_code == 400 and "up or down" in r.text


def test_new_awards_join_the_run_sheet_where_the_default_order_puts_them(
    organizer: TestClient[Any], show: Show, db_url: str
) -> None:
    url = f"/organizer/events/{show.event_id}/ceremony"
    post(organizer, f"{url}/build")
    ids = line_ids(organizer.get(url).text)
    post(organizer, f"/organizer/ceremony/lines/{ids[-1]}/move", {"direction": "up"})  # BoS before the sponsor

    async def chairman(session: AsyncSession) -> None:
        session.add(
            SpecialAward(
                event_id=show.event_id,
                name="Chairman's Award",
                kind="designated",
                position=2,
                status="decided",
                entry_id=show.entries[203],
                chosen_by="the chairman",
            )
        )

    run_db(db_url, chairman)
    post(organizer, f"{url}/build")
    order = card_awards(organizer.get(f"{url}/emcee-cards.pdf").content)
    assert order[:6] == DEFAULT[:6] and set(order[6:]) == {"Best of Show", "The Sponsor's Trophy", "Chairman's Award"}
    assert order.index("Best of Show") < order.index("The Sponsor's Trophy")  # the organizer's move is kept
    assert len(order) == 9


def test_run_sheet_needs_results_and_is_the_organizers_alone(db_url: str, settings: Settings) -> None:
    show = make_show(db_url, settings, status="registration_open")
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, show.organizer_token)
        r = post(c, f"/organizer/events/{show.event_id}/ceremony/build")
        assert r.status_code == 400 and "certified results" in r.text
        r = c.get(f"/organizer/events/{show.event_id}/ceremony/emcee-cards.pdf")
        assert r.status_code == 400 and "run sheet is empty" in r.text
    other = make_show(db_url, settings, prefix="x")
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, other.organizer_token)
        assert c.get(f"/organizer/events/{show.event_id}/ceremony").status_code == 403
        assert post(c, f"/organizer/events/{show.event_id}/ceremony/build").status_code == 403
    with new_client(settings) as anonymous:
        r = anonymous.get(f"/organizer/events/{show.event_id}/ceremony", follow_redirects=False)
        assert r.status_code in (302, 303, 401)


def test_presenting_reveals_one_line_at_a_time_and_nothing_else(
    organizer: TestClient[Any], show: Show, db_url: str, settings: Settings
) -> None:
    url = f"/organizer/events/{show.event_id}/ceremony"
    post(organizer, f"{url}/build")
    ids = line_ids(organizer.get(url).text)
    with new_client(settings) as public:
        live = public.get(f"/events/{show.slug}/live")
        assert live.status_code == 200 and "will begin shortly" in live.text
        assert "No. 1" not in live.text and "in class" not in live.text and "Best of Show" not in live.text
        assert public.get(f"/events/{show.slug}/results").status_code == 404  # not published, nothing presented
        car = public.get(f"/events/{show.slug}/cars/101")
        assert car.status_code == 200 and "Best of Show" not in car.text and "in class" not in car.text

        r = htmx_post(organizer, f"/organizer/ceremony/lines/{ids[0]}/present")
        assert r.status_code == 303
        live = public.get(f"/events/{show.slug}/live").text
        assert "Class A, Class name A: 3rd in class" in live and "No. 103" in live
        assert "Owner 103" not in live  # this owner is not named in public
        for secret in ("2nd in class", "1st in class", "Best of Show", "Sponsor", "No. 101", "No. 102"):
            assert secret not in live
        results = public.get(f"/events/{show.slug}/results")
        assert results.status_code == 200 and "3rd in class" in results.text
        assert "1st in class" not in results.text and "Best of Show" not in results.text
        assert "3rd in class" in public.get(f"/events/{show.slug}/cars/103").text
        assert "in class" not in public.get(f"/events/{show.slug}/cars/101").text

        # Presenting twice changes nothing; an undo hides the line again.
        post(organizer, f"/organizer/ceremony/lines/{ids[0]}/present")
        post(organizer, f"/organizer/ceremony/lines/{ids[0]}/unpresent")
        assert "3rd in class" not in public.get(f"/events/{show.slug}/live").text
        for line_id in ids:
            assert post(organizer, f"/organizer/ceremony/lines/{line_id}/present").status_code == 303
        live = public.get(f"/events/{show.slug}/live").text
        assert "Best of Show" in live and "8 awards presented" in live
        # The public cannot press "presented".
        assert post(public, f"/organizer/ceremony/lines/{ids[0]}/unpresent").status_code in (401, 403)

    async def audit(session: AsyncSession) -> list[str]:
        return list(
            (await session.scalars(select(AuditLog.action).where(AuditLog.entity_type == "ceremony_line"))).all()
        )

    actions = run_db(db_url, audit)
    assert actions.count("present") == 9 and actions.count("unpresent") == 1

    async def presented(session: AsyncSession) -> int:
        return len((await session.scalars(select(CeremonyLine).where(CeremonyLine.presented_at.is_not(None)))).all())

    assert run_db(db_url, presented) == 8


def test_draft_event_has_no_live_page_or_car_pages(db_url: str, settings: Settings) -> None:
    show = make_show(db_url, settings, status="draft")
    with new_client(settings) as public:
        assert public.get(f"/events/{show.slug}/live").status_code == 404
        assert public.get(f"/events/{show.slug}/cars/101").status_code == 404
        assert public.get(f"/events/{show.slug}/cars/101/photo").status_code == 404


def test_an_owner_leaves_their_name_out_of_public_pages(db_url: str, settings: Settings, show: Show) -> None:
    from concours.db import Entrant, Entry
    from concours.services import accounts

    async def owner_session(session: AsyncSession) -> str:
        entry = await session.get(Entry, show.entries[101])
        assert entry is not None
        entrant = await session.get(Entrant, entry.entrant_id)
        assert entrant is not None
        return await accounts.start_session(session, settings, entrant.user_id, "test")

    token = run_db(db_url, owner_session)
    with new_client(settings) as public:
        assert "Owner 101" in public.get(f"/events/{show.slug}/cars/101").text
    with new_client(settings) as owner:
        owner.cookies.set(SESSION_COOKIE, token)
        assert "Your name in public" in owner.get("/my/").text
        page = owner.get("/my/privacy")
        assert page.status_code == 200 and 'value="1" checked' in page.text
        r = post(owner, "/my/privacy", {"publish_name": "0"})
        assert r.status_code == 303
        r = owner.get(r.headers["location"])
        assert r.status_code == 200 and 'value="0" checked' in r.text and "Saved." in r.text
    with new_client(settings) as public:
        assert "Owner 101" not in public.get(f"/events/{show.slug}/cars/101").text
        assert public.get("/my/privacy", follow_redirects=False).status_code in (303, 401)
