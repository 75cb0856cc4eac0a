"""Starts the whole Haru system on loopback: emulators, auth-server, skill-calendar, router.

`make run` uses it (SQLite under ./var, fixed ports); tests-e2e uses the same classes with free
ports, PostgreSQL databases and its own log folder, so there is one launcher, not two.

    python tools/haru_stack.py run        # migrate, start everything, wait for health, Ctrl-C stops
    python tools/haru_stack.py migrate    # upgrade the three databases to head
    python tools/haru_stack.py secrets    # create (once) and show where the development secrets are
    HARU_PORT_OFFSET=100 python tools/haru_stack.py run   # on 8100-8102, 8190-8192 instead

Settings the person set win over the sandbox defaults: a `.env` at the repository root, and the
environment over that (AUTH_*, CALENDAR_*, ROUTER_*, OPENAI_*, HARU_PORT_OFFSET). With a real
Google client (AUTH_GOOGLE_CLIENT_ID) the Google emulator is not started and the services use
Google's endpoints; with a real Slack bot token (ROUTER_SLACK_BOT_TOKEN), the same for Slack.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from run_settings import (
    DATABASE_ENV,
    DEFAULT_PORTS,
    DEV_GOOGLE_CLIENT_ID,
    EMULATOR_WIRING,
    PersonSettings,
)

from shared.processes import free_port, wait_until_healthy

REPO = Path(__file__).resolve().parent.parent
SERVICE_DIRS = {
    "auth-server": REPO / "auth-server",
    "skill-calendar": REPO / "skill-calendar",
    "router": REPO / "router",
}
HEALTH_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Secrets:
    """Development secrets: one token per caller→callee pair, the token key, Slack's secrets."""

    router_to_auth: str
    calendar_to_auth: str
    router_to_calendar: str
    auth_to_router: str
    encryption_keys: str
    slack_signing_secret: str
    slack_bot_token: str
    calendar_to_router: str = ""  # added later: filled in for an older secrets file

    @classmethod
    def generate(cls) -> Secrets:
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        return cls(
            router_to_auth=secrets.token_urlsafe(32),
            calendar_to_auth=secrets.token_urlsafe(32),
            router_to_calendar=secrets.token_urlsafe(32),
            auth_to_router=secrets.token_urlsafe(32),
            encryption_keys=f"dev1:{key}",
            slack_signing_secret=secrets.token_hex(16),
            slack_bot_token="xoxb-haru-dev-" + secrets.token_hex(12),
            calendar_to_router=secrets.token_urlsafe(32),
        )

    @classmethod
    def load_or_create(cls, path: Path) -> tuple[Secrets, bool]:
        """Reads ``path`` or writes fresh secrets there (mode 600); says if it created them."""
        if path.exists():
            loaded = cls(**json.loads(path.read_text()))
            if not loaded.calendar_to_router:  # a file written before that secret existed
                loaded = dataclasses.replace(loaded, calendar_to_router=secrets.token_urlsafe(32))
                path.write_text(json.dumps(loaded.__dict__, indent=2))
            return loaded, False
        path.parent.mkdir(parents=True, exist_ok=True)
        created = cls.generate()
        path.write_text(json.dumps(created.__dict__, indent=2))
        path.chmod(0o600)
        return created, True


