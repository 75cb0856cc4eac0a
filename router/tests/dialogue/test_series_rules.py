"""A series' rule as data (dialogue.series_rules): moved to a new first day, split apart."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from router_service.dialogue.series_rules import continues, first_day_moved, moved, starts_until

SEOUL = ZoneInfo("Asia/Seoul")
TUESDAY = date(2025, 11, 18)
WEEKLY = ["RRULE:FREQ=WEEKLY;BYDAY=TU"]


@pytest.mark.parametrize(
    ("rule", "old", "new", "expected"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", TUESDAY, date(2025, 11, 19), "FREQ=WEEKLY;BYDAY=WE"),
        (
            "FREQ=WEEKLY;BYDAY=TU;COUNT=3",
            TUESDAY,
            date(2025, 11, 20),
            "FREQ=WEEKLY;BYDAY=TH;COUNT=3",
        ),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", date(2025, 11, 17), TUESDAY, "FREQ=WEEKLY;BYDAY=TU,WE,FR"),
        ("FREQ=WEEKLY;BYDAY=MO,WE", date(2025, 11, 17), date(2025, 11, 19), "FREQ=WEEKLY;BYDAY=WE"),
        ("FREQ=WEEKLY", TUESDAY, date(2025, 11, 19), "FREQ=WEEKLY"),  # the first day says it
        ("FREQ=MONTHLY;BYDAY=1MO", date(2025, 12, 1), date(2025, 12, 2), "FREQ=MONTHLY;BYDAY=1TU"),
        ("FREQ=MONTHLY;BYDAY=1MO", date(2025, 12, 1), date(2025, 12, 9), "FREQ=MONTHLY;BYDAY=2TU"),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            date(2025, 11, 28),
            date(2025, 11, 27),
            "FREQ=MONTHLY;BYDAY=-1TH",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=25",
            date(2025, 11, 25),
            date(2025, 11, 26),
            "FREQ=MONTHLY;BYMONTHDAY=26",
        ),
        ("FREQ=DAILY", TUESDAY, date(2025, 11, 19), "FREQ=DAILY"),
        ("FREQ=WEEKLY;BYDAY=TU", TUESDAY, TUESDAY, "FREQ=WEEKLY;BYDAY=TU"),
    ],
)
def test_a_rule_moves_with_its_first_day(rule, old, new, expected):
    assert moved([f"RRULE:{rule}", "EXDATE:20251125"], old=old, new=new) == [
        f"RRULE:{expected}",
        "EXDATE:20251125",
    ]


def test_a_weekday_said_for_a_later_series_lands_in_its_first_week():
    december = date(2025, 12, 2)
    assert first_day_moved(december, date(2025, 11, 19)) == date(2025, 12, 3)
    assert first_day_moved(december, date(2025, 12, 1)) == date(2025, 12, 1)  # its Monday
    assert first_day_moved(TUESDAY, date(2025, 11, 19)) == date(2025, 11, 19)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL)


FIRST = _at(TUESDAY, 19)
# Haru's split at 12월 2일 19:00 (UTC 10:00): UNTIL one second before it.
ENDED = ["RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20251202T095959Z"]


@pytest.mark.parametrize(
    ("later_first", "expected"),
    [
        (_at(date(2025, 12, 2), 20), True),  # "다음 달부터 8시로"
        (_at(date(2025, 12, 3), 19), True),  # "다음 달부터 수요일로"
        (_at(date(2025, 12, 1), 19), True),  # moved a day earlier: still after 11월 25일
        (_at(date(2025, 12, 16), 19), False),  # two weeks later: a new series of its own
        (_at(date(2025, 11, 25), 20), False),  # the day of the earlier's last one
    ],
)
def test_a_series_continues_the_one_split_before_it(later_first, expected):
    assert continues(ENDED, FIRST, later_first, SEOUL) is expected


def test_a_series_without_an_end_or_a_rule_continues_nothing():
    later = _at(date(2025, 12, 2), 20)
    assert not continues(WEEKLY, FIRST, later, SEOUL)
    assert not continues(["RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=2"], FIRST, later, SEOUL)
    assert not continues(["RDATE:20251202T190000"], FIRST, later, SEOUL)


def test_expansion_keeps_the_wall_clock_time_and_stops_where_asked():
    found = starts_until(WEEKLY, FIRST, SEOUL, stop=FIRST + timedelta(weeks=8), limit=100)
    assert len(found) == 8 and {moment.hour for moment in found} == {19}
    assert starts_until(["RRULE:FREQ=NONSENSE"], FIRST, SEOUL, stop=FIRST, limit=5) == []
