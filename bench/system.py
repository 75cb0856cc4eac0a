"""Whole-system benchmark: the ceiling and Haru's flows at concurrency 1, 10 and 50.

    uv run python bench/system.py            # full run (about 15 s per point)
    uv run python bench/system.py --quick    # smoke: short points, same shape of output

It starts a bare FastAPI app (``bench/ceiling/app.py``, the ceiling) and the whole system through
``tools/haru_stack.py`` on free ports against fresh PostgreSQL databases (SQLite when PostgreSQL
is unreachable, and says so), prepares users connected to the Google emulator, then drives each
flow with locust (as a library, in a child process so gevent's monkey-patching stays out of the
driver: ``bench/load.py``). Besides requests/s and latency it records each process's RSS and
CPU time (PostgreSQL's backends and locust included: ``bench/usage.py``), so the cost of a flow
can be read even on a shared machine. It writes ``var/bench/system.json`` and
``var/bench/system.png``; ``bench/report.py`` puts them into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from load import run_load, run_worker
from usage import Memory

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "var" / "bench"
CONCURRENCY = (1, 10, 50)
FLOW_LABELS = {
    "ceiling": "ceiling: bare FastAPI JSON endpoint under uvicorn",
    "token": "token API, cached token: POST /internal/tokens at the auth-server with "
    "skill-calendar's service token",
    "propose": "chat message that proposes an event, person connected to Google (router → NLU "
    "→ auth-server grant check → skill-calendar list for conflicts → proposal)",
    "create": "full create flow after approval: a distinct proposal, then 그래 "
    "(router → skill-calendar → auth-server token → Google emulator insert)",
    "message": "chat message, person not yet connected to Google: NLU, grant check, "
    "pending action, connect link (router → auth-server)",
}
# What one flow is, in requests: the step whose latency the tables report (None: every request).
MEASURED_STEP = {"create": "create: approve"}
STEPS_PER_FLOW = {"create": 2}
DEFAULT_FLOWS = ["ceiling", "token", "propose", "create"]
PROFILED_CONCURRENCY = 10
PROFILED_SERVICES = ("router", "auth-server", "skill-calendar")
# Spacing of the create flow's event numbers between load points, so no two are the same event.
CREATE_OFFSET_STEP = 7000


# --------------------------------------------------------------------------- driver


@dataclass
class Point:
    """One flow at one concurrency. Latencies are the measured step's (see MEASURED_STEP)."""

    flow: str
    concurrency: int
    requests: int
    failures: int
    rps: float
    flows_per_s: float
    p50_ms: float
    p99_ms: float
    measured: str
    # CPU cores each process (and locust, and the whole machine) kept busy during the point.
    cpu_cores: dict[str, float] | None = None
    # Server CPU time (every measured process but locust, PostgreSQL's backends for this run
    # included) per flow's worth of requests: steadier than
    # throughput when something else shares the machine.
    cpu_ms_per_flow: float | None = None
    fraction_of_ceiling: float | None = None
    steps: dict[str, Any] | None = None
    errors: list[str] | None = None
    # Uvicorn worker processes per service (``*_WORKERS``).
    workers: int = 1
    # Latency per outcome ("ok", "status 503 server.busy (Retry-After 1)", ...).
    outcomes: dict[str, Any] | None = None
    # py-spy's samples per service, by library (bench/profiles.py), when profiled.
    profiles: dict[str, Any] | None = None


