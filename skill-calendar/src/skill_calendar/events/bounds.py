"""Instants and days every calendar zone can show: a margin of a day inside years 1–9999.

Python's datetime stops at years 1 and 9999, so an instant near either end may have no
form in the calendar's zone (9999-12-31T22:00-12:00 is year 10000 in Seoul). Such input
is refused before anything is claimed or sent to Google.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, TypeVar

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from shared.time import OUT_OF_RANGE_CODE, AwareDatetime
from skill_calendar.events.exceptions import OUT_OF_RANGE_MESSAGE, DatetimeOutOfRange

FIRST_DAY = date(1, 1, 2)
LAST_DAY = date(9999, 12, 30)
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def _out_of_range() -> PydanticCustomError:
    return PydanticCustomError(OUT_OF_RANGE_CODE, OUT_OF_RANGE_MESSAGE)


def _bounded_instant(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError as err:
        raise _out_of_range() from err
    if not EARLIEST <= utc <= LATEST:
        raise _out_of_range()
    return value


def _bounded_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise _out_of_range()
    return value


Moment = TypeVar("Moment", date, datetime)


def shifted(value: Moment, delta: timedelta) -> Moment:
    """``value + delta``, refused (``datetime.out_of_range``) when it leaves the bounds."""
    try:
        moved = value + delta
        if isinstance(moved, datetime):
            return _bounded_instant(moved)
        return _bounded_day(moved)
    except (OverflowError, PydanticCustomError) as err:
        raise DatetimeOutOfRange() from err


CalendarDatetime = Annotated[AwareDatetime, AfterValidator(_bounded_instant)]
"""An aware instant that has a form in every zone (else ``datetime.out_of_range``)."""

CalendarDate = Annotated[date, AfterValidator(_bounded_day)]
"""A day whose midnight has a form in every zone (else ``datetime.out_of_range``)."""
