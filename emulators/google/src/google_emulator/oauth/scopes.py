"""The scopes the emulator knows and what each one allows."""

G = "https://www.googleapis.com/auth/"

CALENDAR = G + "calendar"
CALENDAR_READONLY = G + "calendar.readonly"
EVENTS = G + "calendar.events"
EVENTS_READONLY = G + "calendar.events.readonly"
USERINFO_EMAIL = G + "userinfo.email"
USERINFO_PROFILE = G + "userinfo.profile"

KNOWN_SCOPES = {
    CALENDAR,
    CALENDAR_READONLY,
    EVENTS,
    EVENTS_READONLY,
    "openid",
    "email",
    "profile",
    USERINFO_EMAIL,
    USERINFO_PROFILE,
    G + "gmail.readonly",
    G + "gmail.send",
}

SCOPE_LABELS = {
    CALENDAR: (
        "Google 캘린더의 모든 일정 보기, 수정, 공유, 삭제",
        "See, edit, share, delete all calendars",
    ),
    CALENDAR_READONLY: ("캘린더 보기 및 다운로드", "See and download your calendars"),
    EVENTS: ("모든 캘린더의 일정 보기 및 수정", "View and edit events on all your calendars"),
    EVENTS_READONLY: ("모든 캘린더의 일정 보기", "View events on all your calendars"),
    "openid": ("Google에서 내 개인 정보와 나를 연결", "Associate you with your personal info"),
    "email": ("기본 이메일 주소 보기", "See your primary e-mail address"),
    USERINFO_EMAIL: ("기본 이메일 주소 보기", "See your primary e-mail address"),
    "profile": ("공개 개인 정보 보기", "See your personal info"),
    USERINFO_PROFILE: ("공개 개인 정보 보기", "See your personal info"),
    G + "gmail.readonly": ("이메일 메시지 및 설정 보기", "View your e-mail messages and settings"),
    G + "gmail.send": ("대신 이메일 보내기", "Send e-mail on your behalf"),
}


def has_any(scopes: list[str] | set[str], allowed: set[str]) -> bool:
    """Whether any granted scope is in the allowed set."""
    return bool(set(scopes) & allowed)


def has_email(scopes) -> bool:
    """Whether the grant lets the caller see the e-mail address."""
    return has_any(scopes, {"email", USERINFO_EMAIL})


def has_profile(scopes) -> bool:
    """Whether the grant lets the caller see the profile (name)."""
    return has_any(scopes, {"profile", USERINFO_PROFILE})
