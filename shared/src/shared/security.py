"""Security headers of every response, and the content security policy of a page.

One piece for every service: API answers get a policy that allows nothing, pages build
theirs with :func:`content_security_policy` and :func:`page_headers` (auth-server's Korean
pages, the router's chat page).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Where the responses of a service may not be framed, sniffed or referred from.
BASELINE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
# FastAPI's interactive docs load their script and styles from a CDN: no policy of ours.
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})


def content_security_policy(**sources: str) -> str:
    """A CSP that starts from nothing allowed: ``default-src 'none'``, no framing, no base.

    Keyword arguments add directives (``script_src="'self'"`` → ``script-src 'self'``).
    """
    directives = {"default-src": "'none'"}
    directives.update({name.replace("_", "-"): value for name, value in sources.items()})
    directives.setdefault("frame-ancestors", "'none'")
    directives.setdefault("base-uri", "'none'")
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def page_headers(*, policy: str, cache: str = "no-store") -> dict[str, str]:
    """Headers of an HTML page: the baseline, its policy and its caching."""
    return {**BASELINE_HEADERS, "Content-Security-Policy": policy, "Cache-Control": cache}


class SecurityHeadersMiddleware:
    """Adds the baseline headers (and the API policy) to answers that do not set their own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.raw = [(k.lower().encode(), v.encode()) for k, v in BASELINE_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with_policy = scope["path"] not in DOCS_PATHS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.raw if k not in present]
                if with_policy and b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", API_POLICY.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
