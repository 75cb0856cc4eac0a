"""Re-auth and resume: awaiting_auth, the connect link, grant events processed once."""

import uuid

import httpx
import pytest
from sqlalchemy import select

from router_service.conversations.models import Message
from router_service.pending.models import ActionState, PendingAction

pytestmark = pytest.mark.db

TEAM_MEETING = "11월 15일 오후 3시 팀 미팅"


async def _actions(app):
    async with app.state.database.sessionmaker() as session:
        return list((await session.scalars(select(PendingAction).order_by(PendingAction.id))).all())


async def _messages(app, conversation_key):
    async with app.state.database.sessionmaker() as session:
        rows = await session.scalars(
            select(Message).where(Message.conversation_key == conversation_key).order_by(Message.id)
        )
        return list(rows.all())


async def test_missing_grant_stores_awaiting_auth_and_replies_with_the_connect_link(
    app, client, say, fake_auth
):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_auth.grant_states[user_id] = "missing"
    [reply] = await say(client, TEAM_MEETING)
    [action] = await _actions(app)
    assert action.state == ActionState.awaiting_auth
    assert reply["payload"]["kind"] == "connect"
    # The link is the router's: the ticket is made when the session's own browser opens it.
    assert reply["payload"]["link"]["url"].endswith(f"/connect?action_id={action.id}")
    assert reply["text"].splitlines() == [
        "구글 캘린더 연결이 필요해요. 아래 링크에서 연결해 주세요.",
        "연결이 끝나면 「팀 미팅」 등록을 이어서 할게요.",
    ]
    assert fake_auth.connect_links == []


async def test_grant_event_resumes_once_in_the_conversation_where_it_began(
    grant_event, app, client, say, fake_auth, fake_calendar, auth_server_headers
):
    session = (await client.get("/api/chat/session")).json()
    user_id = session["user_id"]
    fake_auth.grant_states[user_id] = "missing"
    await say(client, TEAM_MEETING)
    [action] = await _actions(app)
    fake_auth.grant_states[user_id] = "active"

    event = grant_event(user_id, ref=str(action.id))
    first = await client.post("/internal/grant-events", json=event, headers=auth_server_headers)
    assert first.json() == {"status": "accepted"}
    again = await client.post("/internal/grant-events", json=event, headers=auth_server_headers)
    assert again.json() == {"status": "duplicate"}

    # Not approved before: the proposal is shown (once) where the request began.
    messages = await _messages(app, session["conversation_key"])
    proposals = [m for m in messages if (m.payload or {}).get("kind") == "proposal"]
    assert len(proposals) == 1
    assert proposals[0].text.startswith("11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 등록할까요?")
    assert (await _actions(app))[0].state == ActionState.proposed
    assert fake_calendar.create_calls == []
    # The page picks the late reply up from the history.
    history = (await client.get("/api/chat/messages")).json()["messages"]
    assert history[-1]["payload"]["kind"] == "proposal"
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 등록했어요")


async def test_approved_action_that_hit_reauth_runs_without_asking_after_the_grant(
    grant_event, app, client, say, fake_auth, fake_calendar, auth_server_headers
):
    session = (await client.get("/api/chat/session")).json()
    user_id = session["user_id"]
    [proposal] = await say(client, TEAM_MEETING)
    fake_auth.grant_states[user_id] = "needs_reauth"  # revoked between proposal and approval
    [reply] = await say(client, "네")
    assert reply["payload"]["kind"] == "connect"
    assert reply["text"].startswith("구글 캘린더 연결을 다시 해 주세요.")
    [action] = await _actions(app)
    assert action.state == ActionState.awaiting_auth and action.approved_at is not None
    assert fake_calendar.create_calls == []  # 409 before anything was written

    fake_auth.grant_states[user_id] = "active"
    event = grant_event(user_id, ref=str(action.id))
    response = await client.post("/internal/grant-events", json=event, headers=auth_server_headers)
    assert response.json() == {"status": "accepted"}
    await client.post("/internal/grant-events", json=event, headers=auth_server_headers)

    assert len(fake_calendar.create_calls) == 1
    assert fake_calendar.create_calls[0]["key"] == f"pending-action-{action.id}"
    messages = await _messages(app, session["conversation_key"])
    done = [m for m in messages if m.text.startswith("✅ 등록했어요")]
    assert len(done) == 1
    assert (await _actions(app))[0].state == ActionState.done
    assert proposal["payload"]["action_id"] == action.id


