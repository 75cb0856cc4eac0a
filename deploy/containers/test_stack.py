"""Against the compose stack that deploy/containers/run.sh brought up (emulators profile).

The seed scenario over HTTP with the end-to-end suite's own client and steps (chat API,
consent at the Google emulator, "그래", the event at 07:40–12:00 +09:00); each service's
database role reaching only its own database; a Deployment of deploy/kubernetes under
`podman kube play`. Run by `make containers`, never collected by the plain `pytest` run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests-e2e"))

from harness import GoogleControl  # noqa: E402
from test_seed_scenario import _seed_scenario  # noqa: E402

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
        deadline = time.monotonic() + 90
        answer = None
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(url, timeout=2)
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        assert answer is not None and answer.status_code == 200, _pod_logs()
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
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if restarts() > before and httpx.get(stack.url("router") + "/healthz").is_success:
                return
        except (httpx.HTTPError, subprocess.CalledProcessError):
            pass
        time.sleep(1)
    raise AssertionError(f"router not restarted: {restarts()} restarts, {_pod_logs()}")
