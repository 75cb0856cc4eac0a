"""Recurring events through the dialogue, the real skill-calendar and the Google emulator.

The clock is Friday 2025-11-14 10:00 in Seoul. A weekly series is proposed in Korean and
created once; its occurrences are listed with ↻; a change that names its scope goes
straight to the proposal; one that does not asks [이번만] [이후 전부] [전체], answered by
button or by typing; each outcome is checked in the emulator's calendar.
"""

from datetime import timedelta

import httpx
import pytest

from router_service.dialogue import plans
from router_service.dialogue.flows import recover_stalled
from router_service.main import create_app
from router_service.pending.models import PendingAction
from shared.testing import serve_app

from .calendar_stack import NOW, ConnectedChat

pytestmark = pytest.mark.db


async def test_a_weekly_series_from_proposal_to_removal(
    chat: ConnectedChat, settings, fake_auth, say, decide
):
    client, week_of = chat.client, chat.week_of

    # One series, said in Korean with its first day.
    [proposal] = await say(client, "매주 화요일 저녁 7시 영어 스터디")
    assert proposal["text"].splitlines() == [
        "매주 화요일 오후 7:00–8:00 「영어 스터디」를 등록할까요? (11월 18일부터)",
        "※ 끝 시각이 없어 1시간으로 잡았어요",
    ]
    [created] = await say(client, "네")
    assert created["text"] == (
        "✅ 등록했어요: 매주 화요일 오후 7:00–8:00 「영어 스터디」 (11월 18일부터)"
    )
    [master] = await chat.live_events()
    assert master["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=TU"]
    assert master["summary"] == "영어 스터디"
    assert master["start"]["timeZone"] == "Asia/Seoul"

    # Occurrences are listed, marked as repeating.
    [listing] = await say(client, "다음 주 일정 알려줘")
    assert listing["text"].splitlines()[1] == "• 11월 18일(화) 19:00 영어 스터디 ↻"

    # A scope said: straight to the proposal; one occurrence cancelled.
    [cancel] = await say(client, "다음 주 영어 스터디만 취소해줘")
    assert cancel["payload"]["kind"] == "proposal"
    assert cancel["text"].splitlines() == [
        "11월 18일(화) 오후 7:00–8:00 「영어 스터디」를 삭제할까요?",
        "↻ 매주 화요일 반복 중 11월 18일 하루만 삭제돼요. 다른 날은 그대로예요.",
    ]
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 삭제했어요 (이번만): 11월 18일(화)")
    assert await week_of("2025-11-17") == []
    assert await week_of("2025-11-24") == [("2025-11-25T19:00:00+09:00", "영어 스터디")]

    # From December at 20:00: Google's split, earlier weeks unchanged, no duplicate.
    [split] = await say(client, "영어 스터디 다음 달부터 8시로")
    assert split["text"].splitlines()[1:] == [
        "전: 12월 2일(화) 오후 7:00–8:00",
        "후: 12월 2일(화) 오후 8:00–9:00",
        "↻ 매주 화요일 반복 중 12월 2일부터 이후 전부(끝나는 날 없음)가 바뀌어요. "
        "그 전 일정은 그대로예요.",
    ]
    [moved] = await say(client, "네")
    assert moved["text"].startswith("✅ 변경했어요 (이후 전부)")
    assert await week_of("2025-11-24") == [("2025-11-25T19:00:00+09:00", "영어 스터디")]
    assert await week_of("2025-12-01") == [("2025-12-02T20:00:00+09:00", "영어 스터디")]
    assert await week_of("2025-12-08") == [("2025-12-09T20:00:00+09:00", "영어 스터디")]
    masters = [e for e in await chat.live_events() if e.get("recurrence")]
    assert len(masters) == 2  # the original (now ending) and the new series

    # No scope said: Haru asks at once; the two series of the split are one to the
    # person, so there is no choice between them, and 전체 reaches both.
    [question] = await say(client, "영어 스터디 삭제해줘")
    assert question["payload"]["kind"] == "scope"
    assert [c["label"] for c in question["payload"]["choices"]] == [
        "이번만",
        "이후 전부",
        "전체",
    ]
    assert question["text"].splitlines() == [
        "「영어 스터디」는 매주 화요일 반복 일정이에요. 어느 일정을 삭제할까요?",
        "• 이번만: 11월 25일(화) 하나",
        "• 이후 전부: 11월 25일부터 계속 (나뉜 일정 포함)",
        "• 전체: 반복 일정 전체 (나뉜 일정 포함)",
    ]
    [wait] = await say(client, "네")  # a yes is no answer to which ones
    assert wait["text"] == "[이번만], [이후 전부], [전체] 중에서 골라 주세요."
    # The question waits in the database: a restarted router takes the answer.
    restarted = create_app(
        settings.model_copy(update={"calendar_url": chat.calendar_url}),
        transports={"auth-server": httpx.ASGITransport(app=fake_auth.app)},
    )
    restarted.state.context.clock = lambda: NOW
    async with serve_app(restarted) as again:
        again.cookies.update(client.cookies)
        action_id = question["payload"]["action_id"]
        pressed = await decide(again, action_id, "choose", choice=3)
    await restarted.state.database.dispose()
    assert pressed.status_code == 200, pressed.text
    [said, whole] = pressed.json()["messages"]
    assert said["text"] == "전체"
    assert whole["text"].splitlines() == [
        "반복 일정 「영어 스터디」를 전부 삭제할까요?",
        "↻ 매주 화요일 반복 일정 전체(끝나는 날 없음)가 삭제돼요. "
        "나뉘어 있는 반복 일정(12월 2일부터)도 함께예요.",
    ]
    [gone] = await say(client, "네")
    assert gone["text"].startswith("✅ 삭제했어요 (전체)")
    assert "undo" not in (gone["payload"] or {})  # two series: not undone
    assert await week_of("2025-11-24") == []
    assert await week_of("2025-12-01") == []
    assert [e for e in await chat.live_events() if e.get("recurrence")] == []

    # Nothing is left to remove a second time.
    [again_said] = await say(client, "영어 스터디 전부 지워줘")
    assert "찾지 못했어요" in again_said["text"], again_said["text"]


