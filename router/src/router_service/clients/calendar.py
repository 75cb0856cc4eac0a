"""Thin client of skill-calendar's API (one method per remote verb).

skill-calendar owns the one retry budget at Google. Its final answer after spending it
(503 ``calendar.upstream_unavailable``) is not retried here, nor a read timeout (it is
still working on it); connection errors and a proxy's 502/504 while skill-calendar is
unreachable or restarting are, within shared.http's small bound.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

import httpx
from pydantic import BaseModel, Field

from router_service.clients.exceptions import (
    CalendarEventNotFound,
    CalendarReauthRequired,
    CalendarRequestFailed,
    CalendarUnavailable,
)
from shared.db import release_idle_connection
from shared.http import RETRY_POLICY, RetryPolicy, error_object
from shared.time import isoformat

logger = logging.getLogger(__name__)

EVENTS_PATH = "/v1/users/{user_id}/events"
EVENT_PATH = "/v1/users/{user_id}/events/{event_id}"
SERIES_PATH = "/v1/users/{user_id}/events/{event_id}/series"
SYNC_PATH = "/v1/sync/people/{user_id}"
REAUTH_CODES = frozenset({"calendar.reauth_required", "auth.reauth_required"})
UPSTREAM_EXHAUSTED = "calendar.upstream_unavailable"
ONE_BUDGET = RetryPolicy(
    final_error_codes=frozenset({UPSTREAM_EXHAUSTED}), retry_read_timeout=False
)
# Longer than skill-calendar takes to answer with its budget spent (CALENDAR_GOOGLE_RETRY_BUDGET_S,
# 12 s by default, plus its ordinary calls), so its own answer arrives first.
CALL_TIMEOUT = httpx.Timeout(30.0, connect=2.0)


class CalendarEvent(BaseModel):
    id: str
    title: str = ""
    start: datetime | None = None
    end: datetime | None = None
    start_date: date | None = None
    end_date: date | None = None
    all_day: bool = False
    location: str | None = None
    description: str | None = None
    html_link: str | None = None
    status: str | None = None
    recurrence: list[str] | None = None  # a series' master
    recurring_event_id: str | None = None  # an instance of a series
    original_start: str | None = None  # an instance: where its rule put it
    # Its own popup reminders (minutes before; [] none); None: the calendar's default.
    reminder_minutes: list[int] | None = None
    time_zone: str | None = None  # the event's, else its calendar's (all-day: the calendar's)


class CreateResult(BaseModel):
    status: str
    event: CalendarEvent
    conflicts: list[CalendarEvent] = Field(default_factory=list)


class UpdateResult(BaseModel):
    event: CalendarEvent
    conflicts: list[CalendarEvent] = Field(default_factory=list)


class DeleteResult(BaseModel):
    deleted: bool
    already_deleted: bool = False


class CalendarClient:
    """Calls skill-calendar on behalf of a user."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def list_events(
        self, *, user_id: str, start: datetime, end: datetime, q: str | None = None
    ) -> list[CalendarEvent]:
        """Events of the half-open range ``[start, end)``, sorted by start."""
        params = {"start": isoformat(start), "end": isoformat(end)}
        if q:
            params["q"] = q
        body = await self._call("GET", EVENTS_PATH.format(user_id=user_id), params=params)
        return [CalendarEvent.model_validate(item) for item in body.get("events", [])]

    async def get_event(self, *, user_id: str, event_id: str) -> CalendarEvent:
        """One event as it is now (``CalendarEventNotFound`` when deleted)."""
        path = EVENT_PATH.format(user_id=user_id, event_id=event_id)
        return CalendarEvent.model_validate(await self._call("GET", path))

    async def series_of(self, *, user_id: str, event_id: str) -> CalendarEvent:
        """The series (its master, with ``recurrence``) that an occurrence belongs to."""
        path = SERIES_PATH.format(user_id=user_id, event_id=event_id)
        return CalendarEvent.model_validate(await self._call("GET", path))

    async def create_event(
        self, *, user_id: str, event: dict[str, Any], idempotency_key: str
    ) -> CreateResult:
        """Creates an event; the same key with the same body replays the first answer."""
        body = await self._call(
            "POST",
            EVENTS_PATH.format(user_id=user_id),
            json=event,
            headers={"Idempotency-Key": idempotency_key},
        )
        return CreateResult.model_validate(body)

    async def update_event(
        self,
        *,
        user_id: str,
        event_id: str,
        changes: dict[str, Any],
        scope: str | None = None,
        idempotency_key: str | None = None,
    ) -> UpdateResult:
        """Patches an event with ``changes`` (an instance: ``scope`` one, following or all)."""
        path = EVENT_PATH.format(user_id=user_id, event_id=event_id)
        extra = _series_options(scope, idempotency_key)
        return UpdateResult.model_validate(await self._call("PATCH", path, json=changes, **extra))

    async def delete_event(
        self,
        *,
        user_id: str,
        event_id: str,
        scope: str | None = None,
        idempotency_key: str | None = None,
    ) -> DeleteResult:
        """Deletes an event (a second delete reports ``already_deleted``); ``scope`` as above."""
        path = EVENT_PATH.format(user_id=user_id, event_id=event_id)
        extra = _series_options(scope, idempotency_key)
        return DeleteResult.model_validate(await self._call("DELETE", path, **extra))

    async def follow_calendar(self, *, user_id: str) -> None:
        """Asks skill-calendar to follow the person's calendar (sync and push; idempotent)."""
        await self._call("PUT", SYNC_PATH.format(user_id=user_id))

    async def unfollow_calendar(self, *, user_id: str, now: bool = False) -> str:
        """Asks skill-calendar to stop following the person's calendar (idempotent); with
        ``now`` the channel is stopped at Google within the call. ``stopped`` when it was,
        ``accepted`` when it is left to skill-calendar's queue."""
        params = {"now": "true"} if now else None
        answer = await self._call("DELETE", SYNC_PATH.format(user_id=user_id), params=params)
        return str(answer.get("status", "accepted"))

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        await release_idle_connection()  # no pooled connection held while we wait
        try:
            response = await self.http.request(
                method, path, timeout=CALL_TIMEOUT, extensions={RETRY_POLICY: ONE_BUDGET}, **kwargs
            )
        except httpx.HTTPError as err:
            logger.warning("skill-calendar unreachable", extra={"error_type": type(err).__name__})
            raise CalendarUnavailable() from err
        if response.status_code < 400:
            return response.json()
        error = error_object(response)
        code = error.get("code")
        if response.status_code == 409 and code in REAUTH_CODES:
            raise CalendarReauthRequired(details=error.get("details") or {})
        if response.status_code == 404 and code == "calendar.event_not_found":
            raise CalendarEventNotFound()
        if response.status_code >= 500:
            raise CalendarUnavailable(details={"status": response.status_code, "code": code})
        raise CalendarRequestFailed(details={"status": response.status_code, "code": code})


def _series_options(scope: str | None, idempotency_key: str | None) -> dict[str, Any]:
    """Query and headers of a change to a series (nothing when neither is given)."""
    extra: dict[str, Any] = {}
    if scope is not None:
        extra["params"] = {"scope": scope}
    if idempotency_key is not None:
        extra["headers"] = {"Idempotency-Key": idempotency_key}
    return extra
