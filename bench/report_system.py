"""bench/report.py's sections from the whole-system run (``var/bench/system.json``): the run,
the goals, the closed- and open-loop points, overload, workers, profiles and CPU per process."""

from __future__ import annotations

from typing import Any

from report_tables import ms, table


def run_section(system: dict[str, Any]) -> list[str]:
    meta = system["meta"]
    before, after = meta["load_average_before"], meta["load_average_after"]
    mode = "quick (smoke)" if meta["quick"] else "full"
    return [
        f"- Date: {meta['measured_at']} (UTC).",
        f"- Machine: {meta['cpus']} CPU cores ({meta['cpu_model']}, {meta['machine']}), "
        f"Linux {meta['kernel']}, Python {meta['python']}, database {meta['database']} "
        "on the same machine, every process on loopback.",
        f"- Command: `make bench` (the system part alone: `{meta['command'].strip()}`).",
        f"- Mode: {mode}, {meta['duration_s']:g} s measured per point after "
        f"{meta['warmup_s']:g} s of warm-up; load generator: {meta['load_generator']}.",
        f"- Load average (1/5/15 min) before the system run: {before[0]}/{before[1]}/{before[2]}, "
        f"after: {after[0]}/{after[1]}/{after[2]} (above 0 before the run means something else "
        "was using the cores).",
    ]


def _point(system: dict[str, Any], flow: str, concurrency: int, workers: int = 1) -> Any:
    for p in system["points"]:
        if (p["flow"], p["concurrency"], p.get("workers", 1)) == (flow, concurrency, workers):
            return p
    return None


def _verdict(value: float | None, target: float, *, at_most: bool) -> str:
    if value is None:
        return "not measured"
    met = value <= target if at_most else value >= target
    return "met" if met else "**not met**"


def goals_section(system: dict[str, Any]) -> list[str]:
    """Issue 20's figures, each beside its goal, from this run."""
    rows: list[list[Any]] = []

    def cpu(flow: str) -> float | None:
        point = _point(system, flow, 10)
        return point.get("cpu_ms_per_flow") if point else None

    def rate(flow: str) -> float | None:
        point = _point(system, flow, 10)
        return point["flows_per_s"] if point else None

    for label, value, goal, at_most, unit in (
        ("ceiling: server CPU per request (c=10)", cpu("ceiling"), None, True, "ms"),
        ("proposal: server CPU per message (c=10)", cpu("propose"), 6, True, "ms"),
        (
            "create (proposal + approval): server CPU per event (c=10)",
            cpu("create"),
            20,
            True,
            "ms",
        ),
        ("token API, cached: server CPU per call (c=10)", cpu("token"), 0.8, True, "ms"),
        ("proposals/s at concurrency 10", rate("propose"), 250, False, "/s"),
        ("events/s at concurrency 10", rate("create"), 100, False, "/s"),
    ):
        shown = "" if value is None else f"{value:g} {unit}"
        target = "" if goal is None else f"{'≤' if at_most else '≥'} {goal:g} {unit}"
        verdict = "" if goal is None else _verdict(value, goal, at_most=at_most)
        rows.append([label, shown, target, verdict])
    open_loop = system.get("open_loop")
    if open_loop:
        ok = open_loop["ok"]
        failed = open_loop["all"]["count"] - ok["count"]
        rows.append(
            [
                f"open loop, {open_loop['rate']:g} messages/s for {open_loop['duration_s']:g} s: "
                "p99 of the proposals",
                f"{ok['p99_ms']:g} ms (p50 {ok['p50_ms']:g} ms; {failed} not ok)",
                "< 300 ms",
                _verdict(ok["p99_ms"], 300, at_most=True),
            ]
        )
    overload = system.get("overload")
    if overload:
        outcomes = overload.get("outcomes") or {}
        bad = {k: v for k, v in outcomes.items() if k != "ok" and "Retry-After" not in k}
        busy = {k: v for k, v in outcomes.items() if "Retry-After" in k}
        slowest_busy = max((v["max_ms"] for v in busy.values()), default=0)
        rows.append(
            [
                f"{overload['concurrency']} concurrent users: failures other than a 503 with "
                "Retry-After",
                f"{sum(v['count'] for v in bad.values())} "
                f"(503 with Retry-After: {sum(v['count'] for v in busy.values())}, "
                f"slowest {slowest_busy:g} ms)",
                "0",
                "met" if not bad else "**not met**",
            ]
        )
    return [
        'From the run above (the machine\'s state in "Run"):',
        "",
        *table(["figure", "measured", "goal", ""], rows, left=4),
    ]


def open_loop_section(open_loop: dict[str, Any] | None) -> list[str]:
    if not open_loop:
        return ["(not measured in this run)"]
    rows = [
        [
            name,
            figures["count"],
            figures["p50_ms"],
            figures["p99_ms"],
            figures["max_ms"],
        ]
        for name, figures in sorted(open_loop["outcomes"].items())
    ]
    cpu = open_loop.get("cpu_ms_per_request")
    return [
        f"{open_loop['rate']:g} proposals a second for {open_loop['duration_s']:g} s "
        f"({open_loop['sent']} sent, {open_loop['answered_per_s']:.1f} answered a second, "
        f"{open_loop.get('workers', 1)} worker(s) per service; server CPU "
        f"{cpu if cpu is not None else '?'} ms per request). Latency counts from the moment "
        "each request was due, so a server that falls behind shows it.",
        "",
        *table(["outcome", "requests", "p50 ms", "p99 ms", "max ms"], rows),
    ]


