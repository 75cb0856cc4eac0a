"""Against the compose stack that deploy/containers/run.sh brought up (emulators profile).

The seed scenario over HTTP with the end-to-end suite's own client and steps (chat API,
consent at the Google emulator, "그래", the event at 07:40–12:00 +09:00); calendar sync across
the containers (an event moved in Google reaches the router by push; a disconnect stops the
channel at Google first); each service's database role reaching only its own database; a
Deployment of deploy/kubernetes under `podman kube play`. Run by `make containers`, never
collected by the plain `pytest` run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests-e2e"))

from harness import ChatUser, GoogleApp, GoogleControl, wait_until  # noqa: E402
from test_calendar_sync import disconnect  # noqa: E402
from test_seed_scenario import _seed_scenario  # noqa: E402

SEOUL = ZoneInfo("Asia/Seoul")
# Generous: the machine running the stack may be loaded; each wait ends as soon as it is met.
STACK_WAIT_SECONDS = 300.0

PORTS = {
    "router": "HARU_ROUTER_PORT",
    "auth-server": "HARU_AUTH_PORT",
    "skill-calendar": "HARU_CALENDAR_PORT",
    "google-emulator": "HARU_GOOGLE_EMULATOR_PORT",
    "slack-emulator": "HARU_SLACK_EMULATOR_PORT",
}
SERVICES = {"AUTH": "auth-server", "CALENDAR": "skill-calendar", "ROUTER": "router"}

if "COMPOSE_PROJECT_NAME" not in os.environ:
    pytest.skip("run by deploy/containers/run.sh (make containers)", allow_module_level=True)


@dataclass
class ComposeSystem:
    """The published stack, shaped like the suite's System for the parts the scenario uses."""

    ports: dict[str, int]
    sent_texts: set[str] = field(default_factory=set)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def google(self) -> GoogleControl:
        return GoogleControl(self.url("google-emulator"))


@pytest.fixture(scope="module")
def stack() -> ComposeSystem:
    return ComposeSystem({name: int(os.environ[var]) for name, var in PORTS.items()})


def secret(name: str) -> str:
    return (Path(os.environ["HARU_SECRETS_FOLDER"]) / name).read_text().strip()


