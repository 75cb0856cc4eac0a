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

from report_system import (
    goals_section,
    open_loop_section,
    overload_section,
    profiles_section,
    run_section,
    system_section,
    workers_section,
)
from report_tables import table

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "var" / "bench"
DOC = REPO / "docs" / "benchmarks.md"
DOC_CHART = REPO / "docs" / "benchmarks-system.png"


def _written_at(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


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
        *table(["path", "messages/s", "p50 ms", "p99 ms", "max ms"], rows),
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
        *table(header, rows),
        "",
        "`events.get` at concurrency 20, by client library:",
        "",
        *table(["client", "calls", "p50 ms", "p99 ms", "calls/s"], clients),
    ]


def reminders_section(r: dict[str, Any]) -> list[str]:
    """The SQLite run (``reminders.json``), then the PostgreSQL one when there is one."""
    lines = _reminders_run(r)
    postgresql = OUT_DIR / "reminders-postgresql.json"
    if postgresql.exists():
        other = json.loads(postgresql.read_text("utf-8"))
        lines += ["", f"Measured {_written_at(postgresql)} (UTC).", "", *_reminders_run(other)]
    return lines


def _at_once_rows(r: dict[str, Any]) -> list[list[Any]]:
    """The run with both at once, as in production (absent from older figures)."""
    if "at_once_all_sent_s" not in r:
        return []
    return [
        ["both at once, as in production: all stored", r["at_once_stored_s"], ""],
        [
            f"both at once: all sent ({r['at_once_posts']:,} posts)",
            r["at_once_all_sent_s"],
            r["at_once_cpu_ms_per_reminder"],
        ],
    ]


def _reminders_run(r: dict[str, Any]) -> list[str]:
    load = r.get("load_average_before") or r["load_average_after"]
    when = "before" if "load_average_before" in r else "after"
    return [
        f"{r['reminders']:,} reminders for {r['people']:,} people, all due in the same minute, "
        f"on {r['database']} ({r['cpus']} cores, load average {when} the run {load[0]}/"
        f"{load[1]}/{load[2]}).",
        "",
        *table(
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
                ["until all sent, one phase after the other", r["all_sent_wall_s"], ""],
                *_at_once_rows(r),
            ],
        ),
        "",
        f"Stored {r['messages_stored']:,} messages, sent {r['deliveries_sent']:,} deliveries, "
        f"the emulator counted {r['slack_posts']:,} `chat.postMessage` calls"
        + (
            f" and spent {r['emulator_cpu_ms_per_post']} ms CPU on each (its own process)."
            if r.get("emulator_cpu_ms_per_post") is not None
            else "."
        ),
    ]


SECTIONS: dict[str, tuple[str, Callable[[dict[str, Any]], list[str]]]] = {
    "run": ("system.json", run_section),
    "goals": ("system.json", goals_section),
    "system": ("system.json", system_section),
    "open-loop": ("system.json", lambda system: open_loop_section(system.get("open_loop"))),
    "overload": ("system.json", lambda system: overload_section(system.get("overload"))),
    "workers": ("system.json", workers_section),
    "profiles": ("system.json", profiles_section),
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
