"""Capabilities and the Google scopes each needs; scope sets are compared here, never by string."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

GOOGLE = "https://www.googleapis.com/auth/"
CALENDAR = GOOGLE + "calendar"
CALENDAR_EVENTS = GOOGLE + "calendar.events"
CALENDAR_READONLY = GOOGLE + "calendar.readonly"
CALENDAR_EVENTS_READONLY = GOOGLE + "calendar.events.readonly"
GMAIL_READONLY = GOOGLE + "gmail.readonly"
GMAIL_SEND = GOOGLE + "gmail.send"
GMAIL_MODIFY = GOOGLE + "gmail.modify"
GMAIL_FULL = "https://mail.google.com/"
USERINFO_EMAIL = GOOGLE + "userinfo.email"
USERINFO_PROFILE = GOOGLE + "userinfo.profile"

# Always asked for: who the account is.
IDENTITY_SCOPES = ("openid", "email")

# Short names Google accepts and answers with their long form.
_ALIASES = {"email": USERINFO_EMAIL, "profile": USERINFO_PROFILE}

# A broader scope grants what the narrower ones do.
_IMPLIES: dict[str, frozenset[str]] = {
    CALENDAR: frozenset({CALENDAR_EVENTS, CALENDAR_READONLY, CALENDAR_EVENTS_READONLY}),
    CALENDAR_EVENTS: frozenset({CALENDAR_EVENTS_READONLY}),
    CALENDAR_READONLY: frozenset({CALENDAR_EVENTS_READONLY}),
    GMAIL_FULL: frozenset({GMAIL_MODIFY, GMAIL_READONLY, GMAIL_SEND}),
    GMAIL_MODIFY: frozenset({GMAIL_READONLY, GMAIL_SEND}),
}


@dataclass(frozen=True)
class Capability:
    name: str
    scopes: tuple[str, ...]
    label: str  # what it allows, in Korean
    why: str  # why Haru asks for it, in Korean


CAPABILITIES: dict[str, Capability] = {
    "calendar": Capability(
        name="calendar",
        scopes=(CALENDAR_EVENTS, CALENDAR_READONLY),
        label="구글 캘린더 일정 보기·추가·수정·삭제",
        why="말씀하신 일정을 캘린더에 등록하고, 일정을 조회·변경하려면 필요합니다.",
    ),
    "gmail.read": Capability(
        name="gmail.read",
        scopes=(GMAIL_READONLY,),
        label="Gmail 메일 읽기",
        why="메일 속 약속을 찾아 일정으로 옮기려면 필요합니다.",
    ),
    "gmail.send": Capability(
        name="gmail.send",
        scopes=(GMAIL_SEND,),
        label="Gmail로 메일 보내기",
        why="요청하신 초대·안내 메일을 대신 보내려면 필요합니다.",
    ),
}


def normalize_scopes(scopes: Iterable[str] | str | None) -> frozenset[str]:
    """A scope set from Google's space-separated text or a list, aliases expanded."""
    if scopes is None:
        return frozenset()
    items = scopes.split() if isinstance(scopes, str) else scopes
    return frozenset(_ALIASES.get(item.strip(), item.strip()) for item in items if item.strip())


def effective_scopes(scopes: Iterable[str] | str | None) -> frozenset[str]:
    """The granted set plus everything a broader granted scope implies."""
    granted = set(normalize_scopes(scopes))
    for scope in list(granted):
        granted |= _IMPLIES.get(scope, frozenset())
    return frozenset(granted)


def covers(granted: Iterable[str] | str | None, capability: str) -> bool:
    """Whether ``granted`` (in any order, possibly broader) is enough for ``capability``."""
    needed = normalize_scopes(CAPABILITIES[capability].scopes)
    return needed <= effective_scopes(granted)


def missing_scopes(granted: Iterable[str] | str | None, capability: str) -> list[str]:
    """The capability's scopes that ``granted`` lacks."""
    have = effective_scopes(granted)
    return sorted(normalize_scopes(CAPABILITIES[capability].scopes) - have)


def requested_scopes(capability: str) -> list[str]:
    """What to ask Google for: the capability's scopes and identity, nothing more."""
    return [*IDENTITY_SCOPES, *CAPABILITIES[capability].scopes]


def covered_capabilities(granted: Iterable[str] | str | None) -> list[str]:
    """Every capability the granted scopes are enough for."""
    return [name for name in CAPABILITIES if covers(granted, name)]


def scope_text(scopes: Iterable[str]) -> str:
    """The stored form: normalised, sorted, space-separated."""
    return " ".join(sorted(normalize_scopes(scopes)))
