"""Errors of the grants domain."""

from shared.errors import Conflict, UpstreamUnavailable


class ReauthRequired(Conflict):
    code = "auth.reauth_required"
    message = "Google 계정을 다시 연결해야 합니다. 안내된 링크에서 권한을 허용해 주세요."


class GoogleUpstreamUnavailable(UpstreamUnavailable):
    code = "auth.upstream_unavailable"
    message = (
        "Google이 잠시 응답하지 않습니다. 잠시 후 다시 시도해 주세요. 연결은 그대로 유지됩니다."
    )


class GoogleAccountTaken(Conflict):
    """The Google account of a completed consent belongs to another Haru user (never merged)."""

    code = "auth.google_account_taken"
    message = "이 Google 계정은 이미 다른 하루 사용자에게 연결되어 있습니다."
