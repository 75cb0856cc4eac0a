"""Pure rules of the events domain: derived ids, title normalisation, Google event reading."""

import re

from skill_calendar.events.service import derive_event_id, normalise_title, to_event


def test_derived_event_id_is_valid_base32hex_and_stable():
    first = derive_event_id(user_id="u1", key="k1")
    assert re.fullmatch(r"[0-9a-v]{5,1024}", first)
    assert first == derive_event_id(user_id="u1", key="k1")
    assert first != derive_event_id(user_id="u2", key="k1")
    assert first != derive_event_id(user_id="u1", key="k2")


def test_titles_compare_without_spaces_or_case():
    assert normalise_title(" Team  Sync\t") == normalise_title("teamsync")
    assert normalise_title("점심 약속") == normalise_title("점심약속")
    assert normalise_title("점심") != normalise_title("저녁")


def test_google_event_read_in_the_calendar_zone():
    raw = {
        "id": "abc",
        "summary": "회의",
        "start": {"dateTime": "2025-11-24T01:00:00Z"},
        "end": {"dateTime": "2025-11-24T02:00:00Z"},
        "created": "2025-11-20T00:00:00.000Z",
        "updated": "2025-11-20T00:00:00.000Z",
        "htmlLink": "https://calendar.example/abc",
        "status": "confirmed",
    }
    event = to_event(raw, "Asia/Seoul")
    assert event["start"] == "2025-11-24T10:00:00+09:00"
    assert event["created"] == "2025-11-20T09:00:00+09:00"
    assert event["all_day"] is False and event["start_date"] is None
