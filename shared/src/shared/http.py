"""One factory for outgoing HTTP clients between services.

Timeouts, retries with exponential backoff and full jitter on connection
errors and 502/503/504/429 (honouring ``Retry-After``, capped), the caller's
bearer token, and ``X-Request-ID`` propagation.

A caller whose server owns a retry budget of its own narrows these retries per request
with a :class:`RetryPolicy` in the request extension ``RETRY_POLICY`` (one budget, not
retries stacked on retries).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from shared.backoff import retry_after_seconds, retry_delay
from shared.context import REQUEST_ID_HEADER, current_request_id, new_request_id

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Errors raised before the request reached the server: always safe to retry.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Errors after the request may have been processed: retried only when idempotent.
MAYBE_SENT_ERRORS = (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError)

# Request extension carrying a RetryPolicy (``client.request(..., extensions={RETRY_POLICY: p})``).
RETRY_POLICY = "haru.retry_policy"

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """Per-request limits on RetryTransport's retries, for a server that retries upstream itself.

    ``final_error_codes``: error codes (the JSON body's ``error.code``) meaning the server
    already spent its own retry budget; such an answer is returned as it is, never retried.
    ``retry_read_timeout``: whether a read timeout (the server is slow, perhaps retrying
    upstream) is retried; connection errors and dropped connections always are.
    """

    final_error_codes: frozenset[str] = frozenset()
    retry_read_timeout: bool = True


DEFAULT_POLICY = RetryPolicy()


def path_of(template: str, **segments: str) -> str:
    """``template`` with each ``{name}`` replaced by its value as one percent-encoded path
    segment: httpx sends a given path as it is, so an id holding "/", "?", "#", "%" or a
    space would otherwise name another resource or start a query or a fragment; "." and ".."
    (which httpx would resolve as dot segments) are sent as ``%2E``."""
    return template.format(**{name: _segment(value) for name, value in segments.items()})


def _segment(value: str) -> str:
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="", errors="surrogatepass")


def error_object(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of a JSON error body, ``{}`` when there is none.

    The one parser of the error bodies Haru reads: its own services' and Google APIs'
    ``{"error": {"code": ..., ...}}`` come back as they are; OAuth 2.0's
    ``{"error": "invalid_grant", "error_description": ...}`` (Google's token endpoint, Slack's
    ``{"ok": false, "error": ...}``) as ``{"code": "invalid_grant", "message": ...}``.
    """
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return error
    if isinstance(error, str) and error:
        description = body.get("error_description")
        return {"code": error, "message": description} if description else {"code": error}
    return {}


async def error_code(response: httpx.Response) -> str | None:
    """The ``error.code`` of a JSON error body (reads the body), if any."""
    await response.aread()
    code = error_object(response).get("code")
    return code if isinstance(code, str) else None


class RetryTransport(httpx.AsyncBaseTransport):
    """Wraps a transport with bounded retries."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        retries: int = 3,
        backoff_base: float = 0.2,
        backoff_cap: float = 3.0,
        retry_after_cap: float = 10.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.sleep = sleep

    @staticmethod
    def _replay_safe(request: httpx.Request) -> bool:
        return request.method in IDEMPOTENT_METHODS or "idempotency-key" in request.headers

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        policy = request.extensions.get(RETRY_POLICY, DEFAULT_POLICY)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self.inner.handle_async_request(request)
            except NOT_SENT_ERRORS:
                if attempt > self.retries:
                    raise
                await self._wait(attempt, None, request, "connect error")
                continue
            except MAYBE_SENT_ERRORS as err:
                if (
                    attempt > self.retries
                    or not self._replay_safe(request)
                    or (isinstance(err, httpx.ReadTimeout) and not policy.retry_read_timeout)
                ):
                    raise
                await self._wait(attempt, None, request, "read error")
                continue
            if (
                response.status_code not in RETRY_STATUSES
                or attempt > self.retries
                or not (self._replay_safe(request) or response.status_code in (429, 503))
            ):
                return response
            if policy.final_error_codes and await error_code(response) in policy.final_error_codes:
                return response
            retry_after = response.headers.get("retry-after")
            await response.aclose()
            await self._wait(attempt, retry_after, request, f"status {response.status_code}")

    async def _wait(
        self, attempt: int, retry_after: str | None, request: httpx.Request, why: str
    ) -> None:
        delay = retry_delay(
            attempt,
            base=self.backoff_base,
            cap=self.backoff_cap,
            retry_after=retry_after_seconds(retry_after, cap=self.retry_after_cap),
        )
        logger.info(
            "retrying %s %s after %s",
            request.method,
            request.url.path,
            why,
            extra={"attempt": attempt, "delay_s": round(delay, 3)},
        )
        await self.sleep(delay)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _propagate_request_id(request: httpx.Request) -> None:
    if REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = current_request_id() or new_request_id()


def create_client(
    *,
    base_url: str,
    token: str | None = None,
    timeout: float = 10.0,
    connect_timeout: float = 2.0,
    retries: int = 3,
    backoff_base: float = 0.2,
    backoff_cap: float = 3.0,
    retry_after_cap: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep = asyncio.sleep,
    max_connections: int = 100,
) -> httpx.AsyncClient:
    """Builds an AsyncClient for calling another service (or an external API)."""
    inner = transport or httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=20)
    )
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        transport=RetryTransport(
            inner,
            retries=retries,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            retry_after_cap=retry_after_cap,
            sleep=sleep,
        ),
        event_hooks={"request": [_propagate_request_id]},
    )
