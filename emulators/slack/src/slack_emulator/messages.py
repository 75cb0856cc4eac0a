"""Stored messages and the shape Slack gives them in API answers and event payloads."""

import copy

from slack_emulator.state import Identity


def bot_profile(ident: Identity) -> dict:
    """The bot_profile Slack attaches to an app's messages."""
    return {
        "id": ident.bot_id,
        "app_id": ident.app_id,
        "name": ident.bot_name,
        "deleted": False,
        "team_id": ident.team_id,
    }


def api_message(ident: Identity, record: dict) -> dict:
    """A stored message (the bot's or a person's) as Slack shows it."""
    message = {"user": record["user"], "type": "message", "ts": record["ts"]}
    if record.get("bot_id"):
        message.update(bot_id=record["bot_id"], app_id=ident.app_id)
    if record.get("client_msg_id"):
        message["client_msg_id"] = record["client_msg_id"]
    message.update(text=record["text"], team=ident.team_id)
    if record.get("bot_id"):
        message["bot_profile"] = bot_profile(ident)
    if record.get("blocks"):
        message["blocks"] = copy.deepcopy(record["blocks"])
    if record.get("thread_ts"):
        message["thread_ts"] = record["thread_ts"]
    if record.get("edited"):
        message["edited"] = {"user": record["user"], "ts": record["edited_ts"]}
    return message
