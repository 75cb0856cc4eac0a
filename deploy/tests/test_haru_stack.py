"""The launcher behind `make run`: stopping is not cut short by a second signal; settings the
person set win over the sandbox, and a real Google or Slack replaces its emulator."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import haru_stack
import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]


class SignalledWhileStopping:
    """A stack whose stopping is interrupted by SIGTERM after its first process."""

    def __init__(self) -> None:
        self.running = ["router", "skill-calendar", "auth-server"]
        self.stopped: list[str] = []

    def stop(self) -> None:
        for name in list(self.running):
            self.stopped.append(name)
            if len(self.stopped) == 1:
                os.kill(os.getpid(), signal.SIGTERM)  # e.g. `timeout`, or Ctrl-C again


def test_a_second_sigterm_while_stopping_stops_every_process() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, haru_stack._stop_on_signal)  # as `run` installs it
    stack = SignalledWhileStopping()
    try:
        haru_stack.stop_all(stack)
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])
    assert stack.stopped == stack.running


def test_the_first_signal_starts_stopping_and_later_ones_are_ignored() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, haru_stack._stop_on_signal)
    interrupted = 0
    try:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        except KeyboardInterrupt:
            interrupted += 1
            os.kill(os.getpid(), signal.SIGTERM)  # arrives while stopping: no second interrupt
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])
    assert interrupted == 1


# --------------------------------------------------------------- make run with real credentials

REAL_GOOGLE = {
    "AUTH_GOOGLE_CLIENT_ID": "1234567890-abc.apps.googleusercontent.com",
    "AUTH_GOOGLE_CLIENT_SECRET": "GOCSPX-not-a-real-secret",
}


KEYS = haru_stack.Secrets.generate()


def specs_for(values: dict[str, str], tmp_path) -> dict[str, haru_stack.ProcessSpec]:
    person = haru_stack.PersonSettings(values)
    topology = haru_stack.Topology.local(tmp_path, person)
    keys = haru_stack.Secrets.generate()
    return {spec.name: spec for spec in haru_stack.process_specs(topology, keys, person)}


def test_the_sandbox_by_default(tmp_path) -> None:
    specs = specs_for({}, tmp_path)
    assert {"google-emulator", "slack-emulator", "openai-emulator"} <= set(specs)
    auth = specs["auth-server"].env
    assert auth["AUTH_GOOGLE_AUTH_URI"] == "http://127.0.0.1:8090/o/oauth2/v2/auth"


def test_real_google_settings_win_and_the_google_emulator_is_not_started(tmp_path) -> None:
    specs = specs_for(REAL_GOOGLE, tmp_path)
    assert "google-emulator" not in specs
    auth = specs["auth-server"].env
    assert auth["AUTH_GOOGLE_CLIENT_ID"] == REAL_GOOGLE["AUTH_GOOGLE_CLIENT_ID"]
    assert auth["AUTH_GOOGLE_CLIENT_SECRET"] == REAL_GOOGLE["AUTH_GOOGLE_CLIENT_SECRET"]
    # Google's own endpoints are the settings' defaults: no emulator URL is left behind.
    # (":8090", the port in a URL: a random secret may hold the digits 8090 by chance.)
    assert not any(":8090" in value for spec in specs.values() for value in spec.env.values())
    assert "slack-emulator" in specs  # Slack stays the sandbox's


def test_real_slack_settings_win_and_the_slack_emulator_is_not_started(tmp_path) -> None:
    specs = specs_for(
        {"ROUTER_SLACK_BOT_TOKEN": "xoxb-real", "ROUTER_SLACK_SIGNING_SECRET": "s3"}, tmp_path
    )
    assert "slack-emulator" not in specs and "google-emulator" in specs
    router = specs["router"].env
    assert router["ROUTER_SLACK_BOT_TOKEN"] == "xoxb-real"
    assert router["ROUTER_SLACK_SIGNING_SECRET"] == "s3"
    assert "ROUTER_SLACK_API_URL" not in router  # Slack's own API, the setting's default


def test_the_env_file_is_read_and_the_environment_wins_over_it(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# mine\nAUTH_GOOGLE_CLIENT_ID=from-the-file.apps.googleusercontent.com\n"
        "ROUTER_LOG_LEVEL=DEBUG\nHARU_PORT_OFFSET=100\nUNRELATED=1\n"
    )
    environ = {"AUTH_GOOGLE_CLIENT_ID": "from-the-env.apps.googleusercontent.com", "HOME": "/x"}
    person = haru_stack.PersonSettings.read(environ, env_file)
    assert person.values == {
        "AUTH_GOOGLE_CLIENT_ID": "from-the-env.apps.googleusercontent.com",
        "ROUTER_LOG_LEVEL": "DEBUG",
        "HARU_PORT_OFFSET": "100",
        "UNRELATED": "1",
    }
    assert person.real_google and person.port_offset == 100
    assert person.for_process("router") == {"ROUTER_LOG_LEVEL": "DEBUG"}


def test_one_variable_moves_every_port(tmp_path) -> None:
    specs = specs_for({"HARU_PORT_OFFSET": "100"}, tmp_path)
    ports = {name: spec.port for name, spec in specs.items()}
    assert ports == {name: port + 100 for name, port in haru_stack.DEFAULT_PORTS.items()}
    wired = " ".join(value for spec in specs.values() for value in spec.env.values())
    for port in haru_stack.DEFAULT_PORTS.values():
        assert f":{port}" not in wired
    with pytest.raises(ValueError, match="HARU_PORT_OFFSET"):
        _ = haru_stack.PersonSettings({"HARU_PORT_OFFSET": "60000"}).port_offset


def test_the_banner_lists_every_url_including_the_slack_emulator(tmp_path) -> None:
    person = haru_stack.PersonSettings({})
    stack = haru_stack.Stack(
        haru_stack.Topology.local(tmp_path, person), haru_stack.Secrets.generate(), person=person
    )
    stack.running = dict.fromkeys(stack.specs)  # type: ignore[arg-type]
    text = haru_stack.banner(stack, tmp_path / "secrets.json", created=False)
    for url in (
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:8090/emulator/",
        "http://127.0.0.1:8091/emulator/",
        "http://127.0.0.1:8092/v1",
        "http://127.0.0.1:8001/docs",
        "http://127.0.0.1:8002/docs",
        "http://127.0.0.1:8000/docs",
    ):
        assert url in text


@pytest.mark.e2e
def test_make_run_with_real_google_sends_the_person_to_accounts_google_com(tmp_path) -> None:
    """`make run`'s launcher with a real client in .env: no emulator, and the connect button
    leads to Google's consent page (read from the redirect; nothing leaves this machine)."""
    offset = _free_offset()
    env_file = tmp_path / ".env"
    env_file.write_text(
        "\n".join(f"{k}={v}" for k, v in REAL_GOOGLE.items()) + f"\nHARU_PORT_OFFSET={offset}\n"
    )
    state = tmp_path / "state"
    launcher = subprocess.Popen(
        [sys.executable, str(REPO / "tools/haru_stack.py"), "run", "--quiet",
         "--state-dir", str(state), "--env-file", str(env_file)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO,
        env={k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "ROUTER_"))},
    )  # fmt: skip
    try:
        output = _read_until(launcher, "Ctrl-C")
        assert "accounts.google.com" in output and "구글 에뮬레이터" not in output
        auth = f"http://127.0.0.1:{8001 + offset}"
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{8090 + offset}/healthz", timeout=2)
        keys = json.loads((state / "secrets.json").read_text())
        headers = {"Authorization": f"Bearer {keys['router_to_auth']}"}
        user = httpx.get(f"http://127.0.0.1:{8000 + offset}/api/chat/session")
        user.raise_for_status()
        link = httpx.post(
            f"{auth}/internal/connect-links",
            json={"user_id": user.json()["user_id"], "capability": "calendar"},
            headers=headers,
        )
        link.raise_for_status()
        with httpx.Client() as browser:
            url = link.json()["url"]
            assert browser.get(url).status_code == 200
            go = browser.post(url)
        assert go.status_code == 303
        consent = urlsplit(go.headers["location"])
        assert (consent.scheme, consent.netloc) == ("https", "accounts.google.com")
        query = parse_qs(consent.query)
        assert query["client_id"] == [REAL_GOOGLE["AUTH_GOOGLE_CLIENT_ID"]]
        assert query["redirect_uri"] == [f"{auth}/oauth/google/callback"]
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.wait(timeout=30)


