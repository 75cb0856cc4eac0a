"""The web chat JSON API: session cookie, validation, history, ownership, links."""

import pytest

from router_service.chat.dependencies import COOKIE_NAME

pytestmark = pytest.mark.db


async def test_session_cookie_is_httponly_lax_and_maps_to_a_web_identity(client, fake_auth):
    response = await client.get("/api/chat/session")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    body = response.json()
    [(channel, _external_id)] = fake_auth.identities
    assert channel == "web"
    assert body["user_id"] == next(iter(fake_auth.identities.values()))
    again = await client.get("/api/chat/session")
    assert "set-cookie" not in again.headers
    assert again.json()["user_id"] == body["user_id"]


@pytest.mark.parametrize(
    ("text", "status", "code"),
    [
        ("", 400, "chat.message_empty"),
        ("   ", 400, "chat.message_empty"),
        ("가" * 2001, 422, "chat.message_too_long"),
    ],
)
async def test_bad_messages_get_a_stable_code_and_korean_message(client, text, status, code):
    response = await client.post("/api/chat/messages", json={"text": text})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert any("\uac00" <= ch <= "\ud7a3" for ch in error["message"])


async def test_history_and_after_id(client, say):
    await say(client, "안녕")
    history = (await client.get("/api/chat/messages")).json()["messages"]
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[0]["text"] == "안녕"
    # Datetimes leave the service with an explicit offset, never a bare "Z" or none.
    assert history[0]["created_at"].endswith("+00:00")
    newer = await client.get("/api/chat/messages", params={"after_id": history[0]["id"]})
    assert [m["id"] for m in newer.json()["messages"]] == [history[1]["id"]]


async def test_another_browser_cannot_decide_on_my_proposal(app, client, say):
    import httpx

    [proposal] = await say(client, "11월 15일 오후 3시 팀 미팅")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as stranger:
        response = await stranger.post(
            f"/api/chat/actions/{proposal['payload']['action_id']}/decision",
            json={"decision": "approve"},
        )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "dialogue.action_not_found"


async def test_account_link(client, fake_auth):
    session = (await client.get("/api/chat/session")).json()
    response = await client.get("/api/chat/account-link")
    assert response.status_code == 200
    assert response.json()["url"].startswith("http://auth.test/account/")
    # For this chat's web identity: auth-server asks the router to confirm it in the browser.
    assert fake_auth.account_links == [
        {
            "user_id": session["user_id"],
            "channel": "web",
            "external_id": session["conversation_key"].removeprefix("web:"),
        }
    ]


async def test_openapi_documents_the_chat_api(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/api/chat/session",
        "/api/chat/messages",
        "/api/chat/stream",
        "/api/chat/actions/{action_id}/decision",
        "/api/chat/account-link",
        "/internal/grant-events",
    ):
        assert path in paths


async def test_page_is_served(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


async def test_a_message_in_the_browsers_zone_is_read_in_it(app, client, fake_calendar):
    response = await client.post(
        "/api/chat/messages",
        json={"text": "내일 오후 3시 팀 미팅", "time_zone": "America/New_York"},
    )
    assert response.status_code == 201, response.text
    user, proposal = response.json()["messages"]
    assert user["text"] == "내일 오후 3시 팀 미팅"
    first = proposal["text"].splitlines()[0]
    assert first == "11월 14일(금) 오후 3:00–4:00 (뉴욕 시간) 「팀 미팅」을 등록할까요?"
    decided = await client.post(
        f"/api/chat/actions/{proposal['payload']['action_id']}/decision",
        json={"decision": "approve"},
    )
    assert decided.status_code == 200
    [call] = fake_calendar.create_calls
    assert call["body"]["start"] == "2025-11-14T15:00:00-05:00"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "Asia/Seoul/Gangnam", "../etc/passwd"])
async def test_an_unknown_zone_is_refused_with_a_stable_code(client, zone):
    response = await client.post(
        "/api/chat/messages", json={"text": "내일 오후 3시 팀 미팅", "time_zone": zone}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "datetime.zone_unknown"
    assert error["message"].startswith("알 수 없는 시간대")
    history = (await client.get("/api/chat/messages")).json()["messages"]
    assert history == []  # nothing was stored or proposed


async def test_without_a_zone_the_chat_reads_seoul_time(client, say):
    [proposal] = await say(client, "내일 오후 3시 팀 미팅")
    assert proposal["text"].startswith("11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 등록할까요?")
