"""Thin client of Slack's Web API (through slack_sdk's AsyncWebClient), one method per verb.

Every failure becomes :class:`SlackApiFailed` saying whether it is worth retrying:
``ratelimited`` (with Slack's ``Retry-After``), 5xx and connection errors are transient;
an ``{"ok": false, "error": ...}`` answer such as ``channel_not_found`` is permanent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from router_service.slack.exceptions import SlackApiFailed
from shared.backoff import retry_after_seconds

logger = logging.getLogger(__name__)
# slack_sdk logs request bodies (message text) at DEBUG: never, whatever ROUTER_LOG_LEVEL says.
logging.getLogger("slack_sdk").setLevel(logging.INFO)

TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
RATE_LIMITED_STATUS = 429
RETRY_AFTER_CAP_SECONDS = 3600.0


@dataclass(frozen=True)
class PostedMessage:
    channel: str
    ts: str


@dataclass(frozen=True)
class BotIdentity:
    team_id: str
    user_id: str
    bot_id: str | None


@dataclass(frozen=True)
class SlackUserInfo:
    id: str
    display_name: str | None
    time_zone: str | None
    is_bot: bool


class SlackClient:
    """auth.test, conversations.open, chat.postMessage, chat.update, users.info."""

    def __init__(
        self, *, base_url: str, token: Callable[[], str], timeout_seconds: float = 10.0
    ) -> None:
        self._token = token
        # Retries belong to the delivery queue (durable, with backoff), not to the SDK.
        self._web = AsyncWebClient(
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            timeout=int(max(1, timeout_seconds)),
            retry_handlers=[],
        )

    async def auth_test(self) -> BotIdentity:
        """Who the bot token belongs to (team, bot user)."""
        data = await self._call("auth_test")
        return BotIdentity(
            team_id=data.get("team_id", ""),
            user_id=data.get("user_id", ""),
            bot_id=data.get("bot_id"),
        )

    async def open_dm(self, *, user: str) -> str:
        """The id of the bot's direct-message channel with ``user``."""
        data = await self._call("conversations_open", users=user)
        return data["channel"]["id"]

    async def post_message(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> PostedMessage:
        """Posts a message (``text`` is the notification and fallback of ``blocks``)."""
        data = await self._call("chat_postMessage", channel=channel, text=text, blocks=blocks)
        return PostedMessage(channel=data.get("channel", channel), ts=data["ts"])

    async def update_message(
        self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> PostedMessage:
        """Replaces the text and blocks of a message the bot posted."""
        data = await self._call("chat_update", channel=channel, ts=ts, text=text, blocks=blocks)
        return PostedMessage(channel=data.get("channel", channel), ts=data.get("ts", ts))

    async def user_info(self, *, user: str) -> SlackUserInfo:
        """A Slack user's names and time zone."""
        data = (await self._call("users_info", user=user))["user"]
        profile = data.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or data.get("real_name")
        return SlackUserInfo(
            id=data["id"],
            display_name=name or data.get("name"),
            time_zone=data.get("tz"),
            is_bot=bool(data.get("is_bot")),
        )

    async def _call(self, verb: str, **kwargs: Any) -> dict[str, Any]:
        method = getattr(self._web, verb)
        try:
            response = await method(token=self._token(), **kwargs)
        except SlackApiError as err:
            raise _translate(err) from err
        except (aiohttp.ClientError, TimeoutError, OSError, SlackClientError) as err:
            logger.warning(
                "slack unreachable", extra={"verb": verb, "error_type": type(err).__name__}
            )
            raise SlackApiFailed(type(err).__name__, transient=True) from err
        return dict(response.data) if isinstance(response.data, dict) else {}


def _translate(err: SlackApiError) -> SlackApiFailed:
    response = err.response
    status = int(getattr(response, "status_code", 0) or 0)
    data = response.data if isinstance(getattr(response, "data", None), dict) else {}
    error = str(data.get("error") or f"http_{status}")
    retry_after = _retry_after(getattr(response, "headers", None) or {})
    transient = status == RATE_LIMITED_STATUS or status >= 500 or error in TRANSIENT_ERRORS
    return SlackApiFailed(error, transient=transient, retry_after=retry_after, status=status)


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    return retry_after_seconds(value, cap=RETRY_AFTER_CAP_SECONDS)
