"""The chat's hardening (issue 22 item 5): page headers, Secure cookies, rate limits, the
LLM budget, stale sessions purged."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from router_service.chat.models import WebSession
from router_service.conversations.models import Channel, Direction, Message
from router_service.conversations.service import record_message
from router_service.housekeeping import run_housekeeping
from router_service.ratelimits import RateLimitedLlm
from shared.db import utcnow
from shared.ratelimit import RateLimited
from shared.testing import serve_app

pytestmark = pytest.mark.db


def _limited(response, scope: str) -> None:
    assert response.status_code == 429, response.text
    error = response.json()["error"]
    assert error["code"] == "request.rate_limited"
    assert error["details"]["scope"] == scope
    assert int(response.headers["retry-after"]) >= 1
    assert any("\uac00" <= ch <= "\ud7a3" for ch in error["message"])


async def test_the_chat_page_has_a_strict_policy_and_cannot_be_framed(client):
    response = await client.get("/")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    api = await client.get("/api/chat/session")
    assert api.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("overrides", "secure"),
    [
        ({"environment": "production"}, True),
        ({"environment": "production", "cookie_secure": False}, False),
        ({"environment": "development"}, False),
        ({"environment": "development", "cookie_secure": True}, True),
    ],
)
async def test_session_cookies_are_secure_by_default_in_production(make_app, overrides, secure):
    app = await make_app(**overrides)
    async with serve_app(app) as client:
        cookie = (await client.get("/api/chat/session")).headers["set-cookie"]
    assert ("secure" in cookie.lower().split("; ")) is secure, cookie


async def test_cookie_less_requests_cannot_make_sessions_without_end(make_app):
    app = await make_app(chat_new_sessions_per_ip_per_minute=3)
    async with serve_app(app) as client:
        for _ in range(3):
            client.cookies.clear()
            assert (await client.get("/api/chat/session")).status_code == 200
        kept = dict(client.cookies)
        client.cookies.clear()
        _limited(await client.get("/api/chat/session"), "new_session")
        _limited(await client.post("/api/chat/messages", json={"text": "안녕"}), "new_session")
        # A browser that already has its session goes on.
        client.cookies.update(kept)
        assert (await client.post("/api/chat/messages", json={"text": "안녕"})).status_code == 201
    async with app.state.database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(WebSession)) == 3


async def test_one_session_cannot_flood_the_dialogue(make_app):
    app = await make_app(chat_messages_per_session_per_minute=3)  # a burst of one
    async with serve_app(app) as client:
        assert (await client.post("/api/chat/messages", json={"text": "안녕"})).status_code == 201
        _limited(await client.post("/api/chat/messages", json={"text": "안녕"}), "session")
        pressed = await client.post("/api/chat/actions/1/decision", json={"decision": "approve"})
        _limited(pressed, "session")


async def test_one_address_has_a_request_budget(make_app):
    app = await make_app(chat_requests_per_ip_per_minute=6)  # a burst of two
    async with serve_app(app) as client:
        assert (await client.get("/api/chat/session")).status_code == 200
        assert (await client.get("/api/chat/messages")).status_code == 200
        _limited(await client.get("/api/chat/messages"), "address")
        # Health and the page are not the chat API.
        assert (await client.get("/healthz")).status_code == 200


class _CountingLlm:
    timeout_seconds = 1.0

    def __init__(self) -> None:
        self.calls = 0

    async def parse(self, *, text, now, time_zone):
        self.calls += 1
        return {"intent": "other", "confidence": 0.9}


async def test_the_llm_fallback_has_a_budget_per_process():
    inner = _CountingLlm()
    llm = RateLimitedLlm(inner, per_minute=3)  # a burst of one
    now = utcnow()
    await llm.parse(text="a", now=now, time_zone="Asia/Seoul")
    with pytest.raises(RateLimited):
        await llm.parse(text="b", now=now, time_zone="Asia/Seoul")
    assert inner.calls == 1


async def test_stale_and_never_used_sessions_are_purged(make_app):
    app = await make_app()
    async with serve_app(app) as client:
        await client.post("/api/chat/messages", json={"text": "안녕"})  # used, recent
        client.cookies.clear()
        await client.get("/api/chat/session")  # never sent a message
        client.cookies.clear()
        await client.get("/api/chat/session")  # never sent a message, but fresh
    async with app.state.database.sessionmaker() as session:
        ids = list((await session.scalars(select(WebSession.id).order_by(WebSession.id))).all())
        used, unused_old, unused_fresh = ids
        old = utcnow() - timedelta(days=2)
        await session.execute(
            update(WebSession).where(WebSession.id.in_([used, unused_old])).values(created_at=old)
        )
        await session.commit()
    assert (await run_housekeeping(app))["sessions_purged"] == 1
    async with app.state.database.sessionmaker() as session:
        left = set((await session.scalars(select(WebSession.id))).all())
        assert left == {used, unused_fresh}
        # A session unseen for longer than its cookie lives is gone, messages or not.
        await session.execute(
            update(WebSession)
            .where(WebSession.id == used)
            .values(last_seen_at=utcnow() - timedelta(days=400))
        )
        await session.commit()
    assert (await run_housekeeping(app))["sessions_purged"] == 1


async def test_expired_one_time_connect_links_leave_the_history(make_app):
    app = await make_app(public_base_url="http://haru.test")
    links = {
        "ticket": "http://auth.test/connect/one-time-secret",
        "own": "http://haru.test/connect?action_id=7",  # no secret: stays
    }
    async with app.state.database.sessionmaker() as session:
        ids = {}
        for name, url in links.items():
            message = await record_message(
                session=session,
                channel=Channel.slack,
                conversation_key=f"slack:T:D:{name}",
                direction=Direction.outbound,
                text="구글 캘린더를 연결해 주세요.",
                payload={"kind": "connect", "action_id": 7, "link": {"url": url, "label": "연결"}},
            )
            ids[name] = message.id
        fresh = await record_message(
            session=session,
            channel=Channel.slack,
            conversation_key="slack:T:D:fresh",
            direction=Direction.outbound,
            text="구글 캘린더를 연결해 주세요.",
            payload={"kind": "connect", "link": {"url": links["ticket"], "label": "연결"}},
        )
        await session.commit()
        await session.execute(
            update(Message)
            .where(Message.id.in_(ids.values()))
            .values(created_at=utcnow() - timedelta(hours=2))
        )
        await session.commit()
    assert (await run_housekeeping(app))["links_scrubbed"] == 1
    assert (await run_housekeeping(app))["links_scrubbed"] == 0  # done once
    async with app.state.database.sessionmaker() as session:
        ticket = await session.get(Message, ids["ticket"])
        own = await session.get(Message, ids["own"])
        young = await session.get(Message, fresh.id)
        assert ticket.payload["link"] == {"url": None, "label": "연결", "expired": True}
        assert own.payload["link"]["url"] == links["own"]
        assert young.payload["link"]["url"] == links["ticket"]
