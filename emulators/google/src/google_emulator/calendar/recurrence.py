"""Recurring events as Calendar v3 keeps them: a master with RFC 5545 lines, instances, exceptions.

A timed series is expanded in its own zone (``start.timeZone``), so an instance keeps its
wall-clock time across DST changes; an all-day series on dates. Instance ids are
``<seriesId>_<YYYYMMDDTHHMMSSZ>`` (the original start in UTC) or ``<seriesId>_<YYYYMMDD>``.
A changed or cancelled instance is an exception: an event stored under the instance id with
``recurringEventId`` and ``originalStartTime``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset, rrulestr

from google_emulator.calendar.times import zone
from google_emulator.errors import GoogleApiError

LINE_RE = re.compile(r"^(RRULE|EXRULE|RDATE|EXDATE)([;:])(.*)$", re.IGNORECASE)
UNTIL_RE = re.compile(r"UNTIL=([0-9TZ]+)", re.IGNORECASE)
SUB_DAILY_RE = re.compile(r"FREQ=(HOURLY|MINUTELY|SECONDLY)|BY(HOUR|MINUTE|SECOND)=", re.I)
INSTANCE_ID_RE = re.compile(r"^(?P<series>[a-v0-9]{5,1024})_(?P<when>\d{8}(T\d{6}Z)?)$")
# Expanding a rule without an end stops after this many instances (Google pages forever).
MAX_INSTANCES = 2500


def invalid_rule() -> GoogleApiError:
    """Google's 400 for a recurrence it cannot read."""
    return GoogleApiError(400, "invalid", "Invalid recurrence rule.")


@dataclass(frozen=True)
class Series:
    """A master's rule set, its first start and its instances' duration."""

    rules: rruleset
    first: datetime  # aware in the series' zone (timed) or naive midnight (all-day)
    duration: timedelta
    all_day: bool
    zone_name: str | None

    def starts_between(self, after: datetime | None, before: datetime | None) -> Iterator[datetime]:
        """Original starts in [after, before), in order (at most MAX_INSTANCES)."""
        count = 0
        for start in self._safely():
            if before is not None and self.comparable(start) >= before:
                return
            if after is None or self.comparable(start) >= after:
                yield start
                count += 1
                if count >= MAX_INSTANCES:
                    return

    def _safely(self) -> Iterator[datetime]:
        """The instances in order, ending where datetime does (year 9999)."""
        iterator = iter(self.rules)
        while True:
            try:
                yield next(iterator)
            except (StopIteration, ValueError, OverflowError):
                return

    def comparable(self, start: datetime) -> datetime:
        """An original start as an aware instant (all-day: midnight in the series' zone)."""
        if self.all_day:
            return start.replace(tzinfo=ZoneInfo(self.zone_name or "UTC"))
        return start

    def contains(self, start: datetime) -> bool:
        """Whether ``start`` is one of the series' original starts."""
        try:
            return start in self.rules.between(start, start, inc=True)
        except (ValueError, OverflowError):
            return False


def _value_times(params: str, value: str, series_zone: ZoneInfo | None) -> list[datetime]:
    """The datetimes of an RDATE/EXDATE value list (VALUE=DATE, TZID, UTC or floating)."""
    fields = dict(p.split("=", 1) for p in params.split(";") if "=" in p)
    tz = ZoneInfo(fields["TZID"]) if "TZID" in fields else series_zone
    out = []
    for item in value.split(","):
        item = item.strip()
        if fields.get("VALUE", "").upper() == "DATE" or len(item) == 8:
            moment = datetime.combine(date(int(item[:4]), int(item[4:6]), int(item[6:8])), time())
            out.append(moment.replace(tzinfo=series_zone) if series_zone else moment)
        elif series_zone is None:
            # An all-day series repeats days: a moment in its RDATE/EXDATE is refused, like a
            # sub-daily rule (it would name an instance no all-day id can hold).
            raise ValueError("a date-time in an all-day series")
        elif item.endswith("Z"):
            out.append(datetime.strptime(item, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC))
        else:
            out.append(datetime.strptime(item, "%Y%m%dT%H%M%S").replace(tzinfo=tz))
    return out


