"""Every sentence a person reads from the dialogue, in one place.

Pure functions of models to Korean text; the wording of dates, times and particles is in
``formatting``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo

from router_service.clients.auth_server import GrantState
from router_service.clients.calendar import CalendarEvent
from router_service.dialogue import formatting as fmt
from router_service.dialogue import series
from router_service.dialogue.plans import ChangePlan, NewEvent, Target
from router_service.pending.models import ActionKind
from router_service.reminders.messages import will_remind

VERB = {
    ActionKind.create: "등록",
    ActionKind.update: "변경",
    ActionKind.delete: "삭제",
    ActionKind.query: "진행",
    ActionKind.create_many: "등록",
}
DONE_VERB = {
    ActionKind.create: "등록했어요",
    ActionKind.update: "변경했어요",
    ActionKind.delete: "삭제했어요",
    ActionKind.create_many: "등록했어요",
}
BUTTON_REJECT = "취소"
CONNECT_LABEL = "구글 캘린더 연결하기"
OPEN_IN_CALENDAR = "캘린더에서 보기"

HELP_TEXT = (
    "구글 캘린더 일정을 등록·조회·변경·삭제할 수 있어요.\n"
    "예: '내일 오후 3시 팀 미팅', '이번 주 일정 알려줘', '금요일 회의 4시로 옮겨줘'"
)
NOTHING_TO_APPROVE = (
    "지금 확인을 기다리는 요청이 없어요. 등록할 일정을 말씀해 주세요.\n예: '내일 오후 3시 팀 미팅'"
)
NOTHING_TO_REJECT = "취소할 요청이 없어요."
CALENDAR_DOWN = "지금 캘린더에 연결할 수 없어요. 잠시 후 다시 시도해 주세요."
NEED_WHEN = "언제인지 알려 주세요. 예: '내일 오후 3시 팀 미팅'"
NAME_THE_EVENT = "예: '11월 24일 검진 4시로 바꿔줘', '금요일 회의 삭제해줘'"
EXPIRED = "확인 시간이 지나 요청이 만료됐어요. 다시 말씀해 주세요."
EVENT_GONE = "그 일정을 찾을 수 없어요. 이미 삭제되었을 수 있어요."
LOST_PLAN = "요청을 준비하는 중에 문제가 생겼어요. 다시 말씀해 주세요."
COULD_NOT_HANDLE = "지금은 요청을 처리할 수 없어요. 잠시 후 다시 시도해 주세요."


def name_the_event(kind: ActionKind) -> str:
    verb = "바꿀" if kind == ActionKind.update else "삭제할"
    return f"어떤 일정을 {verb}지 알려 주세요. {NAME_THE_EVENT}"


def replaced(title: str | None) -> str:
    """A newer request took the place of one still waiting: nothing vanishes unsaid."""
    if title:
        return f"이전 요청 {fmt.quoted(title)} 대신 새 요청으로 진행할게요."
    return "이전 요청 대신 새 요청으로 진행할게요."


def create_proposal(
    body: NewEvent,
    zone: tzinfo,
    *,
    duplicates: list[CalendarEvent],
    conflicts: list[CalendarEvent],
    assumptions: list[str],
    clashes: Sequence[series.Clash] = (),
) -> str:
    """The proposal of a create; a series' ``clashes`` are told by the day they fall on."""
    data = body.model_dump(mode="json")
    when = fmt.event_when(data, zone)
    if body.recurrence:  # 매주 화요일 오후 7:00–8:00 … (4월 21일부터)
        when = _series_when(data, zone)
    title = body.title
    if duplicates:
        lines = [
            f"{when} {fmt.quoted(title)}",
            f"이미 같은 일정 {fmt.quoted(duplicates[0].title, '이', '가')} 있어요. "
            "그래도 등록할까요?",
        ]
    elif clashes:
        lines = [
            f"{when} {fmt.quoted(title)}",
            f"{series.clash_line(list(clashes))} 그래도 등록할까요?",
        ]
    elif conflicts:
        names = ", ".join(fmt.quoted(e.title) for e in conflicts[:3])
        particle = fmt.josa(conflicts[min(len(conflicts), 3) - 1].title, "이", "가")
        lines = [
            f"{when} {fmt.quoted(title)}",
            f"같은 시간에 {names}{particle} 있어요. 그래도 등록할까요?",
        ]
    else:
        lines = [f"{when} {fmt.quoted(title, '을', '를')} 등록할까요?"]
    if body.recurrence:
        lines[0] += f" ({_series_start(data, zone)})"
    if fmt.place_to_say(title, body.location):
        lines.insert(1, f"장소: {body.location}")
    if body.calendar_reminders:
        why = "종일 일정이라 " if body.lead_moved else ""
        lines.append(why + will_remind(body.calendar_reminders, all_day=body.all_day))
    lines.extend(f"※ {note}" for note in assumptions)
    return "\n".join(lines)


