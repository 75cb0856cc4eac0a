"""The person's own zone (from Slack's profile or the browser): read, proposed and kept in it."""

import pytest
from sqlalchemy import select

from router_service.conversations.models import Channel
from router_service.dialogue.flows import handle_decision, handle_incoming, person_zone
from router_service.pending.models import ActionState, PendingAction

pytestmark = pytest.mark.db

KEY = "slack:T1:D1"
# The tests' clock: Friday 2025-11-14 10:00 in Seoul is Thursday 20:00 in New York, so
# "내일" is the 14th there and the 15th in Seoul.


async def _incoming(app, text: str, time_zone: str | None):
    async with app.state.database.sessionmaker() as session:
        return await handle_incoming(
            session=session,
            app=app.state.context,
            channel=Channel.slack,
            external_id="T1:U1",
            conversation_key=KEY,
            text=text,
            time_zone=time_zone,
        )


async def _approve(app, action_id: int):
    async with app.state.database.sessionmaker() as session:
        return await handle_decision(
            session=session,
            app=app.state.context,
            action_id=action_id,
            decision="approve",
            conversation_key=KEY,
        )


async def _actions(app) -> list[PendingAction]:
    async with app.state.database.sessionmaker() as session:
        return list((await session.scalars(select(PendingAction).order_by(PendingAction.id))).all())


async def test_a_new_york_message_is_proposed_and_created_in_new_york_time(app, fake_calendar):
    turn = await _incoming(app, "내일 오후 3시 팀 미팅", "America/New_York")
    [proposal] = turn.replies
    first = proposal.text.splitlines()[0]
    assert first == "11월 14일(금) 오후 3:00–4:00 (뉴욕 시간) 「팀 미팅」을 등록할까요?"
    assert turn.incoming.slots["event"]["start"] == "2025-11-14T15:00:00-05:00"
    [action] = await _actions(app)
    assert action.time_zone == "America/New_York"
    assert action.plan["body"]["start"] == "2025-11-14T15:00:00-05:00"

    decided = await _approve(app, action.id)
    [call] = fake_calendar.create_calls
    assert (call["body"]["start"], call["body"]["end"]) == (
        "2025-11-14T15:00:00-05:00",
        "2025-11-14T16:00:00-05:00",
    )
    [event] = fake_calendar.user_events(call["user_id"])
    assert event["start"] == "2025-11-14T15:00:00-05:00"
    [done] = decided.replies
    assert done.text.startswith(
        "✅ 등록했어요: 11월 14일(금) 오후 3:00–4:00 (뉴욕 시간) 「팀 미팅」"
    )


async def test_summer_time_in_new_york_has_the_summer_offset(app):
    turn = await _incoming(app, "7월 1일 오전 9시 회의", "America/New_York")
    assert turn.incoming.slots["event"]["start"].endswith("T09:00:00-04:00")
    assert "오전 9:00–10:00 (뉴욕 시간)" in turn.replies[0].text


@pytest.mark.parametrize("time_zone", [None, "", "Mars/Olympus_Mons", "../../etc/passwd"])
async def test_no_zone_or_an_unknown_one_means_seoul_with_the_usual_wording(app, time_zone):
    turn = await _incoming(app, "내일 오후 3시 팀 미팅", time_zone)
    first = turn.replies[0].text.splitlines()[0]
    assert first == "11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 등록할까요?"
    [action] = await _actions(app)
    assert action.time_zone == "Asia/Seoul"
    assert action.plan["body"]["start"] == "2025-11-15T15:00:00+09:00"


async def test_a_question_is_answered_with_the_days_and_times_of_the_persons_zone(
    app, fake_auth, fake_calendar
):
    await _incoming(app, "안녕", None)  # the identity exists from here on
    user_id = fake_auth.identities[("slack", "T1:U1")]
    fake_calendar.add_event(
        user_id, title="팀 미팅", start="2025-11-14T15:00:00-05:00", end="2025-11-14T16:00:00-05:00"
    )
    turn = await _incoming(app, "내일 일정 알려줘", "America/New_York")
    assert turn.replies[0].text == "11월 14일(금) 일정 (뉴욕 시간):\n• 15:00 팀 미팅"
    seoul = await _incoming(app, "11월 15일 일정 알려줘", "Asia/Seoul")
    assert seoul.replies[0].text == "11월 15일(토) 일정:\n• 05:00 팀 미팅"


async def test_a_button_later_keeps_the_zone_of_the_action(app, fake_calendar):
    """The decision has no zone of its own: the action's stored zone words the result."""
    await _incoming(app, "내일 오후 3시 팀 미팅", "Europe/London")
    [action] = await _actions(app)
    assert action.state == ActionState.proposed and action.time_zone == "Europe/London"
    decided = await _approve(app, action.id)
    assert "(런던 시간)" in decided.replies[0].text
    # 01:00 on the 14th in London: "내일" is the 15th there.
    assert fake_calendar.create_calls[0]["body"]["start"] == "2025-11-15T15:00:00+00:00"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("America/New_York", "America/New_York"),
        ("UTC", "UTC"),
        (None, "Asia/Seoul"),
        ("", "Asia/Seoul"),
        ("Not/A_Zone", "Asia/Seoul"),
        ("Europe/" + "x" * 80, "Asia/Seoul"),
    ],
)
def test_person_zone(given, expected):
    assert person_zone(given, default="Asia/Seoul") == expected
