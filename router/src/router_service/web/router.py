"""GET /: the web chat page (static files from the repository, no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from shared.security import content_security_policy, page_headers

STATIC_DIR = Path(__file__).resolve().parent / "static"
router = APIRouter(tags=["web"])


# The page runs only its own script and styles and talks only to this origin.
CHAT_PAGE_POLICY = content_security_policy(
    script_src="'self'",
    style_src="'self'",
    img_src="'self' data:",
    connect_src="'self'",
    form_action="'self'",
)


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    """The single-page chat."""
    headers = page_headers(policy=CHAT_PAGE_POLICY, cache="no-cache")
    return FileResponse(STATIC_DIR / "index.html", headers=headers)


def static_files() -> StaticFiles:
    """The page's CSS and JavaScript, served under /static."""
    return StaticFiles(directory=STATIC_DIR)
