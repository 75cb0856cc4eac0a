"""A thin async client of the Google Calendar v3 REST API, one method per remote verb.

It speaks the same REST requests google-api-python-client would send, with httpx, so
no worker thread is tied up per call; concurrency is bounded by a CapacityLimiter.
Transient failures (429, 5xx, 403 rate limits, timeouts) are retried with
exponential backoff and full jitter, honouring Retry-After, inside a total time
budget; a 401 triggers exactly one forced token refresh.

This is the one retry budget between a person and Google (the router does not retry our
final 503). Each attempt's timeout is the HTTP client's, cut to what is left of the budget,
so a timed-out call is retried here too; for events.insert that is safe because the event
id is chosen by us: the repeat of a write that reached Google answers 409 for that id.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import anyio
import httpx

from shared.backoff import retry_after_seconds, retry_delay
from shared.http import error_object
from skill_calendar.google.exceptions import (
    CalendarAccessDenied,
    CalendarPreconditionFailed,
    CalendarReauthRequired,
    CalendarRequestRejected,
    CalendarUnavailable,
    CalendarUpstreamError,
    ChannelNotFound,
    EventNotFound,
    GoogleIdTaken,
    SyncTokenExpired,
)

logger = logging.getLogger(__name__)

CALENDAR_PATH = "/calendar/v3"
PRIMARY = "primary"
PAGE_SIZE = 250
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_CAP_S = 30.0
# An attempt is not started with less of the budget left than this.
MIN_ATTEMPT_S = 1.0

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class TokenSource(Protocol):
    """Hands out Google access tokens for a user's calendar grant."""

    async def access_token(self, *, user_id: str, refused: str | None = None) -> str: ...


def google_reason(response: httpx.Response) -> str | None:
    """The first ``errors[].reason`` of a Google error body, if any."""
    error = error_object(response)
    errors = error.get("errors") or []
    if errors and isinstance(errors[0], dict):
        return errors[0].get("reason")
    return error.get("status")


