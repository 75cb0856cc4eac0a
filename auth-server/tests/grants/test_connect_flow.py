"""The connect flow against the Google emulator process, through the async OAuth client."""

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, text

from auth_server.crypto import ACCESS_TOKEN, REFRESH_TOKEN
from auth_server.events.models import GrantEvent
from auth_server.grants.models import GoogleAccount

pytestmark = pytest.mark.db

CALENDAR_EVENTS = "https://www.googleapis.com/auth/calendar.events"
CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly"
GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"


async def events(client) -> list[dict]:
    async with client.app.state.database.sessionmaker() as session:
        rows = (await session.scalars(select(GrantEvent).order_by(GrantEvent.created_at))).all()
    return [json.loads(row.payload) for row in rows]


async def account_of(client, user_id) -> GoogleAccount | None:
    async with client.app.state.database.sessionmaker() as session:
        return await session.scalar(select(GoogleAccount).where(GoogleAccount.user_id == user_id))


async def database_text(client) -> str:
    """Every row of every table, as text."""
    chunks = []
    async with client.app.state.database.engine.connect() as conn:
        for table in (
            "users",
            "identities",
            "google_accounts",
            "link_tickets",
            "oauth_states",
            "grant_events",
        ):
            rows = (await conn.execute(text(f"SELECT * FROM {table}"))).all()
            chunks.extend(repr(tuple(row)) for row in rows)
    return "\n".join(chunks)


async def test_full_connect_flow_stores_an_encrypted_usable_grant(flow, google_emulator):
    user_id = await flow.user()
    google_url = await flow.to_google(await flow.link(user_id, ref="pa-42"))
    query = parse_qs(urlsplit(google_url).query)
    assert query["prompt"] == ["consent"]
    page = await flow.back(await flow.consent(google_url, "minji@example.com"))
    assert page.status_code == 200, page.text
    assert "이제 채팅으로 돌아가세요; 요청하신 일정은 자동으로 처리됩니다" in page.text
    assert "minji@example.com" in page.text
    assert 'href="http://127.0.0.1:8000/"' in page.text

    grant = await flow.grant(user_id)
    assert grant["state"] == "active"
    assert grant["reason_text"] == "정상"
    assert grant["google_email"] == "minji@example.com"
    assert {CALENDAR_EVENTS, CALENDAR_READONLY} <= set(grant["scopes"])

    token = await flow.token(user_id)
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["google_email"] == "minji@example.com"
    assert body["expires_at"].endswith("+00:00")
    async with httpx.AsyncClient(base_url=google_emulator.base_url) as google:
        listed = await google.get(
            "/calendar/v3/users/me/calendarList",
            headers={"Authorization": f"Bearer {body['access_token']}"},
        )
    assert listed.status_code == 200

    [event] = await events(flow.client)
    assert event["type"] == "grant.usable"
    assert event["user_id"] == user_id
    assert event["capability"] == "calendar"
    assert event["pending_action_ref"] == "pa-42"

    resolved = await flow.client.post(
        "/internal/identities/resolve",
        json={"channel": "web", "external_id": "web-1"},
        headers={"Authorization": "Bearer test-router-token"},
    )
    assert resolved.json()["google_email"] == "minji@example.com"

    # No token bytes in plain text anywhere in the database.
    account = await account_of(flow.client, user_id)
    cipher = flow.client.app.state.auth.cipher
    refresh = cipher.decrypt(account.refresh_token, column=REFRESH_TOKEN, owner=user_id)
    access = cipher.decrypt(account.access_token, column=ACCESS_TOKEN, owner=user_id)
    assert access == body["access_token"]
    dump = await database_text(flow.client)
    assert refresh not in dump
    assert access not in dump
    assert len(refresh) > 8 and len(access) > 8


async def test_second_capability_is_added_incrementally(flow):
    user_id = await flow.user()
    assert (await flow.connect(user_id)).status_code == 200
    first_token = (await flow.token(user_id)).json()["access_token"]
    google_url = await flow.to_google(await flow.link(user_id, "gmail.read", ref=None))
    query = parse_qs(urlsplit(google_url).query)
    # A refresh token is held, yet a link always shows Google's consent screen (issue 22).
    assert query["prompt"] == ["consent"]
    assert query["include_granted_scopes"] == ["true"]
    assert set(query["scope"][0].split()) == {"openid", "email", GMAIL_READONLY}
    assert query["login_hint"] == ["minji@example.com"]
    page = await flow.back(await flow.consent(google_url, "minji@example.com"))
    assert page.status_code == 200, page.text
    assert "이제 채팅으로 돌아가세요." in page.text

    for capability in ("calendar", "gmail.read"):
        assert (await flow.grant(user_id, capability))["state"] == "active"
    assert (await flow.grant(user_id, "gmail.send"))["state"] == "missing"
    calendar_token = await flow.token(user_id, "calendar")
    assert calendar_token.status_code == 200
    assert calendar_token.json()["access_token"] != first_token  # the new grant's token
    usable = [(e["capability"], e["pending_action_ref"]) for e in await events(flow.client)]
    assert usable == [("calendar", "pa-1"), ("gmail.read", None)]


async def test_unticked_scope_says_so_offers_retry_and_stores_nothing(flow):
    user_id = await flow.user()
    google_url = await flow.to_google(await flow.link(user_id))
    redirect = await flow.consent(
        google_url, "minji@example.com", scopes=["openid", "email", CALENDAR_EVENTS]
    )
    page = await flow.back(redirect)
    assert page.status_code == 200
    assert "권한이 부족합니다" in page.text
    assert "다시 시도" in page.text
    assert await account_of(flow.client, user_id) is None
    assert await events(flow.client) == []
    assert (await flow.grant(user_id))["state"] == "missing"
    # The retry link works and, ticked fully, connects.
    retry = page.text.split('id="retry" href="')[1].split('"')[0]
    again = await flow.back(await flow.consent(await flow.to_google(retry), "minji@example.com"))
    assert "연결되었습니다" in again.text
    assert (await flow.grant(user_id))["state"] == "active"


async def test_denied_consent_at_google_stores_nothing(flow):
    user_id = await flow.user()
    page = await flow.connect(user_id, allow=False)
    assert "취소" in page.text
    assert "아무것도 저장하지 않았습니다" in page.text
    assert await account_of(flow.client, user_id) is None
    assert await events(flow.client) == []


async def test_replayed_callback_is_refused_and_changes_nothing(flow):
    user_id = await flow.user()
    google_url = await flow.to_google(await flow.link(user_id))
    redirect = await flow.consent(google_url, "minji@example.com")
    assert (await flow.back(redirect)).status_code == 200
    before = await account_of(flow.client, user_id)
    replay = await flow.back(redirect)
    assert replay.status_code == 400
    assert "이미 처리된 요청" in replay.text
    after = await account_of(flow.client, user_id)
    assert after.version == before.version
    assert len(await events(flow.client)) == 1
