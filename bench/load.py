"""The load workers of the whole-system benchmark (``bench/system.py``), each in a child process.

``run_load`` drives one flow with locust's users (a closed loop); ``run_worker("_open", ...)``
sends requests on a fixed schedule (an open loop). Each runs as ``python bench/load.py <mode>
'<json spec>'`` and prints its figures as one JSON line: importing locust monkey-patches the
standard library with gevent, so nothing else happens in that process.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from typing import Any

from usage import CpuWindow, measured_groups

# --------------------------------------------------------------------------- load worker
# Runs in a child process: ``python bench/load.py _load '<json spec>'``. Importing locust
# monkey-patches the standard library with gevent, so nothing else happens in this process.


def _load_worker(spec: dict[str, Any]) -> dict[str, Any]:
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    flow = spec["flow"]
    params = spec["params"]
    counter = iter(range(10**9))
    events = iter(range(spec.get("offset", 0), 10**9))
    # Latency of each outcome ("ok", "status 503 database.busy", ...) inside the window.
    outcomes: dict[str, list[float]] = {}
    measuring = [False]

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
                i = next(events)
                # A distinct event each time (title, day, hour walk), so none is a duplicate;
                # the numbering goes on from the previous load point (spec["offset"]).
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
            sent = time.perf_counter()
            outcome = "ok"
            try:
                return self._send(text, name=name, expect=expect)
            except _Failed as failed:
                outcome = str(failed)
                return None
            finally:
                if measuring[0]:
                    outcomes.setdefault(outcome, []).append(1000 * (time.perf_counter() - sent))

        def _send(self, text: str, *, name: str, expect: Any) -> dict[str, Any]:
            with self.client.post(
                params["message_path"],
                json={"text": text},
                headers={"Cookie": f"{params['cookie_name']}={self.session}"},
                name=name,
                catch_response=True,
            ) as response:
                if response.status_code != 201:
                    failure = _failure_text(response)
                    response.failure(failure)
                    if params.get("honor_retry_after"):
                        _back_off(response)
                    raise _Failed(failure)
                body = response.json()
                if not expect(body):
                    texts = [m["text"][:60] for m in body.get("messages", [])]
                    response.failure(f"unexpected answer: {texts}")
                    raise _Failed("unexpected answer")
                response.success()
                return body

    class _Failed(Exception):
        """A request that did not get the answer its flow expects (its outcome's name)."""

    def _failure_text(response: Any) -> str:
        """``status 503 database.busy (Retry-After 1)``: what the breakdown counts."""
        code = ""
        with contextlib.suppress(Exception):
            code = " " + str(response.json()["error"]["code"])
        retry_after = response.headers.get("retry-after")
        hint = f" (Retry-After {retry_after})" if retry_after else ""
        return f"status {response.status_code}{code}{hint}"

    def _back_off(response: Any) -> None:
        """A polite client waits as long as ``Retry-After`` says (at most 5 s) before its next."""
        retry_after = response.headers.get("retry-after") or ""
        if retry_after.isdigit():
            gevent.sleep(min(int(retry_after), 5))

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
    # PostgreSQL's backends serving this run's databases: the pools opened them in the warm-up.
    groups = measured_groups(spec["pids"], spec["databases"], own="locust")
    # One window for requests and CPU, from the reset to the last sample (sampling blocks
    # this process's greenlets, so it counts as part of the window for both).
    env.stats.reset_all()
    measuring[0] = True
    window = CpuWindow(groups)
    gevent.sleep(spec["duration"])
    measuring[0] = False
    cpu = window.cores(digits=4)
    elapsed = window.elapsed
    runner.stop()
    runner.quit()

    def figures(entry: Any) -> dict[str, Any]:
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.num_requests / elapsed,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p99_ms": entry.get_response_time_percentile(0.99),
        }

    errors = sorted(env.stats.errors.values(), key=lambda e: -e.occurrences)
    return {
        **figures(env.stats.total),
        "elapsed_s": elapsed,
        "cpu_cores": cpu,
        "entries": {name: figures(entry) for (name, _method), entry in env.stats.entries.items()},
        "errors": [f"{e.name}: {e.error} ×{e.occurrences}" for e in errors[:5]],
        "outcomes": {name: latency_summary(ms) for name, ms in outcomes.items()},
    }


