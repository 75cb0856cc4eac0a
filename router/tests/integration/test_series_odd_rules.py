"""Series with rules another app may write (Google takes them): the series check reads
them without failing the person's turn. The clock is Friday 2025-11-14 10:00 in Seoul."""

import asyncio

import pytest

from .calendar_stack import EMAIL, ConnectedChat

pytestmark = pytest.mark.db


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=DAILY;UNTIL=99991231",  # "forever" written as the last day there is
        "RRULE:FREQ=YEARLY;INTERVAL=999999999",  # a step longer than any calendar
    ],
)
async def test_a_series_with_an_extreme_rule_is_still_asked_about(chat: ConnectedChat, say, rule):
    await say(chat.client, "매일 아침 9시 운동")
    await say(chat.client, "네")
    [master] = await chat.live_events()
    await asyncio.to_thread(chat.google.control.edit_event, EMAIL, master["id"], recurrence=[rule])
    [question] = await say(chat.client, "내일 운동 삭제해줘")
    assert question["payload"]["kind"] == "scope"
