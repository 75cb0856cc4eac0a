"""RFC 5545 recurrence lines as Google takes them: validation, expansion, and the split.

A series repeats in the person's zone: its instances keep their wall-clock time across
DST. Only RRULE, RDATE and EXDATE lines (Google's set), DAILY or coarser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import takewhile
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset, rrulestr

LINE_RE = re.compile(r"^(RRULE|RDATE|EXDATE)([;:])(.+)$")
PART_RE = re.compile(r"(?:^|;)(UNTIL|COUNT)=([^;]*)")
FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
MAX_LINES = 20
MAX_LINE_LENGTH = 500
# Conflicts of a new series are looked for among its first instances within this horizon.
CONFLICT_INSTANCES = 12
CONFLICT_HORIZON = timedelta(days=366)


class RecurrenceInvalid(ValueError):
    """The lines cannot be read as a Google recurrence."""


def _times(params: str, value: str, zone: ZoneInfo | None) -> list[datetime]:
    fields = dict(p.split("=", 1) for p in params.split(";") if "=" in p)
    tz = ZoneInfo(fields["TZID"]) if "TZID" in fields else zone
    out = []
    for item in value.split(","):
        item = item.strip()
        if len(item) == 8:
            moment = datetime.combine(datetime.strptime(item, "%Y%m%d").date(), time())
        elif item.endswith("Z"):
            moment = datetime.strptime(item, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            moment = datetime.strptime(item, "%Y%m%dT%H%M%S").replace(tzinfo=tz)
        if zone is None:
            moment = moment.replace(tzinfo=None)
        elif moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        out.append(moment)
    return out


def _with_utc_until(rule: str, zone: ZoneInfo | None) -> str:
    match = re.search(r"UNTIL=([0-9TZ]+)", rule)
    if not match:
        return rule
    raw = match.group(1)
    if zone is not None and not raw.endswith("Z"):
        local = (
            datetime.strptime(raw, "%Y%m%dT%H%M%S")
            if "T" in raw
            else datetime.combine(datetime.strptime(raw, "%Y%m%d").date(), time(23, 59, 59))
        )
        raw = local.replace(tzinfo=zone).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    elif zone is None and raw.endswith("Z"):
        raw = raw[:-1]
    return rule[: match.start(1)] + raw + rule[match.end(1) :]


def rule_set(lines: list[str], first: datetime, zone: ZoneInfo | None) -> rruleset:
    """The instances of ``lines`` from ``first`` (aware in ``zone``; naive for all-day)."""
    if not lines or len(lines) > MAX_LINES:
        raise RecurrenceInvalid("1–20 lines")
    rules = rruleset()
    repeats = False
    try:
        for line in lines:
            match = LINE_RE.match(line.strip()) if len(line) <= MAX_LINE_LENGTH else None
            if match is None:
                raise RecurrenceInvalid(line[:40])
            name, sep, rest = match.groups()
            if name == "RRULE":
                freq = re.search(r"FREQ=([A-Z]+)", rest)
                if sep != ":" or freq is None or freq.group(1) not in FREQUENCIES:
                    raise RecurrenceInvalid("RRULE")
                if "COUNT=" in rest and "UNTIL=" in rest:  # RFC 5545: MUST NOT occur together
                    raise RecurrenceInvalid("COUNT and UNTIL")
                rules.rrule(rrulestr(_with_utc_until(rest, zone), dtstart=first))
                repeats = True
            else:
                params, _, value = rest.partition(":") if sep == ";" else ("", "", rest)
                for moment in _times(params, value, zone):
                    (rules.rdate if name == "RDATE" else rules.exdate)(moment)
                repeats = repeats or name == "RDATE"
    except (ValueError, KeyError, OverflowError) as err:
        raise RecurrenceInvalid(str(err)[:80]) from err
    if not repeats:
        raise RecurrenceInvalid("nothing repeats")
    rules.rdate(first)
    return rules


def first_instances(
    lines: list[str], first: datetime, zone: ZoneInfo | None, since: datetime | None = None
) -> list[datetime]:
    """The series' starts from ``since`` on (up to CONFLICT_INSTANCES within CONFLICT_HORIZON)."""
    since = since or first
    starts: list[datetime] = []
    for start in _safely(rule_set(lines, first, zone)):
        if start < since:
            continue
        if start - since > CONFLICT_HORIZON or len(starts) >= CONFLICT_INSTANCES:
            break
        starts.append(start)
    return starts


def _safely(rules: rruleset) -> Iterator[datetime]:
    """The instances in order, ending where the calendar does (year 9999)."""
    iterator = iter(rules)
    while True:
        try:
            yield next(iterator)
        except (StopIteration, ValueError, OverflowError):
            return


def trimmed_before(lines: list[str], target: datetime, *, all_day: bool) -> list[str]:
    """The lines with every RRULE ending just before ``target`` (UNTIL, no COUNT)."""
    until = (
        (target.date() - timedelta(days=1)).strftime("%Y%m%d")
        if all_day
        else (target.astimezone(UTC) - timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")
    )
    out = []
    for line in lines:
        if line.startswith("RRULE:"):
            body = PART_RE.sub("", line[len("RRULE:") :]).strip(";")
            line = f"RRULE:{body};UNTIL={until}"
        out.append(line)
    return out


def continued_from(
    lines: list[str], first: datetime, target: datetime, zone: ZoneInfo | None
) -> list[str]:
    """The lines for a new series from ``target`` on: a COUNT lowers by the instances before."""
    counted = any("COUNT=" in line for line in lines)
    starts = _safely(rule_set(lines, first, zone)) if counted else iter(())
    before = sum(1 for _ in takewhile(lambda start: start < target, starts))
    out = []
    for line in lines:
        match = re.search(r"COUNT=(\d+)", line) if line.startswith("RRULE:") else None
        if match:
            left = max(int(match.group(1)) - before, 1)
            line = line[: match.start(1)] + str(left) + line[match.end(1) :]
        out.append(line)
    return out


def suffix_start(suffix: str, zone: ZoneInfo) -> datetime | date:
    """The original start an instance id's suffix names (``_YYYYMMDDTHHMMSSZ``/``_YYYYMMDD``)."""
    if "T" in suffix:
        return datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(zone)
    return datetime.strptime(suffix, "%Y%m%d").date()
