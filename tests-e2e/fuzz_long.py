"""A long schemathesis run against the whole system, by hand (not part of `make test`).

    .venv/bin/python tests-e2e/fuzz_long.py --seconds 100 --workers 4 [--backend sqlite]

Starts the system on free ports (fresh databases), runs schemathesis' CLI for ``--seconds``
per service (every phase: examples, coverage, fuzzing, stateful) with the caller's service
token, then counts every 5xx the services logged, by status and route (reports and the
services' error lines go to ``--out``). A 503 with Retry-After is the contract's transient
answer (the check ``no_unexpected_server_error`` allows it); any other 5xx is a defect.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import SERVICES, System, start_system  # noqa: E402
from schemathesis_checks import run_cli  # noqa: E402


def fuzz(system: System, service: str, *, seconds: int, workers: int, out: Path) -> int:
    """Runs schemathesis against ``service`` (its whole report in ``out``); its exit code."""
    result = run_cli(
        system,
        service,
        "--max-time",
        str(seconds),
        "--workers",
        str(workers),
        "--checks",
        "no_unexpected_server_error",
    )
    (out / f"schemathesis-{service}.txt").write_text(result.stdout + result.stderr)
    tail = "\n".join(result.stdout.splitlines()[-25:])
    print(f"--- schemathesis against {service} (exit {result.returncode})\n{tail}")
    return result.returncode


def server_errors(system: System) -> dict[str, Counter[tuple[int, str]]]:
    """(status, route) of every 5xx access line, per service."""
    found: dict[str, Counter[tuple[int, str]]] = {s: Counter() for s in SERVICES}
    for process, line in system.log_lines():
        if process not in found or not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        status = record.get("status")
        if record.get("logger") == "shared.access" and isinstance(status, int) and status >= 500:
            route = str(record.get("message", "")).split(" ")[1:2] or ["?"]
            found[process][(status, route[0])] += 1
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default=None)
    parser.add_argument("--service", action="append", choices=SERVICES)
    parser.add_argument("--out", type=Path, default=Path("var/fuzz"), help="reports and logs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    state = Path(tempfile.mkdtemp(prefix="haru-fuzz-"))
    system = start_system(state, backend=args.backend)
    try:
        for service in args.service or SERVICES:
            fuzz(system, service, seconds=args.seconds, workers=args.workers, out=args.out)
        errors = server_errors(system)
        for process, line in system.log_lines():
            if '"level": "error"' in line:
                with (args.out / f"errors-{process}.log").open("a") as log:
                    log.write(line + "\n")
    finally:
        system.stop()
    print(f"--- 5xx logged by each service ({system.databases.backend})")
    for service, counts in errors.items():
        total = sum(counts.values())
        print(f"{service}: {total}")
        for (status, route), count in counts.most_common():
            print(f"  {count:>6} × {status} {route}")
    shutil.rmtree(state, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
