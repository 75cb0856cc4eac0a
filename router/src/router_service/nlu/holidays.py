"""Holidays as date words: solar and lunar days, 전날/다음날, and 연휴 spans."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from router_service.nlu import dates
from router_service.nlu.hit import YEAR_PREFIX, YEAR_WORDS, Context, Hit, Rule
from router_service.nlu.hit import make_hit as _hit

HOLIDAY_SHIFT = re.compile(r"전날|다음\s*날|이튿날|당일|연휴")
HANGUL_NEXT = re.compile(r"\s*[가-힣A-Za-z]")
# 어린이날 조카들이랑 동물원: a holiday before the people one goes with only says when.
COMPANION_NEXT = re.compile(r"\s*[가-힣A-Za-z]+(?:이랑|랑|하고|와|과|한테|께|이와)(?![가-힣])")


def _holiday(m: re.Match[str], ctx: Context) -> Hit | None:
    year = None
    if m["y"]:
        year = int(m["y"])
    elif m["yw"]:
        year = ctx.today.year + YEAR_WORDS[m["yw"]]
    if year is not None and not dates.MIN_YEAR <= year <= dates.MAX_YEAR:
        return None
    day = dates.holiday_date(m["h"], ctx.today, year)
    if day is None:
        return None
    if m["span"]:  # 추석 연휴: the day before, the day, the day after
        first = day - timedelta(days=1)
        return _hit("period", m, day=first, period_end=day + timedelta(days=2), unit="holiday")
    if m["shift"] and m["shift"] != "당일":
        day += timedelta(days=-1 if m["shift"] == "전날" else 1)
    return _hit("date", m, day=day, unit="holiday", explicit_year=year is not None)


_HOLIDAY_NAMES = "|".join(
    re.escape(name)
    for name in sorted(
        {*dates.SOLAR_HOLIDAYS, *dates.LUNAR_HOLIDAYS} - {"설", "연말"}, key=len, reverse=True
    )
)

HOLIDAY_RULE: Rule = (
    re.compile(
        YEAR_PREFIX
        + r"(?P<h>"
        + _HOLIDAY_NAMES
        + r"|설(?=\s*(?:연휴|날|당일|전날|다음\s*날))|연말(?!\s*정산))"
        r"(?:\s*(?P<shift>전날|다음\s*날|이튿날|당일)|(?P<span>\s*연휴))?"
    ),
    _holiday,
)


def settle_holidays(text: str, hits: list[Hit]) -> list[Hit]:
    """A holiday name is a date only when no other date is named. Written directly before
    the event's noun (크리스마스 파티) it is the date and stays in the title too; with a
    particle, a shift (전날), or a time after it, it is only the date."""
    others = any(h.kind in ("date", "period") and h.unit != "holiday" for h in hits)
    settled: list[Hit] = []
    for i, hit in enumerate(hits):
        if hit.unit == "holiday":
            if others:
                continue
            following = hits[i + 1] if i + 1 < len(hits) else None
            timed_next = following is not None and not text[hit.end : following.start].strip()
            shifted = HOLIDAY_SHIFT.search(text, hit.start, hit.end) is not None
            if (
                not hit.particle
                and not hit.explicit_year
                and not timed_next
                and not shifted
                and HANGUL_NEXT.match(text, hit.end)
                and not COMPANION_NEXT.match(text, hit.end)
            ):
                hit = replace(hit, start=hit.start, end=hit.start)
        settled.append(hit)
    return settled
