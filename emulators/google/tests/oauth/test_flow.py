"""OAuth through google-auth-oauthlib and google-auth, against the emulator process."""

import base64
import json

import httpx
import pytest
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials

from google_emulator.state import DEV_CLIENT_ID, DEV_CLIENT_SECRET

EMAIL = "minji@example.com"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
REDIRECT = "http://127.0.0.1:8765/oauth/google/callback"


def test_full_code_flow_with_pkce(oauth, google_emulator):
    creds = oauth.authorize(google_emulator, ["openid", "email", CALENDAR_SCOPE], prompt="consent")
    assert creds.token.startswith("ya29.")
    assert creds.refresh_token
    assert set(creds.granted_scopes) == {"openid", "email", CALENDAR_SCOPE}
    claims = json.loads(base64.urlsafe_b64decode(creds.id_token.split(".")[1] + "=="))
    assert claims["email"] == EMAIL and claims["aud"] == DEV_CLIENT_ID
    info = httpx.get(
        f"{google_emulator.base_url}/v1/userinfo",
        headers={"Authorization": f"Bearer {creds.token}"},
    ).json()
    assert info["email"] == EMAIL and info["email_verified"] is True
    assert info["sub"] == claims["sub"]
    assert google_emulator.control.calls()["token.authorization_code"] == 1


def test_pkce_verifier_is_checked_and_code_single_use(oauth, google_emulator):
    flow = oauth.make_flow(google_emulator.base_url, [CALENDAR_SCOPE])
    url, _ = flow.authorization_url(access_type="offline")
    redirect = google_emulator.control.authorize(url, EMAIL)
    code = httpx.URL(redirect).params["code"]
    token_url = f"{google_emulator.base_url}/token"
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": "x" * 50,
    }
    wrong = httpx.post(token_url, data=form, auth=(DEV_CLIENT_ID, DEV_CLIENT_SECRET))
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    form["code_verifier"] = flow.code_verifier
    reused = httpx.post(token_url, data=form, auth=(DEV_CLIENT_ID, DEV_CLIENT_SECRET))
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_token_endpoint_errors(oauth, google_emulator):
    token_url = f"{google_emulator.base_url}/token"
    bad_client = httpx.post(
        token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "client_id": DEV_CLIENT_ID,
            "client_secret": "no",
        },
    )
    assert bad_client.status_code == 401 and bad_client.json()["error"] == "invalid_client"
    unsupported = httpx.post(token_url, data={"grant_type": "password"})
    assert unsupported.status_code == 400
    assert unsupported.json()["error"] == "unsupported_grant_type"
    missing = httpx.post(
        token_url,
        data={"grant_type": "authorization_code"},
        auth=(DEV_CLIENT_ID, DEV_CLIENT_SECRET),
    )
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


def test_refresh_and_refresh_error_after_revoke(oauth, google_emulator, credentials):
    old = credentials.token
    credentials.refresh(Request())
    assert credentials.token != old
    google_emulator.control.revoke(EMAIL)
    with pytest.raises(RefreshError) as err:
        credentials.refresh(Request())
    assert "invalid_grant" in str(err.value)
    assert "Token has been expired or revoked." in str(err.value)


def test_authorized_user_info_needs_with_token_uri(oauth, google_emulator, credentials):
    info = json.loads(credentials.to_json())
    restored = Credentials.from_authorized_user_info(info)
    assert restored.token_uri == "https://oauth2.googleapis.com/token"  # the trap
    restored = restored.with_token_uri(f"{google_emulator.base_url}/token")
    restored.refresh(Request())
    assert restored.valid


def test_refresh_token_only_on_first_consent_or_prompt_consent(oauth, google_emulator):
    first = oauth.authorize(google_emulator, [CALENDAR_SCOPE])
    assert first.refresh_token
    again = oauth.authorize(google_emulator, [CALENDAR_SCOPE])
    assert again.refresh_token is None
    forced = oauth.authorize(google_emulator, [CALENDAR_SCOPE], prompt="consent")
    assert forced.refresh_token


def test_include_granted_scopes_unions(oauth, google_emulator):
    oauth.authorize(google_emulator, ["openid", "email"])
    flow = oauth.make_flow(google_emulator.base_url, [CALENDAR_SCOPE])
    url, _ = flow.authorization_url(access_type="offline", include_granted_scopes="true")
    redirect = google_emulator.control.authorize(url, EMAIL)
    code = httpx.URL(redirect).params["code"]
    body = httpx.post(
        f"{google_emulator.base_url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": flow.code_verifier,
            "client_id": DEV_CLIENT_ID,
            "client_secret": DEV_CLIENT_SECRET,
        },
    ).json()
    assert set(body["scope"].split()) == {"openid", "email", CALENDAR_SCOPE}


def test_deny_redirects_access_denied(oauth, google_emulator):
    flow = oauth.make_flow(google_emulator.base_url, [CALENDAR_SCOPE])
    url, state = flow.authorization_url()
    redirect = google_emulator.control.authorize(url, EMAIL, allow=False)
    params = httpx.URL(redirect).params
    assert params["error"] == "access_denied" and params["state"] == state


def test_unregistered_redirect_uri_refused(oauth, google_emulator):
    flow = oauth.make_flow(
        google_emulator.base_url, [CALENDAR_SCOPE], redirect_uri="https://evil.example/cb"
    )
    url, _ = flow.authorization_url()
    response = httpx.post(
        f"{google_emulator.base_url}/emulator/authorize", json={"url": url, "email": EMAIL}
    )
    assert response.status_code == 400
    page = httpx.get(url)
    assert page.status_code == 400 and "redirect_uri_mismatch" in page.text


def test_consent_page_form(oauth, google_emulator):
    flow = oauth.make_flow(google_emulator.base_url, [CALENDAR_SCOPE])
    url, state = flow.authorization_url(login_hint=EMAIL)
    page = httpx.get(url)
    assert page.status_code == 200 and "허용" in page.text and "Allow" in page.text
    query = httpx.URL(url).query.decode()
    response = httpx.post(
        f"{google_emulator.base_url}/o/oauth2/v2/auth",
        data={"query": query, "email": EMAIL, "decision": "allow", "granted_scope": CALENDAR_SCOPE},
    )
    assert response.status_code == 302
    location = httpx.URL(response.headers["location"])
    assert location.params["state"] == state and location.params["code"]


def test_tokeninfo_and_revoke_endpoint(oauth, google_emulator, credentials):
    base = google_emulator.base_url
    info = httpx.get(f"{base}/tokeninfo", params={"access_token": credentials.token}).json()
    assert CALENDAR_SCOPE in info["scope"].split() and info["email"] == EMAIL
    assert (
        httpx.post(f"{base}/revoke", data={"token": credentials.refresh_token}).status_code == 200
    )
    gone = httpx.get(f"{base}/tokeninfo", params={"access_token": credentials.token})
    assert gone.status_code == 400
    with pytest.raises(RefreshError):
        credentials.refresh(Request())
