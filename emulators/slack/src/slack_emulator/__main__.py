"""`python -m slack_emulator`: serve the emulator with uvicorn."""

import uvicorn

from slack_emulator.app import create_app
from slack_emulator.settings import Settings


def main() -> None:
    """Run the emulator on SLACK_EMULATOR_HOST:SLACK_EMULATOR_PORT."""
    settings = Settings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