def _free_offset() -> int:
    for offset in range(20000, 40000, 211):
        ports = [port + offset for port in haru_stack.DEFAULT_PORTS.values()]
        with contextlib.ExitStack() as stack:
            try:
                for port in ports:
                    sock = stack.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return offset
    raise RuntimeError("no free port range")


def _read_until(process: subprocess.Popen[str], marker: str) -> str:
    """The launcher's output up to ``marker``. No clock here: the launcher gives each process
    its own health deadline and exits when one is missed (end of output), so a loaded
    machine is only slower; pytest's timeout bounds a launcher that hangs."""
    assert process.stdout is not None
    seen: list[str] = []
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError("".join(seen[-40:]))


def test_empty_settings_in_the_env_file_keep_the_sandbox(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("AUTH_GOOGLE_CLIENT_ID=\nROUTER_SLACK_BOT_TOKEN=\n")
    person = haru_stack.PersonSettings.read({}, env_file)
    assert person.replaced_emulators == set()
    specs = haru_stack.process_specs(haru_stack.Topology.local(tmp_path, person), KEYS, person)
    auth = next(spec for spec in specs if spec.name == "auth-server")
    assert auth.env["AUTH_GOOGLE_CLIENT_ID"] == haru_stack.DEV_GOOGLE_CLIENT_ID
