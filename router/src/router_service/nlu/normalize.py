"""Text clean-up before the grammar runs: punctuation, spacing, Korean numerals, short forms.

Every rewrite keeps the meaning and only makes the grammar's job smaller:
``세 시 반`` → ``3시 반``, ``삼십 분`` → ``30분``, ``이틀 뒤`` → ``2일 뒤``, ``낼`` → ``내일``.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType

NATIVE_HOURS = MappingProxyType(
    {
        "열한": 11,
        "열두": 12,
        "열": 10,
        "한": 1,
        "두": 2,
        "세": 3,
        "석": 3,
        "네": 4,
        "넉": 4,
        "다섯": 5,
        "여섯": 6,
        "일곱": 7,
        "여덟": 8,
        "아홉": 9,
    }
)
SINO_DIGITS = MappingProxyType(
    {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
)
NATIVE_DAY_COUNTS = MappingProxyType(
    {
        "하루": 1,
        "이틀": 2,
        "사흘": 3,
        "나흘": 4,
        "닷새": 5,
        "엿새": 6,
        "이레": 7,
        "여드레": 8,
        "아흐레": 9,
        "열흘": 10,
    }
)

_PUNCT = str.maketrans({"～": "~", "〜": "~", "∼": "~", "：": ":", "–": "-", "—": "-", "／": "/"})
_SPACES = re.compile(r"[^\S\n]+")  # a line break separates items (one event per line)
_LINES = re.compile(r"\s*\n\s*")
# A native numeral word right before 시 (hour) or 시간/달/주 (counts); not inside a longer word.
_NATIVE = "|".join(sorted(NATIVE_HOURS, key=len, reverse=True))
_NATIVE_HOUR = re.compile(
    rf"(?<![가-힣])({_NATIVE})\s*(?=시(?![작험장설계청즌스리티트나도민공대골식])|달\b|달\s*(?:뒤|후|동안|간)|주\s*(?:뒤|후|동안|간))"
)
_SINO_MINUTES = re.compile(r"(?<![가-힣])([이삼사오]?)십\s*([일이삼사오육칠팔구]?)\s*(?=분)")
_DAY_COUNT = re.compile(
    rf"(?<![가-힣])({'|'.join(NATIVE_DAY_COUNTS)})\s*"
    r"(?=뒤|후|동안|간|있다가|늦|미뤄|미루|연기|앞당|당겨|일찍|빨리|앞으로)"
)
_WEEK_COUNT = re.compile(r"(?<![가-힣])일주일")
_SHORT_FORMS = (
    # 3~5시 → 3시~5시, 26-28일 → 26일-28일: the unit written once for both ends.
    (re.compile(r"(?<![\d:.\-/])(\d{1,2})\s*([~\-])\s*(\d{1,2})\s*(시(?!간)|일)"), r"\1\4\2\3\4"),
    # 월~수 → 월요일~수요일
    (
        re.compile(
            r"(?<![가-힣])([월화수목금토일])(?:요일)?\s*~\s*([월화수목금토일])(?:요일)?(?![가-힣])"
        ),
        r"\1요일~\2요일",
    ),
    # 11월 17일(월) → 11월 17일 월요일: a weekday label the parser folds into the date.
    (re.compile(r"\(\s*([월화수목금토일])(?:요일)?\s*\)"), r" \1요일 "),
    (re.compile(r"(?<![가-힣])낼(?=\s|$|[0-9]|은|도|까지|부터|이나)"), "내일"),
    (re.compile(r"(?<![가-힣])담\s*주"), "다음주"),
    (re.compile(r"(?<![가-힣])담\s*달"), "다음달"),
    (re.compile(r"(?<![가-힣])다음\s*번\s*주"), "다음주"),
    (re.compile(r"(?<![가-힣])이번\s*달"), "이번달"),
    (re.compile(r"(?<![가-힣])이달"), "이번달"),
    (re.compile(r"(?<![가-힣])금월"), "이번달"),
)


def _native_hour(match: re.Match[str]) -> str:
    return str(NATIVE_HOURS[match.group(1)])


def _sino_minutes(match: re.Match[str]) -> str:
    tens = SINO_DIGITS.get(match.group(1), 1) if match.group(1) else 1
    ones = SINO_DIGITS.get(match.group(2), 0) if match.group(2) else 0
    return str(tens * 10 + ones)


def normalize(text: str) -> str:
    """Returns ``text`` with unified punctuation, single spaces and digits for numerals."""
    text = unicodedata.normalize("NFC", text).translate(_PUNCT)
    text = _LINES.sub("\n", _SPACES.sub(" ", text)).strip()
    text = _NATIVE_HOUR.sub(_native_hour, text)
    text = _SINO_MINUTES.sub(_sino_minutes, text)
    text = _DAY_COUNT.sub(lambda m: f"{NATIVE_DAY_COUNTS[m.group(1)]}일 ", text)
    text = _WEEK_COUNT.sub("1주", text)
    for pattern, replacement in _SHORT_FORMS:
        text = pattern.sub(replacement, text)
    return _LINES.sub("\n", _SPACES.sub(" ", text)).strip()
