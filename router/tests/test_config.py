"""router settings are typed: a misspelt zone or a URL without a scheme fails at start."""

import pytest
from pydantic import ValidationError

from router_service.config import RouterSettings


def test_a_misspelt_default_zone_is_refused_at_start():
    with pytest.raises(ValidationError, match="Asia/Seuol"):
        RouterSettings(environment="test", default_time_zone="Asia/Seuol")


def test_the_zone_and_urls_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ROUTER_DEFAULT_TIME_ZONE", "Europe/Berlin")
    monkeypatch.setenv("ROUTER_CALENDAR_URL", "http://calendar:8002")
    settings = RouterSettings(environment="test")
    assert settings.default_time_zone == "Europe/Berlin"
    assert settings.calendar_url == "http://calendar:8002"


@pytest.mark.parametrize("field", ["auth_server_url", "calendar_url", "public_base_url"])
def test_a_url_without_a_scheme_is_refused(field):
    with pytest.raises(ValidationError, match=field):
        RouterSettings(environment="test", **{field: "127.0.0.1:8001"})
