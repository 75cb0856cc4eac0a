"""The driver: what Slack sends to the app when a person writes, edits or clicks."""

import asyncio
import copy
import json
import time
import uuid
from urllib.parse import urlencode

import httpx

from slack_emulator.driver import payloads
from slack_emulator.driver.signing import signed_headers
from slack_emulator.errors import DriverError
from slack_emulator.messages import api_message
from slack_emulator.settings import Settings
from slack_emulator.state import State, new_id, now_iso
from slack_emulator.web.blocks import buttons, parse_blocks, validate_blocks

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MAX_RETRIES = 3  # Slack retries a failed event delivery up to three times
LATE_RESPONSE_TIMEOUT = 60.0  # how long a timed-out attempt may still answer (recorded late)
MAX_REDIRECTS = 2
MAX_ANSWER_BODY = 2000  # characters of an answer a redelivery reports back


def _target(settings: Settings, which: str) -> str:
    url = settings.events_url if which == "events" else settings.interactivity_url
    if not url:
        raise DriverError(409, f"{which}_url_not_configured")
    return url


def _failure_reason(err: Exception) -> str:
    """Slack's X-Slack-Retry-Reason for a transport failure."""
    if isinstance(err, httpx.TooManyRedirects):
        return "too_many_redirects"
    if isinstance(err, httpx.ConnectError):
        return "connection_failed"
    return "unknown_error"


async def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(
        timeout=LATE_RESPONSE_TIMEOUT, follow_redirects=True, max_redirects=MAX_REDIRECTS
    ) as client:
        return await client.post(url, content=body, headers=headers)


async def _attempt(
    state: State, url: str, body: bytes, headers: dict[str, str], ack_timeout: float
) -> tuple[dict, httpx.Response | None]:
    """One POST; a response later than the ack window is recorded as `late_status`."""
    started = time.monotonic()
    request = state.spawn(_post(url, body, headers))
    record: dict = {"status": None, "reason": None, "elapsed_ms": None}
    response = None
    try:
        response = await asyncio.wait_for(asyncio.shield(request), ack_timeout)
    except TimeoutError:
        record["reason"] = "http_timeout"

        def late(task: asyncio.Task) -> None:
            if not task.cancelled() and task.exception() is None:
                record["late_status"] = task.result().status_code

        request.add_done_callback(late)
    except httpx.HTTPError as err:
        record["reason"] = _failure_reason(err)
    record["elapsed_ms"] = round((time.monotonic() - started) * 1000)
    if response is not None:
        record["status"] = response.status_code
        if not response.is_success:
            record["reason"] = "http_error"
    return record, response


async def deliver_event(
    *,
    state: State,
    settings: Settings,
    envelope: dict,
    ack_timeout: float | None = None,
    retry_delays: list[float] | None = None,
    url: str | None = None,
) -> dict:
    """POST an event_callback to EVENTS_URL; retry like Slack until a 2xx (at most 3 retries)."""
    url = url or _target(settings, "events")
    body = json.dumps(envelope, ensure_ascii=False).encode()
    timeout = settings.ack_timeout_seconds if ack_timeout is None else ack_timeout
    delays = list(settings.retry_delays_seconds if retry_delays is None else retry_delays)
    delays = delays[:MAX_RETRIES]
    record = {"event_id": envelope["event_id"], "deliveries": [], "done": False}
    with state.lock:
        state.deliveries[envelope["event_id"]] = record
        state.envelopes[envelope["event_id"]] = body
    reason = None
    for attempt in range(len(delays) + 1):
        if attempt:
            await asyncio.sleep(delays[attempt - 1])
        headers = signed_headers(settings.signing_secret, body, JSON)
        if attempt:
            headers["X-Slack-Retry-Num"] = str(attempt)
            headers["X-Slack-Retry-Reason"] = reason or "unknown_error"
        result, response = await _attempt(state, url, body, headers, timeout)
        result["attempt"] = attempt
        with state.lock:
            record["deliveries"].append(result)
        if result["reason"] is None:
            break
        if response is not None and response.headers.get("x-slack-no-retry") == "1":
            break
        reason = result["reason"]
    record["done"] = True
    return record


def delivery(state: State, event_id: str) -> dict:
    """A copy of the delivery record of one event."""
    with state.lock:
        record = state.deliveries.get(event_id)
        if record is None:
            raise DriverError(404, "event_not_found")
        return copy.deepcopy(record)


