"""The Web API methods Haru calls, with Slack's answers and error codes."""

import asyncio
import copy

from slack_emulator.driver import payloads
from slack_emulator.driver import service as driver
from slack_emulator.errors import SERVER_ERRORS, SlackApiError
from slack_emulator.messages import api_message
from slack_emulator.settings import Settings
from slack_emulator.state import State, now_iso
from slack_emulator.web.blocks import parse_blocks, validate_blocks
from slack_emulator.web.dependencies import authenticate

MAX_TEXT = 40_000
HTTP_TOO_MANY_REQUESTS = 429
HTTP_SERVER_ERROR = 500


def _arg(args: dict, name: str) -> str | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    return str(value)


def _resolve_channel(state: State, channel: str | None) -> dict:
    """A channel the bot may post to: a known conversation, or a user id meaning their DM."""
    if channel is None:
        raise SlackApiError("channel_not_found")
    with state.lock:
        if channel in state.channels:
            return state.channels[channel]
        user = state.users.get(channel)
    if user is None or user["is_bot"]:
        raise SlackApiError("channel_not_found")
    if user["deleted"]:
        raise SlackApiError("user_disabled")
    return state.dm_for(channel)


def _content(args: dict) -> tuple[str | None, list[dict] | None]:
    text = _arg(args, "text")
    blocks = parse_blocks(args.get("blocks"))
    if text is not None and len(text) > MAX_TEXT:
        raise SlackApiError("msg_too_long")
    if blocks is not None:
        blocks = validate_blocks(blocks)
    return text, blocks


def _echo(state: State, settings: Settings, channel: dict, event: dict) -> None:
    """Slack tells the app about its own DM posts too (message.im with bot_id)."""
    if settings.echo_bot_messages and settings.events_url and channel["is_im"]:
        envelope = payloads.event_callback(state.identity, event)
        state.spawn(driver.deliver_event(state=state, settings=settings, envelope=envelope))


async def auth_test(*, state: State, settings: Settings, args: dict) -> dict:
    """auth.test: who the token belongs to."""
    ident = state.identity
    return {
        "ok": True,
        "url": f"https://{ident.team_domain}.slack.com/",
        "team": ident.team_name,
        "user": ident.bot_name,
        "team_id": ident.team_id,
        "user_id": ident.bot_user_id,
        "bot_id": ident.bot_id,
        "is_enterprise_install": False,
    }


async def conversations_open(*, state: State, settings: Settings, args: dict) -> dict:
    """conversations.open: the bot's DM with one user (resumed if already open)."""
    users = _arg(args, "users")
    channel_id = _arg(args, "channel")
    if users is None:
        if channel_id is None:
            raise SlackApiError("users_list_not_supplied")
        with state.lock:
            channel = state.channels.get(channel_id)
        if channel is None:
            raise SlackApiError("channel_not_found")
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel["id"]}}
    ids = [part.strip() for part in users.split(",") if part.strip()]
    if len(ids) != 1:
        raise SlackApiError("not_supported")  # group DMs are not emulated
    with state.lock:
        user = state.users.get(ids[0])
        existing = state.dms.get(ids[0])
    if user is None or user["is_bot"]:
        raise SlackApiError("user_not_found")
    if user["deleted"]:
        raise SlackApiError("user_disabled")
    channel = state.dm_for(ids[0])
    answer: dict = {"ok": True, "channel": {"id": channel["id"]}}
    if existing is not None:
        answer.update(no_op=True, already_open=True)
    return answer


