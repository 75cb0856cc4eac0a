"""All emulator state: in memory, behind one lock (a test stand-in; a restart forgets it)."""

import asyncio
import secrets
import string
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Asia/Seoul"
ID_ALPHABET = string.ascii_uppercase + string.digits


def new_id(prefix: str, length: int = 10) -> str:
    """A Slack-looking id: prefix and upper-case letters and digits (U…, D…, Ev…)."""
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def now_iso() -> str:
    """The current instant, ISO-8601 with offset."""
    return datetime.now(UTC).isoformat()


def zone_offset(tz: str) -> int:
    """The zone's current offset from UTC in seconds (Slack's tz_offset)."""
    offset = datetime.now(ZoneInfo(tz)).utcoffset()
    return int(offset.total_seconds()) if offset else 0


@dataclass
class Fault:
    """An injected failure (or delay) for the next `count` calls of one method."""

    method: str
    error: str | None = None
    status: int | None = None
    retry_after: int | None = None
    count: int = 1
    delay: float = 0.0


@dataclass
class Identity:
    """Who the workspace and the bot are."""

    team_id: str
    team_name: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    bot_name: str
    app_id: str


@dataclass
class State:
    """The emulator's whole world."""

    identity: Identity
    lock: threading.RLock = field(default_factory=threading.RLock)
    users: dict[str, dict] = field(default_factory=dict)
    dms: dict[str, str] = field(default_factory=dict)
    channels: dict[str, dict] = field(default_factory=dict)
    messages: dict[str, list[dict]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)
    deliveries: dict[str, dict] = field(default_factory=dict)
    response_urls: dict[str, dict] = field(default_factory=dict)
    envelopes: dict[str, bytes] = field(default_factory=dict)
    tasks: set[asyncio.Task] = field(default_factory=set)
    last_ts_micros: int = 0

    def reset(self) -> None:
        """Back to start: the bot and the team; no users, messages, faults or deliveries."""
        with self.lock:
            for task in list(self.tasks):
                task.cancel()
            self.tasks.clear()
            for store in (
                self.users,
                self.dms,
                self.channels,
                self.messages,
                self.deliveries,
                self.response_urls,
                self.envelopes,
            ):
                store.clear()
            self.faults.clear()
            self.calls.clear()
            self.users[self.identity.bot_user_id] = self._bot_user()

    def _bot_user(self) -> dict:
        ident = self.identity
        user = self.make_user(user_id=ident.bot_user_id, name=ident.bot_name, real_name="하루")
        user["is_bot"] = True
        user["profile"]["bot_id"] = ident.bot_id
        user["profile"]["api_app_id"] = ident.app_id
        return user

    def make_user(
        self,
        *,
        user_id: str | None = None,
        name: str,
        real_name: str | None = None,
        tz: str | None = None,
        email: str | None = None,
        deleted: bool = False,
    ) -> dict:
        """A user object in the shape users.info returns."""
        zone = tz or DEFAULT_TIME_ZONE
        real = real_name or name
        profile = {
            "real_name": real,
            "real_name_normalized": real,
            "display_name": name,
            "display_name_normalized": name,
            "team": self.identity.team_id,
        }
        if email:
            profile["email"] = email
        return {
            "id": user_id or new_id("U"),
            "team_id": self.identity.team_id,
            "name": name,
            "deleted": deleted,
            "real_name": real,
            "tz": zone,
            "tz_label": zone,
            "tz_offset": zone_offset(zone),
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_bot": False,
            "is_app_user": False,
            "updated": int(time.time()),
        }

    def add_user(self, user: dict) -> dict:
        """Register (or replace) a user."""
        with self.lock:
            self.users[user["id"]] = user
            return user

    def next_ts(self) -> str:
        """A message timestamp: epoch seconds with six decimals, strictly increasing."""
        with self.lock:
            micros = max(time.time_ns() // 1000, self.last_ts_micros + 1)
            self.last_ts_micros = micros
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def dm_for(self, user_id: str) -> dict:
        """The bot's DM with a user, opened on first use (same id every time)."""
        with self.lock:
            channel_id = self.dms.get(user_id)
            if channel_id is None:
                channel_id = new_id("D")
                self.dms[user_id] = channel_id
                self.channels[channel_id] = {"id": channel_id, "is_im": True, "user": user_id}
                self.messages[channel_id] = []
            return self.channels[channel_id]

    def ensure_channel(self, channel_id: str) -> dict:
        """A conversation the bot is in; a C…/G… id not seen before is created."""
        with self.lock:
            channel = self.channels.get(channel_id)
            if channel is None:
                channel = {"id": channel_id, "is_im": False, "user": None}
                self.channels[channel_id] = channel
                self.messages[channel_id] = []
            return channel

    def store_message(self, channel_id: str, message: dict) -> dict:
        """Append a message to a channel's history."""
        with self.lock:
            self.messages[channel_id].append(message)
            return message

    def find_message(self, channel_id: str, ts: str) -> dict | None:
        """A stored message by channel and ts."""
        with self.lock:
            for message in self.messages.get(channel_id, []):
                if message["ts"] == ts:
                    return message
            return None

    def record_call(self, method: str) -> Fault | None:
        """Count a call and take the first fault for its method."""
        with self.lock:
            self.calls[method] += 1
            for fault in self.faults:
                if fault.method == method:
                    if fault.count > 0:
                        fault.count -= 1
                        if fault.count == 0:
                            self.faults.remove(fault)
                    return fault
            return None

    def spawn(self, coro) -> asyncio.Task:
        """Run a coroutine in the background; reset cancels it."""
        task = asyncio.get_running_loop().create_task(coro)
        with self.lock:
            self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task
