"""Several events in one message (issue 18 item 3): one proposal lists every event, one
approval creates all (each write idempotent and durable), "2번은 빼줘" leaves one out."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from router_service.dialogue.flows import recover_stalled
from router_service.pending.models import ActionKind, ActionState, PendingAction

pytestmark = pytest.mark.db

TWO = "내일 오전 9시 스탠드업\n모레 오후 3시 치과"
THREE = "내일 오전 9시 스탠드업, 모레 오후 3시 치과, 다음 주 월요일 저녁 7시 요가"


class Killed(BaseException):
    """The process died here."""


async def _actions(app) -> list[PendingAction]:
    async with app.state.database.sessionmaker() as session:
        return list((await session.scalars(select(PendingAction).order_by(PendingAction.id))).all())


async def _recovered(app, action_id: int):
    """The one reply of the recovery round, once ``action_id`` has stalled ten minutes."""
    old = app.state.context.clock() - timedelta(minutes=10)
    async with app.state.database.sessionmaker() as session:
        await session.execute(
            update(PendingAction).where(PendingAction.id == action_id).values(updated_at=old)
        )
        await session.commit()
    async with app.state.database.sessionmaker() as session:
        [reply] = await recover_stalled(session=session, app=app.state.context)
    return reply


async def test_two_requests_in_one_message_are_one_proposal_listing_both(client, say):
    [proposal] = await say(client, TWO)
    lines = proposal["text"].splitlines()
    assert lines[:3] == [
        "일정 2개를 등록할까요?",
        "1. 11월 15일(토) 오전 9:00–10:00 「스탠드업」",
        "2. 11월 16일(일) 오후 3:00–4:00 「치과」",
    ]
    assert lines[-1] == "하나를 빼려면 '2번은 빼줘', 바꾸려면 '2번은 4시로'처럼 말씀해 주세요."
    assert proposal["payload"]["kind"] == "proposal"
    assert [b["label"] for b in proposal["payload"]["buttons"]] == ["등록", "취소"]


async def test_one_yes_creates_every_event_each_with_its_own_key(app, client, say, fake_calendar):
    [proposal] = await say(client, TWO)
    action_id = proposal["payload"]["action_id"]
    [done] = await say(client, "네")
    assert done["text"].splitlines() == [
        "✅ 2개 등록했어요:",
        "• 11월 15일(토) 오전 9:00–10:00 「스탠드업」",
        "• 11월 16일(일) 오후 3:00–4:00 「치과」",
    ]
    keys = [call["key"] for call in fake_calendar.create_calls]
    assert keys == [f"pending-action-{action_id}-1", f"pending-action-{action_id}-2"]
    titles = sorted(call["body"]["title"] for call in fake_calendar.create_calls)
    assert titles == ["스탠드업", "치과"]
    [action] = await _actions(app)
    assert action.kind == ActionKind.create_many and action.state == ActionState.done
    [again] = await say(client, "네")
    assert "확인을 기다리는 요청이 없어요" in again["text"]
    assert len(fake_calendar.create_calls) == 2


async def test_drop_one_of_two_leaves_a_single_proposal(client, say, fake_calendar):
    await say(client, TWO)
    dropped, proposal = await say(client, "2번은 빼줘")
    assert dropped["text"] == "2번 「치과」는 뺐어요."
    assert proposal["text"].splitlines()[0] == (
        "11월 15일(토) 오전 9:00–10:00 「스탠드업」을 등록할까요?"
    )
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 등록했어요: 11월 15일(토) 오전 9:00–10:00 「스탠드업」")
    assert [c["body"]["title"] for c in fake_calendar.create_calls] == ["스탠드업"]


async def test_drop_one_of_three_shows_the_updated_list(client, say, fake_calendar):
    [proposal] = await say(client, THREE)
    assert proposal["text"].splitlines()[0] == "일정 3개를 등록할까요?"
    dropped, smaller = await say(client, "1번 빼줘")
    assert dropped["text"] == "1번 「스탠드업」은 뺐어요."
    assert smaller["text"].splitlines()[:3] == [
        "일정 2개를 등록할까요?",
        "1. 11월 16일(일) 오후 3:00–4:00 「치과」",
        "2. 11월 17일(월) 오후 7:00–8:00 「요가」",
    ]
    await say(client, "응")
    assert sorted(c["body"]["title"] for c in fake_calendar.create_calls) == ["요가", "치과"]


async def test_drop_by_title(client, say):
    await say(client, TWO)
    dropped, proposal = await say(client, "치과는 빼줘")
    assert dropped["text"] == "2번 「치과」는 뺐어요."
    assert "「스탠드업」을 등록할까요?" in proposal["text"]


async def test_drop_a_number_out_of_range(client, say):
    await say(client, TWO)
    [reply] = await say(client, "5번은 빼줘")
    assert reply["text"] == "1번부터 2번 중에서 골라 주세요."
    [still] = await say(client, "네")
    assert still["text"].startswith("✅ 2개 등록했어요")


async def test_no_cancels_all(app, client, say, fake_calendar):
    await say(client, TWO)
    [reply] = await say(client, "아니")
    assert reply["text"] == "취소했어요. 「스탠드업, 치과」는 등록하지 않았어요."
    assert fake_calendar.create_calls == []


async def test_conflicts_are_shown_per_item(client, say, fake_calendar):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_calendar.add_event(
        user_id,
        title="주간회의",
        start="2025-11-16T15:30:00+09:00",
        end="2025-11-16T16:30:00+09:00",
    )
    [proposal] = await say(client, TWO)
    lines = proposal["text"].splitlines()
    assert lines[3] == "   ⚠ 같은 시간에 「주간회의」가 있어요"
    assert proposal["payload"]["conflicts"] == 1


async def test_a_process_killed_between_two_writes_finishes_once_after_restart(
    app, client, say, fake_calendar
):
    [proposal] = await say(client, TWO)
    action_id = proposal["payload"]["action_id"]
    calendar = app.state.context.calendar
    real_create = calendar.create_event
    calls = []

    async def dies_on_the_second(**kwargs):
        calls.append(kwargs["idempotency_key"])
        if len(calls) == 2:
            raise Killed()
        return await real_create(**kwargs)

    calendar.create_event = dies_on_the_second
    with pytest.raises(BaseException) as killed:
        await say(client, "네")
    assert killed.type is Killed or isinstance(killed.value, BaseExceptionGroup)
    calendar.create_event = real_create
    # The action stayed executing (committed before the writes); the recovery runs it again.
    reply = await _recovered(app, action_id)
    assert reply.text.startswith("✅ 2개 등록했어요")
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    assert sorted(e["title"] for e in fake_calendar.user_events(user_id)) == ["스탠드업", "치과"]
    keys = [c["key"] for c in fake_calendar.create_calls]
    # Item 1 was replayed under its key, never made twice.
    assert keys == [f"pending-action-{action_id}-1"] * 2 + [f"pending-action-{action_id}-2"]
    [action] = await _actions(app)
    assert action.state == ActionState.done


async def test_an_item_the_calendar_refuses_is_said_and_the_others_made(
    app, client, say, fake_calendar
):
    from router_service.clients.exceptions import CalendarRequestFailed

    await say(client, TWO)
    calendar = app.state.context.calendar
    real_create = calendar.create_event

    async def refuses_the_dentist(**kwargs):
        if kwargs["event"]["title"] == "치과":
            raise CalendarRequestFailed("refused")
        return await real_create(**kwargs)

    calendar.create_event = refuses_the_dentist
    [done] = await say(client, "네")
    assert done["text"].splitlines() == [
        "✅ 1개 등록했어요:",
        "• 11월 15일(토) 오전 9:00–10:00 「스탠드업」",
        "⚠️ 「치과」는 등록하지 못했어요. 잠시 후 다시 말씀해 주세요.",
    ]


# --- undo: what the last "네" did, taken back as one ----------------------------------------


async def _user(client) -> str:
    return (await client.get("/api/chat/session")).json()["user_id"]


async def _created_two(client, say) -> dict:
    await say(client, TWO)
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 2개 등록했어요")
    return done


async def test_one_undo_takes_back_every_event_of_one_yes(app, client, say, decide, fake_calendar):
    user_id = await _user(client)
    done = await _created_two(client, say)
    action_id = done["payload"]["action_id"]
    assert done["payload"]["undo"]["decision"] == "undo"
    made = sorted(e["id"] for e in fake_calendar.user_events(user_id))

    response = await decide(client, action_id, "undo")
    pressed, reply = response.json()["messages"]
    assert pressed["text"] == "되돌리기"
    assert reply["text"].splitlines() == [
        "↩️ 되돌렸어요. 일정 2개를 삭제했어요:",
        "• 11월 15일(토) 오전 9:00–10:00 「스탠드업」",
        "• 11월 16일(일) 오후 3:00–4:00 「치과」",
    ]
    assert reply["payload"] == {"kind": "undone", "action_id": action_id}
    assert fake_calendar.user_events(user_id) == []
    assert sorted(fake_calendar.delete_calls) == made
    [action] = await _actions(app)
    assert action.state == ActionState.undone

    again = await decide(client, action_id, "undo")  # a second press says nothing
    assert again.json()["messages"] == []
    [typed] = await say(client, "되돌려줘")
    assert typed["text"] == "이미 되돌렸어요."
    assert len(fake_calendar.delete_calls) == 2


async def test_an_item_already_gone_is_fine(client, say, fake_calendar):
    user_id = await _user(client)
    await _created_two(client, say)
    dentist = next(e for e in fake_calendar.user_events(user_id) if e["title"] == "치과")
    del fake_calendar.events[user_id][dentist["id"]]  # deleted in Google meanwhile
    [reply] = await say(client, "되돌려줘")
    assert reply["text"].splitlines() == [
        "↩️ 되돌렸어요. 일정 1개를 삭제했어요:",
        "• 11월 15일(토) 오전 9:00–10:00 「스탠드업」",
        "「치과」는 이미 캘린더에 없었어요.",
    ]
    assert fake_calendar.user_events(user_id) == []


async def test_every_item_gone_or_one_changed_leaves_the_calendar_alone(
    app, client, say, fake_calendar
):
    user_id = await _user(client)
    await _created_two(client, say)
    standup = next(e for e in fake_calendar.user_events(user_id) if e["title"] == "스탠드업")
    standup["start"], standup["end"] = "2025-11-15T11:00:00+09:00", "2025-11-15T12:00:00+09:00"
    [reply] = await say(client, "되돌려줘")
    assert reply["text"].startswith("그 뒤에 「스탠드업」 일정이 다시 바뀌어서 되돌리지 않았어요.")
    assert len(fake_calendar.user_events(user_id)) == 2 and fake_calendar.delete_calls == []
    fake_calendar.events[user_id].clear()
    [reply] = await say(client, "되돌려줘")
    assert reply["text"] == "「스탠드업」, 「치과」 일정이 이미 캘린더에 없어서 되돌리지 않았어요."
    [action] = await _actions(app)
    assert action.state == ActionState.done


async def test_an_item_that_was_already_there_is_not_taken_back(client, say, fake_calendar):
    user_id = await _user(client)
    await say(client, TWO)
    fake_calendar.add_event(
        user_id, title="치과", start="2025-11-16T15:00:00+09:00", end="2025-11-16T16:00:00+09:00"
    )  # made by hand after the proposal: the calendar answers "duplicate"
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 1개 등록했어요")
    [reply] = await say(client, "되돌려줘")
    assert reply["text"].splitlines()[0] == "↩️ 되돌렸어요. 일정 1개를 삭제했어요:"
    assert [e["title"] for e in fake_calendar.user_events(user_id)] == ["치과"]


async def test_only_the_stalled_items_are_deleted_after_a_crash_each_once(
    app, client, say, decide, fake_calendar
):
    """Killed after the first delete: the recovery round finishes the undo; each item has
    its own key, so the first is replayed, never written twice."""
    user_id = await _user(client)
    done = await _created_two(client, say)
    action_id = done["payload"]["action_id"]
    calendar = app.state.context.calendar
    real_delete = calendar.delete_event
    keys: list[str] = []

    async def dies_after_the_first(**kwargs):
        keys.append(kwargs["idempotency_key"])
        answer = await real_delete(**kwargs)
        if len(keys) == 1:
            raise Killed()
        return answer

    calendar.delete_event = dies_after_the_first
    with pytest.raises(BaseException) as killed:
        await decide(client, action_id, "undo")
    assert killed.type is Killed or isinstance(killed.value, BaseExceptionGroup)
    [action] = await _actions(app)
    assert action.state == ActionState.undoing
    assert len(fake_calendar.user_events(user_id)) == 1
    reply = await _recovered(app, action_id)
    assert reply.text.startswith("↩️ 되돌렸어요. 일정 2개를 삭제했어요")
    assert fake_calendar.user_events(user_id) == []
    key = f"undo-pending-action-{action_id}"
    assert keys == [f"{key}-1", f"{key}-1", f"{key}-2"]
    [action] = await _actions(app)
    assert action.state == ActionState.undone


# --- one item corrected while the proposal waits ("두 번째는 4시로") -------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("두 번째는 4시로", "2. 11월 16일(일) 오후 4:00–5:00 「치과」"),
        ("2번은 4시로 해줘", "2. 11월 16일(일) 오후 4:00–5:00 「치과」"),
        ("치과는 30분 늦게", "2. 11월 16일(일) 오후 3:30–4:30 「치과」"),
        ("2번 장소는 강남역", "   장소: 강남역"),
        ("첫 번째는 모레로", "1. 11월 16일(일) 오전 9:00–10:00 「스탠드업」"),
    ],
)
async def test_one_item_is_corrected_and_the_list_proposed_again(
    app, client, say, fake_calendar, text, line
):
    await say(client, TWO)
    [proposal] = await say(client, text)
    lines = proposal["text"].splitlines()
    assert lines[0] == "일정 2개를 등록할까요?"
    assert line in lines
    assert proposal["payload"]["kind"] == "proposal"
    old, new = await _actions(app)
    assert (old.state, new.state) == (ActionState.superseded, ActionState.proposed)
    await say(client, "네")
    assert len(fake_calendar.create_calls) == 2


async def test_a_corrected_item_is_created_as_corrected(client, say, fake_calendar):
    await say(client, TWO)
    await say(client, "두 번째는 4시로")
    [done] = await say(client, "네")
    assert done["text"].splitlines()[2] == "• 11월 16일(일) 오후 4:00–5:00 「치과」"
    dentist = next(c for c in fake_calendar.create_calls if c["body"]["title"] == "치과")
    assert dentist["body"]["start"] == "2025-11-16T16:00:00+09:00"


async def test_correcting_an_item_that_is_not_there(app, client, say):
    await say(client, TWO)
    [reply] = await say(client, "세 번째는 4시로")
    assert reply["text"].startswith("1번부터 2번 중에서 골라 주세요.")
    assert [a.state for a in await _actions(app)] == [ActionState.proposed]


async def test_a_correction_naming_no_item_asks_which(app, client, say, fake_calendar):
    await say(client, TWO)
    [reply] = await say(client, "아 4시로")
    assert reply["text"] == "몇 번 일정을 바꿀까요? 예: '2번은 4시로'"
    assert reply["payload"]["kind"] == "proposal"  # its buttons again
    assert [a.state for a in await _actions(app)] == [ActionState.proposed]