async def chat_post_message(*, state: State, settings: Settings, args: dict) -> dict:
    """chat.postMessage: store the bot's message in the conversation."""
    channel = _resolve_channel(state, _arg(args, "channel"))
    text, blocks = _content(args)
    if text is None and not blocks:
        raise SlackApiError("no_text")
    thread_ts = _arg(args, "thread_ts")
    if thread_ts is not None and state.find_message(channel["id"], thread_ts) is None:
        raise SlackApiError("thread_not_found")
    ident = state.identity
    record = {
        "channel": channel["id"],
        "ts": state.next_ts(),
        "text": text or "",
        "blocks": blocks or [],
        "user": ident.bot_user_id,
        "bot_id": ident.bot_id,
        "thread_ts": thread_ts,
        "edited": False,
        "updates": 0,
        "posted_at": now_iso(),
    }
    state.store_message(channel["id"], record)
    message = api_message(state.identity, record)
    _echo(state, settings, channel, payloads.bot_message_event(ident, channel, message))
    return {"ok": True, "channel": channel["id"], "ts": record["ts"], "message": message}


async def chat_update(*, state: State, settings: Settings, args: dict) -> dict:
    """chat.update: replace a bot message's text (and blocks; text alone drops them)."""
    channel_id = _arg(args, "channel")
    with state.lock:
        channel = state.channels.get(channel_id or "")
    if channel is None:
        raise SlackApiError("channel_not_found")
    ts = _arg(args, "ts")
    if ts is None:
        raise SlackApiError("message_not_found")
    text, blocks = _content(args)
    if text is None and blocks is None:
        raise SlackApiError("no_text")
    ident = state.identity
    with state.lock:
        record = state.find_message(channel["id"], ts)
        if record is None:
            raise SlackApiError("message_not_found")
        if record.get("bot_id") != ident.bot_id:
            raise SlackApiError("cant_update_message")
        previous = api_message(state.identity, record)
        if blocks is not None:
            record["blocks"] = blocks
        elif text is not None:
            record["blocks"] = []
        if text is not None:
            record["text"] = text
        record["edited"] = True
        record["edited_ts"] = state.next_ts()
        record["updates"] += 1
        message = api_message(state.identity, record)
    changed = payloads.message_changed_event(
        channel=channel, message=message, previous=previous, event_ts=record["edited_ts"]
    )
    _echo(state, settings, channel, changed)
    return {
        "ok": True,
        "channel": channel["id"],
        "ts": ts,
        "text": record["text"],
        "message": message,
    }


async def users_info(*, state: State, settings: Settings, args: dict) -> dict:
    """users.info: a user's profile and time zone."""
    with state.lock:
        user = state.users.get(_arg(args, "user") or "")
        user = copy.deepcopy(user)
    if user is None:
        raise SlackApiError("user_not_found")
    return {"ok": True, "user": user}


METHODS = {
    "auth.test": auth_test,
    "conversations.open": conversations_open,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "users.info": users_info,
}


async def _apply_fault(state: State, method: str) -> None:
    """Count the call; an injected fault (delay, 429, 5xx or an error code) takes effect."""
    fault = state.record_call(method)
    if fault is None:
        return
    if fault.delay:
        await asyncio.sleep(fault.delay)
    if fault.error == "ratelimited" or fault.status == HTTP_TOO_MANY_REQUESTS:
        retry_after = fault.retry_after if fault.retry_after is not None else 1
        raise SlackApiError(
            "ratelimited", status=HTTP_TOO_MANY_REQUESTS, headers={"Retry-After": str(retry_after)}
        )
    if fault.status is not None and fault.status >= HTTP_SERVER_ERROR:
        error = fault.error or SERVER_ERRORS.get(fault.status, "fatal_error")
        raise SlackApiError(error, status=fault.status)
    if fault.error:
        raise SlackApiError(fault.error)


async def call_method(
    *, state: State, settings: Settings, method: str, args: dict, token: str | None
) -> dict:
    """One Web API call: count it, apply faults, check the token, run the method."""
    await _apply_fault(state, method)
    handler = METHODS.get(method)
    if handler is None:
        raise SlackApiError("unknown_method")
    authenticate(token, settings.bot_token)
    return await handler(state=state, settings=settings, args=args)
