"""The optional LLM fallback: an OpenAI-compatible chat model asked for the same JSON.

Only used when the rules are unsure (confidence below ``LOW_CONFIDENCE``); the
answer is validated as an ``NluResult`` before use and any failure keeps the
rules' answer. ``openai`` is imported only when a client is built.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

LOW_CONFIDENCE = 0.6

SYSTEM_PROMPT = """\
너는 한국어 일정 비서의 메시지 해석기다. 사용자 메시지 하나를 JSON 객체 하나로만 답한다.
형식: {"intent": "create_event"|"query_events"|"update_event"|"delete_event"|"set_preference"
 |"other",
 "event": {"title", "start", "end", "all_day", "location", "recurrence", "reminder_minutes"}
 또는 null,
 "events": [event, ...] 또는 null,
 "range": {"start", "end", "limit"} 또는 null,
 "target": {"title", "date", "start", "scope"} 또는 null,
 "changes": {"start", "date", "shift_minutes"} 또는 null,
 "needs": ["date"] 또는 null,
 "preference": {"agenda_time"} 또는 {"reminder_minutes"} 또는 null,
 "confidence": 0~1, "assumptions": [가정한 내용, 한국어 문장]}
규칙:
- 시각은 ISO-8601에 오프셋을 반드시 붙인다(예: 2025-11-17T15:00:00+09:00). 사용자의 시간대를 쓴다.
- 시간 없이 날짜만 있으면 종일 일정: all_day true, start/end는 YYYY-MM-DD,
  end는 배타적(다음 날).
- 끝 시각이 없으면 60분. range는 [start, end) 반열린 구간. 끝은 항상 시작보다 뒤다.
- 주는 월요일에 시작한다. 숫자만 있는 시각은 1~6시는 오후, 7~11시는 오전, 12시는 정오.
- 날짜를 정할 수 없으면(다음 주 중에, 날짜 없음) start/end는 null, needs는 ["date"].
  날짜를 지어내지 않는다.
- 반복 일정: recurrence는 ["RRULE:FREQ=WEEKLY;BYDAY=TU"]처럼 RFC 5545 한 줄.
  start는 지금 이후 첫 회차.
  시각이 있는 일정의 UNTIL은 UTC(YYYYMMDDTHHMMSSZ), 종일 일정은 YYYYMMDD.
- 알림: reminder_minutes는 시작 몇 분 전인지의 목록(30분 전에 알려줘 → [30]).
- 한 메시지에 일정이 둘 이상이면 events에 모두, event는 첫 번째.
- target(수정·삭제): title, date(YYYY-MM-DD 또는 null), 시각이 있으면 start,
  반복 일정이면 scope: "one"|"following"|"all".
- changes(수정): 새 시각이면 start, 날짜만 바뀌면 date,
  미루기/당기기는 shift_minutes(분, 당기면 음수).
- 다음 일정 질문은 range.start=지금, end=null, limit=1.
- 지난 일, 바람, 감정, 날씨·추천 같은 일정 밖의 부탁은 "other". 확신이 없으면 "other".
"""


class LlmParser(Protocol):
    """What ``service.parse_with_fallback`` needs from an LLM client."""

    timeout_seconds: float

    async def parse(self, *, text: str, now: datetime, time_zone: str) -> dict[str, Any]:
        """Returns the model's JSON object for ``text`` (not yet validated)."""
        ...


def user_prompt(*, text: str, now: datetime, time_zone: str) -> str:
    """The user turn: the clock, the zone and the message."""
    weekday = "월화수목금토일"[now.weekday()]
    return (
        f"지금: {now.isoformat(timespec='seconds')} ({weekday}요일), 시간대: {time_zone}\n"
        f"메시지: {text}"
    )


class OpenAiNluParser:
    """An ``LlmParser`` over the openai client (OPENAI_API_KEY / OPENAI_BASE_URL from env)."""

    def __init__(self, *, model: str, timeout_seconds: float, client: Any | None = None) -> None:
        if client is None:
            from openai import AsyncOpenAI

            client = AsyncOpenAI(timeout=timeout_seconds, max_retries=0)
        self._client = client
        self.model = model
        self.timeout_seconds = timeout_seconds

    async def parse(self, *, text: str, now: datetime, time_zone: str) -> dict[str, Any]:
        """Asks the model for the result JSON; raises ValueError when it is not a JSON object."""
        response = await self._client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user_prompt(text=text, now=now, time_zone=time_zone)},
            ],
            response_format={"type": "json_object"},
            temperature=0,
            timeout=self.timeout_seconds,
        )
        content = response.choices[0].message.content if response.choices else None
        if not content:
            raise ValueError("empty completion")
        data = json.loads(content)
        if not isinstance(data, dict):
            raise ValueError("completion is not a JSON object")
        return data