async def test_identity_repointed_to_another_user_resumes_under_the_surviving_user(
    grant_event, app, client, say, fake_auth, fake_calendar, auth_server_headers
):
    session = (await client.get("/api/chat/session")).json()
    old_user = session["user_id"]
    fake_auth.grant_states[old_user] = "missing"
    await say(client, TEAM_MEETING)
    await say(client, "네")  # approve while waiting: the link is sent again
    surviving = str(uuid.uuid4())
    for key, value in list(fake_auth.identities.items()):
        if value == old_user:
            fake_auth.identities[key] = surviving
    event = grant_event(surviving, previous=old_user)
    response = await client.post("/internal/grant-events", json=event, headers=auth_server_headers)
    assert response.json() == {"status": "accepted"}
    [action] = await _actions(app)
    assert action.user_id == surviving
    assert action.state == ActionState.proposed
    await say(client, "네")
    assert fake_calendar.create_calls[0]["user_id"] == surviving


async def test_other_users_and_conversations_are_untouched(
    grant_event, app, make_app, client, say, fake_auth, auth_server_headers
):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_auth.grant_states[user_id] = "missing"
    await say(client, TEAM_MEETING)
    event = grant_event(str(uuid.uuid4()))
    response = await client.post("/internal/grant-events", json=event, headers=auth_server_headers)
    assert response.json() == {"status": "accepted"}
    assert (await _actions(app))[0].state == ActionState.awaiting_auth


async def test_grant_events_need_the_auth_server_token(grant_event, client, service_headers):
    response = await client.post("/internal/grant-events", json=grant_event("u"))
    assert response.status_code == 401
    other_caller = await client.post(
        "/internal/grant-events", json=grant_event("u"), headers=service_headers
    )
    assert other_caller.status_code == 403
    assert other_caller.json()["error"]["code"] == "router.caller_not_allowed"
    wrong = {"Authorization": "Bearer nope"}
    response = await client.post("/internal/grant-events", json=grant_event("u"), headers=wrong)
    assert response.status_code == 401


async def test_concurrent_duplicate_grant_events_resume_once(
    grant_event, app, client, say, fake_auth, fake_calendar, auth_server_headers
):
    import asyncio

    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    await say(client, TEAM_MEETING)
    fake_auth.grant_states[user_id] = "needs_reauth"
    await say(client, "네")
    fake_auth.grant_states[user_id] = "active"
    event = grant_event(user_id)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
        answers = await asyncio.gather(
            client.post("/internal/grant-events", json=event, headers=auth_server_headers),
            other.post("/internal/grant-events", json=event, headers=auth_server_headers),
        )
    assert sorted(a.json()["status"] for a in answers) == ["accepted", "duplicate"]
    assert len(fake_calendar.create_calls) == 1


async def test_question_without_a_grant_is_answered_after_the_grant(
    grant_event, app, client, say, fake_auth, fake_calendar, auth_server_headers
):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_calendar.add_event(
        user_id, title="검진", start="2025-11-24T07:40:00+09:00", end="2025-11-24T12:00:00+09:00"
    )
    fake_auth.grant_states[user_id] = "needs_reauth"
    [reply] = await say(client, "11월 24일 일정 알려줘")
    assert reply["payload"]["kind"] == "connect"
    fake_auth.grant_states[user_id] = "active"
    response = await client.post(
        "/internal/grant-events", json=grant_event(user_id), headers=auth_server_headers
    )
    assert response.json() == {"status": "accepted"}
    history = (await client.get("/api/chat/messages")).json()["messages"]
    assert history[-1]["text"] == "11월 24일(월) 일정:\n• 07:40 검진"
    assert (await _actions(app))[0].state == ActionState.done


async def test_unusable_grant_event_is_recorded_and_resumes_nothing(
    grant_event, app, client, say, fake_auth, fake_calendar, auth_server_headers
):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_auth.grant_states[user_id] = "missing"
    await say(client, TEAM_MEETING)
    event = grant_event(user_id, type_="grant.unusable")
    response = await client.post("/internal/grant-events", json=event, headers=auth_server_headers)
    assert response.json() == {"status": "accepted"}
    again = await client.post("/internal/grant-events", json=event, headers=auth_server_headers)
    assert again.json() == {"status": "duplicate"}
    assert (await _actions(app))[0].state == ActionState.awaiting_auth


async def test_revoked_grant_before_a_delete_names_the_reason(
    client, say, fake_auth, fake_calendar
):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_auth.grant_states[user_id] = "needs_reauth"
    [reply] = await say(client, "11월 24일 검진 삭제해줘")
    assert reply["text"].splitlines() == [
        "구글 캘린더 연결을 다시 해 주세요(재연결 필요: 권한이 취소됨). "
        "아래 링크에서 연결할 수 있어요.",
        "연결이 끝나면 「검진」 삭제를 이어서 할게요.",
    ]
