"""Control routes: reset, users, faults, call counts, the record of messages and deliveries."""

import copy
from dataclasses import asdict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException

from slack_emulator.control.schemas import FaultIn, UserIn
from slack_emulator.dependencies import StateDep
from slack_emulator.driver import service as driver
from slack_emulator.state import Fault

router = APIRouter(prefix="/emulator")


@router.post("/reset")
async def reset(state: StateDep) -> dict:
    """Back to start: bot and team only."""
    state.reset()
    return {"ok": True}


@router.post("/users")
async def add_user(body: UserIn, state: StateDep) -> dict:
    """Create (or replace) a Slack user."""
    if body.tz is not None:
        try:
            ZoneInfo(body.tz)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise HTTPException(400, f"unknown time zone: {body.tz}") from err
    if body.id == state.identity.bot_user_id:
        raise HTTPException(409, "that id is the bot's")
    user = state.make_user(
        user_id=body.id,
        name=body.name,
        real_name=body.real_name,
        tz=body.tz,
        email=body.email,
        deleted=body.deleted,
    )
    return state.add_user(user)


@router.get("/users")
async def list_users(state: StateDep) -> dict:
    """Every user, the bot included."""
    with state.lock:
        return {"users": copy.deepcopy(list(state.users.values()))}


@router.post("/faults")
async def add_fault(body: FaultIn, state: StateDep) -> dict:
    """Inject a fault for the next calls of a method (consumed in order)."""
    fault = Fault(**body.model_dump())
    with state.lock:
        state.faults.append(fault)
    return asdict(fault)


@router.get("/faults")
async def list_faults(state: StateDep) -> dict:
    """The faults not yet consumed."""
    with state.lock:
        return {"faults": [asdict(fault) for fault in state.faults]}


@router.delete("/faults")
async def clear_faults(state: StateDep) -> dict:
    """Remove every injected fault."""
    with state.lock:
        state.faults.clear()
    return {"ok": True}


@router.get("/calls")
async def calls(state: StateDep) -> dict:
    """Web API call counts by method."""
    with state.lock:
        return {"counts": dict(state.calls)}


@router.delete("/calls")
async def reset_calls(state: StateDep) -> dict:
    """Reset call counts."""
    with state.lock:
        state.calls.clear()
    return {"ok": True}


@router.get("/messages")
async def messages(state: StateDep, channel: str | None = None) -> dict:
    """Messages in posting order: of one channel, or of all."""
    with state.lock:
        if channel is not None:
            found = state.messages.get(channel, [])
        else:
            found = sorted(
                (m for msgs in state.messages.values() for m in msgs), key=lambda m: m["ts"]
            )
        return {"messages": copy.deepcopy(found)}


@router.get("/deliveries")
async def deliveries(state: StateDep, event_id: str | None = None) -> dict:
    """Event delivery attempts: of one event, or of all."""
    if event_id is not None:
        return driver.delivery(state, event_id)
    with state.lock:
        return {"events": copy.deepcopy(list(state.deliveries.values()))}
