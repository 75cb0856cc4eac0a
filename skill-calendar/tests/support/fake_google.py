"""A stand-in for the Google emulator, used only while google_emulator.testing is absent.

It follows /work/wt/GOOGLE_EMULATOR_CONTRACT.md for the calls skill-calendar makes
(token, calendars.get, events.*, freeBusy) and the control API the tests use
(authorize, faults incl. drop_response, revoke, expire-tokens, calls, events).
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse
from zoneinfo import ZoneInfo

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response


def _error(status: int, reason: str, message: str = "error") -> JSONResponse:
    return JSONResponse(
        {"error": {"code": status, "message": message, "errors": [{"reason": reason}]}},
        status_code=status,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class FakeGoogle:
    def __init__(self) -> None:
        self.reset()
        self.app = self._build()

    def reset(self) -> None:
        self.accounts: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, dict[str, Any]]] = {}
        self.codes: dict[str, str] = {}
        self.refresh: dict[str, str] = {}
        self.access: dict[str, tuple[str, datetime]] = {}
        self.faults: list[dict[str, Any]] = []
        self.calls: Counter[str] = Counter()

    def account(self, email: str, time_zone: str = "Asia/Seoul") -> dict[str, Any]:
        if email not in self.accounts:
            self.accounts[email] = {"email": email, "time_zone": time_zone}
            self.events[email] = {}
        return self.accounts[email]

    def _who(self, request: Request) -> str | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        found = self.access.get(token)
        if not found or found[1] <= datetime.now(UTC):
            return None
        return found[0]

    def _fault(self, name: str, path: str) -> dict[str, Any] | None:
        for fault in self.faults:
            if fault["match"] == name or path.startswith(fault["match"]):
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _span(self, event: dict[str, Any], zone: ZoneInfo) -> tuple[datetime, datetime]:
        def at(part: dict[str, Any]) -> datetime:
            if "date" in part:
                d = date.fromisoformat(part["date"])
                return datetime(d.year, d.month, d.day, tzinfo=zone)
            return datetime.fromisoformat(part["dateTime"].replace("Z", "+00:00"))

        return at(event["start"]), at(event["end"])

    def _build(self) -> FastAPI:
        app = FastAPI()
        fake = self

        async def guard(request: Request, name: str):
            fake.calls[name] += 1
            fault = fake._fault(name, request.url.path)
            if fault and not fault.get("drop_response"):
                if fault.get("delay"):
                    await asyncio.sleep(fault["delay"])
                headers = {}
                if fault.get("retry_after") is not None:
                    headers["Retry-After"] = str(fault["retry_after"])
                resp = _error(fault.get("status", 503), fault.get("reason") or "backendError")
                resp.headers.update(headers)
                return None, resp, None
            who = fake._who(request)
            if who is None:
                return None, _error(401, "authError", "Invalid Credentials"), None
            return who, None, fault

        async def finish(resp: Response, fault: dict[str, Any] | None) -> Response:
            if fault and fault.get("drop_response"):
                await asyncio.sleep(fault.get("delay") or 5)
            return resp

        @app.get("/healthz")
        async def healthz():
            return {"ok": True}

        @app.post("/token")
        async def token(request: Request):
            form = dict((await request.form()).items())
            if form.get("grant_type") == "authorization_code":
                fake.calls["token.authorization_code"] += 1
                email = fake.codes.pop(form.get("code", ""), None)
                if email is None:
                    return JSONResponse({"error": "invalid_grant"}, status_code=400)
                refresh = "1//r" + secrets.token_hex(8)
                fake.refresh[refresh] = email
            else:
                fake.calls["token.refresh_token"] += 1
                email = fake.refresh.get(form.get("refresh_token", ""))
                if email is None:
                    return JSONResponse(
                        {
                            "error": "invalid_grant",
                            "error_description": "Token has been expired or revoked.",
                        },
                        status_code=400,
                    )
                refresh = None
            access = "ya29." + secrets.token_hex(8)
            fake.access[access] = (email, datetime.now(UTC) + timedelta(hours=1))
            body = {"access_token": access, "expires_in": 3599, "token_type": "Bearer"}
            if refresh:
                body["refresh_token"] = refresh
            return body

        @app.post("/emulator/authorize")
        async def authorize(request: Request):
            body = await request.json()
            query = parse_qs(urlparse(body["url"]).query)
            fake.account(body["email"])
            code = "4/c" + secrets.token_hex(6)
            fake.codes[code] = body["email"]
            redirect = query["redirect_uri"][0]
            state = query.get("state", [""])[0]
            return {"redirect_url": f"{redirect}?{urlencode({'code': code, 'state': state})}"}

        @app.post("/emulator/reset")
        async def reset():
            fake.reset()
            return {}

        @app.post("/emulator/accounts")
        async def accounts(request: Request):
            body = await request.json()
            return fake.account(body["email"], body.get("time_zone") or "Asia/Seoul")

        @app.post("/emulator/faults")
        async def faults(request: Request):
            body = await request.json()
            body.setdefault("count", 1)
            fake.faults.append(body)
            return {}

        @app.delete("/emulator/faults")
        async def clear_faults():
            fake.faults.clear()
            return {}

        @app.post("/emulator/revoke")
        async def revoke(request: Request):
            email = (await request.json())["email"]
            for table in (fake.refresh,):
                for key in [k for k, v in table.items() if v == email]:
                    del table[key]
            for key in [k for k, v in fake.access.items() if v[0] == email]:
                del fake.access[key]
            return {}

        @app.post("/emulator/expire-tokens")
        async def expire(request: Request):
            email = (await request.json()).get("email")
            for key, (who, _) in list(fake.access.items()):
                if email in (None, who):
                    fake.access[key] = (who, datetime.now(UTC) - timedelta(seconds=1))
            return {}

        @app.get("/emulator/calls")
        async def calls():
            return {"counts": dict(fake.calls)}

        @app.get("/emulator/accounts/{email}/events")
        async def raw_events(email: str):
            return list(fake.events.get(email, {}).values())

        @app.get("/calendar/v3/calendars/primary")
        async def calendar_get(request: Request):
            who, err, fault = await guard(request, "calendar.calendars.get")
            if err:
                return err
            acc = fake.accounts[who]
            return await finish(
                JSONResponse({"id": who, "summary": who, "timeZone": acc["time_zone"]}), fault
            )

        @app.get("/calendar/v3/calendars/primary/events")
        async def events_list(request: Request):
            who, err, fault = await guard(request, "calendar.events.list")
            if err:
                return err
            zone = ZoneInfo(fake.accounts[who]["time_zone"])
            p = request.query_params
            tmin = datetime.fromisoformat(p["timeMin"].replace("Z", "+00:00"))
            tmax = datetime.fromisoformat(p["timeMax"].replace("Z", "+00:00"))
            q = (p.get("q") or "").casefold()
            items = []
            for ev in fake.events[who].values():
                if ev["status"] == "cancelled":
                    continue
                s, e = fake._span(ev, zone)
                if e > tmin and s < tmax and q in (ev.get("summary") or "").casefold():
                    items.append(ev)
            items.sort(key=lambda ev: fake._span(ev, zone)[0])
            size = int(p.get("maxResults") or 250)
            offset = int(p.get("pageToken") or 0)
            page = items[offset : offset + size]
            body: dict[str, Any] = {"items": page, "timeZone": str(zone)}
            if offset + size < len(items):
                body["nextPageToken"] = str(offset + size)
            return await finish(JSONResponse(body), fault)

        @app.post("/calendar/v3/calendars/primary/events")
        async def events_insert(request: Request):
            who, err, fault = await guard(request, "calendar.events.insert")
            if err:
                return err
            body = await request.json()
            event_id = body.get("id") or secrets.token_hex(10)
            if event_id in fake.events[who]:
                return _error(409, "duplicate", "The requested identifier already exists.")
            now = _now()
            ev = {
                "kind": "calendar#event",
                **body,
                "id": event_id,
                "status": "confirmed",
                "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
                "created": now,
                "updated": now,
            }
            fake.events[who][event_id] = ev
            return await finish(JSONResponse(ev), fault)

        @app.get("/calendar/v3/calendars/primary/events/{event_id}")
        async def events_get(event_id: str, request: Request):
            who, err, fault = await guard(request, "calendar.events.get")
            if err:
                return err
            ev = fake.events[who].get(event_id)
            if ev is None:
                return _error(404, "notFound", "Not Found")
            return await finish(JSONResponse(ev), fault)

        @app.patch("/calendar/v3/calendars/primary/events/{event_id}")
        async def events_patch(event_id: str, request: Request):
            who, err, fault = await guard(request, "calendar.events.patch")
            if err:
                return err
            ev = fake.events[who].get(event_id)
            if ev is None or ev["status"] == "cancelled":
                return _error(404, "notFound", "Not Found")
            for key, value in (await request.json()).items():
                if isinstance(value, dict):
                    merged = {**ev.get(key, {}), **value}
                    ev[key] = {k: v for k, v in merged.items() if v is not None}
                else:
                    ev[key] = value
            ev["updated"] = _now()
            return await finish(JSONResponse(ev), fault)

        @app.delete("/calendar/v3/calendars/primary/events/{event_id}")
        async def events_delete(event_id: str, request: Request):
            who, err, fault = await guard(request, "calendar.events.delete")
            if err:
                return err
            ev = fake.events[who].get(event_id)
            if ev is None:
                return _error(404, "notFound", "Not Found")
            if ev["status"] == "cancelled":
                return _error(410, "deleted", "Resource has been deleted")
            ev["status"] = "cancelled"
            return await finish(Response(status_code=204), fault)

        @app.post("/calendar/v3/freeBusy")
        async def freebusy(request: Request):
            who, err, _fault = await guard(request, "calendar.freebusy.query")
            if err:
                return err
            body = await request.json()
            zone = ZoneInfo(fake.accounts[who]["time_zone"])
            tmin = datetime.fromisoformat(body["timeMin"])
            tmax = datetime.fromisoformat(body["timeMax"])
            busy = []
            for ev in fake.events[who].values():
                s, e = fake._span(ev, zone)
                if ev["status"] != "cancelled" and e > tmin and s < tmax:
                    busy.append(
                        {
                            "start": max(s, tmin)
                            .astimezone(UTC)
                            .isoformat()
                            .replace("+00:00", "Z"),
                            "end": min(e, tmax).astimezone(UTC).isoformat().replace("+00:00", "Z"),
                        }
                    )
            busy.sort(key=lambda b: b["start"])
            return {"calendars": {"primary": {"busy": busy}}}

        return app


class FakeControl:
    """The same helper surface as google_emulator.testing's control object."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)

    def reset(self) -> None:
        self.http.post("/emulator/reset").raise_for_status()

    def add_account(self, email: str, time_zone: str = "Asia/Seoul") -> dict[str, Any]:
        return self.http.post(
            "/emulator/accounts", json={"email": email, "time_zone": time_zone}
        ).json()

    def authorize(self, url: str, email: str, allow: bool = True, scopes=None) -> str:
        body = {"url": url, "email": email, "allow": allow, "scopes": scopes}
        return self.http.post("/emulator/authorize", json=body).json()["redirect_url"]

    def fault(self, match: str, **kw: Any) -> None:
        self.http.post("/emulator/faults", json={"match": match, **kw}).raise_for_status()

    def clear_faults(self) -> None:
        self.http.delete("/emulator/faults")

    def revoke(self, email: str) -> None:
        self.http.post("/emulator/revoke", json={"email": email}).raise_for_status()

    def expire_tokens(self, email: str | None = None) -> None:
        self.http.post("/emulator/expire-tokens", json={"email": email}).raise_for_status()

    def calls(self) -> dict[str, int]:
        return self.http.get("/emulator/calls").json()["counts"]

    def events(self, email: str) -> list[dict[str, Any]]:
        return self.http.get(f"/emulator/accounts/{email}/events").json()


class ThreadServer:
    """Serves an ASGI app with uvicorn on a free loopback port in a daemon thread."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        while not self.server.started:
            threading.Event().wait(0.02)
        return self

    @property
    def base_url(self) -> str:
        sock = self.server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
