"""The page an event's htmlLink opens (Google's "view in Calendar" link), escaped."""

import httpx

EVENT = {
    "summary": "<b>검진</b>",
    "location": "인천 연수구 갯벌로156",
    "start": {"dateTime": "2025-11-24T07:40:00+09:00"},
    "end": {"dateTime": "2025-11-24T12:00:00+09:00"},
}


def test_html_link_opens_a_page_of_the_event(google_emulator, calendar):
    event = calendar.events().insert(calendarId="primary", body=EVENT).execute()
    page = httpx.get(event["htmlLink"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "&lt;b&gt;검진&lt;/b&gt;" in page.text and "<b>검진" not in page.text
    assert "2025-11-24T07:40:00+09:00" in page.text and "2025-11-24T12:00:00+09:00" in page.text
    assert "인천 연수구 갯벌로156" in page.text


def test_an_unknown_event_is_a_404_page(google_emulator):
    page = httpx.get(f"{google_emulator.base_url}/calendar/event", params={"eid": "nope"})
    assert page.status_code == 404
    assert "찾을 수 없" in page.text
