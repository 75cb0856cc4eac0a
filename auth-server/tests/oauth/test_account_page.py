"""The account page: linked account, every capability's state, reconnect, add, disconnect."""

import json
import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from auth_server.events.models import GrantEvent
from auth_server.grants.models import GoogleAccount
from auth_server.oauth.models import LinkTicket
from shared.db import utcnow

pytestmark = pytest.mark.db


async def account_link(flow, user_id) -> str:
    response = await flow.client.post(
        "/internal/account-links",
        json={"user_id": user_id},
        headers={"Authorization": "Bearer test-router-token"},
    )
    assert response.status_code == 201
    return response.json()["url"].removeprefix("http://127.0.0.1:8001")


def form_token(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


async def test_account_page_shows_states_adds_a_capability_and_disconnects(flow, google_emulator):
    user_id = await flow.user()
    assert (await flow.connect(user_id, "minji@example.com")).status_code == 200
    path = await account_link(flow, user_id)
    page = await flow.client.get(path)
    assert page.status_code == 200
    assert "minji@example.com" in page.text
    assert "허용됨 · 정상" in page.text
    assert page.text.count("권한 추가") == 2  # gmail.read, gmail.send
    assert "<script" not in page.text

    # Add gmail.send from the page (a plain form post, then Google).
    go = await flow.client.post(
        f"{path}/connect", data={"capability": "gmail.send", "form_token": form_token(page.text)}
    )
    assert go.status_code == 303
    assert "prompt=consent" in go.headers["location"]  # a link always shows consent
    done = await flow.back(await flow.consent(go.headers["location"], "minji@example.com"))
    assert "연결되었습니다" in done.text
    page = await flow.client.get(path)
    assert page.text.count("권한 추가") == 1

    # Revoked at Google → the page says so and offers reconnect.
    google_emulator.control.revoke("minji@example.com")
    async with flow.client.app.state.database.sessionmaker() as session, session.begin():
        await session.execute(
            update(GoogleAccount).values(access_token_expires_at=utcnow() - timedelta(seconds=1))
        )
    assert (await flow.token(user_id)).status_code == 409
    page = await flow.client.get(path)
    assert "재연결 필요: 권한이 취소됨" in page.text
    assert "다시 연결" in page.text

    # Disconnect: revoked at Google (best effort), tokens deleted, events sent.
    calls_before = google_emulator.control.calls().get("revoke", 0)
    gone = await flow.client.post(f"{path}/disconnect", data={"form_token": form_token(page.text)})
    assert gone.status_code == 303
    assert google_emulator.control.calls().get("revoke", 0) == calls_before + 1
    after = await flow.client.get(gone.headers["location"])
    assert "연결을 해제했습니다" in after.text
    assert "연결된 Google 계정이 없습니다" in after.text
    async with flow.client.app.state.database.sessionmaker() as session:
        assert await session.scalar(select(GoogleAccount)) is None
    assert (await flow.grant(user_id))["state"] == "missing"


async def test_disconnect_of_a_healthy_grant_revokes_and_tells_the_router(flow, google_emulator):
    user_id = await flow.user()
    await flow.connect(user_id, "minji@example.com")
    token = (await flow.token(user_id)).json()["access_token"]
    path = await account_link(flow, user_id)
    page = await flow.client.get(path)
    await flow.client.post(f"{path}/disconnect", data={"form_token": form_token(page.text)})
    async with httpx.AsyncClient(base_url=google_emulator.base_url) as google:
        listed = await google.get(
            "/calendar/v3/users/me/calendarList", headers={"Authorization": f"Bearer {token}"}
        )
    assert listed.status_code == 401
    async with flow.client.app.state.database.sessionmaker() as session:
        rows = (await session.scalars(select(GrantEvent).order_by(GrantEvent.created_at))).all()
    last = json.loads(rows[-1].payload)
    assert last["type"] == "grant.unusable"
    assert last["capability"] == "calendar"
    assert last["reason"] == "disconnected"


async def disconnect_with_router(flow, user_id: str, router) -> None:
    """The person disconnects on the account page; ``router`` answers the auth-server."""
    flow.client.app.state.auth.router_http = httpx.AsyncClient(
        transport=httpx.MockTransport(router), base_url="http://router.test"
    )
    path = await account_link(flow, user_id)
    page = await flow.client.get(path)
    gone = await flow.client.post(f"{path}/disconnect", data={"form_token": form_token(page.text)})
    assert gone.headers["location"].endswith("?done=disconnected")


async def test_disconnect_stops_the_calendar_channel_before_the_revoke(flow, google_emulator):
    """The router (skill-calendar behind it) is asked while the grant still works."""
    user_id = await flow.user()
    await flow.connect(user_id, "minji@example.com")
    token = (await flow.token(user_id)).json()["access_token"]
    asked: list[tuple[str, int]] = []

    async def router(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/calendar-following/stop"):
            async with httpx.AsyncClient(base_url=google_emulator.base_url) as google:
                still = await google.get(
                    "/calendar/v3/users/me/calendarList",
                    headers={"Authorization": f"Bearer {token}"},
                )
            asked.append((request.url.path, still.status_code))
            return httpx.Response(200, json={"status": "stopped"})
        return httpx.Response(404)

    await disconnect_with_router(flow, user_id, router)
    assert asked == [(f"/internal/users/{user_id}/calendar-following/stop", 200)]
    assert (await flow.grant(user_id))["state"] == "missing"


@pytest.mark.parametrize(
    "router",
    [
        lambda request: httpx.Response(503, json={"error": {"code": "router.unavailable"}}),
        lambda request: httpx.Response(200, text="not json"),
        lambda request: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=request)),
        lambda request: (_ for _ in ()).throw(httpx.ConnectError("down", request=request)),
    ],
    ids=["503", "not-json", "timeout", "down"],
)
async def test_disconnect_never_fails_for_the_router_or_skill_calendar(
    flow, google_emulator, router
):
    user_id = await flow.user()
    await flow.connect(user_id, "minji@example.com")
    await disconnect_with_router(flow, user_id, router)
    assert (await flow.grant(user_id))["state"] == "missing"


