"""`python -m google_emulator`: serve the emulator with uvicorn."""

import uvicorn

from google_emulator.app import create_app
from google_emulator.settings import Settings


def main() -> None:
    """Run the emulator on GOOGLE_EMULATOR_HOST:GOOGLE_EMULATOR_PORT."""
    settings = Settings.from_env()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
