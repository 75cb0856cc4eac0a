"""Push notifications: events.watch, channels.stop, and the notifications POSTed to a channel.

As Google's "Push notifications" guide and the Events: watch / Channels: stop references
describe them: a channel watches one account's events; the moment it is made it gets a
``sync`` message (message number 1), then an ``exists`` message after each change to the
account's events, until it expires or is stopped. A notification has no body; everything is
in the ``X-Goog-*`` headers. 200, 201, 202, 204 and 102 are success; 500, 502, 503 and 504
are retried with exponential backoff; any other answer is a failed message, not retried.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import hashlib
import logging
import random
import time
import uuid
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import urlsplit

import httpx

from google_emulator.errors import GoogleApiError
from google_emulator.state import State

logger = logging.getLogger(__name__)

CHANNEL_TYPES = {"web_hook", "webhook"}
MAX_CHANNEL_ID = 64
DEFAULT_TTL_S = 604800  # params.ttl's documented default: a week
MAX_TTL_S = 604800  # not checked against Google: a longer request is cut to this
RETRY_STATUSES = {500, 502, 503, 504}
MAX_ATTEMPTS = 5
BACKOFF_BASE_S = 0.5
DELIVERY_TIMEOUT_S = 10.0
KEPT_DELIVERIES = 50
PROJECT_NUMBER = "1077220223171"  # the emulator's "project" in stop's 404 message


def resource_id(email: str) -> str:
    """The opaque, stable id of an account's events collection (the watched resource)."""
    digest = hashlib.sha256(f"events:{email}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _expiration(body: dict) -> int:
    """When a new channel ends (Unix ms): params.ttl or a requested expiration, capped."""
    params = body.get("params") or {}
    if not isinstance(params, dict):
        raise GoogleApiError(400, "invalid", "Invalid value for params.")
    try:
        ttl = int(params.get("ttl", DEFAULT_TTL_S))
    except (TypeError, ValueError) as err:
        raise GoogleApiError(400, "invalid", "Invalid value for params.ttl.") from err
    if ttl <= 0:
        raise GoogleApiError(400, "invalid", "Invalid value for params.ttl.")
    now = _now_ms()
    ends = now + min(ttl, MAX_TTL_S) * 1000
    if body.get("expiration") is not None:
        try:
            requested = int(body["expiration"])
        except (TypeError, ValueError) as err:
            raise GoogleApiError(400, "invalid", "Invalid value for expiration.") from err
        if requested <= now:
            raise GoogleApiError(400, "invalid", "Invalid value for expiration.")
        ends = min(ends, requested)
    return ends


def _channel_resource(channel: dict) -> dict:
    resource = {
        "kind": "api#channel",
        "id": channel["id"],
        "resourceId": channel["resourceId"],
        "resourceUri": channel["resourceUri"],
        "expiration": str(channel["expiration"]),
    }
    if channel.get("token") is not None:
        resource["token"] = channel["token"]
    return resource


def watch(*, state: State, account: dict, calendar_id: str, body: dict, base_url: str) -> dict:
    """events.watch: a new channel on the account's events; answers the Channel resource."""
    channel_id = body.get("id")
    if not isinstance(channel_id, str) or not channel_id:
        raise GoogleApiError(400, "required", "Required channel id.")
    if len(channel_id) > MAX_CHANNEL_ID:
        raise GoogleApiError(400, "invalid", "Invalid channel id.")
    if body.get("type") not in CHANNEL_TYPES:
        raise GoogleApiError(400, "invalid", "Invalid value for type.")
    address = body.get("address")
    if not isinstance(address, str) or not address.startswith(("https://", "http://")):
        raise GoogleApiError(400, "invalid", "Invalid value for address.")
    token = body.get("token")
    if token is not None and not isinstance(token, str):
        raise GoogleApiError(400, "invalid", "Invalid value for token.")
    expiration = _expiration(body)
    with state.lock:
        if channel_id in state.channels:
            raise GoogleApiError(400, "channelIdNotUnique", f"Channel id {channel_id} not unique")
        channel = {
            "id": channel_id,
            "serial": uuid.uuid4().hex,  # tells this channel from a later one with its id
            "email": account["email"],
            "resourceId": resource_id(account["email"]),
            "resourceUri": f"{base_url}/calendar/v3/calendars/{calendar_id}/events?alt=json",
            "address": address,
            "token": token,
            "expiration": expiration,
            "message_number": 0,
            "stopped": False,
            "deliveries": [],
        }
        state.channels[channel_id] = channel
        state.save()
        return _channel_resource(channel)


def stop(*, state: State, body: dict) -> None:
    """channels.stop: the channel named by ``id`` and ``resourceId`` sends nothing more."""
    channel_id, watched = body.get("id"), body.get("resourceId")
    with state.lock:
        channel = state.channels.get(channel_id) if isinstance(channel_id, str) else None
        if channel is None or channel["stopped"] or channel["resourceId"] != watched:
            raise GoogleApiError(
                404,
                "notFound",
                f"Channel '{channel_id}' not found for project '{PROJECT_NUMBER}'",
            )
        channel["stopped"] = True
        state.save()


def live_channels(state: State, email: str) -> list[dict]:
    """The account's channels that still send: not stopped, not expired."""
    now = _now_ms()
    with state.lock:
        return [
            c
            for c in state.channels.values()
            if c["email"] == email and not c["stopped"] and c["expiration"] > now
        ]


@dataclass(frozen=True)
class Message:
    """One notification owed to a channel."""

    channel_id: str
    serial: str
    number: int
    resource_state: str


def notification_headers(channel: dict, message: Message) -> dict[str, str]:
    """Google's headers of a notification (the body is empty)."""
    headers = {
        "X-Goog-Channel-ID": channel["id"],
        "X-Goog-Channel-Expiration": formatdate(channel["expiration"] / 1000, usegmt=True),
        "X-Goog-Message-Number": str(message.number),
        "X-Goog-Resource-ID": channel["resourceId"],
        "X-Goog-Resource-State": message.resource_state,
        "X-Goog-Resource-URI": channel["resourceUri"],
    }
    if channel.get("token") is not None:
        headers["X-Goog-Channel-Token"] = channel["token"]
    return headers


class PushNotifier:
    """Sends every channel's messages, each channel's in order, one slow address never
    holding up another's (a task per channel)."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._queues: dict[str, asyncio.Queue[Message]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None
        state.change_listeners.append(self.events_changed)

    def start(self) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_S)

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._queues.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _send(self, message: Message) -> None:
        queue = self._queues.get(message.serial)
        if queue is None:
            queue = self._queues[message.serial] = asyncio.Queue()
            self._tasks.append(asyncio.create_task(self._run(queue), name="push-channel"))
        queue.put_nowait(message)

    def _next(self, channel: dict, resource_state: str) -> Message:
        with self.state.lock:
            channel["message_number"] += 1
            return Message(
                channel["id"], channel["serial"], channel["message_number"], resource_state
            )

    def channel_made(self, channel_id: str) -> None:
        """The ``sync`` message that starts every channel."""
        with self.state.lock:
            channel = self.state.channels.get(channel_id)
        if channel is not None:
            self._send(self._next(channel, "sync"))

    def events_changed(self, email: str) -> None:
        """An ``exists`` message to each live channel of the account."""
        for channel in live_channels(self.state, email):
            self._send(self._next(channel, "exists"))

    async def _run(self, queue: asyncio.Queue[Message]) -> None:
        while True:
            message = await queue.get()
            try:
                await self._deliver(message)
            except Exception:  # one bad message must not stop the channel's next ones
                logger.exception("push delivery failed")

    async def _deliver(self, message: Message) -> None:
        assert self._client is not None
        with self.state.lock:
            address = (self.state.channels.get(message.channel_id) or {}).get("address", "")
        # Push is not guaranteed (the guide says so): a "push.notification" fault loses it.
        if self.state.record_call("push.notification", urlsplit(address).path) is not None:
            self._record(message, "lost")
            return
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with self.state.lock:
                channel = copy.deepcopy(self.state.channels.get(message.channel_id))
            if (
                channel is None
                or channel["serial"] != message.serial
                or channel["stopped"]
                or channel["expiration"] <= _now_ms()
            ):
                return
            try:
                response = await self._client.post(
                    channel["address"], headers=notification_headers(channel, message)
                )
                outcome: int | str = response.status_code
            except httpx.HTTPError as err:
                outcome = type(err).__name__
            self._record(message, outcome)
            if isinstance(outcome, int) and outcome not in RETRY_STATUSES:
                return
            if attempt < MAX_ATTEMPTS:
                await asyncio.sleep(random.uniform(0, BACKOFF_BASE_S * 2 ** (attempt - 1)))  # noqa: S311

    def _record(self, message: Message, outcome: int | str) -> None:
        with self.state.lock:
            channel = self.state.channels.get(message.channel_id)
            if channel is None or channel["serial"] != message.serial:
                return
            channel["deliveries"].append(
                {"number": message.number, "state": message.resource_state, "answer": outcome}
            )
            del channel["deliveries"][:-KEPT_DELIVERIES]
