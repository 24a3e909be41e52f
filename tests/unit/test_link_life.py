"""A judge's sign-in link lasts through the event (not the default day), within bounds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from concours.db import Event, utcnow
from concours.services.accounts import MAX_LINK_MINUTES, link_minutes_for_event
from concours.settings import Settings

SETTINGS = Settings(database_url="sqlite+aiosqlite:///:memory:")
DAY = 24 * 60


def event_ending(days_from_today: int, timezone: str = "Europe/Paris") -> Event:
    end = utcnow().date() + timedelta(days=days_from_today)
    return Event(name="Show", slug="show", starts_on=end - timedelta(days=1), ends_on=end, timezone=timezone)


@pytest.mark.parametrize(("days", "at_least", "at_most"), [(30, 31 * DAY, 33 * DAY), (3, 4 * DAY, 6 * DAY)])
def test_a_judges_link_lasts_past_the_last_day(days: int, at_least: int, at_most: int) -> None:
    assert at_least <= link_minutes_for_event(SETTINGS, event_ending(days)) <= at_most


def test_never_shorter_than_the_default_nor_longer_than_the_cap() -> None:
    assert link_minutes_for_event(SETTINGS, event_ending(-10)) == SETTINGS.login_link_minutes
    assert link_minutes_for_event(SETTINGS, event_ending(3 * 365)) == MAX_LINK_MINUTES
    # An unknown timezone (typed long ago) falls back to UTC rather than failing.
    assert link_minutes_for_event(SETTINGS, event_ending(30, "Mars/Olympus")) > 30 * DAY


def test_the_cap_covers_an_event_a_year_ahead() -> None:
    assert MAX_LINK_MINUTES > 366 * DAY
    assert date.today() + timedelta(minutes=MAX_LINK_MINUTES) > date.today() + timedelta(days=366)
