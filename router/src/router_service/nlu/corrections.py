"""Amendments: a change to the proposal waiting for an answer (``아 4시로``, ``장소는 강남역``,
``내일 말고 모레``, ``30분 늦게``, ``2시간으로 해줘``, ``응 근데 …``). It names no event."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from router_service.nlu import hangul
from router_service.nlu import hits as hits_
from router_service.nlu.clock import at, clock_of
from router_service.nlu.grammar import Hit, scan
from router_service.nlu.hits import DATE_KINDS, TIME_KINDS
from router_service.nlu.result import Changes, Parse

AGREE = re.compile(
    r"^(?:네|넵|넹|예|응|웅|어|그래|좋아|좋아요|ㅇㅇ|ㅇㅋ|오케이|콜|알겠어)(?![가-힣])\s*[,.!~]*\s*"
)
DISAGREE = re.compile(
    r"^(?:아니|아니야|아니요|아뇨|아냐|아|앗|헐|음|어라|잠깐)(?![가-힣])\s*[,.!~]*\s*"
)
LINK = re.compile(
    r"^(?:(?:근데|그런데|그럼|대신|그냥|아니|그리고|미안|미안해|죄송해요|죄송|아참|참)\s+)+"
)
# 시간은 4시로, 날짜를 내일로: the slot named before the new value.
SLOT_WORD = re.compile(r"^(?:시간은|시간을|시간|날짜는|날짜를|날짜|시각은|시각을|요일은)\s*")
REQUEST_END = (
    r"\s*(?:(?:해|바꿔|변경해|수정해|고쳐)\s*(?:줘|주세요|줄래|요)?|해요|할게|할래|하자|변경|"
    r"부탁해|부탁해요|줘|주세요)?\s*[.!~]*$"
)
COPULA = r"(?:\s*(?:이야|야|이에요|예요|입니다))?"
SOFT_END = (
    r"\s*(?:이야|야|이에요|예요|입니다|이요|요)?"
    r"\s*(?:해|해줘|해\s*줘|해\s*주세요|해주세요|해요|할게|할래|하자|부탁해|부탁해요)?\s*[.!~]*$"
)
# 장소는 강남역, 위치 본사 3층 회의실로 변경해 주세요: the slot's name, then its new value.
PLACE = re.compile(r"^(?:장소|위치)(?:는|를|은|을|\s)\s*(?P<v>.+?)" + COPULA + REQUEST_END)
TITLE = re.compile(r"^(?:제목|이름)(?:은|을|는|를|\s)\s*(?P<v>.+?)" + REQUEST_END)
# 위치 확인해줘, 장소 어디야: a question about the slot, not a new value.
NOT_A_VALUE = re.compile(r"확인|알려|어디|뭐|무엇|어떻게|\?")
# 30분, 1시간 반, 한 시간, 반시간: Korean counts too.
_SHIFT = r"^(?P<n>\d+|한|두|세|네|다섯|반)\s*(?P<u>분|시간)\s*(?P<half>반)?\s*(?:만|정도|쯤)?\s*"
COUNTS = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5}
SHIFT = re.compile(_SHIFT + r"(?P<dir>늦게|뒤로|일찍|빨리|앞으로)(?:으로|로)?" + SOFT_END)
# After 네/아니 even an update verb changes the proposal: 응 근데 30분만 늦춰줘.
LED_SHIFT = re.compile(
    _SHIFT + r"(?:늦게|뒤로|일찍|빨리|앞으로)?\s*(?P<dir>늦춰|미뤄|당겨|앞당겨|땡겨)[가-힣]*"
    r"(?:\s*(?:줘|주세요|줄래))?\s*[.!~]*$"
)
LENGTH = re.compile(
    r"^(?:(?P<h>\d+)\s*시간\s*(?P<half>반)?\s*(?:(?P<mi>\d+)\s*분)?|(?P<m>\d+)\s*분)\s*"
    r"(?:으로|로|동안으로|짜리로)" + SOFT_END
)
# An update verb (4시로 바꿔줘) makes an update of the last event, not an amendment.
WHEN_END = re.compile(r"^(?:말고\s*)?" + SOFT_END)
EARLIER = frozenset({"일찍", "빨리", "앞으로", "당겨", "앞당겨", "땡겨"})


def _without_ro(value: str) -> str:
    value = value.strip()
    # 로 is a particle after a vowel or ㄹ (홍대로), never after another final (종로).
    if value.endswith("으로") and len(value) > 2:
        return value[:-2]
    if value.endswith("로") and len(value) > 1 and hangul.tail(value[-2]) in (0, hangul.RIEUL):
        return value[:-1]
    return value


def amend(norm: str, now: datetime, zone: ZoneInfo) -> Parse | None:
    """The amendment ``norm`` asks for, or None when it is something else."""
    agree = AGREE.match(norm)
    body = norm[agree.end() :] if agree else norm
    lead = DISAGREE.match(body)
    if lead:
        body = body[lead.end() :]
    body = LINK.sub("", body).strip()
    if not body:
        return None
    body = SLOT_WORD.sub("", body)
    led = bool(agree or lead)
    changes = _phrase(body, led=led) or _when(body, now, zone, led=led)
    if changes is None:
        return None
    return Parse(intent="amend", changes=changes, approve=bool(agree), confidence=0.85)


def _phrase(body: str, *, led: bool) -> Changes | None:
    if (match := PLACE.match(body)) and not NOT_A_VALUE.search(match["v"]):
        return Changes(location=_without_ro(match["v"]))
    if (match := TITLE.match(body)) and not NOT_A_VALUE.search(match["v"]):
        return Changes(title=_without_ro(match["v"]))
    if match := SHIFT.match(body) or (LED_SHIFT.match(body) if led else None):
        minutes = _amount(match["n"], match["u"]) + (30 if match["half"] else 0)
        if not minutes:
            return None
        return Changes(shift_minutes=-minutes if match["dir"] in EARLIER else minutes)
    if match := LENGTH.match(body):
        if match["m"]:
            minutes = int(match["m"])
        else:
            minutes = int(match["h"]) * 60 + (30 if match["half"] else int(match["mi"] or 0))
        return Changes(duration_minutes=minutes) if minutes > 0 else None
    return None


def _amount(count: str, unit: str) -> int:
    """Minutes of ``30분``, ``2시간``, ``한 시간``, ``반시간``."""
    if count == "반":
        return 30 if unit == "시간" else 0
    number = int(count) if count.isdigit() else COUNTS[count]
    return number * 60 if unit == "시간" else number


def _when(body: str, now: datetime, zone: ZoneInfo, *, led: bool) -> Changes | None:
    """``4시로``, ``목요일 오후 2시로``, ``내일 말고 모레``: day and time words only."""
    hits = hits_.drop_negated(body, scan(body, now.date()))
    hits = hits_.resolve_day_refs(body, hits, now.date())
    if not hits or any(h.kind not in DATE_KINDS | TIME_KINDS | {"negated"} for h in hits):
        return None
    negated = any(h.kind == "negated" for h in hits)
    kept: list[Hit] = [h for h in hits if h.kind != "negated"]
    if not kept:
        return None
    last = max(h.end for h in hits)
    if not WHEN_END.match(body[last:]) or _gaps(body, hits):
        return None
    if not (led or negated or kept[-1].particle in hits_.CHANGE_PARTICLES):
        return None  # 내일 3시 alone is a new request, not a correction
    days = [h for h in kept if h.kind == "date" and h.day is not None]
    times = [h for h in kept if h.kind in TIME_KINDS]
    if times:
        clock = clock_of(times[0])
        if days:
            return Changes(start=at(days[0].day, clock, zone))  # type: ignore[arg-type]
        return Changes(time=f"{clock.hour % 24:02d}:{clock.minute:02d}")
    if days:
        return Changes(date=days[0].day)
    return None


def _gaps(body: str, hits: list[Hit]) -> bool:
    """Whether words other than the hits (and spaces) are left between them."""
    position = 0
    for hit in sorted(hits, key=lambda h: h.start):
        if body[position : hit.start].strip():
            return True
        position = hit.end
    return False
