"""events.watch, channels.stop and the notifications they bring, through the real client."""

import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import pytest
from googleapiclient.errors import HttpError

from google_emulator.testing import NotificationReceiver as Receiver
from google_emulator.testing import error_of

LUNCH = {
    "summary": "점심",
    "start": {"dateTime": "2025-11-24T12:00:00+09:00"},
    "end": {"dateTime": "2025-11-24T13:00:00+09:00"},
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


def recorded_answers(google_emulator, count: int, timeout: float = 15.0) -> list:
    """The answers the emulator recorded for its one channel, once there are ``count``."""
    deadline = time.monotonic() + timeout
    while True:
        (channel,) = google_emulator.control.channels()
        answers = [d["answer"] for d in channel["deliveries"]]
        if len(answers) >= count or time.monotonic() > deadline:
            return answers
        time.sleep(0.05)


def watch(calendar, receiver: Receiver, channel_id: str = "haru-channel-1", **extra) -> dict:
    body = {"id": channel_id, "type": "web_hook", "address": receiver.url, **extra}
    return calendar.events().watch(calendarId="primary", body=body).execute()


def test_watch_answers_the_channel_resource(calendar, receiver, oauth):
    before = int(time.time() * 1000)
    channel = watch(calendar, receiver, token="secret-token", params={"ttl": "3600"})
    assert channel["kind"] == "api#channel"
    assert channel["id"] == "haru-channel-1"
    assert channel["token"] == "secret-token"
    assert channel["resourceId"]
    assert channel["resourceUri"].endswith("/calendar/v3/calendars/primary/events?alt=json")
    # expiration is an int64 in milliseconds, sent as a string like every int64 of the API
    assert isinstance(channel["expiration"], str)
    assert before + 3_600_000 <= int(channel["expiration"]) <= before + 3_700_000


def test_sync_first_then_exists_with_googles_headers(calendar, receiver):
    channel = watch(calendar, receiver, token="secret-token")
    (sync,) = receiver.wait_for(1)
    assert sync["X-Goog-Resource-State"] == "sync"
    assert sync["X-Goog-Message-Number"] == "1"
    assert sync["X-Goog-Channel-ID"] == channel["id"]
    assert sync["X-Goog-Channel-Token"] == "secret-token"
    assert sync["X-Goog-Resource-ID"] == channel["resourceId"]
    assert sync["X-Goog-Resource-URI"] == channel["resourceUri"]
    expires = parsedate_to_datetime(sync["X-Goog-Channel-Expiration"])
    assert int(expires.timestamp()) == int(channel["expiration"]) // 1000
    assert receiver.bodies[0] == b""

    event = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    calendar.events().delete(calendarId="primary", eventId=event["id"]).execute()
    _, created, deleted = receiver.wait_for(3)
    assert [created["X-Goog-Resource-State"], deleted["X-Goog-Resource-State"]] == [
        "exists",
        "exists",
    ]
    numbers = [int(h["X-Goog-Message-Number"]) for h in receiver.received[:3]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


def test_no_token_header_without_a_token(calendar, receiver):
    watch(calendar, receiver)
    (sync,) = receiver.wait_for(1)
    assert "X-Goog-Channel-Token" not in sync


def test_a_change_made_directly_in_google_is_notified(google_emulator, calendar, receiver, oauth):
    event = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    watch(calendar, receiver)
    receiver.wait_for(1)
    google_emulator.control.edit_event(oauth.EMAIL, event["id"], summary="점심 (변경)")
    assert receiver.wait_for(2)[1]["X-Goog-Resource-State"] == "exists"


def test_server_errors_are_retried_other_failures_are_not(google_emulator, calendar, receiver):
    receiver.statuses = [503, 200, 404]
    watch(calendar, receiver)
    first, again = receiver.wait_for(2)
    assert first["X-Goog-Message-Number"] == again["X-Goog-Message-Number"] == "1"
    calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    receiver.wait_for(3)
    assert recorded_answers(google_emulator, 3) == [503, 200, 404]


def _second_channel_sees_an_insert(calendar) -> None:
    """A second channel's messages about a new event: proof that the emulator has sent what
    it had to send before (to the first channel too)."""
    other = Receiver()
    try:
        watch(calendar, other, channel_id="haru-channel-2")
        calendar.events().insert(calendarId="primary", body=LUNCH).execute()
        other.wait_for(2)
    finally:
        other.close()


def test_stop_ends_the_notifications(google_emulator, calendar, receiver):
    channel = watch(calendar, receiver)
    receiver.wait_for(1)
    answer = (
        calendar.channels()
        .stop(body={"id": channel["id"], "resourceId": channel["resourceId"]})
        .execute()
    )
    assert answer == ""  # 204, no body
    calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    _second_channel_sees_an_insert(calendar)
    assert len(receiver.received) == 1
    (stopped, _) = sorted(google_emulator.control.channels(), key=lambda c: c["id"])
    assert stopped["stopped"] is True


def test_stop_of_an_unknown_channel_is_404(calendar, receiver):
    channel = watch(calendar, receiver)
    for body in (
        {"id": "nobody", "resourceId": channel["resourceId"]},
        {"id": channel["id"], "resourceId": "wrong"},
    ):
        with pytest.raises(HttpError) as err:
            calendar.channels().stop(body=body).execute()
        assert err.value.status_code == 404
        assert error_of(err)["errors"][0]["reason"] == "notFound"
        assert "not found for project" in error_of(err)["message"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"type": "web_hook", "address": "http://127.0.0.1:9/x"}, "required"),
        ({"id": "x" * 65, "type": "web_hook", "address": "http://127.0.0.1:9/x"}, "invalid"),
        ({"id": "c", "type": "email", "address": "http://127.0.0.1:9/x"}, "invalid"),
        ({"id": "c", "type": "web_hook"}, "invalid"),
        (
            {
                "id": "c",
                "type": "web_hook",
                "address": "http://127.0.0.1:9/x",
                "params": {"ttl": "x"},
            },
            "invalid",
        ),
    ],
)
def test_bad_watch_requests_are_400(calendar, body, reason):
    with pytest.raises(HttpError) as err:
        calendar.events().watch(calendarId="primary", body=body).execute()
    assert err.value.status_code == 400
    assert error_of(err)["errors"][0]["reason"] == reason


