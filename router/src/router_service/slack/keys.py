"""Where a Slack conversation lives: conversation keys and identity ids."""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "slack"


@dataclass(frozen=True)
class SlackAddress:
    team_id: str
    channel_id: str
    user_id: str | None  # set for a person's thread in a shared channel

    @property
    def is_dm(self) -> bool:
        return self.user_id is None


def is_dm_channel(channel_id: str) -> bool:
    """Slack's direct-message channel ids start with D."""
    return channel_id.startswith("D")


def conversation_key(*, team_id: str, channel_id: str, user_id: str) -> str:
    """A DM is one conversation; in a shared channel each person has their own."""
    if is_dm_channel(channel_id):
        return f"{PREFIX}:{team_id}:{channel_id}"
    return f"{PREFIX}:{team_id}:{channel_id}:{user_id}"


def parse_conversation_key(key: str) -> SlackAddress | None:
    """The team, channel (and person) of a Slack conversation key; None for another key."""
    parts = key.split(":")
    if parts[0] != PREFIX or len(parts) not in (3, 4) or not all(parts[1:]):
        return None
    return SlackAddress(
        team_id=parts[1], channel_id=parts[2], user_id=parts[3] if len(parts) == 4 else None
    )


def external_id(*, team_id: str, user_id: str) -> str:
    """The Slack identity's external id at auth-server (docs/contracts.md)."""
    return f"{team_id}:{user_id}"
