"""Test support: run the emulator as a real subprocess, drive it through the control API."""

from collections.abc import Iterator

import httpx
import pytest

from shared.processes import ModuleProcess

ENV_PREFIX = "SLACK_EMULATOR_"


def _drop_none(body: dict) -> dict:
    return {key: value for key, value in body.items() if value is not None}


class SlackControl:
    """A small synchronous client of the /emulator control API and the driver."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, timeout=60)

    def _ok(self, response: httpx.Response):
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        """Everything back to start."""
        self._ok(self._http.post("/emulator/reset"))

    def add_user(
        self,
        name: str,
        *,
        user_id: str | None = None,
        real_name: str | None = None,
        tz: str | None = None,
        email: str | None = None,
        deleted: bool = False,
    ) -> dict:
        """Create a Slack user; returns it (with `id`)."""
        body = {
            "id": user_id,
            "name": name,
            "real_name": real_name,
            "tz": tz,
            "email": email,
            "deleted": deleted,
        }
        return self._ok(self._http.post("/emulator/users", json=_drop_none(body)))

    def users(self) -> list[dict]:
        """Every user, the bot included."""
        return self._ok(self._http.get("/emulator/users"))["users"]

    def fault(self, method: str, **kw) -> dict:
        """Inject a fault (error, status, retry_after, count, delay) for a Web API method."""
        return self._ok(self._http.post("/emulator/faults", json={"method": method, **kw}))

    def faults(self) -> list[dict]:
        """Faults not yet consumed."""
        return self._ok(self._http.get("/emulator/faults"))["faults"]

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._ok(self._http.delete("/emulator/faults"))

    def calls(self) -> dict:
        """Web API call counts by method."""
        return self._ok(self._http.get("/emulator/calls"))["counts"]

    def reset_calls(self) -> None:
        """Reset call counts."""
        self._ok(self._http.delete("/emulator/calls"))

    def messages(self, channel: str | None = None) -> list[dict]:
        """Messages in posting order (of one channel, or all)."""
        params = {"channel": channel} if channel else {}
        return self._ok(self._http.get("/emulator/messages", params=params))["messages"]

    def deliveries(self, event_id: str) -> dict:
        """The delivery record of one event: {event_id, deliveries, done}."""
        return self._ok(self._http.get("/emulator/deliveries", params={"event_id": event_id}))

    def all_deliveries(self) -> list[dict]:
        """Every event delivery record."""
        return self._ok(self._http.get("/emulator/deliveries"))["events"]

    def send_message(
        self,
        user: str,
        text: str,
        *,
        channel: str | None = None,
        kind: str = "im",
        ack_timeout_seconds: float | None = None,
        retry_delays_seconds: list[float] | None = None,
        wait: bool = False,
        url: str | None = None,
    ) -> dict:
        """The user writes; returns {event_id, channel, ts, deliveries, done}.

        `url` sends the event somewhere else than EVENTS_URL (another replica).
        """
        body = {
            "user": user,
            "text": text,
            "channel": channel,
            "kind": kind,
            "ack_timeout_seconds": ack_timeout_seconds,
            "retry_delays_seconds": retry_delays_seconds,
            "wait": wait,
            "url": url,
        }
        return self._ok(self._http.post("/emulator/driver/message", json=_drop_none(body)))

    def edit_message(
        self,
        user: str,
        channel: str,
        ts: str,
        text: str,
        *,
        ack_timeout_seconds: float | None = None,
        retry_delays_seconds: list[float] | None = None,
        wait: bool = False,
    ) -> dict:
        """The user edits a message; a message_changed event is delivered."""
        body = {
            "user": user,
            "channel": channel,
            "ts": ts,
            "text": text,
            "ack_timeout_seconds": ack_timeout_seconds,
            "retry_delays_seconds": retry_delays_seconds,
            "wait": wait,
        }
        return self._ok(self._http.post("/emulator/driver/edit", json=_drop_none(body)))

    def click(
        self,
        user: str,
        channel: str,
        ts: str,
        action_id: str,
        *,
        value: str | None = None,
        ack_timeout_seconds: float | None = None,
    ) -> dict:
        """The user clicks a button; returns {status, body, elapsed_ms}."""
        body = {
            "user": user,
            "channel": channel,
            "ts": ts,
            "action_id": action_id,
            "value": value,
            "ack_timeout_seconds": ack_timeout_seconds,
        }
        return self._ok(self._http.post("/emulator/driver/click", json=_drop_none(body)))

    def redeliver(
        self,
        event_id: str,
        *,
        url: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        ack_timeout_seconds: float | None = None,
    ) -> dict:
        """Send an event's same body once more; returns the attempt."""
        body = {
            "event_id": event_id,
            "url": url,
            "retry_num": retry_num,
            "retry_reason": retry_reason,
            "ack_timeout_seconds": ack_timeout_seconds,
        }
        return self._ok(self._http.post("/emulator/driver/redeliver", json=_drop_none(body)))

    def raw(self, url: str, body: str, headers: dict[str, str] | None = None) -> dict:
        """Send exactly this to "events" or "interactivity"; returns {status, body}."""
        payload = {"url": url, "body": body, "headers": headers or {}}
        return self._ok(self._http.post("/emulator/driver/raw", json=payload))

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()


class SlackEmulatorProcess(ModuleProcess):
    """`python -m slack_emulator` in a subprocess on a free port, with its control client."""

    def __init__(self, port: int | None = None, env: dict[str, str] | None = None) -> None:
        super().__init__("slack_emulator", port=port, isolate_prefixes=(ENV_PREFIX,))
        self.env = {
            ENV_PREFIX + "HOST": "127.0.0.1",
            ENV_PREFIX + "PORT": str(self.port),
            **(env or {}),
        }
        self.api_url = self.base_url + "/api/"
        self.control = SlackControl(self.base_url)

    def stop(self) -> None:
        """Stop the process and close the control client."""
        self.control.close()
        super().stop()


@pytest.fixture(scope="session")
def slack_emulator_process() -> Iterator[SlackEmulatorProcess]:
    """One emulator process for the whole test session."""
    with SlackEmulatorProcess() as process:
        yield process


@pytest.fixture
def slack_emulator(slack_emulator_process: SlackEmulatorProcess) -> SlackEmulatorProcess:
    """The session's emulator, reset before the test."""
    slack_emulator_process.control.reset()
    return slack_emulator_process
