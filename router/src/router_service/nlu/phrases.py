"""Whole phrases taken out before the grammar runs: reminders, a stated place, a scope.

Each ``take_*`` returns what it found and the text without the phrase, so that
the date grammar never sees ``30분 전`` and the title never shows ``장소는``.
"""

from __future__ import annotations

import re

_AMOUNT = r"(?:\d+\s*(?:분|시간|일|주)\s*(?:반\s*)?|하루|이틀|사흘|일주일)"
_JOIN = r"(?:\s*(?:이랑|랑|하고|과|와|,|그리고|및|또)\s*)"
# 30분 전에 알려줘, 1시간 전에 알림, 하루 전 리마인드, 전날 알려줘, 1시간 전이랑 10분 전에 알려줘.
REMINDER = re.compile(
    rf"(?P<when>(?:{_AMOUNT}\s*전(?:에|에도)?|전날(?:에)?|당일\s*아침(?:에)?){_JOIN}?)+"
    r"\s*(?:미리\s*)?(?:꼭\s*)?(?:알려|알림|알람|리마인드|리마인더|푸시|노티)[가-힣]*"
    r"(?:\s+(?:줘|주세요|좀|해|해줘|해\s*줘|해\s*주세요|해주세요|설정|설정해줘|설정해\s*줘|부탁해|"
    r"부탁해요|보내줘|보내\s*줘|맞춰줘|맞춰\s*줘|울려줘|울려\s*줘))*[.!~]*"
)
_ONE = re.compile(
    r"(?P<n>\d+)\s*(?P<u>분|시간|일|주)\s*(?P<half>반)?|(?P<w>하루|이틀|사흘|일주일|전날|당일)"
)
_WORD_MINUTES = {"하루": 1440, "이틀": 2880, "사흘": 4320, "일주일": 10080, "전날": 1440}
_UNIT_MINUTES = {"분": 1, "시간": 60, "일": 1440, "주": 10080}

# 장소는 스타벅스 역삼점이야 / 장소는 을지로 노가리골목입니다.
STATED_PLACE = re.compile(
    r"[,\s]*(?:장소는|장소|위치는)\s*(?::\s*)?(?P<place>[^,.!?\n]+?)\s*"
    r"(?:이야|야|이에요|예요|입니다|이고|고|임|요)?\s*(?=[,.!?\n]|$)[.!~]*"
)

# Which occurrences of a recurring event an update or delete means.
SCOPES = (
    (
        "all",
        re.compile(
            r"(?:매주|매일|매달|매월|매년|반복(?:되는)?|매번)\s*(?:있는|하는|잡힌)?\s*(?:거|것|일정)?\s*"
            r"(?:다|전부|모두|싹)|전부\s*다|(?<![가-힣])(?:전부|모두)(?![가-힣])|반복\s*일정\s*(?:다|전부)?"
        ),
    ),
    (
        "one",
        re.compile(
            r"(?:이번|그날|이날|오늘|내일|이번\s*주|그\s*날|이번\s*한\s*번|이번\s*것|그\s*날짜)만(?![가-힣])"
        ),
    ),
    (
        "following",
        re.compile(
            r"(?:이후로|이후부터|앞으로\s*(?:쭉|계속)?(?!\s*(?:당겨|땡겨|옮겨))|"
            r"(?:다음\s*주|이번\s*주|다음\s*달|이번\s*달|내일|오늘|다음\s*번)\s*부터(?:\s*(?:쭉|계속))?|"
            r"부터\s*(?:쭉|계속))(?![가-힣])"
        ),
    ),
)
# 매주 하는 스터디: the recurring event's description, no part of its title.
RECURRING = re.compile(
    r"(?:매주|매일|매달|매월|매년|평일마다|주말마다|[월화수목금토일]요일마다)\s*"
    r"(?:하는|있는|잡힌|듣는|가는|반복되는)?(?:\s*(?:거|것)(?![가-힣]))?"
)
QUANTIFIER = re.compile(r"(?<![가-힣])(?:다|전부|모두|싹)(?![가-힣])")
_VERBS = r"취소|삭제|지워|지우|없애|빼|바꿔|바꾸|옮겨|옮기|변경|미뤄|미루|당겨|늦춰|수정"
# 다음 주부터, 내일부터: a day the grammar reads (where a split starts).
_FROM_DAY = re.compile(r"(?:다음\s*주|이번\s*주|다음\s*달|이번\s*달|내일|오늘)\s*부터")
_DAY_WORD = (
    r"(?:다다음\s*주|다음\s*주|이번\s*주|지난\s*주|다음\s*달|이번\s*달|모레|글피|"
    r"[월화수목금토일]요일|\d{1,2}\s*일)"
)
# A day named, then the event with 만 right before the change verb: that occurrence only.
_DAY_ONLY = re.compile(
    rf"{_DAY_WORD}(?P<only>만)(?![가-힣])|"
    rf"{_DAY_WORD}[^만]*?[가-힣A-Za-z0-9)](?P<after>만)\s*(?={_VERBS})"
)
# ... 8시로 with no verb: a move said without 바꿔줘.
ELIDED_MOVE = re.compile(
    r"(?:\d{1,2}\s*시(?:\s*(?:반|\d{1,2}\s*분))?|\d{1,2}:\d{2})\s*(?:으로|로)\s*[.!~]*\s*$"
)
# A shift written before the scope words: 1시간 앞으로 is a direction, not 'from now on'.
_AMOUNT_BEFORE = re.compile(r"\d+\s*(?:분|시간|일|주)\s*(?:반\s*)?$")