def measure_flow(
    flow: str,
    base_url: str,
    *,
    duration: float,
    warmup: float,
    params: dict[str, Any],
    memory: Memory,
    pids: dict[str, int],
    databases: list[str] | None = None,
    levels: tuple[int, ...] = CONCURRENCY,
    workers: int = 1,
    honor_retry_after: bool = False,
    profile: bool = False,
) -> list[Point]:
    """The flow at each concurrency level (default 1, 10, 50); RSS sampled after each.

    ``profile``: py-spy records each service during the point at concurrency 10."""
    points = []
    step = MEASURED_STEP.get(flow)
    for index, users in enumerate(levels):
        spies = {}
        if profile and users == PROFILED_CONCURRENCY:
            from profiles import record

            OUT_DIR.mkdir(parents=True, exist_ok=True)
            spies = {
                name: record(
                    pids[name], seconds=warmup + duration, out=OUT_DIR / f"profile-{name}-{flow}"
                )
                for name in PROFILED_SERVICES
                if name in pids
            }
        figures = run_load(
            flow,
            base_url,
            users,
            duration=duration,
            warmup=warmup,
            params=params,
            offset=index * CREATE_OFFSET_STEP,
            pids=pids,
            databases=databases,
            honor_retry_after=honor_retry_after,
        )
        profiles = {}
        if spies:
            from profiles import summarise

            for name, spy in spies.items():
                spy.wait(timeout=60)
                collapsed = OUT_DIR / f"profile-{name}-{flow}.txt"
                if collapsed.exists():
                    profiles[name] = summarise(collapsed)
        cpu = figures["cpu_cores"]
        servers = sum(v for k, v in cpu.items() if k not in ("locust", "machine"))
        # Per flow's worth of requests (a create is a propose and an approve).
        iterations = figures["rps"] / STEPS_PER_FLOW.get(flow, 1)
        memory.sample(pids)
        measured = figures["entries"].get(step, figures) if step else figures
        flows = measured["rps"] if step else figures["rps"] / STEPS_PER_FLOW.get(flow, 1)
        point = Point(
            flow=flow,
            concurrency=users,
            requests=figures["requests"],
            failures=figures["failures"],
            rps=round(figures["rps"], 1),
            flows_per_s=round(flows, 1),
            p50_ms=measured["p50_ms"],
            p99_ms=measured["p99_ms"],
            measured=step or "every request",
            cpu_cores=cpu,
            cpu_ms_per_flow=round(1000 * servers / iterations, 2) if iterations else None,
            steps=figures["entries"] if len(figures["entries"]) > 1 else None,
            errors=figures["errors"] or None,
            workers=workers,
            outcomes=figures.get("outcomes") or None,
            profiles=profiles or None,
        )
        points.append(point)
        print(
            f"  {flow:<8} c={users:<3} w={workers} {point.rps:8.1f} req/s "
            f"{point.flows_per_s:8.1f} flows/s  "
            f"p50 {point.p50_ms:>6} ms  p99 {point.p99_ms:>6} ms  failures {point.failures}",
            flush=True,
        )
        print(f"    CPU cores busy: {cpu}", flush=True)
        for error in figures["errors"]:
            print(f"    ! {error}", flush=True)
    return points