async def test_series_split_apart_change_and_go_as_one(chat: ConnectedChat, say):
    """After "다음 달부터 8시로" (Google's split: two series), "영어 스터디 9시로" → [전체]
    moves both halves, and "영어 스터디 전부 지워줘" — once the first half is past —
    removes both, the past occurrences too, in one approval."""
    client = chat.client
    await say(client, "매주 화요일 저녁 7시 영어 스터디")
    await say(client, "네")
    [split] = await say(client, "영어 스터디 다음 달부터 8시로")
    assert "이후 전부" in split["text"], split["text"]
    [moved] = await say(client, "네")
    assert moved["text"].startswith("✅ 변경했어요 (이후 전부)"), moved["text"]
    assert await chat.week_of("2025-12-01") == [("2025-12-02T20:00:00+09:00", "영어 스터디")]

    [question] = await say(client, "영어 스터디 9시로")
    assert question["payload"]["kind"] == "scope", question["text"]
    assert question["text"].splitlines()[-1] == "• 전체: 반복 일정 전체 (나뉜 일정 포함)"
    [proposal] = await say(client, "전체")
    assert proposal["text"].splitlines()[-1] == (
        "↻ 매주 화요일 반복 일정 전체(끝나는 날 없음)가 바뀌어요. "
        "나뉘어 있는 반복 일정(12월 2일부터)도 함께예요."
    ), proposal["text"]
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 변경했어요 (전체)"), done["text"]
    assert await chat.week_of("2025-11-17") == [("2025-11-18T21:00:00+09:00", "영어 스터디")]
    assert await chat.week_of("2025-12-08") == [("2025-12-09T21:00:00+09:00", "영어 스터디")]
    masters = [e for e in await chat.live_events() if e.get("recurrence")]
    assert len(masters) == 2  # still two series, both at 21:00

    # In December the first half is past: "전부" still means it.
    chat.router_app.state.context.clock = lambda: NOW + timedelta(days=19)  # 12월 3일(수)
    [remove] = await say(client, "영어 스터디 전부 지워줘")
    assert remove["text"].splitlines() == [
        "반복 일정 「영어 스터디」를 전부 삭제할까요?",
        "↻ 매주 화요일 반복 일정 전체(끝나는 날 없음)가 삭제돼요. "
        "나뉘어 있는 반복 일정(11월 18일부터)도 함께예요.",
    ], remove["text"]
    [gone] = await say(client, "네")
    assert gone["text"].startswith("✅ 삭제했어요 (전체)"), gone["text"]
    assert await chat.week_of("2025-11-17") == []  # the past occurrences went too
    assert await chat.week_of("2025-12-08") == []
    assert [e for e in await chat.live_events() if e.get("recurrence")] == []


