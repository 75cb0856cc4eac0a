"""skill-calendar settings: the attempt timeout must leave room for a retry in the budget."""

import pytest
from pydantic import ValidationError

from skill_calendar.config import CalendarSettings


def test_defaults_leave_room_to_retry_a_timed_out_call():
    settings = CalendarSettings(environment="test")
    assert settings.google_timeout_s < settings.google_retry_budget_s


def test_an_attempt_timeout_as_long_as_the_budget_is_refused():
    with pytest.raises(ValidationError, match="google_timeout_s"):
        CalendarSettings(environment="test", google_timeout_s=10.0, google_retry_budget_s=8.0)


def test_urls_and_bounds_are_checked_at_start():
    with pytest.raises(ValidationError, match="google_api_base_url"):
        CalendarSettings(environment="test", google_api_base_url="www.googleapis.com")
    with pytest.raises(ValidationError, match="cache_max_users"):
        CalendarSettings(environment="test", cache_max_users=0)


def test_an_empty_public_url_means_no_push(monkeypatch):
    # docker-compose.yml passes ${HARU_CALENDAR_PUBLIC_URL:-}: unset there is empty here.
    monkeypatch.setenv("CALENDAR_PUBLIC_URL", "")
    assert CalendarSettings(environment="test").public_url is None
    monkeypatch.setenv("CALENDAR_PUBLIC_URL", "http://skill-calendar:8002")
    assert CalendarSettings(environment="test").public_url == "http://skill-calendar:8002"
    monkeypatch.setenv("CALENDAR_PUBLIC_URL", "skill-calendar")
    with pytest.raises(ValidationError, match="public_url"):
        CalendarSettings(environment="test")
