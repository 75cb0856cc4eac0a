"""Renders the Korean pages people see; no external assets, no JavaScript."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from auth_server.grants import capabilities as caps
from auth_server.identities.service import IdentityLabel
from auth_server.oauth import service as flow
from shared.security import content_security_policy, page_headers

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(*, google_auth_uri: str) -> dict[str, str]:
    """Headers for every page: no caching, no referrer (links carry tickets), no framing."""
    policy = content_security_policy(
        style_src="'unsafe-inline'",
        img_src="'self' data:",
        form_action=f"'self' {_origin(google_auth_uri)}",
    )
    return page_headers(policy=policy)


def render(
    template: str, *, status_code: int = 200, headers: dict[str, str], **context: Any
) -> HTMLResponse:
    """An HTML page from a template."""
    html = _env.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def redirect(url: str, *, headers: dict[str, str]) -> RedirectResponse:
    """A 303 after a form post."""
    return RedirectResponse(url, status_code=303, headers=headers)


def _label(capability: str | None) -> str:
    if capability in caps.CAPABILITIES:
        return caps.CAPABILITIES[capability].label
    return "요청하신"


# outcome → (HTTP status, title, tone, lines)
_MESSAGES: dict[str, tuple[int, str, str, list[str]]] = {
    flow.LINK_UNKNOWN: (
        404,
        "링크를 찾을 수 없습니다",
        "warn",
        ["링크 주소가 올바르지 않습니다. 채팅에서 새 연결 링크를 요청해 주세요."],
    ),
    flow.LINK_USED: (
        410,
        "이미 사용된 링크입니다",
        "warn",
        ["보안을 위해 연결 링크는 한 번만 쓸 수 있습니다. 채팅에서 새 링크를 요청해 주세요."],
    ),
    flow.LINK_EXPIRED: (
        410,
        "링크가 만료되었습니다",
        "warn",
        ["보안을 위해 링크는 잠시 동안만 유효합니다. 채팅에서 새 링크를 요청해 주세요."],
    ),
    flow.LINK_OTHER_BROWSER: (
        403,
        "다른 브라우저에서 열린 링크입니다",
        "warn",
        [
            "이 연결 링크는 다른 브라우저에서 이미 열렸습니다.",
            "링크는 처음 연 브라우저에서만 쓸 수 있습니다.",
            "다른 사람이 보낸 링크라면 계속하지 마세요. 아무것도 연결하지 않았습니다.",
            "내 링크라면 채팅에서 새 연결 링크를 요청해 주세요.",
        ],
    ),
    flow.LINK_UNCONFIRMED: (
        403,
        "채팅에서 확인되지 않은 링크입니다",
        "warn",
        [
            "이 링크는 하루 채팅이 열려 있는 브라우저에서 채팅의 링크를 눌러야 쓸 수 있습니다.",
            "다른 사람이 보낸 링크라면 계속하지 마세요. 아무것도 연결하지 않았습니다.",
        ],
    ),
    flow.STATE_OTHER_BROWSER: (
        403,
        "이 브라우저에서 시작한 연결이 아닙니다",
        "warn",
        [
            "Google의 응답이 연결을 시작한 브라우저가 아닌 곳에 도착했습니다.",
            "다른 사람이 보낸 Google 화면 주소일 수 있어 아무것도 저장하지 않았습니다.",
            "내 채팅에서 받은 링크라면, 그 채팅에서 새 연결 링크를 요청해 주세요.",
        ],
    ),
    flow.STATE_UNKNOWN: (
        400,
        "올바르지 않은 요청입니다",
        "warn",
        [
            "인증 응답을 확인할 수 없습니다. 위조되었거나 잘못된 주소일 수 있습니다.",
            "아무것도 저장하지 않았습니다. 채팅에서 새 연결 링크를 요청해 주세요.",
        ],
    ),
    flow.STATE_USED: (
        400,
        "이미 처리된 요청입니다",
        "warn",
        [
            "이 인증 응답은 이미 한 번 사용되었습니다. 같은 응답은 다시 쓸 수 없습니다.",
            "아무것도 바뀌지 않았습니다.",
        ],
    ),
    flow.STATE_EXPIRED: (
        400,
        "인증 시간이 지났습니다",
        "warn",
        [
            "Google 화면에서 너무 오래 머물러 인증이 만료되었습니다. 아무것도 저장하지 않았습니다.",
            "채팅에서 새 연결 링크를 요청해 주세요.",
        ],
    ),
    flow.DENIED: (
        200,
        "연결이 취소되었습니다",
        "warn",
        [
            "Google 화면에서 권한 허용을 취소하셨습니다. 아무것도 저장하지 않았습니다.",
            "권한이 없으면 하루가 요청하신 일을 처리할 수 없습니다. 원하시면 다시 시도해 주세요.",
        ],
    ),
    flow.CODE_REJECTED: (
        400,
        "인증을 마치지 못했습니다",
        "warn",
        [
            "Google이 인증 코드를 받아들이지 않았습니다(만료되었거나 이미 사용됨).",
            "다시 시도해 주세요.",
        ],
    ),
    flow.GOOGLE_UNAVAILABLE: (
        503,
        "Google이 잠시 응답하지 않습니다",
        "warn",
        ["Google 서버가 일시적으로 응답하지 않습니다. 잠시 후 다시 시도해 주세요."],
    ),
    # Google sent the browser back with error=server_error, temporarily_unavailable, ...:
    # this request cannot be completed (a 4xx), and a fresh attempt usually works.
    flow.GOOGLE_REDIRECT_ERROR: (
        400,
        "Google에서 인증을 마치지 못했습니다",
        "warn",
        [
            "Google이 일시적인 오류로 인증을 끝내지 못했습니다. 아무것도 저장하지 않았습니다.",
            "아래 버튼으로 다시 시도해 주세요.",
        ],
    ),
    flow.GOOGLE_ERROR: (
        502,
        "Google에서 오류가 발생했습니다",
        "warn",
        ["Google이 요청을 처리하지 못했습니다. 아무것도 저장하지 않았습니다. 다시 시도해 주세요."],
    ),
}


SLACK_BACK_LABEL = "Slack 열기"
CHAT_BACK_LABEL = "채팅으로 돌아가기"


def _back(identity: IdentityLabel | None, chat_url: str | None) -> tuple[str | None, str, str]:
    """(link, its label, where to go) after a flow: Slack for a Slack link, else the chat."""
    if identity is not None and identity.channel == "slack":
        url = f"slack://open?team={identity.slack_team}" if identity.slack_team else None
        return url, SLACK_BACK_LABEL, "Slack"
    return chat_url, CHAT_BACK_LABEL, "채팅"


def outcome_page(
    outcome: str,
    *,
    headers: dict[str, str],
    capability: str | None = None,
    retry_url: str | None = None,
    chat_url: str | None = None,
    google_email: str | None = None,
    pending: bool = False,
    identity: IdentityLabel | None = None,
) -> HTMLResponse:
    """The page for one outcome of a link or of the callback."""
    back_url, back_label, where = _back(identity, chat_url)
    common: dict[str, Any] = {"headers": headers, "back_url": back_url, "back_label": back_label}
    if outcome == flow.OK:
        whose = f"「{identity.label}」에 " if identity is not None else ""
        go_back = f"이제 {where}으로 돌아가세요"
        lines = [
            f"{whose}{google_email or 'Google'} 계정의 「{_label(capability)}」 권한이 "
            "연결되었습니다.",
            f"{go_back}; 요청하신 일정은 자동으로 처리됩니다" if pending else f"{go_back}.",
        ]
        return render(
            "message.html", title="연결되었습니다", tone="ok", lines=lines, retry_url=None, **common
        )
    if outcome == flow.ACCOUNT_TAKEN:
        lines = [
            f"{google_email or '이'} 계정은 이미 다른 하루 사용자에게 연결된 Google 계정입니다.",
            "다른 사람의 캘린더가 섞이지 않도록 두 연결을 합치지 않으며, 아무것도 저장하지 "
            "않았습니다.",
            "다른 Google 계정으로 다시 시도하거나, 그 계정을 쓰는 하루에서 먼저 연결을 해제해 "
            "주세요.",
        ]
        return render(
            "message.html",
            status_code=409,
            title="이미 다른 사용자에게 연결된 계정입니다",
            tone="warn",
            lines=lines,
            retry_url=retry_url,
            **common,
        )
    if outcome == flow.SCOPE_MISSING:
        lines = [
            f"Google 화면에서 「{_label(capability)}」 권한이 선택되지 않았습니다.",
            "하루가 일을 처리하려면 이 권한이 꼭 필요합니다.",
            "다시 시도할 때 모든 항목에 체크해 주세요.",
            "이번 응답으로는 아무것도 저장하지 않았습니다.",
        ]
        return render(
            "message.html",
            status_code=200,
            title="권한이 부족합니다",
            tone="warn",
            lines=lines,
            retry_url=retry_url,
            **common,
        )
    status_code, title, tone, lines = _MESSAGES[outcome]
    return render(
        "message.html",
        status_code=status_code,
        title=title,
        tone=tone,
        lines=lines,
        retry_url=retry_url,
        **common,
    )
