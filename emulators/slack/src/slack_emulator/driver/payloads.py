"""The bodies Slack sends to an app: event_callback envelopes and block_actions payloads."""

import copy
import secrets
import time

from slack_emulator.state import Identity, new_id

# The legacy verification token Slack still puts in every payload (apps should use signatures).
VERIFICATION_TOKEN = "haruEmulatorVerificationTok"  # noqa: S105 - a fixed, documented fake


def channel_type(channel: dict) -> str:
    """Slack's channel_type of a conversation."""
    if channel["is_im"]:
        return "im"
    return "group" if channel["id"].startswith("G") else "channel"


def event_callback(ident: Identity, event: dict) -> dict:
    """The Events API envelope around one event (new event_id every time)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": ident.team_id,
        "context_team_id": ident.team_id,
        "context_enterprise_id": None,
        "api_app_id": ident.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": new_id("Ev"),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ident.team_id,
                "user_id": ident.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + secrets.token_urlsafe(24),
    }


def rich_text(text: str) -> list[dict]:
    """The rich_text block Slack clients attach to what a person types."""
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_hex(2),
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


def message_event(message: dict, channel: dict) -> dict:
    """A message.im / message.channels event for a person's message."""
    event = {**copy.deepcopy(message), "channel": channel["id"], "event_ts": message["ts"]}
    event["channel_type"] = channel_type(channel)
    return event


def app_mention_event(message: dict, channel: dict) -> dict:
    """An app_mention event (the text carries <@BOT>)."""
    event = copy.deepcopy(message)
    event.update(type="app_mention", channel=channel["id"], event_ts=message["ts"])
    return event


def bot_message_event(ident: Identity, channel: dict, message: dict) -> dict:
    """The echo of the bot's own post, as the app receives it."""
    event = {
        **copy.deepcopy(message),
        "subtype": "bot_message",
        "channel": channel["id"],
        "event_ts": message["ts"],
        "channel_type": channel_type(channel),
    }
    event.setdefault("username", ident.bot_name)
    return event


def message_changed_event(*, channel: dict, message: dict, previous: dict, event_ts: str) -> dict:
    """A message_changed event: the edited message and the one before."""
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": copy.deepcopy(message),
        "previous_message": copy.deepcopy(previous),
        "channel": channel["id"],
        "hidden": True,
        "ts": event_ts,
        "event_ts": event_ts,
        "channel_type": channel_type(channel),
    }


def block_actions(
    ident: Identity,
    *,
    user: dict,
    channel: dict,
    message: dict,
    block: dict,
    button: dict,
    response_url: str,
) -> dict:
    """The block_actions payload of one button click."""
    now = time.time()
    action = {
        "action_id": button["action_id"],
        "block_id": block["block_id"],
        "text": copy.deepcopy(button.get("text")),
        "type": "button",
        "action_ts": f"{now:.6f}",
    }
    if "value" in button:
        action["value"] = button["value"]
    if "style" in button:
        action["style"] = button["style"]
    return {
        "type": "block_actions",
        "user": {
            "id": user["id"],
            "username": user["name"],
            "name": user["name"],
            "team_id": ident.team_id,
        },
        "api_app_id": ident.app_id,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel["id"],
            "is_ephemeral": False,
        },
        "trigger_id": f"{int(now)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}",
        "team": {"id": ident.team_id, "domain": ident.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {
            "id": channel["id"],
            "name": "directmessage" if channel["is_im"] else channel["id"].lower(),
        },
        "message": copy.deepcopy(message),
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
