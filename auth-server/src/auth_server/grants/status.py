"""Grant state per capability: states and reasons, read from the Google account, and the
outbox events a change of them records."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.events.service import GRANT_UNUSABLE, GRANT_USABLE, record_grant_event
from auth_server.grants import capabilities as caps
from auth_server.grants.models import GoogleAccount

ACTIVE = "active"
MISSING = "missing"
NEEDS_REAUTH = "needs_reauth"
DEGRADED = "degraded"
USABLE_STATES = frozenset({ACTIVE, DEGRADED})

REVOKED = "revoked"
SCOPE_MISSING = "scope_missing"
TESTING_EXPIRY_SUSPECTED = "testing_expiry_suspected"
UPSTREAM_UNAVAILABLE = "upstream_unavailable"
DISCONNECTED = "disconnected"
NOT_CONNECTED = "not_connected"

REASON_TEXT = {
    (ACTIVE, None): "정상",
    (MISSING, None): "연결되지 않음",
    (MISSING, NOT_CONNECTED): "연결되지 않음",
    (MISSING, DISCONNECTED): "연결 해제됨",
    (NEEDS_REAUTH, REVOKED): "재연결 필요: 권한이 취소됨",
    (NEEDS_REAUTH, SCOPE_MISSING): "재연결 필요: 권한 부족",
    (NEEDS_REAUTH, TESTING_EXPIRY_SUSPECTED): "재연결 필요: 테스트 모드 토큰 만료 의심",
    (DEGRADED, UPSTREAM_UNAVAILABLE): "일시적 오류: Google 응답 지연 (연결은 유지됨)",
}


def reason_text(state: str, reason: str | None) -> str:
    """The Korean sentence for a grant state and reason."""
    return REASON_TEXT.get((state, reason)) or REASON_TEXT.get((state, None)) or "재연결 필요"


@dataclass(frozen=True)
class GrantStatus:
    capability: str
    state: str
    reason: str | None
    scopes: list[str]
    google_email: str | None

    @property
    def usable(self) -> bool:
        return self.state in USABLE_STATES

    @property
    def reason_text(self) -> str:
        return reason_text(self.state, self.reason)


def capability_status(account: GoogleAccount | None, capability: str) -> GrantStatus:
    """The state of one capability given the user's Google account (or none)."""
    if account is None:
        return GrantStatus(capability, MISSING, None, [], None)
    scopes = sorted(caps.normalize_scopes(account.scopes))
    held = capability in account.capabilities.split()
    covered = caps.covers(account.scopes, capability)
    email = account.email
    if not covered and not held:
        return GrantStatus(capability, MISSING, None, scopes, email)
    if account.state == NEEDS_REAUTH:
        return GrantStatus(capability, NEEDS_REAUTH, account.reason or REVOKED, scopes, email)
    if not covered:
        return GrantStatus(capability, NEEDS_REAUTH, SCOPE_MISSING, scopes, email)
    if account.state == DEGRADED:
        return GrantStatus(capability, DEGRADED, UPSTREAM_UNAVAILABLE, scopes, email)
    return GrantStatus(capability, ACTIVE, None, scopes, email)


def all_statuses(account: GoogleAccount | None) -> dict[str, GrantStatus]:
    """Every capability's status."""
    return {name: capability_status(account, name) for name in caps.CAPABILITIES}


def record_transitions(
    *,
    session: AsyncSession,
    user_id: str,
    before: dict[str, GrantStatus],
    after: dict[str, GrantStatus],
    always_usable: str | None = None,
    pending_action_ref: str | None = None,
    removed_reason: str | None = None,
) -> int:
    """Records an outbox event for every capability that became usable or unusable.

    ``always_usable`` (the capability a connect flow completed for) gets a usable
    event even when it already was usable: the router waits for it to resume.
    """
    count = 0
    for name, now in after.items():
        was = before[name]
        if now.usable and (not was.usable or name == always_usable):
            record_grant_event(
                session=session,
                type=GRANT_USABLE,
                user_id=user_id,
                capability=name,
                state=now.state,
                pending_action_ref=pending_action_ref if name == always_usable else None,
            )
            count += 1
        elif was.usable and not now.usable:
            record_grant_event(
                session=session,
                type=GRANT_UNUSABLE,
                user_id=user_id,
                capability=name,
                state=now.state,
                reason=now.reason or removed_reason,
            )
            count += 1
    return count