@dataclass
class Topology:
    """Where everything listens and which database each service uses."""

    ports: dict[str, int]
    database_urls: dict[str, str]
    state_dir: Path
    log_dir: Path
    google_token_ttl: int | None = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @classmethod
    def local(cls, state_dir: Path, person: PersonSettings | None = None) -> Topology:
        """Fixed ports (moved by HARU_PORT_OFFSET) and SQLite files under ``state_dir``, or
        the databases the person named (what `make run` uses)."""
        person = person or PersonSettings()
        sqlite = {
            "auth-server": f"sqlite+aiosqlite:///{state_dir / 'auth.db'}",
            "skill-calendar": f"sqlite+aiosqlite:///{state_dir / 'calendar.db'}",
            "router": f"sqlite+aiosqlite:///{state_dir / 'router.db'}",
        }
        return cls(
            ports={name: port + person.port_offset for name, port in DEFAULT_PORTS.items()},
            database_urls={
                name: person.values.get(DATABASE_ENV[name]) or url for name, url in sqlite.items()
            },
            state_dir=state_dir,
            log_dir=state_dir / "log",
        )

    @classmethod
    def isolated(cls, state_dir: Path, database_urls: dict[str, str]) -> Topology:
        """Free ports, the given databases (what tests-e2e uses)."""
        return cls(
            ports={name: free_port() for name in DEFAULT_PORTS},
            database_urls=database_urls,
            state_dir=state_dir,
            log_dir=state_dir / "log",
        )


@dataclass
class ProcessSpec:
    """One process of the system: how to start it and how to know it is up."""

    name: str
    module: str
    port: int
    env: dict[str, str]
    health_path: str = "/healthz"


def process_specs(
    topology: Topology, keys: Secrets, person: PersonSettings | None = None
) -> list[ProcessSpec]:
    """Every process in start order, wired to each other by env; what the person set wins,
    and a real Google or Slack replaces its emulator."""
    person = person or PersonSettings()
    replaced = person.replaced_emulators
    wiring = tuple(prefix for name in replaced for prefix in EMULATOR_WIRING[name])
    specs = [spec for spec in _sandbox_specs(topology, keys) if spec.name not in replaced]
    for spec in specs:
        spec.env = {k: v for k, v in spec.env.items() if not k.startswith(wiring)}
        spec.env |= person.for_process(spec.name)
    return specs


