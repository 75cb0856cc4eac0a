"""Recurrence lines: any text is either a clear validation error or a series that expands."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from skill_calendar.events import recurrence
from skill_calendar.events.schemas import EventCreate

SEOUL = ZoneInfo("Asia/Seoul")
PARTS = st.sampled_from(
    [
        "FREQ=DAILY",
        "FREQ=WEEKLY",
        "FREQ=MONTHLY",
        "FREQ=YEARLY",
        "FREQ=HOURLY",
        "BYDAY=TU",
        "BYDAY=MO,WE,XX",
        "BYDAY=-1FR",
        "BYMONTHDAY=31",
        "BYMONTHDAY=0",
        "BYMONTH=2",
        "BYSETPOS=-1",
        "INTERVAL=2",
        "INTERVAL=0",
        "COUNT=3",
        "COUNT=999999999",
        "UNTIL=20260630T145959Z",
        "UNTIL=20260630",
        "UNTIL=99991231T235959Z",
        "WKST=SU",
        "X=1",
        "",
    ]
)
LINES = st.one_of(
    st.lists(PARTS, min_size=1, max_size=4).map(lambda parts: "RRULE:" + ";".join(parts)),
    st.sampled_from(
        [
            "EXDATE;TZID=Asia/Seoul:20260428T190000",
            "EXDATE;TZID=Nowhere/City:20260428T190000",
            "EXDATE:20260428T100000Z",
            "EXDATE;VALUE=DATE:20260428",
            "RDATE:20260430T190000",
            "RDATE:garbage",
            "DTSTART:20260421T190000",
        ]
    ),
    st.text(max_size=30),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(lines=st.lists(LINES, min_size=0, max_size=4), all_day=st.booleans())
def test_any_lines_validate_or_are_refused_clearly(lines, all_day):
    times = (
        {"start_date": "2026-04-21", "end_date": "2026-04-22"}
        if all_day
        else {"start": "2026-04-21T19:00:00+09:00", "end": "2026-04-21T20:00:00+09:00"}
    )
    try:
        payload = EventCreate(title="스터디", recurrence=lines, **times)
    except ValidationError as err:
        assert {e["type"] for e in err.errors()} <= {"event.recurrence_invalid", "too_long"}
        return
    first = datetime(2026, 4, 21) if all_day else datetime(2026, 4, 21, 19, tzinfo=SEOUL)
    starts = recurrence.first_instances(payload.recurrence, first, None if all_day else SEOUL)
    assert starts and starts[0] == first


@pytest.mark.parametrize(
    ("lines", "target", "expected"),
    [
        (["RRULE:FREQ=WEEKLY;COUNT=4"], datetime(2026, 5, 5, 19, tzinfo=SEOUL), "COUNT=2"),
        (["RRULE:FREQ=WEEKLY"], datetime(2026, 5, 5, 19, tzinfo=SEOUL), None),
    ],
)
def test_a_split_continues_the_count(lines, target, expected):
    first = datetime(2026, 4, 21, 19, tzinfo=SEOUL)
    continued = recurrence.continued_from(lines, first, target, SEOUL)
    assert (expected in continued[0]) if expected else continued == lines
    [trimmed] = recurrence.trimmed_before(lines, target, all_day=False)
    assert trimmed == "RRULE:FREQ=WEEKLY;UNTIL=20260505T095959Z"
