"""Corrections (issue 18 items 1 and 2): the NLU's ``amend`` changes the waiting proposal; with
nothing waiting, a correction changes the event this conversation just made, after a yes.

The clock is Friday 2025-11-14 10:00 in Seoul: "목요일" is 11월 20일, "내일" 11월 15일.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from router_service.pending.models import ActionKind, ActionState, PendingAction
from shared.testing import serve_app

pytestmark = pytest.mark.db

CLIENT_MEETING = "목요일 오후 2시 고객 미팅"
THURSDAY_2PM = "11월 20일(목) 오후 2:00–3:00 「고객 미팅」을 등록할까요?"


async def _actions(app) -> list[PendingAction]:
    async with app.state.database.sessionmaker() as session:
        return list((await session.scalars(select(PendingAction).order_by(PendingAction.id))).all())


async def _propose(client, say, text=CLIENT_MEETING):
    [proposal] = await say(client, text)
    assert proposal["payload"]["kind"] == "proposal", proposal["text"]
    return proposal


@pytest.mark.parametrize(
    ("correction", "first_line"),
    [
        ("아 4시로", "11월 20일(목) 오후 4:00–5:00 「고객 미팅」을 등록할까요?"),
        ("아니 4시로 해줘", "11월 20일(목) 오후 4:00–5:00 「고객 미팅」을 등록할까요?"),
        ("4시 반으로", "11월 20일(목) 오후 4:30–5:30 「고객 미팅」을 등록할까요?"),
        ("아 다음 주 금요일로", "11월 21일(금) 오후 2:00–3:00 「고객 미팅」을 등록할까요?"),
        ("목요일 말고 토요일", "11월 15일(토) 오후 2:00–3:00 「고객 미팅」을 등록할까요?"),
        (
            "아니 다음 주 월요일 오전 10시로",
            "11월 17일(월) 오전 10:00–11:00 「고객 미팅」을 등록할까요?",
        ),
        ("30분 늦게", "11월 20일(목) 오후 2:30–3:30 「고객 미팅」을 등록할까요?"),
        ("1시간 일찍", "11월 20일(목) 오후 1:00–2:00 「고객 미팅」을 등록할까요?"),
        ("2시간으로 해줘", "11월 20일(목) 오후 2:00–4:00 「고객 미팅」을 등록할까요?"),
        (
            "제목은 고객사 미팅으로 바꿔줘",
            "11월 20일(목) 오후 2:00–3:00 「고객사 미팅」을 등록할까요?",
        ),
        ("4시로 바꿔줘", "11월 20일(목) 오후 4:00–5:00 「고객 미팅」을 등록할까요?"),
    ],
)
async def test_a_correction_amends_the_waiting_proposal(
    app, client, say, fake_calendar, correction, first_line
):
    first = await _propose(client, say)
    assert first["text"].startswith(THURSDAY_2PM)
    replies = await say(client, correction)
    assert len(replies) == 1, [r["text"] for r in replies]  # no "이전 요청 … 대신" notice
    [amended] = replies
    assert amended["text"].splitlines()[0] == first_line
    assert amended["payload"]["kind"] == "proposal"
    old, new = await _actions(app)
    assert old.state == ActionState.superseded and new.state == ActionState.proposed
    assert fake_calendar.create_calls == []


async def test_an_amended_hour_follows_the_bare_hour_rule(client, say, fake_calendar):
    await _propose(client, say, "내일 오전 10시 스탠드업")
    [amended] = await say(client, "아 11시로")
    assert amended["text"].startswith("11월 15일(토) 오전 11:00–")  # not 오후 11시
    assert "「스탠드업」을 등록할까요?" in amended["text"]
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 등록했어요")
    assert fake_calendar.create_calls[0]["body"]["start"] == "2025-11-15T11:00:00+09:00"


async def test_a_place_correction_is_shown_and_created(client, say, fake_calendar):
    await _propose(client, say)
    [amended] = await say(client, "장소는 강남역으로 해줘")
    assert "장소: 강남역" in amended["text"]
    await say(client, "네")
    assert fake_calendar.create_calls[0]["body"]["location"] == "강남역"


async def test_corrections_add_up(client, say, fake_calendar):
    await _propose(client, say)
    await say(client, "아 4시로")
    await say(client, "장소는 본사 3층 회의실")
    [last] = await say(client, "2시간으로 해줘")
    assert last["text"].startswith("11월 20일(목) 오후 4:00–6:00 「고객 미팅」")
    assert "장소: 본사 3층 회의실" in last["text"]


async def test_yes_with_a_correction_amends_and_creates_at_once(app, client, say, fake_calendar):
    await _propose(client, say)
    [done] = await say(client, "응 근데 30분 늦게")
    assert done["text"].startswith("✅ 등록했어요: 11월 20일(목) 오후 2:30–3:30 「고객 미팅」")
    [call] = fake_calendar.create_calls
    assert call["body"]["start"] == "2025-11-20T14:30:00+09:00"
    assert [a.state for a in await _actions(app)] == [ActionState.superseded, ActionState.done]


async def test_yes_with_a_correction_onto_another_event_asks_first(app, client, say, fake_calendar):
    user_id = await _user_id(client)
    fake_calendar.add_event(
        user_id,
        title="치과",
        start="2025-11-20T16:00:00+09:00",
        end="2025-11-20T17:00:00+09:00",
    )
    await _propose(client, say)
    [proposal] = await say(client, "네 4시로 해 주세요")
    assert "같은 시간에 「치과」가 있어요" in proposal["text"]
    assert proposal["payload"]["kind"] == "proposal" and proposal["payload"]["conflicts"] == 1
    assert fake_calendar.create_calls == []


async def test_a_correction_of_a_waiting_change_changes_the_change(client, say, fake_calendar):
    user_id = await _user_id(client)
    fake_calendar.add_event(
        user_id, title="회의", start="2025-11-21T15:00:00+09:00", end="2025-11-21T16:00:00+09:00"
    )
    [first] = await say(client, "21일 회의 4시로 옮겨줘")
    assert "후: 11월 21일(금) 오후 4:00–5:00" in first["text"]
    [second] = await say(client, "아 5시로")
    assert "전: 11월 21일(금) 오후 3:00–4:00" in second["text"]
    assert "후: 11월 21일(금) 오후 5:00–6:00" in second["text"]
    [third] = await say(client, "장소는 대회의실")
    assert "후: 11월 21일(금) 오후 5:00–6:00" in third["text"] and "대회의실" in third["text"]
    [fourth] = await say(client, "30분 늦게")
    assert "후: 11월 21일(금) 오후 5:30–6:30" in fourth["text"] and "대회의실" in fourth["text"]
    await say(client, "네")
    [patch] = fake_calendar.patch_calls
    assert patch["body"]["start"] == "2025-11-21T17:30:00+09:00"
    assert patch["body"]["location"] == "대회의실"


# --- item 2: right after creating ------------------------------------------------------------


async def _created(client, say, text="내일 3시 팀 미팅"):
    await _propose(client, say, text)
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 등록했어요"), done["text"]


@pytest.mark.parametrize(
    ("correction", "after"),
    [
        ("아 4시로 바꿔줘", "후: 11월 15일(토) 오후 4:00–5:00"),
        ("아 4시로", "후: 11월 15일(토) 오후 4:00–5:00"),
        ("모레로 미뤄줘", "후: 11월 16일(일) 오후 3:00–4:00"),
        ("30분 늦춰줘", "후: 11월 15일(토) 오후 3:30–4:30"),
    ],
)
async def test_a_correction_after_creating_changes_that_event_after_a_yes(
    app, client, say, fake_calendar, correction, after
):
    await _created(client, say)
    [proposal] = await say(client, correction)
    assert proposal["text"].startswith("「팀 미팅」을 바꿀까요?"), proposal["text"]
    assert "전: 11월 15일(토) 오후 3:00–4:00" in proposal["text"]
    assert after in proposal["text"]
    assert proposal["payload"]["kind"] == "proposal"
    assert fake_calendar.patch_calls == []  # a change needs approval
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 변경했어요")
    [patch] = fake_calendar.patch_calls
    [created] = fake_calendar.create_calls
    [event] = fake_calendar.user_events(created["user_id"])
    assert patch["event_id"] == event["id"]
    assert (await _actions(app))[-1].kind == ActionKind.update


async def test_the_last_change_is_remembered_too(client, say, fake_calendar):
    await _created(client, say)
    await say(client, "아 4시로 바꿔줘")
    await say(client, "네")
    [proposal] = await say(client, "30분만 늦춰줘")
    assert "전: 11월 15일(토) 오후 4:00–5:00" in proposal["text"]
    assert "후: 11월 15일(토) 오후 4:30–5:30" in proposal["text"]


async def test_the_memory_survives_a_restart(make_app, app, client, say):
    await _created(client, say)
    again = await make_app()  # another process on the same database: nothing kept in memory
    async with serve_app(again) as other:
        other.cookies = client.cookies
        [proposal] = await say(other, "아 4시로 바꿔줘")
    assert proposal["text"].startswith("「팀 미팅」을 바꿀까요?")


async def test_after_half_an_hour_the_event_must_be_named(app, client, say, fake_calendar):
    await _created(client, say)
    later = app.state.context.clock() + timedelta(minutes=31)
    app.state.context.clock = lambda: later
    [reply] = await say(client, "아 4시로 바꿔줘")
    assert reply["text"].startswith("어떤 일정을 바꿀지 알려 주세요")


async def test_a_deleted_event_is_not_changed(client, say, fake_calendar):
    await _created(client, say)
    await say(client, "내일 팀 미팅 삭제해줘")
    await say(client, "네")
    [reply] = await say(client, "아 4시로 바꿔줘")
    assert reply["text"].startswith("어떤 일정을 바꿀지 알려 주세요")
    assert fake_calendar.patch_calls == []


async def test_an_event_gone_from_the_calendar_is_said(client, say, fake_calendar):
    await _created(client, say)
    [created] = fake_calendar.create_calls
    fake_calendar.events[created["user_id"]].clear()  # deleted in Google meanwhile
    [reply] = await say(client, "아 4시로 바꿔줘")
    assert "찾을 수 없어요" in reply["text"]


async def _user_id(client) -> str:
    response = await client.get("/api/chat/session")
    return response.json()["user_id"]


async def test_yes_with_a_correction_of_a_change_changes_at_once(client, say, fake_calendar):
    user_id = await _user_id(client)
    fake_calendar.add_event(
        user_id, title="회의", start="2025-11-21T15:00:00+09:00", end="2025-11-21T16:00:00+09:00"
    )
    await say(client, "21일 회의 4시로 옮겨줘")
    [done] = await say(client, "응 근데 5시로 해줘")
    assert done["text"].startswith("✅ 변경했어요: 11월 21일(금) 오후 5:00–6:00"), done["text"]
    [patch] = fake_calendar.patch_calls
    assert patch["body"]["start"] == "2025-11-21T17:00:00+09:00"


async def test_a_request_waiting_for_consent_is_corrected_too(app, client, say, fake_auth):
    fake_auth.default_grant_state = "missing"
    [link] = await say(client, CLIENT_MEETING)
    assert link["payload"]["kind"] == "connect"
    [again] = await say(client, "아 4시로")
    assert again["payload"]["kind"] == "connect"
    assert "「고객 미팅」" in again["text"]
    old, new = await _actions(app)
    assert old.state == ActionState.superseded and new.state == ActionState.awaiting_auth
    assert new.request["event"]["start"] == "2025-11-20T16:00:00+09:00"