def _sandbox_specs(topology: Topology, keys: Secrets) -> list[ProcessSpec]:
    """Every process wired to the emulators, with the development client and secrets."""
    google = topology.url("google-emulator")
    slack = topology.url("slack-emulator")
    openai = topology.url("openai-emulator")
    common = {"PYTHONUNBUFFERED": "1"}
    google_env = {
        "GOOGLE_EMULATOR_HOST": "127.0.0.1",
        "GOOGLE_EMULATOR_PORT": str(topology.ports["google-emulator"]),
        "GOOGLE_EMULATOR_STATE_FILE": str(topology.state_dir / "google-emulator.json"),
    }
    if topology.google_token_ttl:
        google_env["GOOGLE_EMULATOR_ACCESS_TOKEN_TTL"] = str(topology.google_token_ttl)
    return [
        ProcessSpec(
            "google-emulator",
            "google_emulator",
            topology.ports["google-emulator"],
            common | google_env,
        ),
        ProcessSpec(
            "slack-emulator",
            "slack_emulator",
            topology.ports["slack-emulator"],
            common
            | {
                "SLACK_EMULATOR_HOST": "127.0.0.1",
                "SLACK_EMULATOR_PORT": str(topology.ports["slack-emulator"]),
                "SLACK_EMULATOR_BOT_TOKEN": keys.slack_bot_token,
                "SLACK_EMULATOR_SIGNING_SECRET": keys.slack_signing_secret,
                "SLACK_EMULATOR_EVENTS_URL": topology.url("router") + "/slack/events",
                "SLACK_EMULATOR_INTERACTIVITY_URL": topology.url("router") + "/slack/interactivity",
            },
        ),
        ProcessSpec(
            "openai-emulator",
            "openai_emulator",
            topology.ports["openai-emulator"],
            common
            | {
                "OPENAI_EMULATOR_HOST": "127.0.0.1",
                "OPENAI_EMULATOR_PORT": str(topology.ports["openai-emulator"]),
            },
        ),
        ProcessSpec(
            "auth-server",
            "auth_server",
            topology.ports["auth-server"],
            common
            | {
                "AUTH_PORT": str(topology.ports["auth-server"]),
                "AUTH_DATABASE_URL": topology.database_urls["auth-server"],
                "AUTH_PUBLIC_BASE_URL": topology.url("auth-server"),
                "AUTH_SERVICE_TOKENS": json.dumps(
                    {"router": keys.router_to_auth, "skill-calendar": keys.calendar_to_auth}
                ),
                "AUTH_GOOGLE_CLIENT_ID": DEV_GOOGLE_CLIENT_ID,
                "AUTH_GOOGLE_CLIENT_SECRET": "haru-dev-secret",
                "AUTH_GOOGLE_AUTH_URI": f"{google}/o/oauth2/v2/auth",
                "AUTH_GOOGLE_TOKEN_URI": f"{google}/token",
                "AUTH_GOOGLE_REVOKE_URI": f"{google}/revoke",
                "AUTH_GOOGLE_USERINFO_URI": f"{google}/v1/userinfo",
                "AUTH_ENCRYPTION_KEYS": keys.encryption_keys,
                "AUTH_ROUTER_URL": topology.url("router"),
                "AUTH_ROUTER_TOKEN": keys.auth_to_router,
                "AUTH_CHAT_URL": topology.url("router") + "/",
            },
        ),
        ProcessSpec(
            "skill-calendar",
            "skill_calendar",
            topology.ports["skill-calendar"],
            common
            | {
                "CALENDAR_PORT": str(topology.ports["skill-calendar"]),
                "CALENDAR_DATABASE_URL": topology.database_urls["skill-calendar"],
                "CALENDAR_SERVICE_TOKENS": json.dumps({"router": keys.router_to_calendar}),
                "CALENDAR_AUTH_SERVER_URL": topology.url("auth-server"),
                "CALENDAR_AUTH_SERVER_TOKEN": keys.calendar_to_auth,
                "CALENDAR_GOOGLE_API_BASE_URL": google,
                "CALENDAR_ROUTER_URL": topology.url("router"),
                "CALENDAR_ROUTER_TOKEN": keys.calendar_to_router,
                # Google's push notifications reach skill-calendar here (the emulator's
                # channels; a real Google needs a public HTTPS address instead).
                "CALENDAR_PUBLIC_URL": topology.url("skill-calendar"),
            },
        ),
        ProcessSpec(
            "router",
            "router_service",
            topology.ports["router"],
            common
            | {
                "ROUTER_PORT": str(topology.ports["router"]),
                "ROUTER_DATABASE_URL": topology.database_urls["router"],
                "ROUTER_PUBLIC_BASE_URL": topology.url("router"),
                "ROUTER_SERVICE_TOKENS": json.dumps(
                    {"auth-server": keys.auth_to_router, "skill-calendar": keys.calendar_to_router}
                ),
                "ROUTER_AUTH_SERVER_URL": topology.url("auth-server"),
                "ROUTER_AUTH_SERVER_TOKEN": keys.router_to_auth,
                "ROUTER_CALENDAR_URL": topology.url("skill-calendar"),
                "ROUTER_CALENDAR_TOKEN": keys.router_to_calendar,
                "ROUTER_SLACK_API_URL": f"{slack}/api/",
                "ROUTER_SLACK_BOT_TOKEN": keys.slack_bot_token,
                "ROUTER_SLACK_SIGNING_SECRET": keys.slack_signing_secret,
                "OPENAI_BASE_URL": f"{openai}/v1",
                "OPENAI_API_KEY": "sk-haru-dev",
            },
        ),
    ]


def installed(spec: ProcessSpec) -> bool:
    """Whether this checkout has the program ``spec`` runs (an emulator may not be built yet)."""
    return importlib.util.find_spec(f"{spec.module}.__main__") is not None


