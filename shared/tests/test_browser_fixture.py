"""The shared Chromium fixture drives Debian's browser against a page served on loopback."""

import http.server
import threading

import pytest


@pytest.mark.browser
async def test_chromium_renders_a_loopback_page(chromium, tmp_path):
    (tmp_path / "index.html").write_text(
        "<!doctype html><meta charset=utf-8>"
        "<button onclick=\"this.textContent='눌림'\">누르기</button>",
        encoding="utf-8",
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = await chromium.new_page()
        await page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        await page.get_by_role("button").click()
        assert await page.get_by_role("button").text_content() == "눌림"
        await page.close()
    finally:
        server.shutdown()