def latency_summary(ms: list[float]) -> dict[str, float]:
    """Count, p50, p99 and max of latencies in milliseconds."""
    ordered = sorted(ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0

    return {"count": len(ordered), "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": at(1.0)}


# --------------------------------------------------------------------------- open loop
# Runs in a child process too: ``python bench/load.py _open '<json spec>'``. A closed loop
# (locust's users) sends the next request only when the previous answer is in, so a slow
# server slows its own load and hides its queue; here requests start on a fixed schedule
# (``rate`` a second) whatever the answers do, and each latency is counted from the moment
# its request was due (no coordinated omission).


def _open_worker(spec: dict[str, Any]) -> dict[str, Any]:
    import asyncio

    import httpx

    params = spec["params"]
    rate, duration = spec["rate"], spec["duration"]
    sessions = params["sessions"]

    async def main() -> dict[str, Any]:
        outcomes: dict[str, list[float]] = {}
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=200)
        async with httpx.AsyncClient(
            base_url=spec["base_url"], limits=limits, timeout=60.0
        ) as client:

            async def one(n: int, due: float, record: bool) -> None:
                cookie = {params["cookie_name"]: sessions[n % len(sessions)]}
                try:
                    response = await client.post(
                        params["message_path"],
                        json={"text": params["propose_text"]},
                        cookies=cookie,
                    )
                    if response.status_code == 201:
                        outcome = "ok"
                    else:
                        code = ""
                        with contextlib.suppress(Exception):
                            code = " " + str(response.json()["error"]["code"])
                        outcome = f"status {response.status_code}{code}"
                except httpx.HTTPError as err:
                    outcome = type(err).__name__
                if record:
                    outcomes.setdefault(outcome, []).append(1000 * (time.perf_counter() - due))

            # Warm-up at the same rate, not counted.
            await _schedule(one, rate=rate, duration=spec["warmup"], record=False)
            window = CpuWindow(measured_groups(spec["pids"], spec["databases"], own="load"))
            started = time.perf_counter()
            sent = await _schedule(one, rate=rate, duration=duration, record=True)
            elapsed = time.perf_counter() - started
            cpu = window.cores()
        ok = outcomes.get("ok", [])
        every = [ms for values in outcomes.values() for ms in values]
        return {
            "rate": rate,
            "duration_s": duration,
            "sent": sent,
            "elapsed_s": elapsed,
            "answered_per_s": len(every) / elapsed,
            "cpu_cores": cpu,
            "ok": latency_summary(ok),
            "all": latency_summary(every),
            "outcomes": {name: latency_summary(ms) for name, ms in outcomes.items()},
        }

    async def _schedule(one: Any, *, rate: float, duration: float, record: bool) -> int:
        """Starts ``one`` every 1/rate s for ``duration`` s; waits for every answer."""
        tasks = []
        start = time.perf_counter()
        count = int(rate * duration)
        for n in range(count):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n, due, record)))
        await asyncio.gather(*tasks)
        return count

    return asyncio.run(main())


def run_load(
    flow: str,
    base_url: str,
    users: int,
    *,
    duration: float,
    warmup: float,
    params: dict[str, Any],
    offset: int = 0,
    pids: dict[str, int] | None = None,
    databases: list[str] | None = None,
    honor_retry_after: bool = False,
) -> dict[str, Any]:
    """Runs one load point in a child process and returns its figures."""
    spec = {
        "flow": flow,
        "base_url": base_url,
        "users": users,
        "duration": duration,
        "warmup": warmup,
        "params": params,
        "offset": offset,
        "pids": pids or {},
        "databases": databases or [],
    }
    if honor_retry_after:
        spec["params"] = {**params, "honor_retry_after": True}
    return run_worker("_load", spec, timeout=duration + warmup + 120, what=f"{flow}@{users}")


def run_worker(mode: str, spec: dict[str, Any], *, timeout: float, what: str) -> dict[str, Any]:
    """Runs a load worker (``_load``: locust, ``_open``: open loop) in a child process."""
    result = subprocess.run(
        [sys.executable, __file__, mode, json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"load worker failed for {what}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


WORKERS = {"_load": _load_worker, "_open": _open_worker}

if __name__ == "__main__":
    print(json.dumps(WORKERS[sys.argv[1]](json.loads(sys.argv[2]))))
