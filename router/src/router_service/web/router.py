"""GET /: the web chat page (static files from the repository, no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
router = APIRouter(tags=["web"])


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    """The single-page chat."""
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


def static_files() -> StaticFiles:
    """The page's CSS and JavaScript, served under /static."""
    return StaticFiles(directory=STATIC_DIR)