async def test_a_run_cut_between_the_halves_finishes_once_on_recovery(
    chat: ConnectedChat, say, stall
):
    """ "전부 지워줘" over a split: the occurrence's own series deleted, then the process
    stops before the other half. The recovery runs the action again: the first delete is
    replayed (its Idempotency-Key), the other half goes, and the person hears it once."""
    client = chat.client
    await say(client, "매주 화요일 저녁 7시 영어 스터디")
    await say(client, "네")
    await say(client, "영어 스터디 다음 달부터 8시로")
    await say(client, "네")
    [proposal] = await say(client, "영어 스터디 전부 지워줘")
    action_id = proposal["payload"]["action_id"]
    context = chat.router_app.state.context
    async with chat.router_app.state.database.sessionmaker() as session:
        action = await session.get(PendingAction, action_id)
        assert action is not None
        plan = plans.plan_of(action)
        assert [part.later for part in plan.series.parts] == [True]
        # What the cut run did before it stopped: the first write, under the action's key.
        await context.calendar.delete_event(
            user_id=chat.user_id,
            event_id=plan.event_id,
            scope="all",
            idempotency_key=action.idempotency_key,
        )
    await stall(chat.router_app, [action_id])
    assert len([e for e in await chat.live_events() if e.get("recurrence")]) == 1

    async with chat.router_app.state.database.sessionmaker() as session:
        replies = await recover_stalled(session=session, app=context)
    assert [r.text.split(":")[0] for r in replies] == ["✅ 삭제했어요 (전체)"]
    assert [e for e in await chat.live_events() if e.get("recurrence")] == []


async def test_an_all_day_series_split_apart_becomes_timed_as_one(chat: ConnectedChat, say):
    """An all-day weekly series split earlier (from December on, another place): "영어 스터디
    오후 3시로" → [전체] makes every part timed at 15:00, not only the occurrence's own."""
    calendar = chat.router_app.state.context.calendar
    created = await calendar.create_event(
        user_id=chat.user_id,
        event={
            "title": "영어 스터디",
            "start_date": "2025-11-18",
            "end_date": "2025-11-19",
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU"],
        },
        idempotency_key="all-day-series",
    )
    december = await calendar.list_events(
        user_id=chat.user_id,
        start=NOW + timedelta(days=17),  # 12월 1일
        end=NOW + timedelta(days=24),
    )
    [first_in_december] = december
    assert first_in_december.recurring_event_id == created.event.id
    await calendar.update_event(
        user_id=chat.user_id,
        event_id=first_in_december.id,
        changes={"location": "도서관"},
        scope="following",
        idempotency_key="split-in-december",
    )
    assert len([e for e in await chat.live_events() if e.get("recurrence")]) == 2

    [question] = await say(chat.client, "영어 스터디 오후 3시로")
    assert question["payload"]["kind"] == "scope", question["text"]
    [proposal] = await say(chat.client, "전체")
    assert "나뉘어 있는 반복 일정" in proposal["text"], proposal["text"]
    [done] = await say(chat.client, "네")
    assert done["text"].startswith("✅ 변경했어요 (전체)"), done["text"]
    assert await chat.week_of("2025-11-17") == [("2025-11-18T15:00:00+09:00", "영어 스터디")]
    assert await chat.week_of("2025-12-08") == [("2025-12-09T15:00:00+09:00", "영어 스터디")]
    masters = [e for e in await chat.live_events() if e.get("recurrence")]
    assert len(masters) == 2 and all("dateTime" in m["start"] for m in masters), masters


async def test_a_change_over_a_split_reads_each_series_once(chat: ConnectedChat, say):
    """ "영어 스터디 9시로" after a split matches both halves: folding them into one and
    finding the split parts read each half's series (its master) once, not once per step."""
    client = chat.client
    await say(client, "매주 화요일 저녁 7시 영어 스터디")
    await say(client, "네")
    await say(client, "영어 스터디 다음 달부터 8시로")
    await say(client, "네")
    calendar = chat.router_app.state.context.calendar
    read = calendar.series_of
    masters: list[str] = []

    async def series_of(**kwargs):
        master = await read(**kwargs)
        masters.append(master.id)
        return master

    calendar.series_of = series_of
    [question] = await say(client, "영어 스터디 9시로")
    assert question["payload"]["kind"] == "scope", question["text"]
    assert len(masters) == 2 and len(set(masters)) == 2, masters
