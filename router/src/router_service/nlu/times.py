"""The grammar of clock times, lengths and parts of the day (rules appended to grammar.RULES)."""

from __future__ import annotations

import re
from types import MappingProxyType

from router_service.nlu.hit import MERIDIEMS, Context, Hit, Rule, with_particle
from router_service.nlu.hit import make_hit as _hit


def _clock(m: re.Match[str], ctx: Context) -> Hit | None:
    hour, minute = int(m["h"]), int(m["mi"])
    if hour > 24 or minute > 59:
        return None
    # 3:00 follows the bare-hour rule; 03:00 and 7–23 are as written.
    bare = len(m["h"]) == 1 and 1 <= hour <= 6
    return _hit("time", m, hour=hour, minute=minute, meridiem=m["mer"] or ("" if bare else "24h"))


def _latin_clock(m: re.Match[str], ctx: Context) -> Hit | None:
    hour, minute = int(m["h"]), int(m["mi"] or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return None
    return _hit("time", m, hour=hour, minute=minute, meridiem=m["mer"].lower()[0] + "m")


def _hour(m: re.Match[str], ctx: Context) -> Hit | None:
    hour = int(m["h"])
    minute = 30 if m["half"] else int(m["mi"] or 0)
    if hour > 24 or minute > 59:
        return None
    return _hit("time", m, hour=hour, minute=minute, meridiem=m["mer"] or "")


def _named_time(m: re.Match[str], ctx: Context) -> Hit:
    if m["w"] == "정오":
        return _hit("time", m, hour=12, minute=0, meridiem="24h")
    note = "자정은 그날 밤 12시로 이해했어요"
    return _hit("time", m, hour=24, minute=0, meridiem="24h", note=note)


def _duration(m: re.Match[str], ctx: Context) -> Hit:
    if m["m2"]:
        return _hit("duration", m, minutes=int(m["m2"]))
    minutes = int(m["h"]) * 60 + (30 if m["half"] else int(m["mi"] or 0))
    return _hit("duration", m, minutes=minutes)


def _relative_time(m: re.Match[str], ctx: Context) -> Hit:
    n = int(m["n"])
    extra = 30 if m["half"] else int(m["mi"] or 0)
    minutes = n * 60 + extra if m["u"] == "시간" else n
    return _hit("reltime", m, minutes=minutes)


TIME_RULES: tuple[Rule, ...] = (
    (
        re.compile(
            r"(?<![\d:])(?P<h>\d{1,2})(?:\s*:\s*(?P<mi>\d{2}))?\s*(?P<mer>[ap]\.?m\.?)(?![a-z])",
            re.I,
        ),
        _latin_clock,
    ),
    (
        re.compile(
            rf"(?:(?P<mer>{MERIDIEMS})\s*)?(?<!\d)(?P<h>\d{{1,2}})\s*:\s*(?P<mi>\d{{2}})(?!\d)"
        ),
        _clock,
    ),
    (
        re.compile(
            r"(?<!\d)(?P<n>\d+)\s*(?P<u>시간|분)\s*(?:(?P<half>반)|(?P<mi>\d{1,2})\s*분)?\s*"
            r"(?:뒤|후|있다가)"
        ),
        _relative_time,
    ),
    (
        re.compile(
            r"(?<!\d)(?:(?P<h>\d+)\s*시간\s*(?:(?P<half>반)|(?P<mi>\d{1,2})\s*분)?|(?P<m2>\d+)\s*분(?=\s*(?:동안|간|짜리)))"
            r"(?:\s*(?:동안|간|짜리))?"
        ),
        _duration,
    ),
    (
        re.compile(
            rf"(?:(?P<mer>{MERIDIEMS})\s*)?(?<!\d)(?P<h>\d{{1,2}})\s*시(?!간)"
            r"(?:\s*(?:(?P<half>반)(?!차|나절)|(?P<mi>\d{1,2})\s*분(?!\s*(?:동안|간|짜리))))?"
            r"(?:\s*정각)?"
        ),
        _hour,
    ),
    (re.compile(r"(?P<w>정오|자정)"), _named_time),
)
# A minutes count left alone after the hour rules took 3시 30분: a length (회의 30분).
LONE_MINUTES_RULE: Rule = (re.compile(r"(?<![\d:])(?P<m2>\d{1,3})\s*분(?![가-힣])"), _duration)

# Parts of the day named without an hour, and the hour assumed for each.
MEAL_RULE = re.compile(
    r"(?<![가-힣])(?P<w>점심|저녁|아침|오전|오후|낮|밤|새벽)"
    r"(?=[에엔은는도중]|\s+[^\d\s]|\s*$|[.,!?~])"
)
MEAL_TIMES = MappingProxyType(
    {"아침": 8, "점심": 12, "저녁": 19, "오전": 9, "오후": 14, "낮": 13, "밤": 21, "새벽": 6}
)
MEAL_NOTES = MappingProxyType(
    {
        "아침": "아침은 오전 8시로 가정했어요",
        "점심": "점심은 낮 12시로 가정했어요",
        "저녁": "저녁은 오후 7시로 가정했어요",
        "오전": "오전은 9시로 가정했어요",
        "오후": "오후는 2시로 가정했어요",
        "낮": "낮은 1시로 가정했어요",
        "밤": "밤은 9시로 가정했어요",
        "새벽": "새벽은 6시로 가정했어요",
    }
)
# A meal word that names the event itself (점심 약속, 저녁 식사, 저녁 먹기) stays in the title.
MEAL_IN_TITLE = re.compile(r"\s*(?:약속|식사|먹)")
# ... and so does one that ends a title's words with no particle (팀 점심, 친구랑 저녁 먹기).
TITLE_BEFORE = re.compile(r"[가-힣A-Za-z0-9]\s*$")
PARTICLE_AFTER = re.compile(r"[에엔은는도중]")


def scan_meals(text: str, hits: list[Hit]) -> list[Hit]:
    """Adds an assumed time for 아침/점심/저녁 when the message names no hour."""
    if any(h.kind in ("time", "reltime") for h in hits):
        return hits
    taken = [False] * len(text)
    for h in hits:
        for i in range(h.start, h.end):
            taken[i] = True
    for match in MEAL_RULE.finditer(text):
        if any(taken[match.start() : match.end()]):
            continue
        word = match["w"]
        keep_in_title = MEAL_IN_TITLE.match(text, match.end()) is not None or (
            _after_title_words(text, match.start(), taken)
            and PARTICLE_AFTER.match(text, match.end()) is None
        )
        end = match.start() if keep_in_title else match.end()
        hit = Hit(
            "meal",
            match.start(),
            end,
            hour=MEAL_TIMES[word],
            meridiem="24h",
            note=MEAL_NOTES[word],
        )
        if not keep_in_title:
            hit = with_particle(text, hit)
        return sorted([*hits, hit], key=lambda h: h.start)
    return hits


def _after_title_words(text: str, at: int, taken: list[bool]) -> bool:
    """Whether a word that is no date or time comes right before position ``at``."""
    before = text[:at].rstrip()
    return bool(TITLE_BEFORE.search(before)) and not taken[len(before) - 1]
