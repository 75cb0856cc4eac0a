"""``python -m openai_emulator``: serve on 127.0.0.1:$OPENAI_EMULATOR_PORT (default 8092)."""

from __future__ import annotations

import os

import uvicorn

from openai_emulator.app import create_app

DEFAULT_PORT = 8092


def main() -> None:
    port = int(os.environ.get("OPENAI_EMULATOR_PORT", DEFAULT_PORT))
    host = os.environ.get("OPENAI_EMULATOR_HOST", "127.0.0.1")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
