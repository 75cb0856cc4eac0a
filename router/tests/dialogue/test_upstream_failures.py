"""When auth-server or skill-calendar fail: a clear answer, and no half-made proposal."""

import pytest
from sqlalchemy import select

from router_service.pending.models import ActionState, PendingAction

pytestmark = pytest.mark.db


async def test_calendar_down_while_proposing_leaves_nothing_to_approve(
    app, client, say, fake_calendar
):
    await client.get("/api/chat/session")
    fake_calendar.down = True
    [reply] = await say(client, "11월 15일 오후 3시 팀 미팅")
    assert reply["text"] == "지금 캘린더에 연결할 수 없어요. 잠시 후 다시 시도해 주세요."
    async with app.state.database.sessionmaker() as session:
        [action] = (await session.scalars(select(PendingAction))).all()
    assert action.state == ActionState.failed
    fake_calendar.down = False
    [answer] = await say(client, "네")
    assert "확인을 기다리는 요청이 없어요" in answer["text"]
    assert fake_calendar.create_calls == []


async def test_calendar_down_while_executing_fails_the_action_and_says_so(
    app, client, say, fake_calendar
):
    await say(client, "11월 15일 오후 3시 팀 미팅")
    fake_calendar.down = True
    [reply] = await say(client, "네")
    assert reply["text"] == "일정을 등록하지 못했어요. 잠시 후 다시 시도해 주세요."
    async with app.state.database.sessionmaker() as session:
        [action] = (await session.scalars(select(PendingAction))).all()
    assert action.state == ActionState.failed
    assert action.error_code == "router.calendar_unavailable"


async def test_auth_server_down_gives_a_korean_503(client, fake_auth):
    fake_auth.down = True
    response = await client.post("/api/chat/messages", json={"text": "안녕"})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "router.auth_server_unavailable"
    assert "잠시 후" in error["message"]
