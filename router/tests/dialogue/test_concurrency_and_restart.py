"""Two approvals at once run once; a restarted router still knows every proposal."""

import asyncio

import httpx
import pytest

from shared.testing import serve_app

pytestmark = pytest.mark.db


async def test_two_concurrent_approvals_execute_once(app, client, say, fake_calendar):
    [proposal] = await say(client, "11월 15일 오후 3시 팀 미팅")
    action_id = proposal["payload"]["action_id"]
    fake_calendar.create_delay = 0.05  # widen the window in which both could run
    # A second tab: same cookie, own connection.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", cookies=client.cookies
    ) as tab:
        body = {"decision": "approve"}
        url = f"/api/chat/actions/{action_id}/decision"
        first, second, third = await asyncio.gather(
            client.post(url, json=body), tab.post(url, json=body), tab.post(url, json=body)
        )
    assert {first.status_code, second.status_code, third.status_code} == {200}
    confirmations = [
        m
        for r in (first, second, third)
        for m in r.json()["messages"]
        if m["text"].startswith("✅")
    ]
    assert len(confirmations) == 1
    assert len(fake_calendar.create_calls) == 1


async def test_approval_after_a_restart_on_the_same_database(make_app, say, fake_calendar):
    first_app = await make_app()
    async with serve_app(first_app) as client:
        [proposal] = await say(client, "11월 15일 오후 3시 팀 미팅")
        cookies = client.cookies
    await first_app.state.database.dispose()

    second_app = await make_app()
    async with serve_app(second_app) as client:
        client.cookies = cookies
        history = (await client.get("/api/chat/messages")).json()["messages"]
        assert history[-1]["id"] == proposal["id"]
        [done] = await say(client, "네")
    assert done["text"].startswith("✅ 등록했어요")
    assert len(fake_calendar.create_calls) == 1
