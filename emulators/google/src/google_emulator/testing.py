"""Test support: run the emulator as a real subprocess, drive it through the control API."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from shared.processes import ModuleProcess


def error_of(err: pytest.ExceptionInfo) -> dict:
    """The `error` object of a Calendar API HttpError's body."""
    return json.loads(err.value.content)["error"]


class Control:
    """A small synchronous client of the /emulator control API."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, timeout=10)

    def _ok(self, response: httpx.Response):
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        """Clear all state."""
        self._ok(self._http.post("/emulator/reset"))

    def add_account(self, email: str, *, time_zone: str | None = None, name: str | None = None):
        """Create a test account; returns it (with `sub`)."""
        body = {"email": email, "time_zone": time_zone, "name": name}
        return self._ok(self._http.post("/emulator/accounts", json=body))

    def set_time_zone(self, email: str, time_zone: str) -> dict:
        """Change an account's calendar time zone."""
        return self._ok(
            self._http.patch(f"/emulator/accounts/{email}", json={"time_zone": time_zone})
        )

    def add_client(self, client_id: str, client_secret: str, redirect_uris: list[str]) -> dict:
        """Register an extra OAuth client."""
        body = {
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uris": redirect_uris,
        }
        return self._ok(self._http.post("/emulator/clients", json=body))

    def authorize(
        self, url: str, email: str, allow: bool = True, scopes: list[str] | None = None
    ) -> str:
        """Consent as `email` to the authorization URL; returns the redirect URL."""
        body = {"url": url, "email": email, "allow": allow, "scopes": scopes}
        return self._ok(self._http.post("/emulator/authorize", json=body))["redirect_url"]

    def fault(self, match: str, **kw) -> None:
        """Inject a fault (status, count, retry_after, delay, reason, drop_response)."""
        self._ok(self._http.post("/emulator/faults", json={"match": match, **kw}))

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._ok(self._http.delete("/emulator/faults"))

    def revoke(self, email: str) -> None:
        """Revoke all tokens of an account."""
        self._ok(self._http.post("/emulator/revoke", json={"email": email}))

    def expire_tokens(self, email: str | None = None) -> None:
        """Expire access tokens now (of one account, or all)."""
        self._ok(self._http.post("/emulator/expire-tokens", json={"email": email}))

    def calls(self) -> dict:
        """Call counts by name."""
        return self._ok(self._http.get("/emulator/calls"))["counts"]

    def reset_calls(self) -> None:
        """Reset call counts."""
        self._ok(self._http.delete("/emulator/calls"))

    def events(self, email: str) -> list[dict]:
        """Every stored event of an account, cancelled ones included."""
        return self._ok(self._http.get(f"/emulator/accounts/{email}/events"))

    def edit_event(self, email: str, event_id: str, **fields) -> dict:
        """Change an event "directly in Google" (a patch, as the owner)."""
        return self._ok(
            self._http.patch(f"/emulator/accounts/{email}/events/{event_id}", json=fields)
        )

    def remove_event(self, email: str, event_id: str) -> None:
        """Delete an event "directly in Google"."""
        self._ok(self._http.delete(f"/emulator/accounts/{email}/events/{event_id}"))

    def invalidate_sync_tokens(self, email: str) -> None:
        """Make every sync token of the account answer 410 from now on."""
        self._ok(self._http.post(f"/emulator/accounts/{email}/sync-tokens/invalidate"))

    def channels(self) -> list[dict]:
        """Every push channel, with its deliveries."""
        return self._ok(self._http.get("/emulator/channels"))

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()


class NotificationReceiver:
    """A push-notification webhook on loopback (a thread): records each notification's
    headers and answers ``statuses`` in turn (then 200)."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        self.bodies: list[bytes] = []
        self.statuses: list[int] = []
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with receiver.changed:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.received.append(dict(self.headers.items()))
                    receiver.bodies.append(body)
                    receiver.changed.notify_all()
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notifications"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[dict[str, str]]:
        """The first ``count`` notifications, once they have arrived."""
        with self.changed:
            arrived = self.changed.wait_for(lambda: len(self.received) >= count, timeout)
        assert arrived, f"expected {count} notifications, got {len(self.received)}"
        return self.received[:count]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class EmulatorProcess(ModuleProcess):
    """`python -m google_emulator` in a subprocess on a free port, with its control client."""

    def __init__(self, port: int | None = None, env: dict[str, str] | None = None) -> None:
        super().__init__("google_emulator", port=port, isolate_prefixes=("GOOGLE_EMULATOR_",))
        self.env = {
            "GOOGLE_EMULATOR_HOST": "127.0.0.1",
            "GOOGLE_EMULATOR_PORT": str(self.port),
            **(env or {}),
        }
        self.control = Control(self.base_url)

    def stop(self) -> None:
        """Stop the process and close the control client."""
        self.control.close()
        super().stop()


@pytest.fixture(scope="session")
def google_emulator_process() -> Iterator[EmulatorProcess]:
    """One emulator process for the whole test session."""
    with EmulatorProcess() as process:
        yield process


@pytest.fixture
def google_emulator(google_emulator_process: EmulatorProcess) -> EmulatorProcess:
    """The session's emulator, reset before the test."""
    google_emulator_process.control.reset()
    return google_emulator_process
