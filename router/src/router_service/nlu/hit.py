"""A hit: one date, time or length expression the grammar recognised in a message."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType

WEEKDAYS = "월화수목금토일"
MERIDIEMS = "오전|오후|아침|저녁|밤|새벽|낮|점심|am|pm|AM|PM"
AM_WORDS = frozenset({"오전", "아침", "새벽", "am", "AM"})  # 3pm → "pm"
PM_WORDS = frozenset({"오후", "저녁", "밤", "낮", "점심", "pm", "PM"})

YEAR_WORDS = MappingProxyType({"올해": 0, "금년": 0, "내년": 1, "명년": 1, "후년": 2, "작년": -1})
YEAR_PREFIX = r"(?:(?P<y>\d{4})\s*년\s*|(?P<yw>올해|금년|내년|명년|후년|작년)\s*)?"

# Particles that may follow an expression; kept in the hit so the title never shows them.
PARTICLE = re.compile(
    r"(?:부터|까지|에서|에는|에도|에|엔|으로|로|은|는|도|"
    r"쯤에|쯤|경에|경|께|중에|중|안에|내에|내로|의)?"
)
SPACED_PARTICLE = re.compile(r"\s+(?:부터|까지|안에|내에|내로|중에|중으로)(?![가-힣])")


@dataclass(frozen=True, slots=True)
class Hit:
    """One recognised expression: where it is, what it means, and its trailing particle."""

    kind: str  # date period time meal duration days reltime shift dayref allday invalid
    start: int
    end: int
    particle: str = ""
    day: date | None = None
    period_end: date | None = None  # period: exclusive end date
    unit: str = ""  # period: week, month, weekend
    hour: int = 0
    minute: int = 0
    meridiem: str = ""  # the written marker, or "" for a bare hour
    minutes: int = 0  # duration, reltime
    days: int = 0  # days: length in days
    day_of_month: int = 0  # dayref: a bare D일
    note: str = ""  # what was assumed, for the result's assumptions
    explicit_year: bool = False
    linked: bool = False  # follows the previous hit across a range connector (~, -)


@dataclass(frozen=True, slots=True)
class Context:
    today: date


Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Context], Hit | None]]


def make_hit(kind: str, match: re.Match[str], **values: object) -> Hit:
    return Hit(kind, match.start(), match.end(), **values)  # type: ignore[arg-type]


def with_particle(text: str, hit: Hit) -> Hit:
    spaced = SPACED_PARTICLE.match(text, hit.end)
    if spaced:
        return replace(hit, end=spaced.end(), particle=spaced.group().strip())
    particle = PARTICLE.match(text, hit.end)
    if particle and particle.group():
        return replace(hit, end=particle.end(), particle=particle.group())
    return hit
