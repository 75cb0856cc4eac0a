"""Short answers and amendments to a waiting proposal: "2번", "장소는 강남역", "30분 늦춰줘".

Pure text reading (no state): the dialogue decides what they change.
"""

from __future__ import annotations

import re

_CHOICE = re.compile(
    r"^\s*(\d{1,2})\s*(?:번(?:째)?|\.)?\s*(?:으로|로)?\s*(?:할게요?|해\s*줘|이?요)?\s*[.!]?\s*$"
)
# "장소는 강남역", "장소 강남역으로 바꿔줘": 으로/로 is cut only before a verb, so that a
# place that ends in 로 (테헤란로) stays whole.
_AMENDMENT_TAIL = (
    r"(?:\s*(?:으로|로)?\s*(?:바꿔|변경해|수정해|해)\s*(?:줘|주세요|줄래)?"
    r"|\s*(?:할게요?|이에요|예요|입니다|요))?\s*[.!]?\s*$"
)
LOCATION_AMENDMENT = re.compile(
    r"^\s*(?:장소|위치)\s*(?:는|은|를|을|가|이)?\s+(?P<value>.+?)" + _AMENDMENT_TAIL
)
TITLE_AMENDMENT = re.compile(
    r"^\s*(?:제목|이름)\s*(?:은|는|을|를|이|가)?\s+(?P<value>.+?)" + _AMENDMENT_TAIL
)
# "30분 늦춰줘", "1시간 앞당겨줘", "한 시간 미뤄 줘": a relative move of an event's time.
_SHIFT = re.compile(
    r"(?P<amount>\d+|한|두|세|네|다섯|반)\s*(?P<unit>분|시간)\s*(?:만|정도|쯤)?\s*"
    r"(?P<way>늦춰|늦게|미뤄|뒤로|연기|앞당겨|당겨|일찍|앞으로)"
)
_KOREAN_COUNTS = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5}
_EARLIER = ("앞당겨", "당겨", "일찍", "앞으로")
_DATE_WORDS = re.compile(r"\d+\s*월|\d+\s*일|\d+/\d+|오늘|내일|모레|글피|요일|주|다음\s*달")


def choice_number(text: str) -> int | None:
    """The number of "2번", "3번으로 할게요", "1." (None for anything else)."""
    match = _CHOICE.match(text)
    return int(match.group(1)) if match else None


def new_location(text: str) -> str | None:
    """The place of "장소는 강남역" / "위치 테헤란로로 바꿔줘", or None."""
    match = LOCATION_AMENDMENT.match(text)
    return match.group("value").strip() if match else None


def new_title(text: str) -> str | None:
    """The title of "제목은 주간 회의로 바꿔줘", or None."""
    match = TITLE_AMENDMENT.match(text)
    return match.group("value").strip() if match else None


def shift_minutes(text: str) -> int | None:
    """Minutes a relative move asks for (negative: earlier), or None."""
    match = _SHIFT.search(text)
    if not match:
        return None
    amount, unit = match.group("amount"), match.group("unit")
    if amount == "반":
        minutes = 30 if unit == "시간" else 0
    else:
        count = int(amount) if amount.isdigit() else _KOREAN_COUNTS[amount]
        minutes = count * 60 if unit == "시간" else count
    if not minutes:
        return None
    return -minutes if match.group("way") in _EARLIER else minutes


def names_a_date(text: str) -> bool:
    """Whether ``text`` names a day ("4시로" names only a time: the event keeps its day)."""
    return _DATE_WORDS.search(text) is not None


def is_answer(text: str) -> bool:
    """A number or an amendment: read by these rules only, never by the LLM fallback."""
    return (
        choice_number(text) is not None
        or new_location(text) is not None
        or new_title(text) is not None
    )