def container(service: str) -> str:
    project = os.environ["COMPOSE_PROJECT_NAME"]
    found = subprocess.run(
        [
            "podman",
            "ps",
            "-q",
            "--filter",
            f"label=com.docker.compose.project={project}",
            "--filter",
            f"label=com.docker.compose.service={service}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(found) == 1, f"{service}: {found}"
    return found[0]


def psql(url: str, sql: str = "select 1") -> subprocess.CompletedProcess[str]:
    """Runs ``sql`` inside the PostgreSQL container, connecting over TCP as ``url`` says."""
    libpq = url.replace("+asyncpg", "").replace("@postgres:", "@127.0.0.1:")
    return subprocess.run(
        ["podman", "exec", container("postgres"), "psql", libpq, "-Atc", sql],
        capture_output=True,
        text=True,
        check=False,
    )


def test_seed_scenario_through_the_containers(stack: ComposeSystem) -> None:
    _seed_scenario(stack)


def calendar_rows(sql: str) -> list[str]:
    """Rows of skill-calendar's database, one text line each, as its own role reads them."""
    answer = psql(secret("CALENDAR_DATABASE_URL"), sql)
    assert answer.returncode == 0, answer.stderr
    return [line for line in answer.stdout.splitlines() if line]


def following_person(stack: ComposeSystem) -> tuple[ChatUser, str]:
    """A person who connected Google from the chat, and the channel skill-calendar then made
    at the Google emulator (after the baseline sync)."""
    user = ChatUser.new(stack)
    stack.google.add_account(user.email)
    user.connect_ahead()
    query = (
        f"SELECT channel_id FROM watched_calendars WHERE user_id = '{user.user_id}' AND active "
        "AND channel_id IS NOT NULL AND sync_token IS NOT NULL"
    )
    [channel_id] = wait_until(
        "skill-calendar follows the calendar (baseline and channel)",
        lambda: calendar_rows(query),
        STACK_WAIT_SECONDS,
    )
    return user, channel_id


def test_an_event_moved_in_google_reaches_the_router_by_push(stack: ComposeSystem) -> None:
    """Calendar sync across the containers: the grant makes the router ask skill-calendar to
    follow the calendar (a channel at the Google emulator, whose push goes to
    skill-calendar:8002 on the compose network); an event another app moves in Google comes
    back as a change notice that the router accepts with skill-calendar's token."""
    user, channel_id = following_person(stack)
    other_app = GoogleApp(stack.google, user.email)
    day = datetime.now(SEOUL).date() + timedelta(days=2)
    start = datetime(day.year, day.month, day.day, 15, tzinfo=SEOUL)
    created = other_app.http.post(
        "/events",
        json={
            "summary": "치과",
            "start": {"dateTime": start.isoformat(), "timeZone": "Asia/Seoul"},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "Asia/Seoul"},
        },
    )
    created.raise_for_status()
    event_id = created.json()["id"]
    later = start + timedelta(hours=2)
    moved = other_app.patch_event(
        event_id,
        start={"dateTime": later.isoformat(), "timeZone": "Asia/Seoul"},
        end={"dateTime": (later + timedelta(hours=1)).isoformat(), "timeZone": "Asia/Seoul"},
    )

    def delivered_move() -> dict[str, Any] | None:
        rows = calendar_rows(
            f"SELECT payload FROM change_notices WHERE user_id = '{user.user_id}' "
            "AND state = 'done' ORDER BY created_at"
        )
        for notice in map(json.loads, rows):
            for event in notice["events"]:
                if event["event_id"] == event_id and event["start"] == moved["start"]["dateTime"]:
                    return notice
        return None

    notice = wait_until("the move reaches the router", delivered_move, STACK_WAIT_SECONDS)
    assert notice["full_resync"] is False
    # By push (the safety net syncs every 15 minutes): the emulator's channel messages were
    # answered 200 by skill-calendar.
    [channel] = [c for c in stack.google.channels() if c["id"] == channel_id]
    assert [d["answer"] for d in channel["deliveries"]].count(200) >= 2, channel["deliveries"]
    # The router took it: its hook logged the event, and its metrics (served in production to
    # the metrics token only) count the accepted notices.
    logs = subprocess.run(
        ["podman", "logs", container("router")], capture_output=True, text=True, check=True
    )
    delivered = [
        line
        for line in (logs.stdout + logs.stderr).splitlines()
        if "calendar changes delivered" in line and event_id in line
    ]
    assert delivered, "the router did not log the notice"
    metrics = httpx.get(stack.url("router") + "/metrics", timeout=10)
    assert metrics.status_code == 401  # production: the metrics token only
    metrics = httpx.get(
        stack.url("router") + "/metrics",
        headers={"Authorization": f"Bearer {secret('ROUTER_METRICS_TOKEN')}"},
        timeout=10,
    )
    metrics.raise_for_status()
    accepted = [
        line
        for line in metrics.text.splitlines()
        if line.startswith("http_requests_total{")
        and 'route="/internal/calendar-changes"' in line
        and 'status="200"' in line
    ]
    assert accepted and float(accepted[0].rsplit(" ", 1)[1]) >= 1, metrics.text[-2000:]


def test_a_disconnect_stops_the_channel_at_google_before_the_revoke(stack: ComposeSystem) -> None:
    """연결 해제 on the account page: auth-server asks the router (its token at the router),
    the router asks skill-calendar, which stops the channel at Google with the person's
    still-valid token (its token at auth-server), all before auth-server revokes."""
    user, channel_id = following_person(stack)
    disconnect(stack, user)
    [channel] = [c for c in stack.google.channels() if c["id"] == channel_id]
    assert channel["stopped"] is True and channel["email"] == user.email
    query = f"SELECT active, channel_id FROM watched_calendars WHERE user_id = '{user.user_id}'"
    assert wait_until(
        "skill-calendar stops following the calendar",
        lambda: calendar_rows(query) == ["f|"],
        STACK_WAIT_SECONDS,
        seen=lambda: calendar_rows(query),
    )


@pytest.mark.parametrize("prefix", SERVICES)
def test_each_role_reaches_only_its_own_database(prefix: str) -> None:
    own = secret(f"{prefix}_DATABASE_URL")
    assert psql(own, "select current_user").stdout.strip() == f"haru_{prefix.lower()}"
    for other in SERVICES:
        if other == prefix:
            continue
        database = secret(f"{other}_DATABASE_URL").rsplit("/", 1)[1]
        answer = psql(own.rsplit("/", 1)[0] + "/" + database)
        assert answer.returncode != 0
        assert "permission denied for database" in answer.stderr, answer.stderr
    for maintenance in ("postgres", "haru", "template1"):
        answer = psql(own.rsplit("/", 1)[0] + "/" + maintenance)
        assert "permission denied for database" in answer.stderr, answer.stderr


def test_a_kubernetes_deployment_runs_under_podman_kube_play(tmp_path: Path) -> None:
    """deploy/kubernetes' skill-calendar Deployment, played by podman on the compose network
    (its PostgreSQL role and the auth-server), answers /readyz. podman 4.3 has no Secret
    volumes and pulls no image: the secrets folder is a host path, the image the local one."""
    base = REPO / "deploy/kubernetes/skill-calendar"
    deployment = yaml.safe_load((base / "deployment.yaml").read_text())
    deployment["spec"]["replicas"] = 1
    spec = deployment["spec"]["template"]["spec"]
    [app] = spec["containers"]
    app["imagePullPolicy"] = "Never"
    app["ports"][0] |= {"hostPort": int(os.environ["HARU_KUBE_PORT"]), "hostIP": "127.0.0.1"}
    folder = tmp_path / "secrets"
    folder.mkdir()
    for source in Path(os.environ["HARU_SECRETS_FOLDER"]).glob("CALENDAR_*"):
        (folder / source.name).write_text(source.read_text())
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["secrets"]["secret"]["secretName"] == "skill-calendar"
    volumes["secrets"] = {"name": "secrets", "hostPath": {"path": str(folder), "type": "Directory"}}
    spec["volumes"] = list(volumes.values())
    played = tmp_path / "skill-calendar.yaml"
    played.write_text(yaml.safe_dump(deployment))
    network = f"{os.environ['COMPOSE_PROJECT_NAME']}_default"
    play = subprocess.run(
        ["podman", "kube", "play", "--network", network,
         "--configmap", str(base / "config.yaml"), str(played)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        assert play.returncode == 0, play.stderr
        url = f"http://127.0.0.1:{os.environ['HARU_KUBE_PORT']}/readyz"

        def ready() -> bool:
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until("the played pod answers /readyz", ready, STACK_WAIT_SECONDS, seen=_pod_logs)
    finally:
        subprocess.run(["podman", "kube", "down", str(played)], capture_output=True, check=False)


def _pod_logs() -> str:
    pods = subprocess.run(
        ["podman", "ps", "-a", "--format", "{{.Names}} {{.Status}}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    logs = subprocess.run(
        ["podman", "logs", "--tail", "40", "skill-calendar-pod-skill-calendar"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return pods + logs.stdout + logs.stderr


def test_a_service_that_dies_is_restarted(stack: ComposeSystem) -> None:
    """restart: unless-stopped brings a crashed router back, and it serves again."""
    router = container("router")

    def restarts() -> int:
        return int(
            subprocess.run(
                ["podman", "inspect", "--format", "{{.RestartCount}}", router],
                capture_output=True, text=True, check=True,
            ).stdout.strip()
        )  # fmt: skip

    before = restarts()
    crash = "import os, signal; os.kill(1, signal.SIGTERM)"  # its PID 1: the service exits
    subprocess.run(["podman", "exec", router, "python", "-c", crash], check=True)

    def serving_again() -> bool:
        try:
            return restarts() > before and httpx.get(stack.url("router") + "/healthz").is_success
        except (httpx.HTTPError, subprocess.CalledProcessError):
            return False

    wait_until(
        "the router restarted and serving",
        serving_again,
        STACK_WAIT_SECONDS,
        seen=lambda: f"{restarts()} restarts, {_pod_logs()}",
    )
