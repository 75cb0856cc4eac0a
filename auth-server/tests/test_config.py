"""auth-server settings: typed URLs, and production refuses the development Google client."""

import pytest
from pydantic import SecretStr, ValidationError

from auth_server.config import AuthSettings

OWN_CLIENT = {
    "google_client_id": "1234-abc.apps.googleusercontent.com",
    "google_client_secret": SecretStr("GOCSPX-own-secret"),
}


def test_production_refuses_the_development_client_id_and_secret():
    with pytest.raises(ValidationError, match="development"):
        AuthSettings(environment="production")
    with pytest.raises(ValidationError, match="development"):
        AuthSettings(environment="production", google_client_id=OWN_CLIENT["google_client_id"])
    with pytest.raises(ValidationError, match="development"):
        AuthSettings(
            environment="production", google_client_secret=OWN_CLIENT["google_client_secret"]
        )


def test_production_accepts_its_own_client_and_development_keeps_the_emulator_one():
    assert AuthSettings(environment="production", **OWN_CLIENT).google_client_id.startswith("1234")
    assert AuthSettings(environment="development").google_client_id.startswith("haru-dev")


def test_a_google_endpoint_that_is_not_a_url_is_refused():
    with pytest.raises(ValidationError, match="google_token_uri"):
        AuthSettings(environment="test", google_token_uri="oauth2.googleapis.com/token")
