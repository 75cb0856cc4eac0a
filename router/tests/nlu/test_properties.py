"""Property-based checks: generated dates, weekdays, hours and phrasings agree with calendar
arithmetic, and every result keeps the time rules (offsets, end after start, exclusive ends)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from router_service.nlu.parser import parse
from router_service.nlu.service import parse_message

SEOUL = ZoneInfo("Asia/Seoul")
WEEKDAYS = "월화수목금토일"
TITLES = st.sampled_from(["팀 미팅", "치과", "코드 리뷰", "스터디", "동창회", "건강검진", "면접"])
ZONES = st.sampled_from(["Asia/Seoul", "America/New_York", "Europe/Berlin", "Australia/Sydney"])
NATIVE = ["한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열", "열한", "열두"]

nows = st.builds(
    lambda d, h, m: datetime.combine(d, time(h, m), tzinfo=SEOUL),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 1)),
    st.integers(0, 23),
    st.integers(0, 59),
)
# Hours as written with a marker, and the 24-hour value they mean.
marked_hours = st.one_of(
    st.integers(1, 11).map(lambda h: (f"오전 {h}시", h)),
    st.just(("오전 12시", 0)),
    st.integers(1, 11).map(lambda h: (f"오후 {h}시", h + 12)),
    st.just(("오후 12시", 12)),
    st.integers(13, 23).map(lambda h: (f"{h}시", h)),
    st.integers(1, 6).map(lambda h: (f"{h}시", h + 12)),
    st.integers(7, 11).map(lambda h: (f"{h}시", h)),
    st.just(("12시", 12)),
    st.integers(0, 23).map(lambda h: (f"{h:02d}:00", h)),
)
minutes = st.one_of(
    st.just(("", 0)),
    st.just((" 반", 30)),
    st.integers(1, 59).map(lambda m: (f" {m}분", m)),
)


def _next_on_or_after(today: date, month: int, day: int) -> date:
    candidate = date(today.year, month, day)
    return candidate if candidate >= today else date(today.year + 1, month, day)


@settings(max_examples=300, deadline=None)
@given(
    now=nows,
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    hour=marked_hours,
    minute=minutes,
    title=TITLES,
    spaced=st.booleans(),
)
def test_month_day_hour_agrees_with_the_calendar(now, month, day, hour, minute, title, spaced):
    (hour_text, hour24), (minute_text, minute_value) = hour, minute
    if ":" in hour_text and minute_text:
        minute_text, minute_value = "", 0
    when = f"{month}월 {day}일" if spaced else f"{month}월{day}일"
    result = parse(f"{when} {hour_text}{minute_text} {title}", now=now)
    expected_day = _next_on_or_after(now.date(), month, day)
    assert result.intent == "create_event"
    assert result.event.title.replace(" ", "") == title.replace(" ", "")
    assert result.event.start == datetime.combine(
        expected_day, time(hour24, minute_value), tzinfo=SEOUL
    )
    assert result.event.end - result.event.start == timedelta(hours=1)


@settings(max_examples=200, deadline=None)
@given(
    now=nows,
    week=st.sampled_from(
        [("이번 주", 0), ("다음주", 1), ("다음 주", 1), ("다다음주", 2), ("지난주", -1)]
    ),
    weekday=st.integers(0, 6),
    title=TITLES,
)
def test_week_and_weekday_agree_with_the_calendar(now, week, weekday, title):
    word, weeks = week
    result = parse(f"{word} {WEEKDAYS[weekday]}요일 {title}", now=now)
    monday = now.date() - timedelta(days=now.weekday())
    expected = monday + timedelta(weeks=weeks, days=weekday)
    assert result.event.all_day
    assert (result.event.start_date, result.event.end_date) == (expected, expected + timedelta(1))


@settings(max_examples=200, deadline=None)
@given(
    now=nows,
    n=st.integers(1, 60),
    unit=st.sampled_from([("일", 1), ("주", 7)]),
    after=st.sampled_from(["뒤", "후"]),
    title=TITLES,
)
def test_relative_days_add_up(now, n, unit, after, title):
    word, days = unit
    result = parse(f"{n}{word} {after} {title}", now=now)
    assert result.event.start_date == now.date() + timedelta(days=n * days)


@settings(max_examples=200, deadline=None)
@given(now=nows, hour=st.integers(1, 12), half=st.booleans(), title=TITLES)
def test_korean_native_hours(now, hour, half, title):
    text = f"내일 {NATIVE[hour - 1]} 시{' 반' if half else ''} {title}"
    result = parse(text, now=now)
    expected_hour = hour + 12 if hour <= 6 else hour
    tomorrow = now.date() + timedelta(days=1)
    assert result.event.start == datetime.combine(
        tomorrow, time(expected_hour, 30 if half else 0), tzinfo=SEOUL
    )
    assert result.assumptions  # a bare hour is always reported as assumed


@settings(max_examples=200, deadline=None)
@given(
    now=nows,
    start=st.integers(1, 11),
    length=st.integers(1, 6),
    marker=st.booleans(),
    connector=st.sampled_from(["{a}부터 {b}까지", "{a}~{b}", "{a} - {b}", "{a}에서 {b}까지"]),
)
def test_time_ranges_end_after_they_start(now, start, length, marker, connector):
    end = start + length
    a = f"{'오후 ' if marker else ''}{start}시"
    b = f"{end if end <= 12 else end - 12}시"
    result = parse(f"내일 {connector.format(a=a, b=b)} 워크숍", now=now)
    assert result.event.end > result.event.start
    assert result.event.end - result.event.start <= timedelta(hours=12)
    if marker:
        assert result.event.end - result.event.start == timedelta(hours=length)


@settings(max_examples=200, deadline=None)
@given(
    now=nows,
    month=st.integers(1, 12),
    first=st.integers(1, 20),
    span=st.integers(0, 8),
    title=TITLES,
)
def test_all_day_ranges_end_exclusive(now, month, first, span, title):
    last = first + span
    result = parse(f"{month}월 {first}일부터 {last}일까지 {title}", now=now)
    start_day = _next_on_or_after(now.date(), month, first)
    assert result.event.all_day
    assert result.event.start_date == start_day
    assert result.event.end_date == start_day + timedelta(days=span + 1)


@settings(max_examples=150, deadline=None)
@given(now=nows, zone=ZONES, word=st.sampled_from(["이번 주", "다음주", "이번 달", "다음 달"]))
def test_query_ranges_are_whole_weeks_and_months(now, zone, word):
    result = parse(f"{word} 일정 알려줘", now=now, time_zone=zone)
    start, end = result.range.start, result.range.end
    assert result.intent == "query_events"
    assert start.tzinfo is not None and start.utcoffset() is not None
    assert (start.hour, start.minute, end.hour, end.minute) == (0, 0, 0, 0)
    if "주" in word:
        assert start.weekday() == 0 and (end.date() - start.date()).days == 7
    else:
        assert start.day == 1 and end.day == 1 and end.date() > start.date()
    today = now.astimezone(ZoneInfo(zone)).date()
    if word.startswith("이번"):
        assert start.date() <= today < end.date()
    else:
        assert start.date() > today


FRAGMENTS = [
    "내일",
    "모레",
    "글피",
    "오늘",
    "다음주",
    "이번 주",
    "금요일",
    "11월 30일",
    "12/3",
    "3일 뒤",
    "2주 뒤",
    "오후",
    "오전",
    "3시",
    "10시 반",
    "15:30",
    "정오",
    "자정",
    "부터",
    "까지",
    "~",
    "2시간 동안",
    "회의",
    "팀 미팅",
    "서울역에서",
    "카페",
    "잡아줘",
    "삭제해줘",
    "4시로",
    "변경해줘",
    "일정",
    "알려줘",
    "?",
    "점심",
    "저녁",
    "추석",
    "크리스마스",
    "다음 달 첫째 주 월요일",
    "이번 주말",
    "네",
    "아니",
    "취소",
    "낼",
    "세 시",
    "본사 3층 회의실",
    "31일",
    "2월 30일",
    # version 2
    "매주 화요일",
    "격주 금요일",
    "매달 25일",
    "매달 첫째 주 월요일",
    "매일",
    "평일마다",
    "8번",
    "6주 동안",
    "12월 23일까지",
    "30분 전에 알려줘",
    "전날 알려줘",
    "이따",
    "지난주",
    "설 연휴",
    "어린이날 전날",
    "월말까지",
    "3pm",
    "4:30",
    "이랑",
    ",",
    "\n",
    "장소는 강남역이야",
    "남은",
    "다음 일정",
    "언제였지",
    "30분 미뤄줘",
    "그날만",
    "아 5시로",
    "되돌려줘",
    "9999년 1월 1일",
    "99시",
    "🙏",
    # found by the held-out set
    "3월 말까지",
    "내년 1월 초",
    "2주마다 수요일",
    "팀 점심",
    "가야 돼",
    "파티야",
    "약속 있어",
    "하기로 했어",
    "장소는 우리 집이야",
    "그걸로 해",
    "고마워",
    "없던 걸로",
    "빼빼로데이",
    "목요일로",
    "기본 15분 전으로",
    "잘 보내",
]


def _first_instant(event) -> datetime:
    if event.all_day:
        return datetime.combine(event.start_date, time())
    return event.start


def _check_event(event, zone: str, instants: list) -> None:
    if event.all_day:
        assert event.end_date > event.start_date
    elif event.start is not None:
        instants += [event.start, event.end]
        assert event.end > event.start
    for line in event.recurrence or ():
        # Every rule is one RRULE dateutil reads, and the event is its first occurrence.
        first = _first_instant(event)
        rule = rrulestr(line, dtstart=first)
        assert rule.after(first, inc=True) == first
    assert all(0 <= m <= 40320 for m in event.reminder_minutes or ())


@settings(max_examples=500, deadline=None)
@given(now=nows, zone=ZONES, parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=7))
def test_any_phrasing_keeps_the_time_rules(now, zone, parts):
    result = parse_message(" ".join(parts), now=now, time_zone=zone)  # validates via pydantic
    spec = result.to_spec_json()
    assert 0.0 <= spec["confidence"] <= 1.0
    instants = []
    for event in (result.event, *(result.events or ())):
        if event is not None:
            _check_event(event, zone, instants)
    if result.needs:
        assert result.event.start is None and result.event.start_date is None
    if result.range:
        instants.append(result.range.start)
        if result.range.end is None:
            assert result.range.limit
        else:
            instants.append(result.range.end)
            assert result.range.end > result.range.start
    for slots in (result.target, result.changes):
        if slots and slots.start:
            instants.append(slots.start)
    for value in instants:
        assert value.utcoffset() == value.astimezone(ZoneInfo(zone)).utcoffset()


recurring_phrases = st.one_of(
    st.sampled_from(WEEKDAYS).map(lambda d: (f"매주 {d}요일", "WEEKLY")),
    st.sampled_from(WEEKDAYS).map(lambda d: (f"{d}요일마다", "WEEKLY")),
    st.sampled_from(WEEKDAYS).map(lambda d: (f"격주 {d}요일", "WEEKLY")),
    st.integers(1, 31).map(lambda d: (f"매달 {d}일", "MONTHLY")),
    st.sampled_from(["첫째", "둘째", "셋째", "마지막"]).map(
        lambda n: (f"매달 {n} 주 화요일", "MONTHLY")
    ),
    st.just(("매일", "DAILY")),
    st.just(("평일마다", "WEEKLY")),
    st.just(("주말마다", "WEEKLY")),
    st.tuples(st.integers(1, 12), st.integers(1, 28)).map(
        lambda md: (f"매년 {md[0]}월 {md[1]}일", "YEARLY")
    ),
)
rule_ends = st.sampled_from(["", " 5번", " 10회", " 4주 동안", " 12월 31일까지", " 3월까지"])
rule_hours = st.sampled_from(["", " 오전 7시", " 저녁 8시 반", " 14:30", " 3시"])


@settings(max_examples=400, deadline=None)
@given(now=nows, zone=ZONES, phrase=recurring_phrases, hour=rule_hours, end=rule_ends, title=TITLES)
def test_recurrence_rules_are_valid_and_start_at_or_after_now(now, zone, phrase, hour, end, title):
    words, freq = phrase
    result = parse_message(f"{words}{hour} {title}{end}", now=now, time_zone=zone)
    event = result.event
    assert result.intent == "create_event" and event.title == title
    [line] = event.recurrence
    assert line.startswith(f"RRULE:FREQ={freq}")
    first = _first_instant(event)
    assert rrulestr(line, dtstart=first).after(first, inc=True) == first
    local_now = now.astimezone(ZoneInfo(zone))
    if event.all_day:
        assert event.start_date >= local_now.date()
    else:
        assert event.start >= local_now.replace(second=0, microsecond=0)
        assert event.start.utcoffset() == event.start.astimezone(ZoneInfo(zone)).utcoffset()
        assert "UNTIL=" not in line or line.rstrip().endswith("Z")


@settings(max_examples=300, deadline=None)
@given(
    now=nows,
    weeks=st.sampled_from(["격주", "2주마다", "3주마다", "매주"]),
    weekday=st.integers(0, 6),
    title=TITLES,
)
def test_a_weekly_rule_starts_on_the_first_matching_day(now, weeks, weekday, title):
    """Whatever the interval, the series begins at the first such weekday at or after now."""
    result = parse_message(f"{weeks} {WEEKDAYS[weekday]}요일 오후 11시 {title}", now=now)
    start = result.event.start
    assert start.weekday() == weekday and start >= now
    assert start - now < timedelta(days=7)


extreme_nows = st.builds(
    lambda d, h: datetime.combine(d, time(h), tzinfo=SEOUL),
    st.one_of(
        st.dates(min_value=date(1, 1, 1), max_value=date(1, 1, 20)),
        st.dates(min_value=date(9999, 12, 10), max_value=date(9999, 12, 31)),
    ),
    st.integers(0, 23),
)


@settings(max_examples=300, deadline=None)
@given(now=extreme_nows, parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=5))
def test_the_edges_of_time_never_raise(now, parts):
    result = parse_message(" ".join(parts), now=now)  # validates via pydantic
    assert 0.0 <= result.confidence <= 1.0


@settings(max_examples=300, deadline=None)
@given(now=nows, text=st.text(min_size=1, max_size=60))
def test_any_text_gives_a_valid_result(now, text):
    parse_message(text, now=now)
