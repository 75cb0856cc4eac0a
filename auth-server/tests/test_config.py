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


def test_production_against_the_google_emulator_keeps_the_development_client():
    """The compose sandbox: the production image, the Google emulator named as a plain-http host
    (it knows only the development client). Found when the container step first ran it."""
    emulator = "http://google-emulator:8090"
    settings = AuthSettings(
        environment="production",
        google_allow_http_hosts=["google-emulator"],
        google_auth_uri=f"{emulator}/o/oauth2/v2/auth",
        google_token_uri=f"{emulator}/token",
        google_revoke_uri=f"{emulator}/revoke",
        google_userinfo_uri=f"{emulator}/v1/userinfo",
    )
    assert settings.google_client_id.startswith("haru-dev")
    with pytest.raises(ValidationError, match="development"):  # real Google: still refused
        AuthSettings(environment="production", google_allow_http_hosts=["google-emulator"])


def test_a_google_endpoint_that_is_not_a_url_is_refused():
    with pytest.raises(ValidationError, match="google_token_uri"):
        AuthSettings(environment="test", google_token_uri="oauth2.googleapis.com/token")