async def _dispatch(
    *,
    state: State,
    settings: Settings,
    event: dict,
    ack_timeout: float | None,
    retry_delays: list[float] | None,
    wait: bool,
    url: str | None = None,
) -> dict:
    envelope = payloads.event_callback(state.identity, event)
    task = state.spawn(
        deliver_event(
            state=state,
            settings=settings,
            envelope=envelope,
            ack_timeout=ack_timeout,
            retry_delays=retry_delays,
            url=url,
        )
    )
    if wait:
        await task
    else:
        await asyncio.sleep(0)  # let the first attempt start before answering
    return delivery(state, envelope["event_id"])


def _user(state: State, user_id: str) -> dict:
    with state.lock:
        user = state.users.get(user_id)
    if user is None or user["is_bot"]:
        raise DriverError(404, "user_not_found")
    return user


def _channel(state: State, user_id: str, channel_id: str | None) -> dict:
    if channel_id is None:
        return state.dm_for(user_id)
    with state.lock:
        known = state.channels.get(channel_id)
    if known is not None:
        return known
    if channel_id.startswith(("C", "G")):
        return state.ensure_channel(channel_id)
    raise DriverError(404, "channel_not_found")


async def send_message(
    *,
    state: State,
    settings: Settings,
    user_id: str,
    text: str,
    channel_id: str | None = None,
    kind: str = "im",
    ack_timeout: float | None = None,
    retry_delays: list[float] | None = None,
    wait: bool = False,
    url: str | None = None,
) -> dict:
    """A person writes: store the message, deliver its event (message.im or app_mention)."""
    if url is None:
        _target(settings, "events")
    _user(state, user_id)
    channel = _channel(state, user_id, channel_id)
    mention = f"<@{state.identity.bot_user_id}>"
    if kind == "app_mention" and mention not in text:
        text = f"{mention} {text}"
    ts = state.next_ts()
    record = {
        "channel": channel["id"],
        "ts": ts,
        "text": text,
        "blocks": payloads.rich_text(text),
        "user": user_id,
        "client_msg_id": str(uuid.uuid4()),
        "edited": False,
        "updates": 0,
        "posted_at": now_iso(),
    }
    state.store_message(channel["id"], record)
    message = api_message(state.identity, record)
    if kind == "app_mention":
        event = payloads.app_mention_event(message, channel)
    else:
        event = payloads.message_event(message, channel)
    result = await _dispatch(
        state=state,
        settings=settings,
        event=event,
        ack_timeout=ack_timeout,
        retry_delays=retry_delays,
        wait=wait,
        url=url,
    )
    return {**result, "channel": channel["id"], "ts": ts}


async def edit_message(
    *,
    state: State,
    settings: Settings,
    user_id: str,
    channel_id: str,
    ts: str,
    text: str,
    ack_timeout: float | None = None,
    retry_delays: list[float] | None = None,
    wait: bool = False,
) -> dict:
    """A person edits their message: a message_changed event."""
    _target(settings, "events")
    _user(state, user_id)
    with state.lock:
        channel = state.channels.get(channel_id)
        record = state.find_message(channel_id, ts) if channel else None
        if channel is None or record is None:
            raise DriverError(404, "message_not_found")
        if record["user"] != user_id:
            raise DriverError(403, "cant_update_message")
        previous = api_message(state.identity, record)
        record.update(text=text, blocks=payloads.rich_text(text), edited=True)
        record["edited_ts"] = state.next_ts()
        record["updates"] += 1
        message = api_message(state.identity, record)
    event = payloads.message_changed_event(
        channel=channel, message=message, previous=previous, event_ts=record["edited_ts"]
    )
    result = await _dispatch(
        state=state,
        settings=settings,
        event=event,
        ack_timeout=ack_timeout,
        retry_delays=retry_delays,
        wait=wait,
    )
    return {**result, "channel": channel_id, "ts": ts}


async def _send_once(url: str, body: bytes, headers: dict[str, str], seconds: float) -> dict:
    started = time.monotonic()
    try:
        async with httpx.AsyncClient(timeout=seconds) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.TimeoutException:
        return {"status": None, "body": None, "error": "http_timeout", "elapsed_ms": None}
    except httpx.HTTPError as err:
        return {"status": None, "body": None, "error": _failure_reason(err), "elapsed_ms": None}
    elapsed = round((time.monotonic() - started) * 1000)
    return {"status": response.status_code, "body": response.text, "elapsed_ms": elapsed}


