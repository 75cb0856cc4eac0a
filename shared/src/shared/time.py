"""Time rules shared by every service: aware datetimes only, offsets on the wire.

A naive datetime is the bug this product exists to avoid, so the pydantic
type below refuses one with the stable error code ``datetime.naive``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, PlainSerializer, model_validator
from pydantic_core import PydanticCustomError

from shared.text import without_lone_surrogates

SEOUL = ZoneInfo("Asia/Seoul")
DEFAULT_ZONE_NAME = "Asia/Seoul"
NAIVE_DATETIME_CODE = "datetime.naive"
RANGE_INVALID_CODE = "datetime.range_invalid"
ZONE_UNKNOWN_CODE = "datetime.zone_unknown"
# The longest IANA name is 32 characters ("America/Argentina/ComodRivadavia"); a longer one
# never reaches the file system (300 characters there raise OSError: name too long).
MAX_ZONE_NAME_CHARS = 64


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(
            NAIVE_DATETIME_CODE,
            "시간대가 없는 날짜·시간입니다. '2025-11-17T15:00:00+09:00'처럼 오프셋을 붙여 주세요.",
        )
    return value


AwareDatetime = Annotated[
    datetime,
    AfterValidator(_require_aware),
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
]
"""A datetime that must carry an offset (naive: ``datetime.naive``); JSON keeps the offset."""


def _require_zone(value: str) -> str:
    zone_or_error(value)
    return value


def zone_or_error(name: str) -> ZoneInfo:
    """Returns the IANA zone ``name`` or raises a pydantic error with a stable code."""
    unknown = PydanticCustomError(
        ZONE_UNKNOWN_CODE,
        "알 수 없는 시간대입니다: {name}",
        {"name": without_lone_surrogates(name[:MAX_ZONE_NAME_CHARS])},
    )
    if not name or len(name) > MAX_ZONE_NAME_CHARS:
        raise unknown
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise unknown from err


TimeZoneName = Annotated[str, AfterValidator(_require_zone)]
"""An IANA time zone name such as ``Asia/Seoul``."""


def now_in(zone: tzinfo = SEOUL) -> datetime:
    """Returns the current instant in ``zone``."""
    return datetime.now(zone)


def isoformat(value: datetime) -> str:
    """Formats an aware datetime as ISO-8601 with its offset, to the second."""
    _require_aware(value)
    return value.isoformat(timespec="seconds")


def parse_aware(text: str) -> datetime:
    """Parses ISO-8601 text and refuses a value without an offset."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"naive datetime: {text!r}")
    return value


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """Returns midnight at the start of ``day`` in ``zone``."""
    return datetime(day.year, day.month, day.day, tzinfo=zone)


class TimeRange(BaseModel):
    """A half-open interval ``[start, end)`` of aware instants."""

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _end_after_start(self) -> TimeRange:
        if self.end <= self.start:
            raise PydanticCustomError(RANGE_INVALID_CODE, "끝 시각이 시작 시각보다 뒤여야 합니다.")
        return self


class DateRange(BaseModel):
    """An all-day span of dates with an exclusive end, as Google Calendar stores it."""

    start: date
    end: date

    @model_validator(mode="before")
    @classmethod
    def _refuse_datetimes(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("start", "end"):
                value = data.get(key)
                if isinstance(value, datetime) or (isinstance(value, str) and "T" in value):
                    raise PydanticCustomError(
                        "date.expected", "종일 일정은 날짜(YYYY-MM-DD)로 주세요."
                    )
        return data

    @model_validator(mode="after")
    def _end_after_start(self) -> DateRange:
        if self.end <= self.start:
            raise PydanticCustomError(
                RANGE_INVALID_CODE, "종일 일정의 끝 날짜는 시작 다음 날 이후여야 합니다(배타적 끝)."
            )
        return self

    @property
    def days(self) -> int:
        """Number of days covered."""
        return (self.end - self.start).days

    @classmethod
    def single_day(cls, day: date) -> DateRange:
        """The all-day range covering exactly ``day``."""
        return cls(start=day, end=day + timedelta(days=1))
