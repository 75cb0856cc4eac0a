"""What people read about their reminder preferences."""

from __future__ import annotations

from router_service.reminders.messages import lead

NOT_UNDERSTOOD = (
    '어떤 알림을 원하시는지 잘 모르겠어요. 예: "일정 10분 전에 항상 알려줘", '
    '"매일 아침 8시에 일정 알려줘"'
)


def reminder_default(minutes: int | None, *, was: int | None) -> str:
    """The answer to "일정 10분 전에 항상 알려줘" / "알림 꺼줘"."""
    if minutes is None:
        if was is None:
            return (
                "기본 알림은 이미 꺼져 있어요. "
                '메시지에 "30분 전에 알려줘"라고 쓰면 그 일정만 알려드려요.'
            )
        return "기본 알림을 껐어요. 메시지에서 따로 부탁하신 알림은 그대로 보내드려요."
    when = f"{lead(minutes)} 전에" if minutes else "시작할 때"
    return f'앞으로 일정마다 {when} 알려드릴게요. (끄려면 "알림 꺼줘")'


def summary(reminder_minutes: int | None, agenda_time: str | None) -> dict[str, str]:
    """The account page's two lines."""
    if reminder_minutes is None:
        reminder = "꺼짐"
    elif reminder_minutes:
        reminder = f"일정마다 {lead(reminder_minutes)} 전"
    else:
        reminder = "일정이 시작할 때"
    return {"reminder": reminder, "agenda": f"매일 {agenda_time}" if agenda_time else "꺼짐"}
