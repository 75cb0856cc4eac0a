"""Whole-system benchmark: the ceiling and Haru's flows at concurrency 1, 10 and 50.

    uv run python bench/system.py            # full run (about 15 s per point)
    uv run python bench/system.py --quick    # smoke: short points, same shape of output

It starts a bare FastAPI app (``bench/ceiling/app.py``, the ceiling) and the whole system through
``tools/haru_stack.py`` on free ports against fresh PostgreSQL databases (SQLite when PostgreSQL
is unreachable, and says so), prepares users connected to the Google emulator, then drives each
flow with locust (as a library, in a child process so gevent's monkey-patching stays out of the
driver). It writes ``var/bench/system.json``, ``var/bench/system.png`` and the tables in
``docs/benchmarks.md``.
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
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "var" / "bench"
DOC = REPO / "docs" / "benchmarks.md"
DOC_CHART = REPO / "docs" / "benchmarks-system.png"
CONCURRENCY = (1, 10, 50)
FLOW_LABELS = {
    "ceiling": "ceiling: bare FastAPI JSON endpoint",
    "token": "token API, cached token (auth-server)",
    "message": "chat message, person not yet connected to Google: NLU, identity, grant check, "
    "pending action, connect link (router → auth-server)",
    "propose": "chat message that proposes an event (router)",
    "create": "full create flow after approval (router → skill-calendar → Google)",
}


# --------------------------------------------------------------------------- load worker
# Runs in a child process: ``python bench/system.py _load '<json spec>'``. Importing locust
# monkey-patches the standard library with gevent, so nothing else happens in this process.


def _load_worker(spec: dict[str, Any]) -> dict[str, Any]:
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    flow = spec["flow"]
    params = spec["params"]
    counter = iter(range(10**9))

    class FlowUser(FastHttpUser):
        host = spec["base_url"]
        wait_time = constant(0)
        # One connection per simulated user; the flows' own clients keep theirs alive too.
        connection_timeout = 30.0
        network_timeout = 60.0

        def on_start(self) -> None:
            self.n = next(counter)
            self.cookie = None
            if flow in ("message", "propose", "create"):
                # Each simulated user is one person (one chat session, one calendar).
                self.session = params["sessions"][self.n % len(params["sessions"])]

        @task
        def one_flow(self) -> None:
            if flow == "ceiling":
                self.client.get("/", name="ceiling")
            elif flow == "token":
                user_id = params["user_ids"][self.n % len(params["user_ids"])]
                self.client.post(
                    "/internal/tokens",
                    json={"user_id": user_id, "capability": "calendar"},
                    headers={"Authorization": f"Bearer {params['token']}"},
                    name="token",
                )
            elif flow == "message":
                self._message(params["propose_text"], name="message", expect=_is_connect)
            elif flow == "propose":
                self._message(params["propose_text"], name="propose", expect=_is_proposal)
            elif flow == "create":
                i = next(counter)
                # A distinct event each time (title, day, hour walk), so none is a duplicate.
                titles = params["titles"]
                text = params["create_template"].format(
                    month=1 + (i // 28) % 12,
                    day=1 + i % 28,
                    title=titles[(i // 336) % len(titles)],
                    hour=9 + (i // 336 // len(titles)) % 9,
                )
                reply = self._message(text, name="create: propose", expect=_is_proposal)
                if reply is not None:
                    self._message(params["approve_text"], name="create: approve", expect=_is_done)

        def _message(self, text: str, *, name: str, expect: Any) -> dict[str, Any] | None:
            with self.client.post(
                params["message_path"],
                json={"text": text},
                headers={"Cookie": f"{params['cookie_name']}={self.session}"},
                name=name,
                catch_response=True,
            ) as response:
                if response.status_code != 201:
                    response.failure(f"status {response.status_code}")
                    return None
                body = response.json()
                if not expect(body):
                    texts = [m["text"][:60] for m in body.get("messages", [])]
                    response.failure(f"unexpected answer: {texts}")
                    return None
                response.success()
                return body

    def _assistant(body: dict[str, Any]) -> list[dict[str, Any]]:
        return [m for m in body.get("messages", []) if m["role"] == "assistant"]

    def _is_proposal(body: dict[str, Any]) -> bool:
        return any((m.get("payload") or {}).get("kind") == "proposal" for m in _assistant(body))

    def _is_connect(body: dict[str, Any]) -> bool:
        return any((m.get("payload") or {}).get("kind") == "connect" for m in _assistant(body))

    def _is_done(body: dict[str, Any]) -> bool:
        return any(m["text"].startswith("✅") for m in _assistant(body))

    env = Environment(user_classes=[FlowUser])
    runner = env.create_local_runner()
    users = spec["users"]
    runner.start(users, spawn_rate=max(users, 1) * 10)
    gevent.sleep(spec["warmup"])
    env.stats.reset_all()
    gevent.sleep(spec["duration"])
    runner.quit()
    total = env.stats.total
    entries = {
        name: {"requests": entry.num_requests, "failures": entry.num_failures}
        for (name, _method), entry in env.stats.entries.items()
    }
    return {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": total.total_rps,
        "p50_ms": total.get_response_time_percentile(0.5),
        "p99_ms": total.get_response_time_percentile(0.99),
        "entries": entries,
    }


# --------------------------------------------------------------------------- driver


@dataclass
class Point:
    flow: str
    concurrency: int
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p99_ms: float
    flows_per_s: float
    fraction_of_ceiling: float | None = None


def run_load(
    flow: str, base_url: str, users: int, duration: float, warmup: float, params: dict[str, Any]
) -> dict[str, Any]:
    """Runs one load point in a child process and returns its figures."""
    spec = {
        "flow": flow,
        "base_url": base_url,
        "users": users,
        "duration": duration,
        "warmup": warmup,
        "params": params,
    }
    result = subprocess.run(
        [sys.executable, __file__, "_load", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        timeout=duration + warmup + 120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"load worker failed for {flow}@{users}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def wait_http(url: str, timeout: float = 30.0) -> None:
    """Polls ``url`` until it answers 200."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    import psutil

    process = psutil.Process(pid)
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return round(total / 2**20, 1)