def _series_when(data: dict, zone: tzinfo) -> str:
    all_day = bool(data.get("all_day"))
    return series.series_when(
        recurrence=data["recurrence"],
        start=data["start_date"] if all_day else data["start"],
        end=data["end_date"] if all_day else data["end"],
        all_day=all_day,
        zone=zone,
    )


def _series_start(data: dict, zone: tzinfo) -> str:
    if data.get("all_day"):
        first = fmt.as_date(data["start_date"])
    else:
        first = fmt.as_datetime(data["start"]).astimezone(zone).date()
    return series.words.end_words(data["recurrence"], first=first, zone=zone)


def change_proposal(
    plan: ChangePlan,
    zone: tzinfo,
    *,
    assumptions: list[str],
    duplicates: Sequence[CalendarEvent] = (),
    conflicts: Sequence[CalendarEvent] = (),
) -> str:
    before, after = plan.before, plan.after
    lines = [f"{fmt.quoted(before.title, '을', '를')} 바꿀까요?"]
    if plan.patch.start is not None or plan.patch.start_date is not None:
        lines += [
            f"전: {fmt.event_when(_json(before), zone)}",
            f"후: {fmt.event_when(_json(after), zone)}",
        ]
    if plan.patch.title is not None:
        lines.append(f"제목: {fmt.quoted(before.title)} → {fmt.quoted(after.title)}")
    if plan.patch.location is not None:
        lines.append(f"장소: {before.location or '없음'} → {after.location}")
    lines.extend(_warning(duplicates, conflicts, "바꿀까요"))
    lines.extend(f"※ {note}" for note in assumptions)
    return "\n".join(lines)


def _warning(
    duplicates: Sequence[CalendarEvent], conflicts: Sequence[CalendarEvent], question: str
) -> list[str]:
    """What is already at that time, asked about again (creates and moves alike)."""
    if duplicates:
        title = duplicates[0].title
        return [f"이미 같은 일정 {fmt.quoted(title, '이', '가')} 있어요. 그래도 {question}?"]
    if conflicts:
        names = ", ".join(fmt.quoted(e.title) for e in conflicts[:3])
        particle = fmt.josa(conflicts[min(len(conflicts), 3) - 1].title, "이", "가")
        return [f"같은 시간에 {names}{particle} 있어요. 그래도 {question}?"]
    return []


def delete_proposal(event: CalendarEvent, zone: tzinfo) -> str:
    particle = fmt.josa(event.title, "을", "를")
    return f"{event_line(event, zone)}{particle} 삭제할까요?"


def not_found(target: Target, day: date | None) -> str:
    parts = []
    if day is not None:
        parts.append(f"{day.month}월 {day.day}일에")
    if target.title:
        parts.append(fmt.quoted(target.title))
    elif not parts:
        parts.append("말씀하신")
    return f"{' '.join(parts)} 일정을 찾지 못했어요."


def no_change(event: CalendarEvent) -> str:
    return (
        f"{fmt.quoted(event.title, '을', '를')} 어떻게 바꿀지 알려 주세요. "
        "예: '4시로 바꿔줘', '다음 날로 옮겨줘'"
    )


def choose_prompt(count: int, kind: ActionKind) -> str:
    return f"일정이 {count}개 있어요. 어느 것을 {VERB[kind]}할까요? 번호로 답해 주세요 (예: 1번)."


def choose_in_range(count: int) -> str:
    return f"1번부터 {count}번 중에서 골라 주세요."


def event_line(event: CalendarEvent, zone: tzinfo) -> str:
    """One event; a series says its rule, an occurrence of one ends with ↻."""
    if event.recurrence and not event.recurring_event_id:
        return series.series_line(event, zone)
    return fmt.event_line(_json(event), zone) + _repeat_mark(event)


def _repeat_mark(event: CalendarEvent) -> str:
    return f" {series.REPEAT_MARK}" if event.recurring_event_id else ""


def agenda(events: list[CalendarEvent], start: datetime, end: datetime, zone: tzinfo) -> str:
    """The answer to a question about a range."""
    label = fmt.range_label(start, end, zone)
    if not events:
        return f"{label}에는 일정이 없어요."
    several_days = (end - start) > timedelta(days=1)
    items = [fmt.list_item(_json(e), zone, with_day=several_days) + _repeat_mark(e) for e in events]
    return "\n".join([f"{label} 일정{fmt.zone_note(zone, start)}:", *items])


def next_events(events: list[CalendarEvent], zone: tzinfo) -> str:
    """The answer to '다음 일정 뭐야?': the next events, each with its day."""
    if not events:
        return "앞으로 1년 안에 잡힌 일정이 없어요."
    items = [fmt.list_item(_json(e), zone, with_day=True) + _repeat_mark(e) for e in events]
    return "\n".join(["다음 일정이에요:", *items])