class GoogleCalendarClient:
    """Google Calendar v3: calendars.get, events.list/get/insert/patch/delete, freebusy.query."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        tokens: TokenSource,
        limiter: anyio.CapacityLimiter,
        retry_budget_s: float = 8.0,
        backoff_base_s: float = 0.25,
        backoff_cap_s: float = 4.0,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.http = http
        # Requests go to absolute URLs built here: httpx then parses each URL once, instead of
        # the path, its join with the base URL and the query each (a few hundred calls per
        # request: httpx checks every character of every parse).
        self._root = str(http.base_url).rstrip("/") + CALENDAR_PATH
        self.tokens = tokens
        self.limiter = limiter
        self.retry_budget_s = retry_budget_s
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.sleep = sleep
        self.clock = clock

    # --- remote verbs -------------------------------------------------------------

    async def get_calendar(self, *, user_id: str) -> dict[str, Any]:
        """calendars.get(primary)."""
        return await self._call(user_id, "GET", f"/calendars/{PRIMARY}")

    async def list_events(
        self, *, user_id: str, time_min: str, time_max: str, time_zone: str, q: str | None = None
    ) -> list[dict[str, Any]]:
        """events.list over [time_min, time_max), single events, every page gathered."""
        params: dict[str, Any] = {
            "timeMin": time_min,
            "timeMax": time_max,
            "timeZone": time_zone,
            "singleEvents": "true",
            "orderBy": "startTime",
            "maxResults": PAGE_SIZE,
        }
        if q:
            params["q"] = q
        items: list[dict[str, Any]] = []
        page_token: str | None = None
        while True:
            page_params = dict(params, pageToken=page_token) if page_token else params
            page = await self._call(
                user_id, "GET", f"/calendars/{PRIMARY}/events", params=page_params
            )
            items.extend(page.get("items") or [])
            page_token = page.get("nextPageToken")
            if not page_token:
                return items

    async def get_event(
        self, *, user_id: str, event_id: str, budget_s: float | None = None
    ) -> dict[str, Any]:
        """events.get (within ``budget_s`` when given, else the client's retry budget)."""
        return await self._call(user_id, "GET", self._event_path(event_id), budget_s=budget_s)

    async def insert_event(self, *, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """events.insert of ``body`` with its own ``id``; GoogleIdTaken when that id exists."""
        if not body.get("id"):
            raise ValueError("events.insert needs a client-chosen id to be retried safely")
        return await self._call(
            user_id, "POST", f"/calendars/{PRIMARY}/events", json=body, on_conflict=GoogleIdTaken
        )

    async def patch_event(
        self, *, user_id: str, event_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """events.patch."""
        return await self._call(user_id, "PATCH", self._event_path(event_id), json=body)

    async def delete_event(self, *, user_id: str, event_id: str) -> None:
        """events.delete."""
        await self._call(user_id, "DELETE", self._event_path(event_id))

    async def query_freebusy(
        self, *, user_id: str, time_min: str, time_max: str, time_zone: str
    ) -> dict[str, Any]:
        """freebusy.query for the primary calendar."""
        body = {
            "timeMin": time_min,
            "timeMax": time_max,
            "timeZone": time_zone,
            "items": [{"id": PRIMARY}],
        }
        return await self._call(user_id, "POST", "/freeBusy", json=body)

    async def list_changes(
        self, *, user_id: str, sync_token: str | None, time_min: str | None = None
    ) -> tuple[list[dict[str, Any]], str]:
        """events.list for incremental sync: every page of what changed since ``sync_token``
        (None: a full sync from ``time_min``) and the last page's nextSyncToken.

        Raises SyncTokenExpired on Google's 410 fullSyncRequired (the caller syncs in full).
        """
        params: dict[str, Any] = {"maxResults": PAGE_SIZE, "showDeleted": "true"}
        if sync_token:
            params["syncToken"] = sync_token
        elif time_min:
            params["timeMin"] = time_min
        items: list[dict[str, Any]] = []
        page_token: str | None = None
        while True:
            page_params = dict(params, pageToken=page_token) if page_token else params
            page = await self._call(
                user_id, "GET", f"/calendars/{PRIMARY}/events", params=page_params
            )
            items.extend(page.get("items") or [])
            page_token = page.get("nextPageToken")
            if not page_token:
                return items, str(page.get("nextSyncToken") or "")

    async def watch_events(
        self, *, user_id: str, channel_id: str, address: str, token: str, ttl_s: int
    ) -> dict[str, Any]:
        """events.watch on the primary calendar: a push channel; Google's Channel resource."""
        body = {
            "id": channel_id,
            "type": "web_hook",
            "address": address,
            "token": token,
            "params": {"ttl": str(ttl_s)},
        }
        return await self._call(user_id, "POST", f"/calendars/{PRIMARY}/events/watch", json=body)

    async def stop_channel(self, *, user_id: str, channel_id: str, resource_id: str) -> None:
        """channels.stop; ChannelNotFound when Google no longer has it."""
        body = {"id": channel_id, "resourceId": resource_id}
        await self._call(user_id, "POST", "/channels/stop", json=body, on_missing=ChannelNotFound)

    # --- plumbing -----------------------------------------------------------------

    @staticmethod
    def _event_path(event_id: str) -> str:
        return f"/calendars/{PRIMARY}/events/{quote(event_id, safe='')}"

    def _attempt_timeout(self, remaining: float) -> httpx.Timeout:
        """The client's timeouts, none longer than the budget that is left."""
        configured = self.http.timeout
        return httpx.Timeout(
            connect=min(configured.connect or remaining, remaining),
            read=min(configured.read or remaining, remaining),
            write=min(configured.write or remaining, remaining),
            pool=min(configured.pool or remaining, remaining),
        )

    async def _call(
        self,
        user_id: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        on_conflict: type[Exception] | None = None,
        on_missing: type[Exception] | None = None,
        budget_s: float | None = None,
    ) -> Any:
        deadline = self.clock() + (budget_s or self.retry_budget_s)
        url = f"{self._root}{path}?{urlencode(params)}" if params else self._root + path
        attempt = 0
        refused: str | None = None
        refreshed = False
        while True:
            token = await self.tokens.access_token(user_id=user_id, refused=refused)
            refused = None
            attempt += 1
            retry_after: float | None = None
            try:
                async with self.limiter:
                    response = await self.http.request(
                        method,
                        url,
                        json=json,
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=self._attempt_timeout(max(deadline - self.clock(), MIN_ATTEMPT_S)),
                    )
            except httpx.TransportError as err:
                why = type(err).__name__
            else:
                status = response.status_code
                if status < 300:
                    return response.json() if status != 204 and response.content else {}
                reason = google_reason(response)
                if status == 401:
                    if refreshed:
                        raise CalendarReauthRequired(reason="unauthorized", connect_url=None)
                    refreshed, refused = True, token
                    continue
                if not (
                    status in RETRY_STATUSES or (status == 403 and reason in RATE_LIMIT_REASONS)
                ):
                    self._raise_for(status, reason, on_conflict, on_missing)
                why = f"status {status} {reason or ''}".strip()
                retry_after = retry_after_seconds(
                    response.headers.get("retry-after"), cap=RETRY_AFTER_CAP_S
                )
            delay = retry_delay(
                attempt, base=self.backoff_base_s, cap=self.backoff_cap_s, retry_after=retry_after
            )
            if self.clock() + delay + MIN_ATTEMPT_S > deadline:
                logger.warning(
                    "google %s %s gave up after %d attempts: %s", method, path, attempt, why
                )
                raise CalendarUnavailable(retry_after=max(1, math.ceil(delay)))
            logger.info(
                "retrying google %s %s after %s",
                method,
                path,
                why,
                extra={"attempt": attempt, "delay_s": round(delay, 3)},
            )
            await self.sleep(delay)

    @staticmethod
    def _raise_for(
        status: int,
        reason: str | None,
        on_conflict: type[Exception] | None,
        on_missing: type[Exception] | None = None,
    ) -> None:
        if status == 410 and reason == "fullSyncRequired":
            raise SyncTokenExpired()
        if status == 404 and on_missing is not None:
            raise on_missing()
        if status in (404, 410):
            raise EventNotFound(details={"google_status": status})
        if status == 409 and on_conflict is not None:
            raise on_conflict()
        if status == 403 and reason in ("insufficientPermissions", "forbiddenForNonOrganizer"):
            if reason == "insufficientPermissions":
                raise CalendarReauthRequired(reason="scope_missing", connect_url=None)
            raise CalendarAccessDenied(details={"reason": reason})
        if status == 403:
            raise CalendarAccessDenied(details={"reason": reason})
        if status == 412:
            raise CalendarPreconditionFailed()
        if status in (400, 409):
            raise CalendarRequestRejected(details={"reason": reason, "google_status": status})
        raise CalendarUpstreamError(details={"reason": reason, "google_status": status})