def measure_flow(
    flow: str,
    base_url: str,
    *,
    duration: float,
    warmup: float,
    params: dict[str, Any],
    steps_per_flow: int = 1,
) -> list[Point]:
    """The flow at every concurrency level."""
    points = []
    for users in CONCURRENCY:
        figures = run_load(flow, base_url, users, duration, warmup, params)
        points.append(
            Point(
                flow=flow,
                concurrency=users,
                requests=figures["requests"],
                failures=figures["failures"],
                rps=round(figures["rps"], 1),
                p50_ms=figures["p50_ms"],
                p99_ms=figures["p99_ms"],
                flows_per_s=round(figures["rps"] / steps_per_flow, 1),
            )
        )
        print(
            f"  {flow:<8} c={users:<3} {figures['rps']:8.1f} req/s  "
            f"p50 {figures['p50_ms']:>6} ms  p99 {figures['p99_ms']:>6} ms  "
            f"failures {figures['failures']}",
            flush=True,
        )
    return points


def measure_ceiling(*, duration: float, warmup: float) -> tuple[list[Point], float]:
    """Starts the ceiling app, loads it, returns its points and its memory."""
    sys.path.insert(0, str(REPO / "tools"))
    from haru_stack import free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "ceiling" / "app.py"), "--port", str(port)],
        cwd=REPO,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/healthz")
        points = measure_flow("ceiling", base, duration=duration, warmup=warmup, params={})
        return points, rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


CREATE_TITLES = ("회의", "점심", "운동", "병원", "독서", "산책", "공부")


def measure_system(
    flows: list[str], *, duration: float, warmup: float, workdir: Path
) -> tuple[list[Point], dict[str, float], str]:
    """Starts the whole system, prepares connected users, measures each flow; RSS per process."""
    sys.path.insert(0, str(REPO / "tests-e2e"))
    from harness import (
        SEED,
        SESSION_COOKIE,
        ChatUser,
        connected_user,
        runnable_processes,
        start_system,
    )

    needs_google = bool(set(flows) - {"message"})
    present, absent = runnable_processes()
    if needs_google and "google-emulator" in absent:
        raise SystemExit("these flows need the Google emulator, absent from this checkout")
    system = start_system(workdir, processes=present)
    try:
        make = connected_user if needs_google else ChatUser.new
        users = [make(system) for _ in range(max(CONCURRENCY))]
        sessions = [u.http.cookies[SESSION_COOKIE] for u in users]
        chat = {
            "message_path": "/api/chat/messages",
            "cookie_name": SESSION_COOKIE,
            "sessions": sessions,
            "propose_text": SEED,
            "approve_text": "그래",
            # "{month}월 {day}일 <title> {hour}시": distinct events, never refused as duplicates.
            "create_template": "{month}월 {day}일 " + "{title} {hour}시",
            "titles": list(CREATE_TITLES),
        }
        points: list[Point] = []
        for flow in flows:
            print(flow, flush=True)
            if flow == "token":
                params = {
                    "token": system.keys.calendar_to_auth,
                    "user_ids": [u.user_id for u in users],
                }
                base = system.url("auth-server")
            else:
                params, base = chat, system.url("router")
            steps = 2 if flow == "create" else 1
            points += measure_flow(
                flow, base, duration=duration, warmup=warmup, params=params, steps_per_flow=steps
            )
        rss = {name: rss_mb(p.popen.pid) for name, p in system.stack.running.items()}
        return points, rss, system.databases.backend
    finally:
        system.stop()


def attach_fractions(points: list[Point]) -> None:
    """Each flow's throughput as a fraction of the ceiling at the same concurrency."""
    ceiling = {p.concurrency: p.rps for p in points if p.flow == "ceiling"}
    for point in points:
        if ceiling.get(point.concurrency):
            point.fraction_of_ceiling = round(point.flows_per_s / ceiling[point.concurrency], 4)


