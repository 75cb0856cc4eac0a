"""Fixtures: an authorized Flow against the emulator, credentials and a Calendar service."""

from types import SimpleNamespace

import pytest
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build

from google_emulator.state import DEV_CLIENT_ID, DEV_CLIENT_SECRET

EMAIL = "minji@example.com"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
REDIRECT = "http://127.0.0.1:8765/oauth/google/callback"


def make_flow(base_url: str, scopes: list[str], redirect_uri: str = REDIRECT) -> Flow:
    """A google-auth-oauthlib Flow pointed at the emulator."""
    config = {
        "web": {
            "client_id": DEV_CLIENT_ID,
            "client_secret": DEV_CLIENT_SECRET,
            "auth_uri": f"{base_url}/o/oauth2/v2/auth",
            "token_uri": f"{base_url}/token",
            "redirect_uris": [redirect_uri],
        }
    }
    return Flow.from_client_config(config, scopes=scopes, redirect_uri=redirect_uri)


def authorize(emulator, scopes: list[str], email: str = EMAIL, **auth_kw):
    """Run the authorization-code flow with PKCE; returns the Credentials."""
    flow = make_flow(emulator.base_url, scopes)
    url, _ = flow.authorization_url(access_type="offline", **auth_kw)
    redirect = emulator.control.authorize(url, email)
    flow.fetch_token(authorization_response=redirect)
    return flow.credentials


@pytest.fixture(autouse=True)
def _insecure_transport(monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def credentials(google_emulator):
    """Credentials with the full calendar scope for EMAIL."""
    return authorize(google_emulator, ["openid", "email", CALENDAR_SCOPE])


def calendar_service(base_url: str, credentials):
    """The real discovery-based Calendar client aimed at the emulator."""
    return build(
        "calendar",
        "v3",
        credentials=credentials,
        static_discovery=True,
        client_options={"api_endpoint": base_url},
        cache_discovery=False,
    )


@pytest.fixture
def calendar(google_emulator, credentials):
    """A Calendar v3 service for EMAIL."""
    return calendar_service(google_emulator.base_url, credentials)


@pytest.fixture
def oauth():
    """The helpers above, for test modules (conftest cannot be imported in importlib mode)."""
    return SimpleNamespace(
        authorize=authorize,
        make_flow=make_flow,
        calendar_service=calendar_service,
        EMAIL=EMAIL,
        CALENDAR_SCOPE=CALENDAR_SCOPE,
        REDIRECT=REDIRECT,
    )