def overload_section(overload: dict[str, Any] | None) -> list[str]:
    if not overload:
        return ["(not measured in this run)"]
    rows = [
        [name, figures["count"], figures["p50_ms"], figures["p99_ms"], figures["max_ms"]]
        for name, figures in sorted((overload.get("outcomes") or {}).items())
    ]
    return [
        f"{overload['concurrency']} users sending the proposal as fast as they are answered "
        "(closed loop, no think time; a user told 503 with Retry-After waits that long, as a "
        f"polite client does): {overload['rps']} requests/s, server CPU "
        f"{overload.get('cpu_ms_per_flow')} ms per request.",
        "",
        *table(["outcome", "requests", "p50 ms", "p99 ms", "max ms"], rows),
    ]


def workers_section(system: dict[str, Any]) -> list[str]:
    counts = system.get("workers") or [1]
    rows = []
    for flow in ("token", "propose", "create"):
        for workers in counts:
            p = _point(system, flow, 10, workers)
            if p:
                rows.append(
                    [
                        flow,
                        workers,
                        p["requests"],
                        p["failures"],
                        f"{p['flows_per_s']:.1f}",
                        ms(p["p50_ms"]),
                        ms(p["p99_ms"]),
                        p.get("cpu_ms_per_flow") or "",
                    ]
                )
    if not rows:
        return ["(not measured in this run)"]
    header = ["flow", "workers per service", "requests", "failures", "flows/s", "p50 ms"]
    header += ["p99 ms", "server CPU ms/flow"]
    return [
        "Each service with 1 and with 2 uvicorn worker processes (`AUTH_WORKERS`, "
        "`CALENDAR_WORKERS`, `ROUTER_WORKERS`), concurrency 10, a fresh system each:",
        "",
        *table(header, rows),
    ]


def profiles_section(system: dict[str, Any]) -> list[str]:
    rows = []
    for p in system["points"]:
        for service, shares in (p.get("profiles") or {}).items():
            top = sorted(
                ((k, v) for k, v in shares.items() if k != "samples" and v), key=lambda kv: -kv[1]
            )
            rows.append(
                [
                    p["flow"],
                    service,
                    shares["samples"],
                    ", ".join(f"{name} {share:g} %" for name, share in top),
                ]
            )
    if not rows:
        return ["(no profile in this run: `bench/system.py --profile propose,create,token`)"]
    return [
        "py-spy samples at concurrency 10, by the library of each sample's innermost frame "
        "that belongs to one (`other`: our own code, the standard library, the rest):",
        "",
        *table(["flow", "service", "samples", "where the samples were"], rows, left=4),
    ]


def system_section(system: dict[str, Any]) -> list[str]:
    rows = []
    for p in system["points"]:
        if p.get("workers", 1) != 1:
            continue
        fraction = p["fraction_of_ceiling"]
        rows.append(
            [
                p["flow"],
                p["concurrency"],
                p["requests"],
                p["failures"],
                f"{p['rps']:.1f}",
                f"{p['flows_per_s']:.1f}",
                ms(p["p50_ms"]),
                ms(p["p99_ms"]),
                "" if fraction is None else f"{fraction:.3f}",
                p.get("cpu_ms_per_flow") or "",
            ]
        )
    header = ["flow", "concurrency", "requests", "failures", "req/s", "flows/s"]
    header += ["p50 ms", "p99 ms", "× ceiling", "server CPU ms/flow"]
    lines = table(header, rows)
    measured = {
        p["flow"]: p["measured"] for p in system["points"] if p["measured"] != "every request"
    }
    for flow, step in measured.items():
        lines += [
            "",
            f"`{flow}`: p50/p99 are those of its `{step}` request; req/s counts every request "
            "of the flow, flows/s the completed flows.",
        ]
    check = system.get("google_check")
    if check:
        lines += [
            "",
            f"After the run the people's Google calendars held {check['events_in_google']} live "
            f"events, {check['duplicates']} of them duplicates (same title and start), "
            "warm-up included.",
        ]
    errors = [
        (p["flow"], p["concurrency"], e)
        for p in system["points"]
        if p.get("workers", 1) == 1
        for e in p["errors"] or []
    ]
    if errors:
        lines += ["", "Failures seen:", ""]
        lines += [f"- {flow} at {c}: `{error}`" for flow, c, error in errors]
    lines += ["", *cpu_table(system["points"])]
    memory_rows = [[name, mb["idle"], mb["loaded"]] for name, mb in system["rss_mb"].items()]
    lines += [
        "",
        *table(["process", "RSS MiB idle", "RSS MiB after load (highest)"], memory_rows),
        "",
        "![system benchmark: throughput and latency per flow and concurrency]"
        "(benchmarks-system.png)",
    ]
    return lines


CPU_COLUMNS = (
    "locust",
    "router",
    "auth-server",
    "skill-calendar",
    "google-emulator",
    "postgresql",
    "ceiling",
)


def cpu_table(points: list[dict[str, Any]]) -> list[str]:
    """CPU cores busy per process during each point; "rest" is everything else."""
    points = [p for p in points if p.get("cpu_cores") and p.get("workers", 1) == 1]
    if not points:
        return []
    columns = [c for c in CPU_COLUMNS if any(c in p["cpu_cores"] for p in points)]
    rows = []
    for p in points:
        cpu = p["cpu_cores"]
        listed = sum(v for k, v in cpu.items() if k != "machine")
        rest = max(cpu["machine"] - listed, 0.0)
        shares = [cpu.get(c, "") for c in columns]
        rows.append([p["flow"], p["concurrency"], *shares, f"{rest:.2f}", cpu["machine"]])
    return [
        "CPU cores kept busy during each point (of 2; `postgresql` is the backends serving this "
        "run's databases, `rest` everything else running on the machine):",
        "",
        *table(["flow", "concurrency", *columns, "rest", "machine"], rows),
    ]
