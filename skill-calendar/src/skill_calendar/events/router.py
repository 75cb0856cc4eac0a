"""Thin routes of the events API (contracts.md, skill-calendar)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import get_session
from skill_calendar.events import creation, series, service
from skill_calendar.events.bounds import CalendarDatetime
from skill_calendar.events.dependencies import (
    CalendarRuntime,
    calendar_runtime,
    idempotency_key,
    optional_idempotency_key,
)
from skill_calendar.events.exceptions import RangeInvalid
from skill_calendar.events.schemas import (
    CalendarOut,
    Deleted,
    Event,
    EventCreate,
    EventList,
    EventPatch,
    EventUpdated,
    EventWrite,
    FreeBusy,
    FreeBusyQuery,
    Scope,
)
from skill_calendar.idempotency.service import run_once

router = APIRouter(prefix="/users/{user_id}", tags=["events"])

Runtime = Annotated[CalendarRuntime, Depends(calendar_runtime)]
Session = Annotated[AsyncSession, Depends(get_session)]
OptionalKey = Annotated[str | None, Depends(optional_idempotency_key)]
SCOPE_HELP = (
    "For an instance of a series: one (this instance), following (this and later: the "
    "series is split) or all (the series)"
)


@router.get("/calendar", response_model=CalendarOut)
async def get_calendar(user_id: str, runtime: Runtime) -> dict:
    info = await runtime.zones.info(user_id=user_id)
    email = info.google_email or runtime.tokens.google_email(user_id=user_id)
    return {"time_zone": info.time_zone, "google_email": email}


@router.post(
    "/events",
    response_model=EventWrite,
    status_code=201,
    responses={200: {"model": EventWrite, "description": "duplicate or replayed"}},
)
async def create_event(
    user_id: str,
    payload: EventCreate,
    runtime: Runtime,
    key: Annotated[str, Depends(idempotency_key)],
    session: Annotated[AsyncSession, Depends(get_session)],
) -> JSONResponse:
    status_code, body = await creation.create_event(
        google=runtime.google,
        zones=runtime.zones,
        session=session,
        user_id=user_id,
        key=key,
        payload=payload,
        ttl=runtime.idempotency_ttl,
    )
    return JSONResponse(EventWrite.model_validate(body).model_dump(mode="json"), status_code)


@router.get("/events", response_model=EventList)
async def list_events(
    user_id: str,
    runtime: Runtime,
    start: Annotated[CalendarDatetime, Query()],
    end: Annotated[CalendarDatetime, Query()],
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> dict:
    if end <= start:
        raise RangeInvalid()
    return await service.list_events(
        google=runtime.google, zones=runtime.zones, user_id=user_id, start=start, end=end, q=q
    )


@router.get("/events/{event_id}", response_model=Event)
async def get_event(user_id: str, event_id: str, runtime: Runtime) -> dict:
    return await service.get_event(
        google=runtime.google, zones=runtime.zones, user_id=user_id, event_id=event_id
    )


@router.get("/events/{event_id}/series", response_model=Event)
async def get_series(user_id: str, event_id: str, runtime: Runtime) -> dict:
    return await series.series_of(
        google=runtime.google, zones=runtime.zones, user_id=user_id, event_id=event_id
    )


@router.patch("/events/{event_id}", response_model=EventUpdated)
async def update_event(
    user_id: str,
    event_id: str,
    payload: EventPatch,
    runtime: Runtime,
    session: Session,
    key: OptionalKey,
    scope: Annotated[Scope, Query(description=SCOPE_HELP)] = "one",
) -> dict:
    async def work() -> tuple[int, dict]:
        return 200, await series.update_in_series(
            google=runtime.google,
            zones=runtime.zones,
            user_id=user_id,
            event_id=event_id,
            payload=payload,
            scope=scope,
        )

    request: dict[str, Any] = {"op": "patch", "event_id": event_id, "scope": scope}
    request["changes"] = payload.model_dump(mode="json", exclude_unset=True)
    return await _once(session, runtime, user_id=user_id, key=key, request=request, work=work)


@router.delete("/events/{event_id}", response_model=Deleted)
async def delete_event(
    user_id: str,
    event_id: str,
    runtime: Runtime,
    session: Session,
    key: OptionalKey,
    scope: Annotated[Scope, Query(description=SCOPE_HELP)] = "one",
) -> dict:
    async def work() -> tuple[int, dict]:
        return 200, await series.delete_in_series(
            google=runtime.google,
            zones=runtime.zones,
            user_id=user_id,
            event_id=event_id,
            scope=scope,
        )

    request = {"op": "delete", "event_id": event_id, "scope": scope}
    return await _once(session, runtime, user_id=user_id, key=key, request=request, work=work)


async def _once(
    session: AsyncSession,
    runtime: CalendarRuntime,
    *,
    user_id: str,
    key: str | None,
    request: dict,
    work: Callable[[], Awaitable[tuple[int, dict]]],
) -> dict:
    """The answer of a change to a series, replayed for a repeated Idempotency-Key."""
    _, body, _ = await run_once(
        session=session,
        user_id=user_id,
        key=key,
        request=request,
        ttl=runtime.idempotency_ttl,
        work=work,
    )
    return body


@router.post("/freebusy", response_model=FreeBusy)
async def free_busy(user_id: str, payload: FreeBusyQuery, runtime: Runtime) -> dict:
    start: datetime = payload.start
    return await service.free_busy(
        google=runtime.google, zones=runtime.zones, user_id=user_id, start=start, end=payload.end
    )
