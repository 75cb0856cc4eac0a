"""A Slack person without Google access gets the connect link; after consent their request
continues and the reply reaches their DM through the queue."""

import pytest

from router_service.pending.models import ActionState, PendingAction

pytestmark = pytest.mark.db

TEAM = "T0HARU0001"


@pytest.fixture
def slack_api_url(slack_emulator):
    return slack_emulator.api_url


async def test_a_new_slack_user_connects_google_and_the_request_resumes_in_the_dm(
    drain,
    sender,
    slack_event,
    slack_app,
    slack_user,
    slack_emulator,
    fake_auth,
    rows,
    auth_server_headers,
    grant_event,
):
    fake_auth.default_grant_state = "missing"
    user, dm = slack_user("alice")
    await sender.event(slack_event("11월 15일 오후 3시 팀 미팅", user=user, channel=dm))
    await drain(slack_app)
    [connect] = slack_emulator.control.messages(dm)
    assert connect["text"].startswith("구글 캘린더 연결이 필요해요.")
    [block] = [b for b in connect["blocks"] if b["type"] == "actions"]
    [link] = block["elements"]
    assert link["url"].startswith("http://auth.test/connect/")
    assert link["text"]["text"] == "구글 캘린더 연결하기"
    user_id = fake_auth.identities[("slack", f"{TEAM}:{user}")]
    [action] = await rows(slack_app, PendingAction)
    assert action.state == ActionState.awaiting_auth
    assert fake_auth.connect_links[-1]["channel"] == "slack"
    assert fake_auth.connect_links[-1]["pending_action_ref"] == str(action.id)

    # The person consents on Google; auth-server reports the grant.
    fake_auth.grant_states[user_id] = "active"
    response = await sender.client.post(
        "/internal/grant-events",
        json=grant_event(user_id, ref=str(action.id)),
        headers=auth_server_headers,
    )
    assert response.json() == {"status": "accepted"}
    await drain(slack_app)
    _, proposal = slack_emulator.control.messages(dm)
    assert proposal["text"].startswith("11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 등록할까요?")
    assert {
        e["action_id"] for b in proposal["blocks"] if b["type"] == "actions" for e in b["elements"]
    } == {
        "approve",
        "reject",
    }


async def test_a_connect_link_asked_for_in_a_channel_goes_to_the_persons_dm(
    drain, sender, slack_event, slack_app, slack_user, slack_emulator, fake_auth
):
    fake_auth.default_grant_state = "missing"
    user, dm = slack_user("alice")
    envelope = slack_event(
        "<@U0HARUBOT1> 이번 주 일정 알려줘", kind="app_mention", user=user, channel="C0GENERAL1"
    )
    await sender.event(envelope)
    await drain(slack_app)
    [connect] = slack_emulator.control.messages(dm)
    assert "구글 캘린더 연결" in connect["text"]
    assert slack_emulator.control.messages("C0GENERAL1") == []
