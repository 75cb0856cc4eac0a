"""The emulator app: OpenAI-shaped chat completions, answers scripted through ``/_control``.

Each completion takes the next scripted step (a reply, an error status, a delay,
or a malformed body); with nothing scripted it answers ``default_content``.
Every request is recorded so a test can check what was asked. State lives in
memory by design (an emulator).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

DEFAULT_CONTENT = '{"intent": "other", "confidence": 0.5, "assumptions": []}'
MODELS = ("gpt-4o-mini", "gpt-4o", "emulator")


class Step(BaseModel):
    """One scripted answer to the next completion request."""

    content: str | None = Field(None, description="The assistant message content")
    status: int = Field(200, ge=200, le=599, description="HTTP status; non-2xx sends an error")
    error_type: str = Field("server_error", description="OpenAI error type for non-2xx")
    error_message: str = Field("emulated failure", description="OpenAI error message")
    delay_seconds: float = Field(0.0, ge=0, le=60, description="Wait before answering")
    malformed: bool = Field(False, description="Send a body that is not JSON")
    finish_reason: Literal["stop", "length", "content_filter"] = "stop"


class Script(BaseModel):
    steps: list[Step]
    default_content: str | None = None


class Emulator:
    """The emulator's in-memory state: the script queue and the recorded requests."""

    def __init__(self) -> None:
        self.steps: deque[Step] = deque()
        self.requests: list[dict[str, Any]] = []
        self.default_content = DEFAULT_CONTENT
        self.ids = itertools.count(1)

    def reset(self) -> None:
        self.steps.clear()
        self.requests.clear()
        self.default_content = DEFAULT_CONTENT


def _error(status: int, message: str, error_type: str, code: str | None = None) -> JSONResponse:
    body = {"error": {"message": message, "type": error_type, "param": None, "code": code}}
    return JSONResponse(body, status_code=status)


def create_app() -> FastAPI:
    """Builds a fresh emulator app with empty state."""
    app = FastAPI(title="OpenAI-compatible emulator", version="0.1.0")
    state = Emulator()
    app.state.emulator = state

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "emulator"} for m in MODELS]
        return {"object": "list", "data": data}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer ") or not header[7:].strip():
            return _error(
                401, "Missing or invalid API key.", "invalid_request_error", "invalid_api_key"
            )
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "Request body is not valid JSON.", "invalid_request_error")
        if not isinstance(body, dict) or not body.get("model") or not body.get("messages"):
            return _error(400, "'model' and 'messages' are required.", "invalid_request_error")
        state.requests.append(body)
        step = state.steps.popleft() if state.steps else Step(content=state.default_content)
        if step.delay_seconds:
            await asyncio.sleep(step.delay_seconds)
        if step.malformed:
            return PlainTextResponse("<html>upstream hiccup</html>", status_code=step.status)
        if step.status >= 300:
            return _error(step.status, step.error_message, step.error_type)
        content = step.content if step.content is not None else state.default_content
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in body["messages"]) // 4
        completion_tokens = len(content) // 4
        return JSONResponse(
            {
                "id": f"chatcmpl-emu-{next(state.ids)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                        "logprobs": None,
                        "finish_reason": step.finish_reason,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )

    @app.post("/_control/script")
    async def script(body: Script) -> dict[str, int]:
        """Appends steps to the queue (and optionally sets the default reply)."""
        state.steps.extend(body.steps)
        if body.default_content is not None:
            state.default_content = body.default_content
        return {"queued": len(state.steps)}

    @app.post("/_control/reset")
    async def reset() -> dict[str, str]:
        state.reset()
        return {"status": "reset"}

    @app.get("/_control/requests")
    async def requests() -> dict[str, Any]:
        return {"requests": state.requests}

    return app
