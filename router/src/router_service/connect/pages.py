"""The Korean pages of GET /connect when the browser cannot be sent on (no scripts, no assets)."""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

# A redirect or a page carrying a ticket: never cached, never leaked in a Referer.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    ),
}

NOT_YOURS = (
    "이 링크는 이 브라우저에서 열 수 없어요",
    [
        "구글 캘린더 연결 링크는 그 링크를 받은 하루 채팅이 열려 있는 브라우저에서만 쓸 수 있어요.",
        "다른 사람이 보낸 링크라면 열지 마세요. 아무것도 연결하지 않았어요.",
        "내 채팅에서 받은 링크라면, 그 채팅 화면에서 링크를 다시 눌러 주세요.",
    ],
)
UNAVAILABLE = (
    "잠시 후 다시 시도해 주세요",
    ["계정 서비스가 잠시 응답하지 않아요. 잠시 후 채팅에서 링크를 다시 눌러 주세요."],
)


def page(
    content: tuple[str, list[str]],
    *,
    status_code: int,
    chat_url: str,
    extra_headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A small Korean page with a way back to the chat."""
    title, lines = content
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · 하루</title>"
        "<style>body{font-family:sans-serif;max-width:560px;margin:40px auto;padding:0 16px;"
        "line-height:1.6;color:#1d2330}a{color:#1a73e8}</style></head><body>"
        f'<h1>{escape(title)}</h1>{body}<p><a href="{escape(chat_url)}">하루 채팅으로</a></p>'
        "</body></html>"
    )
    return HTMLResponse(html, status_code=status_code, headers={**HEADERS, **(extra_headers or {})})
