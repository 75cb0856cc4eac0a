"""A Slack person is answered in the time zone of their Slack profile (users.info ``tz``)."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from router_service.pending.models import PendingAction
from router_service.slack.models import SlackUser
from shared.db import utcnow

pytestmark = pytest.mark.db

TEAM = "T0HARU0001"
# The tests' clock: Friday 2025-11-14 10:00 in Seoul is Thursday 20:00 in New York.
NEW_YORK_PROPOSAL = "11월 14일(금) 오후 3:00–4:00 (뉴욕 시간) 「팀 미팅」을 등록할까요?"
SEOUL_PROPOSAL = "11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 등록할까요?"
MEETING = "내일 오후 3시 팀 미팅"


@pytest.fixture
def slack_api_url(slack_emulator):
    return slack_emulator.api_url


@pytest.fixture
def tell(sender, slack_event, slack_app, drain, slack_emulator):
    """``await tell(user, dm, text)`` → the last message Haru posted in the DM."""

    async def send(user: str, dm: str, text: str = MEETING) -> dict:
        await sender.event(slack_event(text, user=user, channel=dm))
        await drain(slack_app)
        return slack_emulator.control.messages(dm)[-1]

    return send


async def test_a_new_york_user_gets_a_proposal_and_an_event_in_new_york_time(
    tell, drain, sender, press_payload, slack_app, slack_user, slack_emulator, fake_calendar, rows
):
    user, dm = slack_user("dana", tz="America/New_York")
    posted = await tell(user, dm)
    assert posted["text"].startswith(NEW_YORK_PROPOSAL)
    [action] = await rows(slack_app, PendingAction)
    assert action.time_zone == "America/New_York"

    press = press_payload(action_id="approve", value=str(action.id), message_ts=posted["ts"])
    press["user"]["id"], press["channel"]["id"] = user, dm
    press["container"]["channel_id"] = dm
    assert (await sender.press(press)).status_code == 200
    await drain(slack_app)
    [call] = fake_calendar.create_calls
    assert (call["body"]["start"], call["body"]["end"]) == (
        "2025-11-14T15:00:00-05:00",
        "2025-11-14T16:00:00-05:00",
    )
    done = slack_emulator.control.messages(dm)[-1]
    assert done["text"].startswith("✅ 등록했어요: 11월 14일(금) 오후 3:00–4:00 (뉴욕 시간)")


async def test_a_seoul_user_and_a_user_without_tz_keep_the_usual_wording(tell, slack_user):
    seoul, seoul_dm = slack_user("eun", tz="Asia/Seoul")
    posted = await tell(seoul, seoul_dm)
    assert posted["text"].startswith(SEOUL_PROPOSAL)
    nowhere, nowhere_dm = slack_user("nozone", tz=None)  # a profile without tz
    posted = await tell(nowhere, nowhere_dm)
    assert posted["text"].startswith(SEOUL_PROPOSAL)


async def test_the_profile_is_kept_a_day_then_asked_again_and_a_new_tz_is_followed(
    tell, slack_app, slack_user, slack_emulator, rows
):
    user, dm = slack_user("dana", tz="America/New_York")
    slack_emulator.control.reset_calls()
    first = await tell(user, dm)
    assert first["text"].startswith(NEW_YORK_PROPOSAL)
    # Dana flies home; Slack follows her, Haru's copy is still fresh.
    slack_emulator.control.add_user("dana", user_id=user, real_name="Dana", tz="Asia/Seoul")
    again = await tell(user, dm)
    assert again["text"].startswith(NEW_YORK_PROPOSAL)
    assert slack_emulator.control.calls().get("users.info") == 1

    async with slack_app.state.database.sessionmaker() as session:
        await session.execute(
            update(SlackUser).values(fetched_at=utcnow() - timedelta(days=1, minutes=1))
        )
        await session.commit()
    later = await tell(user, dm)
    assert later["text"].startswith(SEOUL_PROPOSAL)
    assert slack_emulator.control.calls().get("users.info") == 2
    [kept] = await rows(slack_app, SlackUser)
    assert kept.time_zone == "Asia/Seoul"


async def test_when_users_info_fails_the_kept_zone_is_used_however_old(
    tell, slack_app, slack_user, slack_emulator
):
    user, dm = slack_user("dana", tz="America/New_York")
    await tell(user, dm, "안녕")
    async with slack_app.state.database.sessionmaker() as session:
        await session.execute(update(SlackUser).values(fetched_at=utcnow() - timedelta(days=30)))
        await session.commit()
    slack_emulator.control.fault("users.info", error="internal_error")
    posted = await tell(user, dm)
    assert posted["text"].startswith(NEW_YORK_PROPOSAL)
    assert slack_emulator.control.faults() == []  # users.info was asked (and failed)
