"""skill-calendar's own overhead per call over the Google emulator.

For each operation the same Google requests are timed twice: through the service
(a real ``python -m skill_calendar`` process over HTTP) and directly against the
emulator. The service's overhead is the difference of the percentiles. Run:
``uv run python bench/calendar_overhead.py`` (writes var/bench/calendar.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from google_emulator.testing import EmulatorProcess
from shared.processes import ModuleProcess
from shared.testing import ThreadServer
from skill_calendar.testing import CALLER_TOKEN, AuthDouble

ROOT = Path(__file__).resolve().parents[1]
SERVICE_DIR = ROOT / "skill-calendar"
OUT = ROOT / "var" / "bench" / "calendar.json"
ROUTER_TOKEN = "bench-router-token"  # noqa: S105 - local bench only
EMAIL = "bench@example.com"
USER = "u-bench"
DAY = {"start": "2025-11-24T00:00:00+09:00", "end": "2025-11-25T00:00:00+09:00"}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _timed(call: Callable[[int], Awaitable[None]], n: int, concurrency: int) -> list[float]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            await call(i)
            latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(one(i) for i in range(n)))
    return latencies


async def run(n: int, database_url: str) -> dict[str, Any]:
    google = EmulatorProcess().start()  # the Google emulator as a real process
    google.control.reset()
    google.control.add_account(EMAIL, time_zone="Asia/Seoul")
    # skill-calendar's auth-server double (skill_calendar.testing) in a thread
    double = AuthDouble(google_base_url=google.base_url, control=google.control)
    double.connect(user_id=USER, email=EMAIL)
    auth_server = ThreadServer(double.app).__enter__()

    service = ModuleProcess("skill_calendar", isolate_prefixes=("CALENDAR_",))
    service.env = {
        "CALENDAR_DATABASE_URL": database_url,
        "CALENDAR_PORT": str(service.port),
        "CALENDAR_SERVICE_TOKENS": json.dumps({"router": ROUTER_TOKEN}),
        "CALENDAR_AUTH_SERVER_URL": auth_server.base_url,
        "CALENDAR_AUTH_SERVER_TOKEN": CALLER_TOKEN,
        "CALENDAR_GOOGLE_API_BASE_URL": google.base_url,
        "CALENDAR_LOG_LEVEL": "WARNING",
    }
    try:
        service.start()
        async with httpx.AsyncClient(
            base_url=service.base_url,
            headers={"Authorization": f"Bearer {ROUTER_TOKEN}"},
            timeout=30,
        ) as svc:
            token = (await svc.get(f"/v1/users/{USER}/calendar")).json()  # warms caches
            assert token["time_zone"] == "Asia/Seoul", token
            seed = await svc.post(
                f"/v1/users/{USER}/events",
                json={
                    "title": "기준 일정",
                    "start": "2025-11-24T09:00:00+09:00",
                    "end": "2025-11-24T10:00:00+09:00",
                },
                headers={"Idempotency-Key": "seed"},
            )
            event_id = seed.json()["event"]["id"]
            access = (
                await httpx.AsyncClient(base_url=auth_server.base_url).post(
                    "/internal/tokens",
                    json={"user_id": USER, "capability": "calendar", "force_refresh": False},
                    headers={"Authorization": f"Bearer {CALLER_TOKEN}"},
                )
            ).json()["access_token"]
            async with httpx.AsyncClient(
                base_url=google.base_url + "/calendar/v3/calendars/primary",
                headers={"Authorization": f"Bearer {access}"},
                timeout=30,
            ) as direct:
                list_params = {
                    "timeMin": DAY["start"],
                    "timeMax": DAY["end"],
                    "timeZone": "Asia/Seoul",
                    "singleEvents": "true",
                    "orderBy": "startTime",
                    "maxResults": 250,
                }
                run_id = str(time.time_ns())

                def slot(i: int, tag: str) -> dict[str, str]:
                    day = 1 + i % 28
                    hour = (i // 28) % 24
                    month = {"svc": "2026-01", "direct": "2026-02"}[tag]
                    return {
                        "start": f"{month}-{day:02d}T{hour:02d}:00:00+09:00",
                        "end": f"{month}-{day:02d}T{hour:02d}:30:00+09:00",
                    }

                ops: dict[str, tuple[Callable[[int], Awaitable[None]], ...]] = {}

                async def svc_get(i: int) -> None:
                    (await svc.get(f"/v1/users/{USER}/events/{event_id}")).raise_for_status()

                async def direct_get(i: int) -> None:
                    (await direct.get(f"/events/{event_id}")).raise_for_status()

                async def svc_list(i: int) -> None:
                    (await svc.get(f"/v1/users/{USER}/events", params=DAY)).raise_for_status()

                async def direct_list(i: int) -> None:
                    (await direct.get("/events", params=list_params)).raise_for_status()

                async def svc_create(i: int, c: int = 0) -> None:
                    answer = await svc.post(
                        f"/v1/users/{USER}/events",
                        json={"title": f"bench {i}", **slot(i, "svc")},
                        headers={"Idempotency-Key": f"{run_id}-{c}-{i}"},
                    )
                    answer.raise_for_status()

                async def direct_create(i: int) -> None:
                    times = slot(i, "direct")
                    window = {**list_params, "timeMin": times["start"], "timeMax": times["end"]}
                    (await direct.get("/events", params=window)).raise_for_status()
                    body = {
                        "summary": f"bench {i}",
                        "start": {"dateTime": times["start"], "timeZone": "Asia/Seoul"},
                        "end": {"dateTime": times["end"], "timeZone": "Asia/Seoul"},
                    }
                    (await direct.post("/events", json=body)).raise_for_status()

                ops = {
                    "get": (svc_get, direct_get),
                    "list": (svc_list, direct_list),
                    "create": (svc_create, direct_create),
                }
                results: list[dict[str, Any]] = []
                for concurrency in (1, 20):
                    for name, (through, straight) in ops.items():
                        calls = n if concurrency == 1 else n * 2
                        if name == "create":
                            offset = concurrency * 10_000

                            async def through_c(i: int, o: int = offset) -> None:
                                await svc_create(i + o)

                            through = through_c
                        await _timed(straight, 10, concurrency)  # warm-up
                        direct_ms = await _timed(straight, calls, concurrency)
                        service_ms = await _timed(through, calls, concurrency)
                        row = {"op": name, "concurrency": concurrency, "calls": calls}
                        for q, label in ((0.5, "p50"), (0.99, "p99")):
                            s, d = _percentile(service_ms, q), _percentile(direct_ms, q)
                            row[f"service_{label}_ms"] = round(s, 2)
                            row[f"direct_{label}_ms"] = round(d, 2)
                            row[f"overhead_{label}_ms"] = round(s - d, 2)
                        row["service_mean_ms"] = round(statistics.fmean(service_ms), 2)
                        results.append(row)
                clients = await _compare_clients(google.base_url, access, event_id, n)
                return {"google": "google_emulator", "results": results, "client_choice": clients}
    finally:
        service.stop()
        auth_server.__exit__(None, None, None)
        google.stop()


async def _compare_clients(base_url: str, access: str, event_id: str, n: int) -> list[dict]:
    """events.get at concurrency 20: httpx (what the service uses) vs the discovery client
    in worker threads (bounded by a CapacityLimiter), to justify the choice."""
    import anyio
    import google_auth_httplib2
    import httplib2
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build

    credentials = Credentials(token=access)
    service = build(
        "calendar",
        "v3",
        credentials=credentials,
        static_discovery=True,
        # api_endpoint replaces rootUrl + servicePath, so the path prefix is needed.
        client_options={"api_endpoint": base_url + "/calendar/v3/"},
        cache_discovery=False,
    )
    limiter = anyio.CapacityLimiter(20)

    def blocking_get() -> None:
        # httplib2 is not thread-safe: one Http per call, as the library advises.
        http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http())
        service.events().get(calendarId="primary", eventId=event_id).execute(http=http)

    async def threaded(i: int) -> None:
        await anyio.to_thread.run_sync(blocking_get, limiter=limiter)

    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {access}"}, timeout=30
    ) as http:

        async def native(i: int) -> None:
            path = f"/calendar/v3/calendars/primary/events/{event_id}"
            (await http.get(path)).raise_for_status()

        rows = []
        for name, call in (("httpx", native), ("googleapiclient+threads", threaded)):
            await _timed(call, 10, 20)
            started = time.perf_counter()
            latencies = await _timed(call, n * 2, 20)
            elapsed = time.perf_counter() - started
            rows.append(
                {
                    "client": name,
                    "calls": n * 2,
                    "p50_ms": round(_percentile(latencies, 0.5), 2),
                    "p99_ms": round(_percentile(latencies, 0.99), 2),
                    "calls_per_s": round(n * 2 / elapsed, 1),
                }
            )
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100, help="calls per op at concurrency 1")
    parser.add_argument(
        "--database-url", help="ledger database (default: a fresh SQLite file in a temp dir)"
    )
    args = parser.parse_args()
    from shared.migrations import upgrade

    workdir = Path(tempfile.mkdtemp(prefix="calendar-bench-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir}/calendar.db"
    upgrade(SERVICE_DIR, database_url)
    try:
        report = asyncio.run(run(args.calls, database_url))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    header = (
        f"{'op':<7}{'conc':>5}{'calls':>6}  {'svc p50':>8}{'svc p99':>9}"
        f"{'dir p50':>9}{'dir p99':>9}  {'over p50':>9}{'over p99':>9}  (ms)"
    )
    print(f"skill-calendar overhead over {report['google']}")
    print(header)
    for r in report["results"]:
        print(
            f"{r['op']:<7}{r['concurrency']:>5}{r['calls']:>6}  {r['service_p50_ms']:>8}"
            f"{r['service_p99_ms']:>9}{r['direct_p50_ms']:>9}{r['direct_p99_ms']:>9}  "
            f"{r['overhead_p50_ms']:>9}{r['overhead_p99_ms']:>9}"
        )
    print("\nevents.get at concurrency 20, by client library:")
    for c in report["client_choice"]:
        print(
            f"  {c['client']:<26} p50 {c['p50_ms']:>7} ms  p99 {c['p99_ms']:>7} ms"
            f"  {c['calls_per_s']:>7} calls/s"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
