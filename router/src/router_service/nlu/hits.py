"""What the parser does with the grammar's hits: bare days, negations, ranges, new values."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from router_service.nlu import dates, lexicon
from router_service.nlu.grammar import Hit

RANGE_CONNECTOR = re.compile(r"\s*[~\-]\s*")
FROM_PARTICLES = frozenset({"부터", "에서"})
CHANGE_PARTICLES = frozenset({"로", "으로"})
DATE_KINDS = frozenset({"date", "period"})
TIME_KINDS = frozenset({"time", "meal"})


def drop_negated(norm: str, hits: list[Hit]) -> list[Hit]:
    """``내일 말고 모레``: the value before 말고 is the one the user does not mean."""
    kept: list[Hit] = []
    for hit in hits:
        negated = lexicon.NEGATION.match(norm, hit.end)
        if negated:
            kept.append(replace(hit, kind="negated", end=negated.end()))
        else:
            kept.append(hit)
    return kept


def resolve_day_refs(norm: str, hits: list[Hit], today: date) -> list[Hit]:
    """Turns each bare ``D일`` into a date: the month of the date before it, else the next D."""
    resolved: list[Hit] = []
    previous: date | None = None
    for hit in hits:
        if hit.kind == "dayref":
            day = None
            if previous is not None:
                day = in_month(previous, hit.day_of_month)
                if day is not None and day < previous:
                    following = previous.replace(day=1) + timedelta(days=32)
                    day = in_month(following, hit.day_of_month)
            else:
                day = in_month(today, hit.day_of_month)
                if day is None or day < today:
                    day = in_month(today.replace(day=1) + timedelta(days=32), hit.day_of_month)
            if day is None:
                continue
            hit = replace(hit, kind="date", day=day)
        elif hit.unit == "weekday" and previous is not None and hit.day is not None:
            day = dates.week_start(previous) + timedelta(days=hit.day.weekday())
            if day < previous and not (hit.particle in CHANGE_PARTICLES and day >= today):
                day += timedelta(weeks=1)  # 월요일이랑 수요일: a list goes forward
            hit = replace(hit, day=day)  # 금요일 PT 목요일로: a move may go back in the week
        if (
            hit.unit == "weekday"
            and resolved
            and resolved[-1].kind == "date"
            and resolved[-1].unit != "weekday"
            and not norm[resolved[-1].start : resolved[-1].end].endswith(("요일", "욜"))
            and not resolved[-1].particle
            and not norm[resolved[-1].end : hit.start].strip()
        ):
            # 11월 19일 수요일: the weekday only labels the date before it.
            resolved[-1] = replace(resolved[-1], end=hit.end, particle=hit.particle)
            continue
        if hit.kind in DATE_KINDS and hit.day is not None:
            previous = hit.day
        resolved.append(hit)
    return resolved


def in_month(anchor: date, day_of_month: int) -> date | None:
    try:
        return anchor.replace(day=day_of_month)
    except ValueError:
        return None


def link_ranges(norm: str, hits: list[Hit]) -> list[Hit]:
    """Marks each hit that follows the previous one across a range connector (A~B, A-B)."""
    linked: list[Hit] = []
    for i, hit in enumerate(hits):
        if i and RANGE_CONNECTOR.fullmatch(norm[hits[i - 1].end : hit.start]):
            hit = replace(hit, linked=True)
        linked.append(hit)
    return linked


def range_partner(hits: list[Hit], first: Hit, kinds: frozenset[str]) -> Hit | None:
    """The hit that ends a range starting at ``first`` (A부터 B까지, A~B, A-B), if any."""
    index = hits.index(first)
    for other in hits[index + 1 :]:
        if other.kind in kinds:
            return other if first.particle in FROM_PARTICLES or other.linked else None
        if other.kind not in DATE_KINDS or first.particle not in FROM_PARTICLES:
            return None
    return None


def span_end(hits: list[Hit], first: Hit) -> date | None:
    """Exclusive end of a day range starting at ``first``; None when there is none or it
    would end before it starts (모레~내일 is not a range)."""
    last = range_partner(hits, first, DATE_KINDS)
    if last is None or first.day is None:
        return None
    end = last_day(last) + timedelta(days=1)
    return end if end > first.day else None


def day_between(hits: list[Hit], first: Hit, last: Hit) -> date | None:
    for h in hits:
        if first.end <= h.start < last.start and h.kind in DATE_KINDS:
            return h.day
    return None


def last_day(hit: Hit) -> date:
    assert hit.day is not None
    if hit.kind == "period" and hit.period_end is not None:
        return hit.period_end - timedelta(days=1)
    return hit.day


def change_group(hits: list[Hit]) -> list[Hit]:
    """The date/time hits that name the new value (… 4시로, 21일로), adjacent to each other."""
    marked = [i for i, h in enumerate(hits) if h.particle in CHANGE_PARTICLES]
    if not marked:
        if any(h.kind == "shift" for h in hits):
            return []  # 30분 늦춰줘: every named day/time is the old one
        when = [i for i, h in enumerate(hits) if h.kind in DATE_KINDS | TIME_KINDS]
        if len(when) < 2:
            return []
        marked = [when[-1]]
    last = marked[-1]
    group = [hits[last]]
    for i in range(last - 1, -1, -1):
        h = hits[i]
        # An impossible day beside it (2월 30일 3시로) belongs to the new value too.
        when = h.kind in DATE_KINDS | TIME_KINDS or h.kind == "invalid"
        if when and group[0].start - h.end <= 1 and not h.particle:
            group.insert(0, h)
        else:
            break
    return group


JOINED = "+"  # the particle of a date joined to the next one (화요일이랑 목요일)
DAY_JOIN = re.compile(r"\s*(?:이랑|랑|하고|와|과|,|및|그리고|또는|이나)\s*")


def _two_weekdays(norm: str, first: Hit, second: Hit) -> bool:
    """``화요일 목요일``: two weekdays side by side are two days."""
    return second.unit == "weekday" and norm[first.start : first.end].endswith(("요일", "욜"))


def join_days(norm: str, hits: list[Hit]) -> list[Hit]:
    """Marks a date followed by ``이랑/하고/,`` and another date: each is its own event."""
    joined: list[Hit] = []
    for i, hit in enumerate(hits):
        following = hits[i + 1] if i + 1 < len(hits) else None
        if (
            hit.kind == "date"
            and not hit.particle
            and following is not None
            and following.kind == "date"
            and (
                (
                    DAY_JOIN.fullmatch(norm, hit.end, following.start)
                    and norm[hit.end : following.start].strip()
                )
                or (
                    not norm[hit.end : following.start].strip()
                    and _two_weekdays(norm, hit, following)
                )
            )
        ):
            hit = replace(hit, end=following.start, particle=JOINED)
        joined.append(hit)
    return joined
