"""NLU benchmark: messages/second, p50/p99 per message, and the command's start-up time.

    uv run python bench/nlu.py [--corpus FILE] [--rounds 50] [--startups 15]

Prints a table and writes ``var/bench/nlu.json``. Targets: p99 < 1 ms, start-up < 0.3 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "router" / "tests" / "nlu" / "data" / "dev-corpus.jsonl"
OUTPUT = ROOT / "var" / "bench" / "nlu.json"
P99_TARGET_MS = 1.0
STARTUP_TARGET_S = 0.3


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _time_calls(parse, cases: list[tuple[str, datetime]], rounds: int) -> dict[str, float]:
    for text, now in cases:  # warm-up: compile patterns, import the lunar calendar
        parse(text, now=now)
    samples: list[float] = []
    gc.collect()
    gc.disable()  # measure the parser, not a collection that another allocation triggered
    try:
        started = time.perf_counter()
        for _ in range(rounds):
            for text, now in cases:
                t0 = time.perf_counter_ns()
                parse(text, now=now)
                samples.append((time.perf_counter_ns() - t0) / 1e6)
        wall = time.perf_counter() - started
    finally:
        gc.enable()
    return {
        "messages": len(samples),
        "messages_per_second": len(samples) / wall,
        "p50_ms": _percentile(samples, 0.50),
        "p99_ms": _percentile(samples, 0.99),
        "max_ms": max(samples),
    }


def _startup(runs: int) -> dict[str, float]:
    """Wall time of ``python -m router_service.nlu`` answering one line, start to exit."""
    line = json.dumps({"text": "내일 오후 3시 팀 미팅", "now": "2025-11-14T10:00:00+09:00"})
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "router_service.nlu"],
            input=line + "\n",
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(time.perf_counter() - t0)
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "runs": runs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--startups", type=int, default=15)
    args = parser.parse_args()

    from router_service.nlu.parser import parse
    from router_service.nlu.service import parse_message

    lines = args.corpus.read_text(encoding="utf-8").splitlines()
    cases = [
        (c["text"], datetime.fromisoformat(c["now"])) for c in map(json.loads, filter(None, lines))
    ]
    results = {
        "corpus": str(
            args.corpus.relative_to(ROOT) if args.corpus.is_relative_to(ROOT) else args.corpus
        ),
        "cases": len(cases),
        "rules_parse": _time_calls(parse, cases, args.rounds),
        "parse_message": _time_calls(parse_message, cases, args.rounds),
        "cli_startup": _startup(args.startups),
        "targets": {"p99_ms": P99_TARGET_MS, "startup_s": STARTUP_TARGET_S},
        "python": sys.version.split()[0],
    }
    ok = (
        results["parse_message"]["p99_ms"] < P99_TARGET_MS
        and results["cli_startup"]["median_s"] < STARTUP_TARGET_S
    )
    results["meets_targets"] = ok

    print(f"NLU bench — {len(cases)} messages × {args.rounds} rounds")
    print(f"{'path':<16}{'msg/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name in ("rules_parse", "parse_message"):
        r = results[name]
        print(
            f"{name:<16}{r['messages_per_second']:>10.0f}{r['p50_ms']:>10.3f}"
            f"{r['p99_ms']:>10.3f}{r['max_ms']:>10.3f}"
        )
    s = results["cli_startup"]
    print(f"CLI start-up: median {s['median_s']:.3f} s, max {s['max_s']:.3f} s ({s['runs']} runs)")
    verdict = "met" if ok else "NOT met"
    print(f"targets p99 < {P99_TARGET_MS} ms, start-up < {STARTUP_TARGET_S} s: {verdict}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
