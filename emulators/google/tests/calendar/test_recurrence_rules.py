"""Any recurrence text is Google's 400 or a series that expands (never another exception)."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from google_emulator.calendar import recurrence
from google_emulator.errors import GoogleApiError

PARTS = st.sampled_from(
    [
        "FREQ=DAILY",
        "FREQ=WEEKLY",
        "FREQ=MONTHLY",
        "FREQ=HOURLY",
        "FREQ=NEVER",
        "BYDAY=TU",
        "BYDAY=MO,XX",
        "BYMONTHDAY=31",
        "BYMONTH=13",
        "INTERVAL=0",
        "COUNT=4",
        "COUNT=999999999",
        "UNTIL=20260630T145959Z",
        "UNTIL=20260630",
        "UNTIL=nonsense",
        "",
    ]
)
LINES = st.one_of(
    st.lists(PARTS, min_size=1, max_size=4).map(lambda parts: "RRULE:" + ";".join(parts)),
    st.sampled_from(
        [
            "EXDATE;TZID=Asia/Seoul:20260428T190000",
            "EXDATE;TZID=Nowhere/City:20260428T190000",
            "EXDATE;VALUE=DATE:20260428",
            "RDATE:20260430T190000Z",
            "RDATE:garbage",
            "DTSTART:20260421T190000",
        ]
    ),
    st.text(max_size=30),
    st.integers(),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(lines=st.lists(LINES, max_size=4), all_day=st.booleans())
def test_lines_are_a_400_or_a_series(lines, all_day):
    if all_day:
        times = {"start": {"date": "2026-04-21"}, "end": {"date": "2026-04-22"}}
    else:
        times = {
            "start": {"dateTime": "2026-04-21T19:00:00+09:00", "timeZone": "Asia/Seoul"},
            "end": {"dateTime": "2026-04-21T20:00:00+09:00", "timeZone": "Asia/Seoul"},
        }
    master = {"id": "abcde", "htmlLink": "x?eid=abcde", "recurrence": lines, **times}
    try:
        series = recurrence.parse_series(master, "Asia/Seoul")
    except GoogleApiError as err:
        assert (err.status, err.reason) == (400, "invalid")
        return
    after = datetime(2026, 4, 1, tzinfo=UTC)
    starts = list(series.starts_between(after, datetime(2027, 4, 1, tzinfo=UTC)))
    assert starts, "DTSTART is always an instance"
    for start in starts[:3]:
        instance = recurrence.make_instance(master, series, start)
        assert recurrence.original_start(series, instance["id"].split("_")[1]) == start


def test_a_moment_in_an_all_day_series_is_a_400():
    """Found by the property test: an all-day series with ``RDATE:20260430T190000Z`` made an
    instance at 19:00 that its day-only id could not name back."""
    master = {
        "id": "abcde",
        "htmlLink": "x?eid=abcde",
        "recurrence": ["RRULE:FREQ=WEEKLY", "RDATE:20260430T190000Z"],
        "start": {"date": "2026-04-21"},
        "end": {"date": "2026-04-22"},
    }
    with pytest.raises(GoogleApiError) as refused:
        recurrence.parse_series(master, "Asia/Seoul")
    assert (refused.value.status, refused.value.reason) == (400, "invalid")
