"""Where a service's CPU goes under load: py-spy samples, summarised by library.

    uv run --group bench python bench/profiles.py var/bench/profile-router-propose.txt

``bench/system.py --profile propose,create,token`` records them (py-spy, the `bench` group's,
attached to each service process and its workers during the point at concurrency 10) as
collapsed stacks under ``var/bench/profile-<service>-<flow>.txt`` (flamegraph.pl's and
speedscope's input: ``flamegraph.pl file.txt > file.svg``). This file reads one and tells
what share of the samples ran inside each library (inclusive: a sample in a JSON
encoder called by logging counts for both), so the figures can go into docs/benchmarks.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

# Library → a pattern of its frames' file paths (py-spy prints "function (path:line)").
CATEGORIES: dict[str, str] = {
    "sqlalchemy": r"/sqlalchemy/",
    "asyncpg": r"/asyncpg/",
    "httpx (client)": r"/(httpx|httpcore|h11|anyio)/",
    "uvicorn + starlette + fastapi": r"/(uvicorn|starlette|fastapi)/",
    "pydantic": r"/pydantic(_core)?/",
    "logging": r"/logging/|/shared/logging\.py",
    "json": r"/json/",
    "router NLU": r"/router_service/nlu/",
    "asyncio event loop": r"/asyncio/",
    "crypto": r"/cryptography/|/auth_server/crypto\.py",
}
FRAME = re.compile(r"\(([^()]*):\d+\)")


def summarise(path: Path) -> dict[str, float]:
    """Inclusive share (0–100) of the samples in each category, and the sample count."""
    counts = dict.fromkeys(CATEGORIES, 0)
    total = 0
    patterns = {name: re.compile(pattern) for name, pattern in CATEGORIES.items()}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        samples = int(number)
        total += samples
        files = " ".join(FRAME.findall(stack))
        for name, pattern in patterns.items():
            if pattern.search(files):
                counts[name] += samples
    shares = {name: round(100 * n / total, 1) if total else 0.0 for name, n in counts.items()}
    return {"samples": total, **shares}


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
