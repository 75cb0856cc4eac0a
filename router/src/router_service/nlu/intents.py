"""Whole-message intents decided before the grammar: undo, preferences, and what is not
a calendar request at all (the past, wishes, feelings, weather, recommendations)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from router_service.nlu import hangul
from router_service.nlu.clock import clock_of
from router_service.nlu.grammar import Hit, scan
from router_service.nlu.words import DECIDED

UNDO = re.compile(
    r"되돌려|되돌리|되돌릴|원래대로\s*(?:해|돌려|바꿔)|실행\s*취소|언두|undo|"
    r"(?:방금|아까|좀\s*전에?|조금\s*전에?)\s*(?:한|등록한|추가한|만든|잡은|넣은|바꾼|고친|수정한|"
    r"옮긴|지운|삭제한|취소한|한\s*거|했던)?\s*(?:거|것|일정|변경|작업)?\s*"
    r"(?:취소|지워|삭제|없애|되돌|무르|물러|(?:다시\s*)?돌려|없던\s*(?:걸로|것으로|일로))",
    re.I,
)
_AGENDA_EVERY = (
    r"(?:매일|날마다|아침마다|저녁마다|매일\s*아침|매일\s*저녁|매일\s*밤|매朝|출근\s*전에?)"
)
AGENDA_ON = re.compile(
    rf"{_AGENDA_EVERY}.*?(?:오늘|내일|하루|그날)?\s*(?:일정|스케줄|브리핑|요약)\S*\s*"
    r"(?:정리해서\s*|요약해서\s*|모아서\s*)?(?:알려|보내|정리|브리핑|요약|말해|읽어)"
)
AGENDA_OFF = re.compile(
    r"(?:브리핑|일정\s*요약|요약|아침\s*알림|데일리|오늘\s*일정\s*알림|일정\s*알림\s*메시지|아침\s*일정)\S*(?:\s*(?:알림|메시지|메세지)\S*)?\s*"
    r"(?:이제\s*|더\s*이상\s*|앞으로\s*)?(?:그만|보내지\s*마|안\s*보내|꺼|끄|중단|중지|멈춰|해제|필요\s*없|받지\s*않)"
)
DEFAULT_REMINDER = re.compile(
    r"(?:기본\s*알림|항상|모든\s*일정|일정마다|매번|기본으로|기본값|알림\S*\s*기본).*?(?P<n>\d+)\s*(?P<u>분|시간)\s*전"
    r"|(?P<n2>\d+)\s*(?P<u2>분|시간)\s*전(?:에|으로)?\s*(?:항상|매번|기본으로)"
    # "알림 10분 전으로 (바꿔줘)": the message is about the reminder itself, not an event.
    r"|^알림\S*\s*(?P<n3>\d+)\s*(?P<u3>분|시간)\s*전(?:으로|에)"
)
REMINDERS_OFF = re.compile(
    r"알림\S*\s*(?:다|모두|전부|전체)?\s*(?:꺼|끄|없애|해제|필요\s*없|받지\s*않|그만|안\s*받|중지|오프)"
)
PART_OF_DAY_AGENDA = {"아침": "08:00", "저녁": "19:00", "밤": "21:00", "점심": "12:00"}

# Not a calendar request, even with a time word.
NOT_CALENDAR = re.compile(
    r"날씨|기온|미세먼지|비\s*와|눈\s*와|추천해|추천\s*좀|추천\s*해|메뉴\s*(?:추천|뭐|골라)|뭐\s*먹|"
    r"환율|주가|뉴스|로또|복권|번호\s*(?:알려|뭐|좀)|번역해|맛집\s*알려|노래\s*틀어|깨워|정리해\s*줘|요약해\s*줘|써\s*줘|찾아\s*줘"
)
WISH = re.compile(r"싶다|싶어|싶네|싶은데|싶다고|으면\s*좋겠|었으면|했으면|하고파|갔으면")
FEELING = re.compile(
    r"우울|피곤|힘들|힘드|춥다|추워|덥다|더워|쌀쌀|싫다|싫어(?!\s*\?)|싫은데|싫네|졸려|졸리|배고|심심|행복해|행복하|슬퍼|슬프|짜증|설레|신난다|신나|"
    r"정신이\s*(?:하나도\s*)?없|기분\s*(?:이\s*)?(?:좋|나쁘|나빠|최고|별로|꿀꿀|좋아)|바쁘다|바빠(?!\s*\?)|지친다|지쳤|외로|속상|기뻐|기쁘|답답|불안해|걱정돼"
)
# A greeting that names a part of the day is no event: 좋은 아침이에요, 굿모닝, 좋은 밤 되세요.
GREETING = re.compile(
    r"^(?:좋은\s*(?:아침|점심|저녁|밤|하루|주말|오후)|굿\s*(?:모닝|나잇|나이트|이브닝))"
    r"\s*(?:이에요|이야|입니다|예요|요|되세요|보내세요|보내|돼|되시길)?[\s.!~ㅎㅋ^]*$"
)
# 주말 잘 보내, 푹 쉬어, 잘 자: a wish for the other person, not a plan.
WELL_WISH = re.compile(
    r"(?:잘|푹|즐겁게|재밌게|재미있게)\s*(?:보내|쉬|자|다녀와|놀다\s*와)[가-힣]*[\s.!~ㅎㅋ^]*$"
)
# 오늘 야근이다, 내일 시험이다 ㅠㅠ: an exclamation (today's, or sighed), not a plan to keep.
EXCLAIMED = re.compile(r"[가-힣]이다[\s.!~ㅠㅜㅋㅎ]*$")
SIGHED = re.compile(r"[ㅠㅜㅋㅎ]+[\s.!~]*$")
STATED = re.compile(r"있(?:어|음|다|어요|습니다|거든|거든요)[\s.!~ㅎㅋ]*$")
ASKING = re.compile(r"\?|뭐|무슨|몇|언제|어디|있나|있니|있냐")
# The past tense: a syllable closed by ㅆ (했, 잤, 샀, 탔, 썼), but 있 (there is) and 겠 (will).
_PAST_SYLLABLES = "".join(
    s for s in hangul.syllables() if hangul.tail(s) == hangul.SSANG_SIOT and s not in "있겠"
)
PAST_END = re.compile(
    rf"[{_PAST_SYLLABLES}]"
    r"(?:어|다|음|네|지|어요|습니다|는데|거든|더라)?[\s.!~ㅋㅎㅠㅜ]*$"
)


def is_undo(norm: str) -> bool:
    """``되돌려줘``, ``방금 거 취소해줘``, ``실행 취소``, ``아까 등록한 거 지워줘``."""
    return bool(UNDO.search(norm)) and len(norm) <= 40


def preference(norm: str, today: date) -> tuple[tuple[str, Any], ...] | None:
    """What a set_preference message sets, or None when it is no preference."""
    if AGENDA_OFF.search(norm):
        return (("agenda_time", None),)
    if AGENDA_ON.search(norm):
        return (("agenda_time", _agenda_time(norm, today)),)
    match = DEFAULT_REMINDER.search(norm)
    if match:
        n, unit = next((match[f"n{i}"], match[f"u{i}"]) for i in ("", "2", "3") if match[f"n{i}"])
        return (("reminder_minutes", int(n) * (60 if unit == "시간" else 1)),)
    if REMINDERS_OFF.search(norm):
        return (("reminder_minutes", None),)
    return None


def _agenda_time(norm: str, today: date) -> str:
    times = [h for h in scan(norm, today) if h.kind == "time"]
    if times:
        clock = clock_of(times[0])
        return f"{clock.hour % 24:02d}:{clock.minute:02d}"
    for word, value in PART_OF_DAY_AGENDA.items():
        if word in norm:
            return value
    return "08:00"


def states_plan(norm: str, hits: list[Hit], title: str) -> bool:
    """``내일 저녁 7시에 친구랑 약속 있어``: a plan stated with its hour, not a question."""
    return (
        bool(title)
        and bool(STATED.search(norm))
        and not ASKING.search(norm)
        and any(h.kind == "time" for h in hits)
    )


def not_a_request(norm: str, hits: list[Hit], today: date, *, asked: bool) -> bool:
    """The past, a wish, a feeling: said with a time word, still nothing to schedule."""
    if asked:
        return False
    if WISH.search(norm) or FEELING.search(norm) or GREETING.search(norm) or WELL_WISH.search(norm):
        return True
    if DECIDED.search(norm):  # 외식하기로 했어: a plan decided, said in the past tense
        return False
    days = [_last(h) for h in hits if h.kind in ("date", "period") and h.day is not None]
    ahead = any(d > today for d in days)
    if EXCLAIMED.search(norm) and not any(h.kind == "time" for h in hits):
        return bool(SIGHED.search(norm)) or not ahead  # 다음 주 월요일 마감이다: a plan
    return bool(PAST_END.search(norm)) and not ahead


def _last(hit: Hit) -> date:
    assert hit.day is not None
    return hit.period_end - timedelta(days=1) if hit.period_end else hit.day


def not_about_calendar(norm: str, *, calendar_words: bool) -> bool:
    """``내일 날씨 알려줘``, ``저녁 메뉴 추천해줘``: a request about something else."""
    return bool(NOT_CALENDAR.search(norm)) and not calendar_words
