"""Invitation-only events: owners invited by e-mail apply through their private link; the public form refuses
everyone else with a page that says so (403, never a 500); a used or unknown link is refused as clearly."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ApplicationInvitation, Entry, Event
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import mails, post
from tests.scenes import APPLICATION, set_up_event

INVITED = "edith@example.com"


def _entries(db_url: str) -> int:
    async def go(session: AsyncSession) -> int:
        return len((await session.scalars(select(Entry.id))).all())

    return run_db(db_url, go)


def _invite(org: TestClient[Any], event_id: int, **form: str) -> Any:
    return post(org, f"/organizer/events/{event_id}/invitations", form)


def _token(db_url: str, slug: str, to: str = INVITED) -> str:
    body = mails(db_url, to)[0].body_text
    found = re.search(rf"/events/{re.escape(slug)}/invitation/([A-Za-z0-9_\-]+)", body)
    assert found, body
    return found.group(1)


def test_invited_owner_applies_and_nobody_else(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event(client, db_url)
    slug, event_id = ev["slug"], ev["event_id"]
    assert (
        post(client, f"/organizer/events/{event_id}/invitations/setting", {"invitation_only": "on"}).status_code == 303
    )
    with new_client(settings) as public:
        page = public.get(f"/events/{slug}/apply")
        assert page.status_code == 403
        assert "This event accepts applications by invitation only" in page.text
        assert "org@example.com" in page.text  # whom to ask
        assert "by invitation only" in public.get(f"/events/{slug}").text
        refused = post(public, f"/events/{slug}/apply", APPLICATION)
        assert refused.status_code == 403 and "by invitation only" in refused.text
        assert _entries(db_url) == 0

    r = _invite(client, event_id, emails=INVITED, name="Edith Entrant", message="Do bring the Talbot.")
    assert r.status_code == 303, r.text
    assert "1 invitation sent" in client.get(r.headers["location"]).text
    mail = mails(db_url, INVITED)[0]
    assert "Do bring the Talbot." in mail.body_text
    token = _token(db_url, slug)

    async def stored(session: AsyncSession) -> ApplicationInvitation:
        row = await session.scalar(select(ApplicationInvitation))
        assert row is not None
        return row

    row = run_db(db_url, stored)
    assert token not in (row.token_hash, row.email, row.message) and len(row.token_hash) == 64

    with new_client(settings) as owner:
        form = owner.get(f"/events/{slug}/invitation/{token}")
        assert form.status_code == 200, form.text
        assert f'value="{INVITED}"' in form.text and f'name="invitation" value="{token}"' in form.text
        done = post(owner, f"/events/{slug}/apply", dict(APPLICATION, invitation=token))
        assert done.status_code == 200 and "your application is in" in done.text
        assert _entries(db_url) == 1
        # The link is used up: refused clearly, on the form and on a second send.
        again = owner.get(f"/events/{slug}/invitation/{token}")
        assert again.status_code == 403 and "already been used" in again.text
        second = post(owner, f"/events/{slug}/apply", dict(APPLICATION, invitation=token, chassis_number="Z2"))
        assert second.status_code == 403 and "already been used" in second.text
        unknown = owner.get(f"/events/{slug}/invitation/not-a-real-token")
        assert unknown.status_code == 403 and "not valid" in unknown.text
        assert _entries(db_url) == 1

    listing = client.get(f"/organizer/events/{event_id}/invitations").text
    assert INVITED in listing and "Applied" in listing and "Talbot-Lago" in listing
    # Invited again after applying: left alone and said so.
    r = _invite(client, event_id, emails=INVITED)
    assert "already applied" in client.get(r.headers["location"]).text


def test_a_new_invitation_replaces_the_old_link(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event(client, db_url)
    slug, event_id = ev["slug"], ev["event_id"]
    post(client, f"/organizer/events/{event_id}/invitations/setting", {"invitation_only": "on"})
    _invite(client, event_id, emails=f"Edith <{INVITED}>, bob@example.com")
    first = _token(db_url, slug)
    assert _token(db_url, slug, "bob@example.com")
    _invite(client, event_id, emails=INVITED)
    second = _token(db_url, slug)
    assert first != second
    with new_client(settings) as owner:
        assert owner.get(f"/events/{slug}/invitation/{first}").status_code == 403
        assert owner.get(f"/events/{slug}/invitation/{second}").status_code == 200


def test_bad_addresses_are_shown_beside_the_field(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    r = _invite(client, ev["event_id"], emails="edith@example.com, not-an-address", message="Hello")
    assert r.status_code == 400
    assert "not-an-address” is not an e-mail address" in r.text
    assert "edith@example.com, not-an-address" in r.text and ">Hello</textarea>" in r.text
    assert _invite(client, ev["event_id"], emails=" ").status_code == 400
    assert mails(db_url, INVITED) == []


def test_setting_off_the_form_is_open_as_before(client: TestClient[Any], db_url: str, settings: Settings) -> None:
    ev = set_up_event(client, db_url)
    slug, event_id = ev["slug"], ev["event_id"]
    post(client, f"/organizer/events/{event_id}/invitations/setting", {"invitation_only": "on"})
    assert post(client, f"/organizer/events/{event_id}/invitations/setting", {}).status_code == 303

    async def flag(session: AsyncSession) -> bool:
        event = await session.get(Event, event_id)
        assert event is not None
        return event.invitation_only

    assert run_db(db_url, flag) is False
    with new_client(settings) as public:
        assert public.get(f"/events/{slug}/apply").status_code == 200
        assert post(public, f"/events/{slug}/apply", APPLICATION).status_code == 200
    assert _entries(db_url) == 1
