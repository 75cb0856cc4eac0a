"""Driver routes: a Slack user writes, edits, clicks; raw sends; a click's response_url."""

from typing import Annotated

from fastapi import APIRouter, Body

from slack_emulator.control.schemas import ClickIn, EditIn, MessageIn, RawIn, RedeliverIn
from slack_emulator.dependencies import SettingsDep, StateDep
from slack_emulator.driver import service

router = APIRouter()


@router.post("/emulator/driver/message")
async def message(
    body: MessageIn,
    state: StateDep,
    settings: SettingsDep,
) -> dict:
    """Store the person's message and deliver its event."""
    return await service.send_message(
        state=state,
        settings=settings,
        user_id=body.user,
        text=body.text,
        channel_id=body.channel,
        kind=body.kind,
        ack_timeout=body.ack_timeout_seconds,
        retry_delays=body.retry_delays_seconds,
        wait=body.wait,
        url=body.url,
    )


@router.post("/emulator/driver/edit")
async def edit(
    body: EditIn,
    state: StateDep,
    settings: SettingsDep,
) -> dict:
    """Edit the person's message and deliver message_changed."""
    return await service.edit_message(
        state=state,
        settings=settings,
        user_id=body.user,
        channel_id=body.channel,
        ts=body.ts,
        text=body.text,
        ack_timeout=body.ack_timeout_seconds,
        retry_delays=body.retry_delays_seconds,
        wait=body.wait,
    )


@router.post("/emulator/driver/click")
async def click(
    body: ClickIn,
    state: StateDep,
    settings: SettingsDep,
) -> dict:
    """Click a button of a stored message: one signed block_actions POST."""
    return await service.click(
        state=state,
        settings=settings,
        user_id=body.user,
        channel_id=body.channel,
        ts=body.ts,
        action_id=body.action_id,
        value=body.value,
        ack_timeout=body.ack_timeout_seconds,
    )


@router.post("/emulator/driver/redeliver")
async def redeliver(
    body: RedeliverIn,
    state: StateDep,
    settings: SettingsDep,
) -> dict:
    """Deliver an event's same body once more (a duplicate, or to another URL)."""
    return await service.redeliver(
        state=state,
        settings=settings,
        event_id=body.event_id,
        url=body.url,
        retry_num=body.retry_num,
        retry_reason=body.retry_reason,
        ack_timeout=body.ack_timeout_seconds,
    )


@router.post("/emulator/driver/raw")
async def raw(body: RawIn, settings: SettingsDep) -> dict:
    """Send exactly the given body and headers."""
    return await service.send_raw(
        settings=settings, target=body.url, body=body.body, headers=body.headers
    )


@router.post("/actions/{team_id}/{response_id}")
async def response_url(
    team_id: str,
    response_id: str,
    body: Annotated[dict, Body()],
    state: StateDep,
    settings: SettingsDep,
) -> dict:
    """What an app POSTs to a click's response_url."""
    return await service.respond(state=state, settings=settings, response_id=response_id, body=body)