def _blank(text: str, match: re.Match[str]) -> str:
    return (text[: match.start()] + " " + text[match.end() :]).strip()


def take_reminders(text: str) -> tuple[tuple[int, ...] | None, str]:
    """``30분 전에 알려줘`` → ``(30,)``; returns the minutes and the text without the phrase."""
    match = REMINDER.search(text)
    if match is None:
        return None, text
    minutes: list[int] = []
    for one in _ONE.finditer(match.group()):
        if one["w"]:
            minutes.append(_WORD_MINUTES.get(one["w"], 0))  # 당일 아침: at the start
        else:
            value = int(one["n"]) * _UNIT_MINUTES[one["u"]]
            if one["half"] and one["u"] == "시간":
                value += 30
            minutes.append(value)
    if not minutes:
        return None, text
    return tuple(sorted(set(minutes), reverse=True)), _blank(text, match)


def take_stated_place(text: str) -> tuple[str | None, str]:
    """``…, 장소는 강남역이야`` → ``강남역``; the rest of the message is the event."""
    match = STATED_PLACE.search(text)
    if match is None or match.start() == 0:
        return None, text  # a message that is only 장소는 … is an amendment
    place = match["place"].strip()
    return (place or None), _blank(text, match)


def spell_out_move(text: str) -> str:
    """``영어 스터디 다음 주부터 8시로``: a new time with no verb is a move (``… 바꿔줘``)."""
    if ELIDED_MOVE.search(text):
        return f"{text} 바꿔줘"
    return text


def take_scope(text: str) -> tuple[str | None, str]:
    """``그날만`` → one, ``다음 주부터`` → following, ``매주 있는 거 다`` → all."""
    found: list[str] = []
    for scope, pattern in SCOPES:
        for match in pattern.finditer(text):
            if scope == "following" and _AMOUNT_BEFORE.search(text[: match.start()].rstrip()):
                continue
            found.append(scope)
            if scope == "following" and _FROM_DAY.fullmatch(match.group()):
                break  # 다음 주부터: the day stays for the grammar (which instance splits)
            text = _blank(text, match)
            break
    day_only = _DAY_ONLY.search(text)
    if day_only and "one" not in found:
        # 다음 주 영어 스터디만, 수요일만: that day's occurrence; the day stays in the text.
        found.append("one")
        only = "only" if day_only.group("only") else "after"
        text = text[: day_only.start(only)] + text[day_only.end(only) :]
    described = RECURRING.search(text)
    if described:
        text = _blank(text, described)
        if QUANTIFIER.search(text):
            found.append("all")
            text = QUANTIFIER.sub(" ", text).strip()
    for scope in ("one", "following", "all"):
        if scope in found:
            return scope, text
    return None, text