def _rule_text(body: str, series_zone: ZoneInfo | None) -> str:
    """A rule with UNTIL in the form dateutil wants (UTC for timed, floating for all-day)."""
    match = UNTIL_RE.search(body)
    if not match:
        return body
    raw = match.group(1).upper()
    if series_zone is not None and not raw.endswith("Z"):
        local = (
            datetime.strptime(raw, "%Y%m%dT%H%M%S")
            if "T" in raw
            else datetime.combine(datetime.strptime(raw, "%Y%m%d").date(), time(23, 59, 59))
        )
        until = local.replace(tzinfo=series_zone).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    elif series_zone is None and raw.endswith("Z"):
        until = raw[:-1]
    else:
        return body
    return body[: match.start(1)] + until + body[match.end(1) :]


def parse_series(event: dict, calendar_zone: str) -> Series:
    """The rule set of a stored or incoming master; Google's 400 when it cannot be read."""
    lines = event.get("recurrence")
    if not isinstance(lines, list) or not lines:
        raise invalid_rule()
    start, end = event["start"], event["end"]
    all_day = "date" in start
    if all_day:
        series_zone = None
        first = datetime.combine(date.fromisoformat(start["date"]), time())
        duration = datetime.combine(date.fromisoformat(end["date"]), time()) - first
        zone_name = start.get("timeZone") or calendar_zone
    else:
        zone_name = start["timeZone"]
        series_zone = zone(zone_name, "start time")
        first = datetime.fromisoformat(start["dateTime"]).astimezone(series_zone)
        duration = datetime.fromisoformat(end["dateTime"]) - first
    rules = rruleset()
    has_rule = False
    try:
        for line in lines:
            match = LINE_RE.match(str(line).strip()) if isinstance(line, str) else None
            if match is None:
                raise invalid_rule()
            name, sep, rest = match.group(1).upper(), match.group(2), match.group(3)
            if name in ("RRULE", "EXRULE"):
                if sep != ":" or ("COUNT=" in rest.upper() and "UNTIL=" in rest.upper()):
                    raise invalid_rule()
                if all_day and SUB_DAILY_RE.search(rest):
                    raise invalid_rule()  # an all-day series repeats on days
                rule = rrulestr(_rule_text(rest, series_zone), dtstart=first)
                (rules.rrule if name == "RRULE" else rules.exrule)(rule)
                has_rule = has_rule or name == "RRULE"
            else:
                params, _, value = rest.partition(":") if sep == ";" else ("", "", rest)
                for moment in _value_times(params, value, series_zone):
                    (rules.rdate if name == "RDATE" else rules.exdate)(moment)
                has_rule = has_rule or name == "RDATE"
    except (ValueError, KeyError, TypeError, OverflowError) as err:
        raise invalid_rule() from err
    if not has_rule:
        raise invalid_rule()
    rules.rdate(first)  # DTSTART is always the first instance, as RFC 5545 says
    return Series(rules, first, duration, all_day, zone_name)


def instance_suffix(series: Series, start: datetime) -> str:
    """The instance-id suffix of an original start."""
    if series.all_day:
        return start.strftime("%Y%m%d")
    return start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def original_start(series: Series, suffix: str) -> datetime | None:
    """The original start an instance-id suffix names, if it is one of the series'."""
    try:
        if series.all_day:
            start = datetime.strptime(suffix, "%Y%m%d")
        else:
            moment = datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            start = moment.astimezone(ZoneInfo(series.zone_name or "UTC"))
    except ValueError:
        return None
    return start if series.contains(start) else None


def split_instance_id(event_id: str) -> tuple[str, str] | None:
    """(series id, suffix) of an instance id, else None."""
    match = INSTANCE_ID_RE.match(event_id)
    return (match.group("series"), match.group("when")) if match else None


def time_of(series: Series, moment: datetime) -> dict:
    """An EventDateTime of an instant (or date) of the series."""
    if series.all_day:
        return {"date": moment.date().isoformat()}
    zone_name = series.zone_name or "UTC"
    return {"dateTime": moment.astimezone(ZoneInfo(zone_name)).isoformat(), "timeZone": zone_name}


INSTANCE_DROPS = ("recurrence", "id")


def make_instance(master: dict, series: Series, start: datetime) -> dict:
    """The (unchanged) instance of ``master`` that originally starts at ``start``."""
    instance = {k: v for k, v in master.items() if k not in INSTANCE_DROPS}
    suffix = instance_suffix(series, start)
    instance["id"] = f"{master['id']}_{suffix}"
    instance["recurringEventId"] = master["id"]
    instance["originalStartTime"] = time_of(series, start)
    instance["start"] = time_of(series, start)
    instance["end"] = time_of(series, start + series.duration)
    instance["htmlLink"] = master["htmlLink"].replace(master["id"], instance["id"])
    return instance
