from auth_server.grants import capabilities as caps


def test_calendar_needs_both_scopes_in_any_order():
    granted = f"{caps.CALENDAR_READONLY} openid {caps.CALENDAR_EVENTS} {caps.USERINFO_EMAIL}"
    assert caps.covers(granted, "calendar")
    assert caps.covers(list(reversed(granted.split())), "calendar")
    assert not caps.covers(f"openid {caps.CALENDAR_EVENTS}", "calendar")
    assert caps.missing_scopes(f"openid {caps.CALENDAR_EVENTS}", "calendar") == [
        caps.CALENDAR_READONLY
    ]


def test_broader_scope_covers_narrower_ones():
    assert caps.covers(caps.CALENDAR, "calendar")
    assert caps.covers([caps.GMAIL_FULL], "gmail.send")
    assert not caps.covers([caps.CALENDAR], "gmail.read")


def test_requests_only_what_the_capability_needs():
    assert caps.requested_scopes("gmail.send") == ["openid", "email", caps.GMAIL_SEND]
    assert caps.normalize_scopes("email openid") == {caps.USERINFO_EMAIL, "openid"}


def test_unknown_scopes_do_not_crash():
    granted = "https://example.com/weird openid " + caps.CALENDAR
    assert caps.covered_capabilities(granted) == ["calendar"]