async def test_forged_form_and_expired_account_link_are_refused(flow):
    user_id = await flow.user()
    await flow.connect(user_id, "minji@example.com")
    path = await account_link(flow, user_id)
    forged = await flow.client.post(f"{path}/disconnect", data={"form_token": "guess"})
    assert forged.status_code == 303
    assert forged.headers["location"].endswith("?error=form")
    assert (await flow.grant(user_id))["state"] == "active"
    async with flow.client.app.state.database.sessionmaker() as session, session.begin():
        await session.execute(update(LinkTicket).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = await flow.client.get(path)
    assert expired.status_code == 410
    assert "만료" in expired.text
    late = await flow.client.post(f"{path}/disconnect", data={"form_token": "x"})
    assert late.status_code == 410
    assert (await flow.grant(user_id))["state"] == "active"


async def test_account_page_shows_the_reminder_choices_the_router_keeps(flow):
    user_id = await flow.user()
    seen: list[httpx.Request] = []

    def router(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "reminder_minutes": 10,
                "agenda_time": "08:00",
                "time_zone": "Asia/Seoul",
                "reminder_text": "일정마다 10분 전",
                "agenda_text": "매일 08:00",
            },
        )

    runtime = flow.client.app.state.auth
    runtime.router_http = httpx.AsyncClient(
        transport=httpx.MockTransport(router), base_url="http://router.test"
    )
    page = await flow.client.get(await account_link(flow, user_id))
    assert page.status_code == 200
    assert seen[0].url.path == f"/internal/users/{user_id}/preferences"
    assert '<span id="reminder-default">일정마다 10분 전</span>' in page.text
    assert '<span id="agenda-time">매일 08:00</span>' in page.text

    runtime.router_http = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(503)),
        base_url="http://router.test",
    )
    page = await flow.client.get(await account_link(flow, user_id))
    assert page.status_code == 200  # the page is whole without the router's answer
    assert "reminder-choices" not in page.text