def measure_ceiling(*, duration: float, warmup: float, memory: Memory) -> list[Point]:
    """Starts the ceiling app, loads it, returns its points (memory sampled into ``memory``)."""
    from shared.processes import HEALTH_TIMEOUT_S, free_port, wait_until_healthy

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "ceiling" / "app.py"), "--port", str(port)],
        cwd=REPO,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(
            base + "/healthz", process, name="the ceiling app", timeout=HEALTH_TIMEOUT_S
        )
        pids = {"ceiling": process.pid}
        memory.sample(pids, idle=True)
        return measure_flow(
            "ceiling",
            base,
            duration=duration,
            warmup=warmup,
            params={},
            memory=memory,
            pids=pids,
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


CREATE_TITLES = ("회의", "점심", "운동", "병원", "독서", "산책", "공부")


@dataclass
class Extras:
    """The runs beside the closed-loop points: an open loop and an overload."""

    open_rate: float = 50.0
    open_duration: float = 60.0
    overload_users: int = 200
    overload_duration: float = 15.0
    run_open: bool = True
    run_overload: bool = True


@dataclass
class SystemRun:
    """What one start of the whole system measured."""

    points: list[Point]
    database: str
    checks: dict[str, int]
    open_loop: dict[str, Any] | None = None
    overload: Point | None = None


# Set for every benchmark start: one chat session sends far more than a person would (the
# per-session limit would answer 429), and the service processes' count.
BENCH_ENV = {"router": {"ROUTER_CHAT_MESSAGES_PER_SESSION_PER_MINUTE": "1000000"}}
WORKERS_ENV = {
    "auth-server": "AUTH_WORKERS",
    "skill-calendar": "CALENDAR_WORKERS",
    "router": "ROUTER_WORKERS",
}


def measure_system(
    flows: list[str],
    *,
    duration: float,
    warmup: float,
    workdir: Path,
    memory: Memory,
    workers: int = 1,
    levels: tuple[int, ...] = CONCURRENCY,
    extras: Extras | None = None,
    profile: frozenset[str] = frozenset(),
) -> SystemRun:
    """Starts the whole system (``workers`` processes per service), prepares users, measures
    each flow at ``levels``, then the open loop and the overload when ``extras`` asks."""
    sys.path.insert(0, str(REPO / "tests-e2e"))
    from harness import (
        SEED,
        SESSION_COOKIE,
        ChatUser,
        connected_user,
        runnable_processes,
        start_system,
    )

    needs_google = bool(set(flows) - {"message"}) or extras is not None
    present, absent = runnable_processes()
    if needs_google and "google-emulator" in absent:
        raise SystemExit("these flows need the Google emulator, absent from this checkout")
    env = {name: dict(BENCH_ENV.get(name, {})) for name in WORKERS_ENV}
    for name, variable in WORKERS_ENV.items():
        env[name][variable] = str(workers)
    system = start_system(workdir, processes=present, env=env)
    try:
        pids = {name: p.popen.pid for name, p in system.stack.running.items()}
        memory.sample(pids, idle=True)
        people = max(CONCURRENCY)
        print(f"preparing {people} people connected to Google (OAuth through the emulator)")
        connected = [connected_user(system) for _ in range(people)] if needs_google else []
        strangers = [ChatUser.new(system) for _ in range(people)] if "message" in flows else []
        chat = {
            "message_path": "/api/chat/messages",
            "cookie_name": SESSION_COOKIE,
            "propose_text": SEED,
            "approve_text": "그래",
            # "{month}월 {day}일 <title> {hour}시": distinct events, never refused as duplicates.
            "create_template": "{month}월 {day}일 " + "{title} {hour}시",
            "titles": list(CREATE_TITLES),
            "sessions": [u.http.cookies[SESSION_COOKIE] for u in connected],
        }
        common = {
            "memory": memory,
            "pids": pids,
            "databases": system.databases.names,
            "workers": workers,
        }
        run = SystemRun([], system.databases.backend, {})
        for flow in flows:
            print(f"{flow} ({workers} worker(s) per service)", flush=True)
            if flow == "token":
                params = {
                    "token": system.keys.calendar_to_auth,
                    "user_ids": [u.user_id for u in connected],
                }
                base = system.url("auth-server")
            elif flow == "message":
                sessions = [u.http.cookies[SESSION_COOKIE] for u in strangers]
                params, base = {**chat, "sessions": sessions}, system.url("router")
            else:
                params, base = chat, system.url("router")
            run.points += measure_flow(
                flow,
                base,
                duration=duration,
                warmup=warmup,
                params=params,
                levels=levels,
                profile=flow in profile,
                **common,  # type: ignore[arg-type]
            )
        if extras is not None and extras.run_open:
            run.open_loop = measure_open_loop(
                system.url("router"),
                chat,
                extras=extras,
                warmup=warmup,
                pids=pids,
                databases=system.databases.names,
                workers=workers,
            )
        if extras is not None and extras.run_overload:
            print(f"overload: {extras.overload_users} users", flush=True)
            (run.overload,) = measure_flow(
                "propose",
                system.url("router"),
                duration=extras.overload_duration,
                warmup=warmup,
                params=chat,
                levels=(extras.overload_users,),
                honor_retry_after=True,
                **common,  # type: ignore[arg-type]
            )
        run.checks = google_check(system, connected) if "create" in flows else {}
        return run
    finally:
        system.stop()


def measure_open_loop(
    base_url: str,
    chat: dict[str, Any],
    *,
    extras: Extras,
    warmup: float,
    pids: dict[str, int],
    databases: list[str],
    workers: int,
) -> dict[str, Any]:
    """Proposals arriving at a fixed rate (open loop); latency from when each was due."""
    print(f"open loop: {extras.open_rate:g} messages/s for {extras.open_duration:g} s", flush=True)
    spec = {
        "base_url": base_url,
        "params": chat,
        "rate": extras.open_rate,
        "duration": extras.open_duration,
        "warmup": warmup,
        "pids": pids,
        "databases": databases,
    }
    result = run_worker(
        "_open", spec, timeout=extras.open_duration + warmup + 180, what="the open loop"
    )
    cpu = result["cpu_cores"]
    servers = sum(v for k, v in cpu.items() if k not in ("load", "machine"))
    answered = result["answered_per_s"]
    result["cpu_ms_per_request"] = round(1000 * servers / answered, 2) if answered else None
    result["workers"] = workers
    ok, every = result["ok"], result["all"]
    print(
        f"  open     {extras.open_rate:g}/s: {every['count']} answered, {ok['count']} ok, "
        f"p50 {ok['p50_ms']} ms  p99 {ok['p99_ms']} ms  outcomes "
        f"{ {k: v['count'] for k, v in result['outcomes'].items()} }",
        flush=True,
    )
    return result


def google_check(system: Any, people: list[Any]) -> dict[str, int]:
    """Events in the people's Google calendars after the run, and how many are duplicates."""
    events = duplicates = 0
    for person in people:
        live = [e for e in system.google.events(person.email) if e.get("status") != "cancelled"]
        keys = {(e.get("summary"), json.dumps(e.get("start"), sort_keys=True)) for e in live}
        events += len(live)
        duplicates += len(live) - len(keys)
    return {"events_in_google": events, "duplicates": duplicates}


def attach_fractions(points: list[Point]) -> None:
    """Each flow's throughput as a fraction of the ceiling at the same concurrency."""
    ceiling = {p.concurrency: p.rps for p in points if p.flow == "ceiling"}
    for point in points:
        if ceiling.get(point.concurrency):
            point.fraction_of_ceiling = round(point.flows_per_s / ceiling[point.concurrency], 4)


def chart(points: list[Point], path: Path, *, subtitle: str) -> None:
    """Throughput, latency and server CPU per flow and concurrency, side by side (log scales)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    flows = list(dict.fromkeys(p.flow for p in points))
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.8))
    width = 0.8 / max(len(flows), 1)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, flow in enumerate(flows):
        mine = [p for p in points if p.flow == flow]
        xs = [CONCURRENCY.index(p.concurrency) + i * width for p in mine]
        color = colors[i % len(colors)]
        bars = left.bar(xs, [p.flows_per_s for p in mine], width, label=flow, color=color)
        left.bar_label(bars, fmt="%.0f", fontsize=7)
        # p99 as the bar, p50 as a dark tick inside it (0 ms is drawn at 0.5 ms on the log scale).
        middle.bar(xs, [max(p.p99_ms, 0.5) for p in mine], width, label=flow, color=color)
        middle.scatter(xs, [max(p.p50_ms, 0.5) for p in mine], marker="_", s=120, color="black")
        cpu = [p.cpu_ms_per_flow or 0 for p in mine]
        bars = right.bar(xs, cpu, width, label=flow, color=color)
        right.bar_label(bars, fmt="%.2g", fontsize=7)
    for axis, title in (
        (left, "throughput (flows/s)"),
        (middle, "latency: bar = p99, tick = p50 (ms)"),
        (right, "server CPU per flow (ms), all processes but locust"),
    ):
        axis.set_xticks([c + 0.4 - width / 2 for c in range(len(CONCURRENCY))])
        axis.set_xticklabels([f"concurrency {c}" for c in CONCURRENCY])
        axis.set_title(title, fontsize=10)
        axis.set_yscale("log")
        axis.grid(axis="y", which="major", alpha=0.3)
    left.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.1), ncol=len(flows))
    fig.suptitle(f"Haru system benchmark — {subtitle}", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _google_emulator_present() -> bool:
    import importlib.util

    return importlib.util.find_spec("google_emulator.__main__") is not None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short points, for a smoke run")
    parser.add_argument("--duration", type=float, help="seconds measured per point (default 15)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per point (default 3)")
    parser.add_argument(
        "--flows",
        default=None,
        help="comma-separated subset of: "
        + ", ".join(FLOW_LABELS)
        + f" (default: {','.join(DEFAULT_FLOWS)})",
    )
    parser.add_argument(
        "--open-rate", type=float, default=50.0, help="open loop: messages a second (default 50)"
    )
    parser.add_argument(
        "--open-duration", type=float, help="open loop: seconds measured (default 60; quick 5)"
    )
    parser.add_argument(
        "--overload-users", type=int, default=200, help="overload: concurrent users (default 200)"
    )
    parser.add_argument(
        "--workers",
        default="1,2",
        help="uvicorn worker processes per service to compare, e.g. 1,2 (default); the first "
        "gets every flow at concurrency 1/10/50, the others the system flows at 10",
    )
    parser.add_argument(
        "--concurrency",
        default=",".join(str(c) for c in CONCURRENCY),
        help="closed-loop concurrency levels of the first worker count (default 1,10,50)",
    )
    parser.add_argument(
        "--profile",
        default="",
        help="flows to profile with py-spy at concurrency 10, e.g. propose,create,token "
        "(collapsed stacks in var/bench/profile-<service>-<flow>.txt)",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated parts to leave out: open, overload, workers",
    )
    args = parser.parse_args(argv)
    duration, warmup = (2.0, 0.5) if args.quick else (15.0, 3.0)
    duration = args.duration or duration
    warmup = args.warmup if args.warmup is not None else warmup
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    if unknown_parts := skip - {"open", "overload", "workers"}:
        parser.error(f"unknown parts to skip: {', '.join(sorted(unknown_parts))}")
    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    levels = tuple(int(c) for c in args.concurrency.split(",") if c.strip())
    profiled = frozenset(f.strip() for f in args.profile.split(",") if f.strip())
    if "workers" in skip:
        worker_counts = worker_counts[:1]
    if args.flows:
        wanted = [f.strip() for f in args.flows.split(",") if f.strip()]
        unknown = set(wanted) - set(FLOW_LABELS)
        if unknown:
            parser.error(f"unknown flows: {', '.join(sorted(unknown))}")
    else:
        wanted = list(DEFAULT_FLOWS)
        if not _google_emulator_present():
            wanted = ["ceiling", "message"]
            skip |= {"open", "overload"}
            worker_counts = worker_counts[:1]
            print("Google emulator absent from this checkout: measuring ceiling and message only")
    extras = Extras(
        open_rate=args.open_rate,
        open_duration=args.open_duration or (5.0 if args.quick else 60.0),
        overload_users=args.overload_users,
        overload_duration=duration,
        run_open="open" not in skip,
        run_overload="overload" not in skip,
    )

    load_before = os.getloadavg()
    started = datetime.now(UTC)
    memory = Memory()
    points: list[Point] = []
    database = "none"
    checks: dict[str, int] = {}
    open_loop: dict[str, Any] | None = None
    overload: Point | None = None
    if "ceiling" in wanted:
        print("ceiling", flush=True)
        points += measure_ceiling(duration=duration, warmup=warmup, memory=memory)
    system_flows = [f for f in wanted if f != "ceiling"]
    for index, workers in enumerate(worker_counts if system_flows else []):
        first = index == 0
        workdir = Path(tempfile.mkdtemp(prefix="haru-bench-"))
        try:
            run = measure_system(
                system_flows,
                duration=duration,
                warmup=warmup,
                workdir=workdir,
                memory=memory if first else Memory(),
                workers=workers,
                levels=levels if first else (10,),
                extras=extras if first and (extras.run_open or extras.run_overload) else None,
                profile=profiled if first else frozenset(),
            )
        except BaseException:
            print(f"the services' logs are kept in {workdir / 'log'}", file=sys.stderr)
            raise
        shutil.rmtree(workdir, ignore_errors=True)
        points += run.points
        if first:
            database, checks = run.database, run.checks
            open_loop, overload = run.open_loop, run.overload
    attach_fractions(points)
    quick = args.quick or duration < 10
    result = {
        "meta": {
            "measured_at": started.isoformat(timespec="seconds"),
            "command": "uv run python bench/system.py " + " ".join(argv),
            "cpus": os.cpu_count(),
            "cpu_model": _cpu_model(),
            "machine": platform.machine(),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "database": database,
            "quick": quick,
            "duration_s": duration,
            "warmup_s": warmup,
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "load_generator": "locust (FastHttpUser, one process, closed loop, no think time)",
            "flows": {f: FLOW_LABELS[f] for f in wanted},
        },
        "points": [asdict(p) for p in points],
        "rss_mb": memory.as_dict(),
        "google_check": checks,
        "open_loop": open_loop,
        "overload": asdict(overload) if overload else None,
        "workers": worker_counts,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "system.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    subtitle = f"{os.cpu_count()} cores, loopback, locust, {started:%Y-%m-%d}"
    chart(
        [p for p in points if p.workers == 1 and p.concurrency in CONCURRENCY],
        OUT_DIR / "system.png",
        subtitle=subtitle + (" (quick)" if quick else ""),
    )
    print(f"wrote {OUT_DIR / 'system.json'} and {OUT_DIR / 'system.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
