"""A judge's sign-in link lasts through the event (not the default day), within bounds."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from concours.db import Event, utcnow
from concours.services.accounts import MAX_LINK_MINUTES, link_minutes_for_event
from concours.settings import Settings

SETTINGS = Settings(database_url="sqlite+aiosqlite:///:memory:")
DAY = 24 * 60


def event_ending(days_from_today: int, timezone: str = "Europe/Paris") -> Event:
    end = utcnow().date() + timedelta(days=days_from_today)
    return Event(name="Show", slug="show", starts_on=end - timedelta(days=1), ends_on=end, timezone=timezone)


@pytest.mark.parametrize("days", [30, 3])
def test_a_judges_link_lasts_past_the_last_day(days: int) -> None:
    """It expires at the end of the day after the event's last day, in the event's timezone, whatever the time of day
    now (the test once counted whole days from now, and failed between 23:00 and midnight UTC: midnight in Paris)."""
    event = event_ending(days)
    started = utcnow()
    minutes = link_minutes_for_event(SETTINGS, event)
    expires = (started + timedelta(minutes=minutes)).astimezone(ZoneInfo(event.timezone))
    day_after_last_ends = datetime.combine(event.ends_on + timedelta(days=2), time.min, tzinfo=ZoneInfo(event.timezone))
    assert day_after_last_ends - timedelta(minutes=2) <= expires <= day_after_last_ends
    assert days * DAY <= minutes <= (days + 3) * DAY


def test_never_shorter_than_the_default_nor_longer_than_the_cap() -> None:
    assert link_minutes_for_event(SETTINGS, event_ending(-10)) == SETTINGS.login_link_minutes
    assert link_minutes_for_event(SETTINGS, event_ending(3 * 365)) == MAX_LINK_MINUTES
    # An unknown timezone (typed long ago) falls back to UTC rather than failing.
    assert link_minutes_for_event(SETTINGS, event_ending(30, "Mars/Olympus")) > 30 * DAY


def test_the_cap_covers_an_event_a_year_ahead() -> None:
    assert MAX_LINK_MINUTES > 366 * DAY
    assert date.today() + timedelta(minutes=MAX_LINK_MINUTES) > date.today() + timedelta(days=366)