def test_a_channel_id_is_used_once(calendar, receiver):
    watch(calendar, receiver)
    with pytest.raises(HttpError) as err:
        watch(calendar, receiver)
    assert err.value.status_code == 400
    assert error_of(err)["errors"][0]["reason"] == "channelIdNotUnique"


def test_an_expired_channel_sends_nothing(google_emulator, calendar, receiver):
    watch(calendar, receiver, expiration=str(int(time.time() * 1000) + 1500))
    receiver.wait_for(1)
    time.sleep(2)  # let the channel run out (this waits; it asserts no timing)
    _second_channel_sees_an_insert(calendar)
    assert len(receiver.received) == 1


def test_watch_needs_a_calendar_scope(google_emulator, oauth, receiver):
    creds = oauth.authorize(google_emulator, ["openid", "email"])
    service = oauth.calendar_service(google_emulator.base_url, creds)
    with pytest.raises(HttpError) as err:
        service.events().watch(
            calendarId="primary",
            body={"id": "c", "type": "web_hook", "address": receiver.url},
        ).execute()
    assert err.value.status_code == 403


def test_a_push_fault_loses_messages(google_emulator, calendar, receiver):
    watch(calendar, receiver)
    receiver.wait_for(1)
    google_emulator.control.fault("push.notification", count=1)
    calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    (_, after) = receiver.wait_for(2)
    assert after["X-Goog-Message-Number"] == "3"  # message 2 was lost
    assert recorded_answers(google_emulator, 3) == [200, "lost", 200]
    assert google_emulator.control.calls()["push.notification"] == 3
