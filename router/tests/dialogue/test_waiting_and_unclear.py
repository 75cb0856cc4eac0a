"""Issue 18 items 4, 6 and 10: a move warns like a create; refusals, typos and the unclear while
a proposal waits; impossible dates are named and asked about, never guessed.

The clock is Friday 2025-11-14 10:00 in Seoul.
"""

import pytest
from sqlalchemy import select

from router_service.pending.models import ActionState, PendingAction

pytestmark = pytest.mark.db

TEAM_MEETING = "11월 15일 오후 3시 팀 미팅"


async def _actions(app) -> list[PendingAction]:
    async with app.state.database.sessionmaker() as session:
        return list((await session.scalars(select(PendingAction).order_by(PendingAction.id))).all())


async def _user_id(client) -> str:
    return (await client.get("/api/chat/session")).json()["user_id"]


def _add(fake_calendar, user_id, title, start, end):
    return fake_calendar.add_event(
        user_id, title=title, start=f"2025-11-15T{start}:00+09:00", end=f"2025-11-15T{end}:00+09:00"
    )


# --- item 4: a move onto another event warns before approval -------------------------------


async def test_moving_onto_another_event_warns_before_approval(client, say, fake_calendar):
    user_id = await _user_id(client)
    _add(fake_calendar, user_id, "팀 미팅", "15:00", "16:00")
    _add(fake_calendar, user_id, "치과", "16:00", "17:00")
    [proposal] = await say(client, "내일 팀 미팅 4시로 옮겨줘")
    assert proposal["text"].startswith("「팀 미팅」을 바꿀까요?")
    assert "같은 시간에 「치과」가 있어요. 그래도 바꿀까요?" in proposal["text"]
    assert proposal["payload"]["conflicts"] == 1
    assert fake_calendar.patch_calls == []
    [done] = await say(client, "네")  # the person's choice: moved anyway
    assert done["text"].startswith("✅ 변경했어요")


async def test_moving_onto_the_same_event_warns_of_a_duplicate(client, say, fake_calendar):
    user_id = await _user_id(client)
    _add(fake_calendar, user_id, "팀 미팅", "15:00", "16:00")
    _add(fake_calendar, user_id, "팀 미팅", "17:00", "18:00")
    [proposal] = await say(client, "내일 3시 팀 미팅 5시로 옮겨줘")
    assert "이미 같은 일정 「팀 미팅」이 있어요. 그래도 바꿀까요?" in proposal["text"]
    assert proposal["payload"]["duplicates"] == 1


async def test_a_move_within_its_own_time_is_no_conflict(client, say, fake_calendar):
    user_id = await _user_id(client)
    _add(fake_calendar, user_id, "팀 미팅", "15:00", "16:00")
    [proposal] = await say(client, "내일 팀 미팅 30분 늦춰줘")
    assert "있어요" not in proposal["text"]
    assert "conflicts" not in proposal["payload"]


async def test_a_correction_of_the_last_event_warns_too(client, say, fake_calendar):
    user_id = await _user_id(client)
    await say(client, "내일 3시 팀 미팅")
    await say(client, "네")
    _add(fake_calendar, user_id, "치과", "16:00", "17:00")
    [proposal] = await say(client, "아 4시로 바꿔줘")
    assert "같은 시간에 「치과」가 있어요" in proposal["text"]


# --- item 6: refusals, typos, and the unclear while a proposal waits ------------------------


@pytest.mark.parametrize(
    "refusal", ["아니 잠깐만 그냥 둬", "아니 둘 다 아니야", "아니여", "시러요"]
)
async def test_natural_refusals_reject_the_waiting_proposal(app, client, say, refusal):
    await say(client, TEAM_MEETING)
    [reply] = await say(client, refusal)
    assert reply["text"] == "취소했어요. 「팀 미팅」은 등록하지 않았어요."
    assert (await _actions(app))[0].state == ActionState.rejected


@pytest.mark.parametrize("typo", ["그레", "그레요", "넹", "넴", "ㅇㅇ", "조아", "알겟어"])
async def test_typed_answers_with_a_slip_approve(client, say, fake_calendar, typo):
    await say(client, TEAM_MEETING)
    [done] = await say(client, typo)
    assert done["text"].startswith("✅ 등록했어요")
    assert len(fake_calendar.create_calls) == 1