def migrate(topology: Topology, *, python: str = sys.executable) -> None:
    """Upgrades every service's database to head (each has its own Alembic history)."""
    topology.state_dir.mkdir(parents=True, exist_ok=True)
    for name, service_dir in SERVICE_DIRS.items():
        env = os.environ | {DATABASE_ENV[name]: topology.database_urls[name]}
        result = subprocess.run(
            [python, "-m", "alembic", "-c", str(service_dir / "alembic.ini"), "upgrade", "head"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"migrating {name} failed:\n{result.stderr[-4000:]}")


@dataclass
class RunningProcess:
    spec: ProcessSpec
    popen: subprocess.Popen[str]
    log_path: Path
    pump: threading.Thread


@dataclass
class Stack:
    """The running system: start, wait for health, kill or restart one process, stop all."""

    topology: Topology
    keys: Secrets
    echo: bool = False
    python: str = sys.executable
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)
    person: PersonSettings = field(default_factory=PersonSettings)
    running: dict[str, RunningProcess] = field(default_factory=dict)

    @property
    def specs(self) -> dict[str, ProcessSpec]:
        specs = {s.name: s for s in process_specs(self.topology, self.keys, self.person)}
        for name, env in self.extra_env.items():
            specs[name].env.update(env)
        return specs

    def start(self, names: Iterable[str] | None = None) -> None:
        """Starts the named processes (all by default) and waits until each is healthy."""
        specs = self.specs
        for name in names or specs:
            self._spawn(specs[name])
        for name in names or specs:
            self.wait_healthy(name)

    def _spawn(self, spec: ProcessSpec) -> None:
        self.topology.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.topology.log_dir / f"{spec.name}.log"
        popen = subprocess.Popen(
            [self.python, "-m", spec.module],
            cwd=REPO,
            env=os.environ | spec.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # Ctrl-C reaches the launcher, which stops everyone in order
        )
        pump = threading.Thread(target=self._pump, args=(spec.name, popen, log_path), daemon=True)
        pump.start()
        self.running[spec.name] = RunningProcess(spec, popen, log_path, pump)

    def _pump(self, name: str, popen: subprocess.Popen[str], log_path: Path) -> None:
        assert popen.stdout is not None
        with log_path.open("a", encoding="utf-8") as log:
            for line in popen.stdout:
                log.write(line)
                log.flush()
                if self.echo:
                    sys.stdout.write(f"{name:>16} | {line}")

    def wait_healthy(self, name: str, timeout: float = HEALTH_TIMEOUT_SECONDS) -> None:
        """Polls the process's health route; fails with its last log lines if it dies or hangs."""
        process = self.running[name]
        url = f"http://127.0.0.1:{process.spec.port}{process.spec.health_path}"
        try:
            wait_until_healthy(url, process.popen, name=name, timeout=timeout)
        except RuntimeError as err:
            raise RuntimeError(f"{err}:\n{self.tail(name)}") from err

    def tail(self, name: str, lines: int = 40) -> str:
        """The last lines ``name`` wrote."""
        path = self.running[name].log_path
        if not path.exists():
            return ""
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Sends ``sig`` to one process and waits for it to go (SIGKILL by default: a crash)."""
        process = self.running.pop(name)
        if process.popen.poll() is None:
            os.killpg(process.popen.pid, sig)
            try:
                process.popen.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait()
        process.pump.join(timeout=2)

    def launch(self, spec: ProcessSpec) -> None:
        """Starts one process from ``spec`` (e.g. a second replica) and waits for its health."""
        self._spawn(spec)
        self.wait_healthy(spec.name)

    def restart(self, name: str) -> None:
        """Starts a process again after ``kill`` and waits for its health."""
        self.launch(self.specs[name])

    def stop(self) -> None:
        """Stops every process: SIGTERM in reverse start order, SIGKILL after a grace period."""
        for name in reversed(list(self.running)):
            self.kill(name, signal.SIGTERM)


def banner(stack: Stack, secrets_path: Path, created: bool) -> str:
    """What `make run` prints once everything is up: every URL, and what is real."""
    topology, running = stack.topology, set(stack.running)
    lines = []
    if created:
        lines.append(
            f"개발용 비밀값을 만들었습니다 / generated development secrets: {secrets_path}"
        )
    lines.append("\n하루(Haru)가 준비되었습니다 / Haru is up:")
    rows = [("웹 채팅 / web chat", f"{topology.url('router')}/")]
    if "google-emulator" in running:
        rows.append(("구글 에뮬레이터 / Google", f"{topology.url('google-emulator')}/emulator/"))
    elif stack.person.real_google:
        rows.append(("Google", "accounts.google.com (AUTH_GOOGLE_CLIENT_ID)"))
    if "slack-emulator" in running:
        rows.append(("슬랙 에뮬레이터 / Slack", f"{topology.url('slack-emulator')}/emulator/"))
    elif stack.person.real_slack:
        rows.append(("Slack events URL", f"{topology.url('router')}/slack/events"))
    if "openai-emulator" in running:
        rows.append(("OpenAI emulator", f"{topology.url('openai-emulator')}/v1"))
    rows += [
        ("auth-server docs", f"{topology.url('auth-server')}/docs"),
        ("skill-calendar docs", f"{topology.url('skill-calendar')}/docs"),
        ("router docs", f"{topology.url('router')}/docs"),
        ("logs", f"{topology.log_dir}/"),
    ]
    width = max(len(label) for label, _ in rows) + 2
    lines += [f"  {label.ljust(width)}{url}" for label, url in rows]
    lines.append("Ctrl-C 로 모두 멈춥니다 / Ctrl-C stops everything.\n")
    return "\n".join(lines)


def _stop_on_signal(signum: int, frame: object) -> None:
    # `docker stop` / `kill` get the same orderly shutdown as Ctrl-C; the first signal
    # starts it and later ones (Ctrl-C again, `timeout`'s follow-up) are ignored.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def stop_all(stack: Stack) -> None:
    """Stops the stack; a second Ctrl-C or SIGTERM meanwhile cannot leave processes behind."""
    # stop() is bounded by its own SIGKILL after the grace period, so nothing is lost by
    # not being interruptible.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stack.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "migrate", "secrets"])
    parser.add_argument("--state-dir", type=Path, default=REPO / "var")
    parser.add_argument("--quiet", action="store_true", help="don't echo service logs")
    parser.add_argument(
        "--env-file", type=Path, default=REPO / ".env", help="settings file (default ./.env)"
    )
    args = parser.parse_args(argv)

    state_dir = args.state_dir.resolve()
    secrets_path = state_dir / "secrets.json"
    keys, created = Secrets.load_or_create(secrets_path)
    try:
        person = PersonSettings.read(dict(os.environ), args.env_file)
        topology = Topology.local(state_dir, person)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    if args.command == "secrets":
        print(secrets_path)
        return 0
    migrate(topology)
    if args.command == "migrate":
        print("migrated: auth-server, skill-calendar, router")
        return 0

    stack = Stack(topology, keys, echo=not args.quiet, person=person)
    names = [name for name, spec in stack.specs.items() if installed(spec)]
    if absent := sorted(set(stack.specs) - set(names)):
        print(f"not built yet, not started: {', '.join(absent)}")
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    try:
        stack.start(names)
        print(banner(stack, secrets_path, created), flush=True)
        while all(p.popen.poll() is None for p in stack.running.values()):
            time.sleep(0.5)
        dead = [name for name, p in stack.running.items() if p.popen.poll() is not None]
        print(f"stopped unexpectedly: {', '.join(dead)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n멈추는 중 / stopping …", flush=True)
        return 0
    except RuntimeError as err:
        print(err, file=sys.stderr)
        return 1
    finally:
        stop_all(stack)


if __name__ == "__main__":
    sys.exit(main())
