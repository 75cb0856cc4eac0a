"""The control API and inspection page; state that survives a restart with a state file."""

import httpx

from google_emulator.testing import EmulatorProcess

EVENT = {
    "summary": "<b>검진</b>",
    "start": {"dateTime": "2025-11-24T07:40:00+09:00"},
    "end": {"dateTime": "2025-11-24T12:00:00+09:00"},
}


def test_page_lists_accounts_and_their_events_escaped(google_emulator, calendar, oauth):
    calendar.events().insert(calendarId="primary", body=EVENT).execute()
    page = httpx.get(f"{google_emulator.base_url}/emulator/")
    assert page.status_code == 200
    assert oauth.EMAIL in page.text and "Asia/Seoul" in page.text
    assert "&lt;b&gt;검진&lt;/b&gt;" in page.text and "<b>검진" not in page.text
    assert "2025-11-24T07:40:00+09:00" in page.text


def test_reset_forgets_events_tokens_faults_and_counts(google_emulator, calendar, credentials):
    control = google_emulator.control
    calendar.events().insert(calendarId="primary", body=EVENT).execute()
    control.fault("calendar.events.list", status=500)
    control.reset()
    assert control.calls() == {}
    assert control.events("minji@example.com") == []
    answer = httpx.get(
        f"{google_emulator.base_url}/calendar/v3/calendars/primary/events",
        headers={"Authorization": f"Bearer {credentials.token}"},
    )
    assert answer.status_code == 401  # the token is gone, not the injected 500


def test_accounts_can_be_created_and_changed(google_emulator):
    control = google_emulator.control
    account = control.add_account("Jun@Example.com", time_zone="Europe/Paris", name="Jun")
    assert account["email"] == "jun@example.com" and account["time_zone"] == "Europe/Paris"
    assert account["sub"].isdigit()
    assert control.set_time_zone("jun@example.com", "Asia/Tokyo")["time_zone"] == "Asia/Tokyo"
    bad = httpx.post(
        f"{google_emulator.base_url}/emulator/accounts",
        json={"email": "x@example.com", "time_zone": "Mars/Olympus"},
    )
    assert bad.status_code == 400
    missing = httpx.patch(
        f"{google_emulator.base_url}/emulator/accounts/nobody@example.com",
        json={"time_zone": "UTC"},
    )
    assert missing.status_code == 404


def test_expire_tokens_of_one_account_only(google_emulator, oauth):
    minji = oauth.authorize(google_emulator, [oauth.CALENDAR_SCOPE])
    jun = oauth.authorize(google_emulator, [oauth.CALENDAR_SCOPE], email="jun@example.com")
    google_emulator.control.expire_tokens("jun@example.com")
    url = f"{google_emulator.base_url}/calendar/v3/calendars/primary"
    for creds, status in ((minji, 200), (jun, 401)):
        answer = httpx.get(url, headers={"Authorization": f"Bearer {creds.token}"})
        assert answer.status_code == status


def test_state_file_survives_a_restart(tmp_path, oauth, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    env = {"GOOGLE_EMULATOR_STATE_FILE": str(tmp_path / "google.json")}
    with EmulatorProcess(env=env) as first:
        creds = oauth.authorize(first, [oauth.CALENDAR_SCOPE])
        service = oauth.calendar_service(first.base_url, creds)
        created = service.events().insert(calendarId="primary", body=EVENT).execute()
        first.control.set_time_zone(oauth.EMAIL, "Europe/Berlin")
    with EmulatorProcess(port=first.port, env=env) as second:
        service = oauth.calendar_service(second.base_url, creds)
        got = service.events().get(calendarId="primary", eventId=created["id"]).execute()
        assert got == created
        assert service.calendars().get(calendarId="primary").execute()["timeZone"] == (
            "Europe/Berlin"
        )
        second.control.expire_tokens()
        assert service.events().list(calendarId="primary").execute()["items"]
        assert second.control.calls()["token.refresh_token"] == 1