@pytest.mark.parametrize("unclear", ["음 글쎄", "ㅋㅋㅋ", "잘 모르겠는데"])
async def test_the_unclear_while_a_proposal_waits_says_it_still_waits(app, client, say, unclear):
    await say(client, TEAM_MEETING)
    [reply] = await say(client, unclear)
    assert "「팀 미팅」 등록을 아직 기다리고 있어요" in reply["text"]
    assert "'네'" in reply["text"] and "'아니요'" in reply["text"]
    assert "4시로" in reply["text"]  # how to correct it
    assert reply["payload"]["kind"] == "proposal"  # the buttons again
    assert [a.state for a in await _actions(app)] == [ActionState.proposed]


async def test_the_unclear_while_a_choice_waits_asks_for_the_number(client, say, fake_calendar):
    user_id = await _user_id(client)
    _add(fake_calendar, user_id, "회의", "10:00", "11:00")
    _add(fake_calendar, user_id, "회의", "15:00", "16:00")
    [choice] = await say(client, "내일 회의 취소해줘")
    assert choice["payload"]["kind"] == "choice"
    [reply] = await say(client, "흠")
    assert "번호" in reply["text"] and "'아니요'" in reply["text"]
    assert reply["payload"]["kind"] == "choice"


async def test_the_unclear_with_nothing_waiting_gets_the_help(client, say):
    [reply] = await say(client, "ㅋㅋㅋ")
    assert "기다리고" not in reply["text"]


# --- item 10: impossible dates --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("2월 30일 오후 3시 회의", "「2월 30일」은 없는 날짜예요"),
        ("내일 99시 회의", "「99시」는 없는 시각이에요"),
        ("4월 31일 치과 예약 잡아줘", "「4월 31일」은 없는 날짜예요"),
    ],
)
async def test_an_impossible_date_is_named_and_asked_about(app, client, say, text, named):
    [reply] = await say(client, text)
    assert reply["text"].startswith(named)
    assert "언제로 할까요?" in reply["text"]
    assert reply.get("payload") is None  # nothing proposed: not today, not all day
    assert await _actions(app) == []


async def test_an_impossible_correction_keeps_the_proposal(app, client, say):
    await say(client, TEAM_MEETING)
    [reply] = await say(client, "아 2월 30일로")
    assert reply["text"].startswith("「2월 30일」은 없는 날짜예요")
    assert [a.state for a in await _actions(app)] == [ActionState.proposed]


NO_FEB_30 = "「2월 30일」은 없는 날짜예요."
MOVE_WHEN = "「치과」를 언제로 옮길까요? 예: '치과 내일 오후 3시로 옮겨줘'"


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("치과 2월 30일로 옮겨줘", f"{NO_FEB_30} {MOVE_WHEN}"),
        ("치과 2월 30일 오후 3시로 옮겨줘", f"{NO_FEB_30} {MOVE_WHEN}"),
        ("치과 내일 99시로 바꿔줘", f"「99시」는 없는 시각이에요. {MOVE_WHEN}"),
        (
            "2월 30일 치과 4시로 옮겨줘",
            f"{NO_FEB_30} 어느 날의 「치과」를 바꿀까요? 예: '내일 치과 4시로 옮겨줘'",
        ),
        (
            "2월 30일 치과 취소해줘",
            f"{NO_FEB_30} 어느 날의 「치과」를 삭제할까요? 예: '내일 치과 삭제해줘'",
        ),
        ("2월 30일로 옮겨줘", f"{NO_FEB_30} 언제로 옮길까요? 예: '내일 오후 3시로 옮겨줘'"),
    ],
)
async def test_an_impossible_date_in_a_move_is_named_like_in_a_create(
    app, client, say, fake_calendar, text, answer
):
    user_id = await _user_id(client)
    dentist = _add(fake_calendar, user_id, "치과", "15:00", "16:00")
    [reply] = await say(client, text)
    assert reply["text"] == answer
    assert reply.get("payload") is None  # nothing proposed: no wrong date, no help text
    assert await _actions(app) == []
    assert dentist["start"] == "2025-11-15T15:00:00+09:00"


async def test_an_impossible_move_keeps_the_waiting_proposal(app, client, say):
    await say(client, TEAM_MEETING)
    [reply] = await say(client, "치과 2월 30일로 옮겨줘")
    assert reply["text"].startswith("「2월 30일」은 없는 날짜예요.")
    assert [a.state for a in await _actions(app)] == [ActionState.proposed]
