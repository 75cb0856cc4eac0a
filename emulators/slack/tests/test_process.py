"""`python -m slack_emulator` starts with the env the launcher (tools/haru_stack.py) gives it."""

import haru_stack
import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_emulator.settings import Settings
from slack_emulator.testing import SlackEmulatorProcess


def test_the_launcher_spec_starts_a_working_emulator(tmp_path):
    urls = {name: "sqlite+aiosqlite://" for name in ("auth-server", "skill-calendar", "router")}
    topology = haru_stack.Topology.isolated(tmp_path, database_urls=urls)
    keys = haru_stack.Secrets.generate()
    [spec] = [s for s in haru_stack.process_specs(topology, keys) if s.name == "slack-emulator"]
    assert haru_stack.installed(spec)

    with SlackEmulatorProcess(port=spec.port, env=spec.env) as process:
        assert httpx.get(process.base_url + spec.health_path).json() == {"status": "ok"}
        client = WebClient(token=keys.slack_bot_token, base_url=process.api_url)
        assert client.auth_test()["user_id"] == "U0HARUBOT1"
        try:
            WebClient(token="xoxb-other", base_url=process.api_url).auth_test()
            raise AssertionError("a wrong token was accepted")
        except SlackApiError as err:
            assert err.response["error"] == "invalid_auth"


def test_settings_from_env(monkeypatch):
    monkeypatch.setenv("SLACK_EMULATOR_RETRY_DELAYS_SECONDS", "0, 1.5,30")
    monkeypatch.setenv("SLACK_EMULATOR_ACK_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("SLACK_EMULATOR_ECHO_BOT_MESSAGES", "false")
    monkeypatch.setenv("SLACK_EMULATOR_PORT", "9999")
    settings = Settings()
    assert settings.retry_delays_seconds == (0.0, 1.5, 30.0)
    assert settings.ack_timeout_seconds == 0.5
    assert settings.echo_bot_messages is False
    assert settings.base_url == "http://127.0.0.1:9999"


def test_settings_defaults_follow_slack(monkeypatch):
    for name in ("RETRY_DELAYS_SECONDS", "ACK_TIMEOUT_SECONDS", "TEAM_ID", "BOT_USER_ID"):
        monkeypatch.delenv("SLACK_EMULATOR_" + name, raising=False)
    settings = Settings()
    assert settings.retry_delays_seconds == (0.0, 60.0, 300.0)
    assert settings.ack_timeout_seconds == 3.0
    assert (settings.team_id, settings.bot_user_id) == ("T0HARU0001", "U0HARUBOT1")
