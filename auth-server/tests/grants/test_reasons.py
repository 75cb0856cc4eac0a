from datetime import timedelta

from auth_server.grants.status import reason_text
from auth_server.grants.tokens import invalid_grant_reason
from shared.db import utcnow


def test_invalid_grant_near_seven_days_is_suspected_testing_expiry():
    def reason(days):
        return invalid_grant_reason(
            issued_at=utcnow() - timedelta(days=days), testing_expiry_days=7
        )

    assert reason(7) == "testing_expiry_suspected"
    assert reason(7.4) == "testing_expiry_suspected"
    assert reason(1) == "revoked"
    assert reason(30) == "revoked"
    assert invalid_grant_reason(issued_at=None, testing_expiry_days=7) == "revoked"


def test_reason_texts_are_korean():
    assert reason_text("active", None) == "정상"
    assert reason_text("needs_reauth", "scope_missing") == "재연결 필요: 권한 부족"
    assert reason_text("needs_reauth", "revoked") == "재연결 필요: 권한이 취소됨"
