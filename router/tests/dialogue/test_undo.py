"""Undo: [되돌리기] and "되돌려줘" take a create, an update or a delete back, once, for ten
minutes; an event changed since is left alone; crashes and double clicks undo once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from router_service.clients.exceptions import CalendarUnavailable
from router_service.dialogue.flows import recover_stalled
from router_service.dialogue.undo_plans import PatchBack, Recreate, undo_plan_of
from router_service.pending.models import ActionState, PendingAction

pytestmark = pytest.mark.db

TEAM_MEETING = "11월 15일 오후 3시 팀 미팅"
NOW = datetime.fromisoformat("2025-11-14T10:00:00+09:00")  # the fixed clock of conftest
EXPIRED = "되돌릴 수 있는 시간(10분)이 지났어요."


class Killed(BaseException):
    """The process died here."""


def _clock(app, at=NOW):
    """A clock the test moves: ``clock[0] += timedelta(...)``."""
    clock = [at]
    app.state.context.clock = lambda: clock[0]
    return clock


async def _user(client) -> str:
    return (await client.get("/api/chat/session")).json()["user_id"]


async def _action(app, action_id: int) -> PendingAction:
    async with app.state.database.sessionmaker() as session:
        return await session.get(PendingAction, action_id)


async def _created(client, say) -> dict:
    """Proposes and approves the team meeting; returns the ✅ reply."""
    await say(client, TEAM_MEETING)
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 등록했어요")
    return done


def _checkup(fake_calendar, user_id, **extra):
    return fake_calendar.add_event(
        user_id,
        title="검진",
        start="2025-11-24T10:00:00+09:00",
        end="2025-11-24T11:30:00+09:00",
        **extra,
    )


async def test_a_create_is_undone_by_its_button_once(app, client, say, decide, fake_calendar):
    user_id = await _user(client)
    done = await _created(client, say)
    action_id = done["payload"]["action_id"]
    undo = done["payload"]["undo"]
    assert (undo["decision"], undo["label"]) == ("undo", "되돌리기")
    assert undo["until"] == (NOW + timedelta(minutes=10)).isoformat()
    [event] = fake_calendar.user_events(user_id)

    response = await decide(client, action_id, "undo")
    assert response.status_code == 200
    pressed, reply = response.json()["messages"]
    assert pressed["text"] == "되돌리기"
    assert reply["text"] == ("↩️ 되돌렸어요. 11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 삭제했어요.")
    assert reply["payload"] == {"kind": "undone", "action_id": action_id}
    assert fake_calendar.user_events(user_id) == []
    assert fake_calendar.delete_calls == [event["id"]]
    assert (await _action(app, action_id)).state == ActionState.undone

    again = await decide(client, action_id, "undo")  # a second click says nothing
    assert again.status_code == 200 and again.json()["messages"] == []
    [typed] = await say(client, "되돌려줘")  # nor is anything else undone
    assert typed["text"] == "이미 되돌렸어요."
    assert fake_calendar.delete_calls == [event["id"]]
    history = (await client.get("/api/chat/messages")).json()["messages"]
    result = next(m for m in history if m["id"] == done["id"])
    assert result["action_state"] == "undone"


@pytest.mark.parametrize("words", ["되돌려줘", "방금 거 취소해줘", "실행 취소"])
async def test_a_create_is_undone_by_words(client, say, fake_calendar, words):
    user_id = await _user(client)
    await _created(client, say)
    [reply] = await say(client, words)
    assert reply["text"].startswith("↩️ 되돌렸어요.")
    assert fake_calendar.user_events(user_id) == []


async def test_an_update_is_patched_back_to_the_values_before_it(app, client, say, fake_calendar):
    user_id = await _user(client)
    event = _checkup(fake_calendar, user_id, location="서울병원")
    await say(client, "11월 24일 검진 4시로 바꿔줘")
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 변경했어요")
    assert done["payload"]["undo"]["decision"] == "undo"
    assert event["start"] == "2025-11-24T16:00:00+09:00"
    plan = undo_plan_of(await _action(app, done["payload"]["action_id"]))
    assert isinstance(plan, PatchBack) and plan.patch() == {
        "start": "2025-11-24T10:00:00+09:00",
        "end": "2025-11-24T11:30:00+09:00",
    }

    [reply] = await say(client, "되돌려줘")
    assert (
        reply["text"]
        == "↩️ 되돌렸어요. 원래대로 돌려놓았어요: 11월 24일(월) 오전 10:00–11:30 「검진」"
    )
    assert (event["start"], event["end"]) == (
        "2025-11-24T10:00:00+09:00",
        "2025-11-24T11:30:00+09:00",
    )
    assert event["location"] == "서울병원"
    assert fake_calendar.patch_calls[-1]["body"] == plan.patch()


async def test_a_delete_is_undone_by_making_the_same_event_again(
    app, client, say, decide, fake_calendar
):
    user_id = await _user(client)
    _checkup(fake_calendar, user_id, location="서울병원", description="공복으로 오세요")
    await say(client, "11월 24일 검진 삭제해줘")
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 삭제했어요")
    assert fake_calendar.user_events(user_id) == []
    plan = undo_plan_of(await _action(app, done["payload"]["action_id"]))
    assert isinstance(plan, Recreate)

    response = await decide(client, done["payload"]["action_id"], "undo")
    reply = response.json()["messages"][-1]
    assert reply["text"] == "↩️ 되돌렸어요. 다시 등록했어요: 11월 24일(월) 오전 10:00–11:30 「검진」"
    assert reply["payload"]["link"]["label"] == "캘린더에서 보기"
    [again] = fake_calendar.user_events(user_id)
    assert {k: again[k] for k in ("title", "start", "end", "location", "description")} == {
        "title": "검진",
        "start": "2025-11-24T10:00:00+09:00",
        "end": "2025-11-24T11:30:00+09:00",
        "location": "서울병원",
        "description": "공복으로 오세요",
    }
    [call] = fake_calendar.create_calls
    assert call["key"] == f"undo-pending-action-{done['payload']['action_id']}"


async def test_an_all_day_delete_comes_back_all_day(client, say, fake_calendar):
    user_id = await _user(client)
    fake_calendar.add_event(user_id, title="휴가", start_date="2025-11-24", end_date="2025-11-26")
    await say(client, "11월 24일 휴가 삭제해줘")
    await say(client, "네")
    [reply] = await say(client, "되돌려줘")
    assert reply["text"].startswith("↩️ 되돌렸어요. 다시 등록했어요: 11월 24일(월)")
    [again] = fake_calendar.user_events(user_id)
    assert (again["start_date"], again["end_date"], again["start"]) == (
        "2025-11-24",
        "2025-11-26",
        None,
    )


async def test_after_ten_minutes_the_button_says_so_and_nothing_changes(
    app, client, say, decide, fake_calendar
):
    clock = _clock(app)
    user_id = await _user(client)
    done = await _created(client, say)
    clock[0] += timedelta(minutes=10)
    response = await decide(client, done["payload"]["action_id"], "undo")
    assert response.status_code == 200
    assert response.json()["messages"][-1]["text"].startswith(EXPIRED)
    [typed] = await say(client, "되돌려줘")
    assert typed["text"].startswith(EXPIRED)
    assert len(fake_calendar.user_events(user_id)) == 1
    assert fake_calendar.delete_calls == []
    assert (await _action(app, done["payload"]["action_id"])).state == ActionState.done


async def test_an_event_changed_since_is_left_alone(app, client, say, decide, fake_calendar):
    user_id = await _user(client)
    done = await _created(client, say)
    [event] = fake_calendar.user_events(user_id)
    event["start"], event["end"] = "2025-11-15T17:00:00+09:00", "2025-11-15T18:00:00+09:00"
    response = await decide(client, done["payload"]["action_id"], "undo")
    assert response.json()["messages"][-1]["text"] == (
        "그 뒤에 「팀 미팅」 일정이 다시 바뀌어서 되돌리지 않았어요. "
        "캘린더에서 지금 일정을 확인해 주세요."
    )
    assert fake_calendar.delete_calls == []
    fake_calendar.events[user_id].clear()  # deleted in Google meanwhile
    [typed] = await say(client, "되돌려줘")
    assert typed["text"] == "「팀 미팅」 일정이 이미 캘린더에 없어서 되돌리지 않았어요."
    assert (await _action(app, done["payload"]["action_id"])).state == ActionState.done


async def test_a_waiting_proposal_is_withdrawn_not_the_last_write(client, say, fake_calendar):
    user_id = await _user(client)
    await _created(client, say)
    await say(client, "11월 16일 오후 2시 치과")
    [reply] = await say(client, "방금 거 취소해줘")
    assert reply["text"] == "취소했어요. 「치과」는 등록하지 않았어요."
    assert len(fake_calendar.user_events(user_id)) == 1  # the team meeting stays


async def test_nothing_to_undo(client, say):
    [reply] = await say(client, "되돌려줘")
    assert reply["text"].startswith("되돌릴 작업이 없어요.")


async def test_only_the_last_write_is_undone_by_words(client, say, fake_calendar):
    user_id = await _user(client)
    await _created(client, say)
    await say(client, "11월 16일 오후 2시 치과")
    await say(client, "네")
    [reply] = await say(client, "되돌려줘")
    assert "「치과」" in reply["text"]
    [left] = fake_calendar.user_events(user_id)
    assert left["title"] == "팀 미팅"
    [again] = await say(client, "되돌려줘")  # a retried message undoes nothing older
    assert again["text"] == "이미 되돌렸어요."
    assert len(fake_calendar.user_events(user_id)) == 1


async def test_a_duplicate_create_offers_no_undo(client, say, fake_calendar):
    user_id = await _user(client)
    await say(client, TEAM_MEETING)
    fake_calendar.add_event(
        user_id, title="팀 미팅", start="2025-11-15T15:00:00+09:00", end="2025-11-15T16:00:00+09:00"
    )
    [reply] = await say(client, "네")
    assert reply["text"].startswith("이미 같은 일정이 있어")
    assert "undo" not in (reply["payload"] or {})
    [typed] = await say(client, "되돌려줘")
    assert typed["text"].startswith("이 작업은 되돌릴 수 없어요.")
    assert len(fake_calendar.user_events(user_id)) == 1


async def test_two_concurrent_undos_write_once(app, client, say, decide, fake_calendar):
    user_id = await _user(client)
    done = await _created(client, say)
    action_id = done["payload"]["action_id"]
    responses = await asyncio.gather(
        decide(client, action_id, "undo"), decide(client, action_id, "undo")
    )
    said = [m["text"] for r in responses for m in r.json()["messages"]]
    assert len([t for t in said if t.startswith("↩️")]) == 1
    assert len(fake_calendar.delete_calls) == 1
    assert fake_calendar.user_events(user_id) == []


async def _kill_after(calendar, name: str) -> None:
    """The process dies right after the calendar carried out ``name``."""
    real = getattr(calendar, name)

    async def write_then_die(**kwargs):
        await real(**kwargs)
        raise Killed()

    setattr(calendar, name, write_then_die)


async def _survive(call) -> None:
    try:
        await call
    except BaseException as err:  # the simulated kill, perhaps wrapped by middleware
        if not _was_killed(err):
            raise


def _was_killed(err: BaseException) -> bool:
    if isinstance(err, Killed):
        return True
    if isinstance(err, BaseExceptionGroup):
        return any(_was_killed(inner) for inner in err.exceptions)
    return isinstance(err.__cause__ or err.__context__, Killed)


async def test_a_crash_after_the_inverse_write_is_recovered_without_writing_twice(
    app, make_app, client, say, decide, fake_calendar
):
    """Killed between the calendar's answer and the commit: the recovery round replays the
    same Idempotency-Key, the event is made once, and the person hears it once."""
    clock = _clock(app)
    user_id = await _user(client)
    _checkup(fake_calendar, user_id, location="서울병원")
    await say(client, "11월 24일 검진 삭제해줘")
    [done] = await say(client, "네")
    action_id = done["payload"]["action_id"]
    await _kill_after(app.state.context.calendar, "create_event")
    await _survive(decide(client, action_id, "undo"))
    assert (await _action(app, action_id)).state == ActionState.undoing  # committed first
    assert len(fake_calendar.user_events(user_id)) == 1  # the write happened

    clock[0] += timedelta(minutes=15)  # past the window: asked in time, finished after
    restarted = await make_app()
    restarted.state.context.clock = lambda: clock[0]
    async with restarted.state.database.sessionmaker() as session:
        [reply] = await recover_stalled(session=session, app=restarted.state.context)
    assert reply.text.startswith("↩️ 되돌렸어요. 다시 등록했어요")
    assert len(fake_calendar.user_events(user_id)) == 1
    keys = [call["key"] for call in fake_calendar.create_calls]
    assert keys == [f"undo-pending-action-{action_id}"] * 2  # the second one replayed
    assert (await _action(app, action_id)).state == ActionState.undone
    async with restarted.state.database.sessionmaker() as session:
        assert await recover_stalled(session=session, app=restarted.state.context) == []


async def test_a_crash_before_the_inverse_write_is_finished_by_the_recovery(
    app, make_app, client, say, decide, fake_calendar
):
    clock = _clock(app)
    user_id = await _user(client)
    done = await _created(client, say)
    action_id = done["payload"]["action_id"]

    async def die(**_):
        raise Killed()

    app.state.context.calendar.delete_event = die
    await _survive(decide(client, action_id, "undo"))
    assert (await _action(app, action_id)).state == ActionState.undoing
    assert len(fake_calendar.user_events(user_id)) == 1
    [again] = await say(client, "되돌려줘")  # meanwhile: nothing twice
    assert again["text"] == "되돌리고 있어요. 잠시만 기다려 주세요."

    clock[0] += timedelta(minutes=3)
    restarted = await make_app()
    restarted.state.context.clock = lambda: clock[0]
    async with restarted.state.database.sessionmaker() as session:
        [reply] = await recover_stalled(session=session, app=restarted.state.context)
    assert reply.text.startswith("↩️ 되돌렸어요.")
    assert fake_calendar.user_events(user_id) == []


async def test_a_calendar_failure_leaves_the_undo_to_try_again(
    app, client, say, decide, fake_calendar
):
    user_id = await _user(client)
    done = await _created(client, say)
    action_id = done["payload"]["action_id"]
    calendar = app.state.context.calendar
    real = calendar.delete_event

    async def unavailable(**_):
        raise CalendarUnavailable()

    calendar.delete_event = unavailable
    response = await decide(client, action_id, "undo")
    assert (
        response.json()["messages"][-1]["text"] == "되돌리지 못했어요. 잠시 후 다시 시도해 주세요."
    )
    assert (await _action(app, action_id)).state == ActionState.done
    calendar.delete_event = real
    response = await decide(client, action_id, "undo")
    assert response.json()["messages"][-1]["text"].startswith("↩️ 되돌렸어요.")
    assert fake_calendar.user_events(user_id) == []


async def test_an_undo_is_not_offered_again(app, client, say, fake_calendar):
    await _created(client, say)
    [reply] = await say(client, "되돌려줘")
    assert "undo" not in reply["payload"]
    async with app.state.database.sessionmaker() as session:
        rows = (await session.scalars(select(PendingAction))).all()
    assert [r.state for r in rows] == [ActionState.undone]


async def test_an_action_from_before_undo_existed_says_it_cannot_be_undone(app, client, say):
    done = await _created(client, say)
    async with app.state.database.sessionmaker() as session:
        await session.execute(
            update(PendingAction)
            .where(PendingAction.id == done["payload"]["action_id"])
            .values(undo_plan=None)
        )
        await session.commit()
    [reply] = await say(client, "되돌려줘")
    assert reply["text"].startswith("이 작업은 되돌릴 수 없어요.")


async def test_an_update_undone_unseen_before_a_timeout_is_finished_by_asking_again(
    app, client, say, fake_calendar
):
    """The patch back reached the calendar but its answer was lost: asked again, the event
    is found as it was before the update, and the same key finishes the undo."""
    user_id = await _user(client)
    event = _checkup(fake_calendar, user_id)
    await say(client, "11월 24일 검진 4시로 바꿔줘")
    await say(client, "네")
    calendar = app.state.context.calendar
    real = calendar.update_event

    async def lost_answer(**kwargs):
        await real(**kwargs)
        raise CalendarUnavailable()

    calendar.update_event = lost_answer
    [failed] = await say(client, "되돌려줘")
    assert failed["text"] == "되돌리지 못했어요. 잠시 후 다시 시도해 주세요."
    assert event["start"] == "2025-11-24T10:00:00+09:00"  # it got through
    calendar.update_event = real
    [reply] = await say(client, "되돌려줘")
    assert reply["text"].startswith("↩️ 되돌렸어요. 원래대로 돌려놓았어요")


async def test_reconnect_is_asked_when_google_access_is_gone(app, client, say, fake_auth):
    user_id = await _user(client)
    await _created(client, say)
    fake_auth.grant_states[user_id] = "needs_reauth"
    [reply] = await say(client, "되돌려줘")
    assert reply["text"].startswith("구글 캘린더 연결이 끊겨 되돌리지 못했어요.")
