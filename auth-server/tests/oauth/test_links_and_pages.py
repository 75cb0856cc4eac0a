from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select, update

from auth_server.grants.models import GoogleAccount
from auth_server.oauth.models import LinkTicket, OAuthState
from auth_server.oauth.tickets import digest
from shared.db import utcnow

pytestmark = pytest.mark.db


async def new_user(client, headers, external_id="s1"):
    response = await client.post(
        "/internal/identities/resolve",
        json={"channel": "web", "external_id": external_id},
        headers=headers,
    )
    return response.json()["user_id"]


async def connect_link(client, headers, user_id, capability="calendar", ref="pa-1"):
    response = await client.post(
        "/internal/connect-links",
        json={"user_id": user_id, "capability": capability, "pending_action_ref": ref},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def count(client, model):
    async with client.app.state.database.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_connect_link_leads_to_a_korean_page_and_then_to_google_with_pkce(
    client, service_headers
):
    user_id = await new_user(client, service_headers)
    link = await connect_link(client, service_headers, user_id)
    assert link["url"].startswith("http://127.0.0.1:8001/connect/")
    assert datetime.fromisoformat(link["expires_at"]).utcoffset() is not None

    page = await client.get(path_of(link["url"]))
    assert page.status_code == 200
    assert "구글 캘린더" in page.text
    assert "Google에서 계속하기" in page.text
    assert "<script" not in page.text
    assert "http" not in page.text.split("<style>")[1].split("</style>")[0]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"

    go = await client.post(path_of(link["url"]))
    assert go.status_code == 303
    target = urlsplit(go.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == (
        "https://accounts.google.com/o/oauth2/v2/auth"
    )
    query = parse_qs(target.query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["access_type"] == ["offline"]
    assert query["include_granted_scopes"] == ["true"]
    assert query["prompt"] == ["consent"]  # no refresh token held yet
    assert query["redirect_uri"] == ["http://127.0.0.1:8001/oauth/google/callback"]
    scopes = query["scope"][0].split()
    assert set(scopes) == {
        "openid",
        "email",
        "https://www.googleapis.com/auth/calendar.events",
        "https://www.googleapis.com/auth/calendar.readonly",
    }
    state = query["state"][0]
    async with client.app.state.database.sessionmaker() as session:
        stored = await session.get(OAuthState, digest(state))
        assert stored is not None
        assert stored.user_id == user_id
        assert stored.pending_action_ref == "pa-1"
        assert state not in stored.id
        assert stored.code_verifier.startswith("v1:")

    # The link is single use.
    again = await client.post(path_of(link["url"]))
    assert again.status_code == 410
    assert "이미 사용된 링크" in again.text
    seen = await client.get(path_of(link["url"]))
    assert seen.status_code == 410


async def test_expired_and_unknown_links_get_clear_korean_pages(client, service_headers):
    user_id = await new_user(client, service_headers)
    link = await connect_link(client, service_headers, user_id)
    async with client.app.state.database.sessionmaker() as session, session.begin():
        await session.execute(update(LinkTicket).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = await client.get(path_of(link["url"]))
    assert expired.status_code == 410
    assert "만료" in expired.text
    assert (await client.post(path_of(link["url"]))).status_code == 410
    assert await count(client, OAuthState) == 0

    unknown = await client.get("/connect/not-a-real-ticket")
    assert unknown.status_code == 404
    assert "링크를 찾을 수 없습니다" in unknown.text
    assert "Traceback" not in unknown.text


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?code=abc",
        "?state=forged&code=abc",
        "?state=forged&error=access_denied",
    ],
)
async def test_forged_or_missing_state_stores_nothing(client, query):
    response = await client.get(f"/oauth/google/callback{query}")
    assert response.status_code == 400
    assert "아무것도 저장하지 않았습니다" in response.text
    assert "Traceback" not in response.text
    assert await count(client, GoogleAccount) == 0


async def test_expired_state_is_refused(client, service_headers):
    user_id = await new_user(client, service_headers)
    link = await connect_link(client, service_headers, user_id)
    go = await client.post(path_of(link["url"]))
    state = parse_qs(urlsplit(go.headers["location"]).query)["state"][0]
    async with client.app.state.database.sessionmaker() as session, session.begin():
        await session.execute(update(OAuthState).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = await client.get(f"/oauth/google/callback?state={state}&code=whatever")
    assert response.status_code == 400
    assert "만료" in response.text
    assert await count(client, GoogleAccount) == 0


async def test_denied_consent_stores_nothing_and_offers_retry(client, service_headers):
    user_id = await new_user(client, service_headers)
    link = await connect_link(client, service_headers, user_id)
    go = await client.post(path_of(link["url"]))
    state = parse_qs(urlsplit(go.headers["location"]).query)["state"][0]
    denied = await client.get(f"/oauth/google/callback?state={state}&error=access_denied")
    assert denied.status_code == 200
    assert "취소" in denied.text
    assert "아무것도 저장하지 않았습니다" in denied.text
    assert 'href="http://127.0.0.1:8001/connect/' in denied.text
    assert await count(client, GoogleAccount) == 0
    # The state is spent: replaying Google's answer changes nothing.
    replay = await client.get(f"/oauth/google/callback?state={state}&error=access_denied")
    assert replay.status_code == 400
    assert "이미" in replay.text


async def test_links_need_a_known_user_and_capability(client, service_headers):
    unknown = await client.post(
        "/internal/connect-links",
        json={"user_id": "nobody", "capability": "calendar"},
        headers=service_headers,
    )
    assert unknown.status_code == 404
    user_id = await new_user(client, service_headers)
    bad = await client.post(
        "/internal/connect-links",
        json={"user_id": user_id, "capability": "drive"},
        headers=service_headers,
    )
    assert bad.status_code == 422
    no_token = await client.post(
        "/internal/connect-links", json={"user_id": user_id, "capability": "calendar"}
    )
    assert no_token.status_code == 401


async def test_missing_grant_reads_missing_and_token_asks_for_reauth(
    client, service_headers, calendar_headers
):
    user_id = await new_user(client, service_headers)
    grant = await client.get(f"/internal/users/{user_id}/grants/calendar", headers=service_headers)
    assert grant.status_code == 200
    assert grant.json() == {
        "capability": "calendar",
        "state": "missing",
        "reason": None,
        "reason_text": "연결되지 않음",
        "scopes": [],
        "google_email": None,
    }
    token = await client.post(
        "/internal/tokens",
        json={"user_id": user_id, "capability": "calendar"},
        headers=calendar_headers,
    )
    assert token.status_code == 409
    error = token.json()["error"]
    assert error["code"] == "auth.reauth_required"
    assert error["details"]["capability"] == "calendar"
    assert error["details"]["reason"] == "not_connected"
    assert "connect_url" not in error["details"]  # links are the router's to make


async def test_account_page_without_google_shows_every_capability_missing(client, service_headers):
    user_id = await new_user(client, service_headers)
    link = await client.post(
        "/internal/account-links", json={"user_id": user_id}, headers=service_headers
    )
    assert link.status_code == 201
    page = await client.get(path_of(link.json()["url"]))
    assert page.status_code == 200
    assert "연결된 Google 계정이 없습니다" in page.text
    assert page.text.count("권한 추가") == 3
    # Forms without the page's form token are refused (CSRF).
    forged = await client.post(
        path_of(link.json()["url"]) + "/connect", data={"capability": "calendar"}
    )
    assert forged.status_code == 303
    assert forged.headers["location"].endswith("?error=form")
    assert await count(client, OAuthState) == 0


async def test_housekeeping_deletes_long_expired_links_only(client, service_headers):
    from auth_server.housekeeping import purge

    user_id = await new_user(client, service_headers)
    await connect_link(client, service_headers, user_id)
    await connect_link(client, service_headers, user_id, ref="pa-2")
    async with client.app.state.database.sessionmaker() as session, session.begin():
        first = (await session.scalars(select(LinkTicket))).first()
        first.expires_at = utcnow() - timedelta(days=2)
    assert await purge(sessionmaker=client.app.state.database.sessionmaker) == 1
    assert await count(client, LinkTicket) == 1
