"""The e2e harness in Slack: a person played by the Slack emulator's driver, their DM with
Haru, and what Haru's messages show (texts, buttons)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from harness import HarnessError, System, connect_google, connect_link, wait_until

SLACK_TEAM = "T0HARU0001"  # the Slack emulator's workspace
SLACK_BOT = "U0HARUBOT1"  # the Slack emulator's bot user


@dataclass
class SlackPerson:
    """One person in Slack, played by the Slack emulator's driver; their DM with Haru."""

    system: System
    user_id: str
    email: str
    channel: str | None = None  # the DM with the bot, known after the first message

    @classmethod
    def new(cls, system: System, *, tz: str = "Asia/Seoul") -> SlackPerson:
        tag = uuid.uuid4().hex[:10]
        email = f"e2e-slack-{tag}@example.com"
        user = system.slack.add_user(f"person-{tag}", real_name="김하루", tz=tz, email=email)
        return cls(system, user["id"], email)

    @property
    def external_id(self) -> str:
        return f"{SLACK_TEAM}:{self.user_id}"

    @property
    def conversation_key(self) -> str:
        if self.channel is None:
            raise HarnessError("no DM yet: the person has not written")
        return f"slack:{SLACK_TEAM}:{self.channel}"

    def say(self, text: str, **driver: Any) -> dict[str, Any]:
        """Writes to Haru in the DM; returns the driver's answer (event_id, ts, deliveries)."""
        self.system.sent_texts.add(text)
        sent = self.system.slack.send_message(self.user_id, text, **driver)
        self.channel = sent["channel"]
        return sent

    def messages(self) -> list[dict[str, Any]]:
        """The whole DM in posting order (the person's and Haru's messages)."""
        if self.channel is None:
            return []
        return self.system.slack.messages(self.channel)

    def bot_messages(self, after_ts: str | None = None) -> list[dict[str, Any]]:
        return [
            m
            for m in self.messages()
            if m["user"] == SLACK_BOT and (after_ts is None or float(m["ts"]) > float(after_ts))
        ]

    def wait_for_bot(
        self,
        predicate: Callable[[dict[str, Any]], bool],
        *,
        after_ts: str | None = None,
        timeout: float = 45,
    ) -> dict[str, Any]:
        """Polls the DM until a message of Haru's (newer than ``after_ts``) matches."""
        seen: list[dict[str, Any]] = []

        def matching() -> dict[str, Any] | None:
            seen[:] = self.bot_messages(after_ts)
            return next((m for m in seen if predicate(m)), None)

        return wait_until(
            "a matching Slack message", matching, timeout, seen=lambda: slack_texts(seen)
        )

    def click(self, message: dict[str, Any], action_id: str, **driver: Any) -> dict[str, Any]:
        """Presses a button of one of Haru's messages (as Slack would post it)."""
        return self.system.slack.click(
            self.user_id, message["channel"], message["ts"], action_id, **driver
        )

    def press(self, message: dict[str, Any], action_id: str) -> dict[str, Any]:
        """Presses the message's one button ``action_id``, with the value it carries."""
        return self.click(message, action_id, value=slack_button(message, action_id)["value"])

    def wait_settled(self, timeout: float = 60) -> None:
        """Waits until the router has worked every Slack event and button press it received,
        and every delivery to this DM is finished (sent, failed or dead)."""
        databases = self.system.databases
        still_open: dict[str, int] = {}

        def settled() -> bool:
            still_open["inbox"] = databases.query(
                "router",
                "SELECT count(*) AS n FROM slack_inbox WHERE state IN ('received', 'processing')",
            )[0]["n"]
            still_open["deliveries"] = databases.query(
                "router",
                "SELECT count(*) AS n FROM slack_deliveries "
                "WHERE conversation_key = :key AND state IN ('pending', 'sending')",
                key=self.conversation_key,
            )[0]["n"]
            return not any(still_open.values())

        wait_until("the Slack queues settled", settled, timeout, seen=lambda: still_open)

    def deliveries(self) -> list[dict[str, Any]]:
        """The router's outbound queue rows of this DM, oldest first."""
        return self.system.databases.query(
            "router",
            "SELECT id, kind, state, attempts, last_error, channel_id, ts, created_at, sent_at "
            "FROM slack_deliveries WHERE conversation_key = :key ORDER BY id",
            key=self.conversation_key,
        )

    def connect(self) -> None:
        """Connects this person's Google calendar ahead of time, through the real OAuth flow."""
        self.system.google.add_account(self.email)
        identity = httpx.post(
            self.system.url("auth-server") + "/internal/identities/resolve",
            json={"channel": "slack", "external_id": self.external_id},
            headers=self.system.headers("router", "auth-server"),
            timeout=10,
        )
        identity.raise_for_status()
        user_id = identity.json()["user_id"]
        link = connect_link(self.system, user_id, channel="slack", external_id=self.external_id)
        connect_google(self.system, link, self.email)


def slack_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button in a stored Slack message's blocks."""
    found = []
    for block in message.get("blocks") or []:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        found += [e for e in elements if e.get("type") == "button"]
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            found.append(accessory)
    return found


def slack_button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    """The one button ``action_id`` in a stored Slack message's blocks."""
    [button] = [b for b in slack_buttons(message) if b.get("action_id") == action_id]
    return button


def has_button(message: dict[str, Any], action_id: str) -> bool:
    """Whether a stored Slack message shows a button ``action_id``."""
    return any(b.get("action_id") == action_id for b in slack_buttons(message))


def slack_texts(messages: list[dict[str, Any]]) -> list[str]:
    """What each message shows: its text and every text of its blocks."""
    return [message_text(m) for m in messages]


def message_text(message: dict[str, Any]) -> str:
    """A stored Slack message's text and all the texts in its blocks, joined."""
    parts = [message.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(parts)
