"""All emulator state: in memory, behind one lock, optionally saved to a JSON file."""

import hashlib
import json
import logging
import os
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

DEV_CLIENT_ID = "haru-dev-client.apps.googleusercontent.com"
DEV_CLIENT_SECRET = "haru-dev-secret"  # noqa: S105 - the documented development client
DEV_REDIRECT_PATHS = ["/oauth/google/callback"]
DEFAULT_TIME_ZONE = "Asia/Seoul"

PERSISTED = (
    "clients",
    "accounts",
    "grants",
    "refresh_tokens",
    "access_tokens",
    "events",
    "changes",
    "sync_generations",
    "counters",
    "channels",
)


def new_token(prefix: str) -> str:
    """A random opaque token with Google's look."""
    return prefix + secrets.token_urlsafe(32)


def sub_for(email: str) -> str:
    """A stable numeric subject identifier for an e-mail."""
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    return str(100000000000000000000 + int(digest[:16], 16) % 10**20)


@dataclass
class Fault:
    """An injected failure for the next `count` matching calls."""

    match: str
    status: int | None = None
    count: int = 1
    retry_after: int | None = None
    delay: float = 0.0
    reason: str | None = None
    drop_response: bool = False

    def matches(self, name: str, path: str) -> bool:
        """Whether this fault applies to a call."""
        return self.match == name or (self.match.startswith("/") and path.startswith(self.match))


@dataclass
class State:
    """The emulator's whole world."""

    state_file: str | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    clients: dict = field(default_factory=dict)
    accounts: dict = field(default_factory=dict)
    grants: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    refresh_tokens: dict = field(default_factory=dict)
    access_tokens: dict = field(default_factory=dict)
    events: dict = field(default_factory=dict)
    # Sync tokens: the change sequence number of each event, per account; a token names one.
    changes: dict = field(default_factory=dict)  # email -> {event_id: seq}
    sync_generations: dict = field(default_factory=dict)  # email -> n (older tokens: 410)
    counters: dict = field(default_factory=dict)  # "seq": the last change number given
    channels: dict = field(default_factory=dict)  # channel id -> push channel (watch)
    faults: list = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)
    # Called with an account e-mail after its events changed (push notifications).
    change_listeners: list[Callable[[str], None]] = field(default_factory=list)

    def reset(self) -> None:
        """Forget everything and re-register the development client."""
        with self.lock:
            for name in (*PERSISTED, "codes"):
                getattr(self, name).clear()
            self.faults.clear()
            self.calls.clear()
            self.register_client(
                client_id=DEV_CLIENT_ID,
                client_secret=DEV_CLIENT_SECRET,
                redirect_uris=[],
                loopback_paths=DEV_REDIRECT_PATHS,
            )
            self.save()

    def register_client(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        loopback_paths: list[str] | None = None,
    ) -> dict:
        """Register (or replace) an OAuth client."""
        with self.lock:
            client = {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": list(redirect_uris),
                "loopback_paths": list(loopback_paths or []),
            }
            self.clients[client_id] = client
            self.save()
            return client

    def ensure_account(
        self, email: str, *, name: str | None = None, time_zone: str | None = None
    ) -> dict:
        """The account for an e-mail, created on first use."""
        key = email.strip().lower()
        with self.lock:
            account = self.accounts.get(key)
            if account is None:
                account = {
                    "email": key,
                    "sub": sub_for(key),
                    "name": name or key.split("@")[0],
                    "time_zone": time_zone or DEFAULT_TIME_ZONE,
                    "created": time.time(),
                }
                self.accounts[key] = account
                self.events.setdefault(key, {})
            else:
                if name:
                    account["name"] = name
                if time_zone:
                    account["time_zone"] = time_zone
            self.save()
            return account

    def record_change(self, email: str, event_ids: list[str]) -> None:
        """Give each changed event the next change number, then tell the listeners."""
        with self.lock:
            changed = self.changes.setdefault(email, {})
            for event_id in event_ids:
                self.counters["seq"] = self.counters.get("seq", 0) + 1
                changed[event_id] = self.counters["seq"]
        for listener in list(self.change_listeners):
            listener(email)

    def current_seq(self) -> int:
        """The last change number given (a sync token made now covers everything up to it)."""
        with self.lock:
            return int(self.counters.get("seq", 0))

    def invalidate_sync_tokens(self, email: str) -> int:
        """Every sync token of the account given so far answers 410 from now on."""
        key = email.strip().lower()
        with self.lock:
            self.sync_generations[key] = self.sync_generations.get(key, 0) + 1
            self.save()
            return int(self.sync_generations[key])

    def record_call(self, name: str, path: str) -> Fault | None:
        """Count a call and take the first fault that matches it."""
        with self.lock:
            self.calls[name] += 1
            for fault in self.faults:
                if fault.matches(name, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
            return None

    def revoke_account(self, email: str) -> int:
        """Revoke every grant, refresh token and access token of an account."""
        key = email.strip().lower()
        with self.lock:
            revoked = 0
            for store in (self.refresh_tokens, self.access_tokens):
                for token, info in list(store.items()):
                    if info["email"] == key:
                        del store[token]
                        revoked += 1
            for grant_key in [k for k, g in self.grants.items() if g["email"] == key]:
                del self.grants[grant_key]
            self.save()
            return revoked

    def expire_access_tokens(self, email: str | None = None) -> int:
        """Make access tokens expire now."""
        key = email.strip().lower() if email else None
        with self.lock:
            count = 0
            now = time.time()
            for info in self.access_tokens.values():
                if key is None or info["email"] == key:
                    info["expires_at"] = min(info["expires_at"], now - 1)
                    count += 1
            self.save()
            return count

    def save(self) -> None:
        """Write the persistent part of the state to the state file, if any."""
        if not self.state_file:
            return
        with self.lock:
            data = {name: getattr(self, name) for name in PERSISTED}
            path = Path(self.state_file)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False))
            os.replace(tmp, path)

    def load(self) -> None:
        """Start from the state file when it exists (reset() rewrites it, so read it first)."""
        data: dict = {}
        if self.state_file and Path(self.state_file).exists():
            try:
                data = json.loads(Path(self.state_file).read_text())
            except (OSError, ValueError):
                logger.warning("state file unreadable; starting empty")
        self.reset()
        with self.lock:
            for name in PERSISTED:
                getattr(self, name).update(data.get(name, {}))
            self.save()
