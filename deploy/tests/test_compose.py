"""No Docker engine runs here, so the deployment files are checked against the code instead:
every build context, Dockerfile, port, dependency and env var they name must exist and agree
with the services' settings, and each Dockerfile's install step must yield a runnable service."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from auth_server.config import AuthSettings
from router_service.config import RouterSettings
from skill_calendar.config import CalendarSettings

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")

HARU = {
    # compose service: (settings class, env prefix, package, Dockerfile, migrate service)
    "auth-server": (AuthSettings, "AUTH_", "auth_server", "auth-server/Dockerfile", "auth-migrate"),
    "skill-calendar": (
        CalendarSettings,
        "CALENDAR_",
        "skill_calendar",
        "skill-calendar/Dockerfile",
        "calendar-migrate",
    ),
    "router": (RouterSettings, "ROUTER_", "router_service", "router/Dockerfile", "router-migrate"),
}


def dockerfile(path: str) -> str:
    return (REPO / path).read_text()


def container_port(service: dict) -> int:
    return int(service["ports"][0].rsplit(":", 1)[1])


def test_every_build_context_and_dockerfile_exists():
    builds = [s["build"] for s in SERVICES.values() if "build" in s]
    assert builds
    for build in builds:
        context = REPO / build["context"]
        assert context.is_dir()
        assert (context / build["dockerfile"]).is_file(), build


def test_every_image_is_built_by_some_service():
    built = {s["image"] for s in SERVICES.values() if "build" in s and "image" in s}
    for name, service in SERVICES.items():
        if "build" not in service:
            assert service.get("image") in built or ":" in service["image"], name


def test_dependencies_exist_and_health_conditions_can_be_met():
    for name, service in SERVICES.items():
        for target, rule in (service.get("depends_on") or {}).items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            other = SERVICES[target]
            if rule["condition"] == "service_healthy":
                has_check = "healthcheck" in other or "HEALTHCHECK" in dockerfile(
                    other.get("build", {}).get("dockerfile") or HARU[target][3]
                )
                assert has_check, f"{name} waits for {target} to be healthy; it has no healthcheck"
            if rule["condition"] == "service_completed_successfully":
                assert "command" in other, f"{target} must be a one-shot step"


def test_postgres_has_volume_healthcheck_and_one_database_per_service():
    postgres = SERVICES["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "healthcheck" in postgres
    assert any(v.startswith("postgres-data:") for v in postgres["volumes"])
    init = (REPO / "deploy/postgres-init.sql").read_text()
    for name, (_, prefix, *_rest) in HARU.items():
        url = SERVICES[name]["environment"][f"{prefix}DATABASE_URL"]
        database = url.rsplit("/", 1)[1]
        assert f"CREATE DATABASE {database};" in init
        assert url.startswith("postgresql+asyncpg://")


@pytest.mark.parametrize("name", HARU)
def test_env_names_are_settings_and_required_settings_are_set(name):
    settings_cls, prefix, *_ = HARU[name]
    env = SERVICES[name]["environment"]
    fields = {f"{prefix}{field.upper()}" for field in settings_cls.model_fields}
    unknown = [key for key in env if key.startswith(prefix) and key not in fields]
    assert unknown == [], f"{name} sets env vars its settings do not read: {unknown}"
    required = {
        f"{prefix}{field.upper()}"
        for field, info in settings_cls.model_fields.items()
        if info.is_required()
    }
    assert required <= set(env), f"{name} misses required settings: {required - set(env)}"


@pytest.mark.parametrize("name", HARU)
def test_ports_agree_with_settings_dockerfile_and_callers(name):
    settings_cls, _, _, path, _ = HARU[name]
    port = settings_cls.model_fields["port"].default
    assert container_port(SERVICES[name]) == port
    text = dockerfile(path)
    assert f"EXPOSE {port}" in text
    assert f"127.0.0.1:{port}/healthz" in text
    # Whoever calls this service inside the compose network uses that port.
    for other in SERVICES.values():
        for value in (other.get("environment") or {}).values():
            if f"http://{name}:" in str(value):
                assert f"http://{name}:{port}" in str(value)


@pytest.mark.parametrize("name", HARU)
def test_migrate_step_uses_the_same_image_and_database(name):
    _, prefix, _, path, migrate = HARU[name]
    step = SERVICES[migrate]
    assert step["build"]["dockerfile"] == path
    assert step["image"] == SERVICES[name]["image"]
    assert step["command"][:3] == ["alembic", "-c", "alembic.ini"]
    key = f"{prefix}DATABASE_URL"
    assert step["environment"][key] == SERVICES[name]["environment"][key]


def test_every_required_variable_is_documented_in_the_env_example():
    example = (REPO / "deploy/compose.env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", example, flags=re.M))
    text = (REPO / "docker-compose.yml").read_text()
    used = {m["name"] for m in VARIABLE.finditer(text)}
    assert used - documented == set()


def test_emulator_profile_serves_every_emulator():
    emulators = {n for n, s in SERVICES.items() if "emulators" in s.get("profiles", [])}
    assert emulators == {"google-emulator", "slack-emulator", "openai-emulator"}
    for name in emulators:
        package = SERVICES[name]["build"]["args"]["EMULATOR"]
        assert (REPO / "emulators" / package / "src" / f"{package}_emulator").is_dir()


def test_slack_emulator_speaks_to_the_routers_slack_endpoints_with_the_routers_secrets():
    from router_service.slack.router import router as slack_router
    from slack_emulator.settings import Settings as SlackEmulatorSettings

    env = SERVICES["slack-emulator"]["environment"]
    fields = {f"SLACK_EMULATOR_{field.upper()}" for field in SlackEmulatorSettings.model_fields}
    assert set(env) <= fields
    paths = {route.path for route in slack_router.routes}
    router_port = RouterSettings.model_fields["port"].default
    for key in ("SLACK_EMULATOR_EVENTS_URL", "SLACK_EMULATOR_INTERACTIVITY_URL"):
        prefix = f"http://router:{router_port}"
        assert env[key].startswith(prefix) and env[key].removeprefix(prefix) in paths
    router_env = SERVICES["router"]["environment"]
    # Both sides read the same variables, so a sandbox .env configures the pair at once.
    assert "${SLACK_BOT_TOKEN" in router_env["ROUTER_SLACK_BOT_TOKEN"]
    assert "${SLACK_BOT_TOKEN" in env["SLACK_EMULATOR_BOT_TOKEN"]
    assert "${SLACK_SIGNING_SECRET" in router_env["ROUTER_SLACK_SIGNING_SECRET"]
    assert "${SLACK_SIGNING_SECRET" in env["SLACK_EMULATOR_SIGNING_SECRET"]


@pytest.mark.parametrize("name", HARU)
def test_dockerfile_installs_a_workspace_member_that_runs_and_migrates(name, tmp_path):
    """Replays the Dockerfile's install step with uv, then starts what its CMD names."""
    _, prefix, package, path, _ = HARU[name]
    text = dockerfile(path)
    assert "USER haru" in text and "useradd" in text
    assert text.count("FROM ") >= 2, "multi-stage"
    assert f'CMD ["python", "-m", "{package}"]' in text
    install = re.search(r"RUN (uv sync .*)", text)[1]
    assert "--frozen" in install and "--no-dev" in install
    for source in re.findall(r"^COPY (?!--from)(\S+) ", text, flags=re.M):
        assert (REPO / source).exists(), source
    uv = shutil.which("uv") or f"{sys.executable} -m uv"
    venv = tmp_path / "venv"
    env = os.environ | {"UV_PROJECT_ENVIRONMENT": str(venv)}
    subprocess.run([*uv.split(), *install.split()[1:], "--quiet"], cwd=REPO, env=env, check=True)
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    shutil.copy(REPO / path.replace("Dockerfile", "alembic.ini"), app_dir / "alembic.ini")
    shutil.copytree(REPO / path.replace("Dockerfile", "migrations"), app_dir / "migrations")
    db_env = os.environ | {f"{prefix}DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    subprocess.run(
        [str(venv / "bin" / "alembic"), "-c", "alembic.ini", "upgrade", "head"],
        cwd=app_dir,
        env=db_env,
        check=True,
        capture_output=True,
    )
    probe = f"import {package}.main, {package}.__main__"
    subprocess.run([str(venv / "bin" / "python"), "-c", probe], cwd=app_dir, check=True)


def test_readme_settings_table_is_current():
    result = subprocess.run(
        [sys.executable, str(REPO / "tools/settings_table.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
