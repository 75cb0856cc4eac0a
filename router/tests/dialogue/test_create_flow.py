"""Create → proposal → approve/reject, amendments, supersede, expiry."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from router_service.pending.models import ActionState, PendingAction

pytestmark = pytest.mark.db

TEAM_MEETING = "11월 15일 오후 3시 팀 미팅"


async def _actions(app) -> list[PendingAction]:
    async with app.state.database.sessionmaker() as session:
        return list((await session.scalars(select(PendingAction).order_by(PendingAction.id))).all())


async def test_create_is_proposed_with_date_weekday_times_title_and_assumption(client, say):
    [reply] = await say(client, TEAM_MEETING)
    lines = reply["text"].splitlines()
    assert lines[0] == "11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 등록할까요?"
    assert any(line.startswith("※ ") for line in lines[1:])  # the parser's assumption is shown
    payload = reply["payload"]
    assert payload["kind"] == "proposal"
    assert [b["decision"] for b in payload["buttons"]] == ["approve", "reject"]
    assert reply["action_state"] == "proposed"


async def test_yes_executes_once_with_the_action_id_as_idempotency_key(
    app, client, say, fake_calendar
):
    [proposal] = await say(client, TEAM_MEETING)
    action_id = proposal["payload"]["action_id"]
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 등록했어요: 11월 15일(토) 오후 3:00–4:00 「팀 미팅」")
    assert done["payload"]["link"]["url"].startswith("https://calendar.test/")
    [call] = fake_calendar.create_calls
    assert call["key"] == f"pending-action-{action_id}"
    assert call["body"] == {
        "title": "팀 미팅",
        "start": "2025-11-15T15:00:00+09:00",
        "end": "2025-11-15T16:00:00+09:00",
        "allow_duplicate": False,
    }
    [action] = await _actions(app)
    assert action.state == ActionState.done
    # Nothing said twice: a second yes finds nothing to approve and nothing runs again.
    [again] = await say(client, "네")
    assert "확인을 기다리는 요청이 없어요" in again["text"]
    assert len(fake_calendar.create_calls) == 1


async def test_approve_button_executes_and_a_second_click_says_nothing(
    client, say, decide, fake_calendar
):
    [proposal] = await say(client, TEAM_MEETING)
    action_id = proposal["payload"]["action_id"]
    first = await decide(client, action_id, "approve")
    assert first.status_code == 200
    texts = [m["text"] for m in first.json()["messages"]]
    assert texts[0] == "네" and texts[1].startswith("✅ 등록했어요")
    assert first.json()["messages"][1]["action_state"] == "done"
    second = await decide(client, action_id, "approve")
    assert second.status_code == 200 and second.json()["messages"] == []
    assert len(fake_calendar.create_calls) == 1


async def test_no_cancels_and_says_so(app, client, say, fake_calendar):
    await say(client, TEAM_MEETING)
    [reply] = await say(client, "아니")
    assert reply["text"] == "취소했어요. 「팀 미팅」은 등록하지 않았어요."
    assert (await _actions(app))[0].state == ActionState.rejected
    assert fake_calendar.create_calls == []


async def test_reject_button(app, client, say, decide):
    [proposal] = await say(client, TEAM_MEETING)
    response = await decide(client, proposal["payload"]["action_id"], "reject")
    assert response.json()["messages"][-1]["text"].startswith("취소했어요")
    assert (await _actions(app))[0].state == ActionState.rejected


async def test_yes_and_no_with_nothing_pending_get_helpful_answers(client, say):
    [yes] = await say(client, "네")
    assert "확인을 기다리는 요청이 없어요" in yes["text"] and "예:" in yes["text"]
    [no] = await say(client, "아니")
    assert no["text"] == "취소할 요청이 없어요."


async def test_time_amendment_replaces_the_proposal(app, client, say, decide, fake_calendar):
    [first] = await say(client, TEAM_MEETING)
    [second] = await say(client, "4시로 바꿔줘")
    assert second["text"].startswith("11월 15일(토) 오후 4:00–5:00 「팀 미팅」을 등록할까요?")
    assert second["payload"]["action_id"] != first["payload"]["action_id"]
    old, new = await _actions(app)
    assert old.state == ActionState.superseded and new.state == ActionState.proposed
    stale = await decide(client, first["payload"]["action_id"], "approve")
    assert stale.json()["messages"] == []  # the replaced proposal can no longer run
    await say(client, "네")
    assert fake_calendar.create_calls[0]["body"]["start"] == "2025-11-15T16:00:00+09:00"


async def test_an_all_day_lead_follows_the_event_when_a_time_is_given(client, say, fake_calendar):
    """The lead is kept as said: all day it is 09:00 the day before; given a time, a day
    before that time."""
    [all_day] = await say(client, "12월 24일 종일 워크숍 하루 전에 알려줘")
    assert "하루 전 오전 9시에 알려드릴게요." in all_day["text"].splitlines()
    [timed] = await say(client, "아 오후 3시로")
    assert timed["text"].startswith("12월 24일(수) 오후 3:00")
    assert "하루 전에 알려드릴게요." in timed["text"].splitlines()
    await say(client, "네")
    assert fake_calendar.create_calls[0]["body"]["reminder_minutes"] == [1440]


async def test_location_amendment_replaces_the_proposal(client, say, fake_calendar):
    await say(client, TEAM_MEETING)
    [reply] = await say(client, "장소는 강남역")
    assert "「팀 미팅」을 등록할까요?" in reply["text"]
    assert "장소: 강남역" in reply["text"]
    await say(client, "네")
    assert fake_calendar.create_calls[0]["body"]["location"] == "강남역"


async def test_a_new_request_supersedes_the_waiting_one(app, client, say):
    await say(client, TEAM_MEETING)
    await say(client, "11월 24일 검진 07:40~12시 인천 연수구 갯벌로156")
    old, new = await _actions(app)
    assert old.state == ActionState.superseded and new.state == ActionState.proposed


async def test_proposal_expires_after_its_ttl(app, client, say, fake_calendar):
    [proposal] = await say(client, TEAM_MEETING)
    later = app.state.context.clock() + timedelta(minutes=31)
    app.state.context.clock = lambda: later
    [reply] = await say(client, "네")
    assert "확인을 기다리는 요청이 없어요" in reply["text"]
    assert (await _actions(app))[0].state == ActionState.expired
    assert fake_calendar.create_calls == []
    assert proposal["payload"]["action_id"] == (await _actions(app))[0].id


async def test_expired_button_says_so(app, client, say, decide, fake_calendar):
    [proposal] = await say(client, TEAM_MEETING)
    later = app.state.context.clock() + timedelta(minutes=31)
    app.state.context.clock = lambda: later
    response = await decide(client, proposal["payload"]["action_id"], "approve")
    assert response.status_code == 200
    [pressed, reply] = response.json()["messages"]
    assert pressed["text"] == "네"
    assert reply["text"].startswith("확인 시간이 지나 요청이 만료됐어요")
    again = await decide(client, proposal["payload"]["action_id"], "approve")
    assert again.json()["messages"] == []
    assert fake_calendar.create_calls == []


async def test_conflicts_and_duplicates_are_shown_before_asking(
    client, say, fake_auth, fake_calendar
):
    session = (await client.get("/api/chat/session")).json()
    user_id = session["user_id"]
    fake_calendar.add_event(
        user_id,
        title="주간 회의",
        start="2025-11-15T15:30:00+09:00",
        end="2025-11-15T16:30:00+09:00",
    )
    [reply] = await say(client, TEAM_MEETING)
    assert "같은 시간에 「주간 회의」가 있어요. 그래도 등록할까요?" in reply["text"]
    assert reply["payload"]["conflicts"] == 1

    fake_calendar.add_event(
        user_id,
        title="팀미팅",
        start="2025-11-15T15:00:00+09:00",
        end="2025-11-15T16:00:00+09:00",
    )
    [replaced, reply] = await say(client, TEAM_MEETING)
    assert replaced["text"] == "이전 요청 「팀 미팅」 대신 새 요청으로 진행할게요."
    assert "이미 같은 일정 「팀미팅」이 있어요. 그래도 등록할까요?" in reply["text"]
    await say(client, "네")
    assert fake_calendar.create_calls[-1]["body"]["allow_duplicate"] is True


async def test_a_duplicate_that_appeared_after_the_proposal_is_not_reported_as_created(
    client, say, fake_calendar
):
    await say(client, TEAM_MEETING)
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_calendar.add_event(  # e.g. made in another tab meanwhile
        user_id,
        title="팀 미팅",
        start="2025-11-15T15:00:00+09:00",
        end="2025-11-15T16:00:00+09:00",
    )
    [reply] = await say(client, "네")
    assert reply["text"].startswith("이미 같은 일정이 있어 새로 만들지 않았어요")


async def test_relative_amendment_of_a_proposal(client, say, fake_calendar):
    await say(client, TEAM_MEETING)
    [reply] = await say(client, "30분 늦춰줘")
    assert reply["text"].startswith("11월 15일(토) 오후 3:30–4:30 「팀 미팅」을 등록할까요?")
