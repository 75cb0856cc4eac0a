from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import BaseModel, ValidationError

from shared.time import SEOUL, AwareDatetime, DateRange, TimeRange, isoformat, now_in, parse_aware


class Model(BaseModel):
    at: AwareDatetime


def test_aware_datetime_keeps_offset_in_json():
    model = Model(at="2025-11-17T15:00:00+09:00")
    assert model.model_dump_json() == '{"at":"2025-11-17T15:00:00+09:00"}'


def test_utc_is_written_with_an_explicit_offset_not_z():
    model = Model(at="2025-11-17T06:00:00Z")
    assert model.model_dump(mode="json")["at"] == "2025-11-17T06:00:00+00:00"


@pytest.mark.parametrize("value", ["2025-11-17T15:00:00", datetime(2025, 11, 17, 15)])
def test_naive_datetime_is_refused_with_stable_code(value):
    with pytest.raises(ValidationError) as caught:
        Model(at=value)
    assert caught.value.errors()[0]["type"] == "datetime.naive"


def test_time_range_needs_end_after_start():
    start = datetime(2025, 11, 17, 15, tzinfo=SEOUL)
    assert TimeRange(start=start, end=start + timedelta(hours=1)).end > start
    with pytest.raises(ValidationError) as caught:
        TimeRange(start=start, end=start)
    assert caught.value.errors()[0]["type"] == "datetime.range_invalid"


def test_date_range_is_exclusive_and_refuses_datetimes():
    christmas = DateRange.single_day(date(2025, 12, 25))
    assert (christmas.start, christmas.end, christmas.days) == (
        date(2025, 12, 25),
        date(2025, 12, 26),
        1,
    )
    with pytest.raises(ValidationError):
        DateRange(start="2025-12-26", end="2025-12-26")
    with pytest.raises(ValidationError) as caught:
        DateRange(start="2025-12-26T00:00:00", end="2025-12-27")
    assert caught.value.errors()[0]["type"] == "date.expected"


def test_helpers():
    assert now_in(SEOUL).utcoffset() == timedelta(hours=9)
    assert isoformat(datetime(2025, 1, 1, 9, tzinfo=UTC)) == "2025-01-01T09:00:00+00:00"
    assert parse_aware("2025-01-01T09:00:00Z").utcoffset() == timedelta(0)
    with pytest.raises(ValueError):
        parse_aware("2025-01-01T09:00:00")
