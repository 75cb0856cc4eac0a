"""The ceiling: a bare FastAPI endpoint answering JSON under uvicorn, nothing else.

Every system flow in ``bench/system.py`` is reported as a fraction of this, measured on the
same machine with the same load generator, so the figures say what our code costs on top of
the framework and the server.

    python bench/ceiling/app.py --port 8099
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI

app = FastAPI(title="ceiling")


@app.get("/")
async def ceiling() -> dict[str, str]:
    """A constant small JSON answer."""
    return {"status": "ok"}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Readiness for the benchmark driver."""
    return {"status": "ok"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # The same server settings the services use (shared.server.serve), minus our middleware.
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