async def click(
    *,
    state: State,
    settings: Settings,
    user_id: str,
    channel_id: str,
    ts: str,
    action_id: str,
    value: str | None = None,
    ack_timeout: float | None = None,
) -> dict:
    """A person clicks a button: a signed block_actions payload to INTERACTIVITY_URL, once."""
    url = _target(settings, "interactivity")
    user = _user(state, user_id)
    with state.lock:
        channel = state.channels.get(channel_id)
        record = state.find_message(channel_id, ts) if channel else None
        if channel is None or record is None:
            raise DriverError(404, "message_not_found")
        found = [
            (block, button)
            for block, button in buttons(record["blocks"])
            if button.get("action_id") == action_id
            and (value is None or button.get("value") == value)
        ]
        if not found:
            raise DriverError(409, "no_such_button")
        block, button = found[0]
        message = api_message(state.identity, record)
        response_id = new_id("", 12)
        state.response_urls[response_id] = {"channel": channel_id, "ts": ts, "user": user_id}
    ident = state.identity
    payload = payloads.block_actions(
        ident,
        user=user,
        channel=channel,
        message=message,
        block=block,
        button=button,
        response_url=f"{settings.base_url}/actions/{ident.team_id}/{response_id}",
    )
    body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)}).encode()
    headers = signed_headers(settings.signing_secret, body, FORM)
    timeout = settings.ack_timeout_seconds if ack_timeout is None else ack_timeout
    return await _send_once(url, body, headers, timeout)


async def send_raw(*, settings: Settings, target: str, body: str, headers: dict[str, str]) -> dict:
    """Send exactly this body and these headers (signature and replay tests)."""
    url = _target(settings, target)
    result = await _send_once(url, body.encode(), headers, LATE_RESPONSE_TIMEOUT)
    return {"status": result["status"], "body": result["body"]}


async def respond(*, state: State, settings: Settings, response_id: str, body: dict) -> dict:
    """A POST to a click's response_url: replace or delete the message, or post a new one."""
    with state.lock:
        target = state.response_urls.get(response_id)
        state.calls["response_url"] += 1
    if target is None:
        raise DriverError(404, "expired_url")
    channel_id, ts = target["channel"], target["ts"]
    text = body.get("text")
    blocks = body.get("blocks")
    if blocks is not None:
        blocks = validate_blocks(parse_blocks(blocks) or [])
    ident = state.identity
    with state.lock:
        record = state.find_message(channel_id, ts)
        if body.get("delete_original") and record is not None:
            state.messages[channel_id].remove(record)
            return {"ok": True}
        if body.get("replace_original") and record is not None:
            if text is not None:
                record["text"] = text
            record["blocks"] = blocks or []
            record["updates"] += 1
            return {"ok": True}
    if text is None and not blocks:
        raise DriverError(400, "no_text")
    record = {
        "channel": channel_id,
        "ts": state.next_ts(),
        "text": text or "",
        "blocks": blocks or [],
        "user": ident.bot_user_id,
        "bot_id": ident.bot_id,
        "edited": False,
        "updates": 0,
        "posted_at": now_iso(),
        "ephemeral": body.get("response_type", "ephemeral") != "in_channel",
    }
    if body.get("thread_ts"):
        record["thread_ts"] = body["thread_ts"]
    state.store_message(channel_id, record)
    return {"ok": True}


async def redeliver(
    *,
    state: State,
    settings: Settings,
    event_id: str,
    url: str | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
    ack_timeout: float | None = None,
) -> dict:
    """Send an event's same body once more (a duplicate; another replica behind a balancer)."""
    with state.lock:
        body = state.envelopes.get(event_id)
        record = state.deliveries.get(event_id)
    if body is None or record is None:
        raise DriverError(404, "event_not_found")
    url = url or _target(settings, "events")
    headers = signed_headers(settings.signing_secret, body, JSON)
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
    timeout = settings.ack_timeout_seconds if ack_timeout is None else ack_timeout
    result, response = await _attempt(state, url, body, headers, timeout)
    result.update(attempt=retry_num or 0, redelivery=True)
    with state.lock:
        record["deliveries"].append(result)
    answer = response.text[:MAX_ANSWER_BODY] if response is not None else None
    return {"event_id": event_id, **copy.deepcopy(result), "body": answer}
