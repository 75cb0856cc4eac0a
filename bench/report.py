"""Puts the latest benchmark figures (``var/bench/*.json``) into ``docs/benchmarks.md``.

    uv run python bench/report.py

``make bench`` runs it after ``bench/nlu.py``, ``bench/calendar_overhead.py``,
``bench/reminders.py`` and ``bench/system.py``. Only the parts between
``<!-- generated:NAME -->`` and ``<!-- end generated:NAME -->`` are rewritten; the prose
around them is written by hand.
A benchmark whose JSON is absent leaves its part as it was.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "var" / "bench"
DOC = REPO / "docs" / "benchmarks.md"
DOC_CHART = REPO / "docs" / "benchmarks-system.png"


def _table(header: list[str], rows: list[list[Any]], *, left: int = 1) -> list[str]:
    """A Markdown table: the first ``left`` columns left-aligned, the rest right-aligned."""
    align = ["---"] * left + ["---:"] * (len(header) - left)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return lines


def _ms(value: float) -> str:
    """Locust's percentiles are whole milliseconds; 0 means under 1 ms."""
    return "<1" if value == 0 else f"{value:g}"


def _written_at(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


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


def system_section(system: dict[str, Any]) -> list[str]:
    rows = []
    for p in system["points"]:
        fraction = p["fraction_of_ceiling"]
        rows.append(
            [
                p["flow"],
                p["concurrency"],
                p["requests"],
                p["failures"],
                f"{p['rps']:.1f}",
                f"{p['flows_per_s']:.1f}",
                _ms(p["p50_ms"]),
                _ms(p["p99_ms"]),
                "" if fraction is None else f"{fraction:.3f}",
                p.get("cpu_ms_per_flow") or "",
            ]
        )
    header = ["flow", "concurrency", "requests", "failures", "req/s", "flows/s"]
    header += ["p50 ms", "p99 ms", "× ceiling", "server CPU ms/flow"]
    lines = _table(header, rows)
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
    errors = [(p["flow"], p["concurrency"], e) for p in system["points"] for e in p["errors"] or []]
    if errors:
        lines += ["", "Failures seen:", ""]
        lines += [f"- {flow} at {c}: `{error}`" for flow, c, error in errors]
    lines += ["", *cpu_table(system["points"])]
    memory_rows = [[name, mb["idle"], mb["loaded"]] for name, mb in system["rss_mb"].items()]
    lines += [
        "",
        *_table(["process", "RSS MiB idle", "RSS MiB after load (highest)"], memory_rows),
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
    points = [p for p in points if p.get("cpu_cores")]
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
        *_table(["flow", "concurrency", *columns, "rest", "machine"], rows),
    ]


def nlu_section(nlu: dict[str, Any]) -> list[str]:
    rows = [
        [
            f"`{name}`",
            f"{nlu[name]['messages_per_second']:.0f}",
            f"{nlu[name]['p50_ms']:.3f}",
            f"{nlu[name]['p99_ms']:.3f}",
            f"{nlu[name]['max_ms']:.3f}",
        ]
        for name in ("rules_parse", "parse_message")
    ]
    startup = nlu["cli_startup"]
    targets = nlu["targets"]
    verdict = "met" if nlu["meets_targets"] else "**not met**"
    return [
        f"{nlu['cases']} messages of `{nlu['corpus']}` × the rounds, one at a time in one "
        f"process (Python {nlu['python']}).",
        "",
        *_table(["path", "messages/s", "p50 ms", "p99 ms", "max ms"], rows),
        "",
        f"Start-up of `python -m router_service.nlu` answering one line: median "
        f"{startup['median_s']:.3f} s, max {startup['max_s']:.3f} s ({startup['runs']} runs).",
        f"Targets (p99 < {targets['p99_ms']:g} ms, start-up < {targets['startup_s']:g} s): "
        f"{verdict}.",
    ]


def calendar_section(calendar: dict[str, Any]) -> list[str]:
    rows = [
        [
            r["op"],
            r["concurrency"],
            r["calls"],
            r["service_p50_ms"],
            r["service_p99_ms"],
            r["direct_p50_ms"],
            r["direct_p99_ms"],
            r["overhead_p50_ms"],
            r["overhead_p99_ms"],
        ]
        for r in calendar["results"]
    ]
    header = ["op", "concurrency", "calls", "service p50", "service p99", "direct p50"]
    header += ["direct p99", "overhead p50", "overhead p99"]
    clients = [
        [c["client"], c["calls"], c["p50_ms"], c["p99_ms"], c["calls_per_s"]]
        for c in calendar["client_choice"]
    ]
    return [
        f"Against {calendar['google']}; all times in ms.",
        "",
        *_table(header, rows),
        "",
        "`events.get` at concurrency 20, by client library:",
        "",
        *_table(["client", "calls", "p50 ms", "p99 ms", "calls/s"], clients),
    ]


def reminders_section(r: dict[str, Any]) -> list[str]:
    load = r.get("load_average_before") or r["load_average_after"]
    when = "before" if "load_average_before" in r else "after"
    return [
        f"{r['reminders']:,} reminders for {r['people']:,} people, all due in the same minute, "
        f"on {r['database']} ({r['cpus']} cores, load average {when} the run {load[0]}/"
        f"{load[1]}/{load[2]}).",
        "",
        *_table(
            ["phase", "wall s", "CPU ms per reminder"],
            [
                [
                    f"scheduler: claim, check the event, store the message + Slack delivery "
                    f"({r['scheduler_rounds']} rounds)",
                    r["scheduler_wall_s"],
                    r["scheduler_cpu_ms_per_reminder"],
                ],
                [
                    "Slack delivery worker → Slack emulator",
                    r["delivery_wall_s"],
                    r["delivery_cpu_ms_per_reminder"],
                ],
                ["until all sent", r["all_sent_wall_s"], ""],
            ],
        ),
        "",
        f"Stored {r['messages_stored']:,} messages, sent {r['deliveries_sent']:,} deliveries, "
        f"the emulator counted {r['slack_posts']:,} `chat.postMessage` calls.",
    ]


SECTIONS: dict[str, tuple[str, Callable[[dict[str, Any]], list[str]]]] = {
    "run": ("system.json", run_section),
    "system": ("system.json", system_section),
    "nlu": ("nlu.json", nlu_section),
    "calendar": ("calendar.json", calendar_section),
    "reminders": ("reminders.json", reminders_section),
}


def replace_section(text: str, name: str, lines: list[str]) -> str:
    """``text`` with the part between NAME's markers replaced (appended if absent)."""
    start = f"<!-- generated:{name} by bench/report.py; do not edit by hand -->"
    end = f"<!-- end generated:{name} -->"
    block = "\n".join([start, *lines, end])
    if start in text and end in text:
        return text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    return text.rstrip() + "\n\n" + block + "\n"


def main() -> int:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    written = []
    for name, (source, render) in SECTIONS.items():
        path = OUT_DIR / source
        if path.exists():
            lines = render(json.loads(path.read_text("utf-8")))
            if name in ("nlu", "calendar", "reminders"):
                lines = [f"Measured {_written_at(path)} (UTC).", "", *lines]
            text = replace_section(text, name, lines)
            written.append(name)
    DOC.write_text(text, encoding="utf-8")
    if (OUT_DIR / "system.png").exists():
        shutil.copyfile(OUT_DIR / "system.png", DOC_CHART)
    print(f"updated {DOC.relative_to(REPO)}: {', '.join(written) or 'nothing (no figures)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