def chart(points: list[Point], path: Path) -> None:
    """Throughput and p99 per flow and concurrency, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    flows = list(dict.fromkeys(p.flow for p in points))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    width = 0.8 / max(len(flows), 1)
    for i, flow in enumerate(flows):
        mine = [p for p in points if p.flow == flow]
        xs = [CONCURRENCY.index(p.concurrency) + i * width for p in mine]
        left.bar(xs, [p.flows_per_s for p in mine], width, label=flow)
        right.bar(xs, [p.p99_ms for p in mine], width, label=flow)
    for axis, title in ((left, "throughput (flows/s)"), (right, "p99 latency (ms)")):
        axis.set_xticks([c + 0.4 - width / 2 for c in range(len(CONCURRENCY))])
        axis.set_xticklabels([f"c={c}" for c in CONCURRENCY])
        axis.set_title(title)
        axis.set_yscale("log")
    left.legend(fontsize=8)
    fig.suptitle("Haru system benchmark (2 cores, loopback, locust)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_doc(result: dict[str, Any]) -> None:
    """Writes the figures into docs/benchmarks.md between the generated markers."""
    rows = [
        "| flow | concurrency | requests | failures | req/s | flows/s | p50 ms | p99 ms "
        "| × ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in result["points"]:
        fraction = "" if p["fraction_of_ceiling"] is None else f"{p['fraction_of_ceiling']:.3f}"
        rows.append(
            f"| {p['flow']} | {p['concurrency']} | {p['requests']} | {p['failures']} "
            f"| {p['rps']} | {p['flows_per_s']} | {p['p50_ms']} | {p['p99_ms']} | {fraction} |"
        )
    memory = ["| process | RSS MiB |", "|---|---:|"]
    memory += [f"| {name} | {mb} |" for name, mb in result["rss_mb"].items()]
    meta = result["meta"]
    generated = "\n".join(
        [
            "<!-- generated by bench/system.py; do not edit by hand between the markers -->",
            f"Measured {meta['measured_at']} on {meta['cpus']} CPUs ({meta['machine']}), "
            f"Python {meta['python']}, database {meta['database']}, "
            f"{'quick' if meta['quick'] else 'full'} mode: {meta['duration_s']} s per point "
            f"after {meta['warmup_s']} s warm-up.",
            "",
            *rows,
            "",
            *memory,
            "",
            "![system benchmark](benchmarks-system.png)",
            "<!-- end generated -->",
        ]
    )
    start, end = "<!-- generated by bench/system.py", "<!-- end generated -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if start in text and end in text:
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :]
        text = before + generated + after
    else:
        text = text.rstrip() + "\n\n## Latest figures\n\n" + generated + "\n"
    DOC.write_text(text, encoding="utf-8")


def _google_emulator_present() -> bool:
    import importlib.util

    return importlib.util.find_spec("google_emulator.__main__") is not None


def main(argv: list[str] | None = None) -> int:
    # bench/ holds other benchmarks (bench/calendar.py): they must not shadow the standard
    # library (calendar, ...) for the imports below, which run with bench/ first on sys.path.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_load"]:
        print(json.dumps(_load_worker(json.loads(argv[1]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short points, for a smoke run")
    parser.add_argument(
        "--flows",
        default=None,
        help="comma-separated subset of: "
        + ", ".join(FLOW_LABELS)
        + " (default: all that this checkout can run)",
    )
    parser.add_argument("--no-doc", action="store_true", help="don't rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    duration, warmup = (2.0, 0.5) if args.quick else (15.0, 3.0)
    if args.flows:
        wanted = [f.strip() for f in args.flows.split(",") if f.strip()]
    else:
        wanted = list(FLOW_LABELS)
        if not _google_emulator_present():
            wanted = ["ceiling", "message"]
            print("Google emulator absent from this checkout: measuring ceiling and message only")

    points: list[Point] = []
    rss: dict[str, float] = {}
    database = "none"
    if "ceiling" in wanted:
        print("ceiling", flush=True)
        ceiling_points, rss["ceiling"] = measure_ceiling(duration=duration, warmup=warmup)
        points += ceiling_points
    system_flows = [f for f in wanted if f != "ceiling"]
    if system_flows:
        flow_points, flow_rss, database = measure_system(
            system_flows,
            duration=duration,
            warmup=warmup,
            workdir=Path(tempfile.mkdtemp(prefix="haru-bench-")),
        )
        points += flow_points
        rss.update(flow_rss)
    attach_fractions(points)
    result = {
        "meta": {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
            "python": platform.python_version(),
            "database": database,
            "quick": args.quick,
            "duration_s": duration,
            "warmup_s": warmup,
            "load_generator": "locust (FastHttpUser, closed loop, no think time)",
            "flows": {f: FLOW_LABELS[f] for f in wanted},
        },
        "points": [asdict(p) for p in points],
        "rss_mb": rss,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "system.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    chart(points, OUT_DIR / "system.png")
    if not args.no_doc:
        shutil.copyfile(OUT_DIR / "system.png", DOC_CHART)
    if not args.no_doc:
        write_doc(result)
    print(f"wrote {OUT_DIR / 'system.json'} and {OUT_DIR / 'system.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
