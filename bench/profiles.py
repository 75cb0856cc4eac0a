"""Where a service's CPU goes under load: py-spy samples, summarised by library.

    uv run --group bench python bench/profiles.py var/bench/profile-router-propose.txt

``bench/system.py --profile propose,create,token`` records them (py-spy, the `bench` group's,
attached to each service process and its workers during the point at concurrency 10) as
collapsed stacks under ``var/bench/profile-<service>-<flow>.txt`` (flamegraph.pl's and
speedscope's input: ``flamegraph.pl file.txt > file.svg``). This file reads one and tells
what share of the samples ran inside each library (by the innermost frame that belongs to
one), so the figures can go into docs/benchmarks.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

# Library → a pattern of its frames' file paths (py-spy prints "function (package/file.py:line)").
CATEGORIES: dict[str, str] = {
    "sqlalchemy": r"\bsqlalchemy/",
    "asyncpg": r"\basyncpg/",
    "httpx (client)": r"\b(httpx|httpcore|h11|anyio)/",
    "uvicorn + starlette + fastapi": r"\b(uvicorn|starlette|fastapi)/",
    "pydantic": r"\bpydantic(_core)?/",
    "logging": r"(^| )logging/|\bshared/logging\.py",
    "json": r"(^| )json/",
    "router NLU": r"\brouter_service/nlu/",
    "crypto": r"\bcryptography/|\bauth_server/crypto\.py",
}
FRAME = re.compile(r"\(([^()]*):\d+\)")


def summarise(path: Path) -> dict[str, float]:
    """Where the samples ran, by library, summing to 100: each sample goes to the library
    of its innermost frame that belongs to one (``other``: our code, the standard library
    and the rest), plus the sample count."""
    patterns = {name: re.compile(pattern) for name, pattern in CATEGORIES.items()}
    counts = dict.fromkeys([*CATEGORIES, "other"], 0)
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        samples = int(number)
        total += samples
        counts[_owner(FRAME.findall(stack), patterns)] += samples
    shares = {name: round(100 * n / total, 1) if total else 0.0 for name, n in counts.items()}
    return {"samples": total, **shares}


def _owner(files: list[str], patterns: dict[str, re.Pattern[str]]) -> str:
    for file in reversed(files):  # innermost first
        for name, pattern in patterns.items():
            if pattern.search(" " + file):
                return name
    return "other"


def record(pid: int, *, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Starts py-spy on ``pid`` (and its worker processes) for ``seconds``, writing the
    collapsed stacks to ``out`` with the suffix ``.txt``."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--nonblocking",
            "--duration",
            str(max(1, int(seconds))),
            "--format",
            "raw",
            "--output",
            str(out.with_suffix(".txt")),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main(argv: list[str]) -> int:
    for name in argv:
        print(name, json.dumps(summarise(Path(name)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