def rejected(kind: ActionKind, title: str | None) -> str:
    if not title:
        return "취소했어요."
    return f"취소했어요. {fmt.quoted(title, '은', '는')} {VERB[kind]}하지 않았어요."


def done(kind: ActionKind, event: CalendarEvent, zone: tzinfo, *, scope: str | None = None) -> str:
    """✅ and the event; a change to occurrences of a series says which (이번만 …)."""
    text = f"✅ {DONE_VERB[kind]}{series.done_label(scope)}: {event_line(event, zone)}"
    if fmt.place_to_say(event.title, event.location) and kind != ActionKind.delete:
        text += f"\n장소: {event.location}"
    return text


def already_there(event: CalendarEvent, zone: tzinfo) -> str:
    """The event appeared after the proposal was shown: nothing new was made."""
    text = f"이미 같은 일정이 있어 새로 만들지 않았어요: {event_line(event, zone)}"
    if fmt.place_to_say(event.title, event.location):
        text += f"\n장소: {event.location}"
    return text


def write_failed(kind: ActionKind) -> str:
    return f"일정을 {VERB[kind]}하지 못했어요. 잠시 후 다시 시도해 주세요."


def connect(kind: ActionKind, title: str | None, grant: GrantState | None) -> str:
    """The connect link's sentence: why, and what happens once connected."""
    if kind == ActionKind.query:
        then = "연결이 끝나면 바로 일정을 알려 드릴게요."
    elif title:
        verb = VERB[kind]
        then = (
            f"연결이 끝나면 {fmt.quoted(title)} {verb}{fmt.josa(verb, '을', '를')} 이어서 할게요."
        )
    else:
        then = "연결이 끝나면 이어서 할게요."
    if grant is not None and grant.state == "missing":
        first = "구글 캘린더 연결이 필요해요. 아래 링크에서 연결해 주세요."
    else:
        reason = f"({grant.reason_text})" if grant is not None and grant.reason_text else ""
        first = f"구글 캘린더 연결을 다시 해 주세요{reason}. 아래 링크에서 연결할 수 있어요."
    return f"{first}\n{then}"


def _json(event: CalendarEvent) -> dict:
    return event.model_dump(mode="json")


def when_unclear(title: str | None, notes: list[str]) -> str:
    """A create whose day or time could not be read (2월 30일, 99시): what, and a question."""
    said = " ".join(f"{note.rstrip('.')}." for note in notes)
    example = f"내일 오후 3시 {title}" if title else "내일 오후 3시"
    what = f"{fmt.quoted(title, '을', '를')} " if title else ""
    return f"{said} {what}언제로 할까요? 예: '{example}'".strip()


def move_unclear(kind: ActionKind, title: str | None, notes: list[str], *, when: bool) -> str:
    """A change naming a day or time that does not exist (치과 2월 30일로 옮겨줘): what, and
    a question; ``when``: the new time was impossible (else the event's own day)."""
    said = " ".join(f"{note.rstrip('.')}." for note in notes)
    if when:
        what = f"{fmt.quoted(title, '을', '를')} " if title else ""
        example = f"{title} 내일 오후 3시로 옮겨줘" if title else "내일 오후 3시로 옮겨줘"
        return f"{said} {what}언제로 옮길까요? 예: '{example}'".strip()
    what = f"{fmt.quoted(title, '을', '를')}" if title else "일정을"
    if kind == ActionKind.delete:
        example = f"내일 {title or '회의'} 삭제해줘"
        return f"{said} 어느 날의 {what} 삭제할까요? 예: '{example}'"
    return f"{said} 어느 날의 {what} 바꿀까요? 예: '내일 {title or '회의'} 4시로 옮겨줘'"


def still_waiting(kind: ActionKind, title: str | None, *, choosing: bool, connecting: bool) -> str:
    """A message not understood while something waits: what waits, and how to answer it."""
    verb = VERB[kind]
    what = f"{fmt.quoted(title)} {verb}" if title else f"요청하신 {verb}"
    stop = "그만두려면 '아니요'라고 답해 주세요."
    if connecting:
        return f"구글 캘린더 연결을 기다리고 있어요. 연결하면 이어서 할게요. {stop}"
    if choosing:
        return f"{what}할 일정을 아직 기다리고 있어요. 번호로 골라 주세요 (예: 1번). {stop}"
    lines = [f"{what}{fmt.josa(verb, '을', '를')} 아직 기다리고 있어요. {verb}하려면 '네', {stop}"]
    if kind in (ActionKind.create, ActionKind.update):
        lines.append("바꾸려면 이렇게 말씀해 주세요: '4시로', '내일 말고 모레', '장소는 강남역'")
    return "\n".join(lines)
